"""The AssetModel spine: transforms, tree checks and forward kinematics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gizmo_notebook.model import (
    AssetModel,
    Box,
    Cylinder,
    Joint,
    JointLimits,
    Link,
    ModelError,
    Pose,
    Visual,
    matrix_to_quaternion,
    matrix_to_rpy,
    quaternion_to_matrix,
    rpy_to_matrix,
)


def _two_link_arm() -> AssetModel:
    return AssetModel(
        name="arm",
        links=[
            Link("base", visuals=[Visual(Box((0.2, 0.2, 0.1)))]),
            Link("upper", visuals=[Visual(Cylinder(0.02, 0.5), origin=Pose((0, 0, 0.25)))]),
            Link("tool", visuals=[Visual(Box((0.05, 0.05, 0.05)))]),
        ],
        joints=[
            Joint("shoulder", "revolute", "base", "upper", Pose((0, 0, 0.05)), (0, 1, 0),
                  JointLimits(-1.0, 1.0)),
            Joint("elbow", "prismatic", "upper", "tool", Pose((0, 0, 0.5)), (0, 0, 1),
                  JointLimits(0.0, 0.1)),
        ],
    ).validate()


@pytest.mark.parametrize("rpy", [(0.1, -0.4, 2.0), (0.0, 0.0, 0.0), (-3.0, 1.2, 0.3), (0.5, math.pi / 2, 0.2)])
def test_rotation_conversions_round_trip(rpy):
    m = rpy_to_matrix(rpy)
    assert np.allclose(rpy_to_matrix(matrix_to_rpy(m)), m, atol=1e-9)
    q = matrix_to_quaternion(m)
    assert q[0] >= 0 and math.isclose(sum(v * v for v in q), 1.0, rel_tol=1e-9)
    assert np.allclose(quaternion_to_matrix(q), m, atol=1e-9)


def test_rpy_matches_urdf_convention():
    # URDF: fixed-axis roll about X, then pitch about Y, then yaw about Z  ->  R = Rz Ry Rx
    yaw_only = rpy_to_matrix((0, 0, math.pi / 2))
    assert np.allclose(yaw_only @ [1, 0, 0], [0, 1, 0], atol=1e-12)
    m = rpy_to_matrix((math.pi / 2, 0, math.pi / 2))
    assert np.allclose(m @ [0, 1, 0], [0, 0, 1], atol=1e-12)


def test_forward_kinematics_moves_children_and_clamps_to_limits():
    model = _two_link_arm()
    zero = model.link_transforms()
    assert np.allclose(zero["tool"][:3, 3], [0, 0, 0.55])
    bent = model.link_transforms({"shoulder": math.pi / 2})  # clamped to 1.0 rad
    expected = [0.5 * math.sin(1.0), 0, 0.05 + 0.5 * math.cos(1.0)]
    assert np.allclose(bent["tool"][:3, 3], expected)
    slid = model.link_transforms({"elbow": 0.05})
    assert np.allclose(slid["tool"][:3, 3], [0, 0, 0.6])


def test_pose_returns_a_scene_with_every_visual_and_changes_bounds():
    model = _two_link_arm()
    scene = model.scene
    assert len(scene.geometry) == 3
    assert np.allclose(model.bounds()[1][2], 0.575)
    assert model.bounds({"shoulder": 1.0})[1][0] > 0.4


def test_unknown_joint_in_pose_is_a_key_error():
    with pytest.raises(KeyError, match="nope"):
        _two_link_arm().pose({"nope": 1.0})


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m.links.append(Link("base")), "duplicate link"),
        (lambda m: m.joints.append(Joint("x", "fixed", "ghost", "tool")), "unknown link 'ghost'"),
        (lambda m: m.joints.append(Joint("x", "fixed", "base", "tool")), "more than one joint"),
        (lambda m: m.links.append(Link("orphan")), "exactly one root"),
    ],
)
def test_validate_rejects_broken_trees(mutate, message):
    model = _two_link_arm()
    mutate(model)
    with pytest.raises(ModelError, match=message):
        model.validate()


def test_joint_rejects_bad_type_and_zero_axis():
    with pytest.raises(ModelError, match="not one of"):
        Joint("j", "hinge", "a", "b")
    with pytest.raises(ModelError, match="axis must not be zero"):
        Joint("j", "revolute", "a", "b", axis=(0, 0, 0))
    assert Joint("j", "revolute", "a", "b", axis=(0, 0, 2)).axis == (0.0, 0.0, 1.0)


def test_pose_rejects_non_finite_values():
    with pytest.raises(ModelError, match="finite"):
        Pose((0, float("nan"), 0))
