"""A real server that echoes the API key through every field it controls: no exception may carry it.

The server is a tiny ``http.server`` on 127.0.0.1 (the offline backend never echoes keys, and a
mock transport cannot set an HTTP reason phrase or drop a connection for real). Each route puts
the ``Authorization`` header it received into another place: the reason phrase, an asset's
``failure_reason`` and ``status``, a ``download_url``, an unusable body, a cut-off response; and,
for the current API, the nested error envelope and its ``detail``, every part of a job's event
stream, a failed job's error, an export's error body and a JSON export answer. Log records
(httpx prints reason phrases at INFO, httpcore raw headers at DEBUG) must not carry it either.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import threading
import traceback
import types
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gizmo_notebook.client import (
    APIConnectionError,
    APIResponseValidationError,
    AsyncGizmoClient,
    DownloadError,
    GenerationFailedError,
    GizmoClient,
    InternalServerError,
    NotFoundError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from gizmo_notebook.client._config import _Secret

KEY = "gzm_echo_SECRET_5f1e2d3c4b5a69788796a5b4"


class _Echo(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def _json(self, status: int, body: Any, reason: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status, reason)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self) -> None:
        auth = self.headers.get("Authorization", "")
        echo = f"you sent {auth!s}"
        path = self.path.split("?", 1)[0]
        if path == "/v1/assets/reason":
            self._json(404, {"error": "not_found", "code": "NO", "message": echo}, reason=f"Not Found {auth}")
        elif path == "/v1/assets/failed":
            self._json(200, {"id": "failed", "status": "failed", "failure_reason": echo, "name": echo})
        elif path == "/v1/assets/stuck":
            self._json(200, {"id": "stuck", "status": f"queued behind {auth}"})
        elif path == "/v1/assets/badurl/export":
            self._json(200, {"download_url": f"ftp://files.test/{auth}", "expires_at": None})
        elif path == "/v1/assets/shape":
            self._json(200, {"identifier": echo, auth: [echo]})
        elif path == "/v1/assets/html":
            data = f"<html>{echo}</html>".encode()
            self.send_response(200, f"OK {auth}")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif path == "/v1/assets/nested":
            body = {"error": {"code": auth, "message": echo, "status": 404}, "detail": [{"loc": [auth], "msg": echo}]}
            self._json(404, body, reason=f"Gone {auth}")
        elif path == "/v1/assets/invalid":
            self._json(422, {"detail": [{"loc": ["body", auth], "msg": echo, "type": auth}]}, reason=f"No {auth}")
        elif path == "/v1/jobs/echo/events":
            data = (
                f"id: 1\nevent: stage_start\ndata: {json.dumps({'stage': echo, auth: auth})}\n\n"
                f"id: 2\nevent: {auth}\ndata: {echo}\n\n"
                f"id: 3\nevent: error\ndata: {json.dumps({'message': echo})}\n\n"
                "id: 4\nevent: done\ndata: {}\n\n"
            ).encode()
            self.send_response(200, f"OK {auth}")
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("X-Echo", auth)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif path == "/v1/jobs/echo":
            self._json(200, {"job": {"id": "echo", "status": "failed", "error": echo, "error_code": auth}})
        elif path == "/v1/assets/zipfail/export":
            self._json(500, {"error": {"code": auth, "message": echo, "status": 500}}, reason=f"Broken {auth}")
        elif path == "/v1/assets/zipjson/export":
            self._json(200, {"download_url": f"ftp://files.test/{auth}", "format": auth})
        elif path == "/v1/assets/zipbad/export":
            data = b"PK" + echo.encode()
            self.send_response(200, f"OK {auth}")
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Disposition", f'attachment; filename="{auth}.zip"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif path in ("/v1/assets/zipname/export", "/v1/files/named.xml"):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("model.xml", "<mujoco/>")
            data = buffer.getvalue() if path.endswith("/export") else b"<mujoco/>"
            self.send_response(200)
            self.send_header("Content-Type", "application/zip" if path.endswith("/export") else "application/xml")
            suffix = "zip" if path.endswith("/export") else "xml"
            self.send_header("Content-Disposition", f'attachment; filename="model {auth}.{suffix}"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif path == "/v1/assets/fileurl/export":  # a download URL on this host, which saw the key
            host, port = self.server.server_address[:2]
            self._json(200, {"download_url": f"http://{host}:{port}/v1/files/named.xml", "expires_at": None})
        elif path == "/v1/assets/cut":
            self.send_response(200, f"OK {auth}")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(echo.encode())
            self.close_connection = True
        else:
            self._json(500, {"error": "internal", "code": "BOOM", "message": echo}, reason=f"Boom {auth}")

    do_GET = do_POST = _route


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _reachable_text(root: BaseException) -> Iterator[str]:
    """Every str/bytes reachable from the exception — its attributes, chain, models, httpx objects.

    Traceback frames are not followed (their locals include the client, which legitimately holds
    the key in its masked wrapper); ``test_secrets.py`` checks the frames' *rendered* locals.
    """
    skip = (types.FrameType, types.TracebackType, types.ModuleType, type, types.FunctionType, _Secret)
    seen: set[int] = set()
    todo: list[Any] = [root]
    while todo and len(seen) < 50_000:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        if isinstance(obj, (str, bytes)):
            yield obj if isinstance(obj, str) else obj.decode("latin-1")
            continue
        todo.extend(gc.get_referents(obj))
        if isinstance(obj, BaseException):
            todo.extend(x for x in (obj.__cause__, obj.__context__) if x is not None)


def _assert_clean(exc: BaseException) -> None:
    rendered = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    assert KEY not in rendered + repr(exc) + str(exc)
    leaks = [text for text in _reachable_text(exc) if KEY in text]
    assert not leaks, leaks[:3]


CASES = [
    ("reason phrase and message", lambda c: c.assets.get("reason"), NotFoundError),
    ("failure_reason", lambda c: c.assets.wait("failed", timeout=5, progress=False), GenerationFailedError),
    ("wait timeout status text", lambda c: c.assets.wait("stuck", timeout=0.3, progress=False), WaitTimeoutError),
    ("bad download_url", lambda c: c.assets.download("badurl", "mujoco_mjcf"), DownloadError),
    ("validation error body", lambda c: c.assets.get("shape"), APIResponseValidationError),
    ("non-JSON body", lambda c: c.assets.get("html"), APIResponseValidationError),
    ("cut-off response", lambda c: c.assets.get("cut"), APIConnectionError),
    ("5xx reason after retries", lambda c: c.assets.create("arm"), Exception),
]


CURRENT_CASES = [
    ("nested envelope", lambda c: c.assets.get("nested"), NotFoundError),
    ("validation detail", lambda c: c.assets.get("invalid"), UnprocessableEntityError),
    ("job error and event stream", lambda c: c.jobs.wait("echo", timeout=5, progress=True), GenerationFailedError),
    ("ZIP export error body", lambda c: c.assets.download("zipfail", "mujoco_mjcf"), InternalServerError),
    ("JSON export answer", lambda c: c.assets.download("zipjson", "mujoco_mjcf"), DownloadError),
    ("damaged ZIP export", lambda c: c.assets.download("zipbad", "mujoco_mjcf"), DownloadError),
]


@pytest.mark.parametrize(("what", "call", "error"), CASES, ids=[c[0] for c in CASES])
def test_no_exception_carries_an_echoed_key(echo_url: str, tmp_path, what: str, call, error, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        GizmoClient(api_key=KEY, base_url=echo_url, max_retries=1, cache_dir=tmp_path, _sleep=lambda s: None) as client,
        pytest.raises(error) as info,
    ):
        call(client)
    _assert_clean(info.value)
    assert caplog.records and KEY not in caplog.text


@pytest.mark.parametrize(("what", "call", "error"), CURRENT_CASES, ids=[c[0] for c in CURRENT_CASES])
def test_no_current_api_exception_or_log_line_carries_an_echoed_key(
    echo_url: str, tmp_path, what: str, call, error, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        GizmoClient(api_key=KEY, base_url=echo_url, max_retries=1, cache_dir=tmp_path, api_version="current",
                    _sleep=lambda s: None) as client,
        pytest.raises(error) as info,
    ):
        call(client)
    _assert_clean(info.value)
    assert caplog.records and KEY not in caplog.text
    assert not [p for p in tmp_path.rglob("*") if KEY in p.name]


@pytest.mark.parametrize(("api", "asset_id"), [("current", "zipname"), ("alpha", "fileurl")])
def test_downloaded_file_names_never_hold_an_echoed_key(echo_url: str, tmp_path, api: str, asset_id: str) -> None:
    """The file name comes from the answer's Content-Disposition, and paths are shown and returned."""
    with GizmoClient(api_key=KEY, base_url=echo_url, max_retries=0, cache_dir=tmp_path / "cache", api_version=api) as c:
        path = c.assets.download(asset_id, "mujoco_mjcf", dest=tmp_path / "out")
    assert path.exists() and KEY not in str(path)
    assert not [p for p in tmp_path.rglob("*") if KEY in p.name]


