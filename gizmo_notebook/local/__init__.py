"""``gizmo_notebook.local``: an offline, Gizmo-compatible API server with a procedural generator.

It implements the documented REST API (``/v1/assets``..., plus ``/v1/scenes``) on SQLite and
files in a data directory, so a notebook works with no key and tests run against a real HTTP
server. Entry points:

* :func:`ensure_local_server` — the embedded default the client starts when no key is set;
* :class:`LocalServer` / :func:`serve` — run it in a background thread (tests, scripts);
* :func:`create_app` — the bare Starlette app, to host it any other way;
* ``gizmo-notebook serve`` — run it standalone (:mod:`gizmo_notebook.local.cli`).

All of them serve the alpha contract below by default; ``api="current"`` (``serve --api
current``) serves the current job-based contract instead — see :mod:`gizmo_notebook.local.current`.

Contract choices where the docs leave room (all responses are JSON; every error is
``{"error", "code", "message"}``):

* ``POST /v1/assets`` -> 201 with ``id`` (``ast_`` + 14 lower-case base32), ``status``, ``name``
  (default: the prompt shortened to 60 characters), ``prompt``, ``tags``, ``created_at``
  (``...Z``) and ``formats_available`` (``[]`` until ready); a failed asset adds
  ``failure_reason``. Limits: prompt 1-2000 chars, name 1-200, up to 20 tags of 1-64 chars,
  bodies up to 256 KiB. Unknown fields are ignored; ``null`` means "not given".
* 400 for every invalid input, including a non-JSON ``Content-Type``, ``limit`` outside
  1..100, a bad ``offset`` and exporting an asset that is not ready (``ASSET_NOT_READY``) or
  failed (``ASSET_FAILED``) — the docs list 400, not 409. Text UTF-8 cannot encode (a lone
  UTF-16 surrogate) anywhere in a body is ``INVALID_TEXT``; NaN, Infinity, integers of thousands
  of digits and nesting deeper than 32 are ``INVALID_JSON``; a request uvicorn cannot parse
  (headers over 16 KiB) is a 400 ``INVALID_HTTP_REQUEST`` in the same envelope.
* An export the server cannot write (read-only or full data dir) is 500 (507 when the disk is
  full) ``EXPORT_STORAGE_ERROR`` naming the folder.
* 401 ``MISSING_API_KEY`` / ``INVALID_AUTHORIZATION_HEADER`` / ``INVALID_API_KEY``; 403
  ``INSUFFICIENT_PERMISSION`` when a read-only key creates something. Another key's asset is a
  404 (existence is not revealed). 404 ``ROUTE_NOT_FOUND`` and 405 (with ``Allow``) for routing.
  429 ``RATE_LIMIT_EXCEEDED`` with ``Retry-After`` when a per-key rate limit is configured.
* Export -> ``{download_url, expires_at}``; the URL is ``/v1/exports/{id}/{format}/{file}?token=``
  on the same server (its address from the socket the request arrived on, never the ``Host``
  header), HMAC-SHA256 signed, 403 ``INVALID_SIGNATURE`` / ``URL_EXPIRED``.
* Scenes: see :mod:`gizmo_notebook.local.scenes` (orientation is a ``[w, x, y, z]`` quaternion,
  or ``rpy`` in radians).

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
