"""The AssetModel spine: transforms, tree checks and forward kinematics."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from gizmo_notebook.model import (
    AssetModel,
    Box,
    Capsule,
    Cylinder,
    Inertial,
    Joint,
    JointLimits,
    Link,
    ModelError,
    Pose,
    Sphere,
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


def _leg_whose_zero_is_outside_its_limits() -> AssetModel:
    """A quadruped leg like the A1's / Go2's: the knee's range [-2.7, -0.9] excludes its zero."""
    return AssetModel(
        name="leg",
        links=[
            Link("trunk", visuals=[Visual(Box((0.3, 0.2, 0.1)))]),
            Link("thigh", visuals=[Visual(Box((0.04, 0.04, 0.2)), origin=Pose((0, 0, -0.1)))]),
            Link("calf", visuals=[Visual(Box((0.03, 0.03, 0.2)), origin=Pose((0, 0, -0.1)))]),
        ],
        joints=[
            Joint("hip", "revolute", "trunk", "thigh", Pose((0, 0, -0.05)), (0, 1, 0), JointLimits(-1.0, 1.0)),
            Joint("knee", "revolute", "thigh", "calf", Pose((0, 0, -0.2)), (0, 1, 0), JointLimits(-2.7, -0.9)),
        ],
    ).validate()


def test_a_partial_pose_leaves_unnamed_joints_where_the_unposed_model_has_them():
    model = _leg_whose_zero_is_outside_its_limits()
    unposed = model.link_transforms()
    hip_only = model.link_transforms({"hip": 0.3})
    # the knee stays at 0 (outside its limits), it is not clamped to -0.9
    knee_rotation = np.linalg.inv(hip_only["thigh"] @ model.joint("knee").origin.matrix()) @ hip_only["calf"]
    assert np.allclose(knee_rotation, np.eye(4), atol=1e-12)
    assert np.allclose(hip_only["calf"][:3, :3], hip_only["thigh"][:3, :3], atol=1e-12)
    # pose({}) is the unposed scene, node for node
    empty, scene = model.pose({}), model.scene
    assert set(empty.graph.nodes_geometry) == set(scene.graph.nodes_geometry)
    for node in scene.graph.nodes_geometry:
        assert np.array_equal(empty.graph[node][0], scene.graph[node][0])
    assert np.array_equal(model.bounds({}), np.asarray(scene.bounds))
    # a named value is still clamped into its limits, like a slider
    bent = model.link_transforms({"knee": 0.0})
    assert not np.allclose(bent["calf"], unposed["calf"])
    assert np.allclose(bent["calf"], model.link_transforms({"knee": -0.9})["calf"], atol=1e-12)
    assert np.allclose(model.link_transforms({"knee": 0.0}, clamp=False)["calf"], unposed["calf"], atol=1e-12)


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


@pytest.mark.parametrize("mass,inertia", [(math.nan, (1, 1, 1, 0, 0, 0)), (1.0, (1, math.inf, 1, 0, 0, 0))])
def test_inertial_rejects_non_finite_values(mass: float, inertia: tuple) -> None:
    with pytest.raises(ModelError, match="mass and inertia must be finite"):
        Inertial(mass=mass, inertia=inertia)
    assert Inertial(mass=2.0, inertia=(1, 1, 1, 0, 0, 0)).mass == 2.0


# --------------------------------------------------------------------------- multi-DOF joints


def _ball_on_a_free_base() -> AssetModel:
    return AssetModel("rig", links=[Link("world"), Link("base"), Link("arm"), Link("sled")], joints=[
        Joint("free", "floating", "world", "base"),
        Joint("shoulder", "ball", "base", "arm", origin=Pose((0, 0, 0.5))),
        Joint("slide", "planar", "base", "sled", origin=Pose((0.2, 0, 0)), axis=(0, 0, 1)),
    ])


def test_ball_floating_and_planar_joints_take_several_numbers() -> None:
    model = _ball_on_a_free_base()
    quarter = (math.cos(math.pi / 4), 0.0, 0.0, math.sin(math.pi / 4))  # 90 degrees about +Z
    t = model.link_transforms({"shoulder": quarter})
    np.testing.assert_allclose(t["arm"][:3, :3], [[0, -1, 0], [1, 0, 0], [0, 0, 1]], atol=1e-12)
    # the same rotation as a rotation vector
    t2 = model.link_transforms({"shoulder": (0.0, 0.0, math.pi / 2)})
    np.testing.assert_allclose(t2["arm"], t["arm"], atol=1e-12)
    moved = model.link_transforms({"free": (1.0, 2.0, 3.0, *quarter)})
    np.testing.assert_allclose(moved["base"][:3, 3], (1, 2, 3))
    np.testing.assert_allclose(moved["arm"][:3, 3], (1, 2, 3.5))  # the child rides along
    slid = model.link_transforms({"slide": (0.1, 0.3, math.pi)})
    np.testing.assert_allclose(slid["sled"][:3, 3], (0.3, 0.3, 0))
    np.testing.assert_allclose(slid["sled"][:3, :3], [[-1, 0, 0], [0, -1, 0], [0, 0, 1]], atol=1e-12)
    rest = model.link_transforms()
    np.testing.assert_allclose(rest["arm"][:3, 3], (0, 0, 0.5))


