"""Collision-only descriptions (no <visual> anywhere, common in RL assets) show their collision
geometry and say so, instead of loading as an empty model with no bounds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gizmo_notebook import LoadError, load

_COLLISION_ONLY = """<robot name="rl_arm">
  <link name="base"><collision><geometry><box size="0.2 0.2 0.1"/></geometry></collision></link>
  <link name="upper">
    <collision><origin xyz="0 0 0.25"/><geometry><cylinder radius="0.02" length="0.5"/></geometry></collision>
  </link>
  <joint name="shoulder" type="revolute"><parent link="base"/><child link="upper"/>
    <origin xyz="0 0 0.05"/><axis xyz="0 1 0"/><limit lower="-1" upper="1" effort="1" velocity="1"/></joint>
</robot>
"""


def test_a_collision_only_urdf_shows_its_collision_geometry_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "rl_arm.urdf"
    path.write_text(_COLLISION_ONLY)
    model = load(path)
    assert [len(link.visuals) for link in model.links] == [1, 1]
    assert [v.geometry for link in model.links for v in link.visuals] == [
        c.geometry for link in model.links for c in link.collisions
    ]
    assert len(model.notes) == 1 and "no visual geometry" in model.notes[0] and "2 collision" in model.notes[0]
    bounds = np.asarray(model.scene.bounds)
    assert np.isfinite(bounds).all()
    np.testing.assert_allclose(bounds, [[-0.1, -0.1, -0.05], [0.1, 0.1, 0.55]], atol=1e-9)
    np.testing.assert_allclose(model.bounds(), bounds)


def test_a_model_with_visuals_is_left_as_written(tmp_path: Path) -> None:
    path = tmp_path / "arm.urdf"
    path.write_text(_COLLISION_ONLY.replace(
        '<link name="base">', '<link name="base"><visual><geometry><sphere radius="0.1"/></geometry></visual>'
    ))
    model = load(path)
    assert [len(link.visuals) for link in model.links] == [1, 0]
    assert model.notes == []


def test_extension_elements_with_words_in_value_attributes_load(tmp_path: Path) -> None:
    """The PR2's URDF carries <verbose value="Yes"/> inside a collision (a Gazebo extension):
    only URDF's own numeric attributes are checked as numbers."""
    path = tmp_path / "pr2_like.urdf"
    path.write_text(_COLLISION_ONLY.replace(
        '<collision><geometry><box size="0.2 0.2 0.1"/></geometry></collision>',
        '<collision><verbose value="Yes"/><geometry><box size="0.2 0.2 0.1"/></geometry></collision>',
    ))
    assert len(load(path).links) == 2
    path.write_text(_COLLISION_ONLY.replace('size="0.2 0.2 0.1"', 'size="0.2 wide 0.1"'))
    with pytest.raises(LoadError, match="is not a number list"):
        load(path)
