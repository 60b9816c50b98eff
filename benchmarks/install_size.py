"""How many MB ``pip install gizmo-notebook`` adds to a notebook user's venv, per distribution.

Issue #13's goal: a user who only wants the client and the Studio should not need a 100 MB
install. A user of this package already has a kernel, so the cost that matters is what the
core wheel *adds* on top of one: this builds the wheel from the checkout (tracked files only,
the same build as ``tests/packaging``), makes a baseline venv per baseline (``ipykernel``, and
``jupyterlab`` — a full lab install), installs the wheel (plus ``--extra`` extras if asked),
and prints the site-packages delta per top-level distribution.

Not a ``bench_*`` file on purpose: ``make bench`` does not run it (it needs the network and a
few minutes). Run it as ``python benchmarks/install_size.py [--wheel dist/x.whl] [--baseline ipykernel]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.packaging import _dists  # noqa: E402  (the checkout's helpers, not an installed package)

BASELINES = {"ipykernel": ["ipykernel"], "jupyterlab": ["jupyterlab"]}
MB = 1_000_000  # decimal megabytes, as pip and PyPI count them


def measure(wheel: Path, baseline: str, extras: str, work: Path) -> dict[str, dict[str, int]]:
    """Bytes the wheel adds per distribution on ``baseline``: ``{"site": ..., "elsewhere": ...}``
    (site-packages, and the rest of the venv), plus ``{"disk": {"site-packages": bytes}}``, the
    site-packages directory's own growth (a check on the per-distribution sums)."""
    py = _dists.make_venv(work / f"venv-{baseline}")
    _dists.pip_install(py, *BASELINES[baseline])
    before, disk_before = _dists.distribution_sizes(py), _dists.site_packages_bytes(py)
    _dists.pip_install(py, f"gizmo-notebook[{extras}] @ {wheel.as_uri()}" if extras else str(wheel))
    after, disk_after = _dists.distribution_sizes(py), _dists.site_packages_bytes(py)
    grown = {where: _dists.added(before[where], after[where]) for where in ("site", "elsewhere")}
    return {**grown, "disk": {"site-packages": disk_after - disk_before}}


def _rows(per_dist: dict[str, int]) -> None:
    for name, size in per_dist.items():
        if abs(size) >= 0.05 * MB:
            print(f"  {name:<28} {size / MB:+7.1f} MB")
    small = [s for s in per_dist.values() if abs(s) < 0.05 * MB]
    if small:
        print(f"  {f'({len(small)} more, each < 0.05 MB)':<28} {sum(small) / MB:+7.1f} MB")


def report(baseline: str, extras: str, grown: dict[str, dict[str, int]]) -> None:
    label = f"gizmo-notebook[{extras}]" if extras else "gizmo-notebook (core)"
    site, elsewhere = sum(grown["site"].values()), sum(grown["elsewhere"].values())
    print(f"\n{label} on a fresh venv with {baseline}: +{site / MB:.1f} MB in site-packages "
          f"(the directory grew {grown['disk']['site-packages'] / MB:+.1f} MB), +{elsewhere / MB:.1f} MB elsewhere "
          f"in the venv, +{(site + elsewhere) / MB:.1f} MB in all")
    _rows(grown["site"])
    print("  elsewhere in the venv (bin, share/jupyter):")
    _rows(grown["elsewhere"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="measure this wheel instead of building one from the checkout")
    parser.add_argument("--baseline", choices=sorted(BASELINES), action="append",
                        help="the venv's starting point (repeatable; default: all)")
    parser.add_argument("--extra", default="", help="extras to install with the wheel, e.g. 'textures'")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gizmo-install-size-") as tmp:
        work = Path(tmp)
        wheel = args.wheel
        if wheel is None:
            out = work / "dist"
            _dists.build(_dists.clean_checkout(work / "checkout"), out, wheel_only=True)
            wheel, = out.glob("*.whl")
        print(f"wheel: {wheel.name} ({wheel.stat().st_size / MB:.1f} MB)")
        for baseline in args.baseline or list(BASELINES):
            report(baseline, args.extra, measure(wheel.resolve(), baseline, args.extra, work))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
