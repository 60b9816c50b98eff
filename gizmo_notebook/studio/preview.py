"""Geometry for previews and thumbnails: download once, load into an AssetModel, encode to buffers.

The service offers files, not meshes, so a preview downloads one export format into the
cache dir, reads it with :func:`gizmo_notebook.load` (the same loaders a user would call)
and encodes it with the viewer's :func:`~gizmo_notebook.viewer.encode.encode_model`, so the
browser gets exactly what ``gizmo_notebook.view`` would send: JSON metadata plus binary
buffers. Ready assets never change, so files and thumbnails are cached on disk per server
and asset id, and encodings are kept in a small in-memory LRU.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.paths import cache_dir
from gizmo_notebook.studio._client_adapter import ClientAdapter

# URDF first: one XML the loaders read fastest; then MJCF; USD last (heaviest to parse).
FORMAT_PREFERENCE = ("isaac_sim_urdf", "mujoco_mjcf", "isaac_sim_usd")
PREVIEW_TRIANGLES = 200_000
THUMB_TRIANGLES = 6_000
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def cache_root() -> Path:
    return cache_dir() / "studio"


class GeometryCache:
    def __init__(self, backend: ClientAdapter, root: Path | None = None, memory_items: int = 12) -> None:
        self._backend = backend
        server = hashlib.sha256(backend.base_url.encode()).hexdigest()[:12]
        self.root = (root or cache_root()) / server
        self._memory: OrderedDict[tuple[str, int], tuple[dict[str, Any], list[bytes]]] = OrderedDict()
        self._memory_items = memory_items
        self._locks: dict[str, asyncio.Lock] = {}

    def _dir(self, asset_id: str) -> Path:
        return self.root / "assets" / _SAFE.sub("_", asset_id)

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

    async def _file(self, asset_id: str, fmt: str) -> Path:
        folder = self._dir(asset_id) / fmt
        marker = folder / ".downloaded"
        if marker.is_file():
            path = Path(marker.read_text(encoding="utf-8"))
            if path.exists():
                return path
        folder.mkdir(parents=True, exist_ok=True)
        path = await self._backend.download(asset_id, fmt, folder)
        marker.write_text(str(path), encoding="utf-8")
        return path

    async def encoded(
        self, asset_id: str, formats: list[str], triangle_budget: int
    ) -> tuple[dict[str, Any], list[bytes]]:
        key = (asset_id, triangle_budget)
        if key in self._memory:
            self._memory.move_to_end(key)
            return self._memory[key]
        lock = self._locks.setdefault(asset_id, asyncio.Lock())
        async with lock:
            if key in self._memory:
                return self._memory[key]
            order = [f for f in FORMAT_PREFERENCE if f in formats] or list(FORMAT_PREFERENCE)
            last: Exception | None = None
            for fmt in order:
                try:
                    path = await self._file(asset_id, fmt)
                    result = await asyncio.get_running_loop().run_in_executor(
                        None, _load_and_encode, path, triangle_budget
                    )
                    break
                except Exception as exc:  # noqa: BLE001 - try the next format, report the last
                    last = exc
            else:
                assert last is not None
                raise last
        self._memory[key] = result
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)
        return result


def _load_and_encode(path: Path, triangle_budget: int) -> tuple[dict[str, Any], list[bytes]]:
    from gizmo_notebook.loaders import load
    from gizmo_notebook.viewer.encode import encode_model

    model = load(path)
    meta, buffers = encode_model(model, triangle_budget=triangle_budget)
    # Compare's table: the one fact the browser cannot read off the geometry (kg; None if no link has mass).
    masses = [link.inertial.mass for link in model.links if link.inertial is not None]
    meta = {**meta, "total_mass": float(sum(masses)) if masses else None}
    return meta, [bytes(b) for b in buffers]
