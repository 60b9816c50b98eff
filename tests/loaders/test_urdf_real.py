"""Real URDF robots (pybullet_data and example-robot-data: OBJ, STL and DAE meshes,
package:// URIs, up to 78 links) load with every link and joint, the same zero-pose
bounding box as yourdfpy's own scene, and the same link frames as pybullet computes."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pybullet
import pytest
import trimesh
import yourdfpy

from gizmo_notebook import load
from gizmo_notebook.loaders.urdf import resolve_resource
from gizmo_notebook.model import AssetModel, Capsule, Cylinder, Sphere

from ._reference import EXAMPLE_ROBOTS, PYBULLET_DATA

PYBULLET_ROBOTS = [
    PYBULLET_DATA / "r2d2.urdf",  # primitives + OBJ, global materials
    PYBULLET_DATA / "kuka_iiwa" / "model.urdf",  # OBJ meshes
    PYBULLET_DATA / "franka_panda" / "panda.urdf",  # package://meshes/... OBJ
    PYBULLET_DATA / "laikago" / "laikago_toes.urdf",  # OBJ, quadruped
    PYBULLET_DATA / "a1" / "a1.urdf",  # zero pose outside the knee limits
    PYBULLET_DATA / "xarm" / "xarm6_robot.urdf",  # STL meshes
]
EXAMPLE_ROBOT_DATA = [
    EXAMPLE_ROBOTS / "ur_description" / "urdf" / "ur5_robot.urdf",  # DAE visuals, STL collisions
    EXAMPLE_ROBOTS / "panda_description" / "urdf" / "panda.urdf",  # DAE
    EXAMPLE_ROBOTS / "solo_description" / "robots" / "solo12.urdf",
    EXAMPLE_ROBOTS / "tiago_description" / "robots" / "tiago.urdf",  # 78 links
]
_PB_TYPES = {0: {"revolute", "continuous"}, 1: {"prismatic"}, 4: {"fixed"}}


def _ids(p: Path) -> str:
    return f"{p.parent.name}/{p.stem}"


@functools.cache
def _yourdfpy(path: Path) -> yourdfpy.URDF:
    # yourdfpy resolves meshes through the same resolver; what it checks independently is the
    # whole mapping: origins, scales, primitives, materials and forward kinematics.
    return yourdfpy.URDF.load(str(path), filename_handler=lambda fname: str(resolve_resource(fname, path)))


def _finite_bounds(scene: trimesh.Scene) -> np.ndarray:
    """The scene's bounds over its finite vertices: trimesh makes a zero-radius sphere (pybullet's
    laikago_toes has four) all NaN, where our model draws nothing for it."""
    points = []
    for node in scene.graph.nodes_geometry:
        transform, name = scene.graph[node]
        vertices = np.asarray(scene.geometry[name].vertices)
        points.append(trimesh.transform_points(vertices[np.isfinite(vertices).all(axis=1)], transform))
    stacked = np.concatenate(points)
    return np.stack([stacked.min(axis=0), stacked.max(axis=0)])


def _round_tolerance(model: AssetModel) -> float:
    radii = [
        v.geometry.radius
        for link in model.links
        for v in link.visuals
        if isinstance(v.geometry, (Sphere, Cylinder, Capsule))
    ]
    return 1e-6 + 0.02 * max(radii, default=0.0)


@pytest.mark.parametrize("path", PYBULLET_ROBOTS + EXAMPLE_ROBOT_DATA, ids=_ids)
def test_links_joints_and_zero_pose_bounds_match_yourdfpy(path: Path) -> None:
    model = load(path)
    ref = _yourdfpy(path)
    assert [link.name for link in model.links] == [link.name for link in ref.robot.links]
    assert [(j.name, j.type, j.parent, j.child) for j in model.joints] == [
        (j.name, j.type, j.parent, j.child) for j in ref.robot.joints
    ]
    np.testing.assert_allclose(model.scene.bounds, _finite_bounds(ref.scene), atol=_round_tolerance(model))
    assert np.isfinite(model.scene.bounds).all()
    for link in ref.robot.links:  # every visual made it, none invented
        assert len(model.link(link.name).visuals) == len(link.visuals)
        assert len(model.link(link.name).collisions) == len(link.collisions)


@pytest.mark.parametrize("path", PYBULLET_ROBOTS, ids=_ids)
def test_link_frames_match_pybullet_at_zero_and_random_pose(path: Path) -> None:
    model = load(path)
    client = pybullet.connect(pybullet.DIRECT)
    try:
        body = pybullet.loadURDF(str(path), useFixedBase=True, physicsClientId=client)
        n = pybullet.getNumJoints(body, physicsClientId=client)
        assert n == len(model.joints) and n + 1 == len(model.links)
        rng = np.random.default_rng(3)
        q: dict[str, float] = {}
        for i in range(n):
            info = pybullet.getJointInfo(body, i, physicsClientId=client)
            name, pb_type, lower, upper = info[1].decode(), info[2], info[8], info[9]
            joint = model.joint(name)
            assert joint.type in _PB_TYPES[pb_type]
            assert joint.child == info[12].decode()
            if joint.limits is not None and joint.type in ("revolute", "prismatic"):
                np.testing.assert_allclose([joint.limits.lower, joint.limits.upper], [lower, upper], atol=1e-9)
            if joint.is_movable:
                lo, hi = (lower, upper) if joint.type != "continuous" else (-np.pi, np.pi)
                q[name] = float(rng.uniform(lo, hi))
        for pose in ({}, q):
            for i in range(n):
                name = pybullet.getJointInfo(body, i, physicsClientId=client)[1].decode()
                pybullet.resetJointState(body, i, pose.get(name, 0.0), physicsClientId=client)
            ours = model.link_transforms(pose, clamp=False)
            for i in range(n):
                state = pybullet.getLinkState(body, i, computeForwardKinematics=True, physicsClientId=client)
                child = model.joint(pybullet.getJointInfo(body, i, physicsClientId=client)[1].decode()).child
                np.testing.assert_allclose(ours[child][:3, 3], state[4], atol=1e-5)
                x, y, z, w = state[5]
                ours_q = _quat(ours[child][:3, :3])
                assert abs(abs(np.dot(ours_q, (w, x, y, z))) - 1.0) < 1e-5
    finally:
        pybullet.disconnect(client)


def _quat(m: np.ndarray) -> np.ndarray:
    from gizmo_notebook.model import matrix_to_quaternion

    return np.asarray(matrix_to_quaternion(m))


def test_zero_pose_is_not_clamped_into_limits() -> None:
    """a1's knees range over [-2.70, -0.92]: the file's zero pose is outside, and simulators
    still show it there; a partial pose leaves the knees there too, only a named value clamps."""
    model = load(PYBULLET_DATA / "a1" / "a1.urdf")
    knee = model.joint("FR_lower_joint")
    assert knee.limits is not None and knee.limits.upper < 0
    zero = model.link_transforms(clamp=False)
    assert all(np.array_equal(zero[k], v) for k, v in model.link_transforms().items())
    hip = model.link_transforms({"FR_hip_joint": 0.1})
    assert np.array_equal(hip["FL_lower"], zero["FL_lower"])  # another leg: untouched
    knee_only = np.linalg.inv(hip["FR_upper"] @ knee.origin.matrix()) @ hip["FR_lower"]
    np.testing.assert_allclose(knee_only, np.eye(4), atol=1e-12)  # the FR knee still at 0
    clamped = model.link_transforms({"FR_lower_joint": 0.0})
    assert not np.allclose(zero["FR_lower"], clamped["FR_lower"])
    np.testing.assert_allclose(model.scene.bounds, model.pose({}).bounds)


def test_dae_visual_colours_and_materials() -> None:
    r2d2 = load(PYBULLET_DATA / "r2d2.urdf")
    # r2d2 names robot-level materials ("blue", "white") from its visuals
    colours = {v.color for link in r2d2.links for v in link.visuals}
    assert (0.0, 0.0, 0.8, 1.0) in colours and (1.0, 1.0, 1.0, 1.0) in colours
    ur5 = load(EXAMPLE_ROBOTS / "ur_description" / "urdf" / "ur5_robot.urdf")
    upper = ur5.link("upper_arm_link").visuals[0].geometry
    assert upper.source is not None and upper.source.endswith("upperarm.dae")
    assert len(upper.mesh.faces) > 1000


def test_a_dae_whose_material_points_at_nothing_still_gives_its_triangles() -> None:
    """ANYmal's foot.dae binds a texture surface that is missing: pycollada then drops the scene
    node; the mesh is read again without material bindings, node scale (1e-3) included."""
    import collada

    model = load(EXAMPLE_ROBOTS / "anymal_b_simple_description" / "robots" / "anymal.urdf")
    foot = model.link("LF_ADAPTER").visuals[0].geometry
    assert foot.source.endswith("anymal_foot.dae")
    raw = collada.Collada(foot.source, ignore=[collada.common.DaeBrokenRefError, collada.common.DaeUnsupportedError])
    vertices = np.concatenate([p.vertex for g in raw.geometries for p in g.primitives])
    np.testing.assert_allclose(foot.mesh.extents, np.ptp(vertices, axis=0) * 9.99987e-4, rtol=1e-6)
    assert len(model.movable_joints) == 12
