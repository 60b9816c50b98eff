"""The offline Gizmo-compatible HTTP API as a Starlette app.

:func:`create_app` is the composition root of both offline servers: it checks the options once
and builds the alpha app here, or the current-contract one (:mod:`gizmo_notebook.local.current.app`);
the parts both use are :mod:`gizmo_notebook.local.appkit`'s. The alpha app wires the pieces
(SQLite store, signer, rate limiter, generation lifecycle, export cache) into one ASGI app whose
every response follows ``shared/api``: resources at the top level, ``{error, code, message}``
for every failure — including unknown routes, wrong methods and bugs (a catch-all turns any
exception into a 500 envelope, never a traceback).
To run it, see :class:`gizmo_notebook.local.runner.LocalServer` (threads, tests, notebooks)
and ``gizmo-notebook serve`` (:mod:`gizmo_notebook.local.cli`).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.local import assets, downloads, scenes
from gizmo_notebook.local._sqlite import DEFAULT_JOB_LEASE
from gizmo_notebook.local.appkit import (
    DEFAULT_PING_INTERVAL,
    DEFAULT_URL_TTL,
    CatchAll,
    ServerOptions,
    StripTrailingSlash,
    data_dir_errors,
    http_error_handler,
    open_key_table,
    warm_up_exporters,
    worker_pool,
)
from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.context import ServerContext
from gizmo_notebook.local.errors import HTTPProblem, error_response
from gizmo_notebook.local.jobs import Lifecycle
from gizmo_notebook.local.paths import SECRET_FILE, read_or_create_secret
from gizmo_notebook.local.ratelimit import RateLimiter, parse_rate
from gizmo_notebook.local.signing import UrlSigner

__all__ = ["DEFAULT_URL_TTL", "create_app"]

_log = logging.getLogger("gizmo_notebook.local")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPProblem)
    return exc.response()


_http_error = http_error_handler(
    lambda status, code, message, headers: error_response(status, code, message, headers=headers),
    {404: "ROUTE_NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
     429: "RATE_LIMIT_EXCEEDED"},
    "HTTP_ERROR",
)  # fmt: skip


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
    credits: int | None = None,
    ping_interval: float | None = None,
) -> Starlette:
    """Build the app on ``data_dir`` (created if missing).

    ``api="current"`` builds the current-contract app instead (jobs, event streams, ZIP
    exports: :mod:`gizmo_notebook.local.current`), which also takes ``credits`` — each key's
    generation budget (asset job 1, scene job 1 per planned asset; ``None`` = unlimited) — and
    ``ping_interval``, the keep-alive period of its event streams in seconds; ``url_ttl`` has no
    meaning there (exports are ZIP bodies, not URLs). The default ``"alpha"`` is this module's app.

    ``api_keys`` / ``read_only_keys`` are added to the key table (hashed; keys added earlier on
    the same data dir keep working). ``latency`` is the simulated generation time in seconds,
    ``fail_rate`` the fraction of new assets that fail (drawn from ``random.Random(seed)``),
    ``rate_limit`` requests per minute per key (``"60/min"``, ``"2/s"`` or a number; ``None`` = off;
    the current app defaults to a generous limit so its headers are always true),
    ``url_ttl`` the lifetime of download URLs in seconds, ``job_lease`` how long a generation job
    stays with this server without renewal (another server on the data dir takes it over after).
    """
    if api not in ("alpha", "current"):
        raise InvalidValueError(f"api must be 'alpha' or 'current', got {api!r}")
    current_only = {"credits": credits, "ping_interval": ping_interval}
    if api == "alpha" and any(v is not None for v in current_only.values()):
        given = sorted(k for k, v in current_only.items() if v is not None)
        raise TypeError(f"options only the current API takes: {', '.join(given)} (pass api='current')")
    options = ServerOptions(
        api_keys=tuple(api_keys), read_only_keys=tuple(read_only_keys), latency=latency, fail_rate=fail_rate,
        seed=seed, rate_limit=rate_limit, url_ttl=url_ttl, workers=workers, job_lease=job_lease, credits=credits,
        ping_interval=DEFAULT_PING_INTERVAL if ping_interval is None else ping_interval,
    )  # fmt: skip
    root = Path(data_dir).expanduser().resolve()
    if api == "current":
        from gizmo_notebook.local.current.app import create_current_app

        return create_current_app(root, options)
    return _alpha_app(root, options)


def _alpha_app(root: Path, options: ServerOptions) -> Starlette:
    limit = parse_rate(options.rate_limit)
    with data_dir_errors(root):
        store = open_key_table(root, options)
        secret = read_or_create_secret(root / SECRET_FILE)
    executor = worker_pool(options, "gizmo-local-worker")
    artifacts = Artifacts(root, store, executor)
    ctx = ServerContext(
        data_dir=root,
        store=store,
        signer=UrlSigner(secret, options.url_ttl),
        limiter=RateLimiter(limit) if limit is not None else None,
        lifecycle=Lifecycle(
            store, artifacts, latency=options.latency, fail_rate=options.fail_rate, seed=options.seed,
            lease=options.job_lease,
        ),  # fmt: skip
        artifacts=artifacts,
        executor=executor,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Pay the exporters' one-off costs (USD plugin loading: ~1.5 s cold) on a worker while
        # the first asset is still pending, not in the first user's export request.
        executor.submit(warm_up_exporters)
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
    app.add_middleware(CatchAll)
    app.add_middleware(StripTrailingSlash)
    return app
