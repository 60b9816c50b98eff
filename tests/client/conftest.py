"""Fakes for the client unit tests: a scripted API behind ``httpx.MockTransport`` and fake time.

Mock transports are used only for what the real local server cannot be made to do (a 502 from a
proxy, a cut-off transfer, a lying Content-Length...). Happy paths run against the real server
in ``test_integration.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from gizmo_notebook.client import AsyncGizmoClient, GizmoClient

BASE = "https://api.example.test/v1"
KEY = "sk-test-SECRET-0123456789abcdef"

Handler = Callable[[httpx.Request], httpx.Response]


def asset_json(asset_id: str = "ast_1", status: str = "ready", **extra: Any) -> dict[str, Any]:
    body = {
        "id": asset_id,
        "status": status,
        "name": "Arm",
        "prompt": "A 6-DOF arm",
        "created_at": "2024-11-12T09:41:00Z",
    }
    if status == "ready":
        body["formats_available"] = ["isaac_sim_usd", "isaac_sim_urdf", "mujoco_mjcf"]
    body.update(extra)
    return body


def envelope(status: int, code: str = "SOME_CODE", message: str = "something went wrong", **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": "some_error", "code": code, "message": message}, headers=headers
    )


@dataclass
class FakeAPI:
    """Routes ``(method, path)`` to queued responses (the last one repeats) and records every request."""

    routes: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def add(self, method: str, path: str, *responses: httpx.Response | Handler | Exception) -> FakeAPI:
        self.routes.setdefault((method, path), []).extend(responses)
        return self

    def calls(self, method: str | None = None, path: str | None = None) -> list[httpx.Request]:
        return [
            r for r in self.requests
            if (method is None or r.method == method) and (path is None or r.url.path == path)
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # a snapshot of what went on the wire: the client masks the key in sent requests afterwards
        self.requests.append(
            httpx.Request(request.method, request.url, headers=request.headers.copy(), content=request.read())
        )
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(404, json={"error": "not_found", "code": "NO_ROUTE", "message": request.url.path})
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            # A fresh, unread copy each time: a response can be consumed only once, and an unread
            # stream exercises the same streaming path as a real socket.
            return httpx.Response(item.status_code, headers=item.headers, stream=httpx.ByteStream(item.content))
        return item(request)

    def body(self, request: httpx.Request) -> Any:
        return json.loads(request.content)


@dataclass
class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def api() -> FakeAPI:
    return FakeAPI()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(api: FakeAPI, fake_time: FakeTime, tmp_path: Any) -> Callable[..., GizmoClient]:
    made: list[GizmoClient] = []

    def make(**options: Any) -> GizmoClient:
        options.setdefault("api_key", KEY)
        options.setdefault("base_url", BASE)
        options.setdefault("cache_dir", tmp_path / "cache")
        # These fakes script the alpha contract; auto-detection has its own tests (test_current_*).
        options.setdefault("api_version", "alpha")
        client = GizmoClient(
            transport=httpx.MockTransport(api), _sleep=fake_time.sleep, _clock=fake_time.clock, **options
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def make_async_client(api: FakeAPI, fake_time: FakeTime, tmp_path: Any) -> Callable[..., AsyncGizmoClient]:
    def make(**options: Any) -> AsyncGizmoClient:
        options.setdefault("api_key", KEY)
        options.setdefault("base_url", BASE)
        options.setdefault("cache_dir", tmp_path / "cache")
        options.setdefault("api_version", "alpha")
        return AsyncGizmoClient(
            transport=httpx.MockTransport(api), _sleep=fake_time.asleep, _clock=fake_time.clock, **options
        )

    return make
