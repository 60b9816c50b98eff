"""Static and workcell fixtures: brackets/mounts, enclosures, tables, shelves, conveyors.

They are bolted to the floor (fixed base) and mostly rigid; where real ones move, so do
these — an enclosure's lid hinges, a conveyor's rollers turn — so every asset still has
something articulated to preview and drive.
"""

from __future__ import annotations

import math

from ...model import Box, Cylinder, Pose
from . import _meshes
from ._builder import DENSITY_LIGHT, DENSITY_STEEL_FRAME, DENSITY_WOOD, Builder, Built, Part, at
from .spec import Spec

__all__ = [
    "bracket_from_spec",
    "build_conveyor",
    "build_enclosure",
    "build_shelf",
    "build_table",
    "conveyor_from_spec",
    "enclosure_from_spec",
    "shelf_from_spec",
    "table_from_spec",
]

_METAL = (0.62, 0.64, 0.68, 1.0)
_DARK = (0.2, 0.2, 0.22, 1.0)
_WOOD = (0.72, 0.55, 0.36, 1.0)
_BELT = (0.1, 0.1, 0.1, 1.0)
_PANEL = (0.85, 0.86, 0.8, 1.0)


def bracket_from_spec(spec: Spec) -> Built:
    return build_bracket(spec.size or spec.width or spec.height or 0.12 * spec.scale)


def enclosure_from_spec(spec: Spec) -> Built:
    return build_enclosure(spec.width or spec.size or spec.length or 0.4 * spec.scale, spec.height)


def table_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    length = spec.length or spec.width or spec.size or 1.2 * spec.scale
    return build_table(length, spec.height or 0.75 * min(max(spec.scale, 0.6), 1.2))


def shelf_from_spec(spec: Spec) -> Built:
    return build_shelf(spec.width or spec.length or spec.size or 0.9 * spec.scale, spec.height or 1.8 * spec.scale, spec.tiers or 4)


def conveyor_from_spec(spec: Spec) -> Built:
    return build_conveyor(spec.length or spec.size or 2.0 * spec.scale, spec.width or 0.5 * spec.scale, spec.height)


def build_bracket(size: float = 0.12, *, prefix: str = "mount_") -> Built:
    """An L-shaped angle bracket on a base plate with a swivel clamp on top (one revolute)."""
    size = max(0.02, float(size))
    t = size * 0.08
    b = Builder(prefix, color=_METAL, density=DENSITY_STEEL_FRAME * 2)
    plate = b.link("plate", [Part(Box((size * 1.2, size, t)), Pose((size * 0.3, 0, t / 2)), _DARK)])
    bracket = b.link("bracket", [Part(_meshes.l_bracket(size, size, size, t, size * 0.05))])
    b.joint("bracket_joint", "fixed", plate, bracket, Pose((0, 0, t)))
    clamp = b.link("clamp", [Part(Cylinder(size * 0.2, t * 1.5), at((0, 0, t * 0.75), "x"), _DARK)])
    b.joint("clamp_joint", "revolute", bracket, clamp, Pose((t, 0, size * 0.8)), (1.0, 0.0, 0.0), lower=-math.pi / 2, upper=math.pi / 2, velocity=1.0)
    return b.built("mounting_bracket", {"top": (bracket, Pose((size * 0.6, 0, t)))}, fixed_base=True)


def build_enclosure(width: float = 0.4, height: float | None = None, *, prefix: str = "enclosure_") -> Built:
    """A box enclosure (walls collide separately so it is hollow) with a hinged lid."""
    width = max(0.05, float(width))
    depth = width * 0.75
    height = float(height) if height else width * 0.6
    t = max(width * 0.02, 0.002)
    b = Builder(prefix, color=_PANEL, density=DENSITY_STEEL_FRAME)
    walls = [
        Part(Box((width, depth, t)), Pose((0, 0, t / 2))),
        Part(Box((t, depth, height)), Pose((width / 2 - t / 2, 0, height / 2))),
        Part(Box((t, depth, height)), Pose((-width / 2 + t / 2, 0, height / 2))),
        Part(Box((width, t, height)), Pose((0, depth / 2 - t / 2, height / 2))),
        Part(Box((width, t, height)), Pose((0, -depth / 2 + t / 2, height / 2))),
    ]
    box = b.link("box", walls)
    lid = b.link(
        "lid",
        [
            Part(Box((width, depth, t)), Pose((0, -depth / 2, t / 2))),
            Part(Box((width * 0.3, t * 2, t * 2)), Pose((0, -depth + t, t * 2)), _DARK),  # handle
        ],
    )
    # Hinge along the back top edge (+Y side); opening rotates the lid up about -X.
    b.joint("lid_hinge", "revolute", box, lid, Pose((0, depth / 2, height)), (-1.0, 0.0, 0.0), lower=0.0, upper=math.radians(110), velocity=1.5)
    return b.built("enclosure", {"top": (lid, Pose((0, -depth / 2, t)))}, fixed_base=True)


