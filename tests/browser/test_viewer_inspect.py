"""Inspect overlays in JupyterLab: collision, frames, centre of mass, inertia boxes, closed loops
and MJCF geom groups, from Python and the toolbar; the model's notes shown under the toolbar."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from _harness import (
    cell_errors,
    kernel_json,
    open_lab_notebook,
    pixel_difference,
    run_all_cells,
    save_artifact,
    set_theme,
    wait_for_selector,
)
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
    pressed = ("el => ['visual', 'collision', 'frames', 'com'].map(k => "
               "el.querySelector(`button.gz-layer-${k}`).getAttribute('aria-pressed'))")
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
            if (o.userData.overlay && o.visible && o.name) out.push(o.name, ...(o.userData.parts || [])); });
        return out.sort(); }""")
    assert {"base:frame", "arm:frame", "shoulder:axis"} <= set(names)
    assert "shoulder:limits" in names and "base:com" in names and "arm:com" in names and "model:com" in names
    assert sum(n.endswith("_collision_0") for n in names) == 2
    assert host.evaluate("el => el.gizmoOverlays.totalCom") == pytest.approx(_expected_com(), abs=1e-5)
    # the frames are drawn where the links are at this pose: the merged lines' first vertex of the
    # arm's frame is the arm's origin, in the root link's frame (the root sits at the origin here)
    arm_frame = host.evaluate("""el => {
        const vp = el.gizmoViewer.viewport, lines = vp.linkGroup('base').children.find(o => o.name === 'frames:lines');
        vp.render();
        const i = 6 * lines.userData.parts.indexOf('arm:frame');
        return { drawn: [0, 1, 2].map(k => lines.geometry.attributes.position.array[3 * i + k]),
                 link: vp.linkWorldMatrix('arm'), base: vp.linkWorldMatrix('base') }; }""")
    world = np.array(arm_frame["link"]).reshape(4, 4).T
    base = np.array(arm_frame["base"]).reshape(4, 4).T
    assert arm_frame["drawn"] == pytest.approx(list((np.linalg.inv(base) @ world)[:3, 3]), abs=1e-5)

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
    # the translucent collision layer costs one draw per collision mesh (one pass, not back
    # faces then front: three.js' default for a transparent double-sided material)
    calls = "el => { const vp = el.gizmoViewer.viewport; vp.render(); return vp.stats().drawCalls; }"
    host.query_selector("button.gz-layer-visual").click()
    visual_only = host.evaluate(calls)
    host.query_selector("button.gz-layer-collision").click()
    assert host.evaluate(calls) - visual_only == 2, (visual_only, host.evaluate(calls))
    with_collision = host.evaluate(calls)
    # every link frame, joint axis and limit in two draws: the lines and the arrow heads
    host.query_selector("button.gz-layer-frames").click()
    assert host.evaluate(calls) - with_collision == 2
    for key in ("com",):
        host.query_selector(f"button.gz-layer-{key}").click()
    page.wait_for_timeout(500)
    _dark_theme(page)
    page.wait_for_timeout(300)
    save_artifact("viewer-inspect-dark.png", host.screenshot())
    assert browser.console_errors() == []



def test_toolbar_toggles_clicked_in_a_burst_end_the_same_in_python(server, browser) -> None:
    """Toggles clicked faster than the kernel answers: the page and Python's traits end in the
    last state clicked (the kernel's echo of an earlier click must not undo a later one: it did
    when the page held changes back to send them together, which ipywidgets already does
    itself while the kernel is behind)."""
    page, host = open_lab_notebook(server, browser, "viewer-inspect-sync.ipynb", [
        BOT, "changes = []\nv.observe(lambda c: changes.append(c['name']), names=['layers', 'wireframe'])"], READY)
    clicks = 11
    host.evaluate("""async (el, n) => {
        const next = () => new Promise((r) => setTimeout(r, 4));
        for (let i = 0; i < n; i++) {
          el.querySelector('button.gz-layer-collision').click();
          el.querySelector('button.gz-wire').click();
          await next();
        } }""", clicks)
    assert host.evaluate("el => el.querySelector('button.gz-layer-collision').getAttribute('aria-pressed')") == "true"
    page.wait_for_timeout(1000)
    facts = kernel_json(page, "import json; print(json.dumps({'collision': v.layers['collision'], "
                              "'wireframe': v.wireframe, 'changes': len(changes)}))")
    assert facts["collision"] is True and facts["wireframe"] is True, facts  # the last state won
    assert facts["changes"] >= 2, facts
    assert browser.console_errors() == []


