"""Following a current-API job to its end: events when the server streams them, polling otherwise.

:func:`follow_job_flow` is what ``jobs.wait``, ``assets.wait``/``generate`` and
``scenes.generate`` share. The outcome is always confirmed with one
``GET /jobs/{id}?include_result=true`` (the docs leave the event payloads open, the job record is
the authority). A failed job raises :class:`GenerationFailedError` with the server's reason, a
cancelled one :class:`GenerationCancelledError`, a deadline :class:`WaitTimeoutError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gizmo_notebook.client._errors import GenerationCancelledError, GenerationFailedError, WaitTimeoutError
from gizmo_notebook.client._job import Job, JobEvent, JobStatus, find_asset_id
from gizmo_notebook.client._records import _failure_reason
from gizmo_notebook.client._runtime._flow import BlockingLoop, ClientContext, Flow, Now, Sleep
from gizmo_notebook.client._sse import (
    DEADLINE,
    POLL,
    get_job_flow,
    intercept,
    poll_job_flow,
    stream_events_flow,
)
from gizmo_notebook.client._wait import poll_interval_for

__all__ = ["FollowResult", "StageProgress", "follow_job_flow"]

_NAME_KEYS = ("stage", "stage_name", "name", "title", "step_name")
_STEP_KEYS = ("step", "stage_number", "k", "current", "position")
_TOTAL_KEYS = ("total", "of", "n", "stage_count", "total_stages", "num_stages", "stages")
#: A stage name is a label on a progress bar: a server's megabyte of text is cut to this.
_MAX_STAGE_CHARS = 80


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


class StageProgress:
    """Turns stage events (or polled job records) into ``"<stage> k/n"`` on a tqdm bar.

    The payloads are undocumented, so: the stage name is the first of ``stage``/``name``/...
    that is a string; ``k`` is an explicit 1-based ``step`` when given, else the count of
    stages started so far; ``n`` is ``total``/``stage_count``/... (or the length of a
    ``stages`` list) when given.
    """

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.stage: str | None = None
        self.step: int | None = None
        self.total: int | None = None
        self.started: list[str] = []
        self.asset_id: str | None = None
        self.error: str | None = None
        self._bar: Any = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=None, desc=label, bar_format="{desc} [{elapsed}]")

    @property
    def text(self) -> str:
        if self.stage is None:
            return self.label
        count = f" {self.step}/{self.total}" if self.step and self.total else (f" {self.step}" if self.step else "")
        return f"{self.label} {self.stage}{count}"

    def _read_stage(self, data: Mapping[str, Any]) -> None:
        name = next((data[k] for k in _NAME_KEYS if isinstance(data.get(k), str) and data[k]), None)
        if isinstance(data.get("stage"), Mapping):  # {"stage": {"name": ..., "index": ...}}
            self._read_stage(data["stage"])
            return
        total = next((_int(data.get(k)) for k in _TOTAL_KEYS if _int(data.get(k))), None)
        if total is None and isinstance(data.get("stages"), list):
            total = len(data["stages"])
        if total:
            self.total = total
        if name is not None:
            name = name if len(name) <= _MAX_STAGE_CHARS else name[: _MAX_STAGE_CHARS - 1] + "…"
            if name not in self.started:
                self.started.append(name)
            self.stage = name
        step = next((_int(data.get(k)) for k in _STEP_KEYS if _int(data.get(k))), None)
        self.step = step if step is not None else (len(self.started) or None)

    def on_event(self, event: JobEvent) -> None:
        data = event.data
        if event.type in ("stage_start", "stage_complete", "progress", "status") and isinstance(data, Mapping):
            self._read_stage(data)
        elif event.type in ("stage_start", "stage_complete") and isinstance(data, str) and data:
            self._read_stage({"stage": data})
        if event.type == "asset_ready" and isinstance(data, Mapping):
            self.asset_id = find_asset_id(data) or _first_str(data.get("id")) or self.asset_id
        elif event.type == "asset_ready" and isinstance(data, str) and data.strip():
            self.asset_id = data.strip()
        if event.type == "error":
            self.error = (_failure_reason(data) if isinstance(data, Mapping) else None) or (
                data if isinstance(data, str) and data else self.error
            )
        self.refresh()

    def on_job(self, job: Job) -> None:
        # A job record's own ``name`` is not a stage: read only its stage fields.
        stage = next((job.raw[k] for k in ("stage", "current_stage") if job.raw.get(k)), None)
        if isinstance(stage, Mapping):
            self._read_stage(stage)
        elif isinstance(stage, str):
            self._read_stage({"stage": stage, **{k: job.raw[k] for k in _TOTAL_KEYS + _STEP_KEYS if k in job.raw}})
        if self.stage is None:
            self.stage = job.status_text
        self.refresh()

    def refresh(self) -> None:
        if self._bar is not None:
            self._bar.set_description_str(self.text, refresh=False)
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _first_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class FollowResult:
    job: Job
    #: An asset id seen in an ``asset_ready`` event (used when the job record names none).
    event_asset_id: str | None


def follow_job_flow(
    ctx: ClientContext, job_id: str, *, timeout: float, progress: bool, what: str = "job"
) -> Flow[FollowResult]:
    """Wait for ``job_id`` to finish; raise on failure, cancellation or timeout."""
    started = yield Now()
    deadline = started + timeout
    bar = StageProgress(job_id, progress)
    try:
        if (yield BlockingLoop()):
            outcome = POLL  # a sync wait in a notebook cell: polling keeps the kernel's loop turning
        else:
            outcome = yield from intercept(stream_events_flow(ctx, job_id, None, deadline), bar.on_event)
        if outcome == POLL:
            polled = yield from poll_job_flow(ctx, job_id, deadline, bar.on_job)
            if polled is None:
                outcome = DEADLINE
        job = yield from get_job_flow(ctx, job_id, include_result=True)
        # ``done`` may reach us a moment before the record says so: give it the rest of the time.
        while not job.status.is_terminal and outcome != DEADLINE:
            remaining = deadline - (yield Now())
            if remaining <= 0:
                break
            yield Sleep(min(poll_interval_for(ctx, None), remaining))
            job = yield from get_job_flow(ctx, job_id, include_result=True)
        if not job.status.is_terminal:
            raise WaitTimeoutError(job_id, timeout, bar.stage or job.status_text, what=what)
    finally:
        bar.close()
    if job.status is JobStatus.CANCELLED:
        raise GenerationCancelledError(job=job, reason=job.failure_reason or bar.error)
    if job.status is JobStatus.FAILED:
        raise GenerationFailedError(job=job, reason=job.failure_reason or bar.error)
    return FollowResult(job=job, event_asset_id=bar.asset_id)
