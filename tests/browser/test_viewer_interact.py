"""Working the viewer with the pointer, and watching a playback, in JupyterLab.

* dragging a link in 3D turns its joint (within its limits), the orbit stays put, the slider,
  the number box and Python's ``joint_values`` follow; hovering a draggable link lights it;
* while ``viewer.play`` animates, the sliders show the played joint values (read-only), and are
  live again once paused.
"""

from __future__ import annotations

import json
import math

import pytest
from _harness import execute_in_kernel, open_lab_notebook, save_artifact, set_theme
from test_viewer import ARM, READY

# Where a point of a link (in the link's frame) is on the page, in CSS pixels.
_ON_SCREEN = """(el, [link, p]) => {
  const vp = el.gizmoViewer.viewport;
  const m = vp.linkWorldMatrix(link);
  const rect = vp.canvas.getBoundingClientRect();
  const x = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12], y = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13],
        z = m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14];
  const v = vp.camera.position.clone().set(x, y, z).project(vp.camera);
  return [rect.left + (v.x + 1) / 2 * rect.width, rect.top + (1 - v.y) / 2 * rect.height];
}"""
_CAMERA = "el => el.gizmoViewer.viewport.camera.position.toArray()"
_POSE = "el => el.gizmoViewer.viewport.getPose()"


def _python_joint_values(page, server) -> dict[str, float]:
    out = server.root / "joint-values.json"
    out.unlink(missing_ok=True)
    execute_in_kernel(page, f"import json, pathlib; pathlib.Path({out.name!r}).write_text(json.dumps(v.joint_values))")
    return json.loads(out.read_text())


def _drag(page, start: list[float], dx: float, dy: float, steps: int = 12) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(start[0] + dx * i / steps, start[1] + dy * i / steps)
        page.wait_for_timeout(16)
    page.mouse.up()


def test_drag_a_link_turns_its_joint(server, browser) -> None:
    page, host = open_lab_notebook(server, browser, "viewer-drag.ipynb", [ARM, "v = gn.view(arm, height=360)\nv"], READY)
    host.scroll_into_view_if_needed()
    camera = host.evaluate(_CAMERA)

    # hover: the forearm lights up, and is what a drag would take
    tip = host.evaluate(_ON_SCREEN, ["fore", [0, 0, 0.3]])
    page.mouse.move(*tip)
    page.wait_for_function("el => el.querySelector('.gizmo-viewport').dataset.hoverLink === 'fore'", arg=host, timeout=5_000)
    save_artifact("viewer-drag-hover.png", host.screenshot())

    # drag the forearm sideways: the elbow turns, nothing else, the camera stays
    _drag(page, tip, -90, 40)
    page.wait_for_timeout(300)
    pose = host.evaluate(_POSE)
    assert set(pose) == {"elbow"}, pose
    assert 0.1 < abs(pose["elbow"]) <= 2.0
    assert host.evaluate(_CAMERA) == camera, "dragging a link orbited the camera"
    assert not host.evaluate("el => el.gizmoDrag.dragging")
    # the slider and the number box show it, and Python has it
    slider = float(host.evaluate("el => el.querySelector(\"input[type=range][data-joint='elbow']\").value"))
    assert slider == pytest.approx(pose["elbow"], abs=0.005)
    box = float(host.query_selector("input.gz-num[data-joint-number='elbow']").input_value())
    assert box == pytest.approx(math.degrees(pose["elbow"]), abs=0.01)
    page.wait_for_timeout(300)
    assert _python_joint_values(page, server)["elbow"] == pytest.approx(pose["elbow"], abs=1e-9)
    save_artifact("viewer-drag-light.png", host.screenshot())

    # a long drag stops at the limit ([-2, 2] rad), it does not wind past it
    tip = host.evaluate(_ON_SCREEN, ["fore", [0, 0, 0.3]])
    for dx, dy in [(-150, 150), (150, 150), (150, -150), (-150, -150)]:
        _drag(page, tip, dx, dy, steps=20)
        tip = host.evaluate(_ON_SCREEN, ["fore", [0, 0, 0.3]])
        assert abs(host.evaluate(_POSE)["elbow"]) <= 2.0 + 1e-12
    # the upper arm turns the shoulder, and the forearm comes along
    fore = host.evaluate("el => el.gizmoViewer.viewport.linkWorldMatrix('fore')")
    _drag(page, host.evaluate(_ON_SCREEN, ["upper", [0, 0, 0.35]]), 70, 0)
    page.wait_for_timeout(300)
    pose = host.evaluate(_POSE)
    assert 0 < abs(pose["shoulder"]) <= 1.5
    assert host.evaluate("el => el.gizmoViewer.viewport.linkWorldMatrix('fore')") != fore
    assert host.evaluate(_CAMERA) == camera

    # a drag on the background still orbits, and moves no joint
    box_ = host.query_selector("canvas").bounding_box()
    _drag(page, [box_["x"] + 15, box_["y"] + 15], 80, 0)
    page.wait_for_timeout(200)
    assert host.evaluate(_CAMERA) != camera, "the orbit no longer works"
    assert host.evaluate(_POSE) == pose
    set_theme(page, "JupyterLab Dark")
    page.wait_for_timeout(300)
    save_artifact("viewer-drag-dark.png", host.screenshot())
    assert browser.console_errors() == []


