"""What the Studio shows of an asset: its model, read with :func:`gizmo_notebook.load`.

A preview is a :class:`~gizmo_notebook.viewer.Viewer` (see ``Studio.preview``), so it travels
like any Viewer: content-addressed chunk widgets with progress, saved with the notebook. This
module gets the :class:`~gizmo_notebook.model.AssetModel` behind it, the same way a user
would: ``load(asset, format=..., client=...)``, trying the asset's exports in the package's
one preference order (:func:`gizmo_notebook.loaders._asset.preferred_formats`) and falling
back to the next when one cannot be read (MJCF needs the ``mujoco`` extra, say). The file
comes from the client's own cache (ready assets never change), not from a copy of it.

``load`` blocks and wants a blocking client, while the Studio may hold an async one on its
own loop: :class:`_LoopClient` is the bridge, used from a worker thread of that loop, so the
download still runs through the Studio's :class:`~gizmo_notebook.studio.backend.Backend`
(its pacing, its client, its key). Compare and thumbnails still receive encoded buffers as
messages (they draw into throw-away viewports, nothing to save); they read the same models.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.loaders import LoadError, load
from gizmo_notebook.loaders._asset import preferred_formats
from gizmo_notebook.model import AssetModel, Pose, compose_placed
from gizmo_notebook.paths import cache_dir
from gizmo_notebook.studio._service import StudioService

PREVIEW_TRIANGLES = 200_000
THUMB_TRIANGLES = 6_000
#: The longest a download for a preview may take before the preview says so.
DOWNLOAD_TIMEOUT = 300.0
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def cache_root() -> Path:
    return cache_dir() / "studio"


@dataclass(frozen=True)
class Loaded:
    """A model read from one export file of an asset (the file is what physics simulates), or a
    scene composed of its assets' models (``path`` None: physics runs on the model itself)."""

    model: AssetModel
    path: Path | None
    format: str


class _LoopAssets:
    def __init__(self, backend: StudioService, loop: asyncio.AbstractEventLoop) -> None:
        self._backend = backend
        self._loop = loop
        self.downloaded: dict[tuple[str, str], Path] = {}

    def download(self, asset_id: str, format: str) -> Path:
        """Blocking: run the backend's download on the Studio's loop (called from its worker threads)."""
        future = asyncio.run_coroutine_threadsafe(self._backend.download(asset_id, format), self._loop)
        path = future.result(DOWNLOAD_TIMEOUT)
        self.downloaded[(asset_id, format)] = path
        return path


class _LoopClient:
    """The blocking ``client`` that :func:`load` wants, backed by the Studio's async backend."""

    def __init__(self, backend: StudioService, loop: asyncio.AbstractEventLoop) -> None:
        self.assets = _LoopAssets(backend, loop)


async def load_asset_model(backend: StudioService, asset: Any) -> Loaded:
    """``asset``'s model from the first of its exports that loads (best format first)."""
    formats = preferred_formats(getattr(asset, "formats_available", None) or [])
    if not formats:
        offered = ", ".join(str(f) for f in getattr(asset, "formats_available", None) or []) or "none"
        raise LoadError(f"asset {asset.id!r} offers no format this package reads (offered: {offered})")
    client = _LoopClient(backend, asyncio.get_running_loop())
    last: Exception | None = None
    for fmt in formats:
        try:
            model = await asyncio.to_thread(load, asset, format=fmt, client=client)
        except Exception as exc:  # noqa: BLE001 - try the next format, report the last
            last = exc
            continue
        return Loaded(model, client.assets.downloaded[(str(asset.id), fmt)], fmt)
    assert last is not None
    raise last


