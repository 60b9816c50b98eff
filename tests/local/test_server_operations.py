"""Operational faults: oversized headers, a forged Host header, an unwritable exports folder."""

from __future__ import annotations

import shutil
import socket
import time

import httpx
import pytest

from gizmo_notebook.client import GizmoClient
from gizmo_notebook.local.paths import DataDirError


def _ready_asset(http: httpx.Client) -> str:
    asset = http.post("assets", json={"prompt": "a two finger gripper"}).json()
    while http.get(f"assets/{asset['id']}").json()["status"] != "ready":
        time.sleep(0.02)
    return asset["id"]


@pytest.mark.parametrize("api", ["alpha", "current"])
def test_oversized_headers_get_the_json_envelope(api, request) -> None:
    local_server = request.getfixturevalue("local_server" if api == "alpha" else "current_server")
    host, port = local_server.base_url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    request = (
        f"GET /v1/assets HTTP/1.1\r\nHost: {host}\r\nX-Big: {'a' * 70000}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request[:40000])  # h11 measures the header block while it is incomplete
        time.sleep(0.2)
        try:
            sock.sendall(request[40000:])
        except OSError:  # the server may answer and close before reading the rest
            pass
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/json" in head.lower()
    answer = httpx.Response(400, content=body).json()
    if api == "alpha":  # each server's own envelope: flat on alpha, nested on the current API
        assert answer["code"] == "INVALID_HTTP_REQUEST" and answer["error"] == "validation_error"
    else:
        assert answer["error"]["code"] == "invalid_http_request" and answer["error"]["status"] == 400


def test_download_urls_ignore_a_forged_host_header(local_server) -> None:
    with local_server.client() as http:
        asset_id = _ready_asset(http)
        export = http.post(
            f"assets/{asset_id}/export", json={"format": "mujoco_mjcf"}, headers={"Host": "evil.example:666"}
        ).json()
    assert export["download_url"].startswith(local_server.base_url + "/exports/")
    assert httpx.get(export["download_url"]).status_code == 200


def test_unwritable_exports_folder_is_a_specific_error(make_local_server) -> None:
    account = make_local_server()
    with account.client() as http:
        asset_id = _ready_asset(http)
        exports = account.data_dir / "exports"
        shutil.rmtree(exports, ignore_errors=True)
        exports.write_text("a file where the exports folder should be (works as root, unlike chmod)")
        response = http.post(f"assets/{asset_id}/export", json={"format": "mujoco_mjcf"})
        assert response.status_code == 500
        body = response.json()
        assert body["code"] == "EXPORT_STORAGE_ERROR"
        assert str(account.data_dir) in body["message"] and "writable" in body["message"]
        exports.unlink()  # fixed: the next export works, nothing half-written was indexed
        retry = http.post(f"assets/{asset_id}/export", json={"format": "mujoco_mjcf"})
        assert retry.status_code == 200 and httpx.get(retry.json()["download_url"]).status_code == 200


def test_embedded_server_on_an_unwritable_data_dir_says_what_to_fix(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data dir's parent should be (works as root, unlike chmod)")
    monkeypatch.setenv("GIZMO_DATA_DIR", str(blocker / "data"))
    with pytest.raises(DataDirError, match=r"cannot write its data dir .*GIZMO_DATA_DIR"):
        GizmoClient()


@pytest.mark.parametrize("api", ["alpha", "current"])
def test_both_apps_on_an_unusable_data_dir_say_what_to_fix(tmp_path, api) -> None:
    from gizmo_notebook.local.server import create_app

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data dir's parent should be")
    with pytest.raises(DataDirError, match="cannot write its data dir"):
        create_app(blocker / "data", api=api)


def test_current_api_unwritable_exports_folder_is_a_specific_error(make_local_server) -> None:
    account = make_local_server(api="current")
    with account.client() as http:
        created = http.post("assets", json={"prompt": "a two finger gripper"}).json()
        while (job := http.get(f"jobs/{created['job_id']}", params={"include_result": "true"}).json()["job"])[
            "status"
        ] not in ("succeeded", "failed"):
            time.sleep(0.02)
        asset_id = job["result"]["asset_id"]
        exports = account.data_dir / "exports"
        shutil.rmtree(exports, ignore_errors=True)
        exports.write_text("a file where the exports folder should be (works as root, unlike chmod)")
        response = http.post(f"assets/{asset_id}/export", json={"format": "mjcf"})
        assert response.status_code == 500
        error = response.json()["error"]
        assert error["code"] == "export_storage_error" and error["status"] == 500
        assert str(account.data_dir) in error["message"] and "writable" in error["message"]
        exports.unlink()  # fixed: the next export works
        retry = http.post(f"assets/{asset_id}/export", json={"format": "mjcf"})
        assert retry.status_code == 200 and retry.content.startswith(b"PK")


def test_server_options_repr_never_shows_keys() -> None:
    from gizmo_notebook.local.appkit import ServerOptions

    options = ServerOptions(api_keys=("full-secret-key",), read_only_keys=("read-secret-key",))
    assert "secret" not in repr(options) and "secret" not in str(options)


def test_current_api_openapi_servers_ignore_a_forged_host_header(current_server) -> None:
    with current_server.client() as http:
        document = http.get("openapi.json", headers={"Host": "evil.example:666"}).json()
    assert [s["url"] for s in document["servers"]] == [current_server.base_url]
