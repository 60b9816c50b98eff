"""Run every ``benchmarks/bench_*.py`` in turn and print what each prints (``make bench``).

Each benchmark runs in its own interpreter (this venv's), with its default arguments, so one
benchmark's warm caches or threads cannot flatter the next. A failing benchmark is reported
and the run continues; the exit status is non-zero if any failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the benchmarks whose file name contains any of ``argv`` (all of them without arguments)."""
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not argv or any(a in p.name for a in argv))
    if not scripts:
        print(f"no benchmarks matched {argv} in {HERE}", file=sys.stderr)
        return 2
    failed: list[str] = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        took = time.perf_counter() - started
        status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"=== {script.name}: {status} in {took:.1f} s\n", flush=True)
        if result.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"{len(failed)} benchmark(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
