"""Legged robots: quadrupeds (3 joints per leg) and hexapods (3 joints per leg, spider stance).

The body link's frame is at the torso centre; at q = 0 a quadruped stands on straight legs
and a hexapod on vertical shins with horizontal thighs, feet on z = 0 once the exporter
drops the (floating) robot onto the floor. Hip and knee motors are rated for the whole body
weight on half the legs — a trot — with margin, not just for the leg's own mass.
"""

from __future__ import annotations

import math

from ...model import Box, Capsule, Cylinder, Pose, Sphere
from ._builder import DENSITY_RUBBER, GRAVITY, Builder, Built, Part, at
from .spec import Spec

__all__ = ["build_from_spec", "build_hexapod", "build_quadruped"]

_BODY = (0.85, 0.82, 0.2, 1.0)
_LEG = (0.2, 0.2, 0.22, 1.0)
_FOOT = (0.1, 0.1, 0.1, 1.0)


def build_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    length = spec.length or spec.size or (0.7 if carrying else 0.55) * spec.scale
    if spec.height and not spec.length:
        length = spec.height * 1.2
    if spec.legs == 6:
        return build_hexapod(length)
    return build_quadruped(length, payload=6.0 * spec.scale if carrying else 0.0)


def build_quadruped(length: float = 0.55, *, payload: float = 0.0, prefix: str = "legs_") -> Built:
    length = max(0.12, float(length))
    width, height = length * 0.45, length * 0.18
    thigh, shin = length * 0.38, length * 0.38
    r = length * 0.035
    b = Builder(prefix, color=_BODY)
    body = b.link(
        "body",
        [
            Part(Box((length, width, height))),
            Part(Box((length * 0.2, width * 0.6, height * 0.6)), Pose((length * 0.55, 0, height * 0.1)), _LEG),
        ],
    )
    weight = (b.total_mass() + 4 * 3 * math.pi * r * r * thigh * 1200 + payload) * GRAVITY
    leg_load = weight / 2  # trotting: two feet carry everything
    hip_effort = round(2.0 * leg_load * thigh * 0.5, 1)
    knee_effort = round(2.0 * leg_load * shin * 0.7, 1)
    for tag, sx, sy in (("fl", 1, 1), ("fr", 1, -1), ("rl", -1, 1), ("rr", -1, -1)):
        hip = b.link(f"{tag}_hip", [Part(Cylinder(r * 1.6, r * 3), at((0, 0, 0), "x"), _LEG)])
        b.joint(f"{tag}_hip_roll", "revolute", body, hip, Pose((sx * length * 0.4, sy * (width / 2 + r * 1.6), 0)), (1.0, 0.0, 0.0),
                lower=-math.radians(45), upper=math.radians(45), effort=hip_effort, velocity=8.0)  # fmt: skip
        upper = b.link(f"{tag}_thigh", [Part(Capsule(r, thigh), Pose((0, 0, -thigh / 2))), Part(Cylinder(r * 1.5, r * 2.6), at((0, 0, 0), "y"), _LEG)])
        b.joint(f"{tag}_hip_pitch", "revolute", hip, upper, Pose((0, sy * r * 2.5, 0)), (0.0, 1.0, 0.0),
                lower=-math.radians(90), upper=math.radians(90), effort=hip_effort, velocity=8.0)  # fmt: skip
        lower = b.link(
            f"{tag}_shin",
            [Part(Capsule(r * 0.8, shin), Pose((0, 0, -shin / 2)), _LEG), Part(Sphere(r * 1.3), Pose((0, 0, -shin)), _FOOT, density=DENSITY_RUBBER)],
        )
        b.joint(f"{tag}_knee", "revolute", upper, lower, Pose((0, 0, -thigh)), (0.0, 1.0, 0.0),
                lower=-math.radians(150), upper=0.0, effort=knee_effort, velocity=10.0)  # fmt: skip
    return b.built("quadruped", {"top": (body, Pose((0, 0, height / 2)))}, fixed_base=False)


def build_hexapod(length: float = 0.5, *, prefix: str = "legs_") -> Built:
    length = max(0.12, float(length))
    radius, height = length * 0.3, length * 0.12
    coxa, femur, tibia = length * 0.08, length * 0.22, length * 0.3
    r = length * 0.025
    b = Builder(prefix, color=(0.3, 0.6, 0.85, 1.0))
    body = b.link("body", [Part(Cylinder(radius, height)), Part(Cylinder(radius * 0.6, height * 0.4), Pose((0, 0, height * 0.7)), _LEG)])
    weight = (b.total_mass() + 6 * math.pi * r * r * (coxa + femur + tibia) * 1200) * GRAVITY
    leg_load = weight / 3  # tripod gait
    effort = round(2.0 * leg_load * femur, 1)
    for i in range(6):
        angle = math.pi / 6 + 2 * math.pi * i / 6
        tag = f"leg{i + 1}"
        mount = Pose((radius * math.cos(angle), radius * math.sin(angle), 0), (0, 0, angle))
        c = b.link(f"{tag}_coxa", [Part(Box((coxa, r * 2.5, r * 2.5)), Pose((coxa / 2, 0, 0)), _LEG)])
        b.joint(f"{tag}_coxa_joint", "revolute", body, c, mount, (0.0, 0.0, 1.0), lower=-math.radians(45), upper=math.radians(45), effort=effort, velocity=5.0)
        f = b.link(f"{tag}_femur", [Part(Capsule(r, femur), Pose((femur / 2, 0, 0), (0, math.pi / 2, 0))), Part(Cylinder(r * 1.4, r * 2.6), at((0, 0, 0), "y"), _LEG)])
        b.joint(f"{tag}_femur_joint", "revolute", c, f, Pose((coxa, 0, 0)), (0.0, 1.0, 0.0), lower=-math.radians(90), upper=math.radians(90), effort=effort, velocity=5.0)
        t = b.link(f"{tag}_tibia", [Part(Capsule(r * 0.8, tibia), Pose((0, 0, -tibia / 2)), _LEG), Part(Sphere(r * 1.2), Pose((0, 0, -tibia)), _FOOT, density=DENSITY_RUBBER)])
        b.joint(f"{tag}_tibia_joint", "revolute", f, t, Pose((femur, 0, 0)), (0.0, 1.0, 0.0), lower=-math.radians(60), upper=math.radians(120), effort=effort, velocity=5.0)
    return b.built("hexapod", {"top": (body, Pose((0, 0, height / 2 + height * 0.9)))}, fixed_base=False)