def test_job_events_never_hold_an_echoed_key(echo_url: str, tmp_path) -> None:
    with GizmoClient(api_key=KEY, base_url=echo_url, max_retries=0, cache_dir=tmp_path, api_version="current") as client:
        events = list(client.jobs.events("echo"))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert KEY not in repr(events)
    assert events[0].data == {"stage": "you sent Bearer ****", "Bearer ****": "Bearer ****"}


async def test_async_client_redacts_the_same_way(echo_url: str, tmp_path) -> None:
    async with AsyncGizmoClient(api_key=KEY, base_url=echo_url, max_retries=0, cache_dir=tmp_path) as client:
        for call, error in ((client.assets.get("reason"), NotFoundError), (client.assets.get("cut"), APIConnectionError)):
            with pytest.raises(error) as info:
                await call
            _assert_clean(info.value)


async def test_async_client_redacts_current_api_answers_the_same_way(echo_url: str, tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with AsyncGizmoClient(api_key=KEY, base_url=echo_url, max_retries=0, cache_dir=tmp_path,
                                api_version="current") as client:
        for call, error in (
            (client.assets.get("nested"), NotFoundError),
            (client.jobs.wait("echo", timeout=5, progress=False), GenerationFailedError),
            (client.assets.download("zipfail", "mujoco_mjcf"), InternalServerError),
        ):
            with pytest.raises(error) as info:
                await call
            _assert_clean(info.value)
        events = [event async for event in client.jobs.events("echo")]
    assert len(events) == 4 and KEY not in repr(events)
    assert KEY not in caplog.text


def test_a_successful_model_never_holds_the_key(echo_url: str, tmp_path) -> None:
    with GizmoClient(api_key=KEY, base_url=echo_url, max_retries=0, cache_dir=tmp_path) as client:
        export = client.assets.export("badurl", "mujoco_mjcf")
    assert KEY not in export.download_url and KEY not in repr(export.raw)
