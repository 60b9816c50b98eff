"""The /v1/assets routes of the local server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from gizmo_notebook.formats import EXPORT_FORMATS

ARM = "A 6-DOF industrial robotic arm with a parallel jaw gripper"
ID_RE = re.compile(r"ast_[0-9a-hjkmnp-tv-z]{14}")
TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def wait_status(client: httpx.Client, asset_id: str, final: tuple[str, ...] = ("ready", "failed"),
                timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"assets/{asset_id}").json()
        if body["status"] in final:
            return body
        assert time.monotonic() < deadline, f"asset stuck in {body['status']}"
        time.sleep(0.01)


def create(client: httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post("assets", json={"prompt": ARM, **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_the_documented_shape(local_server) -> None:
    with local_server.client() as client:
        before = datetime.now(timezone.utc).replace(microsecond=0)
        response = client.post("assets", json={"prompt": ARM, "name": "Industrial Arm v1", "tags": ["arm", "6dof"]})
        after = datetime.now(timezone.utc)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert ID_RE.fullmatch(body["id"]), body["id"]
    assert body["status"] == "pending"
    assert body["name"] == "Industrial Arm v1"
    assert body["prompt"] == ARM
    assert body["tags"] == ["arm", "6dof"]
    assert TIME_RE.fullmatch(body["created_at"])
    created = datetime.strptime(body["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before - timedelta(seconds=1) <= created <= after
    assert body["formats_available"] == []


def test_name_defaults_to_the_prompt_truncated(local_server) -> None:
    long_prompt = "A compact differential drive mobile robot base with two wheels and a lidar mast on top of it"
    with local_server.client() as client:
        short = create(client, prompt="A pan-tilt head")
        long = create(client, prompt=long_prompt)
        null_name = create(client, prompt="A shelf", name=None, tags=None)
    assert short["name"] == "A pan-tilt head"
    assert long["name"].endswith("…") and len(long["name"]) <= 60
    assert long_prompt.startswith(long["name"][:-1])
    assert null_name["name"] == "A shelf" and null_name["tags"] == []


def test_asset_becomes_ready_with_every_format(local_server) -> None:
    with local_server.client() as client:
        asset = create(client)
        ready = wait_status(client, asset["id"])
    assert ready["status"] == "ready"
    assert sorted(ready["formats_available"]) == sorted(EXPORT_FORMATS)
    assert "failure_reason" not in ready
    assert {k: ready[k] for k in ("id", "name", "prompt", "created_at", "tags")} == {
        k: asset[k] for k in ("id", "name", "prompt", "created_at", "tags")
    }


def test_lifecycle_goes_pending_processing_ready_with_latency(make_local_server) -> None:
    account = make_local_server(latency=0.8)
    seen: list[str] = []
    with account.client() as client:
        asset = create(client)
        seen.append(asset["status"])
        started = time.monotonic()
        while seen[-1] != "ready":
            seen.append(client.get(f"assets/{asset['id']}").json()["status"])
            time.sleep(0.02)
        elapsed = time.monotonic() - started
    order = [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s]
    assert order == ["pending", "processing", "ready"]
    assert 0.6 <= elapsed < 5.0


def test_fail_rate_one_fails_every_asset_with_a_reason(make_local_server) -> None:
    account = make_local_server(fail_rate=1.0)
    with account.client() as client:
        asset = create(client)
        failed = wait_status(client, asset["id"])
        export = client.post(f"assets/{asset['id']}/export", json={"format": "mujoco_mjcf"})
    assert failed["status"] == "failed"
    assert failed["formats_available"] == []
    assert "Simulated failure" in failed["failure_reason"]
    assert export.status_code == 400
    assert export.json()["code"] == "ASSET_FAILED"


def test_fail_rate_is_repeatable_for_a_seed(make_local_server) -> None:
    outcomes = []
    for _ in range(2):
        account = make_local_server(fail_rate=0.5, seed=7)
        with account.client() as client:
            ids = [create(client, prompt=f"A shelf number {i}")["id"] for i in range(12)]
            outcomes.append([wait_status(client, i)["status"] for i in ids])
    assert outcomes[0] == outcomes[1]
    assert {"ready", "failed"} == set(outcomes[0])


def test_get_unknown_and_foreign_assets_are_404(local_server) -> None:
    other_key = local_server.server.create_key()
    with local_server.client() as client, local_server.client(api_key=other_key) as other:
        asset = create(client)
        foreign = other.get(f"assets/{asset['id']}")
        unknown = client.get("assets/ast_0000000000000a")
        garbage = client.get("assets/%27%3B%20DROP%20TABLE%20assets%3B--")
    for response in (foreign, unknown, garbage):
        assert response.status_code == 404
        assert response.json()["code"] == "ASSET_NOT_FOUND"
        assert response.json()["error"] == "not_found"


def test_list_is_newest_first_paginated_and_scoped_to_the_key(local_server) -> None:
    other_key = local_server.server.create_key()
    with local_server.client() as client, local_server.client(api_key=other_key) as other:
        ids = [create(client, prompt=f"A table {i}")["id"] for i in range(5)]
        create(other)
        default = client.get("assets").json()
        page = client.get("assets", params={"limit": 2, "offset": 1}).json()
        tail = client.get("assets", params={"limit": 10, "offset": 4}).json()
        beyond = client.get("assets", params={"limit": 10, "offset": 99}).json()
        other_list = other.get("assets").json()
    assert [a["id"] for a in default["assets"]] == ids[::-1]
    assert (default["total"], default["limit"], default["offset"]) == (5, 20, 0)
    assert [a["id"] for a in page["assets"]] == [ids[3], ids[2]]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [a["id"] for a in tail["assets"]] == [ids[0]]
    assert beyond == {"assets": [], "total": 5, "limit": 10, "offset": 99}
    assert other_list["total"] == 1
    assert set(default["assets"][0]) >= {"id", "status", "name", "prompt", "created_at"}


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_and_download_each_format(local_server, fmt: str) -> None:
    with local_server.client() as client:
        asset = create(client, name="Industrial Arm v1")
        wait_status(client, asset["id"])
        response = client.post(f"assets/{asset['id']}/export", json={"format": fmt})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"download_url", "expires_at"}
        url = httpx.URL(body["download_url"])
        assert str(url).startswith(local_server.base_url + f"/exports/{asset['id']}/{fmt}/industrial_arm_v1")
        expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        assert timedelta(minutes=59) < expires - datetime.now(timezone.utc) <= timedelta(minutes=61)
        # the URL is pre-signed: no Authorization header needed (and none sent)
        download = httpx.get(body["download_url"])
    assert download.status_code == 200
    assert int(download.headers["content-length"]) == len(download.content) > 0
    name = url.path.rsplit("/", 1)[1]
    assert f'filename="{name}"' in download.headers["content-disposition"]
    expected_type = {".zip": "application/zip", ".xml": "application/xml", ".urdf": "application/xml",
                     ".usda": "model/vnd.usda", ".usd": "model/vnd.usd", ".usdc": "model/vnd.usd"}
    suffix = name[name.rfind("."):]
    assert download.headers["content-type"].split(";")[0] == expected_type[suffix]
    if suffix == ".zip":
        assert download.content[:2] == b"PK"


def test_reexport_reuses_the_cached_file(local_server) -> None:
    with local_server.client() as client:
        asset = create(client)
        wait_status(client, asset["id"])
        first = client.post(f"assets/{asset['id']}/export", json={"format": "mujoco_mjcf"}).json()
        files = sorted((local_server.data_dir / "exports" / asset["id"]).rglob("*"))
        stamps = [(p, p.stat().st_mtime_ns) for p in files if p.is_file()]
        time.sleep(0.05)
        second = client.post(f"assets/{asset['id']}/export", json={"format": "mujoco_mjcf"}).json()
        first_bytes = httpx.get(first["download_url"]).content
        second_bytes = httpx.get(second["download_url"]).content
    assert stamps, "the export left no file in the data dir"
    assert [(p, p.stat().st_mtime_ns) for p, _ in stamps] == stamps
    assert first_bytes == second_bytes


def test_concurrent_exports_of_one_asset_write_one_file(local_server) -> None:
    import concurrent.futures

    with local_server.client() as client:
        asset = create(client)
        wait_status(client, asset["id"])
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(
                lambda _: client.post(f"assets/{asset['id']}/export", json={"format": "isaac_sim_urdf"}), range(8)
            ))
    assert {r.status_code for r in responses} == {200}
    paths = {httpx.URL(r.json()["download_url"]).path for r in responses}
    assert len(paths) == 1
    directory = local_server.data_dir / "exports" / asset["id"] / "isaac_sim_urdf"
    assert [p.name for p in directory.iterdir() if not p.name.startswith(".")] == [paths.pop().rsplit("/", 1)[1]]


def test_export_before_ready_is_400(make_local_server) -> None:
    account = make_local_server(latency=30.0)
    with account.client() as client:
        asset = create(client)
        response = client.post(f"assets/{asset['id']}/export", json={"format": "mujoco_mjcf"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "ASSET_NOT_READY"
    assert asset["id"] in body["message"]


def test_read_only_key_can_read_and_export_but_not_create(make_local_server) -> None:
    account = make_local_server()
    read_only = account.server.create_key(read_only=True)
    with account.client() as client:
        asset = create(client)
        wait_status(client, asset["id"])
    with account.client(api_key=read_only) as client:
        denied = client.post("assets", json={"prompt": ARM})
        listing = client.get("assets")
    assert denied.status_code == 403
    assert denied.json() == {
        "error": "permission_error",
        "code": "INSUFFICIENT_PERMISSION",
        "message": denied.json()["message"],
    }
    assert listing.status_code == 200 and listing.json()["total"] == 0  # its own (empty) account


def test_fifty_parallel_creates_get_fifty_distinct_ids(local_server) -> None:
    import concurrent.futures

    with local_server.client(limits=httpx.Limits(max_connections=50)) as client:
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            responses = list(pool.map(
                lambda i: client.post("assets", json={"prompt": f"A compact 3-axis arm number {i}"}), range(50)
            ))
        assert {r.status_code for r in responses} == {201}
        ids = {r.json()["id"] for r in responses}
        statuses = [wait_status(client, i)["status"] for i in ids]
        listing = client.get("assets", params={"limit": 100}).json()
    assert len(ids) == 50
    assert statuses == ["ready"] * 50
    assert listing["total"] == 50 and {a["id"] for a in listing["assets"]} == ids
