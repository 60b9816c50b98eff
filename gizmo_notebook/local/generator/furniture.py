"""Hinged and sliding furniture: desk lamps, folding screens, cabinets with doors and drawers, doors.

Each has exactly the joints its prompt counts ("a desk lamp with two hinges" -> 2 revolute,
"a cabinet with two doors and three drawers" -> 2 revolute + 3 prismatic), within the bounds
in :data:`~.spec.COUNT_BOUNDS`. Door hinges are vertical and drawers horizontal, so neither
carries a gravity load at rest; lamp hinges are servo-held like any robot joint.
"""

from __future__ import annotations

import math
import re

from ...model import Box, Capsule, Cylinder, Pose, Sphere
from ._builder import DENSITY_LIGHT, DENSITY_STEEL_FRAME, DENSITY_WOOD, Builder, Built, Part
from .spec import Spec

__all__ = [
    "build_cabinet",
    "build_door",
    "build_folding_screen",
    "build_lamp",
    "cabinet_counts",
    "cabinet_from_spec",
    "door_from_spec",
    "folding_from_spec",
    "lamp_from_spec",
]

_WOOD = (0.72, 0.55, 0.36, 1.0)
_PANEL = (0.88, 0.86, 0.8, 1.0)
_METAL = (0.3, 0.3, 0.32, 1.0)
_LAMP = (0.85, 0.2, 0.18, 1.0)
_BULB = (1.0, 0.95, 0.7, 1.0)

_DRAWER_WORDS = r"\bdrawers?\b|\bdressers?\b"


def lamp_from_spec(spec: Spec) -> Built:
    default = 1.5 if re.search(r"\bfloor\s+lamps?\b", spec.text) else 0.6
    return build_lamp(spec.count("hinges", 2), spec.height or spec.size or default * spec.scale)


def folding_from_spec(spec: Spec) -> Built:
    hinges = spec.counts.get("hinges") or (spec.counts["panels"] - 1 if "panels" in spec.counts else 2)
    return build_folding_screen(hinges, spec.height or 1.7 * spec.scale, spec.width)


def cabinet_counts(spec: Spec) -> tuple[int, int]:
    """(doors, drawers): counted in the prompt, else what the named piece usually has."""
    drawer_words = bool(re.search(_DRAWER_WORDS, spec.text))
    drawers = spec.counts.get("drawers", 3 if drawer_words and "doors" not in spec.counts else 0)
    if "doors" in spec.counts:
        doors = spec.counts["doors"]
    elif drawer_words or drawers:
        doors = 0
    else:
        doors = 1 if re.search(r"\blockers?\b", spec.text) else 2
    return doors, drawers


def cabinet_from_spec(spec: Spec, *, carrying: bool = False) -> Built:
    doors, drawers = cabinet_counts(spec)
    tall = bool(re.search(r"\bwardrobes?\b|\blockers?\b|\bbookcases?\b", spec.text))
    height = spec.height or (1.8 if tall else 0.9) * spec.scale
    width = spec.width or spec.length or spec.size or max(0.5, 0.4 * max(doors, 1)) * spec.scale
    return build_cabinet(doors, drawers, width, height)


def door_from_spec(spec: Spec) -> Built:
    leaves = max(1, min(spec.counts.get("doors", 1), 2))
    return build_door(leaves, sliding=spec.sliding, height=spec.height or 2.0 * spec.scale, width=spec.width or spec.size)


