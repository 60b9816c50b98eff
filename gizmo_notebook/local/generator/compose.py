"""Putting parts together: grafting one model onto another, anchoring to the world, scenes.

One mechanism serves both jobs — "arm with gripper on a mobile base" inside the generator
and :func:`compose_scene` for the server's scenes — so both produce the same kind of tree
the exporters already handle.

World-anchoring convention (shared with the exporters): a model whose root link is named
``"world"`` and has no mass is bolted to the ground — MJCF welds it, USD fixes it to the
world, URDF keeps the conventional ``world`` link. Any other root floats freely (wheeled
and legged robots, which MJCF gives a free joint and drops onto the floor).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ...model import AssetModel, Box, Collision, Joint, Link, Pose, Visual
from ...model import prefixed as _prefixed
from ..exporters import WORLD_LINK, is_world_anchored
from ._builder import Built, size_efforts

__all__ = ["WORLD_LINK", "anchor", "compose_scene", "graft", "is_world_anchored", "prefixed"]

_GROUND_COLOR = (0.55, 0.57, 0.6, 1.0)
_GROUND_THICKNESS = 0.02


def _compose(a: Pose, b: Pose) -> Pose:
    return Pose.from_matrix(a.matrix() @ b.matrix())


def graft(host: AssetModel, guest: AssetModel, at_link: str, pose: Pose, joint_name: str) -> AssetModel:
    """``host`` with ``guest`` rigidly attached to ``at_link`` at ``pose`` (a new model).

    A world-anchored guest loses its ``world`` link: its children hang off ``at_link``
    directly, so no massless link ends up in the middle of the tree.
    """
    host.link(at_link)  # KeyError with a clear message if the mount link is missing
    links = list(host.links)
    joints = list(host.joints)
    if is_world_anchored(guest):
        links += [link for link in guest.links if link.name != WORLD_LINK]
        for joint in guest.joints:
            if joint.parent == WORLD_LINK:
                joint = replace(joint, parent=at_link, origin=_compose(pose, joint.origin))
            joints.append(joint)
    else:
        links += guest.links
        joints += guest.joints
        joints.append(Joint(joint_name, "fixed", at_link, guest.root.name, pose))
    return AssetModel(host.name, links, joints, host.source).validate()


def attach(host: Built, guest: Built, mount: str, joint_name: str, offset: Pose = Pose()) -> Built:
    """Graft ``guest`` onto ``host``'s named mount; the result keeps the host's mounts and base."""
    link, pose = host.mounts[mount]
    model = graft(host.model, guest.model, link, _compose(pose, offset), joint_name)
    mounts = dict(guest.mounts)
    mounts.update(host.mounts)
    return Built(model, mounts, host.fixed_base, host.auto_effort + guest.auto_effort, host.payload or guest.payload)


def anchor(built: Built, name: str) -> AssetModel:
    """The final model: load-sized motors re-sized for everything attached, world link if fixed."""
    model = built.model
    auto = [model.joint(n) for n in built.auto_effort]
    size_efforts(model, auto, built.payload)
    if built.fixed_base:
        root = model.root.name
        model = AssetModel(
            name,
            [Link(WORLD_LINK), *model.links],
            [Joint(f"{WORLD_LINK}_to_{root}", "fixed", WORLD_LINK, root), *model.joints],
        )
    else:
        model = AssetModel(name, list(model.links), list(model.joints))
    return model.validate()


def prefixed(model: AssetModel, prefix: str) -> AssetModel:
    """A copy of ``model`` with every name prefixed; the ``world`` anchor link keeps its name, so a
    prefixed fixed-base asset is still recognisably fixed-base (and :func:`graft` still folds it away)."""
    return _prefixed(model, prefix, keep=(WORLD_LINK,))


def compose_scene(name: str, placements: Sequence[tuple[AssetModel, Pose]]) -> AssetModel:
    """One world-anchored model: a ground plane plus every asset fixed at its pose.

    Asset ``i``'s names get the prefix ``a{i}_`` so two copies of the same asset can share
    a scene. Free-floating assets (mobile bases) are fixed where they are placed: a scene
    is a layout, and a welded base keeps every simulator from letting it wander off.
    """
    if not placements:
        raise ValueError("a scene needs at least one placed asset")
    extent = 1.0
    for model, pose in placements:
        reach = float(np.max(np.abs(model.bounds()))) if model.links else 0.0
        extent = max(extent, max(abs(pose.xyz[0]), abs(pose.xyz[1])) + reach + 0.5)
    side = math.ceil(extent * 2 * 10) / 10
    ground = Box((side, side, _GROUND_THICKNESS))
    ground_pose = Pose((0.0, 0.0, -_GROUND_THICKNESS / 2))
    world = Link(
        WORLD_LINK,
        [Visual(ground, ground_pose, _GROUND_COLOR, name="ground_visual")],
        [Collision(ground, ground_pose, name="ground_collision")],
    )
    scene = AssetModel(name, [world], [])
    for i, (model, pose) in enumerate(placements):
        model.validate()
        guest = prefixed(model, f"a{i}_")
        scene = graft(scene, guest, WORLD_LINK, pose, f"a{i}_mount")
    scene.name = name
    return scene.validate()
