"""Following the current API's generation jobs for a Studio: live stage, Cancel, the ready asset.

On the current API a new asset is first a *job*: ``POST /assets`` answers a job id and no
asset id, and the asset appears in ``GET /assets`` only once the job is done. So a running
row cannot be polled through the asset list like an alpha asset; instead each job gets one
follower task that reads its event stream (``client.jobs.events``: the client resumes a
dropped stream and falls back to polling where there is none), shows ``"articulation 3/4"``
on the row as stages start, and when the job ends swaps the placeholder row (keyed by the
job id) for the real asset, or marks it failed / cancelled with the server's reason.

A job is not in ``GET /assets`` while it runs, so the running jobs (id, prompt, name, tags) are
also kept in ``running-jobs.json`` beside the lineage file, per server: a Studio opened later
(a new cell, a restarted kernel) lists them again and follows them to the end.

At most :data:`MAX_LIVE_STREAMS` streams are open at once, so a batch of 50 prompts holds a
few connections (and spends a few requests) rather than fifty; the others wait, shown as
``queued``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gizmo_notebook.client as _client
from gizmo_notebook.client._follow import StageProgress
from gizmo_notebook.client._records import parse_datetime
from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.studio._service import retry_delay
from gizmo_notebook.studio.errors import Notice, describe
from gizmo_notebook.studio.lineage import user_tags, write_json_atomically

if TYPE_CHECKING:
    from gizmo_notebook.studio.widget import Studio

__all__ = ["MAX_LIVE_STREAMS", "JobFollower"]

MAX_LIVE_STREAMS = 4
_file_lock = threading.Lock()


class RunningJobs:
    """``{base_url: {job_id: {prompt, name, tags, created_at}}}`` in one small JSON file."""

    def __init__(self, path: Path, base_url: str) -> None:
        self.path = path
        self.base_url = base_url

    def _read(self) -> dict[str, dict[str, dict[str, object]]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def entries(self) -> dict[str, dict[str, object]]:
        with _file_lock:
            mine = self._read().get(self.base_url)
        return {k: v for k, v in mine.items() if isinstance(v, dict)} if isinstance(mine, dict) else {}

    def add(self, job_id: str, entry: dict[str, object]) -> None:
        with _file_lock:
            data = self._read()
            data.setdefault(self.base_url, {})[job_id] = entry
            write_json_atomically(self.path, data)

    def remove(self, job_id: str) -> None:
        with _file_lock:
            data = self._read()
            if job_id in data.get(self.base_url, {}):
                del data[self.base_url][job_id]
                write_json_atomically(self.path, data)


class JobFollower:
    """The running jobs of one Studio (all methods run on the Studio's loop)."""

    def __init__(self, studio: Studio, max_streams: int = MAX_LIVE_STREAMS) -> None:
        self._studio = studio
        self._max_streams = max_streams
        self._gate: asyncio.Semaphore | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        #: job id -> the stage text shown on its row ("queued", "geometry 2/4", ...).
        self.stages: dict[str, str] = {}
        #: job id -> the asset it made, once ready (so a focus or an export by job id still finds it).
        self.assets: dict[str, str] = {}
        #: Times a follower lost its stream or status check and tried again after backing off.
        self.retries = 0
        self._parents: dict[str, str] = {}
        self._running = RunningJobs(studio._lineage.path.parent / "running-jobs.json", studio._adapter.base_url)

    @property
    def running(self) -> frozenset[str]:
        return frozenset(job for job, task in self._tasks.items() if not task.done())

    def start(self, job_id: str, parent: str | None = None) -> None:
        """Follow ``job_id`` until it ends; its row must already be in the list. ``parent`` (the
        asset it iterates on) is recorded for the asset once there is one."""
        if job_id in self.running:
            return
        if parent is not None:
            self._parents[job_id] = parent
        placeholder = self._studio._assets.get(job_id)
        if placeholder is not None:
            created = placeholder.created_at.isoformat() if placeholder.created_at is not None else None
            self._running.add(
                job_id,
                {"prompt": placeholder.prompt, "name": placeholder.name, "tags": list(placeholder.tags), "created_at": created},
            )
        self.stages[job_id] = "queued"
        task = asyncio.get_running_loop().create_task(self._follow(job_id), name=f"gizmo-studio-job-{job_id}")
        task._gizmo_owner = self._studio  # type: ignore[attr-defined]  # Studio.close() cancels it
        self._tasks[job_id] = task
        self._studio.polling = True

    async def cancel(self, job_id: str) -> None:
        """Ask the service to cancel ``job_id``; its follower then sees the job end as cancelled."""
        if job_id not in self.running:
            raise InvalidValueError(f"{job_id} is not a running job of this Studio (only running jobs can be cancelled)")
        self._patch(job_id, stage="cancelling")
        await self._studio._adapter.cancel(job_id)
        self._studio._note_rate_limit()

    def resume(self) -> None:
        """List and follow the jobs an earlier Studio on this server left running."""
        studio = self._studio
        for job_id, entry in self._running.entries().items():
            if job_id in self._tasks or job_id in self.assets or job_id in studio._assets:
                continue
            tags = [t for t in entry.get("tags") or [] if isinstance(t, str)]
            name = entry.get("name") if isinstance(entry.get("name"), str) else None
            prompt = entry.get("prompt") if isinstance(entry.get("prompt"), str) else ""
            placeholder = _client.Asset.pending_job({"job_id": job_id}, prompt=prompt, name=name, tags=tags)
            created = parse_datetime(entry.get("created_at"))
            if created is not None:
                placeholder = dataclasses.replace(placeholder, created_at=created)
            studio._upsert([placeholder], front=True)
            self.start(job_id)

    async def wait(self) -> None:
        """Until every follower has finished (tests and ``Studio.wait_idle``)."""
        while pending := [t for t in self._tasks.values() if not t.done()]:
            await asyncio.wait(pending)

    # ------------------------------------------------------------------ one job
    async def _follow(self, job_id: str) -> None:
        studio = self._studio
        progress = StageProgress("", enabled=False)
        if self._gate is None:
            self._gate = asyncio.Semaphore(self._max_streams)
        try:
            async with self._gate:
                self._patch(job_id, stage="starting", status="processing")
                asset = await self._watch(job_id, progress)
        except asyncio.CancelledError:
            raise
        except _client.GenerationCancelledError:
            self._running.remove(job_id)
            self._ended(job_id, "cancelled")
            studio._notify(
                Notice("info", "cancelled", f"Generation of {self._label(job_id)} was cancelled.", "Nothing was made."),
                job_id,
            )
        except _client.GenerationFailedError as exc:
            reason = exc.reason or progress.error or "the service gave no reason"
            self._running.remove(job_id)
            self._ended(job_id, "failed", reason)
            studio._notify(
                Notice(
                    "error",
                    "failed",
                    f"Generation of {self._label(job_id)} failed: {reason}.",
                    "Rephrase the prompt (be specific about links, joints and size) and generate again; "
                    "Iterate pre-fills it.",
                ),
                job_id,
            )
        except Exception as exc:  # noqa: BLE001 - shown inline; the job may still finish on the server
            if isinstance(exc, _client.NotFoundError):  # not this key's job (or gone): stop remembering it
                self._running.remove(job_id)
            self._patch(job_id, stage="status unknown")
            notice = describe(exc, doing="following the job")
            studio._notify(Notice(notice.level, notice.kind, notice.text, notice.hint + " Refresh lists it once it is ready."), job_id)
        else:
            self._running.remove(job_id)
            await self._ready(job_id, asset)
        finally:
            self._tasks.pop(job_id, None)
            studio._note_rate_limit()
            studio.polling = bool(self.running or studio._poller.pending)

    async def _watch(self, job_id: str, progress: StageProgress) -> Any:
        """Read the events to the end, then fetch the asset; ride out network trouble and 429s
        (which the client already retried) by the client's retry policy, telling the user."""
        studio = self._studio
        attempt = 0
        while True:
            try:
                async for event in studio._adapter.events(job_id):
                    progress.on_event(event)
                    if progress.stage:
                        self._patch(job_id, stage=progress.text.strip())
                    studio._note_rate_limit()
                    attempt = 0
                asset = await studio._adapter.finish_job(job_id)
            except Exception as exc:
                wait = retry_delay(studio._adapter.retry_policy, attempt, exc)
                if wait is None:
                    raise
                self.retries += 1
                attempt += 1
                notice = describe(exc, doing="following the job")
                studio._notify(Notice(notice.level, notice.kind, notice.text, notice.hint + f" Next check in {wait:.0f} s."))
                await asyncio.sleep(wait)
            else:
                studio._clear_notices("network", "rate_limit", "api")
                return asset

    async def _ready(self, job_id: str, asset: Any) -> None:
        """Swap the placeholder row for the asset (same place in the list, same lineage)."""
        studio = self._studio
        self.stages.pop(job_id, None)
        self.assets[job_id] = asset.id
        placeholder = studio._assets.pop(job_id, None)
        parent = self._parents.pop(job_id, None)
        if parent is not None:
            studio._lineage.record(asset.id, self.assets.get(parent, parent))
        studio._lineage.replace_parent(job_id, asset.id)  # children made while this job ran
        self._parents = {job: asset.id if p == job_id else p for job, p in self._parents.items()}
        if placeholder is not None and not asset.tags and placeholder.tags:
            # The current API keeps no tags: keep the user's for this session. Not the parent tag,
            # which may name a job; the lineage file (fixed up as jobs finish) is the record here.
            asset = dataclasses.replace(asset, tags=tuple(user_tags(placeholder.tags)))
        if job_id in studio._started:
            studio._started[asset.id] = studio._started.pop(job_id)
        studio.items = [i for i in studio.items if i["id"] != job_id]
        studio.selected = [asset.id if s == job_id else s for s in studio.selected]
        if studio.focus == job_id:
            studio.focus = asset.id
        studio._upsert([asset], front=True)
        await studio._settled([(asset.id, "ready")])

    def _ended(self, job_id: str, status: str, reason: str = "") -> None:
        self.stages[job_id] = status
        studio = self._studio
        placeholder = studio._assets.get(job_id)
        if placeholder is not None:
            studio._assets[job_id] = dataclasses.replace(placeholder, status=_client.AssetStatus.FAILED)
        self._patch(job_id, status=status, stage=status, reason=reason, failure_reason=reason)

    def _label(self, job_id: str) -> str:
        asset = self._studio._assets.get(job_id)
        return repr(getattr(asset, "name", None) or job_id)

    def _patch(self, job_id: str, **fields: str) -> None:
        """Change fields of one row (and its stage text) without touching the others."""
        if "stage" in fields:
            self.stages[job_id] = fields["stage"]
        studio = self._studio
        with contextlib.suppress(StopIteration):
            next(i for i in studio.items if i["id"] == job_id)
            studio.items = [{**i, **fields} if i["id"] == job_id else i for i in studio.items]
            studio._refresh_visible()
