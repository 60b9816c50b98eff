"""What the viewer's front end must agree on with Python: joint types and message names.

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


def constants() -> dict[str, object]:
    """The viewer's share of ``js/src/generated/constants.js``."""
    return {
        "JOINT_TYPES": list(JOINT_TYPES),
        "SINGLE_DOF_JOINT_TYPES": list(SINGLE_DOF_JOINT_TYPES),
        "JOINT_DOF": JOINT_DOF,
        "VIEWER_MESSAGES": VIEWER_MESSAGES,
    }
