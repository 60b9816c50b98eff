"""SQLite persistence for keys, assets, scenes and the export-file index.

The connection, its locking and the generation jobs' leases (an asset's job is held by one
server process, ``job_owner``) are :class:`~gizmo_notebook.local._sqlite.SqliteStore`'s, shared
with the current-contract store.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from gizmo_notebook.local._sqlite import SqliteStore, clean_text
from gizmo_notebook.local.auth import Principal, Scope, hash_key, key_id_for

__all__ = ["AssetRecord", "PlacementRecord", "SceneRecord", "Store", "new_id", "utc_now"]

_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
_SCHEMA_VERSION = 2
_UNFINISHED = "status IN ('pending', 'processing')"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    prompt TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    failure_reason TEXT,
    simulate_failure INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS assets_by_owner ON assets (owner, seq);
CREATE TABLE IF NOT EXISTS scenes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    placements TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- ready/failed are final: whatever process or version issues the UPDATE, it is skipped
CREATE TRIGGER IF NOT EXISTS assets_terminal_status BEFORE UPDATE OF status ON assets
WHEN OLD.status IN ('ready', 'failed') AND NEW.status IS NOT OLD.status
BEGIN SELECT RAISE(IGNORE); END;
CREATE INDEX IF NOT EXISTS scenes_by_owner ON scenes (owner, seq);
CREATE TABLE IF NOT EXISTS exports (
    target_id TEXT NOT NULL,
    format TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (target_id, format)
);
"""


def new_id(prefix: str) -> str:
    """``prefix_`` + 14 random Crockford-base32 characters (70 bits), like ``ast_01hx9z3k2n8f7q``."""
    return f"{prefix}_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(14))


