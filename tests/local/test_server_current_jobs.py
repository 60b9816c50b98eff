"""The current contract's generation jobs on the real server: create, stream, resume, cancel, fail.

The event stream is read with ``httpx-sse`` the way a client would; resuming is checked by
cutting a connection after a few events and reconnecting with ``after`` / ``Last-Event-ID``:
the two halves must join into exactly the full log, no event twice and none missing.
"""

from __future__ import annotations

import json
import time

import pytest
from _current_api import generate_asset, read_events, wait_job

ASSET_STAGES = ["planning", "geometry", "articulation", "validation"]


def test_asset_job_from_queued_to_ready_asset(current_server) -> None:
    client = current_server.client()
    before = int(time.time())
    created = client.post("assets", json={"prompt": "A 6-DOF robot arm with a parallel jaw gripper"})
    assert created.status_code == 202
    body = created.json()
    assert body["ok"] is True and body["status"] == "queued" and set(body) == {"ok", "scene_id", "job_id", "status"}
    assert body["job_id"].startswith("job_") and len(body["scene_id"]) == 16

    events = read_events(client, body["job_id"])
    assert [int(e["id"]) for e in events] == list(range(1, len(events) + 1))
    stages = [(e["type"], e["data"]["stage"], e["data"]["step"], e["data"]["total"]) for e in events if e["type"].startswith("stage_")]
    assert stages == [
        (kind, name, k, 4) for k, name in enumerate(ASSET_STAGES, start=1) for kind in ("stage_start", "stage_complete")
    ]
    findings = {e["data"]["stage"]: e["data"] for e in events if e["type"] == "stage_complete"}
    assert findings["planning"]["families"] == ["arm", "gripper"] and findings["planning"]["dof"] == 6
    assert findings["articulation"]["dof"] == len(findings["articulation"]["movable_joints"]) >= 6
    assert findings["validation"]["physics"] == "ok" and findings["validation"]["actuators"] > 0
    ready = [e for e in events if e["type"] == "asset_ready"]
    assert len(ready) == 1 and events[-1]["type"] == "done" and events[-1]["data"]["status"] == "succeeded"

    job = client.get(f"jobs/{body['job_id']}", params={"include_result": "true"}).json()["job"]
    assert job["status"] == "succeeded" and job["mode"] == "asset" and job["scene_id"] == body["scene_id"]
    assert all(isinstance(job[k], int) and before <= job[k] <= time.time() + 1 for k in ("created_at", "started_at", "finished_at"))
    assert job["error"] is None
    assert job["result"] == {"asset_id": ready[0]["data"]["asset_id"], "asset_ids": [ready[0]["data"]["asset_id"]], "scene_id": body["scene_id"]}
    assert "result" not in client.get(f"jobs/{body['job_id']}").json()["job"]

    asset = client.get(f"assets/{job['result']['asset_id']}").json()["asset"]
    assert asset["status"] == "ready" and asset["scene_id"] == body["scene_id"] and asset["formats"] == ["mjcf", "usd", "sdf"]
    record = client.get(f"assets/{asset['id']}", params={"include_record": "true"}).json()["asset"]["record"]
    assert len(record["joints"]) == findings["articulation"]["joints"]


def test_assets_without_scene_share_the_default_scene_and_list_newest_first(current_server) -> None:
    client = current_server.client()
    first, job1 = generate_asset(client, "workbench table")
    second, job2 = generate_asset(client, "4-tier shelf")
    assert job1["scene_id"] == job2["scene_id"]
    listed = client.get("assets").json()
    assert [a["id"] for a in listed["assets"]] == [second, first] and listed["total"] == 2
    by_scene = client.get("assets", params={"scene_id": job1["scene_id"], "limit": 1}).json()
    assert [a["id"] for a in by_scene["assets"]] == [second] and by_scene["total"] == 2
    assert client.get("assets", params={"scene_id": "nope"}).json()["assets"] == []
    a, b = (client.get(f"assets/{i}").json()["asset"]["position"]["x"] for i in (first, second))
    assert b > a, "the second asset stands beside the first, not inside it"
    scene = client.get(f"scenes/{job1['scene_id']}").json()["scene"]
    assert scene["asset_ids"] == [first, second] and scene["name"] == "Default scene"

    deleted = client.delete(f"assets/{first}")
    assert deleted.status_code == 200 and deleted.json() == {"ok": True, "id": first, "deleted": True}
    assert client.get(f"assets/{first}").json()["error"]["code"] == "asset_not_found"
    assert client.delete(f"assets/{first}").status_code == 404


