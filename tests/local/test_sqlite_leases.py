"""Job leases, written once in ``local/_sqlite.py``, hold the same way for both offline stores:
the alpha store leases assets (``job_owner``), the current store jobs (``runner``). Also: a data
dir written before leases existed opens, and its unfinished work is resumable at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gizmo_notebook.local import store as alpha
from gizmo_notebook.local._sqlite import SqliteStore
from gizmo_notebook.local.current import store as current


@dataclass
class Kind:
    """How to open one store, add an unfinished leased job, finish it and list the orphans."""

    open: Callable[[Path], SqliteStore]
    add: Callable[[SqliteStore, str, float], str]  # (store, holder, lease_until) -> job id
    finish: Callable[[SqliteStore, str, str], None]  # (store, job id, holder)
    orphans: Callable[[SqliteStore, float], list[str]]
    old_schema: str  # the schema of a data dir from before leases
    old_row: str  # SQL: an unfinished job ``old_1`` written by a version without leases


def _alpha_add(store: SqliteStore, holder: str, lease_until: float) -> str:
    at = alpha.utc_now()
    record = alpha.AssetRecord(alpha.new_id("ast"), "key_a", "pending", "arm", "an arm", [], at, at)
    store.insert_asset(record, holder, lease_until)  # type: ignore[attr-defined]
    return record.id


def _current_add(store: SqliteStore, holder: str, lease_until: float) -> str:
    job = current.JobRow(
        id=current.new_job_id(), owner="key_a", mode="asset", scene_id="s" * 16, prompt="arm", options={},
        status="queued", created_at=current.now(), started_at=None, finished_at=None, error=None, error_code=None,
        result=None, cost=1, stage=None,
    )  # fmt: skip
    store.insert_job(job, holder, lease_until)  # type: ignore[attr-defined]
    return job.id


_PRE_LEASE_JOBS = "    stage TEXT,\n    runner TEXT,\n    lease_until REAL NOT NULL DEFAULT 0\n"
assert _PRE_LEASE_JOBS in current._SCHEMA

KINDS = {
    "alpha": Kind(
        open=alpha.Store,
        add=_alpha_add,
        finish=lambda s, job_id, holder: s.set_status(job_id, "ready", holder),  # type: ignore[attr-defined]
        orphans=lambda s, at: [r.id for r in s.claimable_assets(at)],  # type: ignore[attr-defined]
        old_schema=alpha._SCHEMA,  # schema 1: job_owner and lease_until came with schema 2
        old_row="INSERT INTO assets (id, owner, status, name, prompt, tags, created_at, updated_at) "
        "VALUES ('old_1', 'key_a', 'processing', 'arm', 'an arm', '[]', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
    ),
    "current": Kind(
        open=current.CurrentStore,
        add=_current_add,
        finish=lambda s, job_id, holder: s.finish_job(job_id, "succeeded"),  # type: ignore[attr-defined]
        orphans=lambda s, at: [r.id for r in s.orphaned_jobs(at)],  # type: ignore[attr-defined]
        old_schema=current._SCHEMA.replace(_PRE_LEASE_JOBS, "    stage TEXT\n"),
        old_row="INSERT INTO jobs (id, owner, mode, scene_id, prompt, options, status, created_at) "
        "VALUES ('old_1', 'key_a', 'asset', 'ssssssssssssssss', 'arm', '{}', 'running', 0)",
    ),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    return KINDS[request.param]


def test_a_live_lease_holds_an_expired_one_goes_to_exactly_one_claimant(kind: Kind, tmp_path: Path) -> None:
    store, other = kind.open(tmp_path / "db.sqlite3"), kind.open(tmp_path / "db.sqlite3")  # two servers
    job_id = kind.add(store, "server_a", 1000.0)
    assert kind.orphans(other, 999.0) == []
    assert not other.claim_job(job_id, "server_b", 999.0, 2000.0)  # server_a is alive
    assert kind.orphans(other, 1001.0) == [job_id]  # server_a died: its lease ran out
    wins = [other.claim_job(job_id, "server_b", 1001.0, 2000.0), store.claim_job(job_id, "server_c", 1001.0, 2000.0)]
    assert wins == [True, False]
    other.renew_leases("server_b", 3000.0)
    assert kind.orphans(store, 2500.0) == []  # the heartbeat moved the lease on
    other.release_jobs("server_b")
    assert kind.orphans(store, 1001.0) == [job_id]  # released at a clean stop: resumable at once
    assert store.claim_job(job_id, "server_c", 1001.0, 2000.0)
    kind.finish(store, job_id, "server_c")
    assert kind.orphans(store, 10.0**10) == []  # finished work is never resumed
    assert not store.claim_job(job_id, "server_d", 10.0**10, 10.0**11)


def test_a_data_dir_from_before_leases_opens_and_its_unfinished_work_is_resumable(kind: Kind, tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(kind.old_schema)
        db.execute(kind.old_row)
    first, second = kind.open(path), kind.open(path)  # a second server opening it after the upgrade
    assert kind.orphans(second, 1.0) == ["old_1"]  # never leased: no live server holds it
    assert first.claim_job("old_1", "server_a", 1.0, 100.0)
    assert not second.claim_job("old_1", "server_b", 2.0, 100.0)
    job_id = kind.add(second, "server_b", 100.0)  # new work on the upgraded schema is leased as usual
    assert kind.orphans(first, 50.0) == []
    assert kind.orphans(first, 101.0) == ["old_1", job_id]
    for store in (first, second):
        store.close()
