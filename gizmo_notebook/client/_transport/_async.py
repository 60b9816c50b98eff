"""Runs flows with ``httpx.AsyncClient`` and ``asyncio.sleep``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from gizmo_notebook.client._errors import redact_exception
from gizmo_notebook.client._transport._base_client import (
    DOWNLOAD_HEADERS,
    Fetch,
    Flow,
    Now,
    Send,
    Sleep,
    advance,
    sanitize_response,
    scrub,
)

__all__ = ["AsyncRunner"]

T = TypeVar("T")


class AsyncRunner:
    """Performs a flow's effects on the running event loop; never blocks it."""

    def __init__(
        self,
        api: httpx.AsyncClient,
        downloads: httpx.AsyncClient,
        *,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        clock: Callable[[], float] | None = None,
        redact: Callable[[str], str] = str,
    ) -> None:
        self._api = api
        self._downloads = downloads
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self._redact = redact

    async def run(self, flow: Flow[T]) -> T:
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                done, item = advance(flow, value, error)
                if done:
                    return item
                value, error = None, None
                try:
                    value = await self._perform(item)
                except Exception as exc:  # handed to the flow, which decides what it means
                    error = scrub(exc, self._redact)
        except Exception as exc:  # whatever path raised it, it leaves without the key
            redact_exception(exc, self._redact)
            raise
        finally:
            flow.close()

    async def _perform(self, effect: object) -> Any:
        if isinstance(effect, Send):
            response = await self._api.request(effect.method, effect.path, json=effect.json, params=effect.params)
            return sanitize_response(response, self._redact)
        if isinstance(effect, Fetch):
            async with self._downloads.stream("GET", effect.url, headers=DOWNLOAD_HEADERS) as response:
                if effect.sink.begin(response):
                    # A transport may hand back an already-read response (e.g. a MockTransport).
                    chunks = response.aiter_bytes() if response.is_stream_consumed else response.aiter_raw()
                    async for chunk in chunks:
                        effect.sink.write(chunk)
            return response
        if isinstance(effect, Sleep):
            await self._sleep(effect.seconds)
            return None
        if isinstance(effect, Now):
            return self._clock()
        raise TypeError(f"unknown effect {effect!r}")

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._downloads.aclose()
