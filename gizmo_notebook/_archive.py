"""Safe, atomic extraction of zip archives (exports from the network are untrusted).

Shared by the client (``download(..., dest=...)`` unpacks a zip export) and the loaders
(``load("arm.zip")``). A member may be named ``../../.bashrc`` or ``/etc/passwd``, be a
symlink, or inflate from kilobytes to gigabytes: every member is checked before anything is
written, bytes are counted as they are written (headers can lie), and extraction goes to a
staging folder that replaces ``target`` only once complete, so a failure leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from gizmo_notebook.errors import GizmoError

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_FILES", "UnsafeArchiveError", "extract_zip_safely"]

DEFAULT_MAX_BYTES = 2 * 1024**3
DEFAULT_MAX_FILES = 10_000
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeArchiveError(GizmoError, ValueError):
    """The archive is unreadable or would escape, overflow or link out of its folder.

    ``member`` names the offending entry, when there is one, so callers can point at it.
    """

    def __init__(self, reason: str, member: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.member = member


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath:
    name = info.filename
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeArchiveError("symbolic links are refused in archives", member=name)
    if "\\" in name or name.startswith("/") or _DRIVE.match(name):
        raise UnsafeArchiveError("absolute paths would land outside the archive folder", member=name)
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        raise UnsafeArchiveError("'..' paths would land outside the archive folder", member=name)
    return PurePosixPath(*parts)


def extract_zip_safely(
    archive: Path,
    target: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
) -> Path:
    """Extract ``archive`` into ``target`` (replacing it whole) and return ``target``."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeArchiveError(f"not a valid zip archive ({exc})") from None
    with zf:
        files = [(info, _member_path(info)) for info in zf.infolist() if not info.is_dir()]
        if len(files) > max_files:
            raise UnsafeArchiveError(f"archive holds {len(files)} files, more than the {max_files} allowed")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=target.parent))
        try:
            written = 0
            for info, relative in files:
                out = staging.joinpath(*relative.parts)
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, out.open("wb") as dst:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > max_bytes:
                            raise UnsafeArchiveError(
                                f"archive expands to more than {max_bytes} bytes; refused"
                            )
                        dst.write(chunk)
            _swap_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


def _swap_into_place(staging: Path, target: Path) -> None:
    """Make ``staging`` appear at ``target`` in one rename, retiring any previous copy."""
    if not target.exists():
        try:
            os.replace(staging, target)
            return
        except OSError:
            if not target.exists():  # a failure other than a concurrent winner
                raise
    old = target.with_name(f".old-{uuid.uuid4().hex}")
    os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
