"""Every documented error status maps to its typed error, whatever the body looks like."""

from __future__ import annotations

import httpx
import pytest

from gizmo_notebook.client import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    GizmoError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)

from .conftest import envelope

STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, InternalServerError),
    (418, APIError),
]


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_status_maps_to_typed_error_with_envelope_fields(api, make_client, status, cls):
    api.add("GET", "/v1/assets/ast_1", envelope(status, code="THE_CODE", message="what went wrong"))
    client = make_client(max_retries=0)
    with pytest.raises(cls) as info:
        client.assets.get("ast_1")
    err = info.value
    assert type(err) is cls
    assert isinstance(err, APIError) and isinstance(err, GizmoError)
    assert (err.status_code, err.error, err.code) == (status, "some_error", "THE_CODE")
    assert "what went wrong" in err.message and "what went wrong" in str(err)
    assert "GET /assets/ast_1" in str(err) and str(status) in str(err)


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_non_json_error_body_still_gives_typed_error(api, make_client, status, cls):
    html = "<html><body><h1>502 Bad Gateway</h1>upstream went away</body></html>"
    api.add("GET", "/v1/assets", httpx.Response(status, text=html, headers={"Content-Type": "text/html"}))
    client = make_client(max_retries=0)
    with pytest.raises(cls) as info:
        client.assets.list()
    assert info.value.status_code == status
    assert info.value.code is None and info.value.error is None
    assert "upstream went away" in str(info.value)


@pytest.mark.parametrize(
    "body",
    [b"", b"[1, 2]", b'{"error": 5, "code": null}', b'"just a string"', b"\xff\xfe garbage"],
)
def test_malformed_error_bodies(api, make_client, body):
    api.add("GET", "/v1/assets/ast_1", httpx.Response(404, content=body))
    client = make_client(max_retries=0)
    with pytest.raises(NotFoundError) as info:
        client.assets.get("ast_1")
    assert info.value.status_code == 404
    assert "404" in str(info.value)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json=["a", "list"]),
        httpx.Response(200, json={"status": "ready"}),  # no id
        httpx.Response(200, json={"id": 42, "status": "ready"}),
    ],
)
def test_malformed_success_body_is_a_validation_error(api, make_client, response):
    api.add("GET", "/v1/assets/ast_1", response)
    with pytest.raises(APIResponseValidationError):
        make_client().assets.get("ast_1")


def test_malformed_list_and_export_bodies(api, make_client):
    api.add("GET", "/v1/assets", httpx.Response(200, json={"assets": "not a list"}))
    api.add("POST", "/v1/assets/ast_1/export", httpx.Response(200, json={"expires_at": "2024-01-01T00:00:00Z"}))
    client = make_client()
    with pytest.raises(APIResponseValidationError, match="assets"):
        client.assets.list()
    with pytest.raises(APIResponseValidationError, match="download_url"):
        client.assets.export("ast_1", "mujoco_mjcf")


def test_connection_error_is_typed(api, make_client):
    api.add("GET", "/v1/assets/ast_1", httpx.ConnectError("connection refused"))
    with pytest.raises(APIConnectionError) as info:
        make_client(max_retries=0).assets.get("ast_1")
    assert not isinstance(info.value, APITimeoutError)
    assert "connection refused" in str(info.value)
    # httpx internals are not chained in (their frames would carry request details)
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("read timed out"), httpx.ConnectTimeout("connect timed out")])
def test_timeouts_are_typed(api, make_client, exc):
    api.add("GET", "/v1/assets/ast_1", exc)
    with pytest.raises(APITimeoutError, match="timed out"):
        make_client(max_retries=0).assets.get("ast_1")


def test_real_refused_connection(tmp_path):
    """A port nobody listens on: a real ConnectError, not a mocked one."""
    import socket

    from gizmo_notebook.client import GizmoClient

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = GizmoClient(api_key="k", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, cache_dir=tmp_path)
    with client, pytest.raises(APIConnectionError, match=f"127.0.0.1:{port}"):
        client.assets.list()


async def test_async_client_raises_the_same_errors(api, make_async_client):
    api.add("GET", "/v1/assets/ast_1", envelope(401, code="INVALID_API_KEY", message="bad key"))
    async with make_async_client(max_retries=3) as client:
        with pytest.raises(AuthenticationError, match="bad key"):
            await client.assets.get("ast_1")
    assert len(api.calls()) == 1
