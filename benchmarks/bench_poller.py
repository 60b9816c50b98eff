"""Requests per minute the Studio's status poller makes with 1, 10 and 50 assets pending.

Runs the real local server (simulated latency long enough that nothing finishes during the
run), creates N assets on a fresh account, then counts the HTTP requests that actually leave
the client while polling, for two strategies in the same run:

* ``studio``: :class:`gizmo_notebook.studio.poller.StatusPoller` (one GET for a single
  pending asset, else one page of the list endpoint for all of them);
* ``naive``: one ``GET /assets/{id}`` per pending asset per interval.

Polling is run at a short interval so the benchmark takes seconds, and the count is
reported per interval and scaled to requests per minute at the service's 5 s interval (the
minimum the Studio uses against the real API). The goal: the same ~1 request per interval
(12/min) for 1, 10 and 50 pending.

    .venv/bin/python benchmarks/bench_poller.py [--interval 0.25] [--window 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx

SERVICE_INTERVAL = 5.0


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts every request the client sends (retries included) and forwards it."""

    def __init__(self) -> None:
        self.count = 0
        self._real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()


async def _naive(client: object, ids: list[str], interval: float, window: float) -> int:
    deadline = time.monotonic() + window
    ticks = 0
    while True:
        await asyncio.sleep(interval)
        if time.monotonic() > deadline:
            return ticks
        ticks += 1
        for asset_id in ids:
            await client.assets.get(asset_id)  # type: ignore[attr-defined]


async def _studio(client: object, ids: list[str], interval: float, window: float) -> int:
    from gizmo_notebook.studio._client_adapter import ClientAdapter
    from gizmo_notebook.studio.poller import StatusPoller

    poller = StatusPoller(ClientAdapter(client), interval=interval, on_update=lambda assets: None)
    poller.track(ids)
    await asyncio.sleep(window + interval / 2)
    await poller.stop()
    if poller.pending != frozenset(ids):
        raise RuntimeError("assets finished during the benchmark; raise the server latency")
    return poller.stats.ticks


async def measure(server: object, strategy: str, pending: int, interval: float, window: float) -> float:
    """Requests per polling interval for one strategy and one number of pending assets."""
    from gizmo_notebook.client import AsyncGizmoClient

    transport = CountingTransport()
    client = AsyncGizmoClient(
        api_key=server.create_key(),  # type: ignore[attr-defined]
        base_url=server.base_url,  # type: ignore[attr-defined]
        transport=transport,
        max_retries=0,
    )
    try:
        ids = [(await client.assets.create(f"a two link arm, variant {i}")).id for i in range(pending)]
        transport.count = 0
        ticks = await (_studio if strategy == "studio" else _naive)(client, ids, interval, window)
        return transport.count / max(ticks, 1)
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.25, help="polling interval used for the run (s)")
    parser.add_argument("--window", type=float, default=3.0, help="seconds of polling per case")
    args = parser.parse_args()
    os.environ.setdefault("GIZMO_DATA_DIR", tempfile.mkdtemp(prefix="bench-poller-data-"))
    os.environ.setdefault("GIZMO_CACHE_DIR", tempfile.mkdtemp(prefix="bench-poller-cache-"))
    from gizmo_notebook.local.runner import LocalServer

    server = LocalServer(Path(tempfile.mkdtemp(prefix="bench-poller-server-")), latency=3600.0)
    server.start()
    try:
        print(f"status polling against the real local server ({server.base_url}); run interval "
              f"{args.interval:g} s, scaled to the {SERVICE_INTERVAL:g} s service interval")
        print(f"{'pending':>8} {'strategy':>9} {'req/interval':>13} {'req/min @5s':>12}")
        for pending in (1, 10, 50):
            for strategy in ("naive", "studio"):
                per_tick = asyncio.run(measure(server, strategy, pending, args.interval, args.window))
                per_min = per_tick * 60.0 / SERVICE_INTERVAL
                print(f"{pending:>8} {strategy:>9} {per_tick:>13.2f} {per_min:>12.1f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
