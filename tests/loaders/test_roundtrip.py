"""generate -> export in each format -> load gives back the same robot: links, joints, limits,
zero-pose bounds, and joints that move the same links the same way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gizmo_notebook import load
from gizmo_notebook.local.exporters import export_model
from gizmo_notebook.local.generator import generate
from gizmo_notebook.model import AssetModel, Capsule

PROMPTS = [
    "A 6-DOF industrial robotic arm with a parallel jaw gripper",  # fixed base, 11 joints
    "A compact differential drive mobile robot base with two wheels",  # floating, continuous
    "a quadruped robot dog",  # floating, many revolute joints
    "a pan-tilt camera head",
]
FORMATS = ["mujoco_mjcf", "isaac_sim_urdf", "isaac_sim_usd"]


@pytest.fixture(scope="module", params=PROMPTS)
def generated(request: pytest.FixtureRequest) -> AssetModel:
    return generate(request.param)


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_load_is_the_same_robot(generated: AssetModel, fmt: str, tmp_path: Path) -> None:
    loaded = load(export_model(generated, fmt, tmp_path, "robot"))
    original_links = {link.name for link in generated.links}
    loaded_links = {link.name for link in loaded.links}
    extra = loaded_links - original_links
    assert original_links <= loaded_links
    if fmt == "mujoco_mjcf" and generated.root.name != "world":
        # a floating MJCF body hangs off MuJoCo's world body through its freejoint
        assert extra == {"world"} and loaded.parent_joint(generated.root.name).type == "floating"
    else:
        assert extra == set()

    for joint in generated.movable_joints:
        other = loaded.joint(joint.name)
        assert (other.type, other.parent, other.child) == (joint.type, joint.parent, joint.child)
        # USD can only name X/Y/Z axes, so its exporter turns the joint frame instead: compare
        # the axis as seen from the parent link
        np.testing.assert_allclose(
            other.origin.matrix()[:3, :3] @ other.axis, joint.origin.matrix()[:3, :3] @ joint.axis, atol=1e-6
        )
        if joint.type in ("revolute", "prismatic"):
            assert other.limits.lower == pytest.approx(joint.limits.lower, abs=1e-6)
            assert other.limits.upper == pytest.approx(joint.limits.upper, abs=1e-6)
    if fmt != "mujoco_mjcf":  # MJCF has no fixed joints: their names cannot survive it
        assert {(j.name, j.type) for j in loaded.joints} == {(j.name, j.type) for j in generated.joints}

    # The MJCF exporter lifts floating robots so they rest on the floor; everything else is
    # placed exactly where the generator put it.
    root = generated.root.name
    lift = loaded.link_transforms()[root][:3, 3] - generated.link_transforms()[root][:3, 3]
    if not (fmt == "mujoco_mjcf" and root != "world"):
        np.testing.assert_allclose(lift, 0.0, atol=1e-9)
    tol = 1e-4 if fmt == "isaac_sim_usd" else 1e-5  # USD stores points and joint frames as float32
    np.testing.assert_allclose(loaded.scene.bounds - lift, generated.scene.bounds, atol=tol)
    if fmt == "isaac_sim_urdf":  # URDF has no capsule: cylinder + two spheres, tessellated differently
        tol += 0.02 * max((v.geometry.radius for link in generated.links for v in link.visuals
                           if isinstance(v.geometry, Capsule)), default=0.0)

    q = {j.name: (j.limits.lower + 0.7 * (j.limits.upper - j.limits.lower)) if j.type != "continuous" else 0.8
         for j in generated.movable_joints}
    moved, loaded_moved = generated.link_transforms(q), loaded.link_transforms(q)
    still = generated.link_transforms()
    assert any(not np.allclose(moved[n], still[n]) for n in still)
    for name in original_links:
        np.testing.assert_allclose(loaded_moved[name][:3, 3] - lift, moved[name][:3, 3], atol=tol)
    np.testing.assert_allclose(loaded.pose(q).bounds - lift, generated.pose(q).bounds, atol=tol)
