"""The export formats the Gizmo API documents, shared by the client, the local server and the loaders.

Kept in one tiny module so the client can validate a format before any request without
importing the local server, and so a new format is added in exactly one place.
"""

from __future__ import annotations

from typing import Literal

from gizmo_notebook.errors import InvalidValueError

ExportFormat = Literal["isaac_sim_usd", "isaac_sim_urdf", "mujoco_mjcf"]

EXPORT_FORMATS: tuple[str, ...] = ("isaac_sim_usd", "isaac_sim_urdf", "mujoco_mjcf")

FORMAT_DESCRIPTIONS: dict[str, str] = {
    "isaac_sim_usd": "Universal Scene Description (USD) for NVIDIA Isaac Sim",
    "isaac_sim_urdf": "URDF for use in Isaac Sim's URDF importer",
    "mujoco_mjcf": "MuJoCo XML (MJCF) for direct use in MuJoCo simulations",
}


def check_format(value: object) -> str:
    """Return ``value`` if it is a documented export format, else raise ``ValueError`` listing them."""
    if value not in EXPORT_FORMATS:
        raise InvalidValueError(
            f"unknown export format {value!r}: use one of {', '.join(EXPORT_FORMATS)}"
        )
    return value  # type: ignore[return-value]
