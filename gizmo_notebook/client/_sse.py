"""A job's Server-Sent Events, read with ``httpx-sse``, written once for both clients.

``GET /jobs/{id}/events`` streams ``stage_start``, ``stage_complete``, ``asset_ready``, ``error``,
``ping`` and ``done``; ``after=<seq>`` resumes after a reconnect. What this module guarantees:

* pings and comment lines never reach the caller; ``data`` is parsed as JSON when it is JSON and
  kept as text otherwise (:class:`~gizmo_notebook.client.JobEvent`);
* a dropped connection (or a stream that ends without ``done``) is resumed with ``after=<last
  seq>`` (also sent as ``Last-Event-ID``) after a backoff, at most ``max_retries`` times in a row;
  events at or below the last seq are dropped, so nothing is repeated or skipped even when the
  server ignores ``after``. Events without a seq cannot be resumed exactly, so after one of those
  a drop falls back to polling instead;
* where there is no stream (404/405/406/501, or a 2xx that is not ``text/event-stream``), or it
  keeps failing, the job is polled instead and status changes are reported as ``status`` events
  (``seq=None``), ending with a ``done`` event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from gizmo_notebook.client import _validate as check
from gizmo_notebook.client._job import Job, JobEvent
from gizmo_notebook.client._runtime._flow import (
    ClientContext,
    CloseStream,
    Emit,
    Flow,
    NextEvent,
    Now,
    OpenEvents,
    RequestOptions,
    Sleep,
    advance,
    is_event_stream,
    request_flow,
    status_error,
)
from gizmo_notebook.client._wait import poll_interval_for
from gizmo_notebook.errors import InvalidValueError

__all__ = ["DEADLINE", "DONE", "POLL", "check_after", "events_flow", "job_path", "get_job_flow", "intercept", "poll_job_flow", "stream_events_flow"]

#: Outcomes of :func:`stream_events_flow`.
DONE = "done"
POLL = "poll"
DEADLINE = "deadline"
#: Statuses that mean "this server has no event stream here": fall back to polling.
_NO_STREAM = frozenset({404, 405, 406, 501})
_MAX_SERVER_RETRY_HINT = 30.0


def job_path(job_id: str, suffix: str = "") -> str:
    return f"/jobs/{check.check_resource_id(job_id, 'job_id')}{suffix}"


def get_job_flow(ctx: ClientContext, job_id: str, *, include_result: bool = False) -> Flow[Job]:
    params = {"include_result": "true"} if include_result else None
    body = yield from request_flow(ctx, RequestOptions("GET", job_path(job_id), params=params))
    return Job.from_dict(body)


def intercept(flow: Flow[Any], on_emit: Callable[[Any], None]) -> Flow[Any]:
    """Run ``flow`` inside another flow, handing its emitted values to ``on_emit`` instead of the caller."""
    value: Any = None
    error: BaseException | None = None
    try:
        while True:
            done, item = advance(flow, value, error)
            if done:
                return item
            value, error = None, None
            if isinstance(item, Emit):
                on_emit(item.value)
                continue
            try:
                value = yield item
            except Exception as exc:
                error = exc
    finally:
        flow.close()


def _remaining(deadline: float | None, now: float) -> float | None:
    return None if deadline is None else deadline - now


def stream_events_flow(
    ctx: ClientContext, job_id: str, after: int | None, deadline: float | None
) -> Flow[str]:
    """Emit the job's events until ``done``; returns ``DONE``, ``POLL`` (no usable stream) or ``DEADLINE``."""
    path = job_path(job_id, "/events")
    last_seq = after
    exact = True  # False once an event without a seq was passed on: resuming could repeat it
    failures = 0
    while True:
        remaining = _remaining(deadline, (yield Now()))
        if remaining is not None and remaining <= 0:
            return DEADLINE
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        params = None
        if last_seq is not None:
            params = {"after": last_seq}
            headers["Last-Event-ID"] = str(last_seq)
        hint: float | None = None
        try:
            response = yield OpenEvents(path, params=params, headers=headers, read_timeout=remaining)
        except httpx.RequestError:
            response = None
        if response is not None and not response.is_success:
            status = response.status_code
            if status in _NO_STREAM:
                return POLL
            delay = ctx.retry.after_response(failures, response, idempotent=True)
            if delay is None:
                raise status_error(ctx, RequestOptions("GET", path), response)
            hint = delay
        elif response is not None and not is_event_stream(response):
            return POLL
        elif response is not None:
            progressed = False
            outcome: str | None = None
            try:
                while outcome is None:
                    sse = yield NextEvent(response)
                    if sse is None:
                        break
                    if sse.retry is not None:
                        hint = min(sse.retry / 1000.0, _MAX_SERVER_RETRY_HINT)
                    event = JobEvent.from_sse(sse.event, sse.data, sse.id, ctx.redact)
                    if event.type == "ping":
                        continue
                    if event.seq is not None and last_seq is not None and event.seq <= last_seq:
                        continue  # already passed on (a server that ignores ``after``)
                    if event.seq is None:
                        exact = False
                    else:
                        last_seq = event.seq
                    progressed = True
                    yield Emit(event)
                    if event.type == "done":
                        outcome = DONE
                    elif deadline is not None and deadline - (yield Now()) <= 0:
                        outcome = DEADLINE
            except httpx.HTTPError:
                pass  # dropped mid-stream (read timeout, reset...): resumed below
            # Not in a ``finally``: a flow being closed must not yield; the runner closes it then.
            yield CloseStream(response)
            if outcome is not None:
                return outcome
            if progressed:
                failures = 0
        if not exact:
            return POLL
        if failures >= ctx.retry.max_retries:
            return POLL
        delay = hint if hint is not None else ctx.retry.backoff(failures)
        failures += 1
        remaining = _remaining(deadline, (yield Now()))
        if remaining is not None:
            delay = min(delay, max(remaining, 0.0))
        yield Sleep(delay)


