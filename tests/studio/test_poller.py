"""The status poller against the real local server, plus fault cases a real server can't stage."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from gizmo_notebook.client import AsyncGizmoClient, RateLimitError
from gizmo_notebook.client._retry import RetryPolicy
from gizmo_notebook.studio._client_adapter import ClientAdapter
from gizmo_notebook.studio.poller import PAGE_SIZE, StatusPoller


@pytest.fixture
def api_version() -> str:
    """The poller watches alpha assets only (current-API jobs are followed by their events, see
    test_widget.py, which runs on both contracts)."""
    return "alpha"


@pytest.fixture
def slow_server(make_local_server: Any) -> Any:
    # Assets stay pending/processing for 10 minutes: long enough to count requests.
    return make_local_server(latency=600.0)


class CountingAdapter(ClientAdapter):
    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.calls: list[str] = []

    async def get(self, asset_id: str) -> Any:
        self.calls.append("get")
        return await super().get(asset_id)

    async def list(self, limit: int, offset: int) -> Any:
        self.calls.append(f"list:{offset}")
        return await super().list(limit, offset)


@pytest.mark.parametrize("pending", [1, 10, 50])
async def test_one_request_per_tick_however_many_pending(slow_server: Any, pending: int) -> None:
    client = AsyncGizmoClient(api_key=slow_server.api_key, base_url=slow_server.base_url)
    # Older finished-or-not assets in front of the pending ones must not matter either.
    ids = [(await client.assets.create(f"a two link arm number {i}")).id for i in range(pending)]
    adapter = CountingAdapter(client)
    seen: list[list[Any]] = []
    poller = StatusPoller(adapter, interval=60, on_update=seen.append)
    poller._pending.update(ids)
    for _ in range(3):
        await poller.tick()
    assert len(adapter.calls) == 3, adapter.calls  # exactly one request per tick
    assert all(c == ("get" if pending == 1 else "list:0") for c in adapter.calls)
    assert {a.id for a in seen[-1]} == set(ids)
    assert poller.pending == frozenset(ids)  # still running on the server
    await client.close()


async def test_settles_and_stops_then_resumes(local_server: Any) -> None:
    client = AsyncGizmoClient(api_key=local_server.api_key, base_url=local_server.base_url)
    updates: list[Any] = []
    idle = asyncio.Event()
    poller = StatusPoller(ClientAdapter(client), interval=0.05, on_update=updates.extend, on_idle=idle.set)
    first = await client.assets.create("a small gripper with two fingers")
    poller.track([first.id])
    await asyncio.wait_for(idle.wait(), 30)
    assert not poller.running and not poller.pending
    assert updates[-1].id == first.id and str(updates[-1].status) == "ready"
    assert updates[-1].formats_available  # fetched with the asset
    idle.clear()
    second = await client.assets.create("a three link arm")
    poller.track([second.id])
    assert poller.running
    await asyncio.wait_for(idle.wait(), 30)
    assert str(updates[-1].status) == "ready" and updates[-1].id == second.id


class _Asset:
    def __init__(self, asset_id: str, status: str, created_at: datetime) -> None:
        self.id, self.status, self.created_at = asset_id, status, created_at
        self.formats_available = ("mujoco_mjcf",) if status == "ready" else ()


class _Page:
    def __init__(self, assets: list[_Asset], total: int) -> None:
        self.assets, self.total = assets, total


class FaultySource:
    """A service that answers 429 a few times, then lists assets oldest first."""

    def __init__(self, n: int, throttle: int, retry_after: float | None) -> None:
        t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
        self.assets = [_Asset(f"ast_{i:04d}", "pending", t0 + timedelta(seconds=i)) for i in range(n)]
        self.throttle = throttle
        self.retry_after = retry_after
        self.calls: list[tuple[str, int]] = []
        # The client's policy decides the backoff (no jitter here, so the delays are exact).
        self.retry_policy = RetryPolicy(initial_delay=0.02, jitter=lambda: 0.0)

    def _maybe_throttle(self) -> None:
        if self.throttle > 0:
            self.throttle -= 1
            exc = RateLimitError("slow down", status_code=429)
            exc.retry_after = self.retry_after  # type: ignore[attr-defined]
            raise exc

    async def get(self, asset_id: str) -> Any:
        self.calls.append(("get", 0))
        self._maybe_throttle()
        return next(a for a in self.assets if a.id == asset_id)

    async def list(self, limit: int, offset: int) -> Any:
        self.calls.append(("list", offset))
        self._maybe_throttle()
        return _Page(self.assets[offset : offset + limit], len(self.assets))


async def test_backs_off_on_429_and_recovers() -> None:
    source = FaultySource(3, throttle=3, retry_after=None)
    errors: list[BaseException] = []
    poller = StatusPoller(source, interval=0.01, on_update=lambda a: None, on_error=errors.append)
    poller._pending.update(a.id for a in source.assets)
    delays = []
    for _ in range(4):
        try:
            await poller.tick()
        except RateLimitError as exc:
            await poller._failed(exc)
        else:
            poller._delay = poller.interval
        delays.append(poller.delay)
    assert delays == [0.02, 0.04, 0.08, 0.01]  # the client's backoff per 429, reset after a success
    assert len(errors) == 3 and poller.stats.rate_limited == 3


async def test_honours_retry_after_hint() -> None:
    source = FaultySource(2, throttle=1, retry_after=7.0)
    poller = StatusPoller(source, interval=0.01, on_update=lambda a: None)
    poller._pending.update(a.id for a in source.assets)
    with pytest.raises(RateLimitError):
        await poller.tick()
    await poller._failed(RateLimitError("x", status_code=429))  # no hint: the client's backoff
    assert poller.delay == pytest.approx(0.02)
    exc = RateLimitError("x", status_code=429)
    exc.retry_after = 7.0  # type: ignore[attr-defined]
    await poller._failed(exc)
    assert poller.delay == 7.0


async def test_oldest_first_listing_learns_to_read_the_tail() -> None:
    source = FaultySource(350, throttle=0, retry_after=None)
    for a in source.assets[:-20]:
        a.status = "ready"
    newest = [a.id for a in source.assets[-20:]]
    poller = StatusPoller(source, interval=1, on_update=lambda a: None)
    poller._pending.update(newest)
    seen = await poller.tick()  # learns the order from page 0, then reads the tail
    assert {a.id for a in seen} == set(newest)
    assert source.calls == [("list", 0), ("list", 350 - PAGE_SIZE)]
    source.calls.clear()
    await poller.tick()
    assert source.calls == [("list", 350 - PAGE_SIZE)]  # from now on: one request per tick


async def test_service_floor_of_five_seconds() -> None:
    poller = StatusPoller(FaultySource(1, 0, None), interval=0.5, min_interval=5.0, on_update=lambda a: None)
    assert poller.interval == 5.0


def test_one_retry_rule_from_the_client_policy() -> None:
    """The poller, the batch loop and the job followers all back off through ``retry_delay``."""
    from gizmo_notebook import client as c
    from gizmo_notebook.studio._service import StudioService, retry_delay

    policy = RetryPolicy(initial_delay=0.5, max_retry_after=30.0, jitter=lambda: 0.0)
    hinted = c.RateLimitError("slow down", status_code=429, retry_after=7.0)
    assert retry_delay(policy, 0, hinted) == 7.0  # the server's hint, from exc.retry_after
    assert retry_delay(policy, 0, c.RateLimitError("x", status_code=429, retry_after=600.0)) == 30.0  # capped
    assert retry_delay(policy, 2, c.RateLimitError("x", status_code=429)) == 2.0  # the client's backoff
    assert retry_delay(policy, 1, c.APIConnectionError("down")) == 1.0
    for final in (c.InsufficientCreditsError("no credits", status_code=402), c.AuthenticationError("no", status_code=401), ValueError("bad")):
        assert retry_delay(policy, 0, final) is None  # waiting cannot fix these
    assert isinstance(ClientAdapter(AsyncGizmoClient(api_key="k", base_url="http://127.0.0.1:9/v1")), StudioService)


def test_pacing_counts_the_calls_in_flight_not_only_the_last_header() -> None:
    """A batch has many calls out at once, all reading the same stale X-RateLimit-Remaining:
    the adapter takes its calls in flight off that count, so the twelfth concurrent call waits
    for the reset while the header still says 15 are left (counting the header alone let two
    429s through in a CI run)."""
    from gizmo_notebook.client._rate_limit import RateLimit

    class Header:
        assets = object()
        rate_limit = RateLimit(limit=40, remaining=15, reset=datetime.now(timezone.utc) + timedelta(seconds=0.4))

    async def scenario() -> tuple[list[int], float]:
        adapter = ClientAdapter(Header())
        release = asyncio.Event()
        started: list[int] = []

        async def call(i: int) -> None:
            started.append(i)
            await release.wait()

        tasks = [asyncio.create_task(adapter._run(call, i)) for i in range(13)]
        await asyncio.sleep(0.1)
        before_reset = list(started)
        release.set()
        await asyncio.gather(*tasks)
        return before_reset, adapter.paced

    before_reset, paced = asyncio.run(scenario())
    assert before_reset == list(range(11)), before_reset  # 15 left - 11 in flight = 4: the reserve
    assert 0.2 < paced < 1.0, paced  # the rest waited for the reset
