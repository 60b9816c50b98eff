"""Delta (parallel) robots, approximated as a kinematic tree.

A real delta closes three loops: each motor's upper arm drives a parallelogram forearm, and
all three forearms meet at the effector. URDF and USD articulations are trees, so this model
keeps the three actuated shoulders and rigid forearms, and lets the effector ride on arm 1
(arms 2 and 3 move independently). The interpretation on the asset says so. At q = 0 the
forearms meet the effector exactly, as on the real robot.
"""

from __future__ import annotations

import math

import numpy as np

from ...model import Box, Capsule, Cylinder, Pose
from ._builder import DENSITY_STEEL_FRAME, Builder, Built, Part, at
from .spec import Spec

__all__ = ["TREE_NOTE", "build_delta", "delta_from_spec"]

TREE_NOTE = (
    "delta robot: its closed parallel linkage is approximated as a tree (the effector rides on arm 1; "
    "arms 2 and 3 move independently), since URDF and USD articulations cannot close loops"
)
_FRAME = (0.55, 0.58, 0.62, 1.0)
_ARM = (0.9, 0.9, 0.92, 1.0)
_DARK = (0.2, 0.2, 0.22, 1.0)


def delta_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    size = spec.reach or spec.width or spec.size or 0.4 * spec.scale
    return build_delta(size, rotary=spec.dof is not None and spec.dof >= 4)


def build_delta(size: float = 0.4, *, rotary: bool = False, prefix: str = "delta_") -> Built:
    """A ceiling-frame delta robot about ``size`` metres in arm span; ``rotary`` adds a tool roll."""
    s = max(0.1, float(size))
    rb, la, re_, lf = 0.25 * s, 0.45 * s, 0.12 * s, 1.0 * s
    hf = math.sqrt(lf**2 - (rb + la - re_) ** 2)
    h0 = hf + 0.6 * s  # shoulder height: the effector hangs 0.6 s above the floor at rest
    rp = rb + la + 0.25 * s
    t = 0.04 * s
    b = Builder(prefix, color=_FRAME, density=DENSITY_STEEL_FRAME)

    parts = [Part(Cylinder(rb * 1.35, t), Pose((0, 0, h0 + t)), _DARK)]
    for i in range(3):
        a = 2 * math.pi * i / 3 + math.pi / 3  # posts between the arms
        x, y = rp * math.cos(a), rp * math.sin(a)
        parts.append(Part(Box((t, t, h0 + 1.5 * t)), Pose((x, y, (h0 + 1.5 * t) / 2))))
        # Spoke from the post top to the base plate.
        parts.append(Part(Box((rp, t, t)), Pose((x / 2, y / 2, h0 + t), (0, 0, a)), _DARK))
    frame = b.link("frame", parts)

    r = 0.035 * s
    tip_local = np.array([re_ - rb - la, 0.0, -hf])  # effector joint seen from the elbow, arm frame
    phi = math.atan2(tip_local[0], tip_local[2])
    carrier = None
    for i in range(3):
        a = 2 * math.pi * i / 3
        upper = b.link(
            f"arm{i + 1}_upper",
            [
                Part(Capsule(r, la), at((la / 2, 0, 0), "x"), _ARM),
                Part(Cylinder(r * 1.6, r * 3), at((0, 0, 0), "y"), _DARK),
            ],
        )
        # Shoulder axis is tangential (local Y); positive q swings the arm down.
        b.joint(f"arm{i + 1}_shoulder", "revolute", frame, upper, Pose((rb * math.cos(a), rb * math.sin(a), h0), (0, 0, a)),
                (0.0, 1.0, 0.0), lower=-math.radians(40), upper=math.radians(80), velocity=6.0)  # fmt: skip
        rods = [
            Part(Capsule(r * 0.4, lf), Pose(tuple(tip_local / 2 + (0, sy * r * 1.5, 0)), (0, phi, 0)), _ARM)
            for sy in (1, -1)
        ]
        forearm = b.link(f"arm{i + 1}_forearm", rods)
        b.joint(f"arm{i + 1}_elbow", "fixed", upper, forearm, Pose((la, 0, 0)))
        if i == 0:
            carrier = forearm
    assert carrier is not None
    effector = b.link("effector", [Part(Cylinder(re_ * 1.2, t), Pose((0, 0, -t / 2)), _DARK)])
    # Arm 1 points along +X, so its forearm frame is world-aligned: the effector centre is
    # its tip point moved in by the effector radius.
    b.joint("effector_mount", "fixed", carrier, effector, Pose((-(rb + la), 0.0, -hf)))
    tool_link, tool_pose = effector, Pose((0, 0, -t), (math.pi, 0, 0))
    if rotary:
        tool = b.link("tool", [Part(Cylinder(re_ * 0.4, t), Pose((0, 0, -t / 2)), _ARM)])
        b.joint("tool_roll", "revolute", effector, tool, Pose((0, 0, -t)), lower=-math.pi, upper=math.pi, velocity=8.0)
        tool_link, tool_pose = tool, Pose((0, 0, -t), (math.pi, 0, 0))
    return b.built("delta_robot", {"tool": (tool_link, tool_pose), "top": (frame, Pose((0, 0, h0 + 1.5 * t)))}, fixed_base=True)
