"""10M triangles in ``gn.view``: time to a decimated view, and how long the kernel is held.

For each kind of mesh (the viewer benchmark's icosphere and shuffled orders), in one run:

* baseline: building the view of a mesh *at* the triangle budget (2M, nothing to decimate),
  on the main thread as usual;
* 10M: building the view of a 10M-triangle mesh of the same kind, decimated to the budget;
  printed as a ratio to the baseline (the machine's load cancels out);
* held: how long ``display`` kept the main thread (what the user waits before the next cell
  runs), and the longest pause a main-thread ticker saw while the worker encoded (meshoptimizer
  holds the GIL inside each call).

Run: ``.venv/bin/python benchmarks/bench_decimate.py [--triangles 10000000] [--kinds icosphere,shuffled]``.
No browser: the time is the kernel's (decimation + encoding), which is what grows with size.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_viewer import MESH_SOURCE  # noqa: E402


def _mesh(n: int, kind: str):
    scope: dict = {}
    exec(MESH_SOURCE, scope)
    return scope["bench_mesh"](n, kind)


def _view_seconds(mesh, budget: int) -> tuple[float, float, float, dict]:
    """(total s until the view's metadata exists, s the display held the main thread,
    longest main-thread pause while a worker encoded, triangle meta)."""
    import contextlib
    import io

    import gizmo_notebook as gn

    t0 = time.perf_counter()
    v = gn.view(mesh, triangle_budget=budget)
    with contextlib.redirect_stdout(io.StringIO()):  # no kernel: display() prints the repr
        v._ipython_display_()
    held = time.perf_counter() - t0
    longest = 0.0
    worker = v._worker
    if worker is not None:
        last = time.perf_counter()
        while worker.is_alive():  # the "next cell": how often does the main thread get to run?
            time.sleep(0.01)
            now = time.perf_counter()
            longest = max(longest, now - last - 0.01)
            last = now
    meta = v.meta
    return time.perf_counter() - t0, held, longest, meta["triangles"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, default=10_000_000)
    parser.add_argument("--budget", type=int, default=2_000_000)
    parser.add_argument("--kinds", default="icosphere,shuffled")
    args = parser.parse_args(argv)
    print(f"{'kind':<10} {'case':<16} {'view built':>11} {'ratio':>6} {'display held':>13} "
          f"{'longest pause':>14}  triangles shown / source")
    _view_seconds(_mesh(1_000, "icosphere"), args.budget)  # imports and the bundle: not the mesh's cost
    for kind in args.kinds.split(","):
        rows = []
        for label, n in (("baseline @budget", args.budget), (f"{args.triangles / 1e6:g}M decimated", args.triangles)):
            mesh = _mesh(n, kind)
            total, held, pause, tri = _view_seconds(mesh, args.budget)
            rows.append((label, total, held, pause, tri))
            del mesh
        base = rows[0][1]
        for label, total, held, pause, tri in rows:
            note = " (decimated)" if tri["decimated"] else ""
            print(f"{kind:<10} {label:<16} {total:>10.2f}s {total / base:>5.2f}x {held:>12.2f}s {pause:>13.2f}s  "
                  f"{tri['shown']:,} / {tri['source']:,}{note}", flush=True)
    return 0


if __name__ == "__main__":

    raise SystemExit(main())
