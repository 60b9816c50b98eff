"""Which Gizmo API a client speaks: the ``alpha`` contract or the job-based ``current`` one.

``api_version="auto"`` (the default, or ``GIZMO_API_VERSION``) decides once per client, lazily,
the first time a method needs to know, and without side effects:

1. ``GET /openapi.json``: a spec listing any path with ``/jobs`` is current, one without is alpha;
2. else ``GET /whoami``: 200 is current (the current docs have it), 404/405 alpha (alpha has none);
3. else (both inconclusive, e.g. 401 everywhere) the first response whose *shape* tells —
   ``{ok, job_id}`` from ``POST /assets``, a nested error envelope... — settles it; until then
   requests are sent the alpha way. Nothing is ever created twice to find out.

The key-less default (the embedded offline backend) is alpha unless ``current`` is asked for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any, Literal

from gizmo_notebook.client._errors import APIConnectionError, APIError, RateLimitError
from gizmo_notebook.errors import InvalidValueError

__all__ = [
    "ALPHA",
    "API_VERSIONS",
    "API_VERSION_ENV",
    "AUTO",
    "CURRENT",
    "ApiVersion",
    "ApiVersionState",
    "check_api_version",
    "version_flow",
]

ALPHA = "alpha"
CURRENT = "current"
AUTO = "auto"
API_VERSIONS = (AUTO, ALPHA, CURRENT)
API_VERSION_ENV = "GIZMO_API_VERSION"

ApiVersion = Literal["auto", "alpha", "current"]
#: How often a flow checks whether a concurrent version probe has finished (seconds).
PROBE_WAIT = 0.02


def check_api_version(value: object) -> str:
    """The requested version: the argument, else ``GIZMO_API_VERSION``, else ``auto``."""
    origin = "api_version"
    if value is None:
        value = os.environ.get(API_VERSION_ENV, "").strip().lower() or AUTO
        origin = API_VERSION_ENV
    if value not in API_VERSIONS:
        raise InvalidValueError(f"{origin} must be one of {', '.join(API_VERSIONS)}, got {value!r}")
    return str(value)


def shape_hint(body: object) -> str | None:
    """The version a response body betrays, or ``None`` when it could come from either."""
    if not isinstance(body, Mapping):
        return None
    if isinstance(body.get("error"), Mapping) or "job_id" in body or isinstance(body.get("job"), Mapping):
        return CURRENT
    if isinstance(body.get("error"), str) and isinstance(body.get("code"), str):
        return ALPHA
    if "ok" in body and "id" not in body:
        return CURRENT
    if isinstance(body.get("id"), str) and body.get("status") in ("pending", "processing", "ready", "failed"):
        return ALPHA
    return None


class ApiVersionState:
    """The requested version and, once known, the one in use; shared by every flow of one client."""

    def __init__(self, requested: str, *, default: str | None = None) -> None:
        self.requested = requested
        self._lock = threading.Lock()
        self._version: str | None = requested if requested != AUTO else default
        #: A probe finished (conclusive or not); a failed one (no connection) is tried again.
        self.probed = False
        #: A probe is under way: concurrent flows of an async client wait for its verdict.
        self.probing = False

    @property
    def version(self) -> str | None:
        return self._version

    @property
    def effective(self) -> str:
        """What to speak right now: the decided version, or alpha while still undecided."""
        return self._version or ALPHA

    def settle(self, version: str) -> str:
        """Record ``version`` unless one was decided already (the first decision wins)."""
        with self._lock:
            if self._version is None:
                self._version = version
            return self._version

    def learn(self, body: object) -> None:
        """Settle from a response body's shape, if it tells."""
        if self._version is None:
            hint = shape_hint(body)
            if hint is not None:
                self.settle(hint)


def _openapi_verdict(body: object) -> str | None:
    paths = body.get("paths") if isinstance(body, Mapping) else None
    if not isinstance(paths, Mapping) or not paths:
        return None
    return CURRENT if any("/jobs" in str(path) for path in paths) else ALPHA


def version_flow(ctx: Any) -> Any:
    """A flow answering the version to speak (probing once when ``auto`` has not decided yet)."""
    from gizmo_notebook.client._runtime._flow import Sleep

    state: ApiVersionState = ctx.api
    while state.probing and state.version is None:
        yield Sleep(PROBE_WAIT)  # another request of this client is probing: use its verdict
    if state.version is not None or state.probed:
        return state.effective
    state.probing = True
    try:
        verdict = yield from _probe(ctx)
        state.probed = True
    finally:
        state.probing = False
    if verdict is not None:
        state.settle(verdict)
    return state.effective


def _probe(ctx: Any) -> Any:
    """``GET /openapi.json``, then ``GET /whoami``: the verdict, or ``None`` when neither tells."""
    from gizmo_notebook.client._runtime._flow import RequestOptions, request_flow

    try:
        spec = yield from request_flow(ctx, RequestOptions("GET", "/openapi.json", probe=True))
    except (APIConnectionError, RateLimitError):
        raise  # not a verdict: the caller's own request would meet the same; probed again next time
    except APIError:
        spec = None
    verdict = _openapi_verdict(spec)
    if verdict is None:
        try:
            whoami = yield from request_flow(ctx, RequestOptions("GET", "/whoami", probe=True))
            # Only the current docs have /whoami; a body shaped like an alpha resource is a server
            # (or proxy) answering every path alike, not a whoami.
            verdict = shape_hint(whoami) or CURRENT
        except (APIConnectionError, RateLimitError):
            raise
        except APIError as exc:
            if exc.status_code in (404, 405):
                verdict = ALPHA
    return verdict