_SET_RENAMED = """async (el) => {
    // the same geometry (every part in the page's cache) under other link names, set in the view
    const vp = el.gizmoViewer.viewport, ov = el.gizmoOverlays;
    const old = vp.linkGroup('base').children.find((o) => o.isMesh && !o.userData.overlay).material;
    let freed = false;
    old.addEventListener('dispose', () => { freed = true; });
    const meta = JSON.parse(JSON.stringify(vp.meta)), rename = (n) => `new_${n}`;
    for (const l of meta.links) l.name = rename(l.name);
    meta.root = rename(meta.root);
    for (const j of meta.joints) { j.parent = rename(j.parent); j.child = rename(j.child); }
    let error = null;
    try { await vp.setModel(meta, []); } catch (e) { error = String(e); }
    await ov.setModel(meta, []);
    ov.setLayers(ov.layers());
    vp.render();
    const lines = vp.linkGroup('new_base').children.find((o) => o.name === 'frames:lines');
    return { error, freed, updaters: vp.beforeFrame.size, parts: lines ? lines.userData.parts : null };
}"""


def test_a_new_model_in_the_view_with_frames_shown(server, browser) -> None:
    """Another model set in the view while the frames layer is shown: the old model's frames
    updater (run before every frame, the new model's first one included) must not look up
    links the new model lacks; the new model gets its own frames, one updater, and the old
    model's materials are freed (its unlit wire twins with them)."""
    page, host = open_lab_notebook(server, browser, "viewer-inspect-again.ipynb",
                                   [BOT, "v.show(frames=True)"], READY)
    page.wait_for_function("el => el.querySelector('button.gz-layer-frames').getAttribute('aria-pressed') === 'true'",
                           arg=host, timeout=20_000)
    host.evaluate("el => el.gizmoViewer.setWireframe(true)")
    facts = host.evaluate(_SET_RENAMED)
    assert facts["error"] is None, facts
    assert facts["updaters"] == 1, facts
    assert facts["parts"] is not None and "new_arm:frame" in facts["parts"], facts
    assert facts["freed"], "the old model's materials were never disposed"
    assert browser.console_errors() == []


MJCF = """<mujoco model="linkage">
  <worldbody>
    <body name="base" pos="0 0 0.05">
      <geom type="box" size="0.15 0.15 0.05" rgba="0.2 0.4 0.8 1" mass="2"/>
      <geom name="cage" type="box" size="0.3 0.3 0.3" pos="0 0 0.25" group="3" rgba="0.9 0.2 0.2 0.6"
            contype="0" conaffinity="0" mass="0"/>
      <body name="crank" pos="0 0 0.05">
        <joint name="j1" type="hinge" axis="0 1 0"/>
        <geom type="capsule" fromto="0 0 0 0 0 0.3" size="0.03" rgba="0.9 0.6 0.2 1"/>
        <body name="rod" pos="0 0 0.3">
          <joint name="j2" type="hinge" axis="0 1 0"/>
          <geom type="box" size="0.15 0.02 0.04" pos="0.15 0 0" rgba="0.3 0.7 0.3 1"/>
        </body>
      </body>
    </body>
  </worldbody>
  <equality><connect name="tie" body1="rod" body2="base" anchor="0.3 0 0"/></equality>
</mujoco>"""

LINKAGE = f"""
import pathlib, tempfile
import gizmo_notebook as gn
path = pathlib.Path(tempfile.mkdtemp()) / "linkage.xml"
path.write_text({MJCF!r})
linkage = gn.load(path)
v = gn.view(linkage, height=360)
v.pose({{"j1": 0.5}})
v
"""

