"""SDFormat model files: frames and poses by the spec, checked against hand-computed geometry."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import trimesh
from trimesh.transformations import euler_matrix, rotation_matrix, translation_matrix

from gizmo_notebook import LoadError, load, simulate

_ARM_19 = """<?xml version="1.0"?>
<sdf version="1.9">
  <model name="arm19">
    <link name="base">
      <pose>0 0 0.1 0 0 0</pose>
      <inertial><mass>2</mass><inertia><ixx>0.1</ixx><iyy>0.2</iyy><izz>0.3</izz></inertia></inertial>
      <visual name="base_vis"><geometry><box><size>0.2 0.2 0.2</size></box></geometry>
        <material><diffuse>0.1 0.2 0.3 1</diffuse></material></visual>
      <collision name="base_col"><geometry><box><size>0.2 0.2 0.2</size></box></geometry></collision>
    </link>
    <joint name="shoulder" type="revolute">
      <pose relative_to="base">0 0 0.15 0 0 0</pose>
      <parent>base</parent><child>upper</child>
      <axis><xyz expressed_in="__model__">1 0 0</xyz>
        <limit><lower>-1</lower><upper>1</upper><effort>5</effort></limit></axis>
    </joint>
    <link name="upper">
      <pose relative_to="shoulder" degrees="true">0 0 0.2 0 0 90</pose>
      <visual name="upper_vis"><pose>0 0 0.05 0 0 0</pose>
        <geometry><capsule><radius>0.03</radius><length>0.3</length></capsule></geometry></visual>
    </link>
    <frame name="tool_mount" attached_to="upper">
      <pose rotation_format="quat_xyzw">0.1 0 0.2 0 0 0.7071067811865476 0.7071067811865476</pose>
    </frame>
    <joint name="wrist" type="fixed"><parent>upper</parent><child>tool</child></joint>
    <link name="tool">
      <pose relative_to="tool_mount"/>
      <visual name="tip"><geometry><mesh><uri>model://arm_parts/meshes/tip.stl</uri><scale>2 2 2</scale></mesh>
      </geometry></visual>
      <visual name="ground"><geometry><plane><normal>0 0 1</normal><size>1 1</size></plane></geometry></visual>
    </link>
  </model>
</sdf>
"""

_PENDULUM_16 = """<?xml version="1.0"?>
<sdf version="1.6">
  <model name="pendulum16">
    <link name="base"><pose>0 0 1 0 0 0</pose>
      <visual name="v"><geometry><cylinder><radius>0.05</radius><length>0.1</length></cylinder></geometry></visual>
    </link>
    <link name="bob"><pose>0 0 0.5 0 0 1.5707963267948966</pose>
      <inertial><mass>1</mass><inertia><ixx>0.01</ixx><iyy>0.01</iyy><izz>0.01</izz></inertia></inertial>
      <visual name="v"><geometry><sphere><radius>0.1</radius></sphere></geometry></visual>
    </link>
    <joint name="swing" type="revolute">
      <pose>0 0 0.5 0 0 0</pose>
      <parent>base</parent><child>bob</child>
      <axis><xyz>0 1 0</xyz><use_parent_model_frame>true</use_parent_model_frame></axis>
    </joint>
    <joint name="anchor" type="fixed"><parent>world</parent><child>base</child></joint>
  </model>
</sdf>
"""


@pytest.fixture
def models(tmp_path: Path) -> Path:
    """Gazebo's layout: models/<name>/model.sdf, meshes of another model found by model://."""
    (tmp_path / "models" / "arm19").mkdir(parents=True)
    (tmp_path / "models" / "arm19" / "model.sdf").write_text(_ARM_19)
    (tmp_path / "models" / "pendulum16").mkdir()
    (tmp_path / "models" / "pendulum16" / "model.sdf").write_text(_PENDULUM_16)
    (tmp_path / "models" / "arm_parts" / "meshes").mkdir(parents=True)
    trimesh.creation.box(extents=(0.01, 0.01, 0.01)).export(tmp_path / "models" / "arm_parts" / "meshes" / "tip.stl")
    return tmp_path / "models"


def _world(model, q, link: str, visual: int = 0) -> np.ndarray:
    return model.link_transforms(q)[link] @ model.link(link).visuals[visual].origin.matrix()


