"""Motion stages: cartesian gantries, linear axes (rails and actuators) and turntables.

These are what "linear axis" and "rotary table" mean on a shop floor: prismatic joints
along straight guides and a platter spinning about Z. All are bolted to the floor (fixed
base) and expose a mount where a gripper (gantry, actuator) or an arm (rail carriage,
turntable platter) attaches. Axis ranges are centred on q = 0 where that is natural, so a
slider in the viewer moves both ways from the pose the model is drawn in.
"""

from __future__ import annotations

import math

from ...model import Box, Cylinder, Pose
from ._builder import DENSITY_STEEL_FRAME, Builder, Built, Part, at
from .spec import Spec

__all__ = [
    "build_cartesian",
    "build_linear_actuator",
    "build_linear_rail",
    "build_turntable",
    "cartesian_from_spec",
    "linear_axis_from_spec",
    "turntable_from_spec",
]

_FRAME = (0.55, 0.58, 0.62, 1.0)
_AXIS = (0.15, 0.45, 0.75, 1.0)
_DARK = (0.2, 0.2, 0.22, 1.0)
_ROD = (0.85, 0.86, 0.88, 1.0)

_ACTUATOR_WORDS = r"\bactuators?\b|\bcylinders?\b|\brams?\b|\bpistons?\b|\bpush\s*rods?\b"
_TILT_WORDS = r"\btilt(?:ing)?\b|\btrunnion\b|\b(?:two|2)[\s-]*ax(?:is|es)\b"


def cartesian_axes(spec: Spec) -> tuple[int, int]:
    """(linear, rotary) axis counts: "three linear axes" -> (3, 0), "4-axis gantry" -> (3, 1)."""
    linear = spec.counts.get("linear_axes")
    if linear is None:
        linear = min(spec.dof, 3) if spec.dof else 3
    rotary = max(0, min((spec.dof or linear) - linear, 3))
    return linear, rotary


def cartesian_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    linear, rotary = cartesian_axes(spec)
    span = spec.length or spec.width or spec.size or 0.8 * spec.scale
    return build_cartesian(linear, rotary, span, spec.height)


def linear_axis_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    import re

    length = spec.length or spec.size or (1.5 if carrying else 0.6) * spec.scale
    if re.search(_ACTUATOR_WORDS, spec.text) and not carrying:
        return build_linear_actuator(length)
    return build_linear_rail(length, spec.count("carriages", 1), carrying=carrying)


def turntable_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    import re

    diameter = spec.width or spec.size or (0.8 if carrying else 0.5) * spec.scale
    tilt = bool(re.search(_TILT_WORDS, spec.text)) or (spec.dof or 1) >= 2
    return build_turntable(diameter, tilt=tilt)


