"""Jobs of the current API: ``Job`` (a status record) and ``JobEvent`` (one event of its stream).

The docs fix the job statuses and event types but not the payloads, so everything is read
tolerantly: the job may come bare or wrapped in ``{"ok": true, "job": {...}}``, times may be
Unix seconds or ISO strings, and the asset a finished job made may sit under any of the names
third-party clients have seen (:func:`find_asset_id`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from gizmo_notebook.client._errors import redact_deep
from gizmo_notebook.client._json import ascii_int, loads_untrusted
from gizmo_notebook.client._records import (
    _failure_reason,
    _frozen_raw,
    _opt_id,
    _require_mapping,
    _require_str,
    parse_datetime,
    unwrap,
)

__all__ = ["Job", "JobEvent", "JobStatus", "find_asset_id", "find_scene_id"]


class JobStatus(str, Enum):
    """``queued`` → ``running`` → ``succeeded`` | ``failed`` | ``cancelled``.

    A status this client does not know is ``UNKNOWN`` and counts as still running.
    """

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> JobStatus:
        aliases = {
            "pending": cls.QUEUED,
            "processing": cls.RUNNING,
            "in_progress": cls.RUNNING,
            "completed": cls.SUCCEEDED,
            "complete": cls.SUCCEEDED,
            "ready": cls.SUCCEEDED,
            "done": cls.SUCCEEDED,
            "success": cls.SUCCEEDED,
            "error": cls.FAILED,
            "errored": cls.FAILED,
            "canceled": cls.CANCELLED,
        }
        return aliases.get(str(value).lower(), cls.UNKNOWN) if isinstance(value, str) else cls.UNKNOWN

    def __str__(self) -> str:
        return self.value

    @property
    def is_terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


def _first_id(value: object) -> str | None:
    """An id from a string, a number, an object with ``id``, or the first element of a list of those."""
    if isinstance(value, list):
        return _first_id(value[0]) if value else None
    if isinstance(value, Mapping):
        return _opt_id(value.get("id"))
    return _opt_id(value)


def _find_id(sources: list[object], singular: str) -> str | None:
    keys = (f"{singular}_id", singular, f"{singular}_ids", f"{singular}s")
    for source in sources:
        if not isinstance(source, Mapping):
            continue
        for key in keys:
            found = _first_id(source.get(key))
            if found is not None:
                return found
    return None


def find_asset_id(job: Mapping[str, Any]) -> str | None:
    """The id of the asset a finished job produced, wherever the server put it.

    Looked for, in order, in ``result``, ``result.asset`` style nesting and the job itself, under
    ``asset_id``, ``asset`` (an id or ``{id}``), ``asset_ids[0]`` and ``assets[0]`` (an id or ``{id}``).
    """
    result = job.get("result")
    sources: list[object] = [result, job]
    if isinstance(result, Mapping) and isinstance(result.get("output"), Mapping):
        sources.insert(1, result["output"])
    return _find_id(sources, "asset")


def find_scene_id(job: Mapping[str, Any]) -> str | None:
    """The scene a job belongs to or produced (``result.scene_id``, ``result.scene.id``, ``scene_id``...)."""
    return _find_id([job.get("result"), job], "scene")


@dataclass(frozen=True)
class Job:
    """One generation job (current API). ``raw`` keeps the whole record, unknown fields included."""

    id: str
    status: JobStatus
    mode: str | None = None
    scene_id: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: object) -> Job:
        body = _require_mapping(unwrap(data, "job"), "a job")
        if "id" not in body and "job_id" in body:
            body = {**body, "id": body["job_id"]}
        result = body.get("result")
        return cls(
            id=_require_str(body, "id", "job"),
            status=JobStatus(body.get("status")),
            mode=body.get("mode") if isinstance(body.get("mode"), str) else None,
            scene_id=find_scene_id(body),
            created_at=parse_datetime(body.get("created_at")),
            started_at=parse_datetime(body.get("started_at")),
            finished_at=parse_datetime(body.get("finished_at", body.get("completed_at"))),
            result=_frozen_raw(result) if isinstance(result, Mapping) else None,
            raw=_frozen_raw(body),
        )

    @property
    def status_text(self) -> str:
        value = self.raw.get("status")
        return value if isinstance(value, str) else self.status.value

    @property
    def asset_id(self) -> str | None:
        """The asset this job produced, once known (see :func:`find_asset_id`)."""
        return find_asset_id(self.raw)

    @property
    def failure_reason(self) -> str | None:
        """Why the job failed or was cancelled, when the server says."""
        if self.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
            return None
        for source in (self.raw, self.result or {}):
            reason = _failure_reason(source)
            if reason:
                return reason
        return None


@dataclass(frozen=True)
class JobEvent:
    """One Server-Sent Event of a job: ``seq`` (for resuming; ``None`` when the server gave none or
    the event was made up from polling), ``type`` (``stage_start``, ``stage_complete``,
    ``asset_ready``, ``error``, ``done``, or ``status`` when polling) and ``data`` (parsed JSON, or
    the raw text when it is not JSON)."""

    seq: int | None
    type: str
    data: Any = None

    @classmethod
    def from_sse(cls, event: str, data: str, event_id: str, redact: Callable[[str], str] = str) -> JobEvent:
        """The event as sent, with ``redact`` applied to its type, id and every string of its data."""
        event, data, event_id = redact(event), redact(data), redact(event_id)
        try:
            payload: Any = redact_deep(loads_untrusted(data), redact) if data else None
        except ValueError:
            payload = data
        kind = event
        if kind == "message" and isinstance(payload, Mapping) and isinstance(payload.get("type"), str):
            kind = payload["type"]  # a server that puts the type in the payload instead
        return cls(seq=_seq(payload, event_id), type=kind, data=payload)


def _seq(payload: Any, event_id: str) -> int | None:
    if isinstance(payload, Mapping):
        for key in ("seq", "sequence"):
            value = payload.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return ascii_int(event_id)
