"""What the Studio's front end must agree on with Python, and the file that carries it there.

Statuses come from the client's enums, joint types from :mod:`gizmo_notebook.viewer._protocol`;
the labels the Studio shows for formats and the custom message names are declared here. :func:`constants_js` renders all of it as
``js/src/generated/constants.js``, which the widget bundle imports, so the JavaScript never
re-declares a Python enum by hand (viser generates its TypeScript message types the same way).

Regenerate after changing any of them::

    python -m gizmo_notebook.studio._protocol

``tests/test_js_constants.py`` fails while the committed file is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from gizmo_notebook.client import AssetStatus, JobStatus
from gizmo_notebook.client._api_version import ALPHA
from gizmo_notebook.client._formats import ALL_FORMATS, wire_format
from gizmo_notebook.viewer import _protocol as viewer_protocol

# Every status a Studio row can show, in the order of the status filter: the API's, then
# ``cancelled`` (a cancelled job, current API).
ASSET_STATUSES: tuple[str, ...] = (
    *(s.value for s in AssetStatus if s is not AssetStatus.UNKNOWN),
    JobStatus.CANCELLED.value,
)
# The same by name, for comparisons in the page (STATUS.READY).
STATUS: dict[str, str] = {s.upper(): s for s in ASSET_STATUSES}
# Still generating: the row shows a timer, a stage and Cancel.
RUNNING_STATUSES: tuple[str, ...] = (AssetStatus.PENDING.value, AssetStatus.PROCESSING.value)

# How the Studio names each export format (menus, the row's format list, export lines), by its
# alpha name; SDF has none (the current API alone exports it).
_LABELS: dict[str, str] = {
    "isaac_sim_usd": "USD (Isaac Sim)",
    "isaac_sim_urdf": "URDF (Isaac Sim)",
    "mujoco_mjcf": "MJCF (MuJoCo)",
    "sdf": "SDF (Gazebo)",
}


def _label(fmt: str) -> str:
    return _LABELS[fmt if fmt in _LABELS else wire_format(fmt, ALPHA)]


# Every name either contract uses: a current-API row offers mjcf / usd / sdf, and shows them by
# the same labels as an alpha row's mujoco_mjcf / isaac_sim_usd (the menu still sends the name).
FORMAT_LABELS: dict[str, str] = {fmt: _label(fmt) for fmt in ALL_FORMATS}

# Custom messages from the Studio's page to the kernel (``Studio._dispatch``) ...
STUDIO_REQUESTS: dict[str, str] = {
    "GENERATE": "generate",
    "BATCH": "batch",
    "RETRY": "retry",
    "DOWNLOAD": "download",
    "LOAD_MORE": "load_more",
    "REFRESH": "refresh",
    "EXPORT": "export",
    "PREVIEW": "preview",  # encoded geometry as a reply (compare)
    "OPEN_PREVIEW": "open_preview",  # the preview area's child Viewer (``Studio.preview``)
    "CLOSE_PREVIEW": "close_preview",
    "PHYSICS": "physics",  # Drop in physics
    "THUMB": "thumb",
    "THUMB_PNG": "thumb_png",
    "CANCEL": "cancel",
    "DISMISS": "dismiss",
}
# What a ``generate`` request makes (its ``mode``): one asset, or a whole scene (current API).
GENERATE_MODES: dict[str, str] = {"ASSET": "asset", "SCENE": "scene"}
# ... and the answers the page tells apart by ``type``.
STUDIO_REPLIES: dict[str, str] = {
    "GEOMETRY": "geometry",
    "GEOMETRY_ERROR": "geometry_error",
    "THUMB": "thumb",
    "DOWNLOAD": "download",
    "SUBMITTED": "submitted",
}

JS_PATH = Path(__file__).resolve().parents[2] / "js" / "src" / "generated" / "constants.js"


def constants() -> dict[str, object]:
    """Every shared constant by its JavaScript name."""
    return {
        **viewer_protocol.constants(),
        "ASSET_STATUSES": list(ASSET_STATUSES),
        "STATUS": STATUS,
        "RUNNING_STATUSES": list(RUNNING_STATUSES),
        "FORMAT_LABELS": FORMAT_LABELS,
        "STUDIO_REQUESTS": STUDIO_REQUESTS,
        "STUDIO_REPLIES": STUDIO_REPLIES,
        "GENERATE_MODES": GENERATE_MODES,
    }


def constants_js() -> str:
    """The text of ``js/src/generated/constants.js``: one frozen ``export const`` per constant."""
    lines = [
        "// @ts-check",
        "// Generated from Python by `python -m gizmo_notebook.studio._protocol`: do not edit.",
        "// Sources: gizmo_notebook/studio/_protocol.py, gizmo_notebook/viewer/_protocol.py.",
        "",
    ]
    for name, value in constants().items():
        lines.append(f"export const {name} = Object.freeze({json.dumps(value, ensure_ascii=False)});")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the generated file (or, with ``--check``, fail if it differs)."""
    args = sys.argv[1:] if argv is None else argv
    text = constants_js()
    if "--check" in args:
        current = JS_PATH.read_text(encoding="utf-8") if JS_PATH.exists() else ""
        if current != text:
            print(f"{JS_PATH} is out of date: run python -m gizmo_notebook.studio._protocol", file=sys.stderr)
            return 1
        return 0
    JS_PATH.parent.mkdir(parents=True, exist_ok=True)
    JS_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {JS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
