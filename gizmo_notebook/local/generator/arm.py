"""Serial manipulators: N-DOF articulated arms (1-12 joints), planar arms and SCARA arms.

Articulated arms stand straight up at q = 0 (a common "candle" home pose), the base
sitting on z = 0. Joint axes follow industrial practice: base yaw, then pitch joints for
shoulder/elbow, then alternating roll/pitch wrist joints; the tool flange's +Z points out
of the last link, which is where a gripper attaches.

A *planar* arm (the textbook "two-link planar arm") has every joint axis parallel: all
pitch joints, so the arm moves in the vertical XZ plane, with links of equal length.
"""

from __future__ import annotations

import math

from ...model import Box, Cylinder, Pose
from ._builder import Builder, Built, Part, at

__all__ = ["build_arm", "build_scara"]

_ARM_COLOR = (0.93, 0.55, 0.12, 1.0)
_JOINT_COLOR = (0.22, 0.23, 0.26, 1.0)

# Axis patterns: Y = yaw about Z (base), P = pitch about Y, R = roll about the link (Z).
_PATTERNS: dict[int, str] = {
    1: "Y",
    2: "YP",
    3: "YPP",
    4: "YPPP",
    5: "YPPRP",
    6: "YPPRPR",
    7: "YPRPRPR",
}

# Relative length of the link that follows each joint, by position in the pattern.
_SHOULDER, _UPPER, _FORE, _WRIST = 0.12, 0.42, 0.36, 0.05
_BASE_HEIGHT = 0.14  # base column height per metre of reach
_FLANGE = 0.065 * 0.5 * 0.4  # flange thickness per metre of reach
# Standing height at q = 0 (base + shoulder + reach + flange) per metre of reach; lets
# "1.2 m tall" be honoured exactly.
HEIGHT_PER_REACH = _BASE_HEIGHT + _SHOULDER + 1.0 + _FLANGE
# A planar arm has no yaw shoulder: its first joint sits on the base column.
PLANAR_HEIGHT_PER_REACH = _BASE_HEIGHT + 1.0 + _FLANGE


def _pattern(dof: int, planar: bool = False) -> str:
    if planar:
        return "P" * dof
    if dof in _PATTERNS:
        return _PATTERNS[dof]
    # Redundant arms beyond 7: keep adding pitch/roll pairs to the wrist.
    extra = "".join("PR"[i % 2] for i in range(dof - 7))
    return _PATTERNS[7] + extra


def _lengths(pattern: str, reach: float) -> list[float]:
    if pattern[0] == "P":  # planar: equal links from the base, reach = their sum
        return [reach / len(pattern)] * len(pattern)
    weights: list[float] = []
    pitches = 0
    for i, axis in enumerate(pattern):
        if i == 0:
            weights.append(_SHOULDER)
        elif axis == "P" and pitches == 0:
            weights.append(_UPPER)
            pitches += 1
        elif axis == "P" and pitches == 1:
            weights.append(_FORE)
            pitches += 1
        else:
            weights.append(_WRIST)
    total = sum(weights[1:]) or 1.0
    # Reach is measured from the shoulder to the flange, the datasheet convention.
    return [weights[0] * reach] + [w / total * reach for w in weights[1:]]


def build_arm(dof: int = 6, reach: float = 0.8, *, planar: bool = False, prefix: str = "arm_") -> Built:
    """An articulated arm with ``dof`` revolute joints and ``reach`` metres shoulder-to-flange.

    ``planar`` makes every joint a pitch joint (axes parallel), the links equally long.
    """
    dof = max(1, min(int(dof), 12))
    reach = max(0.1, float(reach))
    b = Builder(prefix, color=_ARM_COLOR)
    pattern = _pattern(dof, planar)
    lengths = _lengths(pattern, reach)
    r0 = max(0.015, 0.065 * reach)
    base_h = max(0.04, _BASE_HEIGHT * reach)
    velocity = round(min(3.5, 1.6 / math.sqrt(reach)), 2)

    parent = b.link(
        "base",
        [
            Part(Cylinder(r0 * 1.6, base_h * 0.2), Pose((0, 0, base_h * 0.1)), _JOINT_COLOR),
            Part(Cylinder(r0 * 1.25, base_h * 0.8), Pose((0, 0, base_h * 0.6))),
        ],
    )
    z_prev = base_h
    pitch_seen = 0
    for i, (axis, length) in enumerate(zip(pattern, lengths, strict=True), start=1):
        taper = 1.0 - 0.45 * (i - 1) / max(dof - 1, 1)
        r = r0 * taper
        parts = [Part(Cylinder(r * 0.85, length), Pose((0, 0, length / 2)))]
        if axis == "P":
            parts.append(Part(Cylinder(r * 1.1, r * 2.3), at((0, 0, 0), "y"), _JOINT_COLOR))
        else:
            parts.append(Part(Cylinder(r * 1.1, min(r * 1.2, length)), Pose((0, 0, min(r * 0.6, length / 2))), _JOINT_COLOR))
        child = b.link(f"link{i}", parts)
        lower, upper = _limits(axis, pitch_seen)
        if axis == "P":
            pitch_seen += 1
        b.joint(
            f"joint{i}",
            "revolute",
            parent,
            child,
            Pose((0, 0, z_prev)),
            (0.0, 1.0, 0.0) if axis == "P" else (0.0, 0.0, 1.0),
            lower=lower,
            upper=upper,
            velocity=velocity,
        )
        parent, z_prev = child, length
    flange_r = r0 * 0.5
    flange = b.link("flange", [Part(Cylinder(flange_r, flange_r * 0.4), Pose((0, 0, flange_r * 0.2)), _JOINT_COLOR)])
    b.joint("flange_joint", "fixed", parent, flange, Pose((0, 0, z_prev)))
    return b.built(f"{dof}dof_{'planar_' if planar else ''}arm", {"tool": (flange, Pose((0, 0, flange_r * 0.4)))}, fixed_base=True)


