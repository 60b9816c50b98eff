"""What a user installs, built and measured the same way by the packaging tests and ``benchmarks/install_size.py``.

The build copies only the tracked files (no ``.venv``, no ``node_modules``, no built bundle) so
that the wheel is what ``python -m build`` on a clean checkout gives; the measure sums the
files each installed distribution's RECORD lists, so an install's size can be read per
distribution (which dependency costs what) as well as in total — split into the files under
site-packages (the Python install) and those elsewhere in the venv (scripts in ``bin``, and
Jupyter front-end files in ``share/jupyter``: ipywidgets' classic-notebook extension is most).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = "gizmo_notebook/static/widget.js"


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    """Run ``cmd``; a failure raises with the tail of its output (what a test report needs)."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def clean_checkout(dest: Path) -> Path:
    """Copy the tracked files (their working-tree versions) to ``dest``: a clean checkout."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, tracked.decode().split("\0")):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    if (dest / BUNDLE).exists():
        raise AssertionError("the bundle must not be tracked: the build has to make it")
    return dest


def build(src: Path, out: Path, *, wheel_only: bool = False) -> None:
    """``python -m build`` of ``src`` into ``out`` (the hatch hook builds the widget bundle)."""
    run([sys.executable, "-m", "build", *(["--wheel"] if wheel_only else []), "--outdir", str(out), str(src)], cwd=src)


def node_free_env(venv: Path) -> dict[str, str]:
    """The environment of a user's fresh venv: its ``bin`` only on the PATH (no node, no npm)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIZMO_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = str(venv / "bin")
    return env


def make_venv(venv: Path, python: str = sys.executable) -> Path:
    """A fresh venv at ``venv``; returns its interpreter."""
    run([python, "-m", "venv", str(venv)], cwd=venv.parent)
    return venv / "bin" / "python"


def pip_install(py: Path, *requirements: str) -> None:
    run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements], cwd=py.parent)


# Runs inside the measured venv: bytes of the files each distribution's RECORD lists, under
# site-packages and elsewhere.
_SIZES = r"""
import json, os, sysconfig
from importlib.metadata import distributions
from pathlib import Path
site = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")}
out = {"site": {}, "elsewhere": {}}
for dist in distributions():
    name = dist.metadata["Name"].lower().replace("_", "-")
    sizes = {"site": 0, "elsewhere": 0}
    for f in dist.files or ():
        p = Path(os.path.realpath(dist.locate_file(f)))
        if p.is_file():
            inside = any(str(p).startswith(s + os.sep) for s in site)
            sizes["site" if inside else "elsewhere"] += p.stat().st_size
    for where, size in sizes.items():
        out[where][name] = size
print(json.dumps(out))
"""


def distribution_sizes(py: Path) -> dict[str, dict[str, int]]:
    """Installed bytes per distribution in the venv of ``py`` (normalised names), as
    ``{"site": {name: bytes}, "elsewhere": {name: bytes}}``: the files under site-packages, and
    the rest (``bin``, ``share``)."""
    sizes: dict[str, dict[str, int]] = json.loads(run([str(py), "-c", _SIZES], cwd=py.parent))
    return sizes


def site_packages_bytes(py: Path) -> int:
    """Every file under the venv's site-packages (what the disk really holds)."""
    site = run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=py.parent).strip()
    return sum(f.stat().st_size for f in Path(site).rglob("*") if f.is_file() and not f.is_symlink())


def added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Bytes each distribution adds (new ones, and ones an install upgraded), largest first."""
    delta = {name: size - before.get(name, 0) for name, size in after.items() if size != before.get(name)}
    return dict(sorted(delta.items(), key=lambda kv: -kv[1]))