def test_sdf_1_9_relative_to_frames_degrees_quaternions_and_model_uris(models: Path) -> None:
    model = load(models / "arm19" / "model.sdf")
    assert model.name == "arm19"
    assert [j.name for j in model.movable_joints] == ["shoulder"]
    shoulder = model.joint("shoulder")
    assert (shoulder.limits.lower, shoulder.limits.upper, shoulder.limits.effort) == (-1.0, 1.0, 5.0)
    # zero pose, computed by hand from the file: base at z 0.1, the shoulder frame 0.15 above,
    # upper 0.2 above that and turned 90 degrees about z, the tool mount 0.1 / 0.2 out of upper
    upper = translation_matrix((0, 0, 0.45)) @ euler_matrix(0, 0, math.pi / 2)
    tool = upper @ translation_matrix((0.1, 0, 0.2)) @ euler_matrix(0, 0, math.pi / 2)
    np.testing.assert_allclose(_world(model, {}, "base"), translation_matrix((0, 0, 0.1)), atol=1e-12)
    np.testing.assert_allclose(_world(model, {}, "upper"), upper @ translation_matrix((0, 0, 0.05)), atol=1e-12)
    np.testing.assert_allclose(_world(model, {}, "tool"), tool, atol=1e-12)
    # the axis is expressed in the model frame (world X) and turns about the shoulder frame's origin
    turn = translation_matrix((0, 0, 0.25)) @ rotation_matrix(0.5, (1, 0, 0)) @ translation_matrix((0, 0, -0.25))
    np.testing.assert_allclose(_world(model, {"shoulder": 0.5}, "tool"), turn @ tool, atol=1e-12)
    base = model.link("base")
    assert base.visuals[0].color == (0.1, 0.2, 0.3, 1.0) and len(base.collisions) == 1
    assert base.inertial.mass == 2.0 and base.inertial.inertia[:3] == (0.1, 0.2, 0.3)
    tip = model.link("tool").visuals[0].geometry
    assert tip.source.endswith("arm_parts/meshes/tip.stl")
    np.testing.assert_allclose(tip.mesh.extents, (0.02, 0.02, 0.02), atol=1e-9)
    assert any("<plane> geometry is not shown" in note for note in model.notes)


def test_sdf_1_6_joint_pose_in_the_child_frame_and_use_parent_model_frame(models: Path) -> None:
    model = load(models / "pendulum16" / "model.sdf")
    assert model.root.name == "world" and model.joint("anchor").type == "fixed"
    swing = model.joint("swing")
    assert swing.type == "continuous"  # no <limit>
    np.testing.assert_allclose(_world(model, {}, "bob"), translation_matrix((0, 0, 0.5)) @ euler_matrix(0, 0, math.pi / 2),
                               atol=1e-12)
    # the joint sits 0.5 above the bob (at the base), and swings about the model's Y axis
    theta = 0.3
    expected = translation_matrix((0, 0, 1.0)) @ rotation_matrix(theta, (0, 1, 0)) @ translation_matrix((0, 0, -0.5))
    np.testing.assert_allclose(
        _world(model, {"swing": theta}, "bob"), expected @ euler_matrix(0, 0, math.pi / 2), atol=1e-12
    )
    traj = simulate(model, seconds=0.1)
    assert traj.qpos["swing"].shape == (len(traj),)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('<pose relative_to="base">0 0 0.15', '<pose>0 0 0.15'), r"frames .*shoulder.* form a cycle"),
        (lambda s: s.replace('relative_to="tool_mount"', 'relative_to="nowhere"'), "frame 'nowhere', which the model"),
        (lambda s: s.replace("model://arm_parts/", "model://lost_parts/"), "mesh file 'model://lost_parts/"),
        (lambda s: s.replace("<child>upper</child>", "<child>uper</child>"), "child link 'uper' does not exist"),
        (lambda s: s.replace("0 0 0.1 0 0 0</pose>", "0 0 zero 0 0 0</pose>"), "is not a list of numbers"),
    ],
)
def test_broken_sdf_is_a_load_error_naming_the_element(models: Path, edit, message: str) -> None:
    path = models / "arm19" / "model.sdf"
    path.write_text(edit(_ARM_19))
    with pytest.raises(LoadError, match=message) as info:
        load(path)
    assert str(info.value).startswith("model.sdf: ")


def test_a_world_file_says_to_load_the_model(tmp_path: Path) -> None:
    path = tmp_path / "empty.sdf"
    path.write_text('<sdf version="1.10"><world name="w"><include><uri>model://arm19</uri></include></world></sdf>')
    with pytest.raises(LoadError, match="a world file"):
        load(path)


def test_a_world_of_several_models_loads_as_one_each_where_the_world_puts_it(models: Path) -> None:
    """Gazebo and pybullet scenes put several models in one <world> (pybullet's model2.sdf: two
    iiwas of the same name). They load as one model: a world link holds each, names prefixed."""
    arm = _ARM_19.split('<sdf version="1.9">', 1)[1].rsplit("</sdf>", 1)[0]
    first = arm.replace('<model name="arm19">', '<model name="arm19"><pose>2 0 0 0 0 0</pose>', 1)
    second = arm.replace('<model name="arm19">', '<model name="arm19"><pose>-2 0 0 0 0 0</pose>', 1)
    path = models / "arm19" / "two.sdf"
    path.write_text(f'<sdf version="1.9"><world name="lab">{first}{second}</world></sdf>')
    model = load(path)
    single = load(models / "arm19" / "model.sdf")
    assert len(model.links) == 1 + 2 * len(single.links) and model.root.name == "world"
    assert {j.name for j in model.movable_joints} == {"a0_shoulder", "a1_shoulder"}
    lo, hi = single.scene.bounds  # at the origin; in the world, one copy 2 m each way along x
    np.testing.assert_allclose(model.scene.bounds, [lo - (2, 0, 0), hi + (2, 0, 0)], atol=1e-9)
    assert model.notes[0].startswith("the 2 models of <world name='lab'> are loaded as one"), model.notes
    assert "a1_ = 'arm19'" in model.notes[0]
    moved = model.link_transforms({"a0_shoulder": 0.5})  # each keeps its joints
    assert not np.allclose(moved["a0_upper"], model.link_transforms()["a0_upper"])
    assert np.allclose(moved["a1_upper"], model.link_transforms()["a1_upper"])
    assert np.isfinite(simulate(path, seconds=0.05).link_poses_array).all()
