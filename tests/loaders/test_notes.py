"""What a loaded model cannot show is named in model.notes, never silently missing."""

from __future__ import annotations

from pathlib import Path

from pxr import Gf, Usd, UsdGeom, UsdPhysics

from gizmo_notebook import load


def test_mjcf_names_the_geoms_it_does_not_draw(tmp_path: Path) -> None:
    path = tmp_path / "robot.xml"
    path.write_text("""<mujoco><worldbody>
      <geom name="floor" type="plane" size="1 1 0.1"/>
      <body name="torso" pos="0 0 1"><freejoint/>
        <geom name="shell" type="box" size="0.1 0.1 0.1"/>
        <geom name="hull" type="box" size="0.11 0.11 0.11" group="3"/>
        <geom name="proxy" type="sphere" size="0.2" group="4" contype="0" conaffinity="0"/>
        <geom name="ghost" type="sphere" size="0.05" rgba="1 1 1 0"/>
      </body></worldbody></mujoco>""")
    model = load(path)
    assert [(v.name, v.group) for v in model.link("torso").visuals] == [("shell", 0), ("hull", 3), ("proxy", 4)]
    assert [name.rsplit("/", 1)[-1] for name in model.scene.geometry] == ["shell"]  # 3-5 start hidden
    assert sorted(model.notes) == [
        "1 fully transparent geoms are not drawn",
        "1 geom(s) in group 3 are hidden, as MuJoCo's viewer hides groups 3-5 by default: turn group 3 on to see them",
        "1 geom(s) in group 4 are hidden, as MuJoCo's viewer hides groups 3-5 by default: turn group 4 on to see them",
        "1 plane geoms (ground or implicit surfaces, not robot parts) are not drawn",
    ]


def test_usd_names_joints_it_loads_as_fixed(tmp_path: Path) -> None:
    path = tmp_path / "d6.usda"
    stage = Usd.Stage.CreateNew(str(path))
    stage.SetDefaultPrim(UsdGeom.Xform.Define(stage, "/rig").GetPrim())
    for name, z in (("base", 0.0), ("arm", 1.0)):
        xform = UsdGeom.Xform.Define(stage, f"/rig/{name}")
        xform.AddTranslateOp().Set(Gf.Vec3d(0, 0, z))
        UsdPhysics.RigidBodyAPI.Apply(xform.GetPrim())
        UsdGeom.Cube.Define(stage, f"/rig/{name}/shape").GetSizeAttr().Set(0.1)
    joint = UsdPhysics.Joint.Define(stage, "/rig/d6")  # a generic (D6) joint
    joint.CreateBody0Rel().SetTargets(["/rig/base"])
    joint.CreateBody1Rel().SetTargets(["/rig/arm"])
    stage.GetRootLayer().Save()
    model = load(path)
    assert model.joint("d6").type == "fixed"
    assert model.notes == ["joint 'd6' is a PhysicsJoint joint, which this model cannot express: loaded as fixed"]
