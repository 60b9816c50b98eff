"""One async face over either client, so the Studio runs the same code for both.

A user may hand the Studio a :class:`~gizmo_notebook.client.GizmoClient` (sync) or an
:class:`~gizmo_notebook.client.AsyncGizmoClient`, speaking the alpha or the current API.
Async calls run directly on the Studio's loop; sync calls run in the loop's default thread
pool so they never block it. :class:`Backend` is the one implementation of
:class:`~gizmo_notebook.studio._service.StudioService`. The client (and with it the API key)
stays here, in the kernel: nothing in this module is ever synced to the front end.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from gizmo_notebook.client._retry import RetryPolicy

_END = object()


class Backend:
    def __init__(self, client: Any) -> None:
        self.client = client
        self._assets = client.assets

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

    async def _run(self, method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if inspect.iscoroutinefunction(method):
            return await method(*args, **kwargs)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, functools.partial(method, *args, **kwargs))
        if inspect.isawaitable(result):  # a sync-looking wrapper that still returned a coroutine
            result = await result
        return result

    async def _call(self, _method: str, /, *args: Any, **kwargs: Any) -> Any:
        return await self._run(getattr(self._assets, _method), *args, **kwargs)

    async def create(self, prompt: str, name: str | None, tags: Sequence[str] | None) -> Any:
        return await self._call("create", prompt, name=name, tags=list(tags) if tags else None)

    async def get(self, asset_id: str) -> Any:
        return await self._call("get", asset_id)

    async def list(self, limit: int, offset: int) -> Any:
        return await self._call("list", limit=limit, offset=offset)

    async def download(self, asset_id: str, fmt: str, dest: Path) -> Path:
        return Path(await self._call("download", asset_id, fmt, dest=dest))

    async def events(self, job_id: str) -> AsyncIterator[Any]:
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
        # The client resolves the asset id wherever the job's result puts it, and raises the
        # typed failure/cancellation errors with the server's reason.
        return await self._call("wait", job_id, progress=False)

    async def cancel(self, job_id: str) -> Any:
        return await self._run(self.client.jobs.cancel, job_id)
