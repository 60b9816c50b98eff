"""Closed kinematic loops load as a spanning tree plus the loop-closing joints."""

from __future__ import annotations

from pathlib import Path

import mujoco
import numpy as np
import pytest
from pxr import Gf, Usd, UsdGeom, UsdPhysics

from gizmo_notebook import load
from gizmo_notebook.model import AssetModel, Joint, Link, LoopClosure, ModelError

# ground pivots at (0,0) and (1,0), a 0.5 crank and rocker, a 1.0 coupler: a parallelogram
_PIVOTS = {"j_crank": (0, 0), "j_coupler": (0, 0.5), "j_rocker": (1, 0.5), "j_ground": (1, 0)}
_CENTRES = {"ground": (0.5, 0), "crank": (0, 0.25), "coupler": (0.5, 0.5), "rocker": (1, 0.25)}
_JOINTS = [("j_crank", "ground", "crank"), ("j_coupler", "crank", "coupler"),
           ("j_rocker", "coupler", "rocker"), ("j_ground", "ground", "rocker")]


def _four_bar_usd(path: Path) -> Path:
    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    stage.SetDefaultPrim(UsdGeom.Xform.Define(stage, "/linkage").GetPrim())
    for body, (x, y) in _CENTRES.items():
        xform = UsdGeom.Xform.Define(stage, f"/linkage/{body}")
        xform.AddTranslateOp().Set(Gf.Vec3d(x, y, 0))
        UsdPhysics.RigidBodyAPI.Apply(xform.GetPrim())
        UsdGeom.Cube.Define(stage, f"/linkage/{body}/shape").GetSizeAttr().Set(0.05)
    for name, body0, body1 in _JOINTS:
        joint = UsdPhysics.RevoluteJoint.Define(stage, f"/linkage/joints/{name}")
        joint.CreateBody0Rel().SetTargets([f"/linkage/{body0}"])
        joint.CreateBody1Rel().SetTargets([f"/linkage/{body1}"])
        joint.CreateAxisAttr("Z")
        pivot = np.array([*_PIVOTS[name], 0.0])
        joint.CreateLocalPos0Attr().Set(Gf.Vec3f(*(pivot - [*_CENTRES[body0], 0])))
        joint.CreateLocalPos1Attr().Set(Gf.Vec3f(*(pivot - [*_CENTRES[body1], 0])))
    stage.GetRootLayer().Save()
    return path


def test_a_usd_four_bar_is_a_tree_plus_its_loop_closing_joint(tmp_path: Path) -> None:
    model = load(_four_bar_usd(tmp_path / "four_bar.usda"))
    assert [j.name for j in model.joints] == ["j_crank", "j_coupler", "j_rocker"]
    assert len(model.loop_closures) == 1
    loop = model.loop_closures[0]
    assert (loop.name, loop.type, loop.parent, loop.child) == ("j_ground", "continuous", "ground", "rocker")  # no limits
    np.testing.assert_allclose(np.abs(loop.axis), (0, 0, 1), atol=1e-12)
    assert any("'j_ground'" in note and "closes a kinematic loop" in note for note in model.notes)
    # closed as drawn; a parallelogram motion (crank +t, coupler -t, rocker +t) keeps it closed,
    # turning the crank alone opens it
    assert loop.gap(model.link_transforms()) < 1e-12
    t = 0.4
    assert loop.gap(model.link_transforms({"j_crank": t, "j_coupler": -t, "j_rocker": t})) < 1e-12
    assert loop.gap(model.link_transforms({"j_crank": t})) > 0.1


_MJCF = """<mujoco model="linkage">
  <worldbody>
    <body name="crank" pos="0 0 1">
      <joint name="crank_pin" type="hinge" axis="0 1 0" pos="0 0 0.05"/>
      <geom type="capsule" fromto="0 0 0.05 0.5 0 0.05" size="0.02"/>
      <body name="coupler" pos="0.5 0 0">
        <joint name="coupler_pin" type="hinge" axis="0 1 0" pos="0 0 0.05"/>
        <geom type="capsule" fromto="0 0 0.05 0 0 -0.95" size="0.02"/>
      </body>
    </body>
    <body name="rocker" pos="1.0 0 0">
      <joint name="rocker_pin" type="hinge" axis="0 1 0"/>
      <geom type="capsule" fromto="0 0 0 -0.5 0 0.05" size="0.02"/>
    </body>
    <body name="stand" pos="2 0 0.5">
      <joint name="stand_slide" type="slide" axis="0 0 1"/>
      <geom type="box" size="0.1 0.1 0.1"/>
    </body>
  </worldbody>
  <equality>
    <connect name="close" body1="coupler" body2="rocker" anchor="0 0 -0.95"/>
    <weld body1="stand" body2="rocker" anchor="0.1 0.2 0.3"/>
    <joint joint1="crank_pin" joint2="rocker_pin"/>
  </equality>
  <actuator><motor joint="crank_pin"/></actuator>
</mujoco>
"""


