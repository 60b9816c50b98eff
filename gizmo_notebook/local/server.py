"""The offline Gizmo-compatible HTTP API as a Starlette app.

:func:`create_app` wires the pieces (SQLite store, signer, rate limiter, generation lifecycle,
export cache) into one ASGI app whose every response follows ``shared/api``: resources at the
top level, ``{error, code, message}`` for every failure — including unknown routes, wrong
methods and bugs (a catch-all turns any exception into a 500 envelope, never a traceback).
To run it, see :class:`gizmo_notebook.local.runner.LocalServer` (threads, tests, notebooks)
and ``gizmo-notebook serve`` (:mod:`gizmo_notebook.local.cli`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.local import assets, downloads, scenes
from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.context import ServerContext
from gizmo_notebook.local.errors import HTTPProblem, error_response
from gizmo_notebook.local.exporters import warm_up
from gizmo_notebook.local.jobs import DEFAULT_JOB_LEASE, Lifecycle
from gizmo_notebook.local.paths import DATABASE_NAME, SECRET_FILE, DataDirError, read_or_create_secret
from gizmo_notebook.local.ratelimit import RateLimiter, parse_rate
from gizmo_notebook.local.signing import UrlSigner
from gizmo_notebook.local.store import Store

__all__ = ["DEFAULT_URL_TTL", "create_app"]

DEFAULT_URL_TTL = 3600.0
_log = logging.getLogger("gizmo_notebook.local")


class _StripTrailingSlash:
    """``/v1/assets/`` is ``/v1/assets``: answering a redirect would break ``curl -X POST``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope, path=path.rstrip("/") or "/")
        await self.app(scope, receive, send)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPProblem)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, "ROUTE_NOT_FOUND", f"No route {request.method} {request.url.path[:200]}.")
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return error_response(
            405,
            "METHOD_NOT_ALLOWED",
            f"{request.method} is not allowed on {request.url.path[:200]}; allowed: {allowed}.",
            headers={"Allow": allowed} if allowed else None,
        )
    code = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 429: "RATE_LIMIT_EXCEEDED"}
    return error_response(
        exc.status_code, code.get(exc.status_code, "HTTP_ERROR"), str(exc.detail), headers=exc.headers
    )


class _CatchAll:
    """Any exception a handler lets escape becomes the documented 500 envelope.

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


_warm_up_lock = threading.Lock()
_warmed_up = False


def _warm_up_exporters() -> None:
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


def _check_options(latency: float, fail_rate: float) -> None:
    if not math.isfinite(latency) or latency < 0:
        raise InvalidValueError(f"latency must be a non-negative number of seconds, got {latency!r}")
    if not 0.0 <= fail_rate <= 1.0:
        raise InvalidValueError(f"fail_rate must be between 0 and 1, got {fail_rate!r}")


def create_app(
    data_dir: str | os.PathLike[str],
    *,
    api_keys: Iterable[str] = (),
    read_only_keys: Iterable[str] = (),
    latency: float = 0.0,
    fail_rate: float = 0.0,
    seed: int | None = None,
    rate_limit: str | float | None = None,
    url_ttl: float = DEFAULT_URL_TTL,
    workers: int | None = None,
    job_lease: float = DEFAULT_JOB_LEASE,
    api: str = "alpha",
    **current_options: Any,
) -> Starlette:
    """Build the app on ``data_dir`` (created if missing).

    ``api="current"`` builds the current-contract app instead (jobs, event streams, ZIP
    exports: :mod:`gizmo_notebook.local.current`), which also takes ``credits`` and
    ``ping_interval``; the default ``"alpha"`` is this module's app, unchanged.

    ``api_keys`` / ``read_only_keys`` are added to the key table (hashed; keys added earlier on
    the same data dir keep working). ``latency`` is the simulated generation time in seconds,
    ``fail_rate`` the fraction of new assets that fail (drawn from ``random.Random(seed)``),
    ``rate_limit`` requests per minute per key (``"60/min"``, ``"2/s"`` or a number; ``None`` = off),
    ``url_ttl`` the lifetime of download URLs in seconds, ``job_lease`` how long a generation job
    stays with this server without renewal (another server on the data dir takes it over after).
    """
    if api == "current":
        from gizmo_notebook.local.current.app import create_current_app

        return create_current_app(
            data_dir, api_keys=api_keys, read_only_keys=read_only_keys, latency=latency, fail_rate=fail_rate,
            seed=seed, rate_limit=rate_limit, workers=workers, job_lease=job_lease, **current_options,
        )  # fmt: skip
    if api != "alpha":
        raise InvalidValueError(f"api must be 'alpha' or 'current', got {api!r}")
    if current_options:
        raise TypeError(f"options only the current API takes: {', '.join(sorted(current_options))} (pass api='current')")
    _check_options(latency, fail_rate)
    limit = parse_rate(rate_limit)
    root = Path(data_dir).expanduser().resolve()
    try:
        root.mkdir(parents=True, exist_ok=True)
        store = Store(root / DATABASE_NAME)
        for key in api_keys:
            store.add_key(key, "full")
        for key in read_only_keys:
            store.add_key(key, "read")
        secret = read_or_create_secret(root / SECRET_FILE)
    except (OSError, sqlite3.Error) as exc:  # read-only, full, or a file where the folder should be
        raise DataDirError(DataDirError.explain(root, exc)) from exc
    executor = ThreadPoolExecutor(
        max_workers=workers or min(4, (os.cpu_count() or 1) + 1), thread_name_prefix="gizmo-local-worker"
    )
    artifacts = Artifacts(root, store, executor)
    ctx = ServerContext(
        data_dir=root,
        store=store,
        signer=UrlSigner(secret, url_ttl),
        limiter=RateLimiter(limit) if limit is not None else None,
        lifecycle=Lifecycle(
            store, artifacts, latency=latency, fail_rate=fail_rate, seed=seed, lease=job_lease
        ),
        artifacts=artifacts,
        executor=executor,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Pay the exporters' one-off costs (USD plugin loading: ~1.5 s cold) on a worker while
        # the first asset is still pending, not in the first user's export request.
        executor.submit(_warm_up_exporters)
        resumed = ctx.lifecycle.resume()
        if resumed:
            _log.info("resumed %d unfinished generation job(s)", resumed)
        try:
            yield
        finally:
            await ctx.lifecycle.close()
            executor.shutdown(wait=True, cancel_futures=True)
            store.close()

    app = Starlette(
        routes=[*assets.routes, *scenes.routes, *downloads.routes],
        exception_handlers={HTTPProblem: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.gizmo = ctx
    app.add_middleware(_CatchAll)
    app.add_middleware(_StripTrailingSlash)
    return app
