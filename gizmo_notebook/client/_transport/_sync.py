"""Runs flows with ``httpx.Client`` — and sleeps without starving a running notebook event loop.

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
loops, I/O callbacks) keep running during the wait. A loop nest-asyncio cannot patch (uvloop)
gets a plain blocking sleep.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import deque
from collections.abc import Callable, Iterator
from heapq import heappop
from typing import Any, TypeVar

import httpx
from httpx_sse import EventSource

from gizmo_notebook.client._errors import redact_exception
from gizmo_notebook.client._transport._base_client import (
    DOWNLOAD_HEADERS,
    BlockingLoop,
    CloseStream,
    Emit,
    Fetch,
    Flow,
    NextEvent,
    Now,
    OpenEvents,
    OpenStreams,
    Send,
    SendStream,
    Sleep,
    advance,
    is_event_stream,
    sanitize_response,
    scrub,
    stream_timeout,
)

__all__ = ["SyncRunner", "loop_friendly_sleep"]

T = TypeVar("T")

#: A select() never waits longer than this, so a held-back loop notices its deadline promptly.
_MAX_SELECT = 86400.0


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
    import nest_asyncio

    try:
        nest_asyncio.apply(loop)
    except ValueError:  # a loop nest-asyncio cannot patch (e.g. uvloop): blocking is all that is left
        time.sleep(seconds)
        return
    _turn_loop(loop, seconds)


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


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


def _turn_loop(loop: asyncio.AbstractEventLoop, seconds: float) -> None:
    """Run ``loop``'s other work for ``seconds`` from inside one of its callbacks.

    One pass is what ``BaseEventLoop._run_once`` does (wait for I/O until the next timer, move
    due timers to the ready queue, run what is ready), except that handles which cannot enter
    their context are set aside instead of being run (and lost).
    """
    base: Any = loop  # the private queues of asyncio.BaseEventLoop (nest-asyncio checked the type)
    ready: deque[asyncio.Handle] = base._ready
    scheduled: list[asyncio.TimerHandle] = base._scheduled
    current_tasks: dict[Any, Any] = asyncio.tasks._current_tasks  # type: ignore[attr-defined]
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
            while scheduled and scheduled[0]._cancelled:
                heappop(scheduled)
            for _ in range(len(ready)):  # never let a held-back handle make select() spin
                handle = ready.popleft()
                (ready if _runnable(handle) else held).append(handle)
            if ready:
                timeout = 0.0
            else:
                next_timer = scheduled[0].when() if scheduled else deadline
                timeout = min(max(min(next_timer, deadline) - now, 0.0), _MAX_SELECT)
            base._process_events(base._selector.select(timeout))
            end = loop.time() + base._clock_resolution
            while scheduled and scheduled[0]._when < end:
                ready.append(heappop(scheduled))
            for _ in range(len(ready)):
                if not ready:
                    break
                handle = ready.popleft()
                if handle._cancelled:
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


class SyncRunner:
    """Performs a flow's effects synchronously; owns the API and the credential-free download clients."""

    def __init__(
        self,
        api: httpx.Client,
        downloads: httpx.Client,
        *,
        sleep: Callable[[float], Any] | None = None,
        clock: Callable[[], float] | None = None,
        redact: Callable[[str], str] = str,
        observe: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        self._api = api
        self._downloads = downloads
        self._sleep = sleep or loop_friendly_sleep
        self._clock = clock or time.monotonic
        self._redact = redact
        self._observe = observe or (lambda response: None)

    def run(self, flow: Flow[T]) -> T:
        """Run ``flow`` to its result (a flow that emits values is run with :meth:`iterate`)."""
        result: list[T] = []
        for _ in self._drive(flow, emit=False, result=result):
            pass
        return result[0]

    def iterate(self, flow: Flow[Any]) -> Iterator[Any]:
        """Run ``flow``, yielding every value it emits; closing the iterator stops the flow."""
        return self._drive(flow, emit=True, result=[])

    def _drive(self, flow: Flow[Any], *, emit: bool, result: list[Any]) -> Iterator[Any]:
        streams = OpenStreams()
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                done, item = advance(flow, value, error)
                if done:
                    result.append(item)
                    return
                value, error = None, None
                if isinstance(item, Emit):
                    if not emit:
                        raise TypeError("this flow emits values: run it with iterate()")
                    yield item.value
                    continue
                try:
                    value = self._perform(item, streams)
                except Exception as exc:  # handed to the flow, which decides what it means
                    error = scrub(exc, self._redact)
        except Exception as exc:  # whatever path raised it, it leaves without the key
            redact_exception(exc, self._redact)
            raise
        finally:
            flow.close()
            for response, events in streams.drain():
                events.close()
                response.close()

    def _perform(self, effect: object, streams: OpenStreams) -> Any:
        if isinstance(effect, Send):
            response = self._api.request(effect.method, effect.path, json=effect.json, params=effect.params)
            self._observe(response)
            return sanitize_response(response, self._redact)
        if isinstance(effect, SendStream):
            with self._api.stream(
                effect.method, effect.path, json=effect.json, params=effect.params, headers=effect.headers
            ) as response:
                self._observe(response)
                if effect.sink.begin(response):
                    chunks = response.iter_bytes() if response.is_stream_consumed else response.iter_raw()
                    for chunk in chunks:
                        effect.sink.write(chunk)
                else:
                    response.read()
            return sanitize_response(response, self._redact)
        if isinstance(effect, OpenEvents):
            request = self._api.build_request(
                "GET",
                effect.path,
                params=effect.params,
                headers=effect.headers,
                timeout=stream_timeout(self._api.timeout, effect.read_timeout),
            )
            response = self._api.send(request, stream=True)
            self._observe(response)
            if not response.is_success or not is_event_stream(response):
                try:
                    response.read()
                finally:
                    response.close()
                return sanitize_response(response, self._redact)
            streams.add(response, EventSource(response).iter_sse())
            return sanitize_response(response, self._redact)
        if isinstance(effect, NextEvent):
            return next(streams.events(effect.response), None)
        if isinstance(effect, CloseStream):
            entry = streams.pop(effect.response)
            if entry is not None:
                entry.close()
            effect.response.close()
            return None
        if isinstance(effect, Fetch):
            with self._downloads.stream("GET", effect.url, headers=DOWNLOAD_HEADERS) as response:
                if effect.sink.begin(response):
                    # A transport may hand back an already-read response (e.g. a MockTransport).
                    chunks = response.iter_bytes() if response.is_stream_consumed else response.iter_raw()
                    for chunk in chunks:
                        effect.sink.write(chunk)
            return response
        if isinstance(effect, Sleep):
            self._sleep(effect.seconds)
            return None
        if isinstance(effect, Now):
            return self._clock()
        if isinstance(effect, BlockingLoop):
            return _in_running_loop()
        raise TypeError(f"unknown effect {effect!r}")

    def close(self) -> None:
        self._api.close()
        self._downloads.close()
