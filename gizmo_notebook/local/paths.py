"""Where the local server keeps its state, and the small secret files inside it.

The data directory holds ``gizmo.sqlite3`` (assets, scenes, hashed keys), ``exports/`` (the
cached export files), ``server_secret`` (the HMAC key that signs download URLs, so URLs stay
valid across restarts) and ``local_api_key`` (the plaintext of the embedded default key, so a
restarted notebook reuses it and keeps seeing its assets). Secret files are created ``0600``
and published atomically, so two processes starting on one directory agree on one value.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from pathlib import Path

from gizmo_notebook.errors import GizmoError
from gizmo_notebook.paths import data_dir

__all__ = [
    "DATABASE_NAME",
    "DataDirError",
    "DEFAULT_KEY_FILE",
    "SECRET_FILE",
    "default_data_dir",
    "read_or_create_secret",
]

DATABASE_NAME = "gizmo.sqlite3"
SECRET_FILE = "server_secret"
DEFAULT_KEY_FILE = "local_api_key"


class DataDirError(GizmoError, RuntimeError):
    """The data dir cannot be created or written; the message says which folder and what to do."""

    @staticmethod
    def explain(root: Path, exc: BaseException) -> str:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return (
            f"the local Gizmo server cannot write its data dir {root} ({reason}); make it writable, "
            "or point GIZMO_DATA_DIR (or 'serve --data-dir') at a writable folder"
        )


def default_data_dir() -> Path:
    """``$GIZMO_DATA_DIR`` if set, else the per-user data directory platformdirs picks."""
    return data_dir()


def read_or_create_secret(path: Path, make: str | None = None) -> str:
    """Return the text in ``path``, creating it (``0600``) with ``make`` or a random token first.

    Creation writes a private temporary file and hard-links it into place: the link fails if
    another process won the race, and then we read the winner's value, so everyone shares it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(50):
        try:
            value = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            value = None
        if value:
            return value
        if value is None:
            candidate = make or secrets.token_urlsafe(32)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            try:
                os.chmod(tmp, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(candidate + "\n")
                try:
                    os.link(tmp, path)
                    return candidate
                except FileExistsError:
                    pass
            finally:
                os.unlink(tmp)
        time.sleep(0.01)  # an empty file: another process is between link and read; retry
    raise RuntimeError(f"{path} exists but stays empty; delete it and restart the server")
