"""Time prompt -> model -> export file, per format, as the local server does it.

Goal (issue 3): generating and exporting a 6-DOF arm with gripper takes < 50 ms of server
time. For context the same run measures a trivial one-box model through the same exporter
(the fixed cost of each format's writer) and reports the first, cold call separately
(library imports, USD plugin loading, mesh booleans), which a server pays once at start-up.

Run: ``.venv/bin/python benchmarks/bench_generate_export.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROMPT = "A 6-DOF industrial robotic arm with a parallel jaw gripper"
GOAL_MS = 50.0


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, p95) wall time in milliseconds over ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def _one_box():  # -> AssetModel
    from gizmo_notebook.model import AssetModel, Box, Collision, Inertial, Link, Visual

    box = Box((0.1, 0.1, 0.1))
    return AssetModel("box", [Link("box", [Visual(box)], [Collision(box)], Inertial(1.0, inertia=(1.7e-3,) * 3 + (0.0,) * 3))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    cold_start = time.perf_counter()
    from gizmo_notebook.formats import EXPORT_FORMATS
    from gizmo_notebook.local.exporters import EXPORT_SUFFIX, export_model
    from gizmo_notebook.local.generator import generate

    out = Path(tempfile.mkdtemp(prefix="gizmo-bench-"))
    model = generate(PROMPT)
    for fmt in EXPORT_FORMATS:
        export_model(model, fmt, out, "cold")
    cold_ms = (time.perf_counter() - cold_start) * 1000.0

    box = _one_box()
    print(f"prompt: {PROMPT!r} -> {model!r}")
    print(f"cold first call (imports + USD plugins + meshes, all 3 formats): {cold_ms:.0f} ms (paid once per process)")
    gen_med, gen_p95 = _timed(lambda: generate(PROMPT), args.repeat)
    print(f"generate only:                     median {gen_med:6.2f} ms   p95 {gen_p95:6.2f} ms")
    print()
    print(f"{'format':<16} {'generate+export':>16} {'p95':>8} {'1-box export':>13} {'ratio':>7}  {'size':>9}  goal {GOAL_MS:.0f} ms")
    total = 0.0
    for fmt in EXPORT_FORMATS:
        med, p95 = _timed(lambda fmt=fmt: export_model(generate(PROMPT), fmt, out, "arm"), args.repeat)
        base, _ = _timed(lambda fmt=fmt: export_model(box, fmt, out, "box"), args.repeat)
        nbytes = (out / f"arm{EXPORT_SUFFIX[fmt]}").stat().st_size
        total += med
        verdict = "ok" if med < GOAL_MS else "OVER"
        print(f"{fmt:<16} {med:13.2f} ms {p95:5.2f} ms {base:10.2f} ms {med / base:6.1f}x  {nbytes / 1024:7.1f} kB  {verdict}")
    def all_formats() -> None:
        fresh = generate(PROMPT)
        for fmt in EXPORT_FORMATS:
            export_model(fresh, fmt, out, "all")

    all_med, all_p95 = _timed(all_formats, args.repeat)
    print()
    print(f"generate once + export all three formats: median {all_med:.2f} ms, p95 {all_p95:.2f} ms "
          f"({'ok' if all_med < GOAL_MS else 'OVER'} vs {GOAL_MS:.0f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
