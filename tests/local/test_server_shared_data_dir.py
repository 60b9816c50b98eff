"""Two servers on one data dir: a job has one owner, a dead owner's jobs are taken over, statuses never go back."""

from __future__ import annotations

import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gizmo_notebook.local.paths import DATABASE_NAME
from gizmo_notebook.local.runner import LocalServer

_ORDER = {"pending": 0, "processing": 1, "ready": 2, "failed": 2}


def _watch(http: httpx.Client, asset_id: str, seconds: float) -> list[str]:
    """Every status seen while polling for ``seconds``."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(http.get(f"assets/{asset_id}").json()["status"])
        time.sleep(0.02)
    return seen


def _assert_monotonic(seen: list[str]) -> None:
    ranks = [_ORDER[s] for s in seen]
    assert ranks == sorted(ranks), f"status went backwards: {seen}"


def _client(server: LocalServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url + "/", headers={"Authorization": f"Bearer {server.api_key}"}, timeout=30
    )


def test_two_embedded_servers_never_move_an_asset_backwards(tmp_path: Path, caplog) -> None:
    # The fast one owns the job and finishes it; the slow one, started while the job is pending,
    # must not resume it (it used to, and set "processing" again after "ready").
    with LocalServer(tmp_path, latency=2.0) as fast, _client(fast) as http:
        asset = http.post("assets", json={"prompt": "a two finger gripper"}).json()
        with caplog.at_level(logging.INFO, "gizmo_notebook.local"), LocalServer(tmp_path, latency=10.0):
            seen = _watch(http, asset["id"], 3.5)
    assert seen[0] == "pending"  # the second server started while the job was unfinished...
    assert "resumed" not in caplog.text  # ...and left it to its live owner
    _assert_monotonic(seen)
    assert seen[-1] == "ready"


def test_ready_and_failed_are_final_in_the_database(tmp_path: Path) -> None:
    with LocalServer(tmp_path, latency=0.0) as server, _client(server) as http:
        asset = http.post("assets", json={"prompt": "a gripper"}).json()
        _watch_until(http, asset["id"], "ready")
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    with db:  # an older server version's unconditional update
        db.execute("UPDATE assets SET status = 'processing' WHERE id = ?", (asset["id"],))
    assert db.execute("SELECT status FROM assets WHERE id = ?", (asset["id"],)).fetchone()[0] == "ready"
    db.close()


def _watch_until(http: httpx.Client, asset_id: str, status: str, timeout: float = 20.0) -> float:
    started = time.monotonic()
    while http.get(f"assets/{asset_id}").json()["status"] != status:
        assert time.monotonic() - started < timeout, f"{asset_id} never became {status}"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_cleanly_stopped_servers_jobs_are_taken_over_at_once(tmp_path: Path) -> None:
    first = LocalServer(tmp_path, latency=60.0).start()
    with _client(first) as http:
        asset = http.post("assets", json={"prompt": "a pan tilt head"}).json()
    first.stop()
    with LocalServer(tmp_path, latency=0.2) as second, _client(second) as http:
        assert _watch_until(http, asset["id"], "ready") < 5


def test_a_live_servers_jobs_are_not_taken_over_but_a_stopped_lease_expires(tmp_path: Path) -> None:
    owner = LocalServer(tmp_path, latency=2.0, job_lease=0.6).start()
    try:
        with _client(owner) as http:
            asset = http.post("assets", json={"prompt": "a conveyor"}).json()
            # another server with a fast generator and short renewals: the job is not its to take
            with LocalServer(tmp_path, latency=0.0, job_lease=0.6):
                seen = _watch(http, asset["id"], 1.2)
        assert "ready" not in seen, "the second server finished a job a live server owned"
    finally:
        owner.stop()


def _serve(data_dir: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    process = subprocess.Popen(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--log-level", "warning",
         "--data-dir", str(data_dir), "--api-key", "gzm_local_shared_test_key", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )
    assert process.stdout is not None
    match = re.search(r"(http://\S+/v1)", process.stdout.readline())
    assert match, process.stderr.read() if process.poll() is not None else "no banner"
    return process, match.group(1)


def test_two_processes_on_one_data_dir(tmp_path: Path) -> None:
    """A live process's job is never resumed by another; a killed one's is, once its lease ran out."""
    headers = {"Authorization": "Bearer gzm_local_shared_test_key"}
    processes = []
    try:
        a, url_a = _serve(tmp_path, "--latency", "1.0", "--job-lease", "1")
        processes.append(a)
        with httpx.Client(base_url=url_a + "/", headers=headers, timeout=30) as http:
            finished = http.post("assets", json={"prompt": "a six dof arm"}).json()
            b, url_b = _serve(tmp_path, "--latency", "4", "--job-lease", "1")
            processes.append(b)
            seen = _watch(http, finished["id"], 2.5)
            _assert_monotonic(seen)
            assert seen[-1] == "ready"
            orphan = http.post("assets", json={"prompt": "a mobile base"}).json()
        os.kill(a.pid, signal.SIGKILL)  # dies holding the orphan's job
        a.wait(10)
        with httpx.Client(base_url=url_b + "/", headers=headers, timeout=30) as http:
            assert _watch_until(http, orphan["id"], "ready", timeout=20) > 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(10)


# -- the current API: jobs (queued -> running -> succeeded | failed | cancelled) -----------------------
_JOB_ORDER = {"queued": 0, "running": 1, "succeeded": 2, "failed": 2, "cancelled": 2}


def _watch_job(http: httpx.Client, job_id: str, seconds: float) -> list[str]:
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(http.get(f"jobs/{job_id}").json()["job"]["status"])
        time.sleep(0.02)
    return seen


def test_two_embedded_current_servers_run_each_job_once_and_never_backwards(tmp_path: Path, caplog) -> None:
    with LocalServer(tmp_path, latency=2.0, api="current") as fast, _client(fast) as http:
        created = http.post("assets", json={"prompt": "a two finger gripper"}).json()
        with caplog.at_level(logging.INFO, "gizmo_notebook.local"), LocalServer(tmp_path, latency=10.0, api="current"):
            seen = _watch_job(http, created["job_id"], 3.5)
        events = [line for line in http.get(f"jobs/{created['job_id']}/events").text.splitlines()
                  if line.startswith("event: ")]
        assets = http.get("assets").json()["assets"]
    assert seen[0] in ("queued", "running") and "resumed" not in caplog.text
    ranks = [_JOB_ORDER[s] for s in seen]
    assert ranks == sorted(ranks), f"job status went backwards: {seen}"
    assert seen[-1] == "succeeded"
    assert len(assets) == 1, "the job ran twice and made two assets"
    assert events.count("event: done") == 1 and events.count("event: asset_ready") == 1, events


def test_finished_jobs_are_final_in_the_database(tmp_path: Path) -> None:
    from gizmo_notebook.local.current.store import DATABASE_NAME as CURRENT_DATABASE

    with LocalServer(tmp_path, latency=0.0, api="current") as server, _client(server) as http:
        created = http.post("assets", json={"prompt": "a gripper"}).json()
        seen = _watch_job(http, created["job_id"], 0.5)
        assert seen[-1] == "succeeded"
    db = sqlite3.connect(tmp_path / CURRENT_DATABASE)
    with db:  # an older server version's unconditional update
        db.execute("UPDATE jobs SET status = 'running', finished_at = NULL WHERE id = ?", (created["job_id"],))
    assert db.execute("SELECT status FROM jobs WHERE id = ?", (created["job_id"],)).fetchone()[0] == "succeeded"
    db.close()


def test_two_current_api_processes_on_one_data_dir(tmp_path: Path) -> None:
    """``serve --api current`` twice: a live process's job is left alone, a killed one's taken over."""
    headers = {"Authorization": "Bearer gzm_local_shared_test_key"}
    processes = []
    try:
        a, url_a = _serve(tmp_path, "--api", "current", "--latency", "1.0", "--job-lease", "1")
        processes.append(a)
        with httpx.Client(base_url=url_a + "/", headers=headers, timeout=30) as http:
            finished = http.post("assets", json={"prompt": "a six dof arm"}).json()
            b, url_b = _serve(tmp_path, "--api", "current", "--latency", "4", "--job-lease", "1")
            processes.append(b)
            seen = _watch_job(http, finished["job_id"], 2.5)
            ranks = [_JOB_ORDER[s] for s in seen]
            assert ranks == sorted(ranks) and seen[-1] == "succeeded", seen
            orphan = http.post("assets", json={"prompt": "a mobile base"}).json()
        os.kill(a.pid, signal.SIGKILL)  # dies holding the orphan's job
        a.wait(10)
        with httpx.Client(base_url=url_b + "/", headers=headers, timeout=30) as http:
            deadline = time.monotonic() + 20
            while http.get(f"jobs/{orphan['job_id']}").json()["job"]["status"] != "succeeded":
                assert time.monotonic() < deadline, "the killed server's job was never taken over"
                time.sleep(0.05)
            assert len(http.get("assets").json()["assets"]) == 2
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(10)


def test_a_current_server_that_lost_a_jobs_lease_stops_working_on_it(tmp_path: Path) -> None:
    """A server paused past its lease (SIGSTOP, a suspended laptop) finds on waking that another
    server took its job over: it must stop, not finish the job beside the new owner (two runners
    writing one job's stages, events and asset)."""
    from gizmo_notebook.local.current.store import DATABASE_NAME as CURRENT_DATABASE

    with LocalServer(tmp_path, latency=2.0, api="current") as server, _client(server) as http:
        created = http.post("assets", json={"prompt": "a two finger gripper"}).json()
        time.sleep(0.2)
        db = sqlite3.connect(tmp_path / CURRENT_DATABASE)
        with db:  # what another server's claim_job writes once the lease ran out
            db.execute("UPDATE jobs SET runner = 'another-server', lease_until = ? WHERE id = ?",
                       (time.time() + 600, created["job_id"]))
        events_then = db.execute("SELECT COUNT(*) FROM job_events WHERE job_id = ?", (created["job_id"],)).fetchone()[0]
        seen = _watch_job(http, created["job_id"], 3.0)
        events_now = db.execute("SELECT COUNT(*) FROM job_events WHERE job_id = ?", (created["job_id"],)).fetchone()[0]
        db.close()
        assert seen[-1] == "running", "the job was finished by a server that no longer held it"
        assert http.get("assets").json()["assets"] == []
        assert events_now <= events_then + 1  # at most the stage it was in completes; nothing after
