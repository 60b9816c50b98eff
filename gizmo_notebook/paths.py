"""Where gizmo-notebook keeps files on disk, and the environment variables that move them.

One module so the client's download cache, the loaders' unpacked archives, the Studio's
preview cache and the local server's data all honour the same overrides.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_DIR_ENV", "DATA_DIR_ENV", "cache_dir", "data_dir"]

CACHE_DIR_ENV = "GIZMO_CACHE_DIR"
DATA_DIR_ENV = "GIZMO_DATA_DIR"
_APP = "gizmo-notebook"


def cache_dir() -> Path:
    """``$GIZMO_CACHE_DIR`` if set, else the per-user cache directory: safe to delete any time."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(_APP, appauthor=False))


def data_dir() -> Path:
    """``$GIZMO_DATA_DIR`` if set, else the per-user data directory: the local server's state."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(_APP, appauthor=False))
