"""Runs flows with ``httpx.Client``; sleeps with :func:`loop_friendly_sleep`.

Outside an event loop a sleep is ``time.sleep``. Inside a running one (a Jupyter cell) it keeps
the loop turning, so widgets and other tasks do not freeze while a sync ``wait`` polls; how,
and the plain fallback when asyncio's internals are not the known ones, is in
:mod:`._loop_sleep`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
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
from gizmo_notebook.client._runtime._loop_sleep import loop_friendly_sleep

__all__ = ["SyncRunner", "loop_friendly_sleep"]

T = TypeVar("T")

def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True



class SyncRunner:
    """Performs a flow's effects synchronously; owns the API and the credential-free download clients."""

    def __init__(
        self,
        api: httpx.Client,
        downloads: httpx.Client,
        *,
        sleep: Callable[[float], Any] | None = None,
        clock: Callable[[], float] | None = None,
        redact: Callable[[str], str] = str,
        observe: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        self._api = api
        self._downloads = downloads
        self._sleep = sleep or loop_friendly_sleep
        self._clock = clock or time.monotonic
        self._redact = redact
        self._observe = observe or (lambda response: None)

    def run(self, flow: Flow[T]) -> T:
        """Run ``flow`` to its result (a flow that emits values is run with :meth:`iterate`)."""
        result: list[T] = []
        for _ in self._drive(flow, emit=False, result=result):
            pass
        return result[0]

    def iterate(self, flow: Flow[Any]) -> Iterator[Any]:
        """Run ``flow``, yielding every value it emits; closing the iterator stops the flow."""
        return self._drive(flow, emit=True, result=[])

    def _drive(self, flow: Flow[Any], *, emit: bool, result: list[Any]) -> Iterator[Any]:
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
                    value = self._perform(item, streams)
                except Exception as exc:  # handed to the flow, which decides what it means
                    error = scrub(exc, self._redact)
        except Exception as exc:  # whatever path raised it, it leaves without the key
            redact_exception(exc, self._redact)
            raise
        finally:
            flow.close()
            for response, events in streams.drain():
                events.close()
                response.close()

    def _perform(self, effect: object, streams: OpenStreams) -> Any:
        if isinstance(effect, Send):
            response = self._api.request(effect.method, effect.path, json=effect.json, params=effect.params)
            self._observe(response)
            return sanitize_response(response, self._redact)
        if isinstance(effect, SendStream):
            with self._api.stream(
                effect.method, effect.path, json=effect.json, params=effect.params, headers=effect.headers
            ) as response:
                self._observe(response)
                if effect.sink.begin(response):
                    chunks = response.iter_bytes() if response.is_stream_consumed else response.iter_raw()
                    for chunk in chunks:
                        effect.sink.write(chunk)
                else:
                    response.read()
            return sanitize_response(response, self._redact)
        if isinstance(effect, OpenEvents):
            request = self._api.build_request(
                "GET",
                effect.path,
                params=effect.params,
                headers=effect.headers,
                timeout=stream_timeout(self._api.timeout, effect.read_timeout),
            )
            response = self._api.send(request, stream=True)
            self._observe(response)
            if not response.is_success or not is_event_stream(response):
                try:
                    response.read()
                finally:
                    response.close()
                return sanitize_response(response, self._redact)
            streams.add(response, EventSource(response).iter_sse())
            return sanitize_response(response, self._redact)
        if isinstance(effect, NextEvent):
            return next(streams.events(effect.response), None)
        if isinstance(effect, CloseStream):
            entry = streams.pop(effect.response)
            if entry is not None:
                entry.close()
            effect.response.close()
            return None
        if isinstance(effect, Fetch):
            with self._downloads.stream("GET", effect.url, headers=DOWNLOAD_HEADERS) as response:
                if effect.sink.begin(response):
                    # A transport may hand back an already-read response (e.g. a MockTransport).
                    chunks = response.iter_bytes() if response.is_stream_consumed else response.iter_raw()
                    for chunk in chunks:
                        effect.sink.write(chunk)
            return response
        if isinstance(effect, Sleep):
            self._sleep(effect.seconds)
            return None
        if isinstance(effect, Now):
            return self._clock()
        if isinstance(effect, BlockingLoop):
            return _in_running_loop()
        raise TypeError(f"unknown effect {effect!r}")

    def close(self) -> None:
        self._api.close()
        self._downloads.close()