def build_table(length: float = 1.2, height: float = 0.75, *, prefix: str = "table_") -> Built:
    """A four-legged table; its top surface is the "top" mount (arms bolt on there)."""
    length = max(0.2, float(length))
    height = max(0.1, float(height))
    width = length * 0.6
    t = max(0.02, length * 0.03)
    leg = max(0.025, length * 0.035)
    b = Builder(prefix, color=_WOOD, density=DENSITY_WOOD)
    parts = [Part(Box((length, width, t)), Pose((0, 0, height - t / 2)))]
    for sx in (1, -1):
        for sy in (1, -1):
            parts.append(
                Part(Box((leg, leg, height - t)), Pose((sx * (length / 2 - leg), sy * (width / 2 - leg), (height - t) / 2)), _METAL, density=DENSITY_STEEL_FRAME)
            )
    top = b.link("frame", parts)
    return b.built("table", {"top": (top, Pose((0, 0, height)))}, fixed_base=True)


def build_shelf(width: float = 0.9, height: float = 1.8, tiers: int = 4, *, prefix: str = "shelf_") -> Built:
    """A shelving unit: two sides, a back and ``tiers`` boards, plus one pull-out bottom drawer."""
    width, height = max(0.2, float(width)), max(0.2, float(height))
    tiers = max(1, min(int(tiers), 10))
    depth = max(0.15, width * 0.4)
    t = max(0.012, width * 0.02)
    b = Builder(prefix, color=_METAL, density=DENSITY_STEEL_FRAME)
    parts = [
        Part(Box((depth, t, height)), Pose((0, width / 2 - t / 2, height / 2))),
        Part(Box((depth, t, height)), Pose((0, -width / 2 + t / 2, height / 2))),
        Part(Box((t, width, height)), Pose((-depth / 2 + t / 2, 0, height / 2)), _DARK),
    ]
    gap = (height - t) / tiers
    for i in range(tiers + 1):
        z = t / 2 + i * gap if i else t / 2
        parts.append(Part(Box((depth, width - 2 * t, t)), Pose((0, 0, min(z, height - t / 2))), _PANEL))
    frame = b.link("frame", parts)
    drawer_h = min(gap * 0.6, 0.25)
    inner_w = width - 2 * t - 0.004
    drawer = b.link(
        "drawer",
        [
            Part(Box((depth * 0.9, inner_w, t)), Pose((0, 0, t / 2)), _PANEL),
            Part(Box((t, inner_w, drawer_h)), Pose((depth * 0.45 - t / 2, 0, drawer_h / 2)), _WOOD),
            Part(Box((t, inner_w, drawer_h)), Pose((-depth * 0.45 + t / 2, 0, drawer_h / 2)), _PANEL),
        ],
    )
    b.joint("drawer_slide", "prismatic", frame, drawer, Pose((t / 2, 0, t * 1.5)), (1.0, 0.0, 0.0), lower=0.0, upper=round(depth * 0.75, 4), velocity=0.5)
    return b.built(f"{tiers}_tier_shelf", {"top": (frame, Pose((0, 0, height)))}, fixed_base=True)


def build_conveyor(length: float = 2.0, width: float = 0.5, height: float | None = None, *, prefix: str = "conveyor_") -> Built:
    """A belt conveyor on legs, with a driven head roller and an idle tail roller."""
    length, width = max(0.3, float(length)), max(0.1, float(width))
    height = float(height) if height else 0.8
    roller_r = max(0.02, width * 0.1)
    rail = roller_r * 2.6
    belt_z = height - roller_r
    b = Builder(prefix, color=_METAL, density=DENSITY_STEEL_FRAME)
    frame_parts = [
        Part(Box((length, width * 0.98, roller_r * 0.4)), Pose((0, 0, belt_z + roller_r * 0.8)), _BELT, density=DENSITY_LIGHT),  # belt
        Part(Box((length, 0.02, rail)), Pose((0, width / 2 + 0.01, belt_z))),
        Part(Box((length, 0.02, rail)), Pose((0, -width / 2 - 0.01, belt_z))),
    ]
    leg = 0.04
    for sx in (1, -1):
        for sy in (1, -1):
            z = (belt_z - rail / 2) / 2
            frame_parts.append(Part(Box((leg, leg, belt_z - rail / 2)), Pose((sx * (length / 2 - leg), sy * (width / 2 - leg / 2), z)), _DARK))
    frame = b.link("frame", frame_parts)
    for name, x, effort in (("head_roller", length / 2 - roller_r, None), ("tail_roller", -length / 2 + roller_r, 0.5)):
        roller = b.link(name, [Part(Cylinder(roller_r, width * 0.96), at((0, 0, 0), "y"), _DARK)])
        b.joint(f"{name}_joint", "continuous", frame, roller, Pose((x, 0, belt_z)), (0.0, 1.0, 0.0),
                effort=effort if effort is not None else round(max(5.0, length * width * 40), 1), velocity=round(0.5 / roller_r, 1))  # fmt: skip
    return b.built("belt_conveyor", {"top": (frame, Pose((0, 0, belt_z + roller_r)))}, fixed_base=True)
