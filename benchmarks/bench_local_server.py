"""Throughput of the offline server: N concurrent create -> wait -> export -> download cycles.

Run: ``.venv/bin/python benchmarks/bench_local_server.py [--cycles 200] [--server subprocess|thread]``

Each cycle goes through :class:`gizmo_notebook.AsyncGizmoClient` exactly as a user's code
would: ``assets.create`` (distinct prompts across arms, grippers, bases, legged robots and
furniture, so the generator's per-prompt cache does not flatter the figure), ``assets.wait``,
then ``assets.download`` (which requests the export and fetches the pre-signed URL). The
server runs with latency 0 — by default in its own process (``gizmo-notebook serve``), as a
real service would, so client and server do not share one GIL; ``--server thread`` runs it
in-process like the embedded default.

Printed: a baseline (the rate of trivial authenticated ``GET /v1/assets?limit=1`` round trips
through plain httpx, i.e. what the HTTP stack alone can do), then the cycle figures: wall
time, cycles/s, HTTP requests/s, and p50/p99 per-cycle latency. Target: 200 cycles < 10 s on
2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PROMPTS = (
    "A 6-DOF industrial robotic arm with a parallel jaw gripper",
    "A compact 3-axis arm with {n} cm reach",
    "A SCARA arm with a suction gripper, {n} cm reach",
    "A two finger gripper {n} mm wide",
    "A compact differential drive mobile robot base with two wheels, {n} cm long",
    "An omnidirectional four-wheel base {n} cm wide",
    "A quadruped robot {n} cm tall",
    "A hexapod walking robot {n} cm long",
    "A pan-tilt camera head on a {n} cm mast",
    "A {n} cm tall shelf with three levels",
)


def prompt_for(i: int) -> str:
    return PROMPTS[i % len(PROMPTS)].format(n=20 + i)


class _CountingTransport(httpx.AsyncHTTPTransport):
    """Counts every HTTP request the client really sends (API calls and downloads).

    The pool is kept small on purpose: httpcore rescans every pooled connection for every
    queued request (quadratic in the pool size), which at 100-256 connections cost the
    client more CPU than the whole server; 8 keep-alive connections saturate a server that
    handles one request at a time anyway.
    """

    def __init__(self) -> None:
        super().__init__(limits=httpx.Limits(max_connections=8, max_keepalive_connections=8))
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await super().handle_async_request(request)


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


@contextmanager
def running_server(mode: str, data_dir: Path, cpu: dict[str, float]) -> Iterator[tuple[str, str]]:
    """(base URL, API key) of a latency-0 server in a subprocess or a thread of this process.

    For a subprocess, ``cpu["server"]`` is set to the CPU seconds it used once it has exited.
    """
    if mode == "thread":
        from gizmo_notebook.local.runner import LocalServer

        with LocalServer(data_dir, latency=0.0) as server:
            yield server.base_url, server.api_key
        return
    process = subprocess.Popen(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--latency", "0",
         "--data-dir", str(data_dir), "--log-level", "warning"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        banner = "".join(process.stdout.readline() for _ in range(4))
        url = re.search(r"Gizmo local server: (\S+)", banner)
        key = re.search(r"API key:\s+(\S+)", banner)
        if not url or not key:
            raise RuntimeError(f"unexpected banner from gizmo-notebook serve: {banner!r}")
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url.group(1) + "/assets", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url.group(1), key.group(1)
    finally:
        before = _children_cpu()
        process.terminate()
        process.wait(30)
        cpu["server"] = _children_cpu() - before


async def baseline(base_url: str, key: str, requests: int = 1000, concurrency: int = 50) -> float:
    """Trivial GET round trips per second through plain httpx."""
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)  # see _CountingTransport
    async with httpx.AsyncClient(base_url=base_url + "/", headers={"Authorization": f"Bearer {key}"},
                                 limits=limits) as client:
        await client.get("assets", params={"limit": 1})
        remaining = requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                response = await client.get("assets", params={"limit": 1})
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - started)


async def cycles(base_url: str, key: str, count: int, fmt: str, cache_dir: Path) -> dict[str, float]:
    from gizmo_notebook import AsyncGizmoClient

    transport = _CountingTransport()
    client = AsyncGizmoClient(api_key=key, base_url=base_url, cache_dir=cache_dir, transport=transport)
    latencies: list[float] = []

    async def one(i: int) -> None:
        started = time.perf_counter()
        asset = await client.assets.create(prompt_for(i), name=f"bench {i}")
        await client.assets.wait(asset.id, timeout=120, poll_interval=0.05, progress=False)
        path = await client.assets.download(asset.id, fmt)
        if path.stat().st_size == 0:
            raise RuntimeError(f"empty download for {asset.id}")
        latencies.append(time.perf_counter() - started)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        wall = time.perf_counter() - started
    finally:
        await client.close()
    latencies.sort()
    return {
        "wall": wall,
        "cycles_per_s": count / wall,
        "requests": transport.requests,
        "requests_per_s": transport.requests / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--format", default="mujoco_mjcf", choices=["mujoco_mjcf", "isaac_sim_urdf", "isaac_sim_usd"])
    parser.add_argument("--server", default="subprocess", choices=["subprocess", "thread"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gizmo-bench-") as tmp:
        data_dir, cache_dir = Path(tmp, "data"), Path(tmp, "cache")
        cpu: dict[str, float] = {}
        with running_server(args.server, data_dir, cpu) as (base_url, key):
            rate = asyncio.run(baseline(base_url, key))
            started = time.process_time()
            result = asyncio.run(cycles(base_url, key, args.cycles, args.format, cache_dir))
            cpu["client"] = time.process_time() - started
    print(f"local server benchmark ({os.cpu_count()} CPUs, server in a {args.server}, latency 0, {args.format})")
    print(f"  baseline: trivial GET /v1/assets round trips          {rate:8.0f} req/s")
    print(f"  {args.cycles} concurrent create->wait->export->download cycles")
    print(f"    wall time                                           {result['wall']:8.2f} s   (target < 10 s)")
    print(f"    cycles/s                                            {result['cycles_per_s']:8.1f}")
    print(f"    HTTP requests                                       {result['requests']:8d}")
    print(f"    requests/s                                          {result['requests_per_s']:8.0f}")
    print(f"    per-cycle latency p50 / p99                         {result['p50']:8.2f} s / {result['p99']:.2f} s")
    if "server" in cpu:  # CPU seconds do not depend on what else the machine is doing
        print(f"    CPU time: client {cpu['client']:.2f} s, server {cpu['server']:.2f} s (whole server run)")
    else:
        print(f"    CPU time: client + server (one process) {cpu['client']:.2f} s")
    return 0 if result["wall"] < 10.0 else 1


if __name__ == "__main__":
    sys.exit(main())
