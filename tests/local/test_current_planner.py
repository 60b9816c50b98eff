"""The scene planner: which assets a scene prompt asks for, and the floor plan they get."""

from __future__ import annotations

import numpy as np
import pytest

from gizmo_notebook.local.current.planner import GAP, MAX_SCENE_ASSETS, next_slot, plan_scene, row_layout
from gizmo_notebook.local.generator import generate


@pytest.mark.parametrize(
    ("prompt", "names"),
    [
        ("A warehouse with two robot arms, a conveyor belt and three shelves",
         ["robot arms 1", "robot arms 2", "conveyor belt", "shelves 1", "shelves 2", "shelves 3"]),
        ("three finger gripper", ["three finger gripper"]),  # a count inside one thing's description
        ("2 m long conveyor belt and a 4-tier shelf", ["2 m long conveyor belt", "4-tier shelf"]),
        ("robot arm with a gripper; a table", ["robot arm with a gripper", "table"]),
        ("add an arm", ["arm"]),
        ("put two shelves & a table", ["shelves 1", "shelves 2", "table"]),
        ("a bright, empty warehouse", ["a bright, empty warehouse"]),  # nothing known: the prompt as one asset
        ("8 shelves and 4 tables", ["shelves 1", "shelves 2", "shelves 3", "shelves 4", "shelves 5", "shelves 6",
                                    "shelves 7", "shelves 8"]),
    ],
)  # fmt: skip
def test_plan_scene(prompt: str, names: list[str]) -> None:
    planned = plan_scene(prompt)
    assert [p.name for p in planned] == names
    assert len(planned) <= MAX_SCENE_ASSETS


def test_row_layout_leaves_a_gap_between_footprints_and_centres_the_row() -> None:
    models = [generate("workbench table"), generate("6-dof robot arm"), generate("4-tier shelf")]
    positions = row_layout(models)
    spans = []
    for model, (x, y, z) in zip(models, positions, strict=True):
        lo, hi = np.asarray(model.bounds())[:, 0]
        spans.append((x + lo, x + hi))
        assert (y, z) == (0.0, 0.0)
    for (_, right), (left, _) in zip(spans, spans[1:], strict=False):
        assert left - right == pytest.approx(GAP, abs=1e-5)
    assert spans[0][0] == pytest.approx(-spans[-1][1], abs=1e-5)
    nxt = next_slot(list(zip(models, positions, strict=True)), models[0])
    lo = np.asarray(models[0].bounds())[0, 0]
    assert nxt[0] + lo == pytest.approx(spans[-1][1] + GAP, abs=1e-5)
    assert next_slot([], models[0]) == (0.0, 0.0, 0.0)
