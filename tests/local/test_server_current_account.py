"""Current contract, account side: nested errors, rate-limit headers, credits (402), whoami,
usage, openapi.json, the CLI and the embedded server — and the alpha server left as it was."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from _current_api import generate_asset, read_events, wait_job


def _rate_headers(response: httpx.Response) -> tuple[int, int, int]:
    return tuple(int(response.headers[f"X-RateLimit-{k}"]) for k in ("Limit", "Remaining", "Reset"))  # type: ignore[return-value]


def test_rate_limit_headers_on_every_kind_of_response(current_server) -> None:
    client = current_server.client()
    asset_id, job = generate_asset(client, "table")
    anonymous = current_server.client(api_key="")
    responses = [
        client.post("assets", json={"prompt": "shelf"}),  # 202
        client.get("assets"),  # 200
        client.get("assets/ast_missing"),  # 404
        client.post("assets", json={"prompt": ""}),  # 422
        client.delete("jobs/x"),  # 405
        anonymous.get("assets"),  # 401
        client.post(f"assets/{asset_id}/export", json={"format": "sdf"}),  # zip
        anonymous.get("openapi.json"),
    ]
    with client.stream("GET", f"jobs/{job['id']}/events") as stream:  # SSE
        responses.append(stream)
    now = time.time()
    for response in responses:
        limit, remaining, reset = _rate_headers(response)
        assert limit == 6000 and 0 <= remaining < limit
        assert now - 1 <= reset <= now + 61, "Reset is the epoch second the window ends"
    mine = [r for r in responses if r.request.headers.get("authorization", "").endswith(current_server.api_key)]
    remaining = [_rate_headers(r)[1] for r in mine]
    assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == len(remaining)
    wait_job(client, responses[0].json()["job_id"])


def test_over_the_limit_is_a_nested_429_with_retry_after(make_local_server) -> None:
    server = make_local_server(api="current", rate_limit="3/min")
    client = server.client()
    seen = [client.get("whoami") for _ in range(3)]
    assert [_rate_headers(r)[1] for r in seen] == [2, 1, 0]
    assert seen[-1].json()["rate_limit"]["remaining"] == 0
    over = client.get("assets")
    assert over.status_code == 429
    assert over.json() == {"error": {"code": "rate_limit_exceeded", "message": over.json()["error"]["message"], "status": 429}}
    assert 1 <= int(over.headers["Retry-After"]) <= 60 and _rate_headers(over)[:2] == (3, 0)
    other = server.client(api_key=server.server.create_key())  # a different key has its own window
    assert other.get("assets").status_code == 200


def test_credits_run_out_with_402(make_local_server) -> None:
    server = make_local_server(api="current", credits=3)
    client = server.client()
    assert client.get("whoami").json()["credits"] == {"limit": 3, "used": 0, "remaining": 3}
    generate_asset(client, "table")
    scene = client.post("scenes", json={"prompt": "two shelves, a table and a conveyor"})  # 4 planned assets
    assert scene.status_code == 402
    assert scene.json()["error"]["code"] == "insufficient_credits" and scene.json()["error"]["status"] == 402
    assert "needs 4 credits and 2 remain" in scene.json()["error"]["message"]
    assert client.get("scenes").json()["total"] == 1  # only the default scene: nothing was created
    generate_asset(client, "shelf")
    generate_asset(client, "arm")
    refused = client.post("assets", json={"prompt": "gripper"})
    assert refused.status_code == 402 and "X-RateLimit-Remaining" in refused.headers
    usage = client.get("usage").json()["usage"]
    assert (usage["credits_limit"], usage["credits_used"], usage["credits_remaining"]) == (3, 3, 0)
    assert usage["jobs"] == {"asset": 3, "scene": 0} and usage["assets"] == 3
    fresh = server.client(api_key=server.server.create_key())  # budgets are per key
    assert fresh.post("assets", json={"prompt": "gripper"}).status_code == 202


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "No API key"), ({"Authorization": "Bearer gzm_k1_unknown"}, "not valid"), ({"Authorization": "Basic x"}, "Bearer")],
)
def test_authentication_errors_are_nested_401(current_server, headers, message) -> None:
    response = httpx.get(current_server.base_url + "/assets", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["code"] == "authentication_required" and error["status"] == 401 and message in error["message"]
    assert current_server.api_key not in response.text


def test_read_only_key_cannot_generate(current_server) -> None:
    key = current_server.server.create_key(read_only=True)
    client = current_server.client(api_key=key)
    response = client.post("assets", json={"prompt": "arm"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert client.get("assets").status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type", "loc", "type_"),
    [
        (b'{"prompt": 5}', "application/json", ["body", "prompt"], "string_type"),
        (b'{"prompt": "   "}', "application/json", ["body", "prompt"], "string_too_short"),
        (b'{"prompt": "x", "asset_pipeline": "magic"}', "application/json", ["body", "asset_pipeline"], "enum"),
        (b'{"prompt": "x", "persist": "yes"}', "application/json", ["body", "persist"], "bool_type"),
        (b"{not json", "application/json", ["body"], "invalid_json"),
        (b"prompt=x", "application/x-www-form-urlencoded", ["body"], "unsupported_content_type"),
        (b"[1]", "application/json", ["body"], "invalid_json"),
    ],
)
def test_validation_errors_are_422_in_both_shapes(current_server, content, content_type, loc, type_) -> None:
    response = current_server.client().post("assets", content=content, headers={"Content-Type": content_type})
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "validation_error" and body["error"]["status"] == 422 and body["error"]["message"]
    assert body["detail"] == [{"loc": loc, "msg": body["detail"][0]["msg"], "type": type_}]


def test_pagination_bounds_are_checked(current_server) -> None:
    client = current_server.client()
    assert client.get("assets", params={"limit": 0}).json()["detail"][0]["loc"] == ["query", "limit"]
    assert client.get("scenes", params={"offset": -1}).status_code == 422
    assert client.get("jobs/job_x", params={"include_result": "maybe"}).status_code in (404, 422)


def test_whoami_usage_and_openapi(current_server) -> None:
    client = current_server.client()
    me = client.get("whoami").json()
    assert me["ok"] is True and me["api_version"] == "current" and me["scope"] == "full"
    assert me["key_id"].startswith("key_") and current_server.api_key not in str(me)
    assert set(me["rate_limit"]) == {"limit", "remaining", "reset"}
    spec = httpx.get(current_server.base_url + "/openapi.json").json()  # no key needed
    assert spec["openapi"].startswith("3.") and spec["info"]["version"] == "current"
    from gizmo_notebook.local.current.routes import routes

    assert set(spec["paths"]) == {r.path for r in routes}
    assert set(spec["paths"]["/v1/scenes/{scene_id}"]) == {"get", "patch", "delete"}
    assert set(spec["paths"]["/v1/jobs/{job_id}/events"]) == {"get"}


def test_alpha_server_is_unchanged_beside_it(local_server) -> None:
    client = local_server.client()
    assert client.get("openapi.json").status_code == 404  # how a client tells the contracts apart
    created = client.post("assets", json={"prompt": "table"})
    assert created.status_code == 201 and created.json()["status"] == "pending" and "X-RateLimit-Limit" not in created.headers
    assert client.get("nope").json()["code"] == "ROUTE_NOT_FOUND"


def test_unknown_api_and_misplaced_options_are_refused(tmp_path) -> None:
    from gizmo_notebook.local.server import create_app

    with pytest.raises(ValueError, match="'alpha' or 'current'"):
        create_app(tmp_path, api="beta")
    with pytest.raises(TypeError, match="credits"):
        create_app(tmp_path, credits=3)
    with pytest.raises(ValueError, match="credits"):
        create_app(tmp_path, api="current", credits=-1)


def test_embedded_server_in_current_mode() -> None:
    from gizmo_notebook.local.embedded import ensure_local_server

    current = ensure_local_server(api="current")
    alpha = ensure_local_server()
    assert current is ensure_local_server(api="current") and current is not alpha
    assert current.data_dir == alpha.data_dir and current.api_key == alpha.api_key
    client = httpx.Client(base_url=current.base_url + "/", headers={"Authorization": f"Bearer {current.api_key}"})
    asset_id, _ = generate_asset(client, "gripper")
    assert client.get(f"assets/{asset_id}").json()["asset"]["id"] == asset_id
    assert httpx.get(alpha.base_url + "/openapi.json").status_code == 404


def test_cli_serves_the_current_api_with_credits(tmp_path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--log-level", "warning",
         "--api", "current", "--credits", "1", "--latency", "0", "--api-key", "gzm_k1_testkey", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(": ", 1)[1].strip()
        assert process.stdout.readline().startswith("  data dir:")
        assert "current" in process.stdout.readline()
        client = httpx.Client(base_url=url + "/", headers={"Authorization": "Bearer gzm_k1_testkey"}, timeout=30)
        deadline = time.monotonic() + 30
        while True:  # the banner is printed just before uvicorn starts accepting
            try:
                assert client.get("openapi.json").status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.05)
        job_id = client.post("assets", json={"prompt": "table"}).json()["job_id"]
        assert read_events(client, job_id)[-1]["data"]["status"] == "succeeded"
        assert client.post("assets", json={"prompt": "table"}).status_code == 402
    finally:
        process.terminate()
        process.wait(20)
    bad = subprocess.run(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--credits", "2"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2 and "--credits needs --api current" in bad.stderr
