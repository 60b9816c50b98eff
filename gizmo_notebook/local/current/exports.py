"""ZIP exports of the current contract: the response body *is* the archive.

==========  ===============================================================================
format      archive members
==========  ===============================================================================
``mjcf``    ``<stem>.xml`` — MuJoCo MJCF; meshes are inlined as ``<mesh vertex face>``
            assets, so the XML is the whole model (nothing else to ship)
``usd``     ``<stem>.usda`` — one USD layer for Isaac Sim, meshes inlined as ``UsdGeom.Mesh``
``sdf``     ``model.sdf`` + ``model.config`` + ``meshes/*.stl`` — a Gazebo model directory,
            SDFormat 1.9 (:mod:`gizmo_notebook.local.exporters.sdf`)
==========  ===============================================================================

Members sit at the archive's top level. Archives are written once per (asset or scene
version, format) under ``exports/<id>/current-<format>/`` (atomically; a scene's version is a
digest of its assets and poses, so editing a scene never serves a stale file) and re-read
afterwards: the generator is deterministic, so the bytes would be the same anyway.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import zipfile
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from gizmo_notebook._optional import MissingDependencyError
from gizmo_notebook.local.artifacts import export_storage_problem, file_stem
from gizmo_notebook.local.current.errors import CurrentError
from gizmo_notebook.local.exporters._common import atomic_write, zip_entry
from gizmo_notebook.model import AssetModel

__all__ = ["ZipExports", "zip_bytes"]


def zip_bytes(model: AssetModel, fmt: str, stem: str, description: str = "") -> bytes:
    """The export archive of ``model`` in ``fmt`` (``mjcf`` | ``usd`` | ``sdf``)."""
    buffer = io.BytesIO()
    if fmt == "sdf":
        from gizmo_notebook.local.exporters.sdf import write_sdf_zip

        write_sdf_zip(model, buffer, description)
        return buffer.getvalue()
    from gizmo_notebook.local.exporters import export_bytes

    name, data = (
        (f"{stem}.xml", export_bytes(model, "mujoco_mjcf", stem))
        if fmt == "mjcf"
        else (f"{stem}.usda", export_bytes(model, "isaac_sim_usd", stem))
    )
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(zip_entry(name), data)
    return buffer.getvalue()


def version_of(parts: list[str]) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]


class ZipExports:
    def __init__(self, data_dir: Path, executor: Executor) -> None:
        self._root = data_dir / "exports"
        self._executor = executor
        self._locks: dict[Path, asyncio.Lock] = {}

    async def get(
        self, target_id: str, version: str, fmt: str, name: str, description: str, build: Callable[[], AssetModel]
    ) -> Path:
        """The archive's path, built by ``build()`` in the worker pool on first request."""
        stem = file_stem(name, target_id)
        path = self._root / target_id / f"current-{fmt}" / f"{stem}-{version}.zip"
        if path.is_file():
            return path
        lock = self._locks.setdefault(path, asyncio.Lock())
        async with lock:
            if not path.is_file():
                try:
                    data = await asyncio.get_running_loop().run_in_executor(
                        self._executor, lambda: zip_bytes(build(), fmt, stem, description)
                    )
                except MissingDependencyError as exc:  # a core install without the format's extra
                    raise CurrentError(
                        422, "export_format_unavailable", f"This server cannot export {fmt}: {exc}"
                    ) from None
                try:
                    atomic_write(path, lambda fh: fh.write(data))
                except OSError as exc:  # a read-only or full data dir: the operator's to fix, say what
                    status, message = export_storage_problem(self._root, exc)
                    raise CurrentError(status, "export_storage_error", message) from exc
        self._locks.pop(path, None)
        return path

    def forget(self, target_id: str) -> None:
        """Drop a deleted asset's or scene's archives."""
        import shutil

        directory = self._root / target_id
        for child in directory.glob("current-*"):
            shutil.rmtree(child, ignore_errors=True)
