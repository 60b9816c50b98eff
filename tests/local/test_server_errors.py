"""Every documented error of the local server: status, envelope, code — and no input gives a 500."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import httpx
import pytest

ARM = "A 6-DOF industrial robotic arm with a parallel jaw gripper"


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "code", "message"}, body
    assert body["code"] == code, body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and len(body["message"]) > 10
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize(
    ("payload", "code", "hint"),
    [
        ({}, "MISSING_REQUIRED_FIELD", "prompt"),
        ({"prompt": None}, "MISSING_REQUIRED_FIELD", "prompt"),
        ({"prompt": ""}, "BLANK_FIELD", "prompt"),
        ({"prompt": " \n\t "}, "BLANK_FIELD", "prompt"),
        ({"prompt": 42}, "INVALID_FIELD_TYPE", "string"),
        ({"prompt": ["an arm"]}, "INVALID_FIELD_TYPE", "string"),
        ({"prompt": "x" * 2001}, "FIELD_TOO_LONG", "2000"),
        ({"prompt": ARM, "name": "   "}, "BLANK_FIELD", "name"),
        ({"prompt": ARM, "name": 3}, "INVALID_FIELD_TYPE", "name"),
        ({"prompt": ARM, "name": "n" * 201}, "FIELD_TOO_LONG", "200"),
        ({"prompt": ARM, "tags": "arm"}, "INVALID_TAGS", "array"),
        ({"prompt": ARM, "tags": {"a": 1}}, "INVALID_TAGS", "array"),
        ({"prompt": ARM, "tags": ["ok", 5]}, "INVALID_TAGS", "tags[1]"),
        ({"prompt": ARM, "tags": ["ok", None]}, "INVALID_TAGS", "tags[1]"),
        ({"prompt": ARM, "tags": [""]}, "INVALID_TAGS", "blank"),
        ({"prompt": ARM, "tags": ["t" * 65]}, "INVALID_TAGS", "64"),
        ({"prompt": ARM, "tags": [f"t{i}" for i in range(21)]}, "INVALID_TAGS", "20"),
    ],
)
def test_create_validation(local_server, payload: dict[str, Any], code: str, hint: str) -> None:
    with local_server.client() as client:
        response = client.post("assets", json=payload)
        listing = client.get("assets").json()
    body = assert_envelope(response, 400, code)
    assert body["error"] == "validation_error"
    assert hint in body["message"]
    assert listing["total"] == 0  # nothing half-created


def test_prompt_at_the_limit_is_accepted(local_server) -> None:
    with local_server.client() as client:
        response = client.post("assets", json={"prompt": "arm " * 500, "tags": ["t" * 64] * 20})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("content", "headers", "code"),
    [
        (b'{"prompt": ', {"content-type": "application/json"}, "INVALID_JSON"),
        (b"", {"content-type": "application/json"}, "INVALID_JSON"),
        (b"[1, 2]", {"content-type": "application/json"}, "INVALID_JSON"),
        (b'"just a string"', {"content-type": "application/json"}, "INVALID_JSON"),
        (b'{"prompt": NaN}', {"content-type": "application/json"}, "INVALID_JSON"),
        (b"\xff\xfe\x00garbage", {"content-type": "application/json"}, "INVALID_JSON"),
        (b"[" * 100_000, {"content-type": "application/json"}, "INVALID_JSON"),
        (b"prompt=arm", {"content-type": "application/x-www-form-urlencoded"}, "UNSUPPORTED_CONTENT_TYPE"),
        (b'{"prompt": "arm"}', {"content-type": "text/plain"}, "UNSUPPORTED_CONTENT_TYPE"),
        (b'{"prompt": "' + b"a" * 300_000 + b'"}', {"content-type": "application/json"}, "BODY_TOO_LARGE"),
    ],
)
def test_bad_bodies(local_server, content: bytes, headers: dict[str, str], code: str) -> None:
    with local_server.client() as client:
        response = client.post("assets", content=content, headers=headers)
    assert_envelope(response, 400, code)


def test_json_content_type_is_parsed_tolerantly(local_server) -> None:
    with local_server.client() as client:
        charset = client.post("assets", content=json.dumps({"prompt": ARM}).encode(),
                              headers={"content-type": "Application/JSON; charset=UTF-8"})
        missing = client.post("assets", content=json.dumps({"prompt": ARM, "extra": {"ignored": 1}}).encode())
        trailing_slash = client.post("assets/", json={"prompt": ARM})
    assert [r.status_code for r in (charset, missing, trailing_slash)] == [201, 201, 201]


@pytest.mark.parametrize(
    ("query", "code_hint"),
    [
        ("limit=0", "between 1 and 100"),
        ("limit=101", "between 1 and 100"),
        ("limit=-1", "non-negative integer"),
        ("limit=abc", "non-negative integer"),
        ("limit=1.5", "non-negative integer"),
        ("limit=99999999999999999999999", "non-negative integer"),
        ("offset=-3", "non-negative integer"),
        ("offset=ten", "non-negative integer"),
        ("offset=%00", "non-negative integer"),
        ("offset=1e3", "non-negative integer"),
    ],
)
def test_bad_pagination(local_server, query: str, code_hint: str) -> None:
    with local_server.client() as client:
        response = client.get(f"assets?{query}")
    body = assert_envelope(response, 400, "INVALID_QUERY_PARAMETER")
    assert code_hint in body["message"]


def test_pagination_bounds_are_accepted(local_server) -> None:
    with local_server.client() as client:
        assert client.get("assets?limit=1").json()["limit"] == 1
        assert client.get("assets?limit=100&offset=999999999999999999").json()["assets"] == []


@pytest.mark.parametrize("fmt", [None, "", "obj", "MUJOCO_MJCF", 3, ["mujoco_mjcf"]])
def test_invalid_export_format_lists_the_valid_ones(local_server, fmt: Any) -> None:
    with local_server.client() as client:
        asset = client.post("assets", json={"prompt": ARM}).json()
        response = client.post(f"assets/{asset['id']}/export", json={} if fmt is None else {"format": fmt})
    body = assert_envelope(response, 400, "MISSING_REQUIRED_FIELD" if fmt is None else "INVALID_FORMAT")
    for valid in ("isaac_sim_usd", "isaac_sim_urdf", "mujoco_mjcf"):
        assert valid in body["message"]


def test_export_of_unknown_asset_is_404(local_server) -> None:
    with local_server.client() as client:
        response = client.post("assets/ast_zzzzzzzzzzzzzz/export", json={"format": "mujoco_mjcf"})
    assert_envelope(response, 404, "ASSET_NOT_FOUND")


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "MISSING_API_KEY"),
        ({"Authorization": ""}, "MISSING_API_KEY"),
        ({"Authorization": "Bearer"}, "INVALID_AUTHORIZATION_HEADER"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "INVALID_AUTHORIZATION_HEADER"),
        ({"Authorization": "Bearer wrong-key"}, "INVALID_API_KEY"),
        ({"Authorization": "Bearer gzm_local_" + "A" * 32}, "INVALID_API_KEY"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "assets"), ("POST", "assets"), ("GET", "scenes"),
                                              ("GET", "assets/ast_0000000000000a")])
def test_auth_errors_are_401(local_server, headers: dict[str, str], code: str, method: str, path: str) -> None:
    with httpx.Client(base_url=local_server.base_url + "/") as client:
        response = client.request(method, path, headers=headers, json={"prompt": ARM})
    body = assert_envelope(response, 401, code)
    assert body["error"] == "authentication_error"
    assert response.headers["www-authenticate"] == "Bearer"


def test_bearer_scheme_is_case_insensitive(local_server) -> None:
    with httpx.Client(base_url=local_server.base_url + "/") as client:
        response = client.get("assets", headers={"Authorization": f"bearer   {local_server.api_key}"})
    assert response.status_code == 200


def test_unknown_route_and_wrong_method(local_server) -> None:
    with local_server.client() as client:
        unknown = client.get("widgets")
        root = client.get(local_server.server.url + "/")
        not_v1 = client.get(local_server.server.url + "/v2/assets")
        delete = client.delete("assets")
        put = client.put("assets/ast_0000000000000a", json={})
        get_export = client.get("assets/ast_0000000000000a/export")
    for response in (unknown, root, not_v1):
        assert_envelope(response, 404, "ROUTE_NOT_FOUND")
    for response, allowed in ((delete, {"GET", "POST"}), (put, {"GET"}), (get_export, {"POST"})):
        assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
        assert allowed <= {m.strip() for m in response.headers["allow"].split(",")}


def test_no_input_produces_a_500(local_server) -> None:
    """Throw a few hundred junk requests at every route: each answer is a documented status + envelope."""
    rng = random.Random(1234)
    with local_server.client() as client:
        asset = client.post("assets", json={"prompt": ARM}).json()
        scene_paths = ["scenes", "scenes/scn_0000000000000a", "scenes/scn_0000000000000a/export"]
        paths = ["assets", f"assets/{asset['id']}", f"assets/{asset['id']}/export", "assets/%00",
                 "assets/" + "a" * 3000, "exports/x/y/z", f"exports/{asset['id']}/mujoco_mjcf/a.xml?token=1.x",
                 "assets?limit=%ff", "assets?limit=" + "9" * 400, "assets?offset=-0", *scene_paths,
                 "assets/%F0%9F%A4%96", "assets/../../../etc/passwd", "%2e%2e/%2e%2e"]
        junk_values: list[Any] = [None, True, 0, -1, 1e308, "", " ", "\u0000", "🤖" * 50, [], {}, [None],
                                  {"$ne": 1}, "x" * 5000, [[[[[]]]]], ["a"] * 200, -(10**30)]
        fields = ["prompt", "name", "tags", "format", "placements", "limit", "asset_id", "__proto__"]
        statuses = set()
        for i in range(300):
            method = rng.choice(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
            path = rng.choice(paths)
            kind = rng.random()
            headers = {}
            if kind < 0.3:
                body: bytes = json.dumps({rng.choice(fields): rng.choice(junk_values) for _ in range(rng.randint(0, 4))}).encode()
                headers["content-type"] = "application/json"
            elif kind < 0.5:
                body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
                headers["content-type"] = rng.choice(["application/json", "text/html", "application/x-json", "",
                                                      "multipart/form-data; boundary=x"])
            elif kind < 0.6:
                body = b""
                headers["content-type"] = "application/json"
                headers["content-length"] = "0"
            else:
                body = json.dumps(rng.choice(junk_values)).encode()
            if i % 7 == 0:
                headers["authorization"] = rng.choice(["Bearer", "Token x", "Bearer " + "k" * 2000])
            response = client.request(method, path, content=body, headers=headers)
            statuses.add(response.status_code)
            assert response.status_code in {200, 201, 400, 401, 403, 404, 405}, (method, path, response.text)
            if response.status_code >= 400 and method != "HEAD":
                assert set(response.json()) == {"error", "code", "message"}, response.text
    assert {400, 404, 405} <= statuses


def test_concurrent_mixed_traffic_stays_consistent(local_server) -> None:
    import concurrent.futures

    def one(i: int) -> int:
        with local_server.client() as client:
            if i % 3 == 0:
                return client.post("assets", json={"prompt": f"A quadruped robot {i}"}).status_code
            if i % 3 == 1:
                return client.get("assets", params={"limit": 5}).status_code
            return client.post("assets", content=b"{", headers={"content-type": "application/json"}).status_code

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(one, range(90)))
    assert codes.count(201) == 30 and codes.count(200) == 30 and codes.count(400) == 30
    assert time.monotonic() - started < 30
    with local_server.client() as client:
        assert client.get("assets").json()["total"] == 30


def test_an_exporter_crash_is_a_500_envelope_and_leaves_nothing_cached(make_local_server, monkeypatch) -> None:
    """Fault injection (a real exporter does not crash on generator output): the failure is reported, not cached."""
    import gizmo_notebook.local.exporters as exporters

    account = make_local_server()
    with account.client() as client:
        asset = client.post("assets", json={"prompt": ARM}).json()
        while client.get(f"assets/{asset['id']}").json()["status"] != "ready":
            time.sleep(0.01)
        real = exporters.export_model

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(exporters, "export_model", broken)
        failed = client.post(f"assets/{asset['id']}/export", json={"format": "mujoco_mjcf"})
        monkeypatch.setattr(exporters, "export_model", real)
        recovered = client.post(f"assets/{asset['id']}/export", json={"format": "mujoco_mjcf"})
    body = assert_envelope(failed, 500, "EXPORT_FAILED")
    assert "disk on fire" in body["message"] and body["error"] == "internal_error"
    assert recovered.status_code == 200
    assert httpx.get(recovered.json()["download_url"]).status_code == 200


def test_a_bug_in_a_handler_is_a_500_envelope_without_traceback(make_local_server, monkeypatch) -> None:
    account = make_local_server()
    store = account.server._app.state.gizmo.store

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("secret internal detail")

    monkeypatch.setattr(store, "list_assets", explode)
    with account.client() as client:
        response = client.get("assets")
        still_up = client.post("assets", json={"prompt": ARM})
    body = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret internal detail" not in response.text and "ZeroDivisionError" not in response.text
    assert body["error"] == "internal_error"
    assert still_up.status_code == 201