VISIBLE = """(el, names) => {
    const out = {};
    for (const n of names) el.gizmoViewer.viewport.linkGroup(n).traverse(o => {
        if (o.userData.overlay && o.visible && o.name) out[o.name] = true; });
    return Object.keys(out).sort(); }"""
GROUP3_SHOWN = """el => { let n = 0; el.gizmoViewer.viewport.linkGroup('base').traverse(o => {
    if (o.userData.group === 3 && o.visible) n++; }); return n; }"""


def _linkage():
    from gizmo_notebook import load

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "linkage.xml"
        path.write_text(MJCF)
        return load(path)


def test_groups_inertia_loops_and_notes(server, browser) -> None:
    model = _linkage()
    nb = server.write_notebook("viewer-inspect-mjcf.ipynb", [LINKAGE, "v.show(inertia=True, loops=True)"])
    page = browser.open_notebook(server, nb, ui="lab")
    set_theme(page, "JupyterLab Light")
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    page.wait_for_function("el => el.querySelector('button.gz-layer-loops').getAttribute('aria-pressed') === 'true'",
                           arg=host, timeout=20_000)
    page.wait_for_timeout(300)

    # the notes say what is hidden and why, the whole list when opened
    summary = host.query_selector(".gz-notes summary")
    assert "group 3 are hidden" in summary.inner_text() and "MuJoCo" in summary.inner_text()
    summary.click()
    items = [li.inner_text() for li in host.query_selector_all(".gz-notes li")]
    assert items == model.notes and any("closes a kinematic loop" in n for n in items)
    save_artifact("viewer-inspect-mjcf-light.png", host.screenshot())

    # inertia boxes at each link's centre of mass, the loop's anchors and the segment between them
    names = host.evaluate(VISIBLE, ["world", "base", "crank", "rod"])
    assert {"base:inertia", "crank:inertia", "rod:inertia", "tie:loop", "tie:base", "tie:rod"} <= set(names)
    size, _ = model.link("rod").inertial.equivalent_box()
    drawn = host.evaluate("""el => { let s = null; el.gizmoViewer.viewport.linkGroup('rod').traverse(o => {
        if (o.name === 'rod:inertia') s = o.children[0].scale.toArray(); }); return s; }""")
    assert drawn == pytest.approx(list(size), rel=1e-5)
    (tie,) = model.loop_closures
    gap = tie.gap(model.link_transforms({"j1": 0.5}))
    assert gap > 0.05  # posing one joint of the tree opens the loop: the segment shows by how much
    assert host.evaluate("el => el.gizmoOverlays.loopGaps.tie") == pytest.approx(gap, abs=1e-5)

    # group 3 starts hidden, like MuJoCo's viewer; its toolbar toggle shows it
    canvas = host.query_selector("canvas")
    g3 = host.query_selector("button.gz-group-3")
    assert g3.get_attribute("aria-pressed") == "false" and host.evaluate(GROUP3_SHOWN) == 0
    assert [b.inner_text() for b in host.query_selector_all("button.gz-group")] == ["G0", "G3"]
    before = canvas.screenshot()
    g3.click()
    page.wait_for_timeout(300)
    assert g3.get_attribute("aria-pressed") == "true" and host.evaluate(GROUP3_SHOWN) == 1
    assert pixel_difference(before, canvas.screenshot()) > 300
    save_artifact("viewer-inspect-mjcf-group3.png", host.screenshot())

    set_theme(page, "JupyterLab Dark")
    save_artifact("viewer-inspect-mjcf-dark.png", host.screenshot())
    page.set_viewport_size({"width": 450, "height": 900})
    page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }")
    page.wait_for_timeout(600)
    box = host.evaluate("""el => { const p = el.querySelector('.gizmo-viewer'), bar = el.querySelector('.gz-bar');
        return {overflow: p.scrollWidth - p.clientWidth, barOverflow: bar.scrollWidth - bar.clientWidth}; }""")
    save_artifact("viewer-inspect-mjcf-narrow.png", host.query_selector(".gizmo-viewer").screenshot())
    assert box["overflow"] <= 1 and box["barOverflow"] <= 1, box
    set_theme(page, "JupyterLab Light")
    assert browser.console_errors() == []
