"""Issue 11 item 5: the offline generator says what it understood, what it ignored, what it built.

The issue's example prompts ("a gantry robot with three linear axes", "a desk lamp with two
hinges", "a banana") used to give a housing, a jointless table and the same housing, all shown
as "ready". Here each gives the right family and joints, and the interpretation says so.
"""

from __future__ import annotations

import time
from itertools import pairwise

import pytest

from gizmo_notebook.local.generator import FAMILIES, Interpretation, generate, interpret, parse_prompt
from gizmo_notebook.local.generator.assemble import plan
from gizmo_notebook.model import AssetModel


def _movable(model: AssetModel) -> dict[str, int]:
    out: dict[str, int] = {}
    for joint in model.movable_joints:
        out[joint.type] = out.get(joint.type, 0) + 1
    return out


# prompt -> (family, movable joints by type, phrases that must be understood)
ISSUE_EXAMPLES: dict[str, tuple[str, dict[str, int], tuple[str, ...]]] = {
    "a gantry robot with three linear axes": ("cartesian", {"prismatic": 3}, ("gantry robot", "three linear axes")),
    "a desk lamp with two hinges": ("lamp", {"revolute": 2}, ("desk lamp", "two hinges")),
    "a cabinet with two doors and three drawers": ("cabinet", {"revolute": 2, "prismatic": 3}, ("two doors", "three drawers")),
    "a wardrobe with sliding doors": ("cabinet", {"prismatic": 2}, ("wardrobe", "sliding doors")),
    "a door": ("door", {"revolute": 1}, ("door",)),
    "a sliding door": ("door", {"prismatic": 1}, ("sliding door",)),
    "pan-tilt unit with a lidar": ("pan_tilt", {"revolute": 2, "continuous": 1}, ("pan-tilt", "lidar")),
    "a gimbal with a thermal camera": ("pan_tilt", {"revolute": 2}, ("gimbal", "thermal camera")),
    "delta robot": ("delta", {"revolute": 3}, ("delta robot",)),
    "a linear actuator": ("linear_axis", {"prismatic": 1}, ("linear actuator",)),
    "a linear rail with 3 carriages": ("linear_axis", {"prismatic": 3}, ("linear rail", "3 carriages")),
    "a turntable": ("turntable", {"continuous": 1}, ("turntable",)),
    "humanoid upper body": ("humanoid", {"revolute": 11}, ("humanoid", "upper body")),
    "folding screen with four panels": ("folding", {"revolute": 3}, ("folding screen", "four panels")),
}


@pytest.mark.parametrize("prompt", list(ISSUE_EXAMPLES))
def test_example_prompts_build_the_family_and_joints_they_ask_for(prompt: str) -> None:
    family, joints, phrases = ISSUE_EXAMPLES[prompt]
    reading = interpret(prompt)
    assert reading.family == family
    assert not reading.fallback
    assert set(phrases) <= set(reading.understood), reading.understood
    assert reading.ignored == ()
    assert _movable(generate(prompt)) == joints


def test_a_banana_is_a_fallback_that_says_so() -> None:
    reading = interpret("a banana")
    assert reading.family == "generic" and reading.fallback
    assert reading.understood == () and reading.ignored == ("banana",)
    assert any("fallback" in note for note in reading.notes)
    assert reading.as_dict() == {
        "family": "generic",
        "understood": [],
        "ignored": ["banana"],
        "notes": list(reading.notes),
        "fallback": True,
    }


def test_unused_words_are_reported_next_to_the_understood_ones() -> None:
    reading = interpret("a purple 6-DOF robot arm with 50 cm reach for sorting bananas")
    assert reading.family == "arm" and not reading.fallback
    assert reading.understood == ("6-dof", "robot arm", "50 cm reach")
    assert reading.ignored == ("purple", "sorting", "bananas")


@pytest.mark.parametrize(
    ("prompt", "count"),
    [("a desk lamp with one hinge", 1), ("a desk lamp with 3 hinges", 3), ("a floor lamp with five hinges", 5),
     ("a desk lamp with twelve hinges", 6)],  # fmt: skip
)
def test_hinge_counts_are_honoured_within_bounds(prompt: str, count: int) -> None:
    assert _movable(generate(prompt)) == {"revolute": count}
    notes = interpret(prompt).notes
    assert any("asked for 12 hinges; built 6" in n for n in notes) is (count == 6)


