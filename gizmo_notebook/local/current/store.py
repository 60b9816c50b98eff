"""SQLite state of the current-contract server: jobs, their event logs, assets, scenes, credits.

Its own database file (``current.sqlite3`` in the data dir) beside the alpha server's, so the
alpha schema stays untouched; API keys still come from the alpha store (one key works for
both modes). The connection, its locking and the jobs' leases (a job is held by one server
process, its ``runner``) are :class:`~gizmo_notebook.local._sqlite.SqliteStore`'s, shared with
the alpha store. Timestamps are integer Unix seconds, as the current docs say.

The event log is what makes ``GET /v1/jobs/{id}/events`` resumable: every event gets the
next ``seq`` of its job inside the insert, so a reconnect with ``after=<seq>`` reads exactly
the events it has not seen, whichever process or connection wrote them.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gizmo_notebook.local._sqlite import SqliteStore, load_json

__all__ = [
    "TERMINAL",
    "AssetRow",
    "CurrentStore",
    "EventRow",
    "JobRow",
    "SceneRow",
    "new_job_id",
    "new_scene_id",
    "now",
]

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
DATABASE_NAME = "current.sqlite3"
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    mode TEXT NOT NULL,
    scene_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    options TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT,
    error_code TEXT,
    result TEXT,
    cost INTEGER NOT NULL DEFAULT 0,
    stage TEXT,
    runner TEXT,
    lease_until REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_scene ON jobs (scene_id, seq);
-- a finished job is final: whatever process or version issues the UPDATE, it is skipped
CREATE TRIGGER IF NOT EXISTS jobs_terminal_status BEFORE UPDATE OF status ON jobs
WHEN OLD.status IN ('succeeded', 'failed', 'cancelled') AND NEW.status IS NOT OLD.status
BEGIN SELECT RAISE(IGNORE); END;
CREATE TABLE IF NOT EXISTS job_events (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS assets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    scene_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    name TEXT NOT NULL,
    prompt TEXT NOT NULL,
    position TEXT NOT NULL,
    rotation TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS assets_by_owner ON assets (owner, seq);
CREATE TABLE IF NOT EXISTS scenes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    prompt TEXT,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS scenes_by_owner ON scenes (owner, seq);
CREATE TABLE IF NOT EXISTS credits (owner TEXT PRIMARY KEY, used INTEGER NOT NULL);
"""


def now() -> int:
    return int(time.time())


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def new_job_id() -> str:
    """``job_`` + 12 base32 characters (the docs show ``job_a1b2c3d4``; ids are opaque)."""
    return "job_" + _random(12)


def new_scene_id() -> str:
    """A bare 16-character id, like the docs' ``jh72k3m4n5p6q7r8``."""
    return _random(16)


@dataclass(frozen=True)
class JobRow:
    id: str
    owner: str
    mode: str
    scene_id: str
    prompt: str
    options: dict[str, Any]
    status: str
    created_at: int
    started_at: int | None
    finished_at: int | None
    error: str | None
    error_code: str | None
    result: dict[str, Any] | None
    cost: int
    stage: dict[str, Any] | None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class EventRow:
    seq: int
    type: str
    data: dict[str, Any]
    created_at: int


@dataclass(frozen=True)
class AssetRow:
    id: str
    owner: str
    scene_id: str
    job_id: str
    name: str
    prompt: str
    position: tuple[float, float, float]
    rotation: tuple[float, float, float, float]  # (x, y, z, w), the alpha Scenes page's order
    created_at: int
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SceneRow:
    id: str
    owner: str
    name: str
    description: str | None
    prompt: str | None
    is_default: bool
    created_at: int
    updated_at: int


def _job(row: sqlite3.Row) -> JobRow:
    return JobRow(
        id=row["id"], owner=row["owner"], mode=row["mode"], scene_id=row["scene_id"], prompt=row["prompt"],
        options=load_json(row["options"]), status=row["status"], created_at=row["created_at"],
        started_at=row["started_at"], finished_at=row["finished_at"], error=row["error"],
        error_code=row["error_code"], result=load_json(row["result"]) if row["result"] else None,
        cost=row["cost"], stage=load_json(row["stage"]) if row["stage"] else None,
    )  # fmt: skip


def _asset(row: sqlite3.Row) -> AssetRow:
    return AssetRow(
        row["id"], row["owner"], row["scene_id"], row["job_id"], row["name"], row["prompt"],
        tuple(json.loads(row["position"])), tuple(json.loads(row["rotation"])), row["created_at"],
        tuple(load_json(row["tags"])),
    )  # type: ignore[arg-type]  # fmt: skip


def _scene(row: sqlite3.Row) -> SceneRow:
    return SceneRow(
        row["id"], row["owner"], row["name"], row["description"], row["prompt"], bool(row["is_default"]),
        row["created_at"], row["updated_at"],
    )  # fmt: skip


