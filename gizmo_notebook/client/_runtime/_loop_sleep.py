"""A blocking sleep that keeps a running notebook event loop turning, behind one seam.

Sleeping inside a running event loop (a Jupyter cell)
-----------------------------------------------------
A cell that calls the sync ``wait`` runs *inside* ipykernel's asyncio loop, on the loop's own
thread. ``time.sleep`` there freezes every other task on that loop (a live widget's animation,
a concurrent download) for the whole wait, so :func:`loop_friendly_sleep` turns the loop itself
while it waits (the loop is made re-entrant with nest-asyncio).

Turning it naively — ``loop.run_until_complete(asyncio.sleep(s))`` — wedges JupyterLab's
"Run All" under ipykernel 7. Root cause, reproduced against a real kernel: ipykernel 7 wraps
*every* shell message in a task created with one persistent ``contextvars.Context``
(``ipykernel.utils._async_in_context``), and the running cell is such a task, so that context is
*entered* while the cell sleeps. Run All queues the next ``execute_request`` right away; the
nested loop pops its task's first step and ``Context.run`` refuses with ``RuntimeError: cannot
enter context: ... is already entered``. asyncio logs that and drops the handle: the task never
runs again, the next cell stays ``[*]`` forever. (No nested cell is started: ipykernel's
per-shell ``asyncio.Lock`` would have queued it; the message is lost before reaching the lock.
nbclient sends one cell at a time, so it never shows.) Comm messages from the front end that
arrive during the wait are lost the same way.

The fix keeps turning the loop but *holds back* every ready handle whose context is entered
further up this very stack — exactly those that cannot run now — and puts them back, in order,
at the front of the ready queue when the sleep ends, so they run as soon as the cell yields.
Those are the kernel's own message handlers, which a blocking sleep would delay just the same;
tasks that live in their own context (anything created with ``asyncio.create_task``, widget
loops, I/O callbacks) keep running during the wait. A loop that is not an
``asyncio.BaseEventLoop`` (uvloop) gets a plain blocking sleep.

Private asyncio state, behind one seam
--------------------------------------
No public asyncio API turns a loop that is already running, so :func:`_turn_loop` drives
``asyncio.BaseEventLoop``'s private queues (``_ready``, ``_scheduled``, ``_selector``,
``_process_events``, ``_clock_resolution``), its handles' ``_context`` and ``_run`` and
``asyncio.tasks._current_tasks``. Any CPython release may change those. All of them are read
in one place, :func:`_loop_internals`, which checks their shape (types, and that the
current-task table is the one asyncio consults) before anything is touched. If the check
fails, the sleep is a plain ``time.sleep`` (the loop pauses for the wait, like any blocking
call in a cell) and the log says so once: use ``await`` with ``AsyncGizmoClient`` there.
``tests/client/test_loop_sleep.py`` drives both paths on each Python the package claims.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from heapq import heappop
from typing import Any

__all__ = ["loop_friendly_sleep"]

_log = logging.getLogger("gizmo_notebook.client")

#: A select() never waits longer than this, so a held-back loop notices its deadline promptly.
_MAX_SELECT = 86400.0

_warned = threading.Event()


@dataclass(frozen=True)
class _LoopInternals:
    """The private parts of a running ``BaseEventLoop`` that :func:`_turn_loop` drives."""

    ready: deque[asyncio.Handle]
    scheduled: list[asyncio.TimerHandle]
    select: Callable[[float], Any]
    process_events: Callable[[Any], None]
    clock_resolution: float
    current_tasks: dict[Any, Any]


def _loop_internals(loop: asyncio.AbstractEventLoop) -> _LoopInternals | None:
    """``loop``'s private queues if they have the shape this module drives, else ``None``.

    The current-task table is checked by behaviour, not just by name: inside a task it must
    name that task, or stepping other tasks from here would trip over the real one.
    """
    base: Any = loop
    try:
        internals = _LoopInternals(
            ready=base._ready,
            scheduled=base._scheduled,
            select=base._selector.select,
            process_events=base._process_events,
            clock_resolution=base._clock_resolution,
            current_tasks=asyncio.tasks._current_tasks,  # type: ignore[attr-defined]
        )
    except AttributeError:
        return None
    if not (
        isinstance(internals.ready, deque)
        and isinstance(internals.scheduled, list)
        and callable(internals.select)
        and callable(internals.process_events)
        and isinstance(internals.clock_resolution, (int, float))
        and isinstance(internals.current_tasks, dict)
        and all(hasattr(asyncio.Handle, name) for name in ("_context", "_run"))
    ):
        return None
    task = asyncio.current_task(loop)
    if task is not None and internals.current_tasks.get(loop) is not task:
        return None
    return internals


def _blocking_sleep(seconds: float, why: str) -> None:
    if not _warned.is_set():
        _warned.set()
        _log.warning(
            "gizmo-notebook: %s, so the sync client's waits block this event loop while they sleep; "
            "in a notebook, use AsyncGizmoClient and await instead",
            why,
        )
    time.sleep(seconds)


def loop_friendly_sleep(seconds: float) -> None:
    """``time.sleep``, except inside a running event loop (a Jupyter cell), where the loop keeps turning.

    See the module docstring for why the loop is turned by hand rather than with
    ``run_until_complete``.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        time.sleep(seconds)
        return
    if not isinstance(loop, asyncio.BaseEventLoop):  # e.g. uvloop: no queues to turn, blocking is all that is left
        time.sleep(seconds)
        return
    internals = _loop_internals(loop)  # checked before nest-asyncio patches anything: it reads them too
    if internals is None:
        _blocking_sleep(seconds, "this Python's asyncio internals are not the ones it knows how to turn")
        return
    import nest_asyncio

    try:
        nest_asyncio.apply(loop)
    except Exception as exc:  # noqa: BLE001 - whatever a newer asyncio makes nest-asyncio trip on
        _blocking_sleep(seconds, f"nest-asyncio cannot patch this loop ({type(exc).__name__}: {exc})")
        return
    _turn_loop(loop, internals, seconds)


