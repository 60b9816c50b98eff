"""Inspect overlays in JupyterLab: collision, frames and centre of mass, from Python and the toolbar."""

from __future__ import annotations

import numpy as np
import pytest
from _harness import cell_errors, pixel_difference, run_all_cells, save_artifact, wait_for_selector
from test_viewer import READY
from test_viewer_playback import _dark_theme

BOT = """
from gizmo_notebook.model import (AssetModel, Box, Collision, Cylinder, Inertial, Joint, JointLimits, Link,
                                  Pose, Sphere, Visual)
import gizmo_notebook as gn
bot = AssetModel("bot", links=[
    Link("base", visuals=[Visual(Box((0.3, 0.3, 0.1)), color=(0.2, 0.4, 0.8, 1.0))],
         collisions=[Collision(Box((0.36, 0.36, 0.16)))], inertial=Inertial(4.0, origin=Pose((0.05, 0, 0)))),
    Link("arm", visuals=[Visual(Cylinder(0.04, 0.5), origin=Pose((0, 0, 0.25)), color=(0.9, 0.3, 0.2, 1.0))],
         collisions=[Collision(Cylinder(0.07, 0.56), origin=Pose((0, 0, 0.25)))],
         inertial=Inertial(1.0, origin=Pose((0, 0, 0.25)))),
], joints=[Joint("shoulder", "revolute", "base", "arm", origin=Pose((0, 0, 0.05)), axis=(0, 1, 0),
                 limits=JointLimits(-1.0, 1.5))])
v = gn.view(bot, height=360)
v.pose({"shoulder": 0.8})
v
"""


def _expected_com() -> list[float]:
    """The whole model's centre of mass at the notebook's pose, computed in Python."""
    ns: dict = {}
    exec(BOT.split("v = gn.view")[0], ns)
    bot = ns["bot"]
    world = bot.link_transforms({"shoulder": 0.8})
    total = sum(link.inertial.mass for link in bot.links)
    c = sum(link.inertial.mass * (world[link.name] @ np.r_[link.inertial.origin.xyz, 1.0])[:3] for link in bot.links)
    return list(c / total)


def test_collision_frames_and_com_from_python_and_the_toolbar(server, browser) -> None:
    nb = server.write_notebook("viewer-inspect.ipynb", [BOT, "v.show(collision=True, frames=True, com=True)"])
    page = browser.open_notebook(server, nb, ui="lab")
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    pressed = "el => [...el.querySelectorAll('button.gz-layer')].map(b => b.getAttribute('aria-pressed'))"
    page.wait_for_function(f"el => ({pressed})(el).join() === 'true,true,true,true'", arg=host, timeout=20_000)
    page.wait_for_timeout(300)
    canvas = host.query_selector("canvas")
    assert host.query_selector(".gz-progress").inner_text() == "", "a progress message stayed over the drawn model"
    shown = canvas.screenshot()
    save_artifact("viewer-inspect-light.png", host.screenshot())

    # what was drawn: a collision mesh per link, frames for each link, arrows and the limit arc, COM balls
    names = host.evaluate("""el => {
        const out = [];
        for (const n of ['base', 'arm']) el.gizmoViewer.viewport.linkGroup(n).traverse(o => {
            if (o.userData.overlay && o.visible && o.name) out.push(o.name); });
        return out.sort(); }""")
    assert "shoulder:limits" in names and "base:com" in names and "arm:com" in names and "model:com" in names
    assert sum(n.endswith("_collision_0") for n in names) == 2
    assert host.evaluate("el => el.gizmoOverlays.totalCom") == pytest.approx(_expected_com(), abs=1e-5)

    # the toolbar: hide the visual shell (collision alone), then the overlays -> the picture changes each time
    host.query_selector("button.gz-layer-visual").click()
    page.wait_for_timeout(300)
    alone = canvas.screenshot()
    save_artifact("viewer-inspect-collision-alone.png", host.screenshot())
    assert pixel_difference(shown, alone) > 300
    for key in ("collision", "frames", "com"):
        host.query_selector(f"button.gz-layer-{key}").click()
    page.wait_for_timeout(300)
    empty = canvas.screenshot()
    assert pixel_difference(alone, empty) > 300
    assert host.evaluate(pressed) == ["false", "false", "false", "false"]
    for key in ("visual", "collision", "frames", "com"):
        host.query_selector(f"button.gz-layer-{key}").click()
    page.wait_for_timeout(500)
    _dark_theme(page)
    page.wait_for_timeout(300)
    save_artifact("viewer-inspect-dark.png", host.screenshot())
    assert browser.console_errors() == []
