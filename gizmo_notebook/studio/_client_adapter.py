"""One async face over either client, so the Studio runs the same code for both.

A user may hand the Studio a :class:`~gizmo_notebook.client.GizmoClient` (sync) or an
:class:`~gizmo_notebook.client.AsyncGizmoClient`, speaking the alpha or the current API.
Async calls run directly on the Studio's loop; sync calls run in the loop's default thread
pool so they never block it. :class:`ClientAdapter` is the one implementation of
:class:`~gizmo_notebook.studio._service.StudioService`. The client (and with it the API key)
stays here, in the kernel: nothing in this module is ever synced to the front end.

Pacing: the client waits when the *last* response said the window is nearly used up, but the
Studio has many requests in flight at once (a batch, several job streams, the poller), which
all read that same stale count. So the Studio counts the calls it has in flight and takes them
off ``X-RateLimit-Remaining`` (each will spend one), keeps a small reserve besides
(:func:`_reserve`: a call may make two requests, an export and its file) and, once what is left
is down to it, lets one call at a time wait for the window's reset: a batch of 50 prompts slows
down instead of collecting 429s. (Counting only the stale header and a reserve of a quarter of
the window let a busy machine's burst through: two 429s in a CI run.)
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import gizmo_notebook.client as _client
from gizmo_notebook.client._job import JobStatus, find_asset_id, find_scene_id
from gizmo_notebook.client._retry import RetryPolicy
from gizmo_notebook.errors import InvalidValueError

_END = object()
#: Most requests the Studio may have in flight at once (batch workers + job streams + poller).
MAX_IN_FLIGHT = 12
#: Never park a call longer than this on a reset time (a clock-skewed header must not hang the Studio).
MAX_PACE = 60.0


def _reserve(limit: int | None) -> int:
    """Requests kept back near the end of a window, beyond the calls counted in flight."""
    return max(2, min(MAX_IN_FLIGHT, (limit or 0) // 10))


class ClientAdapter:
    def __init__(self, client: Any) -> None:
        if not hasattr(client, "assets"):  # a URL or a key where the client goes, say
            raise InvalidValueError(
                f"client must be a GizmoClient or AsyncGizmoClient (or None for the default one), "
                f"got a {type(client).__name__}"
            )
        self.client = client
        self._assets = client.assets
        self._pace_lock: asyncio.Lock | None = None
        self._in_flight = 0  # calls started and not yet answered: each spends one of the window
        self.paced = 0.0  # seconds spent waiting for rate-limit windows (tests, diagnostics)

    @property
    def is_local(self) -> bool:
        return bool(getattr(self.client, "is_local", False))

    @property
    def base_url(self) -> str:
        return str(getattr(self.client, "base_url", ""))

    @property
    def rate_limit(self) -> Any:
        return getattr(self.client, "rate_limit", None)

    @property
    def retry_policy(self) -> RetryPolicy:
        ctx = getattr(self.client, "_ctx", None)
        policy = getattr(ctx, "retry", None)
        return policy if isinstance(policy, RetryPolicy) else RetryPolicy()

    def _short(self) -> bool:
        """Whether the window, less the calls in flight, is down to the reserve (and resets later)."""
        seen = self.rate_limit
        if seen is None or seen.remaining is None or seen.reset is None:
            return False
        left = seen.remaining - self._in_flight
        return left <= _reserve(seen.limit) and seen.reset.timestamp() > time.time()

    async def _pace(self) -> None:
        if not self._short():
            return
        if self._pace_lock is None:
            self._pace_lock = asyncio.Lock()
        async with self._pace_lock:  # one waiter at a time; the others then find the window renewed
            seen = self.rate_limit
            if self._short() and seen is not None and seen.reset is not None:
                wait = min(seen.reset.timestamp() - time.time() + 0.05, MAX_PACE)
                self.paced += wait
                await asyncio.sleep(wait)

    async def _run(self, method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        await self._pace()
        self._in_flight += 1  # no await since _pace's check: the next call's check counts this one
        try:
            if inspect.iscoroutinefunction(method):
                return await method(*args, **kwargs)
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(None, functools.partial(method, *args, **kwargs))
            if inspect.isawaitable(result):  # a sync-looking wrapper that still returned a coroutine
                result = await result
            return result
        finally:
            self._in_flight -= 1

    async def _call(self, _method: str, /, *args: Any, **kwargs: Any) -> Any:
        return await self._run(getattr(self._assets, _method), *args, **kwargs)

    async def create(self, prompt: str, name: str | None, tags: Sequence[str] | None) -> Any:
        return await self._call("create", prompt, name=name, tags=list(tags) if tags else None)

    async def get(self, asset_id: str) -> Any:
        return await self._call("get", asset_id)

    async def list(self, limit: int, offset: int) -> Any:
        return await self._call("list", limit=limit, offset=offset)

    async def download(self, asset_id: str, fmt: str, dest: Path | None = None) -> Path:
        """The export file: in the client's cache, or (with ``dest``) copied or unpacked there."""
        return Path(await self._call("download", asset_id, fmt, dest=dest))

    async def events(self, job_id: str) -> AsyncIterator[Any]:
        await self._pace()
        stream = self.client.jobs.events(job_id)
        if hasattr(stream, "__anext__"):
            async for event in stream:
                yield event
            return
        # A sync client's iterator blocks on the network: step it in the thread pool.
        loop = asyncio.get_running_loop()
        try:
            while (event := await loop.run_in_executor(None, next, stream, _END)) is not _END:
                yield event
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                await loop.run_in_executor(None, close)

    async def finish_job(self, job_id: str) -> Any:
        # Two requests once the stream has said "done": the job record (the authority on how it
        # ended, and where the asset id sits) and the asset. The record may lag the stream by a
        # moment; anything unusual falls back to the client's full ``assets.wait``.
        job = None
        for delay in (0.0, 0.1, 0.3, 1.0):
            await asyncio.sleep(delay)
            job = await self._run(self.client.jobs.get, job_id, include_result=True)
            if job.status.is_terminal:
                break
        if job is None or not job.status.is_terminal:
            return await self._call("wait", job_id, progress=False)
        if job.status is JobStatus.CANCELLED:
            raise _client.GenerationCancelledError(job=job)
        if job.status is JobStatus.FAILED:
            raise _client.GenerationFailedError(job=job)
        asset_id = find_asset_id(job.raw)
        if asset_id is None:
            return await self._call("wait", job_id, progress=False)
        return await self.get(asset_id)

    async def cancel(self, job_id: str) -> Any:
        return await self._run(self.client.jobs.cancel, job_id)

    # -- scenes ------------------------------------------------------------------------
    async def api_version(self) -> str:
        return str(await self._run(self.client.detect_api_version))

    async def submit_scene(self, prompt: str) -> Any:
        return await self._run(self.client.scenes.submit, prompt)

    async def list_scenes(self, limit: int) -> Any:
        return await self._run(self.client.scenes.list, limit=limit, offset=0)

    async def get_scene(self, scene_id: str) -> Any:
        return await self._run(self.client.scenes.get, scene_id)

    async def download_scene(self, scene_id: str, fmt: str, dest: Path) -> Path:
        return Path(await self._run(self.client.scenes.download, scene_id, fmt, dest=dest))

    async def finish_scene_job(self, job_id: str) -> Any:
        """The ready scene a finished scene job made (the job record names it), as ``finish_job`` does for assets."""
        job = await self._run(self.client.jobs.wait, job_id, progress=False)
        if job.status is JobStatus.CANCELLED:
            raise _client.GenerationCancelledError(job=job)
        if job.status is JobStatus.FAILED:
            raise _client.GenerationFailedError(job=job)
        scene_id = job.scene_id or find_scene_id(job.raw)
        if scene_id is None:
            raise _client.APIResponseValidationError(f"scene job {job_id} succeeded but names no scene", body=dict(job.raw))
        return await self.get_scene(scene_id)