@pytest.mark.parametrize(
    ("prompt", "prismatic", "revolute"),
    [("an XY plotter with two linear axes", 2, 0), ("a 3-axis gantry", 3, 0), ("a 5-axis gantry", 3, 2),
     ("a cartesian robot with one linear axis", 1, 0), ("an xyz stage", 3, 0)],  # fmt: skip
)
def test_gantry_axis_counts(prompt: str, prismatic: int, revolute: int) -> None:
    model = generate(prompt)
    assert interpret(prompt).family == "cartesian"
    assert _movable(model) == {k: v for k, v in (("prismatic", prismatic), ("revolute", revolute)) if v}


def test_an_axis_count_next_to_a_mechanism_is_not_an_extra_arm() -> None:
    assert parse_prompt("a 3-axis gantry").families == ["cartesian"]
    assert parse_prompt("a 2-axis gimbal").families == ["pan_tilt"]
    assert parse_prompt("a 4-axis delta robot").families == ["delta"]
    assert parse_prompt("a desk lamp").families == ["lamp"]  # "desk" is not a table here


def test_cabinet_doors_and_drawers_open_outwards() -> None:
    model = generate("a cabinet with two doors and three drawers")
    # Opening a door or drawer fully moves its front panel forwards (+X), out of the carcass.
    rest = model.link_transforms()
    opened = model.link_transforms({j.name: j.limits.upper for j in model.movable_joints})  # type: ignore[union-attr]
    assert len(model.movable_joints) == 5
    for joint in model.movable_joints:
        panel = [*model.link(joint.child).visuals[0].origin.xyz, 1.0]
        moved = (opened[joint.child] @ panel)[0] - (rest[joint.child] @ panel)[0]
        assert moved > 0.05, joint.name


def test_delta_says_it_is_a_tree_approximation() -> None:
    reading = interpret("delta robot")
    assert any("approximated as a tree" in note for note in reading.notes)
    model = generate("delta robot")
    # At rest the three forearms end where the effector is, like the real closed linkage.
    t = model.link_transforms()
    effector = t["delta_effector"][:3, 3]
    for i in (1, 2, 3):
        forearm = model.link(f"delta_arm{i}_forearm")
        tips = [t[forearm.name] @ [*(2 * v.origin.xyz[k] for k in range(3)), 1.0] for v in forearm.visuals]
        assert all(abs(tip[2] - effector[2]) < 0.01 for tip in tips)


def test_ignored_words_in_any_script_and_a_long_prompt_stays_short() -> None:
    assert interpret("un robot banane банан").ignored == ("un", "banane", "банан")
    reading = interpret(" ".join(f"word{i}" for i in range(100)) + " and a turntable")
    assert reading.family == "turntable" and len(reading.ignored) == 40
    assert "60 more unused words not listed" in reading.notes


def test_words_that_pick_a_variant_count_as_understood() -> None:
    assert interpret("A compact differential drive mobile robot base with two wheels").ignored == ()
    assert interpret("an electrical control box with a hinged lid").ignored == ()
    assert interpret("two 7-dof arms on a humanoid").ignored == ()
    assert _movable(generate("two 7-dof arms on a humanoid")) == {"revolute": 1 + 2 * 7 + 2}


def test_fixed_arm_counts_say_so_when_asked_for_another() -> None:
    assert "asked for 4 arms; a delta here always has 3" in interpret("a delta robot with four arms").notes
    assert "asked for 3 arms; a humanoid here always has 2" in interpret("a humanoid with 3 arms").notes
    assert not interpret("a humanoid with two arms").notes


def test_left_out_parts_are_ignored_with_a_reason() -> None:
    reading = interpret("a mobile base with a gripper")
    assert reading.family == "wheeled"
    assert "gripper" in reading.ignored
    assert any(note.startswith("'gripper' not built") for note in reading.notes)
    assert not any(link.name.startswith("gripper_") for link in generate("a mobile base with a gripper").links)
    # A rail or turntable is a base only when something rides on it; else the first-named object wins.
    rails = interpret("a conveyor with guide rails")
    assert rails.family == "conveyor" and "rails" in rails.ignored
    assert _movable(generate("a conveyor with guide rails")) == {"continuous": 2}


