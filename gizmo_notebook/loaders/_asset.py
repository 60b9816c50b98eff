"""Loading an ``Asset`` from the client: pick an export, download it, read the file.

MJCF is preferred because MuJoCo's compiler gives the most exact geometry and kinematics,
then URDF, then USD. :data:`PREFERRED_FORMATS` is the package's one preference order: the
Studio's previews, compare view and thumbnails read exports in this order too. Downloads go
through the client so its cache, retries and key handling apply; this module never talks
HTTP itself. A client made here for one call is closed again before returning (the file it
downloaded stays in the client's cache, which outlives the client).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gizmo_notebook.loaders._errors import LoadError
from gizmo_notebook.model import AssetModel

# Alpha names, with the current API's (``mjcf``, ``usd``) after their alpha twins.
PREFERRED_FORMATS: tuple[str, ...] = ("mujoco_mjcf", "mjcf", "isaac_sim_urdf", "isaac_sim_usd", "usd")


def preferred_formats(available: Iterable[Any]) -> list[str]:
    """The formats of ``available`` this package reads, best first (the order :func:`load` tries)."""
    offered = {str(f) for f in available}
    return [f for f in PREFERRED_FORMATS if f in offered]


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
    """The downloaded export file of ``asset`` and its format (``format``, else the preferred one).

    ``client`` is any object with a blocking ``assets.download(id, format) -> path`` (a
    :class:`~gizmo_notebook.GizmoClient`); without one, a default client is made for this
    call and closed after it.
    """
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
        chosen = next(iter(preferred_formats(available)), None)
        if chosen is None:
            raise LoadError(f"{label} offers only formats this package cannot read: {', '.join(available)}")
    if client is not None:
        return _download(client, asset_id, chosen), chosen
    from gizmo_notebook.client import GizmoClient

    with GizmoClient() as own:
        return _download(own, asset_id, chosen), chosen


def _download(client: Any, asset_id: str, fmt: str) -> Path:
    result = client.assets.download(asset_id, fmt)
    if inspect.isawaitable(result):
        close = getattr(result, "close", None)
        if close is not None:
            close()  # never awaited: close it so Python does not warn about it later
        raise LoadError(
            "load() and simulate() block until the file is here, so they need a blocking client: pass a "
            "GizmoClient, not an AsyncGizmoClient (or `path = await client.assets.download(id, format)` "
            "and load the path)"
        )
    return Path(result)
