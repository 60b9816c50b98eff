"""USD stages with UsdPhysics joints load as articulated models; bounds match usd-core's own
BBoxCache, units and degrees are converted, and joints move the right links."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pxr import Gf, Usd, UsdGeom, UsdPhysics, UsdShade

from gizmo_notebook import LoadError, load
from gizmo_notebook.model import Box, Cylinder


def _arm_stage(path: Path, meters_per_unit: float = 0.01) -> Path:
    """A two-joint arm in centimetres: base cube, revolute shoulder (about Y), prismatic slider,
    a scaled X-axis cylinder, a mesh, a guide-purpose collision proxy and a material colour."""
    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageMetersPerUnit(stage, meters_per_unit)
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z)
    root = UsdGeom.Xform.Define(stage, "/arm")
    stage.SetDefaultPrim(root.GetPrim())
    base = UsdGeom.Xform.Define(stage, "/arm/base")
    UsdPhysics.RigidBodyAPI.Apply(base.GetPrim())
    cube = UsdGeom.Cube.Define(stage, "/arm/base/visual")
    cube.GetSizeAttr().Set(20.0)
    cube.AddScaleOp().Set(Gf.Vec3f(1.0, 1.0, 0.5))
    cube.GetDisplayColorAttr().Set([Gf.Vec3f(0.2, 0.4, 0.6)])
    upper = UsdGeom.Xform.Define(stage, "/arm/upper")
    upper.AddTranslateOp().Set(Gf.Vec3d(0, 0, 5))
    UsdPhysics.RigidBodyAPI.Apply(upper.GetPrim())
    cyl = UsdGeom.Cylinder.Define(stage, "/arm/upper/visual")
    cyl.GetAxisAttr().Set("X")
    cyl.GetRadiusAttr().Set(2.0)
    cyl.GetHeightAttr().Set(40.0)
    cyl.AddTranslateOp().Set(Gf.Vec3d(20, 0, 0))
    material = UsdShade.Material.Define(stage, "/arm/looks/red")
    shader = UsdShade.Shader.Define(stage, "/arm/looks/red/surface")
    shader.CreateIdAttr("UsdPreviewSurface")
    shader.CreateInput("diffuseColor", Sdf_color()).Set(Gf.Vec3f(1, 0, 0))
    material.CreateSurfaceOutput().ConnectToSource(shader.ConnectableAPI(), "surface")
    UsdShade.MaterialBindingAPI.Apply(cyl.GetPrim()).Bind(material)
    proxy = UsdGeom.Cube.Define(stage, "/arm/upper/collision")
    proxy.GetPurposeAttr().Set(UsdGeom.Tokens.guide)
    proxy.GetSizeAttr().Set(100.0)  # huge, but guide purpose: not drawn, not in bounds
    UsdPhysics.CollisionAPI.Apply(proxy.GetPrim())
    tip = UsdGeom.Xform.Define(stage, "/arm/tip")
    tip.AddTranslateOp().Set(Gf.Vec3d(40, 0, 5))
    UsdPhysics.RigidBodyAPI.Apply(tip.GetPrim())
    mesh = UsdGeom.Mesh.Define(stage, "/arm/tip/pad")
    mesh.GetPointsAttr().Set([(0, -2, -2), (4, -2, -2), (4, 2, -2), (0, 2, -2), (0, -2, 2), (4, -2, 2), (4, 2, 2), (0, 2, 2)])
    mesh.GetFaceVertexCountsAttr().Set([4] * 6)
    mesh.GetFaceVertexIndicesAttr().Set([0, 3, 2, 1, 4, 5, 6, 7, 0, 1, 5, 4, 1, 2, 6, 5, 2, 3, 7, 6, 3, 0, 4, 7])
    shoulder = UsdPhysics.RevoluteJoint.Define(stage, "/arm/joints/shoulder")
    shoulder.CreateBody0Rel().SetTargets(["/arm/base"])
    shoulder.CreateBody1Rel().SetTargets(["/arm/upper"])
    shoulder.CreateAxisAttr("Y")
    shoulder.CreateLocalPos0Attr().Set(Gf.Vec3f(0, 0, 5))
    shoulder.CreateLocalPos1Attr().Set(Gf.Vec3f(0, 0, 0))
    shoulder.CreateLowerLimitAttr(-90.0)
    shoulder.CreateUpperLimitAttr(45.0)
    slider = UsdPhysics.PrismaticJoint.Define(stage, "/arm/joints/slider")
    slider.CreateBody0Rel().SetTargets(["/arm/upper"])
    slider.CreateBody1Rel().SetTargets(["/arm/tip"])
    slider.CreateAxisAttr("X")
    slider.CreateLocalPos0Attr().Set(Gf.Vec3f(40, 0, 0))
    slider.CreateLowerLimitAttr(0.0)
    slider.CreateUpperLimitAttr(10.0)
    stage.GetRootLayer().Save()
    return path


def Sdf_color():  # noqa: N802 - mirrors pxr's naming
    from pxr import Sdf

    return Sdf.ValueTypeNames.Color3f


def _usd_bounds(path: Path) -> np.ndarray:
    stage = Usd.Stage.Open(str(path))
    cache = UsdGeom.BBoxCache(Usd.TimeCode.Default(), [UsdGeom.Tokens.default_, UsdGeom.Tokens.render])
    rng = cache.ComputeWorldBound(stage.GetPseudoRoot()).ComputeAlignedRange()
    return np.array([rng.GetMin(), rng.GetMax()]) * UsdGeom.GetStageMetersPerUnit(stage)


@pytest.mark.parametrize("suffix", [".usda", ".usdc"])
def test_articulated_stage_maps_joints_units_and_bounds(tmp_path: Path, suffix: str) -> None:
    path = _arm_stage(tmp_path / f"arm{suffix}")
    model = load(path)
    assert [link.name for link in model.links] == ["base", "upper", "tip"]
    shoulder, slider = model.joint("shoulder"), model.joint("slider")
    assert (shoulder.type, shoulder.parent, shoulder.child, shoulder.axis) == ("revolute", "base", "upper", (0, 1, 0))
    assert shoulder.limits.lower == pytest.approx(-math.pi / 2) and shoulder.limits.upper == pytest.approx(math.pi / 4)
    assert (slider.type, slider.axis) == ("prismatic", (1.0, 0.0, 0.0))
    assert slider.limits.upper == pytest.approx(0.1)  # 10 cm
    np.testing.assert_allclose(shoulder.origin.xyz, (0, 0, 0.05), atol=1e-9)
    np.testing.assert_allclose(model.scene.bounds, _usd_bounds(path), atol=1e-6)
    base_visual = model.link("base").visuals[0]
    assert isinstance(base_visual.geometry, Box) and base_visual.geometry.size == pytest.approx((0.2, 0.2, 0.1))
    assert base_visual.color == pytest.approx((0.2, 0.4, 0.6, 1.0))
    arm_visual = model.link("upper").visuals[0]
    assert isinstance(arm_visual.geometry, Cylinder) and arm_visual.geometry.length == pytest.approx(0.4)
    assert arm_visual.color == (1.0, 0.0, 0.0, 1.0)
    assert not any(v.name == "collision" for v in model.link("upper").visuals)
    assert [c.name for c in model.link("upper").collisions] == ["collision"]


def test_joints_move_the_child_links(tmp_path: Path) -> None:
    model = load(_arm_stage(tmp_path / "arm.usda"))
    slid = model.link_transforms({"slider": 0.1})
    np.testing.assert_allclose(slid["tip"][:3, 3], (0.5, 0, 0.05), atol=1e-9)
    bent = model.link_transforms({"shoulder": -math.pi / 2})  # about +Y: the arm points up
    np.testing.assert_allclose(bent["tip"][:3, 3], (0.0, 0, 0.45), atol=1e-9)
    assert model.pose({"shoulder": -math.pi / 2}).bounds[1, 2] > 0.44


def test_stage_without_joints_is_one_link(tmp_path: Path) -> None:
    stage = Usd.Stage.CreateNew(str(tmp_path / "props.usda"))
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    sphere = UsdGeom.Sphere.Define(stage, "/props/ball")
    sphere.GetRadiusAttr().Set(0.5)
    sphere.AddTranslateOp().Set(Gf.Vec3d(1, 2, 3))
    UsdGeom.Cube.Define(stage, "/props/hidden").GetVisibilityAttr().Set(UsdGeom.Tokens.invisible)
    stage.GetRootLayer().Save()
    model = load(tmp_path / "props.usda")
    assert len(model.links) == 1 and model.joints == []
    np.testing.assert_allclose(model.scene.bounds, [[0.5, 1.5, 2.5], [1.5, 2.5, 3.5]], atol=0.02)


def _loose_parts_stage(path: Path, meters_per_unit: float, marker: bool = False) -> Path:
    """Two rigid-body cubes and no joints: 0.2 m cubes at (0, 0, 0.5) and (1, 0, 0.5) m, authored
    in the stage's unit; optionally a sphere outside any body."""
    unit = 1.0 / meters_per_unit
    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageMetersPerUnit(stage, meters_per_unit)
    for i, x in enumerate((0.0, 1.0)):
        body = UsdGeom.Xform.Define(stage, f"/parts/part{i}")
        body.AddTranslateOp().Set(Gf.Vec3d(x * unit, 0, 0.5 * unit))
        UsdPhysics.RigidBodyAPI.Apply(body.GetPrim())
        UsdGeom.Cube.Define(stage, f"/parts/part{i}/box").GetSizeAttr().Set(0.2 * unit)
    if marker:
        UsdGeom.Sphere.Define(stage, "/parts/ground_marker").GetRadiusAttr().Set(0.05 * unit)  # not in a body
    stage.GetRootLayer().Save()
    return path


