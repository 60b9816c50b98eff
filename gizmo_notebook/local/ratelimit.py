"""An optional per-key rate limit (token bucket), so clients can test their 429 backoff.

Off unless the server is started with ``rate_limit=N`` (requests per minute per key). A
bucket holds ``N`` tokens and refills continuously; an empty bucket answers 429 with
``Retry-After`` = whole seconds until the next token, which is exactly when a retry works.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.local.errors import HTTPProblem

__all__ = ["RateLimiter", "parse_rate"]


def parse_rate(value: str | float | int | None) -> float | None:
    """``"30/min"``, ``"2/s"``, ``"100/hour"`` or a bare number (per minute) -> requests per minute."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        rate = float(value)
    else:
        text = value.strip().lower()
        count, _, unit = text.partition("/")
        per = {"": 1.0, "m": 1.0, "min": 1.0, "minute": 1.0, "s": 60.0, "sec": 60.0, "second": 60.0,
               "h": 1 / 60, "hour": 1 / 60}.get(unit.strip())
        try:
            rate = float(count) * per if per is not None else math.nan
        except ValueError:
            rate = math.nan
        if math.isnan(rate):
            raise InvalidValueError(f"rate limit {value!r} is not like '60/min', '2/s' or '1000/hour'")
    if not math.isfinite(rate) or rate <= 0:
        raise InvalidValueError(f"rate limit must be a positive number of requests per minute, got {value!r}")
    return rate


class RateLimiter:
    def __init__(self, per_minute: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.capacity = max(1.0, per_minute)
        self._refill = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last time)
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Take one token for ``key`` or raise the 429 ``HTTPProblem``."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self._refill)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return
            self._buckets[key] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / self._refill))
        limit = f"{self.per_minute:g}"
        raise HTTPProblem(
            429,
            "RATE_LIMIT_EXCEEDED",
            f"Rate limit of {limit} requests per minute exceeded for this API key; retry after {wait} s.",
            headers={"Retry-After": str(wait), "X-RateLimit-Limit": limit, "X-RateLimit-Remaining": "0"},
        )
