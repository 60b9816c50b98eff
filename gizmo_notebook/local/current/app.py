"""The current-contract app (``gizmo-notebook serve --api current``), built by ``create_app(api="current")``.

Same generator, export writers, key table and worker pool as the alpha app (the shared parts are
:mod:`gizmo_notebook.local.appkit`'s; the composition root is
:func:`gizmo_notebook.local.server.create_app`); its own store (:mod:`.store`), job runner, event
bus, ZIP exports, nested errors and rate-limit headers. See :mod:`gizmo_notebook.local.current`
for the contract it serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from gizmo_notebook.local import appkit
from gizmo_notebook.local.appkit import DEFAULT_PING_INTERVAL, ServerOptions
from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.current.context import CurrentContext
from gizmo_notebook.local.current.errors import CurrentError, from_api_error
from gizmo_notebook.local.current.events import EventBus
from gizmo_notebook.local.current.exports import ZipExports
from gizmo_notebook.local.current.jobs import JobRunner
from gizmo_notebook.local.current.ratelimit import DEFAULT_PER_MINUTE, FixedWindowLimiter, RateLimitHeaders
from gizmo_notebook.local.current.routes import routes
from gizmo_notebook.local.current.store import DATABASE_NAME as CURRENT_DATABASE
from gizmo_notebook.local.current.store import CurrentStore
from gizmo_notebook.local.errors import HTTPProblem
from gizmo_notebook.local.ratelimit import parse_rate

__all__ = ["DEFAULT_PING_INTERVAL", "create_current_app"]

_log = logging.getLogger("gizmo_notebook.local")


async def _current_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CurrentError)
    return exc.response()


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPProblem)
    return from_api_error(exc).response()


_http_error = appkit.http_error_handler(
    lambda status, code, message, headers: CurrentError(status, code, message, headers=headers).response(),
    {404: "not_found", 405: "method_not_allowed"},
    "http_error",
)


def _internal_error() -> Response:
    return CurrentError(500, "internal_error", "The local server hit an unexpected error; details are in its log.").response()


def create_current_app(root: Path, options: ServerOptions) -> Starlette:
    """The current-contract app on the data dir ``root``, with ``options`` already checked.

    ``options.rate_limit`` defaults to a generous :data:`~.ratelimit.DEFAULT_PER_MINUTE` so the
    rate-limit headers are always true; ``options.url_ttl`` is not used (exports are ZIP bodies).
    """
    per_minute = parse_rate(options.rate_limit) or DEFAULT_PER_MINUTE
    with appkit.data_dir_errors(root):
        keys = appkit.open_key_table(root, options)
        store = CurrentStore(root / CURRENT_DATABASE)
    executor = appkit.worker_pool(options, "gizmo-current-worker")
    artifacts = Artifacts(root, keys, executor)
    bus = EventBus(store)
    runner = JobRunner(
        store, bus, artifacts, executor, latency=options.latency, fail_rate=options.fail_rate, seed=options.seed,
        lease=options.job_lease,
    )
    ctx = CurrentContext(
        data_dir=root, keys=keys, store=store, bus=bus, runner=runner, artifacts=artifacts,
        exports=ZipExports(root, executor), executor=executor, credits=options.credits,
        ping_interval=options.ping_interval,
    )  # fmt: skip

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        executor.submit(appkit.warm_up_exporters)
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
    app.add_middleware(appkit.CatchAll, respond=_internal_error)
    app.add_middleware(RateLimitHeaders, limiter=FixedWindowLimiter(per_minute))
    app.add_middleware(appkit.StripTrailingSlash)
    return app
