"""The notebooks as committed: the five tutorials, stripped of outputs, small, portable, no secrets."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from tests.notebooks._notebooks import EXPECTED, NOTEBOOK_DIR, notebook_paths

MAX_COMMITTED_BYTES = 40_000


def test_the_five_tutorials_are_there() -> None:
    assert [p.name for p in notebook_paths()] == list(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_without_outputs_or_widget_state(name: str) -> None:
    path = NOTEBOOK_DIR / name
    assert path.stat().st_size < MAX_COMMITTED_BYTES, f"{name} is {path.stat().st_size} bytes: strip its outputs"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata, f"{name}: saved widget state committed (strip it)"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {i} has outputs"
            assert cell.execution_count is None, f"{name} cell {i} has an execution count"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "starts with a title"


@pytest.mark.parametrize("name", EXPECTED)
def test_runs_unchanged_against_the_service(name: str) -> None:
    """Nothing pins the offline backend or a key: the same notebook must work with GIZMO_API_KEY set."""
    source = "\n".join(c.source for c in nbformat.read(NOTEBOOK_DIR / name, as_version=4).cells if c.cell_type == "code")
    assert not re.search(r"127\.0\.0\.1|localhost|base_url\s*=", source), "hard-coded backend address"
    assert not re.search(r"api_key\s*=|GIZMO_API_KEY|Bearer ", source), "a key in code"
    assert "local_server" not in source and "gizmo_notebook.local" not in source, "reaches into the offline backend"
    raw = (NOTEBOOK_DIR / name).read_text(encoding="utf-8")
    assert not re.search(r"[A-Za-z0-9_\-]{40,}", json.dumps(json.loads(raw)["cells"])), "a token-like string"