def poll_job_flow(
    ctx: ClientContext,
    job_id: str,
    deadline: float | None,
    on_job: Callable[[Job], None] | None = None,
    *,
    emit: bool = False,
) -> Flow[Job | None]:
    """Poll ``GET /jobs/{id}`` until the job is terminal (the job) or the deadline passes (``None``).

    With ``emit``, each change of status (or of the record's progress fields) is emitted as a
    ``status`` event and the end as a ``done`` event, so callers of ``jobs.events`` see the same
    kind of iterator whether or not the server streams.
    """
    interval = poll_interval_for(ctx, None)
    last: tuple[Any, ...] | None = None
    while True:
        job = yield from get_job_flow(ctx, job_id)
        if on_job is not None:
            on_job(job)
        snapshot = (job.status_text, job.raw.get("stage"), job.raw.get("progress"))
        if emit and snapshot != last:
            yield Emit(JobEvent(seq=None, type="status", data=dict(job.raw)))
        last = snapshot
        if job.status.is_terminal:
            if emit:
                yield Emit(JobEvent(seq=None, type="done", data={"status": job.status_text}))
            return job
        remaining = _remaining(deadline, (yield Now()))
        if remaining is not None and remaining <= 0:
            return None
        yield Sleep(interval if remaining is None else min(interval, remaining))


def check_after(after: object) -> int | None:
    if after is not None and (isinstance(after, bool) or not isinstance(after, int) or after < 0):
        raise InvalidValueError(f"after must be a sequence number >= 0 (an event's seq), got {after!r}")
    return after


def events_flow(ctx: ClientContext, job_id: str, after: int | None) -> Flow[None]:
    """``jobs.events``: the stream's events, or polled ``status`` events where there is no stream."""
    outcome = yield from stream_events_flow(ctx, job_id, after, None)
    if outcome == POLL:
        yield from poll_job_flow(ctx, job_id, None, emit=True)