def _noop() -> None:
    return None


def _runnable(handle: asyncio.Handle) -> bool:
    """False when the handle's context is entered further up the stack (``Context.run`` would refuse)."""
    context = getattr(handle, "_context", None)
    if context is None:
        return True
    try:
        context.run(_noop)
    except RuntimeError:
        return False
    return True


def _turn_loop(loop: asyncio.AbstractEventLoop, internals: _LoopInternals, seconds: float) -> None:
    """Run ``loop``'s other work for ``seconds`` from inside one of its callbacks.

    One pass is what ``BaseEventLoop._run_once`` does (wait for I/O until the next timer, move
    due timers to the ready queue, run what is ready), except that handles which cannot enter
    their context are set aside instead of being run (and lost).
    """
    ready, scheduled, current_tasks = internals.ready, internals.scheduled, internals.current_tasks
    held: deque[asyncio.Handle] = deque()
    # The loop pass that is running the current cell may be asyncio's own ``_run_once`` (on the
    # first nested sleep, before nest-asyncio's patch takes over), which pops a count of handles
    # fixed before we consumed some of them; it must find at least that many when we return.
    owed = len(ready)
    deadline = loop.time() + seconds
    try:
        while True:
            now = loop.time()
            if now >= deadline:
                return
            while scheduled and scheduled[0].cancelled():
                heappop(scheduled)
            for _ in range(len(ready)):  # never let a held-back handle make select() spin
                handle = ready.popleft()
                (ready if _runnable(handle) else held).append(handle)
            if ready:
                timeout = 0.0
            else:
                next_timer = scheduled[0].when() if scheduled else deadline
                timeout = min(max(min(next_timer, deadline) - now, 0.0), _MAX_SELECT)
            internals.process_events(internals.select(timeout))
            end = loop.time() + internals.clock_resolution
            while scheduled and scheduled[0].when() < end:
                ready.append(heappop(scheduled))
            for _ in range(len(ready)):
                if not ready:
                    break
                handle = ready.popleft()
                if handle.cancelled():
                    continue
                if not _runnable(handle):
                    held.append(handle)
                    continue
                # The cell's own task is "current" while we are nested in it; a task stepped
                # here must not see it (Task.__step refuses to enter while another is current).
                outer = current_tasks.pop(loop, None)
                try:
                    handle._run()
                finally:
                    if outer is not None:
                        current_tasks[loop] = outer
    finally:
        ready.extendleft(reversed(held))
        for _ in range(owed - len(ready)):
            loop.call_soon(_noop, context=contextvars.Context())
