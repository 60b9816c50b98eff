"""Loading an ``Asset`` from the client: pick an export, download it, read the file.

MJCF is preferred because MuJoCo's compiler gives the most exact geometry and kinematics,
then URDF, then USD. Downloads go through the client so its cache, retries and key handling
apply; this module never talks HTTP itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gizmo_notebook.loaders._errors import LoadError
from gizmo_notebook.model import AssetModel

# Alpha names, with the current API's (``mjcf``, ``usd``) after their alpha twins.
PREFERRED_FORMATS: tuple[str, ...] = ("mujoco_mjcf", "mjcf", "isaac_sim_urdf", "isaac_sim_usd", "usd")


def load_asset(asset: Any, *, format: str | None = None, client: Any = None) -> AssetModel:
    path, chosen = download_asset(asset, format=format, client=client)
    from gizmo_notebook.loaders import load

    model = load(path)
    name = getattr(asset, "name", None)
    if name:
        model.name = str(name)
    model.source = f"{asset.id} ({chosen}: {path})"
    return model


def download_asset(asset: Any, *, format: str | None = None, client: Any = None) -> tuple[Path, str]:
    """The downloaded export file of ``asset`` and its format (``format``, else the preferred one)."""
    asset_id = str(asset.id)
    available = [str(f) for f in (asset.formats_available or [])]
    label = f"asset {asset_id!r}"
    if not available:
        status = getattr(asset, "status", None)
        hint = f" (status is {status!r}; wait until it is 'ready')" if status and str(status) != "ready" else ""
        raise LoadError(f"{label} has no export formats available{hint}")
    chosen: str | None
    if format is not None:
        if format not in available:
            raise LoadError(f"{label} has no {format!r} export; available: {', '.join(available)}")
        chosen = format
    else:
        chosen = next((f for f in PREFERRED_FORMATS if f in available), None)
        if chosen is None:
            raise LoadError(f"{label} offers only formats this package cannot read: {', '.join(available)}")
    if client is None:
        from gizmo_notebook.client import GizmoClient

        client = GizmoClient()
    return Path(client.assets.download(asset_id, chosen)), chosen
