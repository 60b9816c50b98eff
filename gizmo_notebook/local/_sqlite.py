"""What both offline stores share: one SQLite connection behind one lock, and job leases.

One connection guarded by a lock: every statement the stores issue is a primary-key lookup or a
short insert/update (microseconds), so serialising them costs less than juggling per-thread
connections, and the generation/export work that *is* slow never holds the lock. WAL mode
lets another process (a second notebook on the same data dir) read while we write.

Job leases: several server processes may share one data dir, and each unfinished job must run
in exactly one of them. A job row names its *holder* (one server process) and a lease time the
holder renews while it runs; a server takes over only jobs with no live holder (never leased,
released at a clean shutdown, or whose lease ran out), with one conditional ``UPDATE`` so that
of two claimants only one wins. The alpha store leases its assets, the current one its jobs:
the table, the holder column and what "unfinished" means are a subclass's three class attributes.

Rows written by older versions: they stored JSON columns with ``\\udXXX`` escapes of lone UTF-16
surrogates (text cut mid-emoji). Decoded, such a string cannot be encoded as UTF-8, and one of them
made every listing of its owner a 500; :func:`clean_text` and :func:`load_json` read them as U+FFFD.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

__all__ = ["DEFAULT_JOB_LEASE", "SqliteStore", "clean_text", "load_json"]

#: Seconds a server holds a job without renewing (it renews every third of that while it runs).
DEFAULT_JOB_LEASE = 15.0


def clean_text(text: str) -> str:
    """``text`` with lone UTF-16 surrogates replaced by U+FFFD (see the module docstring)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean_value(v) for k, v in value.items()}
    return value


def load_json(text: str) -> Any:
    """A JSON column's value, every string in it (keys included) cleaned with :func:`clean_text`."""
    return _clean_value(json.loads(text))


class SqliteStore:
    """The connection, its lock, small query helpers and the lease operations of one store."""

    #: The table whose rows are leased jobs (``assets`` in the alpha store, ``jobs`` in the current one).
    LEASED_TABLE: ClassVar[str]
    #: The column naming the server process that holds a row's job.
    HOLDER_COLUMN: ClassVar[str]
    #: SQL condition true for a row whose job has not finished, e.g. ``status IN ('queued', 'running')``.
    UNFINISHED: ClassVar[str]

    def __init__(self, path: Path, schema: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(schema)
            self._migrate()

    def _migrate(self) -> None:
        """Bring a data dir written by an older version up to the schema (runs under the lock)."""

    def _add_columns(self, table: str, columns: Mapping[str, str]) -> None:
        """Add the ``columns`` (name -> type and constraints) that ``table`` lacks (under the lock).

        Another process opening the same data dir may add one first: that is not an error.
        """
        present = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
        for column, kind in columns.items():
            if column in present:
                continue
            try:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc):
                    raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _one(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _run(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Execute one statement; returns how many rows it changed."""
        with self._lock:
            return self._db.execute(sql, args).rowcount

    def _page(self, table: str, where: str, args: Sequence[Any], limit: int, offset: int) -> tuple[list[sqlite3.Row], int]:
        """One page of ``table`` newest first, and how many rows match ``where`` in all (one snapshot)."""
        with self._lock:
            total = self._db.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", args).fetchone()[0]
            if offset >= total:
                return [], total
            rows = self._db.execute(
                f"SELECT * FROM {table} WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?", [*args, limit, offset]
            ).fetchall()
        return rows, total

    # -- job leases -----------------------------------------------------------------------
    @property
    def _unheld(self) -> str:
        """SQL: never leased (rows from before leases), released, or the lease ran out before ``?``."""
        return f"({self.HOLDER_COLUMN} IS NULL OR lease_until IS NULL OR lease_until < ?)"

    def _orphan_rows(self, at: float) -> list[sqlite3.Row]:
        """Unfinished rows whose job has no live holder at time ``at``, oldest first."""
        return self._all(
            f"SELECT * FROM {self.LEASED_TABLE} WHERE {self.UNFINISHED} AND {self._unheld} ORDER BY seq",
            (at,),
        )

    def claim_job(self, job_id: str, holder: str, at: float, lease_until: float) -> bool:
        """Take over an unfinished job with no live holder; atomic, so only one claimant wins."""
        changed = self._run(
            f"UPDATE {self.LEASED_TABLE} SET {self.HOLDER_COLUMN} = ?, lease_until = ? WHERE id = ? "
            f"AND {self.UNFINISHED} AND {self._unheld}",
            (holder, lease_until, job_id, at),
        )
        return changed == 1

    def holds(self, job_id: str, holder: str) -> bool:
        """Whether ``holder`` still holds the job (another server may have taken it over while it was
        paused past its lease); a holder that lost its job stops working on it."""
        return self._one(
            f"SELECT 1 FROM {self.LEASED_TABLE} WHERE id = ? AND {self.HOLDER_COLUMN} = ?", (job_id, holder)
        ) is not None

    def renew_leases(self, holder: str, lease_until: float) -> None:
        """Extend every lease ``holder`` has on an unfinished job (its heartbeat)."""
        self._run(
            f"UPDATE {self.LEASED_TABLE} SET lease_until = ? WHERE {self.HOLDER_COLUMN} = ? AND {self.UNFINISHED}",
            (lease_until, holder),
        )

    def release_jobs(self, holder: str) -> None:
        """Give up every unfinished job at a clean shutdown, so the next server resumes them at once."""
        self._run(
            f"UPDATE {self.LEASED_TABLE} SET lease_until = 0 WHERE {self.HOLDER_COLUMN} = ? AND {self.UNFINISHED}",
            (holder,),
        )
