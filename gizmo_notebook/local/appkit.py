"""The parts both offline apps are built from: options, data dir, key table, workers, middleware.

:func:`gizmo_notebook.local.server.create_app` is the one composition root: it checks the
options once (:class:`ServerOptions`) and builds the alpha app (``local/server.py``) or the
current one (``local/current/app.py``). What both apps need lives here, public, so neither
reaches into the other's private helpers.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.local._sqlite import DEFAULT_JOB_LEASE
from gizmo_notebook.local.errors import error_response
from gizmo_notebook.local.exporters import warm_up
from gizmo_notebook.local.paths import DATABASE_NAME, DataDirError
from gizmo_notebook.local.store import Store

__all__ = [
    "DEFAULT_PING_INTERVAL",
    "DEFAULT_URL_TTL",
    "CatchAll",
    "ServerOptions",
    "StripTrailingSlash",
    "data_dir_errors",
    "http_error_handler",
    "open_key_table",
    "warm_up_exporters",
    "worker_pool",
]

DEFAULT_URL_TTL = 3600.0
DEFAULT_PING_INTERVAL = 15.0
_log = logging.getLogger("gizmo_notebook.local")


@dataclass(frozen=True)
class ServerOptions:
    """What ``create_app`` was asked for, checked once (see its docstring for each option).

    ``url_ttl`` means something to the alpha app only (the current one answers exports with
    ZIP bodies, not URLs), ``credits`` and ``ping_interval`` to the current one only.
    """

    api_keys: tuple[str, ...] = field(default=(), repr=False)  # secrets: never in a repr or a log line
    read_only_keys: tuple[str, ...] = field(default=(), repr=False)
    latency: float = 0.0
    fail_rate: float = 0.0
    seed: int | None = None
    rate_limit: str | float | None = None
    url_ttl: float = DEFAULT_URL_TTL
    workers: int | None = None
    job_lease: float = DEFAULT_JOB_LEASE
    credits: int | None = None
    ping_interval: float = DEFAULT_PING_INTERVAL

    def __post_init__(self) -> None:
        if not math.isfinite(self.latency) or self.latency < 0:
            raise InvalidValueError(f"latency must be a non-negative number of seconds, got {self.latency!r}")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise InvalidValueError(f"fail_rate must be between 0 and 1, got {self.fail_rate!r}")
        if self.credits is not None and (not isinstance(self.credits, int) or self.credits < 0):
            raise InvalidValueError(f"credits must be a non-negative whole number, got {self.credits!r}")
        if not self.ping_interval > 0:
            raise InvalidValueError(f"ping_interval must be a positive number of seconds, got {self.ping_interval!r}")


@contextlib.contextmanager
def data_dir_errors(root: Path) -> Iterator[None]:
    """A data dir that cannot be used (read-only, full, a file where the folder should be) ->
    :class:`~gizmo_notebook.local.paths.DataDirError` saying which and what to do."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        raise DataDirError(DataDirError.explain(root, exc)) from exc


def open_key_table(root: Path, options: ServerOptions) -> Store:
    """The data dir's key table (the alpha store, shared by both apps) with ``options``' keys added.

    Keys added earlier on the same data dir keep working; call inside :func:`data_dir_errors`.
    """
    root.mkdir(parents=True, exist_ok=True)
    store = Store(root / DATABASE_NAME)
    for key in options.api_keys:
        store.add_key(key, "full")
    for key in options.read_only_keys:
        store.add_key(key, "read")
    return store


def worker_pool(options: ServerOptions, name: str) -> ThreadPoolExecutor:
    """The threads that generate and export (never the event loop): ``options.workers`` or a few."""
    return ThreadPoolExecutor(max_workers=options.workers or min(4, (os.cpu_count() or 1) + 1), thread_name_prefix=name)


_warm_up_lock = threading.Lock()
_warmed_up = False


def warm_up_exporters() -> None:
    """Once per process: two servers in one kernel warming USD up at the same time deadlocked in pxr."""
    global _warmed_up
    with _warm_up_lock:
        if _warmed_up:
            return
        try:
            warm_up()
        except Exception:  # a failure here will surface, with context, on the first real export
            _log.debug("exporter warm-up failed", exc_info=True)
        _warmed_up = True


#: Builds one error response in an app's envelope: (status, code, message, headers) -> Response.
Envelope = Callable[[int, str, str, "Mapping[str, str] | None"], Response]


def http_error_handler(
    envelope: Envelope, codes: Mapping[int, str], fallback: str
) -> Callable[[Request, Exception], Awaitable[Response]]:
    """Starlette's own HTTP errors (unknown route, wrong method...) in an app's error envelope.

    Both apps answer them the same way and differ only in the envelope and the codes:
    ``codes`` maps a status to its code (404 and 405 at least), ``fallback`` names the rest.
    """

    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        status, path = exc.status_code, request.url.path[:200]
        code = codes.get(status, fallback)
        if status == 404:
            return envelope(404, code, f"No route {request.method} {path}.", None)
        if status == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            message = f"{request.method} is not allowed on {path}; allowed: {allowed}."
            return envelope(405, code, message, {"Allow": allowed} if allowed else None)
        return envelope(status, code, str(exc.detail), exc.headers)

    return handle


class StripTrailingSlash:
    """``/v1/assets/`` is ``/v1/assets``: answering a redirect would break ``curl -X POST``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope, path=path.rstrip("/") or "/")
        await self.app(scope, receive, send)


class CatchAll:
    """Any exception a handler lets escape becomes the documented 500 envelope (``respond()``).

    Done here rather than with Starlette's ``Exception`` handler because that one re-raises
    after answering, which makes uvicorn drop the keep-alive connection under the client.
    The exception goes to the log, never into the response.
    """

    def __init__(self, app: ASGIApp, respond: Callable[[], Response] | None = None) -> None:
        self.app = app
        self.respond = respond or (
            lambda: error_response(
                500, "INTERNAL_ERROR", "The local server hit an unexpected error; details are in its log."
            )
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            _log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # half a response is on the wire; only closing the connection is left
            await self.respond()(scope, receive, send)