def test_asset_into_a_named_scene_and_unknown_scene(current_server) -> None:
    client = current_server.client()
    _, job = generate_asset(client, "pan-tilt camera head")
    asset_id, job2 = generate_asset(client, "lidar sensor housing", scene_id=job["scene_id"])
    assert job2["scene_id"] == job["scene_id"]
    missing = client.post("assets", json={"prompt": "arm", "scene_id": "0000000000000000"})
    assert missing.status_code == 404 and missing.json()["error"] == {
        "code": "scene_not_found", "message": missing.json()["error"]["message"], "status": 404
    }


def test_events_resume_after_a_cut_connection_without_repeats_or_gaps(make_local_server) -> None:
    server = make_local_server(api="current", latency=1.2, ping_interval=0.2)
    client = server.client()
    job_id = client.post("assets", json={"prompt": "quadruped robot"}).json()["job_id"]
    head = read_events(client, job_id, limit=3)  # the client drops the connection here
    assert [e["id"] for e in head] == ["1", "2", "3"]
    tail = read_events(client, job_id, after=3)
    assert tail[-1]["type"] == "done"
    full = read_events(client, job_id)
    assert head + tail == full
    assert [int(e["id"]) for e in full] == list(range(1, len(full) + 1))
    # Last-Event-ID (what browsers and httpx-sse send) works the same; ?after wins over it
    assert read_events(client, job_id, headers={"Last-Event-ID": "5"}) == full[5:]
    assert read_events(client, job_id, after=2, headers={"Last-Event-ID": "5"}) == full[2:]
    assert read_events(client, job_id, after=len(full)) == []  # finished and nothing new: closes at once


def test_pings_keep_a_quiet_stream_alive_and_carry_no_id(make_local_server) -> None:
    server = make_local_server(api="current", latency=1.5, ping_interval=0.1)
    client = server.client()
    job_id = client.post("assets", json={"prompt": "hexapod"}).json()["job_id"]
    with client.stream("GET", f"jobs/{job_id}/events") as response:
        blocks = response.read().decode().replace("\r\n", "\n").strip().split("\n\n")
    pings = [b for b in blocks if "event: ping" in b.splitlines()]
    assert pings, blocks
    # on the wire a ping has no id: line (clients keep their last id, so a resume stays exact)
    assert all(not any(line.startswith("id:") for line in b.splitlines()) for b in pings)
    assert all(json.loads(b.split("data: ", 1)[1])["time"] >= 0 for b in pings)
    logged = [e for e in read_events(client, job_id, keep_pings=True) if e["type"] != "ping"]
    assert len(logged) == len(blocks) - len(pings)  # pings are not part of the log


def test_cancel_a_running_job(make_local_server) -> None:
    server = make_local_server(api="current", latency=5.0, credits=1)
    client = server.client()
    created = client.post("assets", json={"prompt": "mobile manipulator"}).json()
    first = read_events(client, created["job_id"], limit=1)
    assert first[0]["type"] == "stage_start"
    cancelled = client.post(f"jobs/{created['job_id']}/cancel")
    assert cancelled.status_code == 200
    job = cancelled.json()["job"]
    assert job["status"] == "cancelled" and isinstance(job["finished_at"], int) and job["result"] is None
    rest = read_events(client, created["job_id"], after=1)
    assert rest[-1] == {"id": rest[-1]["id"], "type": "done", "data": {"status": "cancelled", "error": "Cancelled by the client."}}
    assert not any(e["type"] == "asset_ready" for e in rest)
    time.sleep(0.3)
    assert client.get("assets").json()["total"] == 0
    assert client.get(f"jobs/{created['job_id']}").json()["job"]["status"] == "cancelled"
    # cancelling again changes nothing; the credit came back, so a new job is accepted
    assert client.post(f"jobs/{created['job_id']}/cancel").json()["job"]["status"] == "cancelled"
    assert client.get("usage").json()["usage"]["credits_used"] == 0
    assert client.post("assets", json={"prompt": "arm"}).status_code == 202


def test_failed_job_reports_its_reason_in_events_and_job(make_local_server) -> None:
    server = make_local_server(api="current", fail_rate=1.0, seed=1)
    client = server.client()
    job_id = client.post("assets", json={"prompt": "conveyor belt"}).json()["job_id"]
    events = read_events(client, job_id)
    assert [e["type"] for e in events[-2:]] == ["error", "done"]
    error = events[-2]["data"]
    assert error["code"] == "validation_failed" and error["stage"] == "validation" and "Simulated failure" in error["message"]
    job = client.get(f"jobs/{job_id}", params={"include_result": "1"}).json()["job"]
    assert job["status"] == "failed" and job["error"] == error["message"] and job["result"] is None
    assert client.get("assets").json()["total"] == 0
    assert client.get("usage").json()["usage"]["credits_used"] == 0