def utc_now() -> str:
    """ISO 8601 in UTC with a ``Z``, second resolution, as the API documents."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class AssetRecord:
    id: str
    owner: str
    status: str
    name: str
    prompt: str
    tags: list[str]
    created_at: str
    updated_at: str
    failure_reason: str | None = None
    simulate_failure: bool = False


@dataclass(frozen=True)
class PlacementRecord:
    asset_id: str
    position: tuple[float, float, float]
    orientation: tuple[float, float, float, float]  # unit quaternion (w, x, y, z)


@dataclass(frozen=True)
class SceneRecord:
    id: str
    owner: str
    name: str
    placements: list[PlacementRecord] = field(default_factory=list)
    created_at: str = ""
    description: str | None = None


_clean = clean_text  # rows of older versions may hold lone surrogates (see ._sqlite)


def _asset(row: sqlite3.Row) -> AssetRecord:
    return AssetRecord(
        id=row["id"],
        owner=row["owner"],
        status=row["status"],
        name=row["name"],
        prompt=row["prompt"],
        tags=[_clean(t) for t in json.loads(row["tags"])],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        failure_reason=row["failure_reason"],
        simulate_failure=bool(row["simulate_failure"]),
    )


def _scene(row: sqlite3.Row) -> SceneRecord:
    placements = [
        PlacementRecord(_clean(p["asset_id"]), tuple(p["position"]), tuple(p["orientation"]))  # type: ignore[arg-type]
        for p in json.loads(row["placements"])
    ]
    return SceneRecord(row["id"], row["owner"], row["name"], placements, row["created_at"], row["description"])


class Store(SqliteStore):
    LEASED_TABLE = "assets"
    HOLDER_COLUMN = "job_owner"
    UNFINISHED = _UNFINISHED

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)
        self._keys: dict[str, Principal] = {}

    def _migrate(self) -> None:
        """Schema 1 -> 2: generation jobs get an owner (a server process) and a lease; records the version."""
        self._add_columns("assets", {"job_owner": "TEXT", "lease_until": "REAL"})
        self._add_columns("scenes", {"description": "TEXT"})  # the alpha Scenes page's free text
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(_SCHEMA_VERSION),),
        )

    # -- keys --------------------------------------------------------------------------
    def add_key(self, key: str, scope: Scope = "full") -> Principal:
        """Register ``key`` (stored as its sha256) with ``scope``; re-adding updates the scope."""
        digest = hash_key(key)
        principal = Principal(key_id_for(digest), scope)
        self._run(
            "INSERT INTO api_keys (key_hash, key_id, scope, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key_hash) DO UPDATE SET scope = excluded.scope",
            (digest, principal.key_id, scope, utc_now()),
        )
        self._keys[digest] = principal
        return principal

    def principal(self, key: str) -> Principal | None:
        digest = hash_key(key)
        cached = self._keys.get(digest)
        if cached is not None:
            return cached
        row = self._one("SELECT key_id, scope FROM api_keys WHERE key_hash = ?", (digest,))
        if row is None:
            return None  # not cached: a key added by another process later still works
        principal = Principal(row["key_id"], row["scope"])
        self._keys[digest] = principal
        return principal

    # -- assets ------------------------------------------------------------------------
    def insert_asset(self, record: AssetRecord, job_owner: str | None = None, lease_until: float = 0.0) -> None:
        """Store a new asset; ``job_owner`` (a server process) holds its generation job until ``lease_until``."""
        self._run(
            "INSERT INTO assets (id, owner, status, name, prompt, tags, created_at, updated_at, "
            "failure_reason, simulate_failure, job_owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.owner,
                record.status,
                record.name,
                record.prompt,
                json.dumps(record.tags),
                record.created_at,
                record.updated_at,
                record.failure_reason,
                int(record.simulate_failure),
                job_owner,
                lease_until,
            ),
        )

    def get_asset(self, asset_id: str, owner: str | None = None) -> AssetRecord | None:
        if owner is None:
            row = self._one("SELECT * FROM assets WHERE id = ?", (asset_id,))
        else:
            row = self._one("SELECT * FROM assets WHERE id = ? AND owner = ?", (asset_id, owner))
        return _asset(row) if row is not None else None

    def list_assets(self, owner: str, limit: int, offset: int) -> tuple[list[AssetRecord], int]:
        rows, total = self._page("assets", "owner = ?", (owner,), limit, offset)
        return [_asset(r) for r in rows], total

    def set_status(self, asset_id: str, status: str, job_owner: str, failure_reason: str | None = None) -> bool:
        """Move an unfinished asset on, only if ``job_owner`` still holds its job; False if it did not."""
        changed = self._run(
            "UPDATE assets SET status = ?, failure_reason = ?, updated_at = ? "
            f"WHERE id = ? AND job_owner = ? AND {_UNFINISHED}",
            (status, failure_reason, utc_now(), asset_id, job_owner),
        )
        return changed == 1

    # -- generation jobs: an owner and a lease (claim_job, renew_leases, release_jobs: SqliteStore)
    def claimable_assets(self, now: float) -> list[AssetRecord]:
        """Unfinished assets whose job has no live owner (never leased, or the lease ran out)."""
        return [_asset(r) for r in self._orphan_rows(now)]

    # -- scenes ------------------------------------------------------------------------
    def insert_scene(self, record: SceneRecord) -> None:
        placements = [
            {"asset_id": p.asset_id, "position": list(p.position), "orientation": list(p.orientation)}
            for p in record.placements
        ]
        self._run(
            "INSERT INTO scenes (id, owner, name, placements, created_at, description) VALUES (?, ?, ?, ?, ?, ?)",
            (record.id, record.owner, record.name, json.dumps(placements), record.created_at, record.description),
        )

    def add_placement(self, scene_id: str, owner: str, placement: PlacementRecord, limit: int) -> SceneRecord | None:
        """Append ``placement`` to the scene in one statement (two requests placing at once both
        land, whichever process serves them) unless it already holds ``limit``; drops the scene's
        export files from the index, since they no longer show the whole scene. ``None`` when
        the scene is not the owner's or is full (tell them apart with :meth:`get_scene`)."""
        item = json.dumps(
            {"asset_id": placement.asset_id, "position": list(placement.position),
             "orientation": list(placement.orientation)}
        )
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # the connection autocommits: one transaction by hand
            try:
                changed = self._db.execute(
                    "UPDATE scenes SET placements = json_insert(placements, '$[#]', json(?)) "
                    "WHERE id = ? AND owner = ? AND json_array_length(placements) < ?",
                    (item, scene_id, owner, limit),
                ).rowcount
                if changed:
                    self._db.execute("DELETE FROM exports WHERE target_id = ?", (scene_id,))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return self.get_scene(scene_id, owner) if changed else None

    def get_scene(self, scene_id: str, owner: str) -> SceneRecord | None:
        row = self._one("SELECT * FROM scenes WHERE id = ? AND owner = ?", (scene_id, owner))
        return _scene(row) if row is not None else None

    def list_scenes(self, owner: str, limit: int, offset: int) -> tuple[list[SceneRecord], int]:
        rows, total = self._page("scenes", "owner = ?", (owner,), limit, offset)
        return [_scene(r) for r in rows], total

    # -- export index ------------------------------------------------------------------
    def get_export(self, target_id: str, fmt: str) -> str | None:
        row = self._one("SELECT path FROM exports WHERE target_id = ? AND format = ?", (target_id, fmt))
        return row["path"] if row is not None else None

    def put_export(self, target_id: str, fmt: str, relpath: str) -> None:
        self._run(
            "INSERT INTO exports (target_id, format, path, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (target_id, format) DO UPDATE SET path = excluded.path",
            (target_id, fmt, relpath, utc_now()),
        )
