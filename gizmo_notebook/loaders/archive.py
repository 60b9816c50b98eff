"""Safe extraction of ``.zip`` exports, and finding the description file inside.

An archive from the network is untrusted: a member may be named ``../../.bashrc`` or
``/etc/passwd``, be a symlink to anywhere, or inflate from kilobytes to gigabytes. Members are
checked before anything is written, sizes are counted as bytes are actually written (headers
can lie), and extraction goes to a temporary folder that is renamed into the cache only when
complete, so a failed extraction never leaves a half-written model behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from gizmo_notebook.loaders._errors import LoadError

MAX_TOTAL_BYTES = 2 * 1024**3
MAX_FILES = 10_000
_CHUNK = 1 << 20

DESCRIPTION_SUFFIXES: tuple[str, ...] = (".urdf", ".xml", ".usd", ".usda", ".usdc", ".usdz")


def cache_dir() -> Path:
    """Where archives are unpacked; ``GIZMO_NOTEBOOK_CACHE`` overrides the platform default."""
    override = os.environ.get("GIZMO_NOTEBOOK_CACHE")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("gizmo-notebook"))


def extract_zip(
    path: Path,
    dest_root: Path | None = None,
    *,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_files: int = MAX_FILES,
) -> Path:
    """Extract ``path`` into ``dest_root/<content hash>/`` (reused if already there)."""
    digest = _sha256(path)
    root = (dest_root or cache_dir() / "archives") / digest[:20]
    if root.is_dir():
        return root
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(f"not a readable zip archive: {exc}", path=path) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > max_files:
            raise LoadError(f"archive holds {len(members)} files, more than the {max_files} allowed", path=path)
        for member in members:
            _check_member(member, path)
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=root.parent))
        try:
            written = 0
            for member in members:
                target = staging.joinpath(*PurePosixPath(member.filename).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(target, "wb") as dst:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > max_total_bytes:
                            raise LoadError(
                                f"archive expands to more than {max_total_bytes / 2**20:.0f} MiB; refused",
                                path=path,
                            )
                        dst.write(chunk)
            try:
                staging.rename(root)
            except OSError:  # another process finished the same archive first
                if not root.is_dir():
                    raise
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return root


def _check_member(member: zipfile.ZipInfo, archive: Path) -> None:
    name = member.filename
    element = f"member {name!r}"
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise LoadError("symbolic links are refused in archives", path=archive, element=element)
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise LoadError("absolute paths are refused in archives", path=archive, element=element)
    parts = PurePosixPath(name).parts
    if any(p in ("..", "") for p in parts) or not parts:
        raise LoadError("paths that leave the archive folder ('..') are refused", path=archive, element=element)


def find_main_file(folder: Path, *, archive: Path | None = None) -> Path:
    """The one description file at the top of an extracted export.

    A top level holding only one folder (``robot/...`` as zip tools make) is looked into.
    When several candidates are present, an MJCF that includes the others, a URDF, or a
    root USD layer is preferred in that order, and ambiguity is reported, never guessed.
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
    for suffixes in ((".urdf",), (".xml",), (".usd", ".usda", ".usdc", ".usdz")):
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
