"""The seam around asyncio's private state: the loop-friendly sleep checks before it touches.

``_loop_internals`` is the only reader of asyncio's private loop state. On this Python it must
find it (or the sync client's waits would block notebooks for nothing); when the state is not
the known shape (an asyncio that moved the current-task table, a loop without ``_ready``), it
must say so and the sleep must still sleep, plainly. The end-to-end script runs in a
subprocess because nest-asyncio patches asyncio for the whole process.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap

import pytest

from gizmo_notebook.client._runtime import _loop_sleep


async def test_this_pythons_running_loop_has_the_internals_the_sleep_drives():
    internals = _loop_sleep._loop_internals(asyncio.get_running_loop())
    assert internals is not None, f"Python {sys.version.split()[0]}: the loop-friendly sleep would always block"
    assert internals.current_tasks.get(asyncio.get_running_loop()) is asyncio.current_task()


async def test_a_current_task_table_asyncio_does_not_consult_is_refused(monkeypatch):
    """As if a CPython release kept the current task elsewhere (thread state) and left the dict empty."""
    task = asyncio.current_task()
    monkeypatch.setattr(asyncio.tasks, "_current_tasks", {}, raising=False)
    monkeypatch.setattr(asyncio, "current_task", lambda loop=None: task)
    assert _loop_sleep._loop_internals(asyncio.get_running_loop()) is None


async def test_a_missing_current_task_table_is_refused(monkeypatch):
    monkeypatch.delattr(asyncio.tasks, "_current_tasks")
    assert _loop_sleep._loop_internals(asyncio.get_running_loop()) is None


def test_a_loop_of_another_shape_is_refused():
    class OtherLoop(asyncio.AbstractEventLoop):  # a loop implementation without BaseEventLoop's queues
        pass

    assert _loop_sleep._loop_internals(OtherLoop()) is None


FALLBACK = textwrap.dedent(
    """
    import asyncio, json, logging, sys, time
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if sys.argv[1] == "changed":
        del asyncio.tasks._current_tasks  # the private table this module relies on is gone
    from gizmo_notebook.client._runtime._loop_sleep import loop_friendly_sleep

    async def main():
        ticks = []

        async def widget():
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        async def cell():
            start = time.monotonic()
            loop_friendly_sleep(0.2)
            loop_friendly_sleep(0.1)
            return start, time.monotonic() - start

        w = asyncio.create_task(widget())
        await asyncio.sleep(0.05)
        start, elapsed = await asyncio.create_task(cell())
        during = [t for t in ticks if start < t < start + elapsed]
        w.cancel()
        print(json.dumps({"elapsed": elapsed, "ticks": len(during)}))

    asyncio.run(main())
    """
)


def _run(mode: str) -> tuple[dict, str]:
    out = subprocess.run(
        [sys.executable, "-c", FALLBACK, mode], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


@pytest.mark.timeout(120)
def test_changed_asyncio_internals_fall_back_to_a_plain_sleep_and_say_so_once():
    result, log = _run("changed")
    assert result["elapsed"] >= 0.3
    assert result["ticks"] == 0  # the plain sleep blocked the loop, as any blocking call would
    assert log.count("block this event loop") == 1, log


@pytest.mark.timeout(120)
def test_control_known_internals_keep_the_loop_ticking_without_a_warning():
    result, log = _run("known")
    assert result["elapsed"] >= 0.3
    assert result["ticks"] >= 10
    assert "block this event loop" not in log, log
