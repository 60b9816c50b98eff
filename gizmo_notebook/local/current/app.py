"""Composition root of the current-contract server (``gizmo-notebook serve --api current``).

Same generator, export writers, key table and worker pool as the alpha app
(:mod:`gizmo_notebook.local.server`); its own store (:mod:`.store`), job runner, event bus,
ZIP exports, nested errors and rate-limit headers. See :mod:`gizmo_notebook.local.current`
for the contract it serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
from collections.abc import AsyncIterator, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.current.context import CurrentContext
from gizmo_notebook.local.current.errors import CurrentError, from_api_error
from gizmo_notebook.local.current.events import EventBus
from gizmo_notebook.local.current.exports import ZipExports
from gizmo_notebook.local.current.jobs import DEFAULT_JOB_LEASE, JobRunner
from gizmo_notebook.local.current.ratelimit import DEFAULT_PER_MINUTE, FixedWindowLimiter, RateLimitHeaders
from gizmo_notebook.local.current.routes import routes
from gizmo_notebook.local.current.store import DATABASE_NAME as CURRENT_DATABASE
from gizmo_notebook.local.current.store import CurrentStore
from gizmo_notebook.local.errors import HTTPProblem
from gizmo_notebook.local.paths import DATABASE_NAME
from gizmo_notebook.local.ratelimit import parse_rate
from gizmo_notebook.local.store import Store

__all__ = ["DEFAULT_PING_INTERVAL", "create_current_app"]

DEFAULT_PING_INTERVAL = 15.0
_log = logging.getLogger("gizmo_notebook.local")


async def _current_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CurrentError)
    return exc.response()


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPProblem)
    return from_api_error(exc).response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path[:200]
    if exc.status_code == 404:
        return CurrentError(404, "not_found", f"No route {request.method} {path}.").response()
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return CurrentError(
            405, "method_not_allowed", f"{request.method} is not allowed on {path}; allowed: {allowed}.",
            headers={"Allow": allowed} if allowed else None,
        ).response()  # fmt: skip
    return CurrentError(exc.status_code, "http_error", str(exc.detail), headers=exc.headers).response()


def _internal_error() -> Response:
    return CurrentError(500, "internal_error", "The local server hit an unexpected error; details are in its log.").response()


def _check(credits: int | None, ping_interval: float) -> None:
    if credits is not None and (not isinstance(credits, int) or credits < 0):
        raise InvalidValueError(f"credits must be a non-negative whole number, got {credits!r}")
    if not ping_interval > 0:
        raise InvalidValueError(f"ping_interval must be a positive number of seconds, got {ping_interval!r}")


def create_current_app(
    data_dir: str | os.PathLike[str],
    *,
    api_keys: Iterable[str] = (),
    read_only_keys: Iterable[str] = (),
    latency: float = 0.0,
    fail_rate: float = 0.0,
    seed: int | None = None,
    rate_limit: str | float | None = None,
    credits: int | None = None,
    ping_interval: float = DEFAULT_PING_INTERVAL,
    workers: int | None = None,
    job_lease: float = DEFAULT_JOB_LEASE,
    **_alpha_only: Any,
) -> Starlette:
    """Build the current-contract app on ``data_dir``.

    Options as :func:`gizmo_notebook.local.server.create_app` (``url_ttl`` has no meaning here:
    exports are ZIP bodies, not URLs), plus ``credits`` — each key's generation budget
    (asset job 1, scene job 1 per planned asset; ``None`` = unlimited) — and ``ping_interval``,
    the keep-alive period of event streams in seconds; ``job_lease`` as the alpha server's (how
    long a job stays with this server without renewal when servers share the data dir). ``rate_limit`` defaults to a generous
    :data:`~.ratelimit.DEFAULT_PER_MINUTE` so the headers are always true.
    """
    from gizmo_notebook.local.server import _CatchAll, _check_options, _StripTrailingSlash, _warm_up_exporters

    _check_options(latency, fail_rate)
    _check(credits, ping_interval)
    per_minute = parse_rate(rate_limit) or DEFAULT_PER_MINUTE
    root = Path(data_dir).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    keys = Store(root / DATABASE_NAME)
    for key in api_keys:
        keys.add_key(key, "full")
    for key in read_only_keys:
        keys.add_key(key, "read")
    store = CurrentStore(root / CURRENT_DATABASE)
    executor = ThreadPoolExecutor(
        max_workers=workers or min(4, (os.cpu_count() or 1) + 1), thread_name_prefix="gizmo-current-worker"
    )
    artifacts = Artifacts(root, keys, executor)
    bus = EventBus(store)
    runner = JobRunner(
        store, bus, artifacts, executor, latency=latency, fail_rate=fail_rate, seed=seed, lease=job_lease
    )
    ctx = CurrentContext(
        data_dir=root, keys=keys, store=store, bus=bus, runner=runner, artifacts=artifacts,
        exports=ZipExports(root, executor), executor=executor, credits=credits, ping_interval=ping_interval,
    )  # fmt: skip

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        executor.submit(_warm_up_exporters)
        # LocalServer.stop() calls this from its own thread: open event streams end at once
        # (clients resume with after=) instead of holding uvicorn's graceful shutdown.
        app.state.before_stop = functools.partial(asyncio.get_running_loop().call_soon_threadsafe, bus.close)
        resumed = runner.resume()
        if resumed:
            _log.info("resumed %d unfinished job(s)", resumed)
        try:
            yield
        finally:
            bus.close()
            await runner.close()
            executor.shutdown(wait=True, cancel_futures=True)
            store.close()
            keys.close()

    app = Starlette(
        routes=routes,
        exception_handlers={CurrentError: _current_error, HTTPProblem: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.gizmo_current = ctx
    # LocalServer.create_key registers keys through app.state.gizmo.store: the key table here
    app.state.gizmo = SimpleNamespace(store=keys)
    app.add_middleware(_CatchAll, respond=_internal_error)
    app.add_middleware(RateLimitHeaders, limiter=FixedWindowLimiter(per_minute))
    app.add_middleware(_StripTrailingSlash)
    return app
