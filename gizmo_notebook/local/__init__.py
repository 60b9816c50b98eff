"""``gizmo_notebook.local``: an offline, Gizmo-compatible API server with a procedural generator.

It implements the documented REST API (``/v1/assets``..., plus ``/v1/scenes``) on SQLite and
files in a data directory, so a notebook works with no key and tests run against a real HTTP
server. Entry points:

* :func:`ensure_local_server` — the embedded default the client starts when no key is set;
* :class:`LocalServer` / :func:`serve` — run it in a background thread (tests, scripts);
* :func:`create_app` — the bare Starlette app, to host it any other way;
* ``gizmo-notebook serve`` — run it standalone (:mod:`gizmo_notebook.local.cli`).

Names are imported lazily so that ``gizmo_notebook.local.generator`` can be used without
importing Starlette or uvicorn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["LocalServer", "create_app", "ensure_local_server", "serve"]

_EXPORTS = {
    "LocalServer": "gizmo_notebook.local.runner",
    "serve": "gizmo_notebook.local.runner",
    "create_app": "gizmo_notebook.local.server",
    "ensure_local_server": "gizmo_notebook.local.embedded",
}

if TYPE_CHECKING:  # pragma: no cover
    from gizmo_notebook.local.embedded import ensure_local_server  # noqa: F401
    from gizmo_notebook.local.runner import LocalServer, serve  # noqa: F401
    from gizmo_notebook.local.server import create_app  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gizmo_notebook.local' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
