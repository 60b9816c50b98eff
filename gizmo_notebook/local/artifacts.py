"""Articulated models and the export files made from them.

The generator is deterministic, so an asset's prompt *is* its durable description: the model
is rebuilt from it on demand (an LRU keeps recent ones in memory) instead of being pickled
into the database. Export files are the expensive, user-visible artefacts; each is written
once per (asset or scene, format) under ``exports/`` and indexed in SQLite, so a re-export or
a server restart reuses the file instead of regenerating it.

All heavy work runs in a small thread pool so the event loop keeps answering polls.
"""

from __future__ import annotations

import asyncio
import errno
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

from gizmo_notebook.local.errors import HTTPProblem
from gizmo_notebook.local.store import AssetRecord, SceneRecord, Store

if TYPE_CHECKING:
    from gizmo_notebook.model import AssetModel

__all__ = ["Artifacts", "export_storage_problem", "file_stem"]

_MODEL_CACHE_SIZE = 64


def file_stem(name: str, fallback: str) -> str:
    """A filesystem- and URL-safe stem for an export file (``"Industrial Arm v1"`` -> ``industrial_arm_v1``)."""
    stem = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:48].strip("_")
    return stem or fallback


class Artifacts:
    def __init__(self, data_dir: Path, store: Store, executor: Executor) -> None:
        self.data_dir = data_dir
        self._store = store
        self._executor = executor
        self._models: OrderedDict[str, AssetModel] = OrderedDict()
        self._models_lock = threading.Lock()
        self._export_locks: dict[tuple[str, str], asyncio.Lock] = {}

    # -- models ------------------------------------------------------------------------
    def model_for(self, prompt: str) -> AssetModel:
        """The model for ``prompt`` (cached; callers must treat it as read-only)."""
        with self._models_lock:
            model = self._models.get(prompt)
            if model is not None:
                self._models.move_to_end(prompt)
                return model
        from gizmo_notebook.local.generator import generate

        model = generate(prompt)
        model.validate()
        with self._models_lock:
            self._models[prompt] = model
            while len(self._models) > _MODEL_CACHE_SIZE:
                self._models.popitem(last=False)
        return model

    async def build(self, prompt: str) -> AssetModel:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.model_for, prompt)

    def _scene_model(self, scene: SceneRecord) -> AssetModel:
        from gizmo_notebook.local.generator import compose_scene
        from gizmo_notebook.model import Pose

        placements = []
        for p in scene.placements:
            asset = self._store.get_asset(p.asset_id)
            if asset is None:  # pragma: no cover - scenes only reference existing assets
                raise HTTPProblem(404, "ASSET_NOT_FOUND", f"Scene asset {p.asset_id} no longer exists.")
            placements.append((self.model_for(asset.prompt), Pose.from_quaternion(p.position, p.orientation)))
        return compose_scene(scene.name, placements)

    # -- exports -----------------------------------------------------------------------
    def cached_export(self, target_id: str, fmt: str) -> Path | None:
        rel = self._store.get_export(target_id, fmt)
        if rel is None:
            return None
        path = self.data_dir / rel
        return path if path.is_file() else None

    async def export_asset(self, asset: AssetRecord, fmt: str) -> Path:
        return await self._export(asset.id, fmt, file_stem(asset.name, asset.id), lambda: self.model_for(asset.prompt))

    async def export_scene(self, scene: SceneRecord, fmt: str) -> Path:
        return await self._export(scene.id, fmt, file_stem(scene.name, scene.id), lambda: self._scene_model(scene))

    async def _export(self, target_id: str, fmt: str, stem: str, build: Callable[[], AssetModel]) -> Path:
        cached = self.cached_export(target_id, fmt)
        if cached is not None:
            return cached
        lock = self._export_locks.setdefault((target_id, fmt), asyncio.Lock())
        async with lock:  # concurrent exports of one file: the first writes, the rest reuse
            cached = self.cached_export(target_id, fmt)
            if cached is not None:
                return cached
            dest = self.data_dir / "exports" / target_id / fmt
            loop = asyncio.get_running_loop()
            path = await loop.run_in_executor(self._executor, _write_export, build, fmt, dest, stem)
            self._store.put_export(target_id, fmt, path.relative_to(self.data_dir).as_posix())
        self._export_locks.pop((target_id, fmt), None)
        return path


def export_storage_problem(exports: Path, exc: OSError) -> tuple[int, str]:
    """(status, message) for an export that could not be written: 507 for a full disk, else 500,
    and what the operator should fix — both servers answer it the same way."""
    reason = exc.strerror or type(exc).__name__
    return (
        507 if exc.errno == errno.ENOSPC else 500,
        f"The local server cannot write export files under {exports} ({reason}); "
        "free disk space or make its data dir writable, then export again.",
    )


def _write_export(build: Callable[[], AssetModel], fmt: str, dest: Path, stem: str) -> Path:
    from gizmo_notebook._optional import MissingDependencyError
    from gizmo_notebook.local.exporters import export_model

    try:
        dest.mkdir(parents=True, exist_ok=True)
        return Path(export_model(build(), fmt, dest, stem)).resolve()
    except HTTPProblem:
        raise
    except MissingDependencyError as exc:  # a core install without the format's extra: say which
        raise HTTPProblem(422, "EXPORT_FORMAT_UNAVAILABLE", f"This server cannot export {fmt}: {exc}") from None
    except OSError as exc:  # a read-only or full disk is the operator's to fix, not a bug: say so
        status, message = export_storage_problem(dest.parent.parent, exc)
        raise HTTPProblem(status, "EXPORT_STORAGE_ERROR", message) from exc
    except Exception as exc:
        raise HTTPProblem(
            500, "EXPORT_FAILED", f"Exporting to {fmt} failed on the local server: {type(exc).__name__}: {exc}"[:500]
        ) from exc


