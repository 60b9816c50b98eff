"""One async face over either client, so the Studio runs the same code for both.

A user may hand the Studio a :class:`~gizmo_notebook.client.GizmoClient` (sync) or an
:class:`~gizmo_notebook.client.AsyncGizmoClient`. Async calls run directly on the Studio's
loop; sync calls run in the loop's default thread pool so they never block it. The client
(and with it the API key) stays here, in the kernel: nothing in this module is ever synced
to the front end.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import Any


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

    async def _call(self, _method: str, /, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self._assets, _method)
        if inspect.iscoroutinefunction(method):
            return await method(*args, **kwargs)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, functools.partial(method, *args, **kwargs))
        if inspect.isawaitable(result):  # a sync-looking wrapper that still returned a coroutine
            result = await result
        return result

    async def create(self, prompt: str, name: str | None, tags: Sequence[str] | None) -> Any:
        return await self._call("create", prompt, name=name, tags=list(tags) if tags else None)

    async def get(self, asset_id: str) -> Any:
        return await self._call("get", asset_id)

    async def list(self, limit: int, offset: int) -> Any:
        return await self._call("list", limit=limit, offset=offset)

    async def download(self, asset_id: str, fmt: str, dest: Path) -> Path:
        return Path(await self._call("download", asset_id, fmt, dest=dest))
