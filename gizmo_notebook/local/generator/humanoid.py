"""Humanoid upper bodies: a torso on a pedestal with a waist, two arms and a pan-tilt head.

Arms hang straight down at q = 0 (no gravity torque at rest) and bend like human arms:
shoulder pitch/roll/yaw, elbow, then wrist axes, as many as the per-arm DOF asks for. Each
hand is a mount ("left_hand", "right_hand") whose +Z points out of the palm, so grippers
attach there when the prompt asks for them.
"""

from __future__ import annotations

import math

from ...model import Box, Capsule, Cylinder, Pose, Sphere
from ._builder import Builder, Built, Part
from .spec import Spec

__all__ = ["ARM_PATTERNS", "build_humanoid", "humanoid_from_spec"]

_SHELL = (0.92, 0.92, 0.94, 1.0)
_JOINT = (0.22, 0.23, 0.26, 1.0)
_EYE = (0.1, 0.5, 0.9, 1.0)

# Per-arm joint sequences: P shoulder pitch, R shoulder roll, Y shoulder yaw, E elbow,
# w wrist yaw, p wrist pitch, r wrist roll.
ARM_PATTERNS: dict[int, str] = {1: "P", 2: "PE", 3: "PRE", 4: "PRYE", 5: "PRYEw", 6: "PRYEwp", 7: "PRYEwpr"}
_AXES = {"P": (0.0, 1.0, 0.0), "R": (1.0, 0.0, 0.0), "Y": (0.0, 0.0, 1.0), "E": (0.0, 1.0, 0.0),
         "w": (0.0, 0.0, 1.0), "p": (0.0, 1.0, 0.0), "r": (1.0, 0.0, 0.0)}  # fmt: skip
_NAMES = {"P": "shoulder_pitch", "R": "shoulder_roll", "Y": "shoulder_yaw", "E": "elbow",
          "w": "wrist_yaw", "p": "wrist_pitch", "r": "wrist_roll"}  # fmt: skip
_LIMITS = {"P": (-math.radians(170), math.radians(170)), "R": (-math.radians(90), math.radians(90)),
           "Y": (-math.radians(90), math.radians(90)), "E": (-math.radians(145), 0.0),
           "w": (-math.radians(90), math.radians(90)), "p": (-math.radians(70), math.radians(70)),
           "r": (-math.radians(90), math.radians(90))}  # fmt: skip


def humanoid_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    height = spec.height or spec.size or 1.0 * spec.scale
    arm_dof = spec.dof if spec.dof is not None else 4
    return build_humanoid(height, arm_dof, head=not spec.negates("head"))


def build_humanoid(height: float = 1.0, arm_dof: int = 4, *, head: bool = True, prefix: str = "humanoid_") -> Built:
    """An upper body ``height`` metres tall on a pedestal: waist yaw, two arms, a pan-tilt neck."""
    u = max(0.2, float(height))
    arm_dof = max(1, min(int(arm_dof), 7))
    b = Builder(prefix, color=_SHELL)
    col_h = 0.4 * u
    pedestal = b.link(
        "pedestal",
        [
            Part(Cylinder(0.2 * u, 0.03 * u), Pose((0, 0, 0.015 * u)), _JOINT),
            Part(Cylinder(0.06 * u, col_h), Pose((0, 0, 0.03 * u + col_h / 2)), _JOINT),
        ],
    )
    ht, half_w = 0.42 * u, 0.17 * u
    torso = b.link(
        "torso",
        [
            Part(Box((0.16 * u, 0.24 * u, 0.1 * u)), Pose((0, 0, 0.05 * u)), _JOINT),
            Part(Box((0.2 * u, 2 * half_w, ht - 0.1 * u)), Pose((0, 0, 0.1 * u + (ht - 0.1 * u) / 2))),
        ],
    )
    b.joint("waist_yaw", "revolute", pedestal, torso, Pose((0, 0, 0.03 * u + col_h)), lower=-math.radians(120), upper=math.radians(120), velocity=1.5)
    mounts: dict[str, tuple[str, Pose]] = {"top": (torso, Pose((0, 0, ht)))}
    if head:
        neck = b.link("neck", [Part(Cylinder(0.04 * u, 0.06 * u), Pose((0, 0, 0.03 * u)), _JOINT)])
        b.joint("neck_pan", "revolute", torso, neck, Pose((0, 0, ht)), lower=-math.radians(90), upper=math.radians(90), velocity=3.0)
        skull = b.link(
            "head",
            [
                Part(Box((0.18 * u, 0.16 * u, 0.2 * u)), Pose((0, 0, 0.1 * u))),
                *(Part(Sphere(0.018 * u), Pose((0.09 * u, sy * 0.04 * u, 0.12 * u)), _EYE, collision=False, massless=True) for sy in (1, -1)),
            ],
        )
        b.joint("neck_tilt", "revolute", neck, skull, Pose((0, 0, 0.06 * u)), (0.0, 1.0, 0.0), lower=-math.radians(40), upper=math.radians(50), velocity=3.0)
    for side, sy in (("left", 1.0), ("right", -1.0)):
        mounts[f"{side}_hand"] = _arm(b, torso, side, Pose((0, sy * (half_w + 0.05 * u), ht - 0.05 * u)), arm_dof, u)
    return b.built("humanoid_upper_body", mounts, fixed_base=True)


def _arm(b: Builder, torso: str, side: str, shoulder: Pose, dof: int, u: float) -> tuple[str, Pose]:
    """One arm hanging from ``shoulder``; returns its hand mount (link, pose with +Z out of the palm)."""
    pattern = ARM_PATTERNS[dof]
    lu, lf, r = 0.26 * u, 0.24 * u, 0.035 * u
    segments = {"E": lf}  # the link after the elbow is the forearm; after the last shoulder axis, the upper arm
    last_shoulder = max(i for i, axis in enumerate(pattern) if axis in "PRY")
    parent, offset = torso, shoulder
    has_elbow = "E" in pattern
    for i, axis in enumerate(pattern):
        length = lu if i == last_shoulder else segments.get(axis, 0.0)
        if length:
            parts = [Part(Capsule(r, length - 2 * r), Pose((0, 0, -length / 2)), None), Part(Sphere(r * 1.3), Pose(), _JOINT)]
        else:
            parts = [Part(Sphere(r * 1.2), Pose(), _JOINT)]
        child = b.link(f"{side}_{_NAMES[axis]}_link", parts)
        lower, upper = _LIMITS[axis]
        b.joint(f"{side}_{_NAMES[axis]}", "revolute", parent, child, offset, _AXES[axis], lower=lower, upper=upper, velocity=3.0)
        parent, offset = child, Pose((0, 0, -length))
        if i == last_shoulder and not has_elbow:
            forearm = b.link(f"{side}_forearm", [Part(Capsule(r, lf - 2 * r), Pose((0, 0, -lf / 2)))])
            b.joint(f"{side}_forearm_fixed", "fixed", parent, forearm, offset)
            parent, offset = forearm, Pose((0, 0, -lf))
    hand = b.link(f"{side}_hand", [Part(Box((0.03 * u, 0.07 * u, 0.09 * u)), Pose((0, 0, -0.045 * u)), _JOINT)])
    b.joint(f"{side}_hand_fixed", "fixed", parent, hand, offset)
    return hand, Pose((0, 0, -0.09 * u), (math.pi, 0, 0))
