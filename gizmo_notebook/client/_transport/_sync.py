"""Runs flows with ``httpx.Client``; sleeps with :func:`loop_friendly_sleep`.

Outside an event loop a sleep is ``time.sleep``. Inside a running one (a Jupyter cell) it keeps
the loop turning, so widgets and other tasks do not freeze while a sync ``wait`` polls; how,
and the plain fallback when asyncio's internals are not the known ones, is in
:mod:`._loop_sleep`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from gizmo_notebook.client._transport._base_client import (
    DOWNLOAD_HEADERS,
    Fetch,
    Flow,
    Now,
    Send,
    Sleep,
    advance,
    scrub,
)
from gizmo_notebook.client._transport._loop_sleep import loop_friendly_sleep

__all__ = ["SyncRunner", "loop_friendly_sleep"]

T = TypeVar("T")


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
    ) -> None:
        self._api = api
        self._downloads = downloads
        self._sleep = sleep or loop_friendly_sleep
        self._clock = clock or time.monotonic
        self._redact = redact

    def run(self, flow: Flow[T]) -> T:
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                done, item = advance(flow, value, error)
                if done:
                    return item
                value, error = None, None
                try:
                    value = self._perform(item)
                except Exception as exc:  # handed to the flow, which decides what it means
                    error = scrub(exc, self._redact)
        finally:
            flow.close()

    def _perform(self, effect: object) -> Any:
        if isinstance(effect, Send):
            return self._api.request(effect.method, effect.path, json=effect.json, params=effect.params)
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
        raise TypeError(f"unknown effect {effect!r}")

    def close(self) -> None:
        self._api.close()
        self._downloads.close()
