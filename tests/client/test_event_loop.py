"""The sync client inside a running event loop (a Jupyter cell) works and lets other tasks run.

Runs in a subprocess because nest-asyncio patches asyncio for the whole process, which must not
leak into the rest of the test session.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    import httpx
    from gizmo_notebook.client import GizmoClient

    mode = sys.argv[1]
    statuses = iter(["pending"] * 5 + ["ready"])

    def handler(request):
        return httpx.Response(200, json={"id": "ast_1", "status": next(statuses)})

    async def main():
        ticks = []

        async def widget():  # stands in for a live widget animating on the kernel's loop
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        task = asyncio.create_task(widget())
        await asyncio.sleep(0)
        options = {"_sleep": time.sleep} if mode == "blocking" else {}
        client = GizmoClient(api_key="k", base_url="http://127.0.0.1:9/v1",
                             transport=httpx.MockTransport(handler), **options)
        start = time.monotonic()
        asset = client.assets.wait("ast_1", poll_interval=0.1, progress=False)
        elapsed = time.monotonic() - start
        during = [t for t in ticks if start <= t <= start + elapsed]
        task.cancel()
        print(json.dumps({"status": asset.status.value, "elapsed": elapsed, "ticks": len(during)}))

    asyncio.run(main())
    """
)


def run(mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(120)
def test_sync_wait_in_a_running_loop_keeps_other_tasks_ticking():
    result = run("default")
    assert result["status"] == "ready"
    assert 0.4 <= result["elapsed"] < 5
    # ~0.5 s of waiting at a 10 ms tick: the concurrent task kept running throughout
    assert result["ticks"] >= 15, result


@pytest.mark.timeout(120)
def test_control_plain_time_sleep_would_starve_the_loop():
    """The same scenario with a blocking sleep: proves the assertion above can fail."""
    result = run("blocking")
    assert result["status"] == "ready"
    assert result["ticks"] <= 2, result
