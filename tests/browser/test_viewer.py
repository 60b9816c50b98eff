"""The three.js viewer in a real JupyterLab 4 / Notebook 7 with headless Chromium."""

from __future__ import annotations

import time

import pytest
from _harness import (
    cell_errors,
    nonblank_pixels,
    pixel_difference,
    run_all_cells,
    save_artifact,
    wait_for_selector,
)

ARM = """
from gizmo_notebook.model import AssetModel, Box, Cylinder, Joint, JointLimits, Link, Pose, Visual
import gizmo_notebook as gn
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
"""

READY = ".gizmo-viewer-host[data-gizmo-ready='1']"


def _open_viewer(server, browser, name: str, ui: str, cells: list[str]):
    nb = server.write_notebook(name, [ARM, *cells])
    page = browser.open_notebook(server, nb, ui=ui)
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    return page, host


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_viewer_renders_and_sliders_pose_the_model(server, browser, ui: str) -> None:
    page, host = _open_viewer(server, browser, f"viewer-{ui}.ipynb", ui, ["v = gn.view(arm, height=360)\nv"])
    canvas = host.query_selector("canvas")
    before = canvas.screenshot()
    save_artifact(f"viewer-{ui}.png", before)
    assert nonblank_pixels(canvas) > 2000, "the viewer canvas drew nothing"
    assert host.query_selector_all("input[type=range]").__len__() == 2

    fore_before = host.evaluate("el => el.gizmoViewer.viewport.linkWorldMatrix('fore')")
    host.evaluate("""el => {
        const s = el.querySelector("input[data-joint='shoulder']");
        s.value = '1.2'; s.dispatchEvent(new Event('input'));
    }""")
    page.wait_for_timeout(300)
    after = canvas.screenshot()
    save_artifact(f"viewer-{ui}-posed.png", after)
    fore_after = host.evaluate("el => el.gizmoViewer.viewport.linkWorldMatrix('fore')")
    assert fore_after != fore_before, "moving the shoulder slider did not move the forearm"
    assert pixel_difference(before, after) > 500, "the picture did not change when posing"
    assert browser.console_errors() == []


def test_pose_from_python_picker_wireframe_and_budget_note(server, browser) -> None:
    page, host = _open_viewer(server, browser, "viewer-pose.ipynb", "lab", [
        "v = gn.view(arm, height=300)\nv",
        "v.pose({'elbow': 5.0})",
        "gn.view(arm, height=200, triangle_budget=60)",
    ])
    page.wait_for_function(
        "el => el.gizmoViewer.viewport.getPose().elbow === 2.0", arg=host, timeout=10_000
    )
    value = host.evaluate("el => el.querySelector(\"input[data-joint='elbow']\").value")
    assert float(value) == pytest.approx(2.0)
    canvas = host.query_selector("canvas")
    page.wait_for_timeout(200)
    plain = canvas.screenshot()
    # the link picker highlights a link: its pixels change colour
    host.evaluate("""el => { const p = el.querySelector('.gz-link-picker');
        p.value = 'upper'; p.dispatchEvent(new Event('change')); }""")
    page.wait_for_timeout(300)
    highlighted = canvas.screenshot()
    assert pixel_difference(plain, highlighted) > 300
    # the wireframe toggle redraws the model as lines (and syncs back to Python's trait)
    host.query_selector(".gz-wire").click()
    page.wait_for_timeout(300)
    assert pixel_difference(highlighted, canvas.screenshot()) > 300
    # over the triangle budget: the viewer says it simplified the display copy
    notes = page.eval_on_selector_all(".gz-note", "els => els.map(e => e.textContent)")
    assert any("Showing" in n and "60-triangle budget" in n for n in notes), notes
    assert browser.console_errors() == []


def test_screenshot_round_trip_writes_png(server, browser) -> None:
    page, host = _open_viewer(server, browser, "viewer-shot.ipynb", "lab",
                              ["v = gn.view(arm, height=300)\nv", "fut = v.screenshot('shot.png')"])
    shot = server.root / "shot.png"
    deadline = time.monotonic() + 20
    while not shot.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert shot.exists(), "the browser never answered the screenshot request"
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from _harness import count_foreground

    assert count_foreground(data) > 1000


def test_narrow_viewers_in_a_grid_keep_a_full_width_canvas(server, browser) -> None:
    """In a 4-column grid the joint sliders go under the canvas; a wide viewer keeps them beside it."""
    page, _ = _open_viewer(server, browser, "viewer-grid.ipynb", "lab", [
        "import ipywidgets as w\n"
        "w.GridBox([gn.view(arm, height=200) for _ in range(4)],"
        " layout=w.Layout(grid_template_columns='repeat(4, 190px)', grid_gap='6px'))",
        "gn.view(arm, height=200)",
    ])
    page.wait_for_function(f"document.querySelectorAll(\"{READY}\").length === 5", timeout=60_000)
    page.wait_for_timeout(300)  # let the layout observer and the canvas resize settle
    hosts = page.query_selector_all(READY)
    boxes = [h.evaluate("""el => {
        const r = (s) => el.querySelector(s).getBoundingClientRect();
        const c = r('canvas'), s = r('input[type=range]'), p = r('.gizmo-viewer');
        return {panel: p.width, canvas: c.width, below: s.top >= c.bottom - 1, beside: s.left >= c.right - 1};
    }""") for h in hosts]
    grid, [wide] = boxes[:4], boxes[4:]
    for box, host in zip(grid, hosts[:4], strict=True):
        assert box["panel"] < 200 and box["canvas"] >= 120 and box["canvas"] >= box["panel"] - 4, box
        assert box["below"], f"sliders should sit under the canvas in a narrow panel: {box}"
        assert nonblank_pixels(host.query_selector("canvas")) > 300, "a narrow viewer's canvas drew nothing"
    assert wide["beside"] and wide["panel"] > 560, wide
    save_artifact("viewer-grid.png", page.query_selector(".widget-gridbox").screenshot())
    assert browser.console_errors() == []
