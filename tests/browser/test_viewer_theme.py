"""The viewer in JupyterLab's dark theme, in a narrow window, and its sliders' rest values."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from _harness import cell_errors, nonblank_pixels, run_all_cells, save_artifact, set_theme, wait_for_selector
from test_viewer import ARM, READY


def _background(png: bytes) -> np.ndarray:
    """The dominant colour of a screenshot (the canvas's clear colour), as RGB."""
    from PIL import Image

    flat = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    return colours[int(np.argmax(counts))]


def _luminance(rgb) -> float:
    r, g, b = (float(c) for c in rgb[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def _css_rgb(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in text[text.index("(") + 1 : text.index(")")].split(",")[:3])


def _wait_background(canvas, dark: bool, timeout: float = 10.0) -> np.ndarray:
    deadline = time.monotonic() + timeout
    while True:
        bg = _background(canvas.screenshot())
        if (_luminance(bg) < 0.2) == dark or time.monotonic() > deadline:
            return bg
        time.sleep(0.2)


def test_dark_theme_colours_the_canvas_grid_and_toolbar_and_follows_switches(server, browser) -> None:
    nb = server.write_notebook("viewer-theme.ipynb", [ARM, "gn.view(arm, height=320)"])
    page = browser.open_notebook(server, nb)
    try:
        run_all_cells(page)
        assert cell_errors(page) == []
        set_theme(page, "JupyterLab Light")  # the server keeps the theme an earlier test chose
        host = wait_for_selector(page, READY)
        canvas = host.query_selector("canvas")
        assert _luminance(_wait_background(canvas, dark=False)) > 0.85, "light theme: the canvas should be light"

        set_theme(page, "JupyterLab Dark")  # the view is already drawn: it must follow
        bg = _wait_background(canvas, dark=True)
        assert _luminance(bg) < 0.2, f"dark theme: canvas background {bg} is not dark"
        assert nonblank_pixels(canvas) > 2000, "the model (and grid) must still show on the dark canvas"
        button = host.query_selector(".gz-fit")
        assert _luminance(_css_rgb(button.evaluate("b => getComputedStyle(b).backgroundColor"))) < 0.35
        assert _luminance(_css_rgb(button.evaluate("b => getComputedStyle(b).color"))) > 0.6
        save_artifact("viewer-dark.png", host.query_selector(".gizmo-viewer").screenshot())

        set_theme(page, "JupyterLab Light")
        assert _luminance(_wait_background(canvas, dark=False)) > 0.85, "back to light: the canvas did not follow"
        save_artifact("viewer-light.png", host.query_selector(".gizmo-viewer").screenshot())
    finally:  # the theme is a server-wide setting: leave it light for the other tests
        if page.evaluate("document.body.dataset.jpThemeLight") != "true":
            set_theme(page, "JupyterLab Light")
    assert browser.console_errors() == []


def _open_narrow(server, browser, nb):
    """``nb`` run in JupyterLab in a 450 px window with both side panels collapsed: page, view."""
    page = browser.open_notebook(server, nb)
    page.set_viewport_size({"width": 450, "height": 900})
    page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }")
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    page.wait_for_timeout(400)
    return page, host


def test_narrow_window_keeps_the_viewer_inside_its_width(server, browser) -> None:
    nb = server.write_notebook("viewer-narrow.ipynb", [ARM, "gn.view(arm, height=300)"])
    page, host = _open_narrow(server, browser, nb)
    box = host.evaluate("""el => {
        const p = el.querySelector('.gizmo-viewer'), bar = el.querySelector('.gz-bar');
        const c = el.querySelector('canvas').getBoundingClientRect(), s = el.querySelector('input[type=range]').getBoundingClientRect();
        return {overflow: p.scrollWidth - p.clientWidth, barOverflow: bar.scrollWidth - bar.clientWidth,
                panel: p.getBoundingClientRect().width, canvas: c.width, below: s.top >= c.bottom - 1,
                right: p.getBoundingClientRect().right, page: document.documentElement.clientWidth};
    }""")
    save_artifact("viewer-narrow-450.png", host.query_selector(".gizmo-viewer").screenshot())
    assert box["overflow"] <= 1 and box["barOverflow"] <= 1, box
    assert box["right"] <= box["page"], box
    assert box["below"] and box["canvas"] >= box["panel"] - 4, box
    assert nonblank_pixels(host.query_selector("canvas")) > 1500
    assert browser.console_errors() == []


OFFSET = """
import gizmo_notebook as gn
from gizmo_notebook.model import AssetModel, Box, Joint, JointLimits, Link, Pose, Visual
lift = AssetModel("lift", links=[
    Link("base", visuals=[Visual(Box((0.3, 0.3, 0.1)))]),
    Link("arm", visuals=[Visual(Box((0.05, 0.05, 0.4)), origin=Pose((0, 0, 0.2)))]),
    Link("sled", visuals=[Visual(Box((0.1, 0.1, 0.05)))]),
], joints=[
    Joint("tilt", "revolute", "base", "arm", origin=Pose((0, 0, 0.05)), axis=(0, 1, 0), limits=JointLimits(0.3, 1.2)),
    Joint("slide", "prismatic", "base", "sled", origin=Pose((0.2, 0, 0)), axis=(0, 0, 1), limits=JointLimits(-0.3, -0.1)),
])
gn.view(lift, height=300)
"""


def test_a_joint_whose_zero_is_outside_its_limits_shows_where_it_is_drawn(server, browser) -> None:
    nb = server.write_notebook("viewer-offset.ipynb", [OFFSET])
    page = browser.open_notebook(server, nb)
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    shown = host.evaluate("""el => [...el.querySelectorAll('.gz-joint')].map(r => ({
        joint: r.querySelector('input[type=range]').dataset.joint,
        value: Number(r.querySelector('input[type=range]').value),
        label: r.querySelector('label span:last-of-type').textContent }))""")
    assert shown == [{"joint": "tilt", "value": pytest.approx(0.3), "label": "17.2°"},
                     {"joint": "slide", "value": pytest.approx(-0.1), "label": "-0.100 m"}], shown
    drawn = {link: host.evaluate(f"el => el.gizmoViewer.viewport.linkWorldMatrix('{link}')") for link in ("arm", "sled")}
    # setting the sliders to the values they show moves nothing: that is where the model is drawn
    host.evaluate("el => el.gizmoViewer.viewport.setPose({tilt: 0.3, slide: -0.1})")
    for link, matrix in drawn.items():
        assert host.evaluate(f"el => el.gizmoViewer.viewport.linkWorldMatrix('{link}')") == pytest.approx(matrix, abs=1e-9)
    assert browser.console_errors() == []


LONG_NAMES = """
NAMES = [("gripper_finger_left_joint", "prismatic"), ("shoulder_pitch_joint_of_the_left_arm", "revolute")]
import gizmo_notebook as gn
from gizmo_notebook.model import AssetModel, Box, Joint, JointLimits, Link, Pose, Visual
links = [Link("base", visuals=[Visual(Box((0.2, 0.2, 0.1)))])]
joints = []
for i, (name, kind) in enumerate(NAMES):
    links.append(Link(f"l{i}", visuals=[Visual(Box((0.05, 0.05, 0.2)))]))
    joints.append(Joint(name, kind, "base", f"l{i}", origin=Pose((0.1 * i, 0, 0.1)), axis=(0, 0, 1) if kind == "prismatic" else (0, 1, 0),
                        limits=JointLimits(0.0, 0.04) if kind == "prismatic" else JointLimits(-1.0, 1.0)))
gn.view(AssetModel("long names", links=links, joints=joints), height=300)
"""


def test_long_joint_names_keep_value_and_number_box_inside_the_slider_column(server, browser) -> None:
    """The quickstart arm's "gripper_finger_left_joint" pushed its value onto two lines and its
    number box past the panel's edge (clipped): a long name takes its own line, value and box under it."""
    nb = server.write_notebook("viewer-long-names.ipynb", [LONG_NAMES])
    page = browser.open_notebook(server, nb)
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    page.wait_for_timeout(300)
    rows = host.evaluate("""el => {
        const side = el.querySelector('.gz-side'), edge = side.getBoundingClientRect().right;
        return [...side.querySelectorAll('.gz-joint label')].map(l => {
          const name = l.children[0], box = l.querySelector('.gz-num'), value = l.querySelector('.gz-val > span') || l.children[1];
          const v = value.getBoundingClientRect(), b = box.getBoundingClientRect();
          return { overflow: side.scrollWidth - side.clientWidth, boxRight: b.right, edge,
                   sameLine: Math.abs((v.top + v.bottom) / 2 - (b.top + b.bottom) / 2) < 4,
                   valueLines: Math.round(v.height / parseFloat(getComputedStyle(value).lineHeight)),
                   title: name.title, cut: name.scrollWidth > name.clientWidth };
        });
    }""")
    save_artifact("viewer-long-joint-names.png", host.query_selector(".gizmo-viewer").screenshot())
    assert len(rows) == 2, rows
    for row in rows:
        assert row["overflow"] <= 0 and row["boxRight"] <= row["edge"], row
        assert row["valueLines"] == 1 and row["sameLine"], row  # "0.000 m" on one line, beside its box
        assert row["edge"] - row["boxRight"] < 16, row  # the box at the column's right, also when wrapped
    assert [r["title"] for r in rows] == ["gripper_finger_left_joint", "shoulder_pitch_joint_of_the_left_arm"]
    assert not rows[0]["cut"], rows  # a name that fits the column is shown whole (on its own line)
    assert browser.console_errors() == []


def test_sliders_side_by_side_in_a_narrow_panel_line_up_whatever_their_names(server, browser) -> None:
    """Below the canvas the sliders sit in a grid; a long name wraps its value under it, and the
    slider beside it (short name, one line) must not sit a line higher."""
    cells = [LONG_NAMES.replace('NAMES = [("gripper_finger_left_joint"', 'NAMES = [("tilt", "revolute"), ("gripper_finger_left_joint"')]
    nb = server.write_notebook("viewer-narrow-names.ipynb", cells)
    page, host = _open_narrow(server, browser, nb)
    tops = host.evaluate("""el => [...el.querySelectorAll('.gz-side input[type=range]')].map(s => {
        const r = s.getBoundingClientRect(); return [s.dataset.joint, Math.round(r.left), Math.round(r.top)]; })""")
    save_artifact("viewer-narrow-names.png", host.query_selector(".gizmo-viewer").screenshot())
    (tilt, tl, tt), (finger, fl, ft) = tops[0], tops[1]
    assert (tilt, finger) == ("tilt", "gripper_finger_left_joint") and fl > tl, tops  # side by side
    assert abs(tt - ft) <= 1, f"sliders of one grid row at different heights: {tops}"
    assert browser.console_errors() == []
