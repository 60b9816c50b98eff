"""The fallback for prompts no family matches: a generic actuated rotary module.

A prompt we cannot map still deserves a *useful* asset — something with mass, collision and
one joint, so every exporter and the viewer have real work to do — rather than an error.
Its proportions and colour vary with the prompt hash, deterministically, so two different
unknown prompts don't produce identical files.
"""

from __future__ import annotations

import math

from ...model import Box, Cylinder, Pose
from ._builder import Builder, Built, Part
from .spec import Spec

__all__ = ["build_generic"]

_PALETTE = (
    (0.30, 0.55, 0.85, 1.0),
    (0.85, 0.35, 0.30, 1.0),
    (0.35, 0.70, 0.45, 1.0),
    (0.80, 0.70, 0.25, 1.0),
    (0.55, 0.45, 0.75, 1.0),
)


def build_generic(spec: Spec) -> Built:
    size = spec.size or spec.width or spec.length or spec.height or 0.2 * spec.scale
    seed = spec.seed
    aspect = 0.6 + (seed % 7) / 10.0  # 0.6 .. 1.2
    color = _PALETTE[seed % len(_PALETTE)]
    b = Builder("part_", color=color)
    h = size * 0.5 * aspect
    housing = b.link(
        "housing",
        [
            Part(Box((size, size, h)), Pose((0, 0, h / 2))),
            Part(Box((size * 1.2, size * 1.2, h * 0.12)), Pose((0, 0, h * 0.06)), (0.25, 0.25, 0.28, 1.0)),
        ],
    )
    disc_h = h * 0.25
    output = b.link(
        "output",
        [
            Part(Cylinder(size * 0.35, disc_h), Pose((0, 0, disc_h / 2)), (0.7, 0.72, 0.75, 1.0)),
            Part(Box((size * 0.1, size * 0.5, disc_h * 0.5)), Pose((0, size * 0.1, disc_h * 1.25)), (0.25, 0.25, 0.28, 1.0)),
        ],
    )
    b.joint("output_joint", "revolute", housing, output, Pose((0, 0, h)), lower=-math.pi, upper=math.pi, velocity=3.0)
    return b.built("generic_part", {"top": (output, Pose((0, 0, disc_h)))}, fixed_base=True)
