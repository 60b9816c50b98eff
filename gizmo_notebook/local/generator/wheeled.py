"""Wheeled mobile bases: differential drive, four-wheel (skid steer), omni (kiwi) and mecanum.

The base link's frame is at the centre of the chassis footprint on the ground (z = 0 at
the wheel contact points), +X forward. Wheels are ``continuous`` joints. A differential
drive's casters are real swivel casters — a passive swivel (Z) and a passive wheel (Y) —
marked passive by a rated effort of 0 (exporters give them no motor), so the robot rolls
instead of dragging two fixed balls along the floor.
Wheeled bases float: exporters give them a free joint, not a weld.
"""

from __future__ import annotations

import math

from ...model import Box, Cylinder, Pose, Sphere
from ._builder import DENSITY_LIGHT, DENSITY_RUBBER, GRAVITY, Builder, Built, Part, at
from .spec import Spec

__all__ = ["DRIVES", "build_wheeled", "build_from_spec"]

DRIVES = ("differential", "four_wheel", "omni", "mecanum")
_CHASSIS = (0.25, 0.3, 0.36, 1.0)
_WHEEL = (0.08, 0.08, 0.09, 1.0)
_HUB = (0.7, 0.7, 0.72, 1.0)


def build_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    length = spec.length or spec.size or (0.6 if carrying else 0.45) * spec.scale
    return build_wheeled(spec.drive, length, payload=8.0 * spec.scale if carrying else 0.0)


def _wheel_parts(radius: float, width: float) -> list[Part]:
    return [
        Part(Cylinder(radius, width), at((0, 0, 0), "y"), _WHEEL, density=DENSITY_RUBBER),
        Part(Cylinder(radius * 0.45, width * 1.1), at((0, 0, 0), "y"), _HUB, collision=False),
    ]


def build_wheeled(drive: str = "differential", length: float = 0.45, *, payload: float = 0.0, prefix: str = "base_") -> Built:
    """A wheeled base ``length`` metres long (width and wheel size follow from it)."""
    if drive not in DRIVES:
        raise ValueError(f"unknown drive {drive!r}: use one of {', '.join(DRIVES)}")
    length = max(0.1, float(length))
    b = Builder(prefix, color=_CHASSIS, density=DENSITY_LIGHT)
    r = length * (0.16 if drive != "omni" else 0.14)
    wheel_w = r * 0.6
    clearance = r * 0.5
    height = length * 0.25
    top = clearance + height

    if drive == "omni":
        radius = length / 2
        chassis = b.link(
            "chassis",
            [
                Part(Cylinder(radius, height), Pose((0, 0, clearance + height / 2))),
                Part(Cylinder(radius * 0.95, height * 0.1), Pose((0, 0, top + height * 0.05)), _HUB),
            ],
        )
        placements = []
        for i in range(3):
            angle = math.pi / 2 + 2 * math.pi * i / 3
            placements.append(
                (f"wheel{i + 1}", Pose((radius * 0.8 * math.cos(angle), radius * 0.8 * math.sin(angle), r), (0, 0, angle - math.pi / 2)))
            )
    else:
        width = length * 0.8
        chassis_parts = [
            Part(Box((length, width, height)), Pose((0, 0, clearance + height / 2))),
            Part(Box((length * 0.9, width * 0.9, height * 0.08)), Pose((0, 0, top + height * 0.04)), _HUB, collision=False, massless=True),
        ]
        chassis = b.link("chassis", chassis_parts)
        if drive == "differential":
            _casters(b, chassis, length, clearance)
        y = width / 2 + wheel_w / 2 + 0.005
        if drive == "differential":
            placements = [("wheel_left", Pose((0, y, r))), ("wheel_right", Pose((0, -y, r)))]
        else:
            x = length * 0.33
            placements = [
                ("wheel_front_left", Pose((x, y, r))),
                ("wheel_front_right", Pose((x, -y, r))),
                ("wheel_rear_left", Pose((-x, y, r))),
                ("wheel_rear_right", Pose((-x, -y, r))),
            ]

    mass_estimate = b.total_mass() + 4 * math.pi * r * r * wheel_w * DENSITY_RUBBER + payload
    driven = len(placements)
    # Enough torque to spin the wheels against full traction (mu ~ 0.8), with margin.
    effort = round(max(1.0, 1.5 * mass_estimate * GRAVITY * 0.8 * r / driven * 2), 1)
    velocity = round(1.5 / r, 1)  # ~1.5 m/s top speed
    for name, pose in placements:
        parts = _wheel_parts(r, wheel_w)
        if drive in ("omni", "mecanum"):
            # Rollers drawn as a ring of small spheres: visual only, the wheel collides as a disc.
            for k in range(8):
                a = 2 * math.pi * k / 8
                parts.append(
                    Part(Sphere(wheel_w * 0.35), Pose((r * 0.9 * math.cos(a), 0, r * 0.9 * math.sin(a))), _HUB, collision=False, massless=True)
                )
        wheel = b.link(name, parts)
        b.joint(f"{name}_joint", "continuous", chassis, wheel, pose, (0.0, 1.0, 0.0), effort=effort, velocity=velocity, damping=round(effort * 0.01, 4))
    kind = {"differential": "differential_drive", "four_wheel": "four_wheel", "omni": "omni", "mecanum": "mecanum"}[drive]
    return b.built(f"{kind}_base", {"top": (chassis, Pose((0, 0, top)))}, fixed_base=False)


def _casters(b: Builder, chassis: str, length: float, clearance: float) -> None:
    """Front and rear swivel casters under the chassis (passive joints: effort 0)."""
    rc = clearance * 0.4
    fork_h = clearance - rc
    for tag, x in (("front", length * 0.38), ("rear", -length * 0.38)):
        fork = b.link(
            f"caster_{tag}_fork",
            [
                Part(Cylinder(rc * 0.5, fork_h * 0.3), Pose((0, 0, -fork_h * 0.15)), _HUB),
                Part(Box((rc * 0.4, rc * 1.6, fork_h)), Pose((-rc * 0.3, 0, -fork_h / 2)), _HUB, collision=False),
            ],
        )
        b.joint(f"caster_{tag}_swivel", "continuous", chassis, fork, Pose((x, 0, clearance)), (0.0, 0.0, 1.0),
                effort=0.0, velocity=20.0, damping=1e-3)  # fmt: skip
        wheel = b.link(f"caster_{tag}_wheel", [Part(Sphere(rc), Pose(), _WHEEL, density=DENSITY_RUBBER)])
        # Trail of 0.3 rc behind the swivel axis makes the caster self-align.
        b.joint(f"caster_{tag}_roll", "continuous", fork, wheel, Pose((-rc * 0.3, 0, -fork_h)), (0.0, 1.0, 0.0),
                effort=0.0, velocity=100.0, damping=1e-4)  # fmt: skip
