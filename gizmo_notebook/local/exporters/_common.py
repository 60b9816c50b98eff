"""Helpers every exporter shares: atomic writes, safe identifiers, mesh files, motor gains.

Kept apart from the format modules so each of those reads as "how format X spells an
AssetModel" and nothing else.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import numpy as np

from ..._names import claim_unique
from ...errors import GizmoError
from ...model import AssetModel, Joint, Link, Mesh

__all__ = [
    "WORLD_LINK",
    "ExportError",
    "MeshTable",
    "atomic_write",
    "drive_gains",
    "is_world_anchored",
    "unique_identifiers",
    "zip_entry",
]

WORLD_LINK = "world"


class ExportError(GizmoError, ValueError):
    """The model cannot be written in the requested format (says what to change)."""


def is_world_anchored(model: AssetModel) -> bool:
    """Fixed-base convention shared with the generator: a massless root link named ``world``."""
    root = model.root
    return root.name == WORLD_LINK and root.inertial is None


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write ``path`` via a temp file in the same directory and an atomic rename.

    A reader (the download handler) sees either the previous file or the complete new one,
    never a half-written export; on any error the temp file is removed and nothing remains.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def zip_entry(name: str) -> zipfile.ZipInfo:
    """A deflated archive member with a fixed timestamp: the same model gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


_IDENT_BAD = re.compile(r"[^A-Za-z0-9_]")


def unique_identifiers(names: Iterable[str], reserved: Iterable[str] = ()) -> dict[str, str]:
    """Map each name to a distinct identifier ``[A-Za-z_][A-Za-z0-9_]*`` (USD prim, XML-safe),
    none of them one of the format's ``reserved`` names."""
    out: dict[str, str] = {}
    used: set[str] = set(reserved)
    for name in names:
        if name in out:
            continue
        ident = _IDENT_BAD.sub("_", name) or "_"
        if ident[0].isdigit():
            ident = f"_{ident}"
        out[name] = claim_unique(ident, used)
    return out


class MeshTable:
    """Assigns each distinct :class:`Mesh` (by identity) one file stem, unique in the export."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[str, Mesh]] = {}
        self._used: set[str] = set()

    def name(self, mesh: Mesh) -> str:
        entry = self._by_id.get(id(mesh))
        if entry is not None:
            return entry[0]
        base = _IDENT_BAD.sub("_", mesh.name) or "mesh"
        candidate, n = base, 1
        while candidate in self._used:
            n += 1
            candidate = f"{base}_{n}"
        self._used.add(candidate)
        self._by_id[id(mesh)] = (candidate, mesh)
        return candidate

    def items(self) -> list[tuple[str, Mesh]]:
        return list(self._by_id.values())


def default_inertia(link: Link) -> tuple[float, np.ndarray, np.ndarray]:
    """(mass, com, 3x3 tensor in the link frame) — a small stand-in for links without inertial."""
    if link.inertial is None:
        return 0.01, np.zeros(3), np.eye(3) * 1e-5
    inertial = link.inertial
    rot = inertial.origin.matrix()[:3, :3]
    return inertial.mass, np.asarray(inertial.origin.xyz), rot @ inertial.tensor() @ rot.T


def drive_gains(joint: Joint) -> tuple[float, float]:
    """Position-servo stiffness and damping for ``joint`` (SI: N·m/rad or N/m, and per-velocity).

    Stiff enough that full rated effort is reached at a small error (~3 deg or ~5 mm), so a
    servo holds its pose against gravity; damping gives a ~50 ms time constant.
    """
    effort = joint.limits.effort if joint.limits is not None and joint.limits.effort > 0 else 10.0
    error = 0.005 if joint.type == "prismatic" else math.radians(3)
    kp = effort / error
    return kp, kp * 0.05 + joint.damping


def is_passive(joint: Joint) -> bool:
    """A movable joint rated at zero effort is unpowered (caster swivels, idler rollers): no motor."""
    return joint.limits is not None and joint.limits.effort == 0.0


def effort_of(joint: Joint, default: float = 10.0) -> float:
    if joint.limits is not None and joint.limits.effort > 0 and math.isfinite(joint.limits.effort):
        return joint.limits.effort
    return default


def velocity_of(joint: Joint, default: float = 2.0) -> float:
    if joint.limits is not None and joint.limits.velocity > 0 and math.isfinite(joint.limits.velocity):
        return joint.limits.velocity
    return default


def fmt(values: Iterable[float]) -> str:
    """Space-separated numbers, shortest round-trip form (deterministic, compact)."""
    return " ".join(_num(v) for v in values)


def _num(value: float) -> str:
    value = float(value)
    if value == 0.0:
        return "0"
    text = repr(round(value, 9))
    return text[:-2] if text.endswith(".0") else text
