"""``client.rate_limit``: what the last response's ``X-RateLimit-*`` headers said.

The current API sends ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` on every response; the
docs do not say whether Reset is epoch seconds or seconds-to-go, so it is read like the retry
policy reads it (above 1e9 = epoch) and turned into an aware datetime when it arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from gizmo_notebook.client._retry import parse_rate_limit_reset

__all__ = ["RateLimit", "RateLimitTracker"]


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None and value.strip() else None
    except (ValueError, OverflowError):  # "abc", "nan"; "inf" and "1e400" overflow int()
        return None


def _when(timestamp: float) -> datetime | None:
    """The moment ``timestamp`` names, or ``None`` past what a datetime holds (a reset in year 33658)."""
    try:
        return datetime.fromtimestamp(timestamp, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class RateLimit:
    """Requests allowed per window (``limit``), left in it (``remaining``) and when it resets."""

    limit: int | None
    remaining: int | None
    reset: datetime | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: float | None = None) -> RateLimit | None:
        """``None`` when the response carried none of the headers."""
        limit = _int(headers.get("x-ratelimit-limit"))
        remaining = _int(headers.get("x-ratelimit-remaining"))
        now = time.time() if now is None else now
        wait = parse_rate_limit_reset(headers.get("x-ratelimit-reset"), now)
        reset = _when(now + wait) if wait is not None else None
        if limit is None and remaining is None and reset is None:
            return None
        return cls(limit=limit, remaining=remaining, reset=reset)


#: Below this fraction of the window's limit, requests are spread over what is left of the window.
PACE_BELOW = 0.1


class RateLimitTracker:
    """Remembers the rate limit reported by the most recent response that reported one, and paces
    requests by it so a batch does not run into 429s (``X-RateLimit-Remaining`` reaching 0)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: RateLimit | None = None

    @property
    def last(self) -> RateLimit | None:
        return self._last

    def pause(self, now: float | None = None) -> float:
        """Seconds to wait before the next request: until the reset once nothing remains, an even
        share of the time left once fewer than 10 % (at least 2) remain, else 0."""
        last = self._last
        if last is None or last.remaining is None or last.reset is None:
            return 0.0
        left = last.reset.timestamp() - (time.time() if now is None else now)
        if left <= 0:
            return 0.0
        if last.remaining <= 0:
            return left
        if last.remaining < max(2.0, PACE_BELOW * (last.limit or 0)):
            return left / (last.remaining + 1)
        return 0.0

    def observe(self, headers: Mapping[str, str]) -> None:
        seen = RateLimit.from_headers(headers)
        if seen is not None:
            with self._lock:
                self._last = seen