def _limits(axis: str, pitch_index: int) -> tuple[float, float]:
    if axis == "Y":
        return -math.radians(170), math.radians(170)
    if axis == "R":
        return -math.pi, math.pi
    if pitch_index == 0:
        return -math.radians(120), math.radians(120)
    if pitch_index == 1:
        return -math.radians(150), math.radians(150)
    return -math.radians(125), math.radians(125)


def build_scara(reach: float = 0.6, dof: int = 4, *, prefix: str = "arm_") -> Built:
    """A SCARA: column, two horizontal links (yaw, yaw), a vertical quill (slide) and tool roll.

    ``dof`` 3 drops the tool roll; anything else builds the usual 4-axis SCARA.
    """
    reach = max(0.15, float(reach))
    b = Builder(prefix, color=(0.85, 0.86, 0.88, 1.0))
    a1, a2 = reach * 0.55, reach * 0.45
    col_h = reach * 0.7
    t = reach * 0.1  # link thickness
    w = reach * 0.12
    stroke = reach * 0.3
    velocity = round(min(4.0, 2.0 / math.sqrt(reach)), 2)

    base = b.link(
        "base",
        [
            Part(Box((w * 2.2, w * 2.2, t * 0.5)), Pose((0, 0, t * 0.25)), _JOINT_COLOR),
            Part(Cylinder(w * 0.6, col_h), Pose((0, 0, col_h / 2))),
        ],
    )
    link1 = b.link(
        "link1",
        [
            Part(Box((a1, w, t)), Pose((a1 / 2, 0, t / 2))),
            Part(Cylinder(w * 0.6, t * 1.2), Pose((0, 0, t / 2)), _JOINT_COLOR),
        ],
    )
    b.joint("joint1", "revolute", base, link1, Pose((0, 0, col_h)), lower=-math.radians(132), upper=math.radians(132), velocity=velocity)
    link2 = b.link(
        "link2",
        [
            Part(Box((a2, w * 0.9, t * 0.9)), Pose((a2 / 2, 0, t * 0.45))),
            Part(Cylinder(w * 0.5, t * 1.1), Pose((0, 0, t * 0.45)), _JOINT_COLOR),
            Part(Cylinder(w * 0.45, t * 1.6), Pose((a2, 0, t * 0.6)), _JOINT_COLOR),
        ],
    )
    b.joint("joint2", "revolute", link1, link2, Pose((a1, 0, t)), lower=-math.radians(145), upper=math.radians(145), velocity=velocity)
    quill_len = stroke + t * 2
    quill = b.link("quill", [Part(Cylinder(w * 0.18, quill_len), Pose((0, 0, -quill_len / 2 + t)))])
    # The quill slides along -Z of link2: q = 0 is fully raised, q = stroke fully lowered.
    b.joint("joint3", "prismatic", link2, quill, Pose((a2, 0, 0)), (0.0, 0.0, -1.0), lower=0.0, upper=stroke, velocity=0.5)
    tip_z = -quill_len + t
    if dof == 3:
        tool_link, tool_pose = quill, Pose((0, 0, tip_z), (math.pi, 0, 0))
    else:
        roll = b.link("tool", [Part(Cylinder(w * 0.25, t * 0.4), Pose((0, 0, -t * 0.2)), _JOINT_COLOR)])
        b.joint("joint4", "revolute", quill, roll, Pose((0, 0, tip_z)), lower=-2 * math.pi, upper=2 * math.pi, velocity=velocity * 2)
        tool_link, tool_pose = roll, Pose((0, 0, -t * 0.4), (math.pi, 0, 0))
    return b.built("scara_arm", {"tool": (tool_link, tool_pose)}, fixed_base=True)