@pytest.mark.parametrize(("joint", "value", "expected"), [
    ("shoulder", 0.5, "4 or 3 numbers"),
    ("shoulder", (1.0, 0.0), "4 or 3 numbers"),
    ("free", (0.0, 0.0, 0.0), "7 or 6 numbers"),
    ("slide", (0.0, float("nan"), 0.0), "3 numbers"),
])
def test_a_wrong_multi_dof_position_says_what_it_needs(joint: str, value: object, expected: str) -> None:
    with pytest.raises(ModelError, match=rf"joint '{joint}' is \w+: its position is {expected}"):
        _ball_on_a_free_base().link_transforms({joint: value})


def test_ball_joints_match_mujoco_forward_kinematics(tmp_path) -> None:
    """Random ball-joint quaternions (MuJoCo's qpos layout) give MuJoCo's own body frames."""
    mujoco = pytest.importorskip("mujoco")
    from gizmo_notebook import load

    xml = tmp_path / "balls.xml"
    xml.write_text("""<mujoco><worldbody>
      <body name="base"><freejoint name="free"/><geom type="box" size="0.1 0.1 0.1"/>
        <body name="upper" pos="0 0 0.2"><joint name="shoulder" type="ball"/><geom type="capsule" fromto="0 0 0 0 0 0.3" size="0.03"/>
          <body name="lower" pos="0 0 0.3" quat="0.924 0.383 0 0"><joint name="elbow" type="ball"/>
            <geom type="capsule" fromto="0 0 0 0.2 0 0" size="0.02"/></body></body></body>
    </worldbody></mujoco>""")
    model = load(xml)
    mj = mujoco.MjModel.from_xml_path(str(xml))
    data = mujoco.MjData(mj)
    rng = np.random.default_rng(3)
    for _ in range(5):
        q = {name: tuple(v / np.linalg.norm(v)) for name, v in (("shoulder", rng.normal(size=4)), ("elbow", rng.normal(size=4)))}
        free = (*rng.normal(size=3), *(lambda v: v / np.linalg.norm(v))(rng.normal(size=4)))
        data.qpos[:] = [*free, *q["shoulder"], *q["elbow"]]
        mujoco.mj_kinematics(mj, data)
        ours = model.link_transforms({**q, "free": free})
        for body in ("base", "upper", "lower"):
            i = mujoco.mj_name2id(mj, mujoco.mjtObj.mjOBJ_BODY, body)
            np.testing.assert_allclose(ours[body][:3, 3], data.xpos[i], atol=1e-9, err_msg=body)
            np.testing.assert_allclose(ours[body][:3, :3], data.xmat[i].reshape(3, 3), atol=1e-9, err_msg=body)


@pytest.mark.parametrize("shape", [Box((0.1, 0.2, 0.3)), Cylinder(0.05, 0.2), Sphere(0.1), Capsule(0.04, 0.1)])
def test_a_primitive_builds_its_triangles_once_and_hands_out_copies(shape) -> None:
    first = shape.to_trimesh()
    first.apply_translation((1.0, 2.0, 3.0))  # a caller moving its copy (encode, link_meshes do)
    first.faces[0] = first.faces[0][::-1]
    second = shape.to_trimesh()
    assert abs(second.bounds.mean(axis=0)).max() < 1e-9, "the next copy is centred again"
    assert not np.array_equal(second.faces[0], first.faces[0])
    assert shape.triangle_count == len(second.faces) > 0
    assert type(shape)(*dataclasses.astuple(shape)).to_trimesh().vertices is not second.vertices


def test_a_primitive_with_a_list_for_a_size_still_builds() -> None:
    box = Box([0.1, 0.2, 0.3])  # type: ignore[arg-type]  (unhashable: no cache, built each time)
    assert box.triangle_count == 12 and np.allclose(box.to_trimesh().extents, (0.1, 0.2, 0.3))
