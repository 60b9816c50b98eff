"""Fixtures for driving the Studio widget model directly, as the browser would.

``RecordingComm`` stands in for the kernel's comm: it records every message the widget
publishes (the open message with the full state, state updates, custom messages with their
buffers), so tests can check what would reach the front end, including that the API key
never does. Front-end messages are injected through the comm's own ``handle_msg``, the same
entry point ipykernel uses.
"""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import comm
import pytest
from comm.base_comm import BaseComm


class RecordingComm(BaseComm):
    sent: list[dict[str, Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any) -> None:
        self.sent.append({"msg_type": msg_type, "data": data, "buffers": [bytes(b) for b in buffers or []]})


@pytest.fixture(autouse=True)
def _recording_comms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(*a, **k))


def frontend(widget: Any, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
    """Deliver a custom message as if the browser had sent it."""
    widget.comm.handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": buffers or []}
    )


def frontend_set(widget: Any, **state: Any) -> None:
    """A trait change made in the browser (e.g. the user picks a status filter)."""
    widget.comm.handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []})


def drain(widget: Any, timeout: float = 30.0) -> None:
    """Wait for every task the widget has spawned (message handlers, page loads)."""
    deadline = time.monotonic() + timeout
    while widget._tasks and time.monotonic() < deadline:
        concurrent.futures.wait(list(widget._tasks), timeout=max(0.0, deadline - time.monotonic()))
    assert not widget._tasks, "Studio tasks still running after timeout"


def eventually(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def custom_messages(widget: Any) -> list[tuple[dict[str, Any], list[bytes]]]:
    out = []
    for m in widget.comm.sent:
        data = m["data"] or {}
        if data.get("method") == "custom":
            out.append((data["content"], m["buffers"]))
    return out


def everything_sent(widget: Any) -> str:
    """Every byte the widget published, as one string (JSON of messages + latin-1 of buffers)."""
    parts = []
    for m in widget.comm.sent:
        parts.append(json.dumps(m["data"], default=str))
        parts.extend(b.decode("latin-1") for b in m["buffers"])
    return "\n".join(parts)


@pytest.fixture
def local_server(api_server: Any) -> Any:
    """Every Studio test runs against both contracts: the root ``api_server`` (alpha, current)."""
    return api_server


@pytest.fixture
def make_local_server(make_api_server: Callable[..., Any]) -> Callable[..., Any]:
    """Servers with options (latency, fail_rate...) speaking this test's contract."""
    return make_api_server


def async_client(account: Any, **options: Any) -> Any:
    """An async client on ``account`` that speaks its contract from the first request (no probe)."""
    from gizmo_notebook.client import AsyncGizmoClient

    return AsyncGizmoClient(api_key=account.api_key, base_url=account.base_url, api_version=account.api, **options)


@pytest.fixture
def make_studio(local_server: Any) -> Iterator[Callable[..., Any]]:
    """Studios on the real local server (fresh key per test); all closed at teardown."""
    from gizmo_notebook.studio import Studio

    made: list[Any] = []

    def make(client: Any = None, **kwargs: Any) -> Any:
        if client is None:
            client = async_client(local_server)
        kwargs.setdefault("poll_interval", 0.1)
        studio = Studio(client, **kwargs)
        made.append(studio)
        return studio

    yield make
    for studio in made:
        studio.close()
