"""The embedded default: ``GizmoClient()`` with no key talks to a local server in this process.

:func:`ensure_local_server` starts one server per (data dir, latency) per process — normally
exactly one — on a free 127.0.0.1 port in a daemon thread, and stops it at interpreter exit.
The data dir is ``$GIZMO_DATA_DIR`` or the platformdirs user data dir, and the key is the data
dir's persisted default key, so a restarted kernel sees the assets it made before. The
simulated latency defaults to 2 s so the pending -> processing -> ready progression is visible;
``GIZMO_LOCAL_LATENCY`` overrides it (tests set 0).
"""

from __future__ import annotations

import atexit
import math
import os
import threading
from pathlib import Path
from typing import Any

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.local.paths import default_data_dir
from gizmo_notebook.local.runner import LocalServer

__all__ = ["DEFAULT_LATENCY", "LATENCY_ENV", "ensure_local_server", "stop_local_servers"]

DEFAULT_LATENCY = 2.0
LATENCY_ENV = "GIZMO_LOCAL_LATENCY"

_lock = threading.Lock()
_servers: dict[tuple[Path, float, str], LocalServer] = {}
_atexit_registered = False


def _latency() -> float:
    raw = os.environ.get(LATENCY_ENV, "").strip()
    if not raw:
        return DEFAULT_LATENCY
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InvalidValueError(f"{LATENCY_ENV} must be a non-negative number of seconds, got {raw!r}")
    return value


def ensure_local_server(api: str = "alpha") -> LocalServer:
    """The running embedded server for the current configuration, started on first use.

    ``api="current"`` serves the current (job-based) contract instead of the alpha one, on
    the same data dir and key; one server per contract. Thread-safe and idempotent:
    concurrent first calls start one server between them.
    """
    global _atexit_registered
    if api not in ("alpha", "current"):
        raise InvalidValueError(f"api must be 'alpha' or 'current', got {api!r}")
    key = (default_data_dir().expanduser().resolve(), _latency(), api)
    with _lock:
        server = _servers.get(key)
        if server is not None and server.running:
            return server
        options: dict[str, Any] = {"api": api} if api != "alpha" else {}
        server = LocalServer(key[0], latency=key[1], **options)
        server.start()
        _servers[key] = server
        if not _atexit_registered:
            atexit.register(stop_local_servers)
            _atexit_registered = True
        return server


def stop_local_servers() -> None:
    """Stop every embedded server (runs at exit; harmless to call twice)."""
    with _lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()