def _mujoco_gaps(m: mujoco.MjModel, d: mujoco.MjData) -> list[float]:
    """Each connect / weld anchor pair's distance, from MuJoCo's own body poses and eq_data."""
    out = []
    for e in range(m.neq):
        data, b1, b2 = m.eq_data[e], m.eq_obj1id[e], m.eq_obj2id[e]
        if m.eq_type[e] == mujoco.mjtEq.mjEQ_CONNECT:
            p1, p2 = data[0:3], data[3:6]
        elif m.eq_type[e] == mujoco.mjtEq.mjEQ_WELD:
            p1, p2 = data[3:6], data[0:3]
        else:
            continue
        w1 = d.xpos[b1] + d.xmat[b1].reshape(3, 3) @ p1
        w2 = d.xpos[b2] + d.xmat[b2].reshape(3, 3) @ p2
        out.append(float(np.linalg.norm(w1 - w2)))
    return out


def test_mjcf_connect_and_weld_are_loop_closures_with_mujocos_anchors(tmp_path: Path) -> None:
    path = tmp_path / "linkage.xml"
    path.write_text(_MJCF)
    model = load(path)
    assert [(c.name, c.type, c.parent, c.child) for c in model.loop_closures] == [
        ("close", "ball", "coupler", "rocker"), ("weld1", "fixed", "stand", "rocker"),
    ]
    assert len(model.notes) == 2
    m = mujoco.MjModel.from_xml_path(str(path))
    d = mujoco.MjData(m)
    names = ["crank_pin", "coupler_pin", "rocker_pin", "stand_slide"]
    for qpos in (np.zeros(4), np.array([0.3, -0.7, 0.2, 0.1]), np.array([-1.0, 0.5, 1.5, -0.3])):
        d.qpos[:] = qpos
        mujoco.mj_kinematics(m, d)
        transforms = model.link_transforms(dict(zip(names, qpos, strict=True)), clamp=False)
        ours = [loop.gap(transforms) for loop in model.loop_closures]
        np.testing.assert_allclose(ours, _mujoco_gaps(m, d), atol=1e-9)
    assert model.loop_closures[0].gap(model.link_transforms()) < 1e-9  # closed as written


def test_loop_closures_must_name_links_of_the_model() -> None:
    model = AssetModel("m", links=[Link("a"), Link("b")], joints=[Joint("j", "revolute", "a", "b")])
    model.loop_closures.append(LoopClosure("c", "ball", "a", "ghost"))
    with pytest.raises(ModelError, match="loop closure 'c' refers to unknown link 'ghost'"):
        model.validate()
    with pytest.raises(ModelError, match="not one of"):
        LoopClosure("c", "hinge", "a", "b")


def _four_bar_sdf(*, limits: bool = True, anchored: bool = False) -> str:
    links = "".join(
        f'<link name="{body}"><pose>{x} {y} 0 0 0 0</pose><visual name="v"><geometry><box><size>0.05 0.05 0.05</size>'
        f"</box></geometry></visual></link>"
        for body, (x, y) in _CENTRES.items()
    )
    joints = "".join(
        f'<joint name="{name}" type="revolute"><pose relative_to="__model__">{_PIVOTS[name][0]} {_PIVOTS[name][1]} 0 0 0 0'
        f"</pose><parent>{body0}</parent><child>{body1}</child><axis><xyz>0 0 1</xyz>"
        + ("<limit><lower>-3</lower><upper>3</upper></limit>" if limits else "")
        + "</axis></joint>"
        for name, body0, body1 in _JOINTS
    )
    if anchored:
        joints += '<joint name="anchor" type="fixed"><parent>world</parent><child>ground</child></joint>'
    return f'<sdf version="1.10"><model name="four_bar">{links}{joints}</model></sdf>'


def test_an_sdf_four_bar_is_a_tree_plus_its_loop_closing_joint(tmp_path: Path) -> None:
    path = tmp_path / "four_bar.sdf"
    path.write_text(_four_bar_sdf())
    model = load(path)
    assert [j.name for j in model.joints] == ["j_crank", "j_coupler", "j_rocker"]
    (loop,) = model.loop_closures
    assert (loop.name, loop.type, loop.parent, loop.child) == ("j_ground", "revolute", "ground", "rocker")
    assert loop.gap(model.link_transforms()) < 1e-12
    t = -0.6
    assert loop.gap(model.link_transforms({"j_crank": t, "j_coupler": -t, "j_rocker": t})) < 1e-12
    assert loop.gap(model.link_transforms({"j_crank": t})) > 0.1
    assert any("'j_ground'" in note for note in model.notes)


