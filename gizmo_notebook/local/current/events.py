"""Job events: persisted in order, pushed to listeners, streamed as Server-Sent Events.

:class:`EventBus` writes each event to the job's log (:meth:`CurrentStore.append_event`, which
numbers it) and wakes the streams waiting on that job. The stream handler reads the log from
``after`` (query) or ``Last-Event-ID`` (header, what browsers and ``httpx-sse`` send on
reconnect) — so a reconnect gets exactly the events it missed, never one twice — and closes
once the job is terminal and its last event (``done``) is sent. Keep-alive ``ping`` events
(no ``id``: they are not part of the log) come from sse-starlette's ping timer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request

from gizmo_notebook.local.current.errors import ValidationFailed
from gizmo_notebook.local.current.store import CurrentStore, now
from gizmo_notebook.local.current.validation import is_count

__all__ = ["EVENT_TYPES", "EventBus", "event_stream"]

_POLL = 1.0  # seconds between log reads while waiting for a job run by another process
EVENT_TYPES = ("stage_start", "stage_complete", "asset_ready", "error", "ping", "done")


class EventBus:
    """Append-and-notify for job events. Used on the server's event loop only."""

    def __init__(self, store: CurrentStore) -> None:
        self._store = store
        self._waiters: dict[str, asyncio.Event] = {}
        self.closing = False

    def emit(self, job_id: str, type: str, data: dict[str, Any]) -> int:
        assert type in EVENT_TYPES and type != "ping"
        seq = self._store.append_event(job_id, type, data)
        self.wake(job_id)
        return seq

    def wake(self, job_id: str) -> None:
        waiter = self._waiters.pop(job_id, None)
        if waiter is not None:
            waiter.set()

    def waiter(self, job_id: str) -> asyncio.Event:
        """An event set at the next emit for ``job_id``; take it *before* reading the log."""
        return self._waiters.setdefault(job_id, asyncio.Event())

    def close(self) -> None:
        """Server shutdown: end every open stream (clients resume with ``after`` elsewhere)."""
        self.closing = True
        for job_id in list(self._waiters):
            self.wake(job_id)


def _after(request: Request) -> int:
    raw = request.query_params.get("after")
    loc = ["query", "after"]
    if raw is None:
        raw = request.headers.get("last-event-id")
        loc = ["header", "Last-Event-ID"]
    if raw is None or raw.strip() == "":
        return 0
    raw = raw.strip()
    if not is_count(raw):
        raise ValidationFailed(loc, f"must be a non-negative integer event sequence number, got {raw[:40]!r}", "int_parsing")
    return int(raw)


async def _events(bus: EventBus, store: CurrentStore, job_id: str, after: int) -> AsyncIterator[ServerSentEvent]:
    last = after
    while True:
        waiter = bus.waiter(job_id)
        job = store.get_job(job_id)
        terminal = job is None or job.terminal
        while batch := store.events_after(job_id, last):
            for event in batch:
                yield ServerSentEvent(data=json.dumps(event.data), event=event.type, id=str(event.seq))
                last = event.seq
        if terminal or bus.closing:
            return
        try:  # woken by this server's jobs at once; a job another server runs is polled
            await asyncio.wait_for(waiter.wait(), _POLL)
        except asyncio.TimeoutError:
            pass


def _ping() -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps({"time": now()}), event="ping")


def event_stream(request: Request, bus: EventBus, store: CurrentStore, job_id: str, ping: float) -> EventSourceResponse:
    """The SSE response for ``job_id`` (already checked to belong to the caller)."""
    after = _after(request)
    return EventSourceResponse(
        _events(bus, store, job_id, after),
        ping=ping,
        ping_message_factory=_ping,
        headers={"Cache-Control": "no-store"},
    )
