"""Issue 11 item 5: the offline generator says what it understood, what it ignored, what it built.

The issue's example prompts ("a gantry robot with three linear axes", "a desk lamp with two
hinges", "a banana") used to give a housing, a jointless table and the same housing, all shown
as "ready". Here each gives the right family and joints, and the interpretation says so.
"""

from __future__ import annotations

import time

import pytest

from gizmo_notebook.local.generator import FAMILIES, Interpretation, generate, interpret, parse_prompt
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


def test_left_out_parts_are_ignored_with_a_reason() -> None:
    reading = interpret("a mobile base with a gripper")
    assert reading.family == "wheeled"
    assert "gripper" in reading.ignored
    assert any(note.startswith("'gripper' not built") for note in reading.notes)
    assert not any(link.name.startswith("gripper_") for link in generate("a mobile base with a gripper").links)


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
