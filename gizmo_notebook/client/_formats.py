"""Export format names of both contracts, translated to the one the server in use speaks.

The alpha API says ``mujoco_mjcf`` / ``isaac_sim_usd`` / ``isaac_sim_urdf``; the current one
``mjcf`` / ``usd`` / ``sdf``. Callers may use either vocabulary against either server.

URDF is no longer exported by the current API. ``isaac_sim_urdf`` (or ``urdf``) there is
produced *locally*: the MJCF export is downloaded and converted with this package's MJCF loader
and URDF exporter (the same writer the offline backend uses), and a log line says so. SDF has no
alpha counterpart, so asking an alpha server for it is an error that lists what it offers.
"""

from __future__ import annotations

from gizmo_notebook.client._api_version import ALPHA, CURRENT
from gizmo_notebook.client._errors import UnsupportedByAPIVersionError
from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.formats import EXPORT_FORMATS

__all__ = ["ALL_FORMATS", "CURRENT_FORMATS", "LOCAL_URDF", "check_any_format", "wire_format"]

CURRENT_FORMATS: tuple[str, ...] = ("mjcf", "usd", "sdf")
#: What ``wire_format`` answers for a URDF request on the current API: convert from MJCF locally.
LOCAL_URDF = "isaac_sim_urdf"

_TO_CURRENT = {"mujoco_mjcf": "mjcf", "isaac_sim_usd": "usd", "mjcf": "mjcf", "usd": "usd", "sdf": "sdf"}
_TO_ALPHA = {"mjcf": "mujoco_mjcf", "usd": "isaac_sim_usd", "urdf": "isaac_sim_urdf"}
ALL_FORMATS: tuple[str, ...] = (*EXPORT_FORMATS, *CURRENT_FORMATS, "urdf")


def check_any_format(value: object) -> str:
    """``value`` if it is a format name of either contract (checked before any request)."""
    if not isinstance(value, str) or value not in ALL_FORMATS:
        raise InvalidValueError(
            f"unknown export format {value!r}: use one of {', '.join(EXPORT_FORMATS)} "
            f"(alpha names) or {', '.join(CURRENT_FORMATS)} (current names)"
        )
    return value


def wire_format(value: object, version: str) -> str:
    """The name to send for ``value`` to a server speaking ``version`` (``LOCAL_URDF`` = convert)."""
    value = check_any_format(value)
    if version == CURRENT:
        if value in ("isaac_sim_urdf", "urdf"):
            return LOCAL_URDF
        return _TO_CURRENT[value]
    if value == "sdf":
        raise UnsupportedByAPIVersionError(
            "the 'sdf' export format",
            ALPHA,
            f"use one of {', '.join(EXPORT_FORMATS)} (SDF is exported by the current API: api_version='current')",
        )
    return _TO_ALPHA.get(value, value)
