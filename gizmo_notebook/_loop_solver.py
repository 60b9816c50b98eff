"""Closing kinematic loops numerically, for :meth:`AssetModel.close_loops`.

A loop closure is a constraint the tree's forward kinematics cannot follow by itself: turning
a four-bar's crank must turn its coupler and rocker too. Given the joints a user sets, the
remaining one-number joints on each loop's path are solved for with scipy's bounded least
squares, starting from where they are, so the nearest configuration (not a flipped branch) is
found.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.optimize import least_squares

from gizmo_notebook.model import MOVABLE_JOINT_TYPES, AssetModel, JointPosition


def close_loops(model: AssetModel, q: Mapping[str, JointPosition] | None, *, clamp: bool) -> dict[str, float]:
    fixed: dict = {}
    for name, value in dict(q or {}).items():
        joint = model.joint(name)
        if joint.type in MOVABLE_JOINT_TYPES:
            value = joint._number(value)
            value = joint.clamp_position(value) if clamp else value
        fixed[name] = value
    free = [name for name in _loop_joints(model) if name not in fixed]
    if not free or not model.loop_closures:
        return fixed
    lower, upper = [], []
    for name in free:
        limits = model.joint(name).limits
        if limits is not None and model.joint(name).type in ("revolute", "prismatic") and limits.upper > limits.lower:
            lower.append(limits.lower)
            upper.append(limits.upper)
        else:
            lower.append(-np.inf)
            upper.append(np.inf)
    start = np.clip(np.zeros(len(free)), np.nextafter(lower, np.inf), np.nextafter(upper, -np.inf))

    def residual(x: np.ndarray) -> np.ndarray:
        transforms = model.link_transforms({**fixed, **dict(zip(free, x, strict=True))}, clamp=False)
        return np.concatenate([loop.residual(transforms) for loop in model.loop_closures])

    result = least_squares(residual, start, bounds=(lower, upper), xtol=1e-12, ftol=1e-12, gtol=1e-12,
                           max_nfev=50 * (len(free) + 1))
    return {**fixed, **{name: float(v) for name, v in zip(free, result.x, strict=True)}}


def _loop_joints(model: AssetModel) -> list[str]:
    """The movable one-number joints on the tree path between each loop closure's two links."""
    out: list[str] = []
    for loop in model.loop_closures:
        up_a, up_b = _chain(model, loop.parent), _chain(model, loop.child)
        shared = set(up_a) & set(up_b)
        for name in [*up_a, *up_b]:
            if name not in shared and name not in out and model.joint(name).type in MOVABLE_JOINT_TYPES:
                out.append(name)
    return out


def _chain(model: AssetModel, link: str) -> list[str]:
    """Joint names from ``link`` up to the root."""
    names = []
    joint = model.parent_joint(link)
    while joint is not None:
        names.append(joint.name)
        joint = model.parent_joint(joint.parent)
    return names