class GeometryCache:
    """Models of ready assets (they never change) and their encodings, kept small and per server.

    Thumbnails are cached on disk (PNG per asset); models and encodings in small in-memory LRUs.
    """

    def __init__(self, backend: StudioService, root: Path | None = None, memory_items: int = 12) -> None:
        self._backend = backend
        server = hashlib.sha256(backend.base_url.encode()).hexdigest()[:12]
        self.root = (root or cache_root()) / server
        self._models: OrderedDict[str, Loaded] = OrderedDict()
        self._memory: OrderedDict[tuple[str, int], tuple[dict[str, Any], list[bytes]]] = OrderedDict()
        self._memory_items = memory_items
        self._locks: dict[str, asyncio.Lock] = {}

    def thumb_path(self, asset_id: str) -> Path:
        # "thumbs-v2": thumbnails have a transparent background (the theme's shows through);
        # the opaque light ones cached before would stay light in a dark theme.
        return self.root / "thumbs-v2" / f"{_SAFE.sub('_', asset_id)}.png"

    def read_thumb(self, asset_id: str) -> bytes | None:
        try:
            return self.thumb_path(asset_id).read_bytes()
        except OSError:
            return None

    def write_thumb(self, asset_id: str, png: bytes) -> None:
        if not png.startswith(b"\x89PNG\r\n\x1a\n") or len(png) > 2_000_000:
            raise InvalidValueError("thumbnail must be a PNG under 2 MB")
        path = self.thumb_path(asset_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(png)
        os.replace(tmp, path)

    @staticmethod
    def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, items: int) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > items:
            cache.popitem(last=False)

    async def model(self, asset: Any) -> Loaded:
        """The loaded model of a ready ``asset`` (loaded once; concurrent callers share the load)."""
        asset_id = str(asset.id)
        lock = self._locks.setdefault(asset_id, asyncio.Lock())
        async with lock:
            loaded = self._models.get(asset_id)
            if loaded is None:
                loaded = await load_asset_model(self._backend, asset)
            self._remember(self._models, asset_id, loaded, self._memory_items)
            return loaded

    async def encoded(self, asset: Any, triangle_budget: int) -> tuple[dict[str, Any], list[bytes]]:
        """Metadata and buffers of ``asset`` as the viewer encodes them (compare view, thumbnails)."""
        key = (str(asset.id), triangle_budget)
        if key not in self._memory:
            loaded = await self.model(asset)
            result = await asyncio.to_thread(_encode, loaded.model, triangle_budget)
            self._remember(self._memory, key, result, self._memory_items)
        self._memory.move_to_end(key)
        return self._memory[key]


    async def scene_model(self, name: str, parts: list[tuple[str, Pose]]) -> AssetModel:
        """A scene as ONE composed model (:func:`~gizmo_notebook.model.compose_placed`): each placed
        asset's model, loaded as its own preview would be, fixed at its pose. Why one model: a
        preview, a thumbnail and the compare view each show exactly one ``AssetModel``."""
        models: dict[str, AssetModel] = {}
        for asset_id, _ in parts:
            if asset_id not in models:
                models[asset_id] = (await self.model(await self._backend.get(asset_id))).model
        return compose_placed(name, [(models[asset_id], pose) for asset_id, pose in parts])

    async def encoded_scene(
        self, scene_id: str, name: str, parts: list[tuple[str, Pose]], triangle_budget: int
    ) -> tuple[dict[str, Any], list[bytes]]:
        """:meth:`scene_model`'s encoding (thumbnails, compare view), kept like an asset's."""
        key = (f"scene:{scene_id}", triangle_budget)
        if key not in self._memory:
            composed = await self.scene_model(name, parts)
            result = await asyncio.to_thread(_encode, composed, triangle_budget)
            self._remember(self._memory, key, result, self._memory_items)
        self._memory.move_to_end(key)
        return self._memory[key]


def _encode(model: AssetModel, triangle_budget: int) -> tuple[dict[str, Any], list[bytes]]:
    from gizmo_notebook.viewer.encode import encode_model

    meta, buffers = encode_model(model, triangle_budget=triangle_budget)
    # Compare's table: the one fact the browser cannot read off the geometry (kg; None if no link has mass).
    masses = [link.inertial.mass for link in model.links if link.inertial is not None]
    meta = {**meta, "total_mass": float(sum(masses)) if masses else None}
    return meta, [bytes(b) for b in buffers]
