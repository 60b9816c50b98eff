"""The viewer in marimo (``marimo run`` and ``marimo edit``), driven by headless Chromium.

marimo renders widgets inside a shadow root, closes a cell's comms when the cell re-runs,
and in ``run`` mode serves every browser session from one process. What each broke:
an unstyled viewer (its CSS went to document.head), and "Model not found" in a second
session or after a re-run (cached chunk and bundle widgets that page never had).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _harness import count_foreground, marimo_app, marimo_edit_run_all, pixel_difference, save_artifact

NOTEBOOK = '''
import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
    import gizmo_notebook as gn
    from gizmo_notebook.model import AssetModel, Box, Cylinder, Joint, JointLimits, Link, Pose, Visual
    arm = AssetModel("arm", links=[
        Link("base", visuals=[Visual(Box((0.3, 0.3, 0.1)), color=(0.2, 0.4, 0.8, 1.0))]),
        Link("upper", visuals=[Visual(Cylinder(0.04, 0.5), origin=Pose((0, 0, 0.25)), color=(0.9, 0.3, 0.2, 1.0))]),
        Link("fore", visuals=[Visual(Box((0.06, 0.06, 0.4)), origin=Pose((0, 0, 0.2)), color=(0.2, 0.7, 0.3, 1.0))]),
    ], joints=[
        Joint("shoulder", "revolute", "base", "upper", origin=Pose((0, 0, 0.05)), axis=(0, 1, 0),
              limits=JointLimits(-1.5, 1.5)),
        Joint("elbow", "revolute", "upper", "fore", origin=Pose((0, 0, 0.5)), axis=(0, 1, 0),
              limits=JointLimits(-2.0, 2.0)),
    ])
    return arm, gn, mo


@app.cell
def _(mo):
    size = mo.ui.slider(1, 3, value=1, label="size")
    size
    return (size,)


@app.cell
def _(arm, gn, size):
    v = gn.view(arm, height=240 + 20 * size.value)
    v
    return (v,)


if __name__ == "__main__":
    app.run()
'''

READY = ".gizmo-viewer-host[data-gizmo-ready='1']"


def _start_marimo(mode: str) -> Iterator[str]:
    tmp = Path(tempfile.mkdtemp(prefix=f"gizmo-marimo-{mode}-"))
    nb = tmp / "viewer_app.py"
    nb.write_text(NOTEBOOK)
    with marimo_app(nb, mode) as url:
        yield url


@pytest.fixture(scope="module")
def marimo_run() -> Iterator[str]:
    yield from _start_marimo("run")


@pytest.fixture(scope="module")
def marimo_edit() -> Iterator[str]:
    yield from _start_marimo("edit")


def _viewer(page, timeout: float = 90):
    """A drawn viewer (on a reconnect marimo may render a view twice and drop the first)."""
    canvas = page.wait_for_selector(f"{READY} canvas", timeout=timeout * 1000)
    host = canvas.evaluate_handle("c => c.closest('.gizmo-viewer-host')").as_element()
    host.scroll_into_view_if_needed()
    return host


def _check_drawn_styled_and_poses(page, host, name: str) -> None:
    canvas = host.query_selector("canvas")
    before = canvas.screenshot()
    save_artifact(f"marimo-{name}.png", host.screenshot())
    assert count_foreground(before) > 2000, "the viewer drew nothing"
    # styled: the CSS reached into marimo's shadow root (toolbar a flex row, sliders beside the canvas)
    layout = host.evaluate("""el => ({bar: getComputedStyle(el.querySelector('.gz-bar')).display,
        beside: el.querySelector('input[type=range]').getBoundingClientRect().left >= el.querySelector('canvas').getBoundingClientRect().right - 1})""")
    assert layout == {"bar": "flex", "beside": True}, layout
    host.evaluate("""el => { const s = el.querySelector("input[data-joint='shoulder']");
        s.value = '1.2'; s.dispatchEvent(new Event('input')); }""")
    page.wait_for_timeout(400)
    assert pixel_difference(before, canvas.screenshot()) > 500, "the slider did not pose the model"


def _rerun_viewer_cell(page, old_height: int):
    """Move the size slider: marimo re-runs the viewer's cell (closing its widgets' comms);
    returns the new view once it is drawn."""
    page.locator("[role=slider]").first.focus()
    page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for host in page.query_selector_all(READY):  # Playwright's CSS reaches into shadow roots
            # a view marimo already dropped has a ready flag but no viewport any more
            height = host.evaluate("el => el.querySelector('.gizmo-viewport')?.getBoundingClientRect().height ?? 0")
            if height > old_height:
                host.scroll_into_view_if_needed()
                return host
        page.wait_for_timeout(300)
    raise AssertionError("the re-run cell's viewer was not drawn")


def _errors(browser) -> list[str]:
    return [e for e in browser.console_errors() if "Model not found" in e or "gizmo" in e.lower() or "pageerror" in e]


def test_marimo_run_draws_poses_and_serves_a_second_session_and_a_reload_after_rerun(marimo_run, browser) -> None:
    browser.clear_console()
    first = browser.new_page()
    first.goto(marimo_run)
    _check_drawn_styled_and_poses(first, _viewer(first), "run")
    # a second browser session: the same process, another session
    second = browser.new_page()
    second.goto(marimo_run)
    _check_drawn_styled_and_poses(second, _viewer(second), "run-second-session")
    # re-run the viewer's cell in the first session, then reload it
    _rerun_viewer_cell(first, 240)
    first.reload()
    _check_drawn_styled_and_poses(first, _viewer(first), "run-reload")
    assert _errors(browser) == []
    for p in (first, second):
        p.close()


def test_marimo_edit_draws_poses_and_renders_after_rerun_and_reload(marimo_edit, browser) -> None:
    browser.clear_console()
    page = browser.new_page()
    page.goto(marimo_edit)
    marimo_edit_run_all(page, f"{READY} canvas")
    host = _viewer(page)
    _check_drawn_styled_and_poses(page, host, "edit")
    _check_drawn_styled_and_poses(page, _rerun_viewer_cell(page, 240), "edit-rerun")
    page.reload()
    _check_drawn_styled_and_poses(page, _viewer(page, timeout=120), "edit-reload")
    assert _errors(browser) == []
    page.close()