def build_cartesian(
    linear: int = 3, rotary: int = 0, span: float = 0.8, height: float | None = None, *, prefix: str = "gantry_"
) -> Built:
    """A portal gantry: X bridge on two rails, Y carriage on the bridge, Z quill, then wrist axes.

    ``linear`` (1-3) prismatic axes in X, Y, Z order; ``rotary`` (0-3) revolute wrist axes
    under the last carriage (roll, pitch, roll). The tool mount points down (-Z).
    """
    linear = max(1, min(int(linear), 3))
    rotary = max(0, min(int(rotary), 3))
    lx = max(0.2, float(span))
    ly = lx * 0.75
    h = float(height) if height else lx * 0.8
    beam = max(0.03, lx * 0.05)
    b = Builder(prefix, color=_FRAME, density=DENSITY_STEEL_FRAME)

    parts = []
    for sx in (1, -1):
        for sy in (1, -1):
            parts.append(Part(Box((beam, beam, h - beam)), Pose((sx * lx / 2, sy * ly / 2, (h - beam) / 2))))
    for sy in (1, -1):
        parts.append(Part(Box((lx + beam, beam, beam)), Pose((0, sy * ly / 2, h - beam / 2)), _DARK))
    frame = b.link("frame", parts)

    bridge = b.link(
        "bridge",
        [
            Part(Box((beam * 1.4, ly + beam, beam)), Pose((0, 0, beam / 2)), _AXIS),
            Part(Box((beam * 1.6, beam * 1.2, beam * 0.6)), Pose((0, ly / 2, beam * 0.3)), _DARK),
            Part(Box((beam * 1.6, beam * 1.2, beam * 0.6)), Pose((0, -ly / 2, beam * 0.3)), _DARK),
        ],
    )
    travel_x = round(lx / 2 - beam * 1.5, 4)
    b.joint("x_axis", "prismatic", frame, bridge, Pose((0, 0, h)), (1.0, 0.0, 0.0), lower=-travel_x, upper=travel_x, velocity=0.8)
    tool_link, tool_pose = bridge, Pose((0, 0, 0), (math.pi, 0, 0))
    if linear >= 2:
        carriage = b.link("y_carriage", [Part(Box((beam * 2.4, beam * 2, beam * 1.4)), Pose((0, 0, 0)), _DARK)])
        travel_y = round(ly / 2 - beam * 1.5, 4)
        b.joint("y_axis", "prismatic", bridge, carriage, Pose((beam * 1.9, 0, beam * 0.5)), (0.0, 1.0, 0.0),
                lower=-travel_y, upper=travel_y, velocity=0.8)  # fmt: skip
        tool_link, tool_pose = carriage, Pose((0, 0, -beam * 0.7), (math.pi, 0, 0))
    if linear >= 3:
        stroke = round(h * 0.35, 4)
        quill_len = h * 0.45
        quill = b.link("z_quill", [Part(Box((beam * 0.8, beam * 0.8, quill_len)), Pose((0, 0, -quill_len / 2 + beam)), _AXIS)])
        # q = 0 is fully raised; the quill slides along -Z, down towards the work.
        b.joint("z_axis", "prismatic", tool_link, quill, Pose((beam * 1.6, 0, 0)), (0.0, 0.0, -1.0), lower=0.0, upper=stroke, velocity=0.5)
        tool_link, tool_pose = quill, Pose((0, 0, -quill_len + beam), (math.pi, 0, 0))
    r = beam * 0.45
    for i, (name, axis) in enumerate((("a_axis", (0.0, 0.0, 1.0)), ("b_axis", (0.0, 1.0, 0.0)), ("c_axis", (0.0, 0.0, 1.0)))[:rotary]):
        # Wrist links hang below the tool point; their own frames keep +Z up.
        wrist = b.link(f"wrist{i + 1}", [Part(Cylinder(r, r * 2), Pose((0, 0, -r)), _DARK)])
        origin = Pose(tool_pose.xyz) if i == 0 else Pose((0, 0, -r * 2))
        b.joint(name, "revolute", tool_link, wrist, origin, axis, lower=-math.pi, upper=math.pi, velocity=3.0)
        tool_link, tool_pose = wrist, Pose((0, 0, -r * 2), (math.pi, 0, 0))
    return b.built(f"{linear}axis_gantry", {"tool": (tool_link, tool_pose), "top": (frame, Pose((0, 0, h)))}, fixed_base=True)


def build_linear_rail(length: float = 0.6, carriages: int = 1, *, carrying: bool = False, prefix: str = "rail_") -> Built:
    """A profile rail on the floor with ``carriages`` independent carriages sliding along X."""
    length = max(0.1, float(length))
    carriages = max(1, min(int(carriages), 4))
    w = max(0.03, length * (0.25 if carrying else 0.1))
    t = w * 0.35
    b = Builder(prefix, color=_FRAME, density=DENSITY_STEEL_FRAME)
    rail = b.link(
        "rail",
        [
            Part(Box((length, w, t)), Pose((0, 0, t / 2))),
            Part(Box((length, w * 0.3, t * 0.6)), Pose((0, 0, t * 1.3)), _DARK),
        ],
    )
    seg = length / carriages
    block = min(seg * 0.4, w * 1.6)
    top = None
    for i in range(carriages):
        centre = -length / 2 + seg * (i + 0.5)
        car = b.link(f"carriage{i + 1}", [Part(Box((block, w * 1.1, t)), Pose((0, 0, t / 2)), _AXIS)])
        travel = round(seg / 2 - block / 2 - 0.002, 4)
        b.joint(f"carriage{i + 1}_slide", "prismatic", rail, car, Pose((centre, 0, t * 1.6)), (1.0, 0.0, 0.0),
                lower=-travel, upper=travel, velocity=1.0)  # fmt: skip
        top = top or (car, Pose((0, 0, t)))
    assert top is not None
    return b.built("linear_rail", {"top": top, "tool": top}, fixed_base=True)