@pytest.mark.parametrize("crank", [0.4, -0.7])
def test_close_loops_moves_the_other_loop_joints_to_close_the_loop(tmp_path: Path, crank: float) -> None:
    model = load(_four_bar_usd(tmp_path / "four_bar.usda"))
    (loop,) = model.loop_closures
    q = model.close_loops({"j_crank": crank})
    assert q["j_crank"] == crank
    # a parallelogram: the coupler stays level (counter-turns), the rocker turns with the crank
    assert q["j_coupler"] == pytest.approx(-crank, abs=1e-9) and q["j_rocker"] == pytest.approx(crank, abs=1e-9)
    transforms = model.link_transforms(q)
    assert loop.gap(transforms) < 1e-9 and np.abs(loop.residual(transforms)).max() < 1e-9
    assert model.close_loops() == {"j_crank": 0.0, "j_coupler": 0.0, "j_rocker": 0.0}  # closed as drawn


def test_close_loops_on_an_mjcf_connect_and_the_nearest_when_over_constrained(tmp_path: Path) -> None:
    path = tmp_path / "linkage.xml"
    path.write_text(_MJCF.replace('<weld body1="stand" body2="rocker" anchor="0.1 0.2 0.3"/>', ""))
    model = load(path)
    q = model.close_loops({"crank_pin": 0.3})
    (loop,) = model.loop_closures
    assert np.abs(loop.residual(model.link_transforms(q, clamp=False))).max() < 1e-9
    assert abs(q["rocker_pin"]) > 0.05 and abs(q["coupler_pin"]) > 0.05
    # with the weld the rocker cannot turn, so no crank angle but the drawn one closes both loops
    path.write_text(_MJCF)
    welded = load(path)
    q = welded.close_loops({"crank_pin": 0.3})
    assert welded.loop_closures[0].gap(welded.link_transforms(q, clamp=False)) > 1e-3


def test_cassie_loops_are_closed_as_drawn_and_gearboxes_are_named() -> None:
    """Cassie (example-robot-data): its achilles rods and plantar linkages close loops; as drawn
    every loop is closed (the anchors sit right), and its gearbox couplings are named, not
    mistaken for how the hip links hang."""
    from ._reference import EXAMPLE_ROBOTS

    folder = EXAMPLE_ROBOTS / "cassie_description" / "robots"
    v2 = load(folder / "cassie_v2.sdf")
    assert len(v2.loop_closures) == 4 and {c.type for c in v2.loop_closures} == {"ball"}
    transforms = v2.link_transforms()
    assert max(loop.gap(transforms) for loop in v2.loop_closures) < 1e-9
    full = load(folder / "cassie.sdf")
    gearboxes = [n for n in full.notes if n.startswith("gearbox joint")]
    assert len(gearboxes) == 10
    hip = full.parent_joint("left-hip-roll")  # the hip's own joint, not the gearbox, holds it
    assert (hip.name, hip.type, hip.parent) == ("left-roll-op", "revolute", "pelvis")
    assert max(loop.gap(full.link_transforms()) for loop in full.loop_closures) < 1e-9


def test_mjcf_site_based_weld_and_connect(tmp_path: Path) -> None:
    """MuJoCo 3 constrains two sites' frames: the closure anchors are the sites."""
    path = tmp_path / "sites.xml"
    path.write_text(_MJCF.replace('<connect name="close" body1="coupler" body2="rocker" anchor="0 0 -0.95"/>', "")
                    .replace('<weld body1="stand" body2="rocker" anchor="0.1 0.2 0.3"/>',
                             '<weld name="glue" site1="on_stand" site2="on_rocker"/>')
                    .replace('<geom type="box" size="0.1 0.1 0.1"/>',
                             '<geom type="box" size="0.1 0.1 0.1"/><site name="on_stand" pos="0.1 0 0" euler="0 0 30"/>')
                    .replace('<joint name="rocker_pin" type="hinge" axis="0 1 0"/>',
                             '<joint name="rocker_pin" type="hinge" axis="0 1 0"/><site name="on_rocker" pos="0 0.2 0"/>'))
    model = load(path)
    (loop,) = model.loop_closures
    assert (loop.name, loop.type, loop.parent, loop.child) == ("glue", "fixed", "stand", "rocker")
    assert loop.parent_anchor.xyz == pytest.approx((0.1, 0, 0)) and loop.child_anchor.xyz == pytest.approx((0, 0.2, 0))
    assert loop.parent_anchor.rpy == pytest.approx((0, 0, np.radians(30)))
