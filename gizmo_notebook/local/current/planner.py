"""Scene planning for ``POST /v1/scenes``: one prompt -> the assets to generate, and where they stand.

The real service plans with a language model; ours is deterministic and explainable like the
generator's prompt parser. A scene prompt is a list of things: it is split at commas,
semicolons, "and", "plus" and line breaks; each piece that names something the generator
knows (an arm, a table, a shelf...) becomes one asset, repeated when it starts with a count
and ends in a plural ("two robot arms", "3 shelves"), and kept whole otherwise ("three
finger gripper", "2 m long conveyor" are one asset). A setting before "with" that names
nothing known is dropped ("a warehouse with two arms" -> two arms). Pieces naming nothing known ("a bright
warehouse") are scenery words and dropped — unless nothing is known at all, when the whole
prompt becomes one asset, as ``POST /v1/assets`` would make it.

Layout is a floor plan in one row along +x with a clear gap between footprints, centred on
the origin; an asset generated later into an existing scene is placed at the row's end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gizmo_notebook.local.generator import parse_prompt
from gizmo_notebook.model import AssetModel

__all__ = ["GAP", "MAX_SCENE_ASSETS", "PlannedAsset", "next_slot", "plan_scene", "row_layout"]

MAX_SCENE_ASSETS = 8
GAP = 0.5  # metres between neighbouring footprints

_SPLIT = re.compile(r"[,;\n]|\band\b|\bplus\b|&", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:(?:add|put|place|insert|include|also)\s+)*(?:(?:an|a|the|some|one)\s+)?", re.IGNORECASE)
_COUNT = re.compile(r"^(\d{1,2}|two|three|four|five|six|seven|eight)\s+(?=[a-z])", re.IGNORECASE)
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


@dataclass(frozen=True)
class PlannedAsset:
    prompt: str  # what the generator is asked for
    name: str  # the asset's display name


def _count(piece: str) -> tuple[int, str]:
    match = _COUNT.match(piece)
    if match is None:
        return 1, piece
    rest = piece[match.end():]
    last = re.findall(r"[a-z]+", rest.lower())
    if not last or not last[-1].endswith("s") or last[-1].endswith("ss"):
        return 1, piece  # "three finger gripper": a count inside one thing's description
    token = match.group(1).lower()
    return int(token) if token.isdigit() else _WORDS[token], rest


def plan_scene(prompt: str) -> list[PlannedAsset]:
    """The assets a scene prompt asks for (at least one, at most :data:`MAX_SCENE_ASSETS`)."""
    planned: list[PlannedAsset] = []
    for raw in _SPLIT.split(prompt):
        piece = " ".join(raw.split()).strip(" .:!")
        head, sep, tail = piece.partition(" with ")
        if sep and not parse_prompt(head).families:  # "a warehouse with two arms": the setting is scenery
            piece = tail
        piece = _ARTICLE.sub("", piece.strip())
        if not piece or not parse_prompt(piece).families:
            continue
        count, what = _count(piece)
        for i in range(max(1, count)):
            name = what if count == 1 else f"{what} {i + 1}"
            planned.append(PlannedAsset(prompt=what, name=name[:200]))
    if not planned:
        text = " ".join(prompt.split())
        planned.append(PlannedAsset(prompt=text, name=text[:60] or "asset"))
    return planned[:MAX_SCENE_ASSETS]


def _extent_x(model: AssetModel) -> tuple[float, float]:
    bounds = np.asarray(model.bounds())
    return float(bounds[0][0]), float(bounds[1][0])


def row_layout(models: Sequence[AssetModel]) -> list[tuple[float, float, float]]:
    """Positions that put the models side by side along x, ``GAP`` apart, centred on the origin."""
    positions: list[float] = []
    cursor = 0.0
    for model in models:
        lo, hi = _extent_x(model)
        positions.append(cursor - lo)
        cursor += (hi - lo) + GAP
    shift = (cursor - GAP) / 2 if models else 0.0
    return [(round(x - shift, 6), 0.0, 0.0) for x in positions]


def next_slot(placed: Sequence[tuple[AssetModel, Sequence[float]]], model: AssetModel) -> tuple[float, float, float]:
    """Where a new asset goes in a scene that already holds ``placed``: at the end of the row."""
    if not placed:
        return (0.0, 0.0, 0.0)
    end = max(float(xyz[0]) + _extent_x(m)[1] for m, xyz in placed)
    lo, _ = _extent_x(model)
    return (round(end + GAP - lo, 6), 0.0, 0.0)
