"""xacro files expand with the xacro package; $(find pkg) and package:// resolve ROS-style."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh

from gizmo_notebook import LoadError, load

_ROBOT = """<?xml version="1.0"?>
<robot name="walker" xmlns:xacro="http://www.ros.org/wiki/xacro">
  <xacro:arg name="prefix" default=""/>
  <xacro:arg name="with_sensor" default="false"/>
  <xacro:property name="body_len" value="0.6"/>
  <xacro:include filename="$(find walker_description)/urdf/leg.xacro"/>
  <link name="$(arg prefix)body">
    <visual><geometry><box size="${body_len} 0.3 0.1"/></geometry></visual>
  </link>
  <xacro:leg name="front" parent="$(arg prefix)body" x="${body_len / 2}"/>
  <xacro:leg name="rear" parent="$(arg prefix)body" x="${-body_len / 2}"/>
  <xacro:if value="$(arg with_sensor)">
    <link name="$(arg prefix)sensor">
      <visual><geometry><mesh filename="package://sensor_kit/meshes/dome.stl"/></geometry></visual>
    </link>
    <joint name="$(arg prefix)sensor_mount" type="fixed">
      <parent link="$(arg prefix)body"/><child link="$(arg prefix)sensor"/><origin xyz="0 0 0.1"/>
    </joint>
  </xacro:if>
</robot>
"""

_LEG = """<?xml version="1.0"?>
<robot xmlns:xacro="http://www.ros.org/wiki/xacro">
  <xacro:macro name="leg" params="name parent x">
    <link name="${name}_leg">
      <visual><geometry><mesh filename="package://walker_description/meshes/leg.stl"/></geometry></visual>
    </link>
    <joint name="${name}_hip" type="revolute">
      <parent link="${parent}"/><child link="${name}_leg"/>
      <origin xyz="${x} 0 -0.05"/><axis xyz="0 1 0"/>
      <limit lower="-1" upper="1" effort="10" velocity="2"/>
    </joint>
  </xacro:macro>
</robot>
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A ROS-like tree: src/walker_description/{urdf,meshes}, and a package kept elsewhere."""
    pkg = tmp_path / "ws" / "src" / "walker_description"
    (pkg / "urdf").mkdir(parents=True)
    (pkg / "meshes").mkdir()
    trimesh.creation.box(extents=(0.05, 0.05, 0.4)).export(pkg / "meshes" / "leg.stl")
    (pkg / "urdf" / "walker.urdf.xacro").write_text(_ROBOT)
    (pkg / "urdf" / "leg.xacro").write_text(_LEG)
    vendor = tmp_path / "elsewhere" / "kit_v2"
    (vendor / "meshes").mkdir(parents=True)
    trimesh.creation.icosphere(radius=0.07).export(vendor / "meshes" / "dome.stl")
    return tmp_path


def test_macros_includes_args_and_find_expand(workspace: Path) -> None:
    path = workspace / "ws" / "src" / "walker_description" / "urdf" / "walker.urdf.xacro"
    model = load(path)
    assert model.name == "walker"
    assert [link.name for link in model.links] == ["body", "front_leg", "rear_leg"]
    assert [j.name for j in model.movable_joints] == ["front_hip", "rear_hip"]
    assert model.joint("front_hip").origin.xyz == pytest.approx((0.3, 0, -0.05))
    assert model.joint("rear_hip").origin.xyz == pytest.approx((-0.3, 0, -0.05))
    leg = model.link("front_leg").visuals[0].geometry
    assert leg.source.endswith("walker_description/meshes/leg.stl")
    np.testing.assert_allclose(model.scene.bounds[:, 2], [-0.25, 0.15], atol=1e-9)


def test_xacro_args_and_package_dirs(workspace: Path) -> None:
    path = workspace / "ws" / "src" / "walker_description" / "urdf" / "walker.urdf.xacro"
    with pytest.raises(LoadError, match=r"walker.urdf.xacro.*mesh file 'package://sensor_kit/meshes/dome.stl'"):
        load(path, xacro_args={"with_sensor": "true"})
    model = load(
        path, xacro_args={"prefix": "left_", "with_sensor": "true"},
        package_dirs={"sensor_kit": workspace / "elsewhere" / "kit_v2"},
    )
    assert [link.name for link in model.links] == ["left_body", "front_leg", "rear_leg", "left_sensor"]
    assert model.link("left_sensor").visuals[0].geometry.source.endswith("kit_v2/meshes/dome.stl")


def test_find_of_an_unknown_package_says_how_to_name_it(workspace: Path) -> None:
    path = workspace / "ws" / "src" / "walker_description" / "urdf" / "walker.urdf.xacro"
    path.write_text(_ROBOT.replace("$(find walker_description)", "$(find missing_pkg)"))
    with pytest.raises(LoadError, match=r"walker.urdf.xacro: \$\(find missing_pkg\).*package_dirs=\{'missing_pkg'"):
        load(path)
    # a package found only through package_dirs
    model = load(path, package_dirs={"missing_pkg": path.parent.parent})
    assert len(model.movable_joints) == 2


def test_a_urdf_holding_xacro_is_expanded_and_a_broken_one_is_a_load_error(workspace: Path) -> None:
    folder = workspace / "ws" / "src" / "walker_description" / "urdf"
    plain = folder / "walker.urdf"
    plain.write_text(_ROBOT)
    assert len(load(plain).movable_joints) == 2
    broken = folder / "broken.xacro"
    broken.write_text(_ROBOT.replace('<xacro:leg name="front"', '<xacro:leg nome="front"'))
    with pytest.raises(LoadError, match=r"broken.xacro: xacro cannot expand it: Invalid parameter \"nome\""):
        load(broken)


def test_a_package_in_a_folder_named_otherwise_is_found_by_its_package_xml(workspace: Path) -> None:
    src = workspace / "ws" / "src"
    clone = src / "walker_description-main"
    (src / "walker_description").rename(clone)
    path = clone / "urdf" / "walker.urdf.xacro"
    with pytest.raises(LoadError, match=r"\$\(find walker_description\)"):
        load(path)
    (clone / "package.xml").write_text(
        '<?xml version="1.0"?>\n<package format="3">\n  <name>walker_description</name>\n  <version>1.0.0</version>\n</package>\n'
    )
    model = load(path)
    assert model.link("front_leg").visuals[0].geometry.source.endswith("walker_description-main/meshes/leg.stl")


def test_an_include_by_package_url(workspace: Path) -> None:
    """ROS xacro reads only paths in <xacro:include>; descriptions also write package:// there."""
    path = workspace / "ws" / "src" / "walker_description" / "urdf" / "walker.urdf.xacro"
    path.write_text(_ROBOT.replace("$(find walker_description)/urdf/leg.xacro", "package://walker_description/urdf/leg.xacro"))
    assert [j.name for j in load(path).movable_joints] == ["front_hip", "rear_hip"]
