"""``%load_ext gizmo_notebook`` and the ``%gizmo`` / ``%%gizmo`` magics in a real IPython shell."""

from __future__ import annotations

import time
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from gizmo_notebook.studio import Studio
from gizmo_notebook.studio.magics import MagicUsageError, parse_cell_args

from .conftest import eventually


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, local_server: Any) -> Any:
    # The magics use the default client; point it at the test server through the environment.
    monkeypatch.setenv("GIZMO_API_KEY", local_server.api_key)
    monkeypatch.setenv("GIZMO_BASE_URL", local_server.base_url)
    import gizmo_notebook.studio.widget as widget

    monkeypatch.setattr(widget, "_default_client", None)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "gizmo_notebook")
    yield ip
    monkeypatch.setattr(widget, "_default_client", None)


def test_cell_magic_generates_without_blocking_and_shows_live_status(shell: Any) -> None:
    t0 = time.monotonic()
    studio = shell.run_cell_magic("gizmo", "--name 'Cell arm' --tags arm,cell", "a two link arm\nwith a gripper\n")
    assert time.monotonic() - t0 < 2.0  # returns before the asset is ready
    try:
        assert isinstance(studio, Studio) and studio.mode == "job"
        eventually(lambda: studio.focus)
        item = studio.items[0]
        assert item["id"] == studio.focus and item["name"] == "Cell arm"
        assert item["tags"] == ["arm", "cell"] and item["prompt"] == "a two link arm\nwith a gripper"
        eventually(lambda: studio.items[0]["status"] == "ready")
    finally:
        studio.close()


def test_line_magic_shows_a_studio(shell: Any) -> None:
    studio = shell.run_line_magic("gizmo", "")
    try:
        assert isinstance(studio, Studio) and studio.mode == "studio"
    finally:
        studio.close()


def test_usage_mistakes_print_help_not_tracebacks(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert shell.run_cell_magic("gizmo", "", "   ") is None
    assert "prompt is empty" in capsys.readouterr().out
    assert shell.run_line_magic("gizmo", "frobnicate") is None
    assert "unknown %gizmo command" in capsys.readouterr().out
    assert shell.run_line_magic("gizmo", "view") is None
    assert "exactly one PATH" in capsys.readouterr().out
    with pytest.raises(MagicUsageError):
        parse_cell_args("--colour red")
    assert parse_cell_args("--name 'My arm' --tags a,,b") == ("My arm", ["a", "b"])


def test_view_magic_previews_a_downloaded_file(shell: Any, local_server: Any, tmp_path: Any) -> None:
    from gizmo_notebook.client import GizmoClient

    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        asset = c.assets.create("a two link arm")
        c.assets.wait(asset.id, timeout=30) if hasattr(c.assets, "wait") else None
        path = c.assets.download(asset.id, "isaac_sim_urdf", dest=tmp_path)
    viewer = shell.run_line_magic("gizmo", f"view {path}")
    assert viewer is not None and type(viewer).__name__ == "Viewer"