def build_lamp(hinges: int = 2, height: float = 0.6, *, prefix: str = "lamp_") -> Built:
    """An articulated desk lamp: weighted base, ``hinges`` hinged arm segments, a shade."""
    hinges = max(1, min(int(hinges), 6))
    u = max(0.1, float(height))
    seg = u * 0.75 / hinges
    r = u * 0.012
    b = Builder(prefix, color=_LAMP, density=DENSITY_STEEL_FRAME)
    base = b.link("base", [Part(Cylinder(u * 0.15, u * 0.03), Pose((0, 0, u * 0.015)), _METAL, density=DENSITY_STEEL_FRAME * 3)])
    parent, origin = base, Pose((0, 0, u * 0.03), (0, -0.3, 0))
    for i in range(hinges):
        link = b.link(
            f"segment{i + 1}",
            [
                Part(Capsule(r, seg - 2 * r), Pose((0, 0, seg / 2))),
                Part(Cylinder(r * 1.8, r * 3), Pose((0, 0, 0), (math.pi / 2, 0, 0)), _METAL),
            ],
        )
        b.joint(f"hinge{i + 1}", "revolute", parent, link, origin, (0.0, 1.0, 0.0), lower=-math.radians(100), upper=math.radians(100), velocity=1.5)
        # Zig-zag rest pose: each segment folds back the other way, like a real task lamp.
        parent, origin = link, Pose((0, 0, seg), (0, 1.0 if i % 2 == 0 else -0.8, 0))
    shade = b.link(
        "shade",
        [
            Part(Cylinder(u * 0.07, u * 0.1), Pose((0, 0, u * 0.05)), density=DENSITY_LIGHT),
            Part(Sphere(u * 0.035), Pose((0, 0, u * 0.09)), _BULB, collision=False, massless=True),
        ],
    )
    b.joint("shade_mount", "fixed", parent, shade, Pose(origin.xyz, (0, 1.6, 0)))
    return b.built(f"{hinges}_hinge_lamp", {"top": (shade, Pose())}, fixed_base=True)


def build_folding_screen(hinges: int = 2, height: float = 1.7, width: float | None = None, *, prefix: str = "screen_") -> Built:
    """A folding screen of ``hinges`` + 1 panels standing in a zig-zag, hinged about vertical edges."""
    hinges = max(1, min(int(hinges), 6))
    h = max(0.2, float(height))
    pw = float(width) / (hinges + 1) if width else h * 0.3
    t = max(0.008, pw * 0.03)
    b = Builder(prefix, color=_WOOD, density=DENSITY_LIGHT)  # framed fabric or thin board, not solid wood

    def panel(name: str) -> str:
        return b.link(name, [Part(Box((pw, t, h * 0.97)), Pose((pw / 2, 0, h * 0.03 + h * 0.97 / 2))),
                             Part(Box((pw * 0.9, t * 3, h * 0.03)), Pose((pw / 2, 0, h * 0.015)), _METAL)])  # fmt: skip

    parent = panel("panel1")
    for i in range(hinges):
        child = panel(f"panel{i + 2}")
        yaw = 0.6 if i % 2 == 0 else -0.6
        b.joint(f"hinge{i + 1}", "revolute", parent, child, Pose((pw, 0, 0), (0, 0, yaw)), lower=-math.radians(170), upper=math.radians(170), velocity=1.0)
        parent = child
    return b.built(f"{hinges + 1}_panel_screen", {"top": (parent, Pose((pw / 2, 0, h)))}, fixed_base=True)


def build_cabinet(doors: int = 2, drawers: int = 0, width: float = 0.8, height: float = 0.9, *, prefix: str = "cabinet_") -> Built:
    """A carcass open at the front (+X) with ``drawers`` stacked at the bottom and ``doors`` above."""
    doors, drawers = max(0, min(int(doors), 4)), max(0, min(int(drawers), 8))
    w, h = max(0.2, float(width)), max(0.2, float(height))
    d = max(0.2, min(w, 0.6)) * 0.75
    t = max(0.012, w * 0.02)
    b = Builder(prefix, color=_WOOD, density=DENSITY_WOOD)
    carcass = b.link(
        "carcass",
        [
            Part(Box((d, w, t)), Pose((0, 0, t / 2))),
            Part(Box((d, w, t)), Pose((0, 0, h - t / 2))),
            Part(Box((d, t, h)), Pose((0, w / 2 - t / 2, h / 2))),
            Part(Box((d, t, h)), Pose((0, -w / 2 + t / 2, h / 2))),
            Part(Box((t, w, h)), Pose((-d / 2 + t / 2, 0, h / 2)), _PANEL),
        ],
    )
    inner_w, inner_h = w - 2 * t, h - 2 * t
    drawer_zone = inner_h * (0.4 if doors else 1.0) if drawers else 0.0
    dh = drawer_zone / drawers if drawers else 0.0
    for i in range(drawers):
        z0 = t + i * dh
        front = Part(Box((t, inner_w - 0.004, dh - 0.004)), Pose((d / 2 - t / 2, 0, dh / 2)), _PANEL)
        box_h = dh * 0.7
        parts = [
            front,
            Part(Box((d - 2 * t, inner_w - 0.01, t * 0.6)), Pose((0, 0, t * 0.3))),
            Part(Box((t * 0.6, inner_w - 0.01, box_h)), Pose((-d / 2 + t * 1.5, 0, box_h / 2))),
            Part(Box((t, inner_w * 0.25, t)), Pose((d / 2 + t / 2, 0, dh * 0.6)), _METAL),
        ]
        drawer = b.link(f"drawer{i + 1}", parts)
        b.joint(f"drawer{i + 1}_slide", "prismatic", carcass, drawer, Pose((0, 0, z0)), (1.0, 0.0, 0.0),
                lower=0.0, upper=round(d * 0.75, 4), velocity=0.5)  # fmt: skip
    door_h = inner_h - drawer_zone
    dw = inner_w / doors if doors else 0.0
    for j in range(doors):
        y_left = inner_w / 2 - j * dw  # the slot spans [y_left - dw, y_left]
        hinge_left = j < doors / 2 or doors == 1
        sign = -1.0 if hinge_left else 1.0  # leaf extends from the hinge towards -Y (left hinge) or +Y
        hinge_y = y_left if hinge_left else y_left - dw
        z0 = t + drawer_zone
        parts = [
            Part(Box((t, dw - 0.004, door_h - 0.004)), Pose((t / 2, sign * dw / 2, door_h / 2)), _PANEL),
            Part(Box((t, t, door_h * 0.2)), Pose((t * 1.5, sign * (dw - 3 * t), door_h * 0.5)), _METAL),
        ]
        door = b.link(f"door{j + 1}", parts)
        # Opening swings the free edge out towards +X: about +Z for a left hinge, -Z for a right one.
        b.joint(f"door{j + 1}_hinge", "revolute", carcass, door, Pose((d / 2, hinge_y, z0)), (0.0, 0.0, 1.0 if hinge_left else -1.0),
                lower=0.0, upper=math.radians(110), velocity=1.5)  # fmt: skip
    return b.built(f"cabinet_{doors}_doors_{drawers}_drawers", {"top": (carcass, Pose((0, 0, h)))}, fixed_base=True)