def test_jobs_belong_to_their_key(current_server) -> None:
    client = current_server.client()
    job_id = client.post("assets", json={"prompt": "gripper"}).json()["job_id"]
    other = current_server.client(api_key=current_server.server.create_key())
    for response in (other.get(f"jobs/{job_id}"), other.get(f"jobs/{job_id}/events"), other.post(f"jobs/{job_id}/cancel")):
        assert response.status_code == 404 and response.json()["error"]["code"] == "job_not_found"
    wait_job(client, job_id)


def test_unfinished_job_runs_again_after_a_restart(make_local_server, tmp_path) -> None:
    first = make_local_server(api="current", latency=30.0, data_dir=tmp_path)
    client = first.client()
    job_id = client.post("scenes", json={"prompt": "two robot arms and a table"}).json()["job_id"]
    assert read_events(client, job_id, limit=2)[-1]["type"] == "stage_complete"
    first.server.stop()
    second = make_local_server(api="current", latency=0.0, data_dir=tmp_path)
    client = second.client()
    job = wait_job(client, job_id)
    assert job["status"] == "succeeded" and len(job["result"]["asset_ids"]) == 3
    assert client.get("assets").json()["total"] == 3  # nothing duplicated by the second run
    log = read_events(client, job_id)
    assert [int(e["id"]) for e in log] == list(range(1, len(log) + 1))


@pytest.mark.parametrize("after", ["-1", "x", "1.5"])
def test_bad_after_is_a_422(current_server, after: str) -> None:
    client = current_server.client()
    job_id = client.post("assets", json={"prompt": "table"}).json()["job_id"]
    response = client.get(f"jobs/{job_id}/events", params={"after": after})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "after"]
    wait_job(client, job_id)


def test_planning_reports_what_the_generator_understood(current_server) -> None:
    client = current_server.client()
    job_id = client.post("assets", json={"prompt": "purple banana telescope"}).json()["job_id"]
    planning = next(e for e in read_events(client, job_id) if e["type"] == "stage_complete")
    assert planning["data"]["stage"] == "planning" and planning["data"]["interpretation"]["fallback"] is True
    asset_id = wait_job(client, job_id)["result"]["asset_id"]
    assert client.get(f"assets/{asset_id}").json()["asset"]["interpretation"] == planning["data"]["interpretation"]


def test_stopping_the_server_ends_open_event_streams_promptly(make_local_server) -> None:
    import threading

    server = make_local_server(api="current", latency=60.0, ping_interval=0.2)
    client = server.client()
    job_id = client.post("assets", json={"prompt": "arm"}).json()["job_id"]
    seen: list[dict] = []
    reader = threading.Thread(target=lambda: seen.extend(read_events(client, job_id)))
    reader.start()
    deadline = time.monotonic() + 10
    while client.get(f"jobs/{job_id}").json()["job"]["stage"] is None:  # the job (and stream) is under way
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    started = time.monotonic()
    server.server.stop()
    assert time.monotonic() - started < 3, "stop() waited for the open stream"
    reader.join(5)
    assert not reader.is_alive()
    assert seen and seen[-1]["type"] != "done"  # closed cleanly mid-job; a client resumes with after=


def test_two_servers_on_one_data_dir_run_each_job_once(make_local_server, tmp_path) -> None:
    first = make_local_server(api="current", latency=2.0, data_dir=tmp_path)
    job_id = first.client().post("assets", json={"prompt": "pan-tilt camera head"}).json()["job_id"]
    second = make_local_server(api="current", latency=0.0, data_dir=tmp_path)  # starts while the job runs
    watcher = second.client(api_key=first.api_key)
    events = read_events(watcher, job_id)  # streamed by the server that does not run it
    assert events[-1]["data"]["status"] == "succeeded"
    starts = [e["data"]["stage"] for e in events if e["type"] == "stage_start"]
    assert starts == ASSET_STAGES, "the second server did not run the job again"
    assert watcher.get("assets").json()["total"] == 1


def test_cancel_through_another_server_stops_the_job(make_local_server, tmp_path) -> None:
    first = make_local_server(api="current", latency=4.0, data_dir=tmp_path)
    job_id = first.client().post("assets", json={"prompt": "quadruped robot"}).json()["job_id"]
    second = make_local_server(api="current", data_dir=tmp_path)
    other = second.client(api_key=first.api_key)
    assert read_events(other, job_id, limit=1)[0]["type"] == "stage_start"
    assert other.post(f"jobs/{job_id}/cancel").json()["job"]["status"] == "cancelled"
    time.sleep(2.5)  # past the running stage: the runner notices at its next stage
    log = read_events(first.client(), job_id)
    assert log[-1]["data"]["status"] == "cancelled"
    assert [e["type"] for e in log].count("done") == 1
    assert first.client().get("assets").json()["total"] == 0
