"""What the viewer's front end must agree on with Python: joint types, message names, chunk packing.

The browser poses models itself (``js/src/viewer/kinematics.js``), so it needs the joint types
:mod:`gizmo_notebook.model` defines; it talks to :class:`~gizmo_notebook.viewer.widget.Viewer`
through a few custom messages. Both are derived or declared here once and written into
``js/src/generated/constants.js`` by :mod:`gizmo_notebook.studio._protocol` (run
``python -m gizmo_notebook.studio._protocol``); a test fails when that file is out of date.
"""

from __future__ import annotations

from typing import get_args

from gizmo_notebook.model import MOVABLE_JOINT_TYPES, JointType

JOINT_TYPES: tuple[str, ...] = get_args(JointType)

# Joints whose position is one number (the ones with a slider), in JOINT_TYPES order.
SINGLE_DOF_JOINT_TYPES: tuple[str, ...] = tuple(t for t in JOINT_TYPES if t in MOVABLE_JOINT_TYPES)

# The same by name, for the page's per-type branches (JOINT.PRISMATIC): a misspelt name is a
# type error in `npm run check`, a misspelt string would be a silent branch never taken.
JOINT: dict[str, str] = {t.upper(): t for t in JOINT_TYPES}

# Degrees of freedom per joint type (Compare's facts table counts them).
JOINT_DOF: dict[str, int] = {
    **{t: 1 for t in SINGLE_DOF_JOINT_TYPES},
    "ball": 3,
    "planar": 3,
    "floating": 6,
    "fixed": 0,
}

# Custom messages between a Viewer and its views (``Viewer._on_custom``).
VIEWER_MESSAGES: dict[str, str] = {
    "NEED": "need",  # view -> kernel: send the model (shown without _ipython_display_)
    "READY": "ready",  # view -> kernel: drawn; replay screenshot requests it may have missed
    "SCREENSHOT": "screenshot",  # both ways: kernel asks, view answers with PNG bytes
}

# Small buffers travel packed into one chunk (``transport.ChunkPacker``), each starting on this
# many bytes, so the page can find (and decode) the parts in a pack before the metadata arrives
# and view them as typed arrays without a copy.
PACK_ALIGN = 16


def constants() -> dict[str, object]:
    """The viewer's share of ``js/src/generated/constants.js``."""
    return {
        "JOINT_TYPES": list(JOINT_TYPES),
        "JOINT": JOINT,
        "SINGLE_DOF_JOINT_TYPES": list(SINGLE_DOF_JOINT_TYPES),
        "JOINT_DOF": JOINT_DOF,
        "VIEWER_MESSAGES": VIEWER_MESSAGES,
        "PACK_ALIGN": PACK_ALIGN,
    }