class CurrentStore(SqliteStore):
    LEASED_TABLE = "jobs"
    HOLDER_COLUMN = "runner"
    UNFINISHED = "status IN ('queued', 'running')"

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def _migrate(self) -> None:
        """A data dir from before job leases: its jobs get a runner and a lease."""
        self._add_columns("jobs", {"runner": "TEXT", "lease_until": "REAL NOT NULL DEFAULT 0"})
        self._add_columns("assets", {"tags": "TEXT NOT NULL DEFAULT '[]'"})  # a data dir from before tags

    # -- jobs --------------------------------------------------------------------------
    def insert_job(self, job: JobRow, runner: str, lease_until: float) -> None:
        """Store a new job, held by ``runner`` (one server process) until ``lease_until``."""
        self._run(
            "INSERT INTO jobs (id, owner, mode, scene_id, prompt, options, status, created_at, cost, runner, "
            "lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (job.id, job.owner, job.mode, job.scene_id, job.prompt, json.dumps(job.options), job.status,
             job.created_at, job.cost, runner, lease_until),
        )  # fmt: skip

    def get_job(self, job_id: str, owner: str | None = None) -> JobRow | None:
        if owner is None:
            row = self._one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        else:
            row = self._one("SELECT * FROM jobs WHERE id = ? AND owner = ?", (job_id, owner))
        return _job(row) if row is not None else None

    def latest_job(self, scene_id: str) -> JobRow | None:
        row = self._one("SELECT * FROM jobs WHERE scene_id = ? ORDER BY seq DESC LIMIT 1", (scene_id,))
        return _job(row) if row is not None else None

    def latest_scene_job(self, scene_id: str) -> JobRow | None:
        row = self._one(
            "SELECT * FROM jobs WHERE scene_id = ? AND mode = 'scene' ORDER BY seq DESC LIMIT 1", (scene_id,)
        )
        return _job(row) if row is not None else None

    # -- job leases (claim_job, renew_leases, release_jobs: SqliteStore): each job runs in one server
    def orphaned_jobs(self, at: float) -> list[JobRow]:
        """Unfinished jobs whose runner's lease ran out (it died, or stopped and released them)."""
        return [_job(r) for r in self._orphan_rows(at)]

    def jobs_of_scene(self, scene_id: str) -> list[JobRow]:
        return [_job(r) for r in self._all("SELECT * FROM jobs WHERE scene_id = ? ORDER BY seq", (scene_id,))]

    def job_counts(self, owner: str) -> dict[str, int]:
        rows = self._all("SELECT mode, COUNT(*) AS n FROM jobs WHERE owner = ? GROUP BY mode", (owner,))
        return {r["mode"]: r["n"] for r in rows}

    def set_running(self, job_id: str) -> None:
        self._run(
            "UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, ?) "
            "WHERE id = ? AND status IN ('queued', 'running')",
            (now(), job_id),
        )

    def set_stage(self, job_id: str, stage: dict[str, Any]) -> None:
        self._run("UPDATE jobs SET stage = ? WHERE id = ?", (json.dumps(stage), job_id))

    def finish_job(
        self,
        job_id: str,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        error_code: str | None = None,
        runner: str | None = None,
    ) -> bool:
        """Move an unfinished job to a terminal ``status``; False if it already was terminal.

        With ``runner`` (a server finishing the work it ran), only while that server still holds the
        job: one that was taken over meanwhile must not finish it beside its new runner. A
        cancellation passes none (any server may cancel).
        """
        assert status in TERMINAL
        held, args = ("", ()) if runner is None else (" AND runner = ?", (runner,))
        changed = self._run(
            "UPDATE jobs SET status = ?, finished_at = ?, result = ?, error = ?, error_code = ? "
            f"WHERE id = ? AND status IN ('queued', 'running'){held}",
            (status, now(), json.dumps(result) if result is not None else None, error, error_code, job_id, *args),
        )
        return changed == 1

    # -- events ------------------------------------------------------------------------
    def append_event(self, job_id: str, type: str, data: dict[str, Any]) -> int:
        """Log an event under the job's next ``seq``: one statement, so two servers writing to
        one data dir (a cancel through the other) can never take the same number."""
        with self._lock:
            return self._db.execute(
                "INSERT INTO job_events (job_id, seq, type, data, created_at) "
                "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM job_events WHERE job_id = ? RETURNING seq",
                (job_id, type, json.dumps(data), now(), job_id),
            ).fetchone()[0]

    def events_after(self, job_id: str, after: int, limit: int = 500) -> list[EventRow]:
        rows = self._all(
            "SELECT seq, type, data, created_at FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (job_id, after, limit),
        )
        return [EventRow(r["seq"], r["type"], load_json(r["data"]), r["created_at"]) for r in rows]

    # -- assets ------------------------------------------------------------------------
    def insert_asset(self, asset: AssetRow, runner: str | None = None) -> bool:
        """Store an asset; with ``runner`` (the server whose job made it), only while that server
        still holds the unfinished job, in the same statement: a server paused past its lease
        between its last check and this insert must not add an asset beside the job's new
        runner (two assets for one job). False when nothing was stored."""
        held = "" if runner is None else (
            " WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ? AND runner = ? AND status IN ('queued', 'running'))")
        return self._run(
            "INSERT INTO assets (id, owner, scene_id, job_id, name, prompt, position, rotation, created_at, tags) "
            f"SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?{held}",
            (asset.id, asset.owner, asset.scene_id, asset.job_id, asset.name, asset.prompt,
             json.dumps(list(asset.position)), json.dumps(list(asset.rotation)), asset.created_at,
             json.dumps(list(asset.tags)), *(() if runner is None else (asset.job_id, runner))),
        ) == 1  # fmt: skip

    def set_asset_position(self, asset_id: str, position: tuple[float, float, float]) -> None:
        self._run("UPDATE assets SET position = ? WHERE id = ?", (json.dumps(list(position)), asset_id))

    def get_asset(self, asset_id: str, owner: str) -> AssetRow | None:
        row = self._one("SELECT * FROM assets WHERE id = ? AND owner = ?", (asset_id, owner))
        return _asset(row) if row is not None else None

    def list_assets(
        self, owner: str, limit: int, offset: int, scene_id: str | None = None
    ) -> tuple[list[AssetRow], int]:
        where, args = "owner = ?", [owner]
        if scene_id is not None:
            where += " AND scene_id = ?"
            args.append(scene_id)
        rows, total = self._page("assets", where, args, limit, offset)
        return [_asset(r) for r in rows], total

    def scene_assets(self, scene_id: str) -> list[AssetRow]:
        return [_asset(r) for r in self._all("SELECT * FROM assets WHERE scene_id = ? ORDER BY seq", (scene_id,))]

    def delete_job_assets(self, job_id: str) -> list[str]:
        """Forget what an interrupted job had made, before it runs again (no duplicate assets)."""
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT id FROM assets WHERE job_id = ?", (job_id,))]
            self._db.execute("DELETE FROM assets WHERE job_id = ?", (job_id,))
        return ids

    def delete_asset(self, asset_id: str, owner: str) -> bool:
        return self._run("DELETE FROM assets WHERE id = ? AND owner = ?", (asset_id, owner)) == 1

    # -- scenes ------------------------------------------------------------------------
    def insert_scene(self, scene: SceneRow) -> None:
        self._run(
            "INSERT INTO scenes (id, owner, name, description, prompt, is_default, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (scene.id, scene.owner, scene.name, scene.description, scene.prompt, int(scene.is_default),
             scene.created_at, scene.updated_at),
        )  # fmt: skip

    def get_scene(self, scene_id: str, owner: str) -> SceneRow | None:
        row = self._one("SELECT * FROM scenes WHERE id = ? AND owner = ?", (scene_id, owner))
        return _scene(row) if row is not None else None

    def default_scene(self, owner: str) -> SceneRow | None:
        row = self._one("SELECT * FROM scenes WHERE owner = ? AND is_default = 1 ORDER BY seq LIMIT 1", (owner,))
        return _scene(row) if row is not None else None

    def list_scenes(self, owner: str, limit: int, offset: int) -> tuple[list[SceneRow], int]:
        rows, total = self._page("scenes", "owner = ?", (owner,), limit, offset)
        return [_scene(r) for r in rows], total

    def update_scene(self, scene_id: str, owner: str, changes: dict[str, str | None]) -> None:
        for column in changes:
            assert column in ("name", "description")
        sets = ", ".join(f"{c} = ?" for c in changes)
        self._run(
            f"UPDATE scenes SET {sets}, updated_at = ? WHERE id = ? AND owner = ?",
            (*changes.values(), now(), scene_id, owner),
        )

    def touch_scene(self, scene_id: str) -> None:
        self._run("UPDATE scenes SET updated_at = ? WHERE id = ?", (now(), scene_id))

    def delete_scene(self, scene_id: str, owner: str) -> list[str]:
        """Delete the scene and its assets; returns the deleted asset ids."""
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT id FROM assets WHERE scene_id = ? AND owner = ?", (scene_id, owner))]
            self._db.execute("DELETE FROM assets WHERE scene_id = ? AND owner = ?", (scene_id, owner))
            self._db.execute("DELETE FROM scenes WHERE id = ? AND owner = ?", (scene_id, owner))
        return ids

    # -- credits -----------------------------------------------------------------------
    def credits_used(self, owner: str) -> int:
        row = self._one("SELECT used FROM credits WHERE owner = ?", (owner,))
        return int(row["used"]) if row is not None else 0

    def charge(self, owner: str, amount: int, budget: int | None) -> bool:
        """Take ``amount`` credits if the budget allows (atomically); False if it would overdraw."""
        with self._lock:
            row = self._db.execute("SELECT used FROM credits WHERE owner = ?", (owner,)).fetchone()
            used = int(row[0]) if row is not None else 0
            if budget is not None and used + amount > budget:
                return False
            self._db.execute(
                "INSERT INTO credits (owner, used) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET used = ?",
                (owner, used + amount, used + amount),
            )
        return True

    def refund(self, owner: str, amount: int) -> None:
        self._run("UPDATE credits SET used = MAX(0, used - ?) WHERE owner = ?", (amount, owner))