def test_grippers_go_where_the_prompt_puts_them() -> None:
    for prompt, mount in (("a 4-axis gantry with a suction gripper", "gantry_wrist1"),
                          ("delta robot with a parallel jaw gripper", "delta_effector"),
                          ("linear actuator with a two-finger gripper", "actuator_rod")):  # fmt: skip
        model = generate(prompt)
        roots = [j for j in model.joints if j.child.startswith("gripper_") and not j.parent.startswith("gripper_")]
        assert [j.parent for j in roots] == [mount], prompt
        assert "gripper" in interpret(prompt).understood
    humanoid = generate("humanoid with parallel jaw grippers")
    assert {j.parent for j in humanoid.joints if j.name.endswith("_hand_to_gripper")} == {"humanoid_left_hand", "humanoid_right_hand"}


def test_an_arm_on_a_linear_rail_rides_the_carriage() -> None:
    model = generate("robot arm on a linear rail")
    assert model.parent_joint("arm_base").parent == "rail_carriage1"  # type: ignore[union-attr]
    assert interpret("robot arm on a linear rail").family == "arm"


REPRESENTATIVE = {
    "arm": "a robot arm", "gripper": "a gripper", "wheeled": "a mobile robot", "legged": "a quadruped",
    "pan_tilt": "a pan-tilt head", "sensor_housing": "a lidar", "mount": "a bracket", "enclosure": "an enclosure",
    "table": "a table", "shelf": "a shelf", "conveyor": "a conveyor", "cartesian": "a gantry", "delta": "a delta robot",
    "humanoid": "a humanoid", "linear_axis": "a linear rail", "turntable": "a turntable", "lamp": "a lamp",
    "folding": "a room divider", "cabinet": "a wardrobe", "door": "a gate",
}  # fmt: skip


def test_every_family_is_reachable_and_reported() -> None:
    assert set(REPRESENTATIVE) == set(FAMILIES)
    for family, prompt in REPRESENTATIVE.items():
        assert interpret(prompt).family == family, prompt
        generate(prompt).validate()


def test_interpretation_is_deterministic_typed_and_fast() -> None:
    interpret.cache_clear()
    started = time.perf_counter()
    first = [interpret(p) for p in ISSUE_EXAMPLES]
    elapsed = time.perf_counter() - started
    assert elapsed < 0.2  # parsing only: no model is built
    interpret.cache_clear()
    assert [interpret(p) for p in ISSUE_EXAMPLES] == first
    assert all(isinstance(r, Interpretation) for r in first)
    with pytest.raises(TypeError, match="prompt must be a string"):
        interpret(None)  # type: ignore[arg-type]


def test_any_two_families_in_one_prompt_build_a_valid_model_that_the_interpretation_describes() -> None:
    prompts = list(REPRESENTATIVE.values())
    for first in prompts:
        for second in prompts:
            if first == second:
                continue
            prompt = f"{first} with {second}"
            model = generate(prompt).validate()
            reading = interpret(prompt)
            spec = parse_prompt(prompt)
            normal = " ".join(prompt.lower().split())
            assert all(phrase in normal for phrase in reading.understood), (prompt, reading)
            assert reading.family in spec.families, (prompt, reading)
            left_out = [f for f in spec.families if f not in plan(spec).built]
            assert sum("not built" in note for note in reading.notes) == len(left_out), (prompt, reading)
            assert model.links, prompt


# Link and DOF counts: "a two link arm" used to build the default 6-joint arm and report
# "two", "link" as ignored.
ARM_COUNTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "a two link arm": (2, ("two link", "arm")),
    "a 3-link arm": (3, ("3-link", "arm")),
    "a three-link planar arm": (3, ("three-link", "planar", "arm")),
    "4 DOF arm": (4, ("4 dof", "arm")),
    "a 2-DOF arm": (2, ("2-dof", "arm")),
    "a 7-dof arm": (7, ("7-dof", "arm")),
    "a ten link manipulator": (10, ("ten link", "manipulator")),
    "a robot arm with 5 axes": (5, ("robot arm", "5 axes")),
    "a 3-link robot": (3, ("3-link",)),
}


