"""End effectors: parallel-jaw, two-finger, three-finger and suction grippers.

A gripper's root link is its palm, with the mounting face at z = 0 and the fingers
pointing along +Z, so it bolts onto an arm's tool mount without any extra rotation.
Finger and cup shapes are trimesh meshes (tapered jaws, a flared cup), which is what puts
mesh geometry into the exports.
"""

from __future__ import annotations

import math

from ...model import Box, Capsule, Cylinder, Pose, Sphere
from . import _meshes
from ._builder import DENSITY_LIGHT, DENSITY_RUBBER, Builder, Built, Part, at

__all__ = ["build_gripper", "GRIPPER_KINDS"]

GRIPPER_KINDS = ("parallel_jaw", "two_finger", "three_finger", "suction")
_BODY = (0.2, 0.21, 0.24, 1.0)
_FINGER = (0.75, 0.77, 0.8, 1.0)
_PAD = (0.12, 0.12, 0.12, 1.0)


def build_gripper(kind: str = "parallel_jaw", width: float = 0.1, *, prefix: str = "gripper_") -> Built:
    """A gripper of ``kind`` whose palm is ``width`` metres across."""
    width = max(0.02, float(width))
    builders = {
        "parallel_jaw": _parallel_jaw,
        "two_finger": _two_finger,
        "three_finger": _three_finger,
        "suction": _suction,
    }
    if kind not in builders:
        raise ValueError(f"unknown gripper kind {kind!r}: use one of {', '.join(GRIPPER_KINDS)}")
    return builders[kind](width, prefix)


def _palm(b: Builder, w: float, depth: float, h: float) -> str:
    return b.link(
        "palm",
        [
            Part(Cylinder(min(w, depth) * 0.35, h * 0.25), Pose((0, 0, h * 0.125))),
            Part(Box((depth, w, h * 0.75)), Pose((0, 0, h * 0.25 + h * 0.375))),
        ],
    )


def _parallel_jaw(w: float, prefix: str) -> Built:
    b = Builder(prefix, color=_BODY, density=DENSITY_LIGHT * 1.5)
    h = w * 0.45
    palm = _palm(b, w, w * 0.45, h)
    stroke = w * 0.4  # total opening; each jaw travels half of it
    length, thick, depth = w * 0.7, w * 0.12, w * 0.35
    mesh = _meshes.finger(length, depth, thick)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        # The mesh's flat inner face is at -y; flip the right jaw 180 deg about Z to face in.
        finger_pose = Pose((0, 0, 0), (0, 0, 0 if sign > 0 else math.pi))
        pad = Part(Box((depth * 0.9, thick * 0.15, length * 0.45)), Pose((0, -sign * thick * 0.55, length * 0.7)), _PAD, density=DENSITY_RUBBER)
        finger = b.link(f"finger_{side}", [Part(mesh, finger_pose, _FINGER), pad])
        b.joint(
            f"finger_{side}_joint",
            "prismatic",
            palm,
            finger,
            Pose((0, sign * (thick * 0.6), h)),
            (0.0, sign, 0.0),
            lower=0.0,
            upper=round(stroke / 2, 5),
            velocity=0.1,
            effort=round(40.0 * w / 0.1, 1),
        )
    return b.built("parallel_jaw_gripper", {"tcp": (palm, Pose((0, 0, h + length * 0.8)))}, fixed_base=True)


def _phalanx(length: float, radius: float) -> list[Part]:
    return [
        Part(Capsule(radius, length), Pose((0, 0, length / 2 + radius)), _FINGER),
        Part(Cylinder(radius * 1.15, radius * 2.4), at((0, 0, 0), "x"), _BODY),
    ]


def _finger_chain(b: Builder, palm: str, name: str, base: Pose, w: float, lower: float, upper: float) -> None:
    r = w * 0.06
    l1, l2 = w * 0.38, w * 0.3
    proximal = b.link(f"{name}_proximal", _phalanx(l1, r))
    b.joint(f"{name}_joint1", "revolute", palm, proximal, base, (1.0, 0.0, 0.0), lower=lower, upper=upper, velocity=2.0)
    distal = b.link(f"{name}_distal", [*_phalanx(l2, r * 0.9), Part(Sphere(r * 0.9), Pose((0, 0, l2 + r * 1.6)), _PAD, density=DENSITY_RUBBER)])
    b.joint(f"{name}_joint2", "revolute", proximal, distal, Pose((0, 0, l1 + 2 * r)), (1.0, 0.0, 0.0), lower=0.0, upper=math.radians(90), velocity=2.0)


def _two_finger(w: float, prefix: str) -> Built:
    b = Builder(prefix, color=_BODY, density=DENSITY_LIGHT * 1.5)
    h = w * 0.4
    palm = _palm(b, w, w * 0.4, h)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        # Fingers hinge about X; the right one is turned 180 deg about Z so "closing" is +q for both.
        base = Pose((0, sign * w * 0.3, h + w * 0.06), (0, 0, 0 if sign > 0 else math.pi))
        _finger_chain(b, palm, f"finger_{side}", base, w, -math.radians(30), math.radians(60))
    return b.built("two_finger_gripper", {"tcp": (palm, Pose((0, 0, h + w * 0.8)))}, fixed_base=True)


def _three_finger(w: float, prefix: str) -> Built:
    b = Builder(prefix, color=_BODY, density=DENSITY_LIGHT * 1.5)
    h = w * 0.4
    palm = b.link(
        "palm",
        [
            Part(Cylinder(w * 0.5, h * 0.8), Pose((0, 0, h * 0.4))),
            Part(Cylinder(w * 0.3, h * 0.2), Pose((0, 0, h * 0.9)), _PAD),
        ],
    )
    for i in range(3):
        angle = 2 * math.pi * i / 3
        # Each finger's local +Y points at the palm centre so +q about X curls it inwards.
        base = Pose((w * 0.38 * math.cos(angle), w * 0.38 * math.sin(angle), h + w * 0.06), (0, 0, angle - math.pi / 2))
        _finger_chain(b, palm, f"finger{i + 1}", base, w, -math.radians(20), math.radians(70))
    return b.built("three_finger_gripper", {"tcp": (palm, Pose((0, 0, h + w * 0.8)))}, fixed_base=True)


def _suction(w: float, prefix: str) -> Built:
    b = Builder(prefix, color=_BODY, density=DENSITY_LIGHT * 1.5)
    h = w * 0.35
    body = b.link(
        "body",
        [
            Part(Cylinder(w * 0.3, h), Pose((0, 0, h / 2))),
            Part(Cylinder(w * 0.08, h * 0.6), at((w * 0.3, 0, h * 0.6), "x"), _FINGER),  # vacuum port
        ],
    )
    travel = w * 0.15
    stem_len = w * 0.4
    cup_h, cup_r = w * 0.25, w * 0.35
    # A spring-loaded compliance stroke: the stem slides into the body when the cup presses.
    cup = b.link(
        "cup",
        [
            Part(Cylinder(w * 0.07, stem_len), Pose((0, 0, stem_len / 2)), _FINGER),
            Part(_meshes.suction_cup(cup_r, cup_h), Pose((0, 0, stem_len)), _PAD, density=DENSITY_RUBBER),
        ],
    )
    b.joint("compliance_joint", "prismatic", body, cup, Pose((0, 0, h)), (0.0, 0.0, -1.0), lower=0.0, upper=round(travel, 5), velocity=0.2)
    return b.built("suction_gripper", {"tcp": (cup, Pose((0, 0, stem_len + cup_h)))}, fixed_base=True)
