"""The procedural generator: prompt understanding, physical plausibility, composition, scenes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import trimesh

from gizmo_notebook.local.generator import (
    WORLD_LINK,
    compose_scene,
    generate,
    is_world_anchored,
    parse_prompt,
)
from gizmo_notebook.local.generator._builder import Part, mass_properties
from gizmo_notebook.model import AssetModel, Box, Capsule, Cylinder, Mesh, Pose, Sphere


def _kinds(model: AssetModel) -> dict[str, int]:
    out: dict[str, int] = {}
    for joint in model.joints:
        out[joint.type] = out.get(joint.type, 0) + 1
    return out


def _has_mesh(model: AssetModel) -> bool:
    return any(isinstance(v.geometry, Mesh) for link in model.links for v in link.visuals)


# prompt -> (expected movable joint kinds, fixed base?, must contain a mesh?)
FAMILY_CASES: dict[str, tuple[dict[str, int], bool, bool]] = {
    "A 6-DOF robotic arm": ({"revolute": 6}, True, False),
    "3-axis arm": ({"revolute": 3}, True, False),
    "SCARA robot": ({"revolute": 3, "prismatic": 1}, True, False),
    "parallel jaw gripper": ({"prismatic": 2}, True, True),
    "two-finger gripper": ({"revolute": 4}, True, False),
    "three finger gripper": ({"revolute": 6}, True, False),
    "suction gripper": ({"prismatic": 1}, True, True),
    "differential drive mobile robot": ({"continuous": 6}, False, False),  # 2 wheels + 2 casters x2
    "four-wheel rover": ({"continuous": 4}, False, False),
    "omnidirectional base": ({"continuous": 3}, False, False),
    "quadruped robot": ({"revolute": 12}, False, False),
    "hexapod": ({"revolute": 18}, False, False),
    "pan-tilt camera head": ({"revolute": 2}, True, True),
    "lidar sensor housing": ({"continuous": 1}, True, True),
    "camera housing": ({}, True, True),
    "mounting bracket": ({"revolute": 1}, True, True),
    "electrical enclosure": ({"revolute": 1}, True, False),
    "workbench table": ({}, True, False),
    "storage shelf": ({"prismatic": 1}, True, False),
    "conveyor belt": ({"continuous": 2}, True, False),
    "purple banana telescope": ({"revolute": 1}, True, False),
    # Families added for issue 11 item 5: the issue's example prompts and their neighbours.
    "a gantry robot with three linear axes": ({"prismatic": 3}, True, False),
    "a 4-axis gantry": ({"prismatic": 3, "revolute": 1}, True, False),
    "an XY plotter with two linear axes": ({"prismatic": 2}, True, False),
    "a desk lamp with two hinges": ({"revolute": 2}, True, False),
    "a floor lamp with four hinges": ({"revolute": 4}, True, False),
    "folding screen with three hinges": ({"revolute": 3}, True, False),
    "a cabinet with two doors and three drawers": ({"revolute": 2, "prismatic": 3}, True, False),
    "a chest of four drawers": ({"prismatic": 4}, True, False),
    "a door": ({"revolute": 1}, True, False),
    "a sliding door": ({"prismatic": 1}, True, False),
    "a double door": ({"revolute": 2}, True, False),
    "pan-tilt unit with a lidar": ({"revolute": 2, "continuous": 1}, True, False),
    "pan tilt camera with a laser rangefinder": ({"revolute": 2}, True, True),
    "delta robot": ({"revolute": 3}, True, False),
    "a 4-axis delta robot": ({"revolute": 4}, True, False),
    "linear actuator": ({"prismatic": 1}, True, False),
    "linear rail with two carriages": ({"prismatic": 2}, True, False),
    "turntable": ({"continuous": 1}, True, False),
    "tilting rotary table": ({"revolute": 1, "continuous": 1}, True, False),
    "humanoid upper body": ({"revolute": 11}, True, False),  # waist, 2 x 4 arm joints, neck pan/tilt
    "humanoid torso with 7-dof arms and no head": ({"revolute": 15}, True, False),
}


@pytest.mark.parametrize("prompt", list(FAMILY_CASES))
def test_each_family_builds_the_expected_mechanism(prompt: str) -> None:
    kinds, fixed, mesh = FAMILY_CASES[prompt]
    model = generate(prompt).validate()
    movable = {k: v for k, v in _kinds(model).items() if k != "fixed"}
    assert movable == kinds
    assert is_world_anchored(model) is fixed
    assert _has_mesh(model) is mesh


@pytest.mark.parametrize("prompt", list(FAMILY_CASES) + ["arm with gripper on a mobile base", "quadruped with an arm"])
def test_every_link_and_joint_is_physically_plausible(prompt: str) -> None:
    model = generate(prompt)
    for link in model.links:
        if link.name == WORLD_LINK:
            assert link.inertial is None  # the massless anchor convention
            continue
        assert link.inertial is not None, link.name
        assert 1e-4 < link.inertial.mass < 500.0, (link.name, link.inertial.mass)
        assert link.collisions, f"{link.name} has no collision geometry"
        eig = np.linalg.eigvalsh(link.inertial.tensor())
        assert eig.min() > 0, f"{link.name}: inertia not positive-definite {eig}"
        a, b, c = sorted(eig)
        assert a + b >= c * (1 - 1e-9), f"{link.name}: triangle inequality {eig}"
    for joint in model.movable_joints:
        assert joint.limits is not None, joint.name
        assert joint.limits.velocity > 0
        # Only passive joints (caster swivels and rollers) are unpowered.
        assert joint.limits.effort > 0 or "caster" in joint.name, joint.name
        assert joint.damping > 0, joint.name
        if joint.type != "continuous":
            assert joint.limits.lower < joint.limits.upper


def test_mass_properties_match_trimesh_for_a_composite_link() -> None:
    box, cyl, cap = Box((0.2, 0.1, 0.05)), Cylinder(0.03, 0.2), Capsule(0.02, 0.1)
    poses = [Pose((0, 0, 0)), Pose((0.3, 0, 0.1), (0.4, 0.2, 0)), Pose((-0.2, 0.1, 0), (0, math.pi / 2, 0.3))]
    density = 1000.0
    inertial = mass_properties([(g, p, density) for g, p in zip((box, cyl, cap), poses, strict=True)])
    meshes = []
    for geom, pose in zip((box, cyl, cap), poses, strict=True):
        mesh = geom.to_trimesh() if not isinstance(geom, Cylinder) else trimesh.creation.cylinder(0.03, 0.2, sections=256)
        if isinstance(geom, Capsule):
            mesh = trimesh.creation.capsule(height=0.1, radius=0.02, count=[128, 64])
        mesh.apply_transform(pose.matrix())
        meshes.append(mesh)
    union = trimesh.util.concatenate(meshes)
    union.density = density
    assert inertial.mass == pytest.approx(union.mass, rel=0.01)
    assert np.allclose(inertial.origin.xyz, union.center_mass, atol=1e-3)
    assert np.allclose(inertial.tensor(), union.moment_inertia, rtol=0.02, atol=1e-7)


def test_mass_of_a_part_scales_with_density() -> None:
    light = mass_properties([(Sphere(0.1), Pose(), 500.0)])
    heavy = mass_properties([(Sphere(0.1), Pose(), 1000.0)])
    assert heavy.mass == pytest.approx(2 * light.mass)
    assert Part(Sphere(0.1)).collision is True


def test_same_prompt_same_model_different_prompt_different_model() -> None:
    a, b = generate("A 6-DOF arm with a gripper"), generate("A 6-DOF arm with a gripper")
    assert [link.name for link in a.links] == [link.name for link in b.links]
    assert [(j.name, j.origin, j.limits, j.damping) for j in a.joints] == [(j.name, j.origin, j.limits, j.damping) for j in b.joints]
    assert [link.inertial for link in a.links] == [link.inertial for link in b.links]
    c, d = generate("gizmo alpha"), generate("gizmo beta")  # two unknown prompts
    assert c.links[1].visuals[0].color != d.links[1].visuals[0].color or c.bounds().tolist() != d.bounds().tolist()


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 5, 6, 7, 9])
def test_dof_count_matches_the_prompt(dof: int) -> None:
    model = generate(f"a {dof}-DOF robot arm")
    assert len(model.movable_joints) == dof
    assert [j.name for j in model.movable_joints] == [f"arm_joint{i}" for i in range(1, dof + 1)]


@pytest.mark.parametrize("prompt, dof", [("six-axis arm", 6), ("arm with 4 degrees of freedom", 4), ("3 axis manipulator", 3)])
def test_dof_words(prompt: str, dof: int) -> None:
    assert len(generate(prompt).movable_joints) == dof


def _arm_height(prompt: str) -> float:
    return float(generate(prompt).bounds()[1][2])


def test_size_words_change_sizes() -> None:
    compact, plain, industrial = _arm_height("compact 6-DOF arm"), _arm_height("6-DOF arm"), _arm_height("industrial 6-DOF arm")
    assert compact < plain < industrial
    assert industrial / compact > 2.0
    heavy = generate("industrial 6-DOF arm").joint("arm_joint2").limits
    light = generate("compact 6-DOF arm").joint("arm_joint2").limits
    assert heavy is not None and light is not None and heavy.effort > 5 * light.effort  # motors sized to the load


def test_explicit_dimensions_are_honoured() -> None:
    model = generate("6-DOF arm with 50 cm reach")
    t = model.link_transforms()
    shoulder = (t["arm_link1"] @ model.joint("arm_joint2").origin.matrix())[:3, 3]
    assert float(np.linalg.norm(t["arm_flange"][:3, 3] - shoulder)) == pytest.approx(0.5, rel=1e-6)
    assert _arm_height("a robot arm 1.2 m tall") == pytest.approx(1.2, rel=0.02)
    table = generate("table 1.5m long and 90 cm high").bounds()
    assert table[1][2] == pytest.approx(0.9) and table[1][0] - table[0][0] == pytest.approx(1.5)
    conveyor = generate("a 3 m long conveyor").bounds()
    assert conveyor[1][0] - conveyor[0][0] == pytest.approx(3.0, rel=0.01)


def test_prompt_parsing_details() -> None:
    spec = parse_prompt("A compact mecanum mobile base with a 3-finger gripper on a 5-axis arm, 40 cm reach")
    assert spec.families == ["wheeled", "gripper", "arm"]
    assert (spec.drive, spec.gripper, spec.dof, spec.reach, spec.scale) == ("mecanum", "three_finger", 5, 0.4, 0.65)
    assert parse_prompt("3-tier shelf").tiers == 3
    assert parse_prompt("12 inch bracket").size == pytest.approx(0.3048)
    assert parse_prompt("robot dog").families == ["legged"]
    assert parse_prompt("").families == []


def test_shelf_tiers_add_boards() -> None:
    three = generate("3-tier shelf").link("shelf_frame")
    five = generate("5-tier shelf").link("shelf_frame")
    assert len(five.collisions) - len(three.collisions) == 2


def test_arm_with_gripper_on_a_mobile_base() -> None:
    model = generate("arm with gripper on a mobile base")
    assert not is_world_anchored(model)  # the mobile base floats
    assert model.root.name == "base_chassis"
    assert _kinds(model) == {"continuous": 6, "revolute": 6, "prismatic": 2, "fixed": 3}
    mount = model.parent_joint("arm_base")
    assert mount is not None and mount.parent == "base_chassis" and mount.type == "fixed"
    assert model.parent_joint("gripper_palm").parent == "arm_flange"  # type: ignore[union-attr]
    # The arm sits on top of the chassis, the gripper at the top of the arm.
    t = model.link_transforms()
    chassis = model.link("base_chassis").collisions[0]
    chassis_top = chassis.origin.xyz[2] + chassis.geometry.size[2] / 2  # type: ignore[union-attr]
    assert t["arm_base"][2, 3] == pytest.approx(chassis_top)
    assert t["gripper_palm"][2, 3] > t["arm_flange"][2, 3] - 1e-9


def test_gripper_load_increases_arm_motor_sizes() -> None:
    bare = generate("6-DOF arm").joint("arm_joint2").limits
    loaded = generate("6-DOF arm with a parallel jaw gripper").joint("arm_joint2").limits
    assert bare is not None and loaded is not None and loaded.effort > bare.effort


def test_head_and_arm_on_a_base_do_not_share_a_spot() -> None:
    model = generate("mobile robot with a pan-tilt head and an arm")
    t = model.link_transforms()
    assert np.linalg.norm(t["head_base"][:3, 3] - t["arm_base"][:3, 3]) > 0.05


def test_arm_on_a_table_stands_on_the_top() -> None:
    model = generate("robot arm mounted on a table")
    assert is_world_anchored(model)
    t = model.link_transforms()
    assert t["arm_base"][2, 3] == pytest.approx(0.75, abs=0.01)


def test_non_string_prompt_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="prompt must be a string"):
        generate(None)  # type: ignore[arg-type]


def test_compose_scene_places_assets_with_unique_names() -> None:
    arm, base = generate("6-DOF arm with a gripper"), generate("differential drive robot")
    pose_arm = Pose((0.5, -0.3, 0.0), (0, 0, 0.7))
    pose_base = Pose((-1.0, 0.8, 0.0))
    scene = compose_scene("cell", [(arm, pose_arm), (base, pose_base), (arm, Pose((2.0, 0, 0)))])
    scene.validate()
    assert scene.name == "cell" and scene.root.name == WORLD_LINK and is_world_anchored(scene)
    ground = scene.link(WORLD_LINK)
    assert ground.visuals and ground.collisions
    names = [link.name for link in scene.links]
    assert "a0_world" not in names and "a0_arm_base" in names and "a2_arm_base" in names and "a1_base_chassis" in names
    assert len(scene.movable_joints) == 2 * len(arm.movable_joints) + len(base.movable_joints)
    t = scene.link_transforms()
    assert np.allclose(t["a0_arm_base"], pose_arm.matrix())
    assert np.allclose(t["a1_base_chassis"], pose_base.matrix())
    # The ground spans every placed asset.
    extent = ground.collisions[0].geometry.size[0] / 2  # type: ignore[union-attr]
    assert extent > 2.0
    with pytest.raises(ValueError, match="at least one"):
        compose_scene("empty", [])


def test_a_rated_payload_strengthens_every_arm_joint() -> None:
    plain = generate("6-DOF arm with gripper")
    rated = generate("6-DOF arm with gripper and a 5 kg payload")
    for name in (f"arm_joint{i}" for i in range(1, 7)):
        assert rated.joint(name).limits.effort > plain.joint(name).limits.effort, name  # type: ignore[union-attr]
    # Lever arithmetic: the shoulder must at least hold 5 kg at the tool, stretched out.
    t = rated.link_transforms()
    shoulder = (t["arm_link1"] @ rated.joint("arm_joint2").origin.matrix())[:3, 3]
    lever = float(np.linalg.norm(t["gripper_palm"][:3, 3] - shoulder))
    assert rated.joint("arm_joint2").limits.effort > 5 * 9.81 * lever  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("prompt", "families"),
    [
        ("a 6-DOF arm without gripper", ["arm"]),
        ("a 6-DOF arm without a gripper on a mobile base", ["arm", "wheeled"]),
        ("arm with no wheels and a suction gripper", ["arm", "gripper"]),
        ("a work table, no shelf", ["table"]),
    ],
)
def test_negated_parts_are_left_out(prompt: str, families: list[str]) -> None:
    assert parse_prompt(prompt).families == families
    links = {link.name for link in generate(prompt).links}
    assert any(name.startswith("gripper_") for name in links) == ("gripper" in families)
    assert any(name.startswith("base_") for name in links) == ("wheeled" in families)


def test_negation_keeps_the_variant_words_that_are_not_negated() -> None:
    assert parse_prompt("arm with no wheels and a suction gripper").gripper == "suction"
    assert parse_prompt("a mobile base without mecanum wheels").drive == "differential"
