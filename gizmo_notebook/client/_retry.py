"""When to retry and how long to wait: pure decisions, shared by the sync and async clients.

Two rules matter beyond plain backoff:

* ``Retry-After`` (seconds or an HTTP date) is honoured, but capped so a confused server cannot
  park a notebook for an hour; a negative one or a date in the past is treated as absent (normal
  backoff), since taking it literally would retry at once, in a tight loop against a server that
  just asked us to slow down.
* A request that *creates* something (``POST /assets``, ``POST /scenes``) is re-sent only when we
  know the server did not act on it: after a 429 (it refused) or when the connection never
  opened. After a 5xx or a read timeout the asset may exist already, and a blind retry would
  create (and bill) a second one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["RetryPolicy", "parse_rate_limit_reset", "parse_retry_after", "request_never_sent", "server_wait_hint"]

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
#: 402 (credits used up) and 422 (invalid body) will not change by waiting.
NEVER_RETRY_STATUS = frozenset({400, 401, 402, 403, 404, 422})
#: An ``X-RateLimit-Reset`` above this is an epoch time (2001-09-09), below it seconds-to-go.
EPOCH_THRESHOLD = 1e9


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), ``None`` if unusable.

    Unusable: missing, unparsable, NaN, negative, or a date already past.
    """
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds != seconds or seconds < 0:  # NaN, "-5", a date in the past
        return None
    return seconds


def parse_rate_limit_reset(value: str | None, now: float | None = None) -> float | None:
    """Seconds until ``X-RateLimit-Reset``: the docs do not say whether it is epoch seconds or
    seconds-to-go, so a value above 1e9 is read as an epoch time, anything smaller as a delay.
    ``None`` when unusable: missing, unparsable, non-finite, negative or already past."""
    if not value:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    if number > EPOCH_THRESHOLD:
        number -= time.time() if now is None else now
    # a reset already past (or a negative delay) is no hint: as with Retry-After, taking it
    # literally would retry at once, in a tight loop against a server that is refusing us
    return number if number >= 0 else None


def server_wait_hint(headers: Mapping[str, str], *, rate_limited: bool, now: float | None = None) -> float | None:
    """How long the server asked us to wait: ``Retry-After``, else (for a 429) ``X-RateLimit-Reset``."""
    hinted = parse_retry_after(headers.get("retry-after"))
    if hinted is None and rate_limited:
        hinted = parse_rate_limit_reset(headers.get("x-ratelimit-reset"), now)
    return hinted


def request_never_sent(exc: BaseException) -> bool:
    """True when the failure happened before the request reached the server (safe to re-send anything)."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; ``max_retries=0`` disables retrying altogether."""

    max_retries: int = 4
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt + 1``: doubling, capped, minus up to 25 % jitter."""
        base = min(self.initial_delay * (2.0**attempt), self.max_delay)
        return base * (1.0 - 0.25 * self.jitter())

    def delay_for(self, attempt: int, retry_after: str | None) -> float:
        """``Retry-After`` when the server gave a usable one (capped), else exponential backoff."""
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.max_retry_after)
        return self.backoff(attempt)

    def after_response(self, attempt: int, response: httpx.Response, *, idempotent: bool) -> float | None:
        """Seconds to wait before re-sending after an error status, or ``None`` to give up."""
        status = response.status_code
        if attempt >= self.max_retries or status in NEVER_RETRY_STATUS:
            return None
        if status == 429 or (idempotent and (status in RETRYABLE_STATUS or status >= 500)):
            hinted = server_wait_hint(response.headers, rate_limited=status == 429)
            return min(hinted, self.max_retry_after) if hinted is not None else self.backoff(attempt)
        return None

    def after_exception(self, attempt: int, exc: BaseException, *, idempotent: bool) -> float | None:
        """Seconds to wait before re-sending after a transport error, or ``None`` to give up."""
        if attempt >= self.max_retries or not isinstance(exc, httpx.TransportError):
            return None
        if idempotent or request_never_sent(exc):
            return self.backoff(attempt)
        return None
