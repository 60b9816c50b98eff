"""Closed kinematic loops: pick a spanning tree, keep the other joints as loop closures.

A four-bar linkage has four joints between four bodies: one body ends up with two parents,
and a tree walk from the root never finishes. Loaders hand each file's joints, in file order,
to :func:`tree_joints`; a joint is kept in the tree unless its child already has a parent or
is an ancestor of its parent (keeping it would close a cycle). The first joint of a loop in
file order therefore stays in the tree, as in the simulators that read these files.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from gizmo_notebook.model import LoopClosure


def tree_joints(edges: Sequence[tuple[Hashable | None, Hashable]]) -> list[bool]:
    """For each ``(parent, child)`` (``None`` parent: the world), whether it belongs to the tree."""
    parent_of: dict[Hashable, Hashable | None] = {}
    keep = []
    for parent, child in edges:
        ancestor, cycle = parent, False
        while ancestor is not None and not cycle:
            cycle = ancestor == child
            ancestor = parent_of.get(ancestor)
        if child in parent_of or cycle:
            keep.append(False)
        else:
            parent_of[child] = parent
            keep.append(True)
    return keep


def loop_note(loop: LoopClosure) -> str:
    return (
        f"joint {loop.name!r} ({loop.type}, {loop.parent} -> {loop.child}) closes a kinematic loop: it is listed "
        "in loop_closures; pose() and the sliders move the tree and do not re-close the loop"
    )
