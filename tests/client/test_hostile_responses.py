"""A real server answering with what valid JSON, SSE and HTTP allow but no sane server sends.

Deep nesting, integers too large for a float, ``inf`` in rate-limit headers, event ids of
thousands of digits or superscript digits: the client must answer with its own typed errors
(or read past the junk), never a bare ``RecursionError``, ``OverflowError`` or ``ValueError``.
Both API contracts, sync client (the async one shares every parsing function).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gizmo_notebook.client import APIResponseValidationError, GizmoClient, NotFoundError
from gizmo_notebook.client._json import ascii_int, loads_untrusted

BIG = "1" + "0" * 400
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_IN_OBJECT = '{"id": "a", "status": "ready", "x": ' + "[" * 900 + "]" * 900 + "}"

_JSON: dict[str, tuple[int, str, list[tuple[str, str]]]] = {
    "deep": (200, DEEP, []),
    "deep-error": (404, DEEP, []),
    "deep-in-object": (200, DEEP_IN_OBJECT, []),
    "huge-times": (200, f'{{"id": "a", "status": "ready", "created_at": {BIG}, "updated_at": -{BIG}, '
                        f'"progress": {BIG}, "placements": [{{"asset_id": "b", "position": [{BIG}, 0, 0]}}]}}', []),
    "inf-headers": (200, '{"id": "a", "status": "ready"}',
                    [("X-RateLimit-Limit", "inf"), ("X-RateLimit-Remaining", "1e400"), ("X-RateLimit-Reset", BIG)]),
    "far-reset": (200, '{"id": "a", "status": "ready"}', [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1e300")]),
    "year-33658": (200, '{"id": "a", "status": "ready"}', [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1e12")]),
}
_EVENTS = {
    "long-id": "id: " + "9" * 5000 + "\nevent: stage_start\ndata: {}\n\n",
    "superscript-id": "id: \u00b2\nevent: stage_start\ndata: {}\n\n",
    "deep-data": "id: 1\nevent: stage_start\ndata: " + DEEP + "\n\n",
    "huge-seq": 'id: 1\nevent: stage_start\ndata: {"seq": ' + BIG + ', "step": ' + BIG + "}\n\n",
}


class _Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, text: str, content_type: str, headers: list[tuple[str, str]]) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")  # v1, kind, id[, events]
        if parts[1] == "jobs" and parts[-1] == "events":
            self._send(200, _EVENTS[parts[2]] + "id: 2\nevent: done\ndata: {}\n\n", "text/event-stream", [])
        elif parts[1] == "jobs":
            job = f'{{"id": "{parts[2]}", "status": "succeeded", "created_at": {BIG}, "result": {{"asset_id": "a"}}}}'
            self._send(200, job, "application/json", [])
        elif parts[1] in ("assets", "scenes") and len(parts) == 2:
            page = f'{{"{parts[1]}": [{{"id": "a", "status": "ready", "created_at": {BIG}}}], "total": {BIG}}}'
            self._send(200, page, "application/json", [])
        else:
            status, text, headers = _JSON[parts[2]]
            self._send(status, text, "application/json", headers)


@pytest.fixture(scope="module")
def hostile_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["alpha", "current"])
def client(request, hostile_url: str, tmp_path) -> Iterator[GizmoClient]:
    with GizmoClient(api_key="gzm_hostile_test_key", base_url=hostile_url, api_version=request.param,
                     max_retries=0, cache_dir=tmp_path) as c:
        yield c


@pytest.mark.parametrize("name", ["deep", "deep-in-object"])
def test_deeply_nested_answers_are_a_typed_error(client: GizmoClient, name: str) -> None:
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        client.assets.get(name)


def test_a_deeply_nested_error_body_still_gives_the_status_error(client: GizmoClient) -> None:
    with pytest.raises(NotFoundError) as info:
        client.assets.get("deep-error")
    assert len(str(info.value)) < 1000


def test_integers_too_large_for_a_float_read_as_unusable_numbers(client: GizmoClient) -> None:
    asset = client.assets.get("huge-times")
    assert asset.id == "a" and asset.created_at is None and asset.progress is None
    page = client.assets.list()
    assert [a.id for a in page.assets] == ["a"] and page.assets[0].created_at is None


@pytest.mark.parametrize("name", ["inf-headers", "far-reset", "year-33658"])
def test_absurd_rate_limit_headers_are_ignored(client: GizmoClient, name: str) -> None:
    assert client.assets.get(name).id == "a"
    assert client.assets.get("inf-headers").id == "a"  # the second request reads the remembered limit


@pytest.mark.parametrize("stream", sorted(_EVENTS))
def test_junk_event_ids_and_data_never_break_the_stream(hostile_url: str, tmp_path, stream: str) -> None:
    with GizmoClient(api_key="gzm_hostile_test_key", base_url=hostile_url, api_version="current",
                     max_retries=0, cache_dir=tmp_path) as client:
        events = list(client.jobs.events(stream))
        job = client.jobs.wait(stream, timeout=10, progress=False)
    assert [e.type for e in events] == ["stage_start", "done"]
    assert events[-1].seq == 2 and job.status.value == "succeeded" and job.created_at is None


def test_loads_untrusted_only_ever_raises_value_error() -> None:
    for text in (DEEP, "{" * 5000, "[" * 65 + "]" * 65, '{"a": ' * 70 + "1" + "}" * 70):
        with pytest.raises(ValueError):
            loads_untrusted(text)
    assert loads_untrusted("[" * 64 + "]" * 64) is not None
    assert loads_untrusted(BIG) == float("inf") and loads_untrusted("-" + BIG) == float("-inf")
    assert loads_untrusted("1" * 5000) == float("inf")  # int() would refuse over 4300 digits
    assert loads_untrusted("1" + "0" * 300) == 10**300  # still exact while a float could hold it


@pytest.mark.parametrize(("text", "value"), [("42", 42), (" -3 ", -3), ("\u00b2", None), ("9" * 19, None),
                                             ("", None), ("-", None), ("4x", None), ("\u0664\u0662", None)])
def test_ascii_int(text: str, value: int | None) -> None:
    assert ascii_int(text) == value