@pytest.mark.parametrize("prompt", list(ARM_COUNTS))
def test_link_and_dof_counts_set_the_arms_joints(prompt: str) -> None:
    count, understood = ARM_COUNTS[prompt]
    model = generate(prompt)
    assert _movable(model) == {"revolute": count}
    assert [j.name for j in model.movable_joints] == [f"arm_joint{i}" for i in range(1, count + 1)]
    reading = interpret(prompt)
    assert reading.family == "arm" and not reading.fallback
    assert reading.understood == understood and reading.ignored == () and reading.notes == ()


def test_a_planar_arm_has_parallel_axes_and_a_plain_arm_keeps_its_base_yaw() -> None:
    planar = generate("a three-link planar arm")
    assert planar.name == "3dof_planar_arm"
    assert {j.axis for j in planar.movable_joints} == {(0.0, 1.0, 0.0)}
    # Equal links: the joints are evenly spaced up the arm at rest.
    t = planar.link_transforms()
    heights = [float(t[j.child][2, 3]) for j in planar.movable_joints] + [float(t["arm_flange"][2, 3])]
    steps = [b - a for a, b in pairwise(heights)]
    assert max(steps) == pytest.approx(min(steps))
    plain = generate("a 2-DOF arm")
    assert plain.name == "2dof_arm"
    assert [j.axis for j in plain.movable_joints] == [(0.0, 0.0, 1.0), (0.0, 1.0, 0.0)]
    # a count of links is the textbook N-link arm: parallel hinges, each link seen
    links = generate("a two link arm")
    assert links.name == "2dof_planar_arm"
    assert [j.axis for j in links.movable_joints] == [(0.0, 1.0, 0.0), (0.0, 1.0, 0.0)]
    # A height is honoured by planar arms too (they have no shoulder link).
    assert float(generate("a 2-link planar arm 1 m tall").bounds()[1][2]) == pytest.approx(1.0, rel=0.02)


@pytest.mark.parametrize(("prompt", "asked", "built"), [("a 20-link arm", 20, 12), ("a 0 dof arm", 0, 1)])
def test_arm_joint_counts_outside_bounds_are_clamped_and_said(prompt: str, asked: int, built: int) -> None:
    assert _movable(generate(prompt)) == {"revolute": built}
    assert f"asked for {asked} joints; built {built} (this generator builds arms of 1 to 12 joints)" in interpret(prompt).notes


def test_without_a_count_the_arm_is_the_default_six_axis_one() -> None:
    for prompt in ("a robot arm", "a manipulator", "an articulated arm", "an industrial robot"):
        model = generate(prompt)
        assert _movable(model) == {"revolute": 6}, prompt
        reading = interpret(prompt)
        assert reading.family == "arm" and reading.ignored == (), (prompt, reading)
    assert generate("a robot arm") == generate("a 6-DOF robot arm")


def test_a_link_count_on_a_humanoids_arms_is_not_a_count_of_arms() -> None:
    reading = interpret("humanoid with 3-link arms")
    assert reading.notes == () and reading.ignored == ()
    assert _movable(generate("humanoid with 3-link arms")) == {"revolute": 1 + 2 * 3 + 2}


# Everyday names of families the generator builds, once reported as ignored or a fallback.
SYNONYMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "a quadruped dog": ("legged", ("quadruped", "dog")),
    "a dog": ("legged", ("dog",)),
    "robot dog": ("legged", ("robot dog",)),
    "a legged robot": ("legged", ("legged",)),
    "a quadrupedal robot": ("legged", ("quadrupedal",)),
    "a robot vacuum": ("wheeled", ("robot vacuum",)),
    "a ugv": ("wheeled", ("ugv",)),
    "a robot car": ("wheeled", ("robot car",)),
    "an articulated robot": ("arm", ("articulated robot",)),
    "an industrial robot": ("arm", ("industrial robot",)),
    "a robotic hand": ("gripper", ("robotic hand",)),
}


@pytest.mark.parametrize("prompt", list(SYNONYMS))
def test_synonyms_of_known_families_are_understood(prompt: str) -> None:
    family, understood = SYNONYMS[prompt]
    reading = interpret(prompt)
    assert (reading.family, reading.understood, reading.ignored, reading.fallback) == (family, understood, (), False)
    assert generate(prompt).name.endswith(
        {"legged": "quadruped", "wheeled": "_base", "arm": "6dof_arm", "gripper": "three_finger_gripper"}[family]
    )