PLAY = """
import numpy as np
t = np.linspace(0, 2, 121)
v = gn.view(arm, height=360)
v.play({"times": t, "shoulder": 1.2 * np.sin(np.pi * t), "elbow": 1.5 * np.sin(2 * np.pi * t)}, speed=0.5)
v
"""


_FORE_COLOR = """el => { const mesh = el.gizmoViewer.viewport.linkGroup('fore').children.find((o) => o.isMesh);
  const m = (mesh.children.find((o) => o.isLineSegments && o.visible) ?? mesh).material;
  return [m.type, (m.emissive ?? m.color).getHexString()]; }"""


def test_hover_lights_a_link_in_wireframe_too(server, browser) -> None:
    """Wireframe draws a link as lines in an unlit twin material (no emissive): hovering must
    still light it (by the wire's colour; the mesh under the lines is what is picked), and
    leaving gives the colour back."""
    page, host = open_lab_notebook(server, browser, "viewer-drag-wire.ipynb",
                                   [ARM, "v = gn.view(arm, height=360)\nv.wireframe = True\nv"], READY)
    host.scroll_into_view_if_needed()
    page.wait_for_function("el => el.gizmoViewer.viewport.linkGroup('fore').children.find((o) => o.isMesh)"
                           ".children.some((o) => o.isLineSegments && o.visible)", arg=host, timeout=10_000)
    before = host.evaluate(_FORE_COLOR)
    page.mouse.move(*host.evaluate(_ON_SCREEN, ["fore", [0, 0, 0.3]]))
    page.wait_for_function("el => el.querySelector('.gizmo-viewport').dataset.hoverLink === 'fore'", arg=host, timeout=5_000)
    lit = host.evaluate(_FORE_COLOR)
    assert lit[0] == "LineBasicMaterial" and lit[1] != before[1], (before, lit)
    box = host.bounding_box()
    page.mouse.move(box["x"] + box["width"] + 40, box["y"] + box["height"] + 40)  # off the view
    page.wait_for_function("el => el.querySelector('.gizmo-viewport').dataset.hoverLink === ''", arg=host, timeout=5_000)
    assert host.evaluate(_FORE_COLOR) == before


def test_sliders_follow_the_playback(server, browser) -> None:
    page, host = open_lab_notebook(server, browser, "viewer-play-sliders.ipynb", [ARM, PLAY], READY)
    page.wait_for_function("el => !!el.gizmoPlayback && el.gizmoPlayback.playing()", arg=host, timeout=20_000)
    read = """el => ({ t: el.gizmoPlayback ? el.gizmoPlayback.time() : null,
        shoulder: Number(el.querySelector("input[type=range][data-joint='shoulder']").value),
        elbow: Number(el.querySelector("input[type=range][data-joint='elbow']").value),
        box: Number(el.querySelector("input.gz-num[data-joint-number='elbow']").value),
        disabled: el.querySelector("input[type=range][data-joint='elbow']").disabled,
        readOnly: el.querySelector("input.gz-num[data-joint-number='elbow']").readOnly })"""
    seen = []
    for _ in range(4):
        page.wait_for_timeout(250)
        seen.append(host.evaluate(read))
    assert all(s["disabled"] and s["readOnly"] for s in seen), "sliders editable while playing"
    assert len({round(s["elbow"], 3) for s in seen}) > 1, "the sliders did not follow the playback"
    save_artifact("viewer-play-sliders.png", host.screenshot())

    # paused on a frame: the sliders show exactly that frame's joint values, and are live
    host.query_selector("button.gz-play").click()
    host.evaluate("el => { const s = el.querySelector('input.gz-scrub'); s.value = '0.3'; s.dispatchEvent(new Event('input')); }")
    page.wait_for_timeout(200)
    s = host.evaluate(read)
    assert s["t"] == pytest.approx(0.3)
    assert not s["disabled"] and not s["readOnly"]
    # the track is 60 fps, quantized: a few thousandths of a radian (slider step: 0.003 / 0.004)
    assert s["shoulder"] == pytest.approx(1.2 * math.sin(math.pi * 0.3), abs=0.01)
    assert s["elbow"] == pytest.approx(1.5 * math.sin(2 * math.pi * 0.3), abs=0.01)
    assert s["box"] == pytest.approx(math.degrees(1.5 * math.sin(2 * math.pi * 0.3)), abs=0.5)

    # an edit while paused starts from the frame shown: the other joint keeps its played value
    host.evaluate("""el => { const r = el.querySelector("input[type=range][data-joint='elbow']");
        r.value = '0.5'; r.dispatchEvent(new Event('input', { bubbles: true })); }""")
    pose = host.evaluate(_POSE)
    assert pose["elbow"] == pytest.approx(0.5, abs=0.005)
    assert pose["shoulder"] == pytest.approx(1.2 * math.sin(math.pi * 0.3), abs=0.01)

    # the playback removed: the sliders show the pose again, editable
    execute_in_kernel(page, "v.stop()")
    page.wait_for_function("el => !el.querySelector('.gz-timeline')", arg=host, timeout=10_000)
    s = host.evaluate(read)
    assert not s["disabled"]
    assert s["elbow"] == pytest.approx(host.evaluate(_POSE)["elbow"], abs=0.005)
    assert browser.console_errors() == []
