"""Prompt lineage: which asset an iteration came from.

The Gizmo API has no parent field, so lineage is kept in two places:

* a tag ``parent:<asset id>`` sent with the new asset, so it lives on the server and every
  machine that lists the account sees it (the primary record);
* a small JSON file in the user data dir (``$GIZMO_DATA_DIR`` or platformdirs'
  ``user_data_dir("gizmo-notebook")``, then ``studio/lineage.json``) mapping child id -> parent id, kept
  in case a tag is stripped or edited elsewhere.

The tag wins when both exist. The file is rewritten atomically (temp file + rename) so a
crash never leaves half a JSON document.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import gizmo_notebook.paths as paths

PARENT_TAG_PREFIX = "parent:"


def data_dir() -> Path:
    return paths.data_dir() / "studio"


def write_json_atomically(path: Path, data: object) -> None:
    """Temp file + rename: a crash never leaves half a JSON document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def parent_tag(parent_id: str) -> str:
    return f"{PARENT_TAG_PREFIX}{parent_id}"


def parent_from_tags(tags: Iterable[str] | None) -> str | None:
    for tag in tags or ():
        if tag.startswith(PARENT_TAG_PREFIX) and len(tag) > len(PARENT_TAG_PREFIX):
            return tag[len(PARENT_TAG_PREFIX) :]
    return None


def user_tags(tags: Sequence[str] | None) -> list[str]:
    """Tags without the bookkeeping ``parent:`` tag (what the list shows and filters on)."""
    return [t for t in tags or () if not t.startswith(PARENT_TAG_PREFIX)]


class LineageStore:
    """child id -> parent id, persisted to ``path`` (default ``data_dir()/lineage.json``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "lineage.json"
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, OSError):
            return {}
        parents = data.get("parents", {}) if isinstance(data, dict) else {}
        return {str(k): str(v) for k, v in parents.items() if isinstance(v, str)}

    def all(self) -> dict[str, str]:
        with self._lock:
            return self._read()

    def get(self, child_id: str) -> str | None:
        return self.all().get(child_id)

    def record(self, child_id: str, parent_id: str) -> None:
        with self._lock:
            parents = self._read()
            parents[child_id] = parent_id
            self._write(parents)

    def _write(self, parents: dict[str, str]) -> None:
        write_json_atomically(self.path, {"version": 1, "parents": parents})

    def replace_parent(self, old_id: str, new_id: str) -> None:
        """Children recorded under ``old_id`` (a current-API job still running when its child was
        made) now point at ``new_id`` (the asset the job made)."""
        with self._lock:
            parents = self._read()
            if old_id not in parents.values():
                return
            self._write({child: new_id if parent == old_id else parent for child, parent in parents.items()})

    def parent_of(self, child_id: str, tags: Iterable[str] | None = None) -> str | None:
        """The parent from the asset's tags, else from the local file."""
        return parent_from_tags(tags) or self.get(child_id)

    def chain(self, child_id: str, tags_by_id: dict[str, Sequence[str]] | None = None) -> list[str]:
        """Ancestors of ``child_id``, nearest first (stops on unknown ids and cycles)."""
        tags_by_id = tags_by_id or {}
        out: list[str] = []
        seen = {child_id}
        current = child_id
        while True:
            parent = self.parent_of(current, tags_by_id.get(current))
            if parent is None or parent in seen:
                return out
            out.append(parent)
            seen.add(parent)
            current = parent
