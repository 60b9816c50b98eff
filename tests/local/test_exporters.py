"""Exporters, checked by each simulator's own tooling: MuJoCo, check_urdf + yourdfpy, usd-core.

Every prompt family (and compositions, scenes and an unknown prompt) is exported in all
three formats and loaded back by the real tools; poses are compared with the model's own
forward kinematics so a wrong frame convention fails here, not in a user's simulator.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path

import mujoco
import numpy as np
import pytest
import yourdfpy
from pxr import Gf, Usd, UsdGeom, UsdPhysics, UsdValidation
from scipy.spatial.transform import Rotation

from gizmo_notebook.formats import EXPORT_FORMATS
from gizmo_notebook.local.exporters import (
    EXPORT_SUFFIX,
    ExportError,
    export_bytes,
    export_model,
    media_type_for,
)
from gizmo_notebook.local.generator import WORLD_LINK, compose_scene, generate, is_world_anchored
from gizmo_notebook.model import AssetModel, Box, Joint, JointLimits, Link, Mesh, Pose, Visual

PROMPTS = [
    "A 6-DOF industrial robotic arm with a parallel jaw gripper",
    "compact 3-axis arm",
    "SCARA robot with a suction gripper",
    "two-finger gripper",
    "three finger gripper",
    "A compact differential drive mobile robot base with two wheels",
    "four-wheel skid steer rover",
    "omnidirectional base",
    "mecanum platform",
    "quadruped robot",
    "hexapod",
    "pan-tilt camera head",
    "lidar sensor housing",
    "camera housing",
    "mounting bracket",
    "electrical enclosure",
    "workbench table",
    "4-tier shelf",
    "2 m long conveyor belt",
    "mobile manipulator: 6-DOF arm with gripper on a mobile base",
    "quadruped with an arm and a lidar",
    "robot arm mounted on a table",
    "purple banana telescope",
    "a gantry robot with three linear axes",
    "5-axis gantry with a suction gripper",
    "a desk lamp with two hinges",
    "folding screen with three hinges",
    "a cabinet with two doors and three drawers",
    "a double sliding door",
    "a wardrobe with two sliding doors and two drawers",
    "pan-tilt unit with a lidar and a camera",
    "a 4-axis delta robot with a parallel jaw gripper",
    "belt-driven linear actuator with a suction gripper",
    "robot arm on a linear rail with two carriages",
    "tilting rotary table",
    "humanoid upper body with two-finger grippers",
    "a two link arm",
    "a three-link planar arm with a gripper",
]


@cache
def _model(prompt: str) -> AssetModel:
    return generate(prompt)


@cache
def _scene() -> AssetModel:
    placements = [
        (_model("6-DOF arm with a parallel jaw gripper"), Pose((0.0, 0.0, 0.0))),
        (_model("differential drive robot"), Pose((1.0, 0.5, 0.0), (0, 0, 1.2))),
        (_model("workbench table"), Pose((-1.0, -1.0, 0.0))),
    ]
    return compose_scene("workcell", placements)


CASES = [pytest.param(p, id=p[:40]) for p in PROMPTS] + [pytest.param("<scene>", id="scene")]


def _get(prompt: str) -> AssetModel:
    return _scene() if prompt == "<scene>" else _model(prompt)


# --------------------------------------------------------------------------- MuJoCo


def _mj_joint_names(mj: mujoco.MjModel, kinds: set[int]) -> list[str]:
    return [mujoco.mj_id2name(mj, mujoco.mjtObj.mjOBJ_JOINT, i) for i in range(mj.njnt) if mj.jnt_type[i] in kinds]


@pytest.mark.parametrize("prompt", CASES)
def test_mjcf_loads_matches_the_model_and_simulates_stably(prompt: str, tmp_path: Path) -> None:
    model = _get(prompt)
    path = export_model(model, "mujoco_mjcf", tmp_path, "robot")
    assert path == tmp_path / "robot.xml" and [p.name for p in tmp_path.iterdir()] == ["robot.xml"]
    mj = mujoco.MjModel.from_xml_path(str(path))
    data = mujoco.MjData(mj)

    movable = [j.name for j in model.ordered_joints() if j.is_movable]
    powered = [j.name for j in model.ordered_joints() if j.is_movable and j.limits.effort > 0]  # type: ignore[union-attr]
    hinge_slide = {int(mujoco.mjtJoint.mjJNT_HINGE), int(mujoco.mjtJoint.mjJNT_SLIDE)}
    assert sorted(_mj_joint_names(mj, hinge_slide)) == sorted(movable)
    actuated = [mujoco.mj_id2name(mj, mujoco.mjtObj.mjOBJ_JOINT, int(mj.actuator_trnid[i, 0])) for i in range(mj.nu)]
    assert sorted(actuated) == sorted(powered)
    assert sorted(mujoco.mj_id2name(mj, mujoco.mjtObj.mjOBJ_ACTUATOR, i) for i in range(mj.nu)) == sorted(f"{n}_act" for n in powered)
    free = _mj_joint_names(mj, {int(mujoco.mjtJoint.mjJNT_FREE)})
    assert len(free) == (0 if is_world_anchored(model) else 1)
    for joint in model.movable_joints:
        jid = mujoco.mj_name2id(mj, mujoco.mjtObj.mjOBJ_JOINT, joint.name)
        if joint.type in ("revolute", "prismatic"):
            assert mj.jnt_limited[jid] and np.allclose(mj.jnt_range[jid], (joint.limits.lower, joint.limits.upper))  # type: ignore[union-attr]
        assert mj.dof_damping[mj.jnt_dofadr[jid]] == pytest.approx(joint.damping)

    # Body frames at rest equal the model's forward kinematics (floating bases: up to the lift).
    mujoco.mj_forward(mj, data)
    transforms = model.link_transforms()
    lift = np.zeros(3)
    if free:
        lift = data.xpos[mujoco.mj_name2id(mj, mujoco.mjtObj.mjOBJ_BODY, model.root.name)] - transforms[model.root.name][:3, 3]
        assert lift[2] >= 0
    for link in model.links:
        if link.name == WORLD_LINK:
            continue
        bid = mujoco.mj_name2id(mj, mujoco.mjtObj.mjOBJ_BODY, link.name)
        assert bid >= 0, link.name
        assert np.allclose(data.xpos[bid], transforms[link.name][:3, 3] + lift, atol=1e-6), link.name
        assert np.allclose(data.xmat[bid].reshape(3, 3), transforms[link.name][:3, :3], atol=1e-6), link.name
        assert mj.body_mass[bid] == pytest.approx(link.inertial.mass)  # type: ignore[union-attr]

    q0 = data.qpos.copy()
    z0 = data.xpos[1][2] if free else 0.0
    for _ in range(1000):
        mujoco.mj_step(mj, data)
    assert np.all(np.isfinite(data.qpos)) and np.all(np.isfinite(data.qvel))
    assert np.abs(data.qvel).max(initial=0.0) < 1.0, "not at rest after 2 s"
    assert np.abs(data.qpos - q0).max(initial=0.0) < 0.1, "drifted away from the rest pose"
    if free:  # stands on the floor: neither sinks through it nor jumps
        assert abs(data.xpos[1][2] - z0) < 0.05


def test_mjcf_position_servos_track_a_target(tmp_path: Path) -> None:
    model = _model("A 6-DOF industrial robotic arm with a parallel jaw gripper")
    mj = mujoco.MjModel.from_xml_path(str(export_model(model, "mujoco_mjcf", tmp_path, "arm")))
    data = mujoco.MjData(mj)
    targets = {"arm_joint1": 0.5, "arm_joint2": 0.6, "arm_joint3": -0.8, "gripper_finger_left_joint": 0.02}
    for name, value in targets.items():
        data.ctrl[mujoco.mj_name2id(mj, mujoco.mjtObj.mjOBJ_ACTUATOR, f"{name}_act")] = value
    for _ in range(2500):
        mujoco.mj_step(mj, data)
    for name, value in targets.items():
        jid = mujoco.mj_name2id(mj, mujoco.mjtObj.mjOBJ_JOINT, name)
        # Gravity sag under a proportional servo is allowed, a few degrees at most.
        assert data.qpos[mj.jnt_qposadr[jid]] == pytest.approx(value, abs=0.06), name
    assert np.abs(data.qvel).max() < 0.05


def test_mjcf_wheels_drive_a_mobile_base(tmp_path: Path) -> None:
    model = _model("A compact differential drive mobile robot base with two wheels")
    mj = mujoco.MjModel.from_xml_path(str(export_model(model, "mujoco_mjcf", tmp_path, "base")))
    data = mujoco.MjData(mj)
    for wheel in ("base_wheel_left_joint", "base_wheel_right_joint"):
        data.ctrl[mujoco.mj_name2id(mj, mujoco.mjtObj.mjOBJ_ACTUATOR, f"{wheel}_act")] = 5.0
    for _ in range(1000):
        mujoco.mj_step(mj, data)
    assert data.qpos[0] > 0.1  # drove forwards along +X


# --------------------------------------------------------------------------- URDF


@pytest.mark.skipif(shutil.which("check_urdf") is None, reason="check_urdf (liburdfdom-tools) not installed")
@pytest.mark.parametrize("prompt", CASES)
def test_urdf_zip_passes_check_urdf_and_loads_in_yourdfpy(prompt: str, tmp_path: Path) -> None:
    model = _get(prompt)
    path = export_model(model, "isaac_sim_urdf", tmp_path, "robot")
    assert path == tmp_path / "robot.zip"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "x")
    assert "robot.urdf" in names
    assert all(n == "robot.urdf" or (n.startswith("meshes/") and n.endswith(".stl")) for n in names)
    urdf = tmp_path / "x" / "robot.urdf"
    result = subprocess.run(["check_urdf", str(urdf)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert f"root Link: {model.root.name}" in result.stdout

    robot = yourdfpy.URDF.load(str(urdf), build_collision_scene_graph=True, load_collision_meshes=True)
    assert sorted(robot.actuated_joint_names) == sorted(j.name for j in model.movable_joints)
    mesh_refs = [
        g.mesh.filename
        for link in robot.robot.links
        for g in [*(v.geometry for v in link.visuals), *(c.geometry for c in link.collisions)]
        if g.mesh is not None
    ]
    has_mesh = any(isinstance(v.geometry, Mesh) for link in model.links for v in link.visuals)
    assert bool(mesh_refs) is has_mesh
    for ref in mesh_refs:
        assert not Path(ref).is_absolute() and (urdf.parent / ref).is_file(), ref
    # Every visual loaded (a missing mesh would silently drop out of the scene).
    expected_visuals = sum(3 if type(v.geometry).__name__ == "Capsule" else 1 for link in model.links for v in link.visuals)
    assert len(robot.scene.geometry) == expected_visuals

    # Same forward kinematics at a non-trivial configuration.
    cfg = {}
    for i, joint in enumerate(model.movable_joints):
        lo, hi = (joint.limits.lower, joint.limits.upper) if joint.type != "continuous" else (-1.0, 1.0)  # type: ignore[union-attr]
        cfg[joint.name] = lo + (hi - lo) * ((i * 0.37) % 1.0)
    robot.update_cfg(cfg)
    ours = model.link_transforms(cfg)
    for link in model.links:
        assert np.allclose(robot.get_transform(link.name, model.root.name), ours[link.name], atol=1e-6), link.name


def test_degenerate_primitives_export_to_mjcf_that_mujoco_compiles(tmp_path: Path) -> None:
    """MuJoCo refuses a zero geom size. A zero-radius sphere (pybullet's laikago_toes has four)
    is nothing and is left out; a flat box or a zero-length cylinder is a plate or a disc and
    keeps a hair of thickness; a capsule with no cylinder is a sphere."""
    from gizmo_notebook.model import Capsule, Cylinder, Sphere, Visual
    from gizmo_notebook.model import Collision as Col

    shapes = [Sphere(0.0), Box((0.2, 0.0, 0.2)), Cylinder(0.1, 0.0), Capsule(0.05, 0.0)]
    model = AssetModel(name="odd", links=[Link("base", visuals=[Visual(g) for g in shapes],
                                               collisions=[Col(g) for g in shapes])])
    path = export_model(model, "mujoco_mjcf", tmp_path, "odd")
    mj = mujoco.MjModel.from_xml_path(str(path))
    types = [int(t) for t in mj.geom_type if t != mujoco.mjtGeom.mjGEOM_PLANE]  # the floor
    g = mujoco.mjtGeom
    assert sorted(types) == sorted([int(g.mjGEOM_BOX), int(g.mjGEOM_CYLINDER), int(g.mjGEOM_SPHERE)] * 2)
    assert (mj.geom_size[mj.geom_type == g.mjGEOM_BOX][:, 1] > 0).all()


def test_a_ball_joint_becomes_three_hinges_in_urdf_that_reach_the_same_pose(tmp_path: Path) -> None:
    """URDF has no ball joint (an MJCF shoulder, say, through the current API's URDF-from-MJCF
    download): the exporter writes three continuous hinges about x, y and z, which check_urdf
    and yourdfpy accept, and Rx(a)·Ry(b)·Rz(c) on them puts every link where the ball does."""
    from gizmo_notebook import load

    ball = Joint("shoulder", "ball", "torso", "arm", origin=Pose((0, 0.2, 0.5)))
    model = AssetModel(
        name="ball_arm",
        links=[Link("torso", visuals=[Visual(Box((0.2, 0.2, 0.6)))]), Link("arm", visuals=[Visual(Box((0.05, 0.05, 0.4)))]),
               Link("shoulder_x_link")],  # a name the chain would use: it must pick another
        joints=[ball, Joint("fix", "fixed", "torso", "shoulder_x_link")],
    )
    path = export_model(model, "isaac_sim_urdf", tmp_path, "robot")
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "x")
    urdf = tmp_path / "x" / "robot.urdf"
    result = subprocess.run(["check_urdf", str(urdf)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    loaded = load(urdf)
    assert [(j.name, j.type) for j in loaded.movable_joints] == [
        ("shoulder_x", "continuous"), ("shoulder_y", "continuous"), ("shoulder_z", "continuous")]
    assert "shoulder_x_link_" in {link.name for link in loaded.links}
    a, b, c = 0.3, -0.7, 1.1
    rotation = Rotation.from_euler("XYZ", [a, b, c]).as_rotvec()  # intrinsic x, then y, then z: the chain's order
    ours = model.link_transforms({"shoulder": tuple(rotation)})
    theirs = loaded.link_transforms({"shoulder_x": a, "shoulder_y": b, "shoulder_z": c})
    for name in ("torso", "arm"):
        np.testing.assert_allclose(theirs[name], ours[name], atol=1e-9)


# --------------------------------------------------------------------------- USD


@cache
def _validation_context() -> UsdValidation.ValidationContext:
    return UsdValidation.ValidationContext(UsdValidation.ValidationRegistry().GetOrLoadAllValidators())


def _validator_errors(stage: Usd.Stage) -> list[str]:
    return [e.GetMessage() for e in _validation_context().Validate(stage) if e.GetType() == UsdValidation.ValidationErrorType.Error]


def _world(xf: UsdGeom.XformCache, prim: Usd.Prim) -> np.ndarray:
    return np.array(xf.GetLocalToWorldTransform(prim)).T  # Gf is row-vector convention


def _frame(pos: Gf.Vec3f, rot: Gf.Quatf) -> np.ndarray:
    m = np.eye(4)
    m[:3, :3] = np.array(Gf.Matrix3d(Gf.Rotation(Gf.Quatd(rot)))).T
    m[:3, 3] = list(pos)
    return m


@pytest.mark.parametrize("prompt", CASES)
def test_usd_has_articulation_physics_and_passes_usd_validators(prompt: str, tmp_path: Path) -> None:
    model = _get(prompt)
    path = export_model(model, "isaac_sim_usd", tmp_path, "robot")
    assert path == tmp_path / "robot.usda"
    stage = Usd.Stage.Open(str(path))
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.z
    assert UsdGeom.GetStageMetersPerUnit(stage) == 1.0 and UsdPhysics.GetStageKilogramsPerUnit(stage) == 1.0
    robot = stage.GetDefaultPrim()
    assert robot.HasAPI(UsdPhysics.ArticulationRootAPI)

    prims = {p.GetName(): p for p in robot.GetChildren()}
    for link in model.links:
        prim = prims[link.name]
        if link.inertial is None:
            assert not prim.HasAPI(UsdPhysics.RigidBodyAPI)  # the static world anchor
        else:
            assert prim.HasAPI(UsdPhysics.RigidBodyAPI) and prim.HasAPI(UsdPhysics.MassAPI)
            mass = UsdPhysics.MassAPI(prim)
            assert mass.GetMassAttr().Get() == pytest.approx(link.inertial.mass, rel=1e-6)
            assert sum(mass.GetDiagonalInertiaAttr().Get()) == pytest.approx(np.trace(link.inertial.tensor()), rel=1e-4)
        colliders = [p for p in Usd.PrimRange(prim) if p.HasAPI(UsdPhysics.CollisionAPI)]
        assert len(colliders) == len(link.collisions)

    xf = UsdGeom.XformCache()
    joints = [p for p in Usd.PrimRange(robot) if p.IsA(UsdPhysics.Joint)]
    assert sorted(j.GetName() for j in joints) == sorted(j.name for j in model.joints)
    for prim in joints:
        joint = model.joint(prim.GetName())
        usd_joint = UsdPhysics.Joint(prim)
        (body0,), (body1,) = usd_joint.GetBody0Rel().GetTargets(), usd_joint.GetBody1Rel().GetTargets()
        p0, p1 = stage.GetPrimAtPath(body0), stage.GetPrimAtPath(body1)
        assert p0.IsValid() and p1.IsValid()
        assert (p0.GetName(), p1.GetName()) == (joint.parent, joint.child)
        # Both joint frames coincide in the world at rest: the localPos/Rot pairs are consistent.
        f0 = _world(xf, p0) @ _frame(usd_joint.GetLocalPos0Attr().Get(), usd_joint.GetLocalRot0Attr().Get())
        f1 = _world(xf, p1) @ _frame(usd_joint.GetLocalPos1Attr().Get(), usd_joint.GetLocalRot1Attr().Get())
        assert np.allclose(f0, f1, atol=1e-5), joint.name
        expected_type = {"revolute": UsdPhysics.RevoluteJoint, "continuous": UsdPhysics.RevoluteJoint,
                         "prismatic": UsdPhysics.PrismaticJoint, "fixed": UsdPhysics.FixedJoint}[joint.type]  # fmt: skip
        assert prim.IsA(expected_type)
        if joint.type in ("revolute", "prismatic", "continuous"):
            typed = expected_type(prim)
            axis = {"X": 0, "Y": 1, "Z": 2}[typed.GetAxisAttr().Get()]
            assert np.allclose(f0[:3, axis], transforms_axis(model, joint), atol=1e-6), joint.name
            if joint.type != "continuous":
                scale = math.degrees(1) if joint.type == "revolute" else 1.0
                assert typed.GetLowerLimitAttr().Get() == pytest.approx(joint.limits.lower * scale, rel=1e-5)  # type: ignore[union-attr]
                assert typed.GetUpperLimitAttr().Get() == pytest.approx(joint.limits.upper * scale, rel=1e-5)  # type: ignore[union-attr]
            kind = "linear" if joint.type == "prismatic" else "angular"
            assert prim.HasAPI(UsdPhysics.DriveAPI, kind) is (joint.limits.effort > 0)  # type: ignore[union-attr]

    assert _validator_errors(stage) == []


def transforms_axis(model: AssetModel, joint: Joint) -> np.ndarray:
    """The joint axis in world coordinates at rest."""
    parent = model.link_transforms()[joint.parent] @ joint.origin.matrix()
    return parent[:3, :3] @ np.asarray(joint.axis)


def test_usd_validators_do_catch_a_broken_articulation(tmp_path: Path) -> None:
    """Negative control: the validator check above is only meaningful if it can fail."""
    path = export_model(_model("3-axis arm"), "isaac_sim_usd", tmp_path, "arm")
    stage = Usd.Stage.Open(str(path))
    joint = UsdPhysics.Joint(stage.GetPrimAtPath(f"{stage.GetDefaultPrim().GetPath()}/joints/arm_joint2"))
    joint.GetBody1Rel().SetTargets(["/nowhere"])
    assert _validator_errors(stage)


# --------------------------------------------------------------------------- common behaviour


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_exports_are_byte_identical_for_the_same_prompt(fmt: str) -> None:
    a = export_bytes(generate("A 6-DOF arm with a three finger gripper"), fmt, "x")
    b = export_bytes(generate("A 6-DOF arm with a three finger gripper"), fmt, "x")
    assert a == b and len(a) > 1000


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_meshes_reach_every_format(fmt: str, tmp_path: Path) -> None:
    path = export_model(_model("parallel jaw gripper"), fmt, tmp_path, "g")
    if fmt == "mujoco_mjcf":
        assert mujoco.MjModel.from_xml_path(str(path)).nmesh == 1
    elif fmt == "isaac_sim_usd":
        stage = Usd.Stage.Open(str(path))
        assert any(p.IsA(UsdGeom.Mesh) and p.HasAPI(UsdPhysics.MeshCollisionAPI) for p in stage.Traverse())
    else:
        assert [n for n in zipfile.ZipFile(path).namelist() if n.startswith("meshes/")]


def test_suffix_and_media_types_cover_every_format(tmp_path: Path) -> None:
    assert set(EXPORT_SUFFIX) == set(EXPORT_FORMATS)
    for fmt in EXPORT_FORMATS:
        path = export_model(_model("3-axis arm"), fmt, tmp_path, "a")
        assert path.suffix == EXPORT_SUFFIX[fmt]
        assert media_type_for(path) in ("application/xml", "application/zip", "model/vnd.usda")
    assert media_type_for("x.bin") == "application/octet-stream"


def test_unknown_format_and_bad_stem_are_clear_errors_and_write_nothing(tmp_path: Path) -> None:
    model = _model("3-axis arm")
    with pytest.raises(ValueError, match="isaac_sim_usd, isaac_sim_urdf, mujoco_mjcf"):
        export_model(model, "obj", tmp_path, "a")
    for stem in ("", "../evil", "a/b", ".."):
        with pytest.raises(ValueError, match="stem"):
            export_model(model, "mujoco_mjcf", tmp_path, stem)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["mujoco_mjcf", "isaac_sim_usd"])
def test_a_model_the_format_cannot_express_leaves_no_partial_file(fmt: str, tmp_path: Path) -> None:
    box = Box((0.1, 0.1, 0.1))
    from gizmo_notebook.model import Collision, Inertial, Visual

    links = [Link(n, [Visual(box)], [Collision(box)], Inertial(1.0, inertia=(0.01, 0.01, 0.01, 0, 0, 0))) for n in ("a", "b")]
    model = AssetModel("planar", links, [Joint("slider", "planar", "a", "b", axis=(0, 0, 1), limits=JointLimits(-1, 1))])
    (tmp_path / "keep.txt").write_text("existing")
    with pytest.raises(ExportError, match="planar"):
        export_model(model, fmt, tmp_path, "p")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_export_replaces_an_existing_file_atomically(tmp_path: Path) -> None:
    first = export_model(_model("3-axis arm"), "mujoco_mjcf", tmp_path, "a").read_bytes()
    second = export_model(_model("hexapod"), "mujoco_mjcf", tmp_path, "a").read_bytes()
    assert first != second and (tmp_path / "a.xml").read_bytes() == second
    assert [p.name for p in tmp_path.iterdir()] == ["a.xml"]
