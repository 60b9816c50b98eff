"""Real MJCF robots (Gymnasium's MuJoCo suite, Gymnasium-Robotics' Fetch, Shadow hand,
Adroit and Franka kitchen) load with every body and joint, and the same geometry MuJoCo
computes, at the zero pose and at a random pose."""

from __future__ import annotations

from pathlib import Path

import mujoco
import numpy as np
import pytest

from gizmo_notebook import load

from ._reference import GYM_MUJOCO, GYM_ROBOTICS, largest_round_radius, mujoco_visible_bounds

ROBOTS = [
    *(GYM_MUJOCO / n for n in ("ant.xml", "half_cheetah.xml", "hopper.xml", "humanoid.xml", "pusher.xml",
                               "reacher.xml", "swimmer.xml", "walker2d.xml", "inverted_double_pendulum.xml")),
    GYM_ROBOTICS / "fetch" / "pick_and_place.xml",  # STL meshes, includes, default classes
    GYM_ROBOTICS / "hand" / "manipulate_block.xml",  # Shadow hand: 24 joints, STL meshes
    GYM_ROBOTICS / "adroit_hand" / "adroit_door.xml",
    GYM_ROBOTICS / "kitchen_franka" / "kitchen_assets" / "kitchen_env_model.xml",
]
_TYPES = {
    int(mujoco.mjtJoint.mjJNT_HINGE): {"revolute", "continuous"},
    int(mujoco.mjtJoint.mjJNT_SLIDE): {"prismatic"},
    int(mujoco.mjtJoint.mjJNT_BALL): {"ball"},
    int(mujoco.mjtJoint.mjJNT_FREE): {"floating"},
}


@pytest.fixture(params=ROBOTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def robot(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, mujoco.MjModel]:
    path = request.param
    monkeypatch.chdir(tmp_path)  # MuJoCo's compiler warnings append to ./MUJOCO_LOG.TXT
    return path, mujoco.MjModel.from_xml_path(str(path))


def _tolerance(mj: mujoco.MjModel) -> float:
    return 1e-6 + 0.01 * largest_round_radius(mj)


def test_every_body_and_joint_is_present(robot: tuple[Path, mujoco.MjModel]) -> None:
    path, mj = robot
    model = load(path)
    names = {link.name for link in model.links}
    for b in range(mj.nbody):
        body = mujoco.mj_id2name(mj, mujoco.mjtObj.mjOBJ_BODY, b) or ("world" if b == 0 else f"body{b}")
        assert body in names
    for j in range(mj.njnt):
        joint = model.joint(mujoco.mj_id2name(mj, mujoco.mjtObj.mjOBJ_JOINT, j) or f"joint{j}")
        assert joint.type in _TYPES[int(mj.jnt_type[j])]
        if joint.limits is not None:
            ref = float(mj.qpos0[mj.jnt_qposadr[j]])
            np.testing.assert_allclose([joint.limits.lower, joint.limits.upper], mj.jnt_range[j] - ref, atol=1e-9)
    extra = len(model.links) - mj.nbody  # intermediate links of multi-joint bodies
    assert extra == sum(max(int(n) - 1, 0) for n in mj.body_jntnum[1:])
    model.validate()


def test_zero_pose_bounds_match_mujoco(robot: tuple[Path, mujoco.MjModel]) -> None:
    path, mj = robot
    model = load(path)
    np.testing.assert_allclose(model.scene.bounds, mujoco_visible_bounds(mj), atol=_tolerance(mj))


def test_random_pose_matches_mujoco_forward_kinematics(robot: tuple[Path, mujoco.MjModel]) -> None:
    path, mj = robot
    model = load(path)
    rng = np.random.default_rng(7)
    qpos = mj.qpos0.copy()
    q = {}
    for j in range(mj.njnt):
        if int(mj.jnt_type[j]) not in (int(mujoco.mjtJoint.mjJNT_HINGE), int(mujoco.mjtJoint.mjJNT_SLIDE)):
            continue
        ref = float(mj.qpos0[mj.jnt_qposadr[j]])
        lo, hi = (mj.jnt_range[j] - ref) if mj.jnt_limited[j] else (-1.0, 1.0)
        value = float(rng.uniform(lo, hi))
        name = mujoco.mj_id2name(mj, mujoco.mjtObj.mjOBJ_JOINT, j) or f"joint{j}"
        q[name] = value
        qpos[mj.jnt_qposadr[j]] = ref + value
    if not q:
        pytest.skip("no hinge or slide joints")
    posed = model.pose(q).bounds
    np.testing.assert_allclose(posed, mujoco_visible_bounds(mj, qpos), atol=_tolerance(mj))
    moved, still = model.link_transforms(q), model.link_transforms()
    assert any(not np.allclose(moved[n], still[n]) for n in still), "pose() did not move any link"


def test_multi_joint_bodies_are_chained_through_massless_links() -> None:
    model = load(GYM_MUJOCO / "humanoid.xml")
    # the humanoid's abdomen has two hinges (abdomen_z, abdomen_y) in one body
    first, second = model.joint("abdomen_z"), model.joint("abdomen_y")
    assert first.child == second.parent == "lwaist__abdomen_z"
    assert second.child == "lwaist"
    assert model.link("lwaist__abdomen_z").inertial is None and not model.link("lwaist__abdomen_z").visuals
    assert model.link("lwaist").inertial is not None and model.link("lwaist").inertial.mass > 0


def test_mesh_geoms_keep_their_triangles_and_material_colours() -> None:
    path = GYM_ROBOTICS / "fetch" / "pick_and_place.xml"
    mj = mujoco.MjModel.from_xml_path(str(path))
    model = load(path)
    meshes = [v for link in model.links for v in link.visuals if type(v.geometry).__name__ == "Mesh"]
    assert meshes, "Fetch's visuals are STL meshes"
    total_faces = {int(mj.mesh_facenum[m]) for m in range(mj.nmesh)}
    assert {len(v.geometry.mesh.faces) for v in meshes} <= total_faces
    colours = {v.color for link in model.links for v in link.visuals}
    assert len(colours) > 1 and all(c is not None for c in colours)
