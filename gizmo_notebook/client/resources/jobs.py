"""``client.jobs``: the current API's generation jobs — get, follow (events), wait, cancel.

The alpha API has no jobs; there every method raises
:class:`~gizmo_notebook.client.UnsupportedByAPIVersionError` saying to use ``assets.wait``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any

from gizmo_notebook.client import _validate as check
from gizmo_notebook.client._api_version import CURRENT, version_flow
from gizmo_notebook.client._errors import UnsupportedByAPIVersionError
from gizmo_notebook.client._follow import follow_job_flow
from gizmo_notebook.client._job import Job, JobEvent
from gizmo_notebook.client._runtime._flow import ClientContext, Flow, RequestOptions, request_flow
from gizmo_notebook.client._sse import check_after, events_flow, get_job_flow, job_path

__all__ = ["AsyncJobs", "JobFlows", "Jobs"]


class JobFlows:
    def __init__(self, ctx: ClientContext) -> None:
        self._ctx = ctx

    def _current(self, what: str) -> Flow[None]:
        version = yield from version_flow(self._ctx)
        if version != CURRENT:
            raise UnsupportedByAPIVersionError(
                f"jobs.{what}", version, "alpha assets have no jobs: follow them with assets.wait(asset_id)"
            )

    def get(self, job_id: str, include_result: bool) -> Flow[Job]:
        job_path(job_id)
        return self._get(job_id, bool(include_result))

    def _get(self, job_id: str, include_result: bool) -> Flow[Job]:
        yield from self._current("get()")
        return (yield from get_job_flow(self._ctx, job_id, include_result=include_result))

    def events(self, job_id: str, after: int | None) -> Flow[None]:
        job_path(job_id)
        return self._events(job_id, check_after(after))

    def _events(self, job_id: str, after: int | None) -> Flow[None]:
        yield from self._current("events()")
        yield from events_flow(self._ctx, job_id, after)

    def wait(self, job_id: str, timeout: float, progress: bool) -> Flow[Job]:
        job_path(job_id)
        timeout, _ = check.check_wait_args(timeout, None)
        return self._wait(job_id, timeout, bool(progress))

    def _wait(self, job_id: str, timeout: float, progress: bool) -> Flow[Job]:
        yield from self._current("wait()")
        followed = yield from follow_job_flow(self._ctx, job_id, timeout=timeout, progress=progress)
        return followed.job

    def cancel(self, job_id: str) -> Flow[Job]:
        path = job_path(job_id, "/cancel")
        return self._cancel(job_id, path)

    def _cancel(self, job_id: str, path: str) -> Flow[Job]:
        yield from self._current("cancel()")
        # Cancelling twice is harmless, so it may be re-sent after any failure.
        body = yield from request_flow(self._ctx, RequestOptions("POST", path))
        inner = body.get("job") if isinstance(body, Mapping) else None
        if isinstance(inner, Mapping) or (isinstance(body, Mapping) and "status" in body and "id" in body):
            return Job.from_dict(body)
        return (yield from get_job_flow(self._ctx, job_id))


class Jobs:
    """``GizmoClient.jobs`` (current API)."""

    def __init__(self, run: Callable[[Flow[Any]], Any], iterate: Callable[[Flow[Any]], Iterator[Any]], flows: JobFlows) -> None:
        self._run = run
        self._iterate = iterate
        self._flows = flows

    def get(self, job_id: str, *, include_result: bool = False) -> Job:
        """The job's current record (``include_result=True`` adds its result)."""
        return self._run(self._flows.get(job_id, include_result))

    def events(self, job_id: str, after: int | None = None) -> Iterator[JobEvent]:
        """The job's events until ``done`` (pings dropped; resumed after drops; polled where there is
        no stream). ``after`` starts after that sequence number."""
        return self._iterate(self._flows.events(job_id, after))

    def wait(self, job_id: str, timeout: float = 600.0, *, progress: bool = True) -> Job:
        """Follow the job to its end: the succeeded :class:`Job` (with its result), else
        ``GenerationFailedError`` / ``GenerationCancelledError`` / ``WaitTimeoutError``."""
        return self._run(self._flows.wait(job_id, timeout, progress))

    def cancel(self, job_id: str) -> Job:
        """Ask the server to cancel the job; returns its record afterwards."""
        return self._run(self._flows.cancel(job_id))


class AsyncJobs:
    """``AsyncGizmoClient.jobs`` (current API); ``events`` is an async iterator."""

    def __init__(
        self,
        run: Callable[[Flow[Any]], Awaitable[Any]],
        iterate: Callable[[Flow[Any]], AsyncIterator[Any]],
        flows: JobFlows,
    ) -> None:
        self._run = run
        self._iterate = iterate
        self._flows = flows

    async def get(self, job_id: str, *, include_result: bool = False) -> Job:
        """See :meth:`Jobs.get`."""
        return await self._run(self._flows.get(job_id, include_result))

    def events(self, job_id: str, after: int | None = None) -> AsyncIterator[JobEvent]:
        """See :meth:`Jobs.events` (``async for event in client.jobs.events(job_id)``)."""
        return self._iterate(self._flows.events(job_id, after))

    async def wait(self, job_id: str, timeout: float = 600.0, *, progress: bool = True) -> Job:
        """See :meth:`Jobs.wait`."""
        return await self._run(self._flows.wait(job_id, timeout, progress))

    async def cancel(self, job_id: str) -> Job:
        """See :meth:`Jobs.cancel`."""
        return await self._run(self._flows.cancel(job_id))
