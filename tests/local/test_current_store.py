"""The current server's store: per-job event numbering, job leases, credits — the parts that
must hold when several servers (threads or processes) share one data dir."""

from __future__ import annotations

import threading
from pathlib import Path

from gizmo_notebook.local.current.jobs import IDENTITY_ROTATION
from gizmo_notebook.local.current.store import AssetRow, CurrentStore, JobRow, new_job_id, now


def _job(owner: str = "key_a") -> JobRow:
    return JobRow(
        id=new_job_id(), owner=owner, mode="asset", scene_id="s" * 16, prompt="arm", options={}, status="queued",
        created_at=now(), started_at=None, finished_at=None, error=None, error_code=None, result=None, cost=1,
        stage=None,
    )  # fmt: skip


def test_event_numbers_are_dense_per_job_even_from_many_threads(tmp_path: Path) -> None:
    store = CurrentStore(tmp_path / "current.sqlite3")
    a, b = _job(), _job()
    for job in (a, b):
        store.insert_job(job, "runner", 0.0)

    def emit(job_id: str) -> None:
        for i in range(50):
            store.append_event(job_id, "stage_start", {"i": i})

    threads = [threading.Thread(target=emit, args=(j.id,)) for j in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other = CurrentStore(tmp_path / "current.sqlite3")  # a second server's connection
    threads = [threading.Thread(target=lambda: [other.append_event(a.id, "done", {}) for _ in range(20)])]
    threads.append(threading.Thread(target=lambda: [store.append_event(a.id, "error", {}) for _ in range(20)]))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e.seq for e in store.events_after(a.id, 0, limit=1000)] == list(range(1, 141))
    assert [e.seq for e in store.events_after(b.id, 0, limit=1000)] == list(range(1, 101))
    assert [e.seq for e in store.events_after(a.id, 138)] == [139, 140]


def test_a_live_lease_is_not_orphaned_and_only_one_claimant_wins(tmp_path: Path) -> None:
    store = CurrentStore(tmp_path / "current.sqlite3")
    other = CurrentStore(tmp_path / "current.sqlite3")  # a second server on the same data dir
    job = _job()
    store.insert_job(job, "runner_a", lease_until=1000.0)
    assert store.orphaned_jobs(at=999.0) == []
    assert not other.claim_job(job.id, "runner_b", at=999.0, lease_until=2000.0)
    assert [j.id for j in other.orphaned_jobs(at=1001.0)] == [job.id]  # runner_a died: lease ran out
    wins = [other.claim_job(job.id, "runner_b", at=1001.0, lease_until=2000.0),
            store.claim_job(job.id, "runner_c", at=1001.0, lease_until=2000.0)]  # fmt: skip
    assert wins == [True, False]
    other.release_jobs("runner_b")
    assert [j.id for j in store.orphaned_jobs(at=1001.0)] == [job.id]  # released at stop: resumable at once
    store.finish_job(job.id, "succeeded", result={"asset_id": None})
    assert store.orphaned_jobs(at=10**10) == []
    assert not store.finish_job(job.id, "failed")  # terminal stays terminal


def test_only_the_job_s_runner_stores_its_asset(tmp_path: Path) -> None:
    """A server paused past its lease, taken over meanwhile, must not add an asset beside the
    new runner's: the insert checks who holds the job in the same statement."""
    store = CurrentStore(tmp_path / "current.sqlite3")
    job = _job()
    store.insert_job(job, "runner_a", lease_until=1000.0)

    def asset(name: str) -> AssetRow:
        return AssetRow(id=new_job_id(), owner=job.owner, scene_id=job.scene_id, job_id=job.id, name=name,
                        prompt="arm", position=(0.0, 0.0, 0.0), rotation=IDENTITY_ROTATION, created_at=now())

    assert store.claim_job(job.id, "runner_b", at=1001.0, lease_until=2000.0)  # runner_a's lease ran out
    assert not store.insert_asset(asset("late"), runner="runner_a")
    assert store.insert_asset(asset("new"), runner="runner_b")
    store.finish_job(job.id, "cancelled")
    assert not store.insert_asset(asset("after"), runner="runner_b")  # a finished job adds nothing
    assert store.insert_asset(asset("plain"))  # no runner: stored as asked (scenes' own placements)
    assert sorted(a.name for a in store.list_assets(job.owner, 10, 0)[0]) == ["new", "plain"]


def test_credits_never_overdraw(tmp_path: Path) -> None:
    store = CurrentStore(tmp_path / "current.sqlite3")
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(store.charge("key_a", 1, budget=5))) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 5 and store.credits_used("key_a") == 5
    store.refund("key_a", 2)
    assert store.credits_used("key_a") == 3 and store.charge("key_b", 10, budget=None)
