"""The package's layers, enforced: every import points down, none points back up or sideways.

Read from the bottom: foundation modules (the root error, the version, formats, paths, archive
helpers, the ``AssetModel``, the offline port) import nothing of the package above them; the client and the
offline server are peers that never import each other; loaders, viewer and Studio build on
those; only the package root composes everything (it registers the offline default, see
``gizmo_notebook/_offline.py``). The static check reads every ``import`` in the source,
function-local ones included, because a lazy import is still an arrow.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gizmo_notebook"

FOUNDATION = {"errors", "_version", "_names", "_offline", "_archive", "formats", "paths", "model", "_loop_solver", "_converters", "_optional"}

# unit -> the units it may import (besides itself). A unit is a top-level module or subpackage.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_version": set(),
    "_names": set(),
    "_offline": set(),
    "_converters": {"errors"},
    "_optional": {"errors"},
    "_archive": {"errors"},
    "formats": {"errors"},
    "paths": {"errors"},
    "model": {"errors", "_loop_solver", "_optional"},  # close_loops names the scipy extra when it is missing
    "_loop_solver": {"errors", "model"},  # model.close_loops() calls it lazily; it reads the model's types
    "client": FOUNDATION - {"model"},
    "local": FOUNDATION - {"_offline"},
    "loaders": FOUNDATION | {"client"},
    # simulation runs a model through the MJCF exporter (which lives with the offline server today)
    "sim": FOUNDATION | {"loaders", "local"},
    "viewer": FOUNDATION | {"loaders", "sim"},
    "studio": FOUNDATION | {"client", "loaders", "viewer", "sim"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in ``path``; ``from pkg import name`` yields ``pkg.name``."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
            found.append((node.lineno, target))
    return [(line, name) for line, name in found if name == "gizmo_notebook" or name.startswith("gizmo_notebook.")]


def _unit(module: str) -> str | None:
    """``gizmo_notebook.client._config`` -> ``client``; the root itself -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def _is_unit(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name / "__init__.py").exists()


def test_every_unit_has_a_place_in_the_layers():
    units = {_unit(_module_name(p)) for p in _sources()}
    missing = sorted(u for u in units if u not in ALLOWED)
    assert not missing, f"new top-level module(s) {missing}: give each a row in ALLOWED in {Path(__file__).name}"


def _root_imports(path: Path) -> list[int]:
    """Lines of ``path`` that import the package root itself (``import gizmo_notebook``,
    ``from gizmo_notebook import x``, ``from .. import x`` reaching the root)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import) and any(alias.name == "gizmo_notebook" for alias in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and not node.module:
            if node.level and package.count(".") + 1 - node.level == 0:
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "gizmo_notebook" and not node.level:
            lines.append(node.lineno)
    return lines


def test_no_module_imports_the_package_root():
    """``from gizmo_notebook import __version__`` (or ``load``, ``view``) inside the package points back
    up at the composition root; even ``from gizmo_notebook import client`` reads so: spell it
    ``import gizmo_notebook.client``."""
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}" for path in _sources() for line in _root_imports(path)]
    assert not offenders, "modules that import the package root:\n" + "\n".join(offenders)


def test_imports_point_down_the_layers():
    offenders = []
    for path in _sources():
        source = _unit(_module_name(path))
        for line, name in _imports(path):
            target = _unit(name)
            if target is None or target == source or not _is_unit(target):
                continue  # root imports are the previous test's business; `pkg.name` of a non-module: skip
            if target not in ALLOWED.get(source, set()):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {source} -> {target} ({name})")
    assert not offenders, "imports that point up or sideways:\n" + "\n".join(offenders)


@pytest.mark.parametrize("unit", ["client", "local"])
def test_importing_a_peer_loads_none_of_the_others(unit):
    """At run time too: the client loads no server, loader, viewer or Studio code, and the server no client."""
    others = sorted({"client", "local", "loaders", "viewer", "studio"} - {unit})
    code = (
        f"import sys, gizmo_notebook.{unit}\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[:2] in [['gizmo_notebook', o] for o in {others!r}]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
