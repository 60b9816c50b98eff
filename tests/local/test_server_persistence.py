"""State survives restarts; keys and secrets on disk are hashed or private."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from gizmo_notebook.local.paths import DATABASE_NAME, DEFAULT_KEY_FILE, SECRET_FILE

PROMPT = "A hexapod walking robot"


def wait_ready(client: httpx.Client, asset_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        body = client.get(f"assets/{asset_id}").json()
        if body["status"] in ("ready", "failed"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.01)


def test_restart_keeps_assets_exports_and_download_urls(make_local_server, tmp_path) -> None:
    first = make_local_server(data_dir=tmp_path)
    with first.client() as client:
        asset = client.post("assets", json={"prompt": PROMPT, "name": "Hexapod", "tags": ["legged"]}).json()
        ready = wait_ready(client, asset["id"])
        url = client.post(f"assets/{asset['id']}/export", json={"format": "isaac_sim_urdf"}).json()["download_url"]
    before = httpx.get(url).content
    export_files = [p for p in (tmp_path / "exports").rglob("*") if p.is_file()]
    stamps = {p: p.stat().st_mtime_ns for p in export_files}
    first.server.stop()

    second = make_local_server(data_dir=tmp_path)  # no key given: the data dir's default key again
    assert second.api_key == first.api_key
    with second.client() as client:
        again = client.get(f"assets/{asset['id']}").json()
        listing = client.get("assets").json()
        reexport = client.post(f"assets/{asset['id']}/export", json={"format": "isaac_sim_urdf"}).json()
    assert again == ready
    assert [a["id"] for a in listing["assets"]] == [asset["id"]]
    # the old URL (moved to the new port) is still validly signed: the secret persisted
    parts = urlsplit(url)
    moved = second.server.url + parts.path + "?" + parts.query
    assert httpx.get(moved).content == before
    assert httpx.get(reexport["download_url"]).content == before
    assert {p: p.stat().st_mtime_ns for p in export_files} == stamps  # nothing regenerated


def test_unfinished_generation_resumes_after_restart(make_local_server, tmp_path) -> None:
    slow = make_local_server(data_dir=tmp_path, latency=60.0)
    with slow.client() as client:
        asset = client.post("assets", json={"prompt": PROMPT}).json()
    slow.server.stop()  # killed while the asset is pending
    fast = make_local_server(data_dir=tmp_path, latency=0.0)
    with fast.client() as client:
        assert wait_ready(client, asset["id"])["status"] == "ready"


def test_keys_are_stored_hashed_and_secret_files_are_private(make_local_server, tmp_path) -> None:
    extra = "my-own-key-0123456789"
    account = make_local_server(data_dir=tmp_path, api_keys=["primary-key-abcdef", extra])
    with account.client(api_key=extra) as client:
        assert client.get("assets").status_code == 200
    account.server.stop()
    database = tmp_path / DATABASE_NAME
    for path in tmp_path.iterdir():
        if path.name.startswith(DATABASE_NAME):
            assert b"my-own-key" not in path.read_bytes() and b"primary-key" not in path.read_bytes()
    with sqlite3.connect(database) as db:
        hashes = {row[0] for row in db.execute("SELECT key_hash FROM api_keys")}
    assert hashlib.sha256(extra.encode()).hexdigest() in hashes
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600


def test_default_key_file_is_private_and_reused(make_local_server, tmp_path) -> None:
    first = make_local_server(data_dir=tmp_path)
    key_file = tmp_path / DEFAULT_KEY_FILE
    assert key_file.read_text().strip() == first.api_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.api_key.startswith("gzm_local_") and len(first.api_key) > 30
    first.server.stop()
    assert make_local_server(data_dir=tmp_path).api_key == first.api_key


def test_two_servers_on_one_data_dir_share_state(make_local_server, tmp_path) -> None:
    """Two notebooks on one data dir (two processes in real life) see each other's assets."""
    a = make_local_server(data_dir=tmp_path)
    b = make_local_server(data_dir=tmp_path)
    with a.client() as client_a, b.client() as client_b:
        created = [client_a.post("assets", json={"prompt": f"A shelf {i}"}).json()["id"] for i in range(5)]
        created += [client_b.post("assets", json={"prompt": f"A table {i}"}).json()["id"] for i in range(5)]
        assert {x["id"] for x in client_b.get("assets").json()["assets"]} == set(created)
        assert {wait_ready(client_a, i)["status"] for i in created} == {"ready"}