def test_rigid_bodies_without_joints_are_links_floating_on_a_world_link(tmp_path: Path) -> None:
    model = load(_loose_parts_stage(tmp_path / "parts.usda", 1.0, marker=True))
    assert [link.name for link in model.links] == ["world", "part0", "part1"]
    assert [(j.type, j.parent, j.child) for j in model.joints] == [
        ("floating", "world", "part0"), ("floating", "world", "part1")]
    assert [v.name for v in model.link("world").visuals] == ["ground_marker"]
    np.testing.assert_allclose(model.link_transforms()["part1"][:3, 3], (1.0, 0, 0.5), atol=1e-9)
    np.testing.assert_allclose(model.scene.bounds, _usd_bounds(tmp_path / "parts.usda"), atol=1e-6)


def test_broken_usd_is_a_load_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.usda"
    bad.write_text("#usda 1.0\ndef Xform \"x\" {\n  double3 xformOp:translate = (1, 2\n}\n")
    with pytest.raises(LoadError, match=r"^bad\.usda: cannot open USD stage"):
        load(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
@pytest.mark.parametrize("where,message", [
    ("translate", r"<Mesh /robot/base/m>: its transform \(or a parent's\) holds a NaN or an infinity"),
    ("points", r"<Mesh /robot/base/m>: points hold a NaN or an infinity"),
    ("mass", r"<Xform /robot/base>: mass (nan|inf) is not finite"),
    ("inertia", r"<Xform /robot/base>: diagonalInertia .* is not finite"),
])
def test_numbers_that_are_not_finite_are_named(tmp_path: Path, bad: float, where: str, message: str) -> None:
    """A NaN in a translate made numpy's SVD fail; in points or a mass it reached the viewer's JSON."""
    path = tmp_path / f"{where}.usda"
    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z)
    stage.SetDefaultPrim(UsdGeom.Xform.Define(stage, "/robot").GetPrim())
    link = UsdGeom.Xform.Define(stage, "/robot/base")
    UsdPhysics.RigidBodyAPI.Apply(link.GetPrim())
    mass = UsdPhysics.MassAPI.Apply(link.GetPrim())
    mass.CreateMassAttr(bad if where == "mass" else 1.0)
    mass.CreateDiagonalInertiaAttr(Gf.Vec3f(bad if where == "inertia" else 1.0, 1.0, 1.0))
    link.AddTranslateOp().Set(Gf.Vec3d(bad if where == "translate" else 0.0, 0, 0))
    mesh = UsdGeom.Mesh.Define(stage, "/robot/base/m")
    mesh.CreatePointsAttr([(0, 0, 0), (bad if where == "points" else 1.0, 0, 0), (0, 1, 0)])
    mesh.CreateFaceVertexCountsAttr([3])
    mesh.CreateFaceVertexIndicesAttr([0, 1, 2])
    stage.Save()
    with pytest.raises(LoadError, match=rf"^{where}\.usda: {message}"):
        load(path)


def test_free_rigid_bodies_on_a_centimetre_stage_are_placed_in_metres(tmp_path: Path) -> None:
    model = load(_loose_parts_stage(tmp_path / "cm.usda", 0.01))
    np.testing.assert_allclose(model.link_transforms()["part1"][:3, 3], (1.0, 0, 0.5), atol=1e-9)
    np.testing.assert_allclose(model.scene.bounds, _usd_bounds(tmp_path / "cm.usda"), atol=1e-6)
