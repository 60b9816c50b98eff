"""Real SDF files (pybullet's own) against pybullet's SDF import: the same kinematics."""

from __future__ import annotations

import numpy as np
import pybullet
import pytest

from gizmo_notebook import load

from ._reference import PYBULLET_DATA

_FILES = [
    "kuka_iiwa/model.sdf",  # SDF 1.6 inside a <world>, a model <pose>, use_parent_model_frame 0
    "kuka_iiwa/kuka_with_gripper2.sdf",  # arm + gripper, mesh URIs written as "/meshes/..."
    "gripper/wsg50_one_motor_gripper_new.sdf",  # a model declaring its own 'world' link
    "gripper/wsg50_with_r2d2_gripper.sdf",
]


@pytest.fixture(scope="module")
def bullet():
    client = pybullet.connect(pybullet.DIRECT)
    yield client
    pybullet.disconnect(client)


@pytest.mark.parametrize("name", _FILES)
def test_link_centres_of_mass_match_pybullet_at_random_joint_values(bullet: int, name: str) -> None:
    model = load(PYBULLET_DATA / name)
    body = pybullet.loadSDF(str(PYBULLET_DATA / name), physicsClientId=bullet)[0]
    rng = np.random.default_rng(7)
    q, links = {}, []
    for j in range(pybullet.getNumJoints(body, physicsClientId=bullet)):
        info = pybullet.getJointInfo(body, j, physicsClientId=bullet)
        links.append((j, info[12].decode()))
        if info[2] in (pybullet.JOINT_REVOLUTE, pybullet.JOINT_PRISMATIC):
            q[info[1].decode()] = value = float(rng.uniform(-0.6, 0.6))
            pybullet.resetJointState(body, j, value, physicsClientId=bullet)
    assert set(q) == {j.name for j in model.movable_joints}
    transforms = model.link_transforms(q, clamp=False)
    compared = 0
    for j, link_name in links:
        inertial = model.link(link_name).inertial
        if inertial is None:
            continue
        ours = (transforms[link_name] @ inertial.origin.matrix())[:3, 3]
        theirs = pybullet.getLinkState(body, j, computeForwardKinematics=True, physicsClientId=bullet)[0]
        np.testing.assert_allclose(ours, theirs, atol=1e-9)
        compared += 1
    assert compared >= 3
    assert np.isfinite(model.bounds()).all()
    pybullet.removeBody(body, physicsClientId=bullet)
