"""The procedural generator behind the local server: prompt in, articulated :class:`AssetModel` out.

Layout: :mod:`.spec` reads the prompt; one module per family builds parts (:mod:`.arm`,
:mod:`.gripper`, :mod:`.wheeled`, :mod:`.legged`, :mod:`.head`, :mod:`.fixtures`,
:mod:`.stages`, :mod:`.delta`, :mod:`.humanoid`, :mod:`.furniture`, :mod:`.generic`);
:mod:`.assemble` plans and stacks them; :mod:`.interpret` tells the user what was understood;
:mod:`.compose` grafts models together (also for scenes). Everything is a pure function of the prompt, so the same prompt always
yields the same model — and the same export bytes.

Every model stands on z = 0. Fixed-base assets (arms, grippers, heads, furniture) have a
massless root link named ``world``; mobile ones (wheeled, legged) float. See
:mod:`.compose` for why that convention, and the exporters for how each format maps it.
A movable joint rated at zero effort is passive (caster swivels): no motor in any export.

Mesh geometry (fingers, cups, housings) is cached and shared between models: treat models
as read-only (``Mesh.to_trimesh()`` already hands out copies).
"""

from __future__ import annotations

from ...model import AssetModel
from .assemble import assemble, describe
from .compose import WORLD_LINK, compose_scene, is_world_anchored
from .interpret import Interpretation, interpret
from .spec import FAMILIES, Spec, parse_prompt

__all__ = [
    "FAMILIES",
    "WORLD_LINK",
    "Interpretation",
    "Spec",
    "compose_scene",
    "generate",
    "interpret",
    "is_world_anchored",
    "parse_prompt",
]


def generate(prompt: str) -> AssetModel:
    """Build the articulated model ``prompt`` describes; any string yields a valid model.

    The model's ``name`` is a short identifier of what was understood (``"6dof_arm_
    parallel_jaw_gripper"``); the display name shown to users is the server's business.
    """
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, not {type(prompt).__name__}")
    spec = parse_prompt(prompt)
    return assemble(spec, describe(spec))
