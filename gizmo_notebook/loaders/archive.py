"""Safe extraction of ``.zip`` exports, and finding the description file inside.

An archive from the network is untrusted: a member may be named ``../../.bashrc`` or
``/etc/passwd``, be a symlink to anywhere, or inflate from kilobytes to gigabytes. Members are
checked before anything is written, sizes are counted as bytes are actually written (headers
can lie), and extraction goes to a temporary folder that is renamed into the cache only when
complete, so a failed extraction never leaves a half-written model behind.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from gizmo_notebook._archive import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_FILES,
    UnsafeArchiveError,
    extract_zip_safely,
)
from gizmo_notebook.loaders._errors import LoadError
from gizmo_notebook.paths import cache_dir

_CHUNK = 1 << 20

DESCRIPTION_SUFFIXES: tuple[str, ...] = (".urdf", ".xacro", ".sdf", ".xml", ".usd", ".usda", ".usdc", ".usdz")


def extract_zip(
    path: Path,
    dest_root: Path | None = None,
    *,
    max_total_bytes: int = DEFAULT_MAX_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
) -> Path:
    """Extract ``path`` into ``dest_root/<content hash>/`` (reused if already there)."""
    digest = _sha256(path)
    root = (dest_root or cache_dir() / "archives") / digest[:20]
    if root.is_dir():
        return root
    try:
        return extract_zip_safely(path, root, max_bytes=max_total_bytes, max_files=max_files)
    except UnsafeArchiveError as exc:
        element = f"member {exc.member!r}" if exc.member else None
        raise LoadError(exc.reason, path=path, element=element) from None


def find_main_file(folder: Path, *, archive: Path | None = None) -> Path:
    """The one description file at the top of an extracted export.

    A top level holding only one folder (``robot/...`` as zip tools make) is looked into.
    When several candidates are present, a URDF, a xacro file, an SDF model, an MJCF that includes the
    others, or a root USD layer is preferred in that order, and ambiguity is reported, never
    guessed.
    """
    report = archive or folder
    top = folder
    while True:
        entries = [p for p in top.iterdir() if not p.name.startswith((".", "__MACOSX"))]
        if len(entries) == 1 and entries[0].is_dir():
            top = entries[0]
            continue
        break
    candidates = sorted(p for p in entries if p.is_file() and p.suffix.lower() in DESCRIPTION_SUFFIXES)
    if not candidates:
        raise LoadError(
            f"no model file at the top level (looked for {', '.join(DESCRIPTION_SUFFIXES)})", path=report
        )
    if len(candidates) == 1:
        return candidates[0]
    for suffixes in ((".urdf",), (".xacro",), (".sdf",), (".xml",), (".usd", ".usda", ".usdc", ".usdz")):
        group = [p for p in candidates if p.suffix.lower() in suffixes]
        if len(group) == 1:
            return group[0]
        if group:
            return _pick_including(group, report)
    raise AssertionError("unreachable")  # pragma: no cover


def _pick_including(group: list[Path], report: Path) -> Path:
    """Among several files of one kind, the one that no other file includes or references."""
    referenced = set()
    for p in group:
        try:
            text = p.read_text(errors="ignore")
        except OSError:
            continue
        for other in group:
            if other is not p and other.name in text:
                referenced.add(other)
    roots = [p for p in group if p not in referenced]
    if len(roots) == 1:
        return roots[0]
    raise LoadError(
        f"several model files at the top level ({', '.join(p.name for p in group)}); "
        "load the one you want by its path inside the extracted folder "
        f"{str(group[0].parent)!r}",
        path=report,
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    return h.hexdigest()