def build_door(leaves: int = 1, *, sliding: bool = False, height: float = 2.0, width: float | None = None, prefix: str = "door_") -> Built:
    """A door frame with one or two leaves, hinged at the jambs or (``sliding``) running along Y."""
    leaves = max(1, min(int(leaves), 2))
    h = max(0.3, float(height))
    lw = float(width) / leaves if width else h * 0.45
    opening = lw * leaves
    t = max(0.02, h * 0.02)
    b = Builder(prefix, color=_PANEL, density=DENSITY_WOOD)
    jamb = h * 0.05
    frame = b.link(
        "frame",
        [
            Part(Box((t * 3, jamb, h)), Pose((0, opening / 2 + jamb / 2, h / 2)), _WOOD),
            Part(Box((t * 3, jamb, h)), Pose((0, -opening / 2 - jamb / 2, h / 2)), _WOOD),
            Part(Box((t * 3, opening + 2 * jamb, jamb)), Pose((0, 0, h + jamb / 2)), _WOOD),
        ],
    )
    leaf_h = h - 0.01
    for i in range(leaves):
        left = i == 0
        sign = -1.0 if left else 1.0
        hinge_y = opening / 2 if left else -opening / 2
        parts = [
            Part(Box((t, lw - 0.004, leaf_h)), Pose((0, sign * lw / 2, leaf_h / 2 + 0.005))),
            Part(Cylinder(t * 0.6, t * 2), Pose((t * 1.5, sign * (lw - 0.1 * lw), leaf_h * 0.48), (0, math.pi / 2, 0)), _METAL),
        ]
        leaf = b.link(f"leaf{i + 1}", parts)
        if sliding:
            # Sliding leaves run in front of the wall, away from the opening's centre.
            b.joint(f"leaf{i + 1}_slide", "prismatic", frame, leaf, Pose((t * 2, hinge_y, 0)), (0.0, -sign, 0.0),
                    lower=0.0, upper=round(lw * 0.95, 4), velocity=0.8)  # fmt: skip
        else:
            b.joint(f"leaf{i + 1}_hinge", "revolute", frame, leaf, Pose((0, hinge_y, 0)), (0.0, 0.0, 1.0 if left else -1.0),
                    lower=0.0, upper=math.radians(100), velocity=1.5)  # fmt: skip
    kind = "sliding" if sliding else "hinged"
    return b.built(f"{kind}_door" if leaves == 1 else f"double_{kind}_door", {"top": (frame, Pose((0, 0, h + jamb)))}, fixed_base=True)
