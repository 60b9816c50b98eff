"""Runs flows with ``httpx.AsyncClient`` and ``asyncio.sleep``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
from httpx_sse import EventSource

from gizmo_notebook.client._errors import redact_exception
from gizmo_notebook.client._runtime._flow import (
    DOWNLOAD_HEADERS,
    BlockingLoop,
    CloseStream,
    Emit,
    Fetch,
    Flow,
    NextEvent,
    Now,
    OpenEvents,
    OpenStreams,
    Send,
    SendStream,
    Sleep,
    advance,
    is_event_stream,
    sanitize_response,
    scrub,
    stream_timeout,
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
        observe: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        self._api = api
        self._downloads = downloads
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self._redact = redact
        self._observe = observe or (lambda response: None)

    async def run(self, flow: Flow[T]) -> T:
        """Run ``flow`` to its result (a flow that emits values is run with :meth:`iterate`)."""
        result: list[T] = []
        async for _ in self._drive(flow, emit=False, result=result):
            pass
        return result[0]

    def iterate(self, flow: Flow[Any]) -> AsyncIterator[Any]:
        """Run ``flow``, yielding every value it emits (``async for``); closing it stops the flow."""
        return self._drive(flow, emit=True, result=[])

    async def _drive(self, flow: Flow[Any], *, emit: bool, result: list[Any]) -> AsyncIterator[Any]:
        streams = OpenStreams()
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                done, item = advance(flow, value, error)
                if done:
                    result.append(item)
                    return
                value, error = None, None
                if isinstance(item, Emit):
                    if not emit:
                        raise TypeError("this flow emits values: run it with iterate()")
                    yield item.value
                    continue
                try:
                    value = await self._perform(item, streams)
                except Exception as exc:  # handed to the flow, which decides what it means
                    error = scrub(exc, self._redact)
        except Exception as exc:  # whatever path raised it, it leaves without the key
            redact_exception(exc, self._redact)
            raise
        finally:
            flow.close()
            for response, events in streams.drain():
                await events.aclose()
                await response.aclose()

    async def _perform(self, effect: object, streams: OpenStreams) -> Any:
        if isinstance(effect, Send):
            response = await self._api.request(effect.method, effect.path, json=effect.json, params=effect.params)
            self._observe(response)
            return sanitize_response(response, self._redact)
        if isinstance(effect, SendStream):
            async with self._api.stream(
                effect.method, effect.path, json=effect.json, params=effect.params, headers=effect.headers
            ) as response:
                self._observe(response)
                if effect.sink.begin(response):
                    chunks = response.aiter_bytes() if response.is_stream_consumed else response.aiter_raw()
                    async for chunk in chunks:
                        effect.sink.write(chunk)
                else:
                    await response.aread()
            return sanitize_response(response, self._redact)
        if isinstance(effect, OpenEvents):
            request = self._api.build_request(
                "GET",
                effect.path,
                params=effect.params,
                headers=effect.headers,
                timeout=stream_timeout(self._api.timeout, effect.read_timeout),
            )
            response = await self._api.send(request, stream=True)
            self._observe(response)
            if not response.is_success or not is_event_stream(response):
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                return sanitize_response(response, self._redact)
            streams.add(response, EventSource(response).aiter_sse())
            return sanitize_response(response, self._redact)
        if isinstance(effect, NextEvent):
            try:
                return await streams.events(effect.response).__anext__()
            except StopAsyncIteration:
                return None
        if isinstance(effect, CloseStream):
            events = streams.pop(effect.response)
            if events is not None:
                await events.aclose()
            await effect.response.aclose()
            return None
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
        if isinstance(effect, BlockingLoop):
            return False
        raise TypeError(f"unknown effect {effect!r}")

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._downloads.aclose()
