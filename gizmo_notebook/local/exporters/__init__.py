"""Write an :class:`~gizmo_notebook.model.AssetModel` in each documented export format.

=================  ==========  ================================================================
format             file        contents
=================  ==========  ================================================================
``mujoco_mjcf``    ``.xml``    one MJCF file, meshes inlined (``<mesh vertex=... face=...>``)
``isaac_sim_urdf`` ``.zip``    ``<stem>.urdf`` + ``meshes/*.stl``, mesh paths relative
``isaac_sim_usd``  ``.usda``   one USD layer, meshes inlined as ``UsdGeom.Mesh``
=================  ==========  ================================================================

Fixed or floating base: a model whose root link is named ``world`` and has no inertial is
bolted to the ground (:func:`is_world_anchored`); any other root floats. The generator builds
models that way and each exporter maps it to its format's idiom (see the format modules).

Each format has exactly one shape whatever the model contains, so a client can rely on the
suffix. MJCF and USD can carry triangle data inline and so stay single self-contained files;
URDF cannot, so it always ships as a zip (even a mesh-free model), with its meshes beside it.

:func:`export_model` writes atomically: the file appears complete under its final name or
not at all. Format-specific mapping choices are documented in :mod:`.mjcf`, :mod:`.urdf` and
:mod:`.usd`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import IO

from gizmo_notebook.errors import InvalidValueError

from ...formats import EXPORT_FORMATS, check_format
from ...model import AssetModel
from ._common import WORLD_LINK, ExportError, atomic_write, is_world_anchored
from .mjcf import write_mjcf
from .urdf import write_urdf_zip
from .usd import write_usd

__all__ = [
    "EXPORT_MEDIA_TYPES",
    "EXPORT_SUFFIX",
    "WORLD_LINK",
    "ExportError",
    "export_bytes",
    "export_model",
    "is_world_anchored",
    "media_type_for",
    "warm_up",
]

EXPORT_SUFFIX: dict[str, str] = {
    "mujoco_mjcf": ".xml",
    "isaac_sim_urdf": ".zip",
    "isaac_sim_usd": ".usda",
}

EXPORT_MEDIA_TYPES: dict[str, str] = {
    ".xml": "application/xml",
    ".zip": "application/zip",
    ".usda": "model/vnd.usda",
}

assert set(EXPORT_SUFFIX) == set(EXPORT_FORMATS)


def _writer(format: str, stem: str) -> Callable[[AssetModel, IO[bytes]], None]:
    if format == "mujoco_mjcf":
        write: Callable[[AssetModel, IO[bytes]], None] = write_mjcf
    elif format == "isaac_sim_usd":
        write = write_usd
    else:
        def write(model: AssetModel, fh: IO[bytes]) -> None:
            write_urdf_zip(model, fh, stem)
    return lambda model, fh: write(_default_visuals(model), fh)


def _default_visuals(model: AssetModel) -> AssetModel:
    """``model`` with only the visuals drawn by default: a loaded MJCF keeps its geoms of groups
    3-5 (often the collision shapes, drawn) as hidden visuals, and the formats written here
    would make them plain, always-drawn visuals (an MJCF-to-URDF conversion would show its
    collision shapes twice)."""
    if all(v.shown_by_default for link in model.links for v in link.visuals):
        return model
    links = [replace(link, visuals=[v for v in link.visuals if v.shown_by_default]) for link in model.links]
    return model.copy(links=links)


def _check_stem(stem: str) -> str:
    if not stem or stem in (".", "..") or "/" in stem or "\\" in stem or "\x00" in stem:
        raise InvalidValueError(f"export stem must be a plain file name without path separators, got {stem!r}")
    return stem


def export_model(model: AssetModel, format: str, dest_dir: Path, stem: str) -> Path:
    """Write ``model`` as ``format`` to ``dest_dir/<stem><suffix>`` and return that path.

    Raises ``ValueError`` for an unknown format (listing the valid ones) or a bad stem,
    :class:`ExportError` if the model uses something the format cannot express; in every
    error case no file (partial or temporary) is left behind.
    """
    check_format(format)
    _check_stem(stem)
    path = Path(dest_dir) / f"{stem}{EXPORT_SUFFIX[format]}"
    writer = _writer(format, stem)
    return atomic_write(path, lambda fh: writer(model, fh))


def export_bytes(model: AssetModel, format: str, stem: str = "asset") -> bytes:
    """The same bytes :func:`export_model` would write, in memory (for previews and tests)."""
    import io

    check_format(format)
    _check_stem(stem)
    buffer = io.BytesIO()
    _writer(format, stem)(model, buffer)
    return buffer.getvalue()


def media_type_for(path: str | Path) -> str:
    """The Content-Type to serve an export file with, from its suffix."""
    return EXPORT_MEDIA_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def warm_up() -> None:
    """Pay the one-off costs (USD plugin loading, first XML/zip writes) before the first request.

    A cold process spends most of a second on these; a server calls this at start-up so its
    first export is as fast as the rest.
    """
    from ...model import Box, Collision, Inertial, Link, Visual

    box = Box((0.1, 0.1, 0.1))
    model = AssetModel(
        "warm_up", [Link("box", [Visual(box)], [Collision(box)], Inertial(1.0, inertia=(1e-3, 1e-3, 1e-3, 0, 0, 0)))]
    )
    for fmt in EXPORT_FORMATS:
        export_bytes(model, fmt, "warm_up")
