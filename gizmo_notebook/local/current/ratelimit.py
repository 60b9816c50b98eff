"""``X-RateLimit-Limit/Remaining/Reset`` on every response, and 429 past the limit.

A fixed one-minute window per caller (the API key's hash, or the client address when no key
is sent): the simplest scheme whose three headers mean exactly what they say. ``Reset`` is
the epoch second at which the window restarts — the docs leave epoch-vs-seconds open, and an
absolute time stays true however late the client reads it. A 429 also sends ``Retry-After``
(seconds), so clients that only know that header work too.

Every request counts, including errors and the event stream, because that is what a real
gateway in front of the API does. With no limit configured the server still reports one, a
generous :data:`DEFAULT_PER_MINUTE`, and enforces it, so the headers never lie.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gizmo_notebook.local.current.errors import CurrentError

__all__ = ["DEFAULT_PER_MINUTE", "FixedWindowLimiter", "RateLimitHeaders"]

DEFAULT_PER_MINUTE = 6000
_WINDOW = 60.0


class FixedWindowLimiter:
    def __init__(self, per_minute: float, *, clock: Callable[[], float] = time.time) -> None:
        self.limit = max(1, int(per_minute))
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # caller -> (window start, count)
        self._lock = threading.Lock()

    def hit(self, caller: str) -> tuple[int, int, float, bool]:
        """Count one request: (limit, remaining, window end in epoch seconds, allowed)."""
        with self._lock:
            t = self._clock()
            start, count = self._windows.get(caller, (t, 0))
            if t - start >= _WINDOW:
                start, count = t, 0
            allowed = count < self.limit
            if allowed:
                count += 1
            self._windows[caller] = (start, count)
            if len(self._windows) > 10_000:  # forget callers whose window is over
                self._windows = {k: v for k, v in self._windows.items() if t - v[0] < _WINDOW}
        return self.limit, self.limit - count, start + _WINDOW, allowed


def _caller(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return "key:" + hashlib.sha256(value.strip()).hexdigest()[:24]
    client = scope.get("client")
    return f"addr:{client[0] if client else '?'}"


class RateLimitHeaders:
    """ASGI middleware: count the request, answer 429 when over, stamp the headers on any response.

    The numbers are also left in ``scope["state"]["rate_limit"]`` for ``GET /v1/whoami``.
    """

    def __init__(self, app: ASGIApp, limiter: FixedWindowLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, remaining, ends, allowed = self.limiter.hit(_caller(scope))
        reset = math.ceil(ends)
        scope.setdefault("state", {})["rate_limit"] = {"limit": limit, "remaining": remaining, "reset": reset}
        values = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(reset)}

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in values.items():
                    headers[key] = value
            await send(message)

        if not allowed:
            wait = max(1, math.ceil(ends - time.time()))
            error = CurrentError(
                429, "rate_limit_exceeded",
                f"Rate limit of {limit} requests per minute exceeded for this API key; retry after {wait} s.",
                headers={"Retry-After": str(wait)},
            )  # fmt: skip
            await error.response()(scope, receive, stamped)
            return
        await self.app(scope, receive, stamped)
