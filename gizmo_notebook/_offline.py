"""The offline default as a port: what a key-less client talks to, chosen once at the top.

With no API key, ``GizmoClient()`` talks to an offline backend. *Which* one is not the client's
business: if the client started the local server itself, it would import its peer
(``client`` → ``local``), and the two could no longer be read, tested or shipped apart. So the
client asks this module, which imports nothing of the package; the package root, the one place
that composes the parts, registers the factory (the embedded local server) at import time.
Tests and embedding applications may swap it with :func:`set_offline_factory`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["OfflineBackend", "OfflineFactory", "set_offline_factory", "start_offline_backend"]


@dataclass(frozen=True)
class OfflineBackend:
    """Where a running offline backend listens, and the key it accepts (kept out of the repr)."""

    base_url: str
    api_key: str | None = field(default=None, repr=False)
    data_dir: Path | str | None = None


#: Called with ``api="alpha"`` or ``api="current"``: the contract the backend must speak.
OfflineFactory = Callable[..., OfflineBackend]

_lock = threading.Lock()
_factory: OfflineFactory | None = None


def set_offline_factory(factory: OfflineFactory | None) -> OfflineFactory | None:
    """Install the factory a key-less client calls; returns the previous one so it can be put back."""
    global _factory
    with _lock:
        previous, _factory = _factory, factory
    return previous


def start_offline_backend(api: str = "alpha") -> OfflineBackend:
    """The offline backend speaking ``api`` (``"alpha"`` or ``"current"``), started (or reused)
    by the registered factory."""
    factory = _factory
    if factory is None:
        raise RuntimeError(
            "no offline backend is registered: pass api_key=... or set GIZMO_API_KEY "
            "(import gizmo_notebook registers the embedded local server)"
        )
    return factory(api=api)
