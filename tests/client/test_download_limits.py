"""A download host that trickles: the transfer is stopped, with DownloadError, and nothing is cached.

A real HTTP server on 127.0.0.1 sends the body a few bytes at a time: each chunk arrives well within
httpx's read timeout, so only an overall limit can end the transfer.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gizmo_notebook.client import DownloadError, GizmoClient, NotFoundError, _download
from gizmo_notebook.errors import GizmoError


class _Trickle(BaseHTTPRequestHandler):
    chunk = 1  # bytes per write
    pause = 0.05  # seconds between writes
    size = 1_000_000

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # the export: a URL on this same server
        host, port = self.server.server_address[:2]
        data = json.dumps({"download_url": f"http://{host}:{port}/files/arm.xml"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(self.size))
        self.end_headers()
        try:
            for _ in range(self.size // self.chunk):
                self.wfile.write(b"x" * self.chunk)
                self.wfile.flush()
                time.sleep(self.pause)
        except OSError:  # the client gave up: expected
            pass


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on a loopback port for the duration: the API base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def trickle() -> Iterator[tuple[str, type[_Trickle]]]:
    handler = type("Handler", (_Trickle,), {})
    with _serving(handler) as url:
        yield url, handler


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_transfer_under_the_rate_floor_is_stopped(trickle, tmp_path, monkeypatch) -> None:
    url, _ = trickle  # ~20 bytes/s against a 1 KiB/s floor, measured over 0.5 s instead of 10 s
    monkeypatch.setattr(_download, "MIN_RATE_WINDOW_S", 0.5)
    started = time.monotonic()
    with GizmoClient(api_key="k", base_url=url, api_version="alpha", cache_dir=tmp_path / "cache") as client, pytest.raises(
        DownloadError, match="bytes/s floor"
    ):
        client.assets.download("ast_1", "mujoco_mjcf", dest=tmp_path / "out")
    assert time.monotonic() - started < 5
    assert _files(tmp_path / "cache") == [] and _files(tmp_path / "out") == []


def test_a_transfer_over_download_timeout_is_stopped(trickle, tmp_path) -> None:
    url, handler = trickle  # fast enough for the floor (~20 KiB/s), far too long for a 1 s limit
    handler.chunk, handler.pause = 1024, 0.05
    started = time.monotonic()
    with GizmoClient(api_key="k", base_url=url, api_version="alpha", cache_dir=tmp_path / "cache", download_timeout=1) as client, \
            pytest.raises(DownloadError, match="download_timeout=1 s"):
        client.assets.download("ast_1", "mujoco_mjcf")
    assert time.monotonic() - started < 5
    assert _files(tmp_path / "cache") == []


def test_download_timeout_is_checked(tmp_path) -> None:
    for bad in (0, -1, float("inf"), float("nan"), 10**401, "10", True):
        with pytest.raises(ValueError, match="download_timeout"):
            GizmoClient(api_key="k", base_url="http://127.0.0.1:9/v1", download_timeout=bad)


def test_a_steady_transfer_is_not_stopped(trickle, tmp_path, monkeypatch) -> None:
    url, handler = trickle  # above the floor the whole way: ~20 KiB/s for ~0.5 s, window 0.2 s
    handler.chunk, handler.pause, handler.size = 1024, 0.05, 10 * 1024
    monkeypatch.setattr(_download, "MIN_RATE_WINDOW_S", 0.2)
    with GizmoClient(api_key="k", base_url=url, api_version="alpha", cache_dir=tmp_path / "cache") as client:
        path = client.assets.download("ast_1", "mujoco_mjcf")
    assert path.stat().st_size == 10 * 1024


# ----------------------------------------------------------------- current API: the export answer is the file


class _TrickleExport(BaseHTTPRequestHandler):
    """``POST .../export`` of the current API answered a byte at a time: as a ZIP, a JSON answer or an error."""

    kind = "zip"
    pause = 0.05

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        status, content_type, body = {
            "zip": (200, "application/zip", b"PK" + b"x" * 100_000),
            "json": (200, "application/json", json.dumps({"download_url": "http://x/" + "a" * 100_000}).encode()),
            "error": (500, "application/json", json.dumps({"error": {"message": "b" * 100_000}}).encode()),
        }[self.kind]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(self.pause)
        except OSError:  # the client gave up: expected
            pass


@pytest.mark.parametrize("kind", ["zip", "json", "error"])
def test_a_trickled_zip_export_answer_is_stopped(tmp_path, monkeypatch, kind: str) -> None:
    monkeypatch.setattr(_download, "MIN_RATE_WINDOW_S", 0.5)
    handler = type("Handler", (_TrickleExport,), {"kind": kind})
    started = time.monotonic()
    with _serving(handler) as url, GizmoClient(api_key="k", base_url=url, api_version="current", cache_dir=tmp_path / "cache",
                     max_retries=0) as client, pytest.raises(DownloadError, match="bytes/s floor"):
        client.assets.download("ast_1", "mujoco_mjcf", dest=tmp_path / "out")
    assert time.monotonic() - started < 5
    assert _files(tmp_path / "cache") == [] and _files(tmp_path / "out") == []


class _MislabelledError(BaseHTTPRequestHandler):
    """``POST .../export`` answered 500 with a plain JSON error its headers call gzip (a misconfigured proxy)."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.dumps({"error": {"code": "internal", "message": "exporter crashed", "status": 500}}).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_an_export_error_body_that_does_not_fit_its_content_encoding_is_the_status_error(tmp_path) -> None:
    """Was an httpx.DecodingError out of the call (the raw error body decoded as gzip), not the typed 500."""
    with _serving(_MislabelledError) as url, GizmoClient(api_key="k", base_url=url, api_version="current", cache_dir=tmp_path / "cache",
                     max_retries=0) as client, pytest.raises(GizmoError, match="exporter crashed") as raised:
        client.assets.download("ast_1", "mujoco_mjcf", dest=tmp_path / "out")
    assert getattr(raised.value, "status_code", None) == 500
    assert _files(tmp_path / "cache") == [] and _files(tmp_path / "out") == []


class _SlowToAnswer(BaseHTTPRequestHandler):
    """``POST .../export`` answered after a pause (the server builds the export first), in one piece: a 404."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        time.sleep(1.2)
        body = json.dumps({"error": {"code": "not_found", "message": "no asset ast_1", "status": 404}}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_small_export_answer_after_a_slow_start_is_not_under_the_rate_floor(tmp_path, monkeypatch) -> None:
    """The rate floor measures the transfer, from the answer's headers: the time a server takes to
    answer is the request timeout's. A small error body sent at once after a pause longer than the
    window was a DownloadError 'under the bytes/s floor' instead of the server's 404."""
    monkeypatch.setattr(_download, "MIN_RATE_WINDOW_S", 0.5)
    with _serving(_SlowToAnswer) as url, GizmoClient(api_key="gzm_test_key", base_url=url, api_version="current", cache_dir=tmp_path / "cache",
                     max_retries=0) as client, pytest.raises(NotFoundError, match="no asset"):
        client.assets.download("ast_1", "mujoco_mjcf", dest=tmp_path / "out")