def build_linear_actuator(length: float = 0.6, *, prefix: str = "actuator_") -> Built:
    """A rod actuator lying along X on two feet; the rod extends along +X (the tool mount faces +X)."""
    length = max(0.05, float(length))
    r = max(0.01, length * 0.06)
    foot = r * 1.3
    b = Builder(prefix, color=_AXIS)
    body = b.link(
        "body",
        [
            Part(Cylinder(r, length), at((0, 0, foot), "x")),
            Part(Box((r * 1.5, r * 2.4, foot)), Pose((-length * 0.4, 0, foot / 2)), _DARK),
            Part(Box((r * 1.5, r * 2.4, foot)), Pose((length * 0.4, 0, foot / 2)), _DARK),
        ],
    )
    stroke = round(length * 0.7, 4)
    rod_len = length * 0.85
    rod = b.link(
        "rod",
        [
            Part(Cylinder(r * 0.4, rod_len), at((-rod_len / 2 + r, 0, 0), "x"), _ROD),
            Part(Cylinder(r * 0.7, r * 0.6), at((r * 0.7, 0, 0), "x"), _DARK),
        ],
    )
    b.joint("rod_slide", "prismatic", body, rod, Pose((length / 2, 0, foot)), (1.0, 0.0, 0.0), lower=0.0, upper=stroke, velocity=0.3)
    tool = (rod, Pose((r, 0, 0), (0, math.pi / 2, 0)))
    return b.built("linear_actuator", {"tool": tool, "top": tool}, fixed_base=True)


def build_turntable(diameter: float = 0.5, *, tilt: bool = False, prefix: str = "turntable_") -> Built:
    """A rotary platter on a base (continuous about Z); ``tilt`` adds a trunnion tilt axis under it."""
    radius = max(0.05, float(diameter) / 2)
    h = radius * 0.3
    b = Builder(prefix, color=_FRAME, density=DENSITY_STEEL_FRAME)
    base_parts = [Part(Cylinder(radius * 0.9, h), Pose((0, 0, h / 2)), _DARK)]
    z = h
    if tilt:
        post = radius * 0.15
        for sy in (1, -1):
            base_parts.append(Part(Box((post * 2, post, radius * 0.9)), Pose((0, sy * (radius + post), h + radius * 0.45))))
    base = b.link("base", base_parts)
    parent = base
    if tilt:
        cradle = b.link(
            "cradle",
            [
                Part(Box((radius * 1.6, radius * 2, h * 0.4)), Pose((0, 0, -h * 0.2))),
                Part(Cylinder(radius * 0.1, radius * 2.2), at((0, 0, 0), "y"), _DARK),
            ],
        )
        b.joint("tilt", "revolute", base, cradle, Pose((0, 0, h + radius * 0.8)), (0.0, 1.0, 0.0),
                lower=-math.radians(110), upper=math.radians(110), velocity=1.0)  # fmt: skip
        parent, z = cradle, 0.0
    platter = b.link(
        "platter",
        [
            Part(Cylinder(radius, h * 0.3), Pose((0, 0, h * 0.15)), _AXIS),
            Part(Box((radius * 0.2, radius * 0.05, h * 0.05)), Pose((radius * 0.75, 0, h * 0.32)), _DARK, collision=False, massless=True),
        ],
    )
    b.joint("rotation", "continuous", parent, platter, Pose((0, 0, z)), (0.0, 0.0, 1.0), velocity=3.0)
    return b.built("tilting_turntable" if tilt else "turntable", {"top": (platter, Pose((0, 0, h * 0.3)))}, fixed_base=True)
