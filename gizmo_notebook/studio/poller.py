"""Background status polling that costs about one request per interval, however many jobs run.

The naive loop (``GET /assets/{id}`` for each pending asset every few seconds) costs N
requests per interval and eats the per-key rate limit exactly when a user starts a batch.
:class:`StatusPoller` instead asks the list endpoint for a page of up to 100 assets, which
carries every field it needs (id, status, name, prompt, created_at), and matches the pending
ids in it. Pending assets are the newest ones, so after the first tick has learned which end
of the list is "newest" they sit on one page: 1, 10 or 50 pending assets cost one request.
A single pending asset uses ``GET /assets/{id}`` (also one request, and a smaller body).

Rules it keeps (from the API docs): never faster than every 5 s against the real service;
back off on 429 and on network errors by the client's own retry policy (the server's hint in
``exc.retry_after`` first, see :func:`gizmo_notebook.studio._service.retry_delay`); stop when
nothing is pending; an authentication error parks the poller until the next ``track``.

Only alpha assets are polled: the current API's running generations are jobs, which are not
in the asset list until they finish; :mod:`gizmo_notebook.studio._jobs` follows those.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import gizmo_notebook.client as _client
from gizmo_notebook.client._retry import RetryPolicy
from gizmo_notebook.studio._listing import Listing
from gizmo_notebook.studio._service import retry_delay

log = logging.getLogger(__name__)

SERVICE_MIN_INTERVAL = 5.0  # seconds; the API docs ask for at least this between status polls
PAGE_SIZE = 100  # the API's maximum `limit`
_TERMINAL = frozenset({"ready", "failed"})


class AssetSource(Protocol):
    """What the poller needs from a client (see :class:`gizmo_notebook.studio._client_adapter.ClientAdapter`)."""

    async def get(self, asset_id: str) -> Any: ...

    async def list(self, limit: int, offset: int) -> Any: ...


@dataclass
class PollStats:
    requests: int = 0
    ticks: int = 0
    rate_limited: int = 0
    errors: int = 0


class StatusPoller:
    """Tracks pending asset ids and reports their changes through ``on_update``.

    ``on_update(assets)`` gets the fresh :class:`~gizmo_notebook.client.Asset` objects of
    tracked ids each tick; ``on_error(exc)`` gets failures (already retried/backed off);
    ``on_idle()`` fires when the last pending asset settles. All run on the poller's loop.
    """

    def __init__(
        self,
        source: AssetSource,
        *,
        interval: float,
        on_update: Callable[[list[Any]], Awaitable[None] | None],
        on_error: Callable[[BaseException], Awaitable[None] | None] | None = None,
        on_idle: Callable[[], Awaitable[None] | None] | None = None,
        min_interval: float = 0.0,
        max_backoff: float = 120.0,
        max_pages: int = 3,
        listing: Listing | None = None,
    ) -> None:
        self._source = source
        self.interval = max(float(interval), float(min_interval))
        self.max_backoff = max(max_backoff, self.interval)
        self.max_pages = max_pages
        self._on_update = on_update
        self._on_error = on_error
        self._on_idle = on_idle
        self._pending: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._delay = self.interval
        # The Studio passes its own Listing, so the order learned by either reader serves both.
        self._listing = listing if listing is not None else Listing(source)
        self._last_total = 0
        self._parked = False  # set after a 401: polling cannot succeed until the key changes
        self._failures = 0  # in a row; the retry policy's attempt number
        self.stats = PollStats()

    # -- control -----------------------------------------------------------------
    @property
    def pending(self) -> frozenset[str]:
        return frozenset(self._pending)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def delay(self) -> float:
        """Seconds until the next tick (``interval`` unless backing off)."""
        return self._delay

    def track(self, asset_ids: Iterable[str]) -> None:
        """Watch these ids until they are ready or failed; (re)starts the task. Call on the loop."""
        new = set(asset_ids) - self._pending
        self._pending.update(new)
        self._last_total += len(new)  # they were just created: the list grew by that much
        self._parked = False
        if self._pending and not self.running:
            self._delay = self.interval
            self._task = asyncio.get_running_loop().create_task(self._run(), name="gizmo-studio-poller")

    def forget(self, asset_ids: Iterable[str]) -> None:
        self._pending.difference_update(asset_ids)

    async def stop(self) -> None:
        """Cancel the task and wait until it is gone."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- the loop ------------------------------------------------------------------
    async def _run(self) -> None:
        while self._pending and not self._parked:
            await asyncio.sleep(self._delay)
            if not self._pending:
                break
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is reported, none kills the loop
                await self._failed(exc)
            else:
                self._delay = self.interval
                self._failures = 0
        if not self._pending:
            await _maybe_await(self._on_idle() if self._on_idle else None)

    async def _failed(self, exc: BaseException) -> None:
        self.stats.errors += 1
        if isinstance(exc, _client.RateLimitError):
            self.stats.rate_limited += 1
        if isinstance(exc, _client.AuthenticationError):
            self._parked = True
        else:
            policy = getattr(self._source, "retry_policy", None) or RetryPolicy()
            wait = retry_delay(policy, self._failures, exc)
            if wait is None:  # not worth retrying soon (e.g. 404): keep checking, but slowly
                wait = policy.backoff(self._failures)
            self._failures += 1
            self._delay = min(max(self.interval, wait), self.max_backoff)
        if self._on_error is not None:
            await _maybe_await(self._on_error(exc))

    async def tick(self) -> list[Any]:
        """One round of status checks; returns (and reports) the tracked assets it saw."""
        self.stats.ticks += 1
        wanted = set(self._pending)
        if not wanted:
            return []
        if len(wanted) == 1:
            seen = [await self._get(next(iter(wanted)))]
        else:
            seen = await self._scan(wanted)
        # The list endpoint may omit formats_available; fetch it once, when an asset turns ready.
        for i, asset in enumerate(seen):
            if asset.status == "ready" and not getattr(asset, "formats_available", None):
                seen[i] = await self._get(asset.id)
        for asset in seen:
            if asset.status in _TERMINAL:
                self._pending.discard(asset.id)
        if seen:
            await _maybe_await(self._on_update(seen))
        return seen

    async def _get(self, asset_id: str) -> Any:
        self.stats.requests += 1
        return await self._source.get(asset_id)

    async def _page(self, offset: int) -> Any:
        self.stats.requests += 1
        return await self._listing.page(PAGE_SIZE, offset)

    async def _scan(self, wanted: set[str]) -> list[Any]:
        found: dict[str, Any] = {}
        offsets_done: set[int] = set()
        offset = self._listing.newest_offset(self._last_total, PAGE_SIZE)
        for _ in range(self.max_pages):
            page = await self._page(offset)
            offsets_done.add(offset)
            total = self._last_total = int(page.total)
            for asset in page.assets:
                if asset.id in wanted:
                    found[asset.id] = asset
            if len(found) == len(wanted):
                break
            offset = self._next_offset(offset, total, offsets_done)
            if offset is None:
                break
        missing = [i for i in wanted if i not in found]
        # Ids the pages did not reach (very old pending jobs): a few direct GETs, not all.
        for asset_id in sorted(missing)[:2]:
            found[asset_id] = await self._get(asset_id)
        return list(found.values())

    def _next_offset(self, offset: int, total: int, done: set[int]) -> int | None:
        if self._listing.newest_first is False:
            # Oldest first: the pending (newest) assets sit at the end; walk back from there.
            tail = max(0, total - PAGE_SIZE)
            candidate = tail if tail not in done else offset - PAGE_SIZE
            return candidate if candidate >= 0 and candidate not in done else None
        nxt = offset + PAGE_SIZE
        return nxt if nxt < total and nxt not in done else None


async def _maybe_await(value: Any) -> None:
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        await value
