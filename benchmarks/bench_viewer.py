"""Viewer benchmark: ours vs pythreejs vs trimesh's notebook viewer, side by side, one run.

For 10k / 100k / 1M-triangle meshes, in a private JupyterLab 4 driven by headless Chromium
(SwiftShader, no GPU), it measures:

* first frame: from the viewer cell's start (stamped by the kernel's wall clock) to the end
  of the first WebGL frame that drew the whole mesh (an init script counts the triangles each
  context draws per task and, when a task has drawn them all, reads one pixel back, which
  waits for the GPU to finish). The same probe for every viewer. The time until a screenshot of the canvas shows >= 97% of its
  final pixels is printed too; it is coarser (a screenshot on SwiftShader can take a second);
* its draw: that frame's own GL work, from its first draw call until the GPU finished. Without a
  GPU both viewers pay about the same for the same triangles, so the summary lines say what a
  first-frame goal leaves for everything before the draw (kernel, transfer, decoding);
* websocket bytes received by the page while the cell runs and renders;
* saved notebook: the notebook saved by JupyterLab (widget state saved with it) — the bytes
  of its widget-state metadata plus the viewer cell's outputs;

each against raw = float32 positions + uint32 indices. Then the per-preview cost of small
previews (does each one carry the three.js bundle?).

Run: ``.venv/bin/python benchmarks/bench_viewer.py [--sizes 10000,100000,1000000]``.
Needs Chromium (see tests/browser/_harness.py); takes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from _harness import (  # noqa: E402
    Browser,
    JupyterServer,
    count_foreground,
    save_notebook,
    start_run_all,
    wait_cells_done,
)

# The test meshes, defined once for the kernel (as a cell) and for this process (raw sizes).
# Three kinds, since a viewer's figures can hold only for friendly triangle orders:
# "icosphere" (neighbouring triangles adjacent in the buffer), "halves" (a noisy grid torus whose
# quads' two triangles come in two separate halves, as CAD tessellators and scanners often
# write them) and "shuffled" (the icosphere's triangles in random order).
MESH_SOURCE = """
import numpy as np, trimesh
def bench_mesh(n, kind="icosphere"):
    if kind == "robot":  # a real robot description: n is ignored
        import sysconfig, pathlib, gizmo_notebook as gn
        return gn.load(pathlib.Path(sysconfig.get_paths()["purelib"]) / ROBOT)
    if kind == "halves":
        k = int(np.sqrt(n / 2))
        u, w = (g.ravel() for g in np.meshgrid(np.arange(k), np.arange(k), indexing="ij"))
        a, b = 2 * np.pi * u / k, 2 * np.pi * w / k
        r = 0.3 * (1 + 0.02 * np.random.default_rng(1).standard_normal(len(a)))
        v = np.stack([(1 + r * np.cos(b)) * np.cos(a), (1 + r * np.cos(b)) * np.sin(a), r * np.sin(b)], 1)
        idx = lambda i, j: (i % k) * k + (j % k)
        first = np.stack([idx(u, w), idx(u + 1, w), idx(u + 1, w + 1)], 1)
        second = np.stack([idx(u, w), idx(u + 1, w + 1), idx(u, w + 1)], 1)
        return trimesh.Trimesh(v, np.concatenate([first, second])[:n], process=False)
    sub = int(np.ceil(np.log(n / 20) / np.log(4)))
    ico = trimesh.creation.icosphere(subdivisions=sub)
    rng = np.random.default_rng(0)
    v = ico.vertices * (1 + 0.01 * rng.standard_normal((len(ico.vertices), 1)))
    faces = ico.faces[:n]
    if kind == "shuffled":
        faces = faces[np.random.default_rng(2).permutation(len(faces))]
    m = trimesh.Trimesh(v, faces, process=False)
    m.remove_unreferenced_vertices()
    return m
"""
KINDS = ("icosphere", "halves", "shuffled", "robot")
# "robot": PAL's TIAGo++ (two arms, two grippers) from example-robot-data: 130 links, 111 visuals
# (70 of them meshes: STL/DAE files), ~160k triangles. First frame is about many small
# geometries here, not one big one. Only our viewer and pythreejs can show an articulated model.
ROBOT = "cmeel.prefix/share/example-robot-data/robots/tiago_description/robots/tiago_dual.urdf"
MESH_SOURCE = MESH_SOURCE.replace("ROBOT)", f"{ROBOT!r})")

MESH_CELL = MESH_SOURCE + """
import gizmo_notebook as gn, pythreejs
mesh = bench_mesh({n}, {kind!r})
"""

VIEWERS = {
    # "ours": an earlier cell of the notebook has shown a gizmo widget already (the quickstart
    # opens a Studio first; %load_ext gizmo_notebook has the same effect), so the page has
    # three.js loaded. "ours-cold": the view cell is the first to use gizmo_notebook's viewer,
    # so its imports and the three.js bundle's transfer and load are part of the time.
    "ours": ("gn.view(mesh, height=480)", ".jp-OutputArea-output .gizmo-viewport canvas"),
    "ours-cold": ("gn.view(mesh, height=480)", ".jp-OutputArea-output .gizmo-viewport canvas"),
    "pythreejs": ("gn.view(mesh, height=480, renderer='pythreejs')", ".jp-OutputArea-output canvas"),
    "trimesh": ("trimesh.Scene(mesh).show(viewer='jupyter', height=480)", ".jp-OutputArea-output iframe"),
}


@dataclass
class Result:
    viewer: str
    triangles: int
    kind: str
    raw: int
    first_frame: float
    ws_bytes: int
    saved: int
    screenshot: float = 0.0  # first >= 97% screenshot, for comparison (coarser)
    timeline: dict[str, float] | None = None  # our viewer's performance marks, s after the cell start
    draw: float = 0.0  # the first frame's own draw: its first draw call until the GPU is done


def _raw_bytes(n: int, kind: str = "icosphere") -> int:
    """float32 positions + uint32 indices of the benchmark mesh (built here as in the kernel)."""
    scope: dict[str, Any] = {}
    exec(MESH_SOURCE, scope)
    m = scope["bench_mesh"](n, kind)
    meshes = [m] if kind != "robot" else _scene_meshes(m)
    return sum(len(x.vertices) * 12 + len(x.faces) * 12 for x in meshes)


def _scene_meshes(model: Any) -> list[Any]:
    """Each placed mesh of a model's scene (what both viewers draw)."""
    scene = model.scene
    return [scene.geometry[scene.graph[node][1]] for node in scene.graph.nodes_geometry]


def _robot_triangles() -> int:
    scope: dict[str, Any] = {}
    exec(MESH_SOURCE, scope)
    return sum(len(m.faces) for m in _scene_meshes(scope["bench_mesh"](0, "robot")))


# Injected into every frame of the page (the trimesh viewer draws inside an iframe): counts the
# indices each WebGL context draws per task; the moment one task has drawn the whole mesh, a
# 1-pixel readPixels waits until the GPU has finished those draws (gl.finish() returns at once
# in Chromium, so it cannot be used for this) and the wall-clock time is recorded on the top
# window. Uniform for all three viewers, and independent of the page's busy main thread.
_DRAW_PROBE = """
(() => {
  const target = __TARGET__;
  const pixel = new Uint8Array(4);
  const begin = (gl) => {
    if (!gl.__pending) {
      gl.__pending = true;
      gl.__drawn = 0;
      gl.__since = Date.now();  // the task's first draw call: where the frame's own GL work starts
      setTimeout(() => { gl.__pending = false; }, 0);  // a new task starts a new count
    }
  };
  const record = (gl, n) => {
    gl.__drawn += n;
    if (gl.__drawn >= target && !gl.__done) {
      gl.__done = true;
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
      const t = Date.now();
      try {
        if (!window.top.__gizmoFirstFrame) {
          window.top.__gizmoFirstFrame = t;
          window.top.__gizmoDraw = t - gl.__since;  // that frame's draw calls until the GPU is done
        }
      } catch (e) {}
    }
  };
  // a draw clipped to a few pixels is no frame anyone sees: the viewer uploads small meshes as
  // they arrive with one draw into a single pixel (viewport.prepare), before the model is shown
  const seen = (gl) => {
    if (!gl.isEnabled(gl.SCISSOR_TEST)) return true;
    const box = gl.getParameter(gl.SCISSOR_BOX);
    return box[2] * box[3] > 16;
  };
  for (const C of [self.WebGLRenderingContext, self.WebGL2RenderingContext]) {
    if (!C) continue;
    const de = C.prototype.drawElements, da = C.prototype.drawArrays;
    C.prototype.drawElements = function (m, count, type, off) {
      const counted = m === this.TRIANGLES && seen(this);
      if (counted) begin(this);
      de.call(this, m, count, type, off);
      if (counted) record(this, count);
    };
    C.prototype.drawArrays = function (m, first, count) {
      const counted = m === this.TRIANGLES && seen(this);
      if (counted) begin(this);
      da.call(this, m, first, count);
      if (counted) record(this, count);
    };
  }
})();
"""


class _Frames:
    """Bytes the page receives on kernel websockets (``since``: only frames after that time)."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, int]] = []
        self.counting = False

    def received(self, since: float = 0.0) -> int:
        return sum(n for t, n in self.frames if t >= since)

    def attach(self, page: Any) -> None:
        def on_ws(ws: Any) -> None:
            ws.on("framereceived", self._on_frame)

        page.on("websocket", on_ws)

    def _on_frame(self, payload: Any) -> None:
        if self.counting:
            size = len(payload) if isinstance(payload, (bytes, bytearray)) else len(payload.encode())
            self.frames.append((time.time(), size))


def measure(server: JupyterServer, browser: Browser, viewer: str, n: int, raw: int, kind: str = "icosphere") -> Result:
    code, selector = VIEWERS[viewer]
    name = f"bench-{viewer}-{kind}-{n}.ipynb"
    stamp = server.root / f"t0-{viewer}-{kind}-{n}.txt"
    stamp.unlink(missing_ok=True)
    # The viewer cell stamps its start with the kernel's wall clock: the page's own clock
    # cannot be trusted for this, since a big WebGL upload blocks its main thread.
    timed = f"import time as _t, pathlib as _p; _p.Path({stamp.name!r}).write_text(repr(_t.time()))\n{code}"
    setup = MESH_CELL.replace("{n}", str(n)).replace("{kind!r}", repr(kind))
    if viewer == "ours":  # an earlier gizmo widget on the page, shown before the mesh is built
        setup = ("import gizmo_notebook as gn, trimesh\n"
                 "display(gn.view(trimesh.creation.box(), height=120))\n") + setup
    path = server.write_notebook(name, [setup, timed])
    frames = _Frames()

    def before_goto(page: Any) -> None:
        frames.attach(page)
        page.add_init_script(_DRAW_PROBE.replace("__TARGET__", str(int(n * 3 * 0.97))))

    page = browser.open_notebook(server, path, before_goto=before_goto)
    frames.counting = True
    start_run_all(page)
    element = page.wait_for_selector(selector, state="attached", timeout=180_000)
    t0 = float(stamp.read_text())
    samples: list[tuple[float, int]] = []
    stable_since, last = None, -1
    while time.time() - t0 < 240:
        try:
            count = count_foreground(element.screenshot(timeout=60_000))
        except Exception:  # element re-rendered; find it again
            element = page.wait_for_selector(selector, state="attached", timeout=60_000)
            continue
        now = time.time() - t0  # when the screenshot came back: the frame was shown by then
        samples.append((now, count))
        if count > 1000 and abs(count - last) <= max(50, 0.005 * count):
            stable_since = stable_since or now
            if now - stable_since > 2.5:
                break
        else:
            stable_since = None
        last = count
    final = samples[-1][1]
    drawn_at = page.evaluate("() => window.__gizmoFirstFrame || null")
    draw = page.evaluate("() => window.__gizmoDraw || 0") / 1000
    if not drawn_at or final < 1000:
        raise RuntimeError(f"{viewer} at {n} triangles never drew the whole mesh (pixels: {final})")
    first = drawn_at / 1000 - t0
    marks = page.evaluate(
        "() => Object.fromEntries(performance.getEntriesByType('mark')"
        ".filter((m) => m.name.startsWith('gizmo:'))"
        ".map((m) => [m.name.slice(6), (performance.timeOrigin + m.startTime) / 1000]))"
    )
    timeline = {k: round(v - t0, 3) for k, v in marks.items()} or None
    screenshot_first = next(t for t, c in samples if c >= 0.97 * final)
    wait_cells_done(page, timeout=120)
    page.wait_for_timeout(500)
    frames.counting = False
    save_notebook(page)
    nb = json.loads(path.read_text())
    saved = len(json.dumps(nb["metadata"].get("widgets", {}))) + len(json.dumps(nb["cells"][1]["outputs"]))
    page.close()
    server.shutdown_kernels()
    return Result(viewer, n, kind, raw, first, frames.received(since=t0), saved, screenshot_first, timeline, draw)


def small_previews(server: JupyterServer, browser: Browser, count: int = 5) -> dict[str, float]:
    """Bytes on the wire and in the saved notebook for each of ``count`` small previews."""
    cells = [MESH_CELL.replace("{n}", "1000").replace("{kind!r}", "'icosphere'")]
    cells += [f"gn.view(bench_mesh(1000 + {i} * 20), height=200)" for i in range(count)]
    path = server.write_notebook("bench-small.ipynb", cells)
    frames = _Frames()
    page = browser.open_notebook(server, path, before_goto=frames.attach)
    frames.counting = True
    start_run_all(page)
    wait_cells_done(page, timeout=120)
    page.wait_for_function(
        f"() => document.querySelectorAll(\"[data-gizmo-ready='1']\").length >= {count}", timeout=60_000
    )
    frames.counting = False
    save_notebook(page)
    nb = json.loads(path.read_text())
    saved = len(json.dumps(nb["metadata"].get("widgets", {})))
    page.close()
    server.shutdown_kernels()
    import gzip

    bundle = len(gzip.compress((REPO / "gizmo_notebook" / "static" / "widget.js").read_bytes(), 9, mtime=0))
    return {"previews": count, "ws_bytes": frames.received(), "saved": saved, "bundle": bundle}


def _fmt_bytes(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--viewers", default="ours-cold,ours,pythreejs,trimesh")
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help=f"mesh kinds, each on its own rows: {', '.join(KINDS)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell; first frame is the median")
    parser.add_argument("--timeline", action="store_true",
                        help="print where our viewer's time goes (its performance marks, s after the cell start)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    viewers = args.viewers.split(",")
    kinds = args.kinds.split(",")
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown mesh kinds {sorted(unknown)}; choose from {', '.join(KINDS)}")

    server = JupyterServer.start()
    browser = Browser.launch()
    results: list[Result] = []
    cells = [(n, kind) for n in sizes for kind in kinds if kind != "robot"]
    if "robot" in kinds:  # one size: the robot's own
        cells.append((_robot_triangles(), "robot"))
    try:
        for n, kind in cells:
            raw = _raw_bytes(n, kind)
            cell_viewers = [v for v in viewers if kind != "robot" or v != "trimesh"]
            runs: dict[str, list[Result]] = {v: [] for v in cell_viewers}
            for _ in range(args.repeat):  # interleaved, so drift hits every viewer alike
                for v in cell_viewers:
                    r = measure(server, browser, v, n, raw, kind)
                    runs[v].append(r)
                    print(f"  {v:9s} {kind:9s} {n:>9,d} tris: first frame {r.first_frame:5.2f} s "
                          f"(draw {r.draw:4.2f} s, screenshot {r.screenshot:5.2f} s), "
                          f"ws {_fmt_bytes(r.ws_bytes)}, saved {_fmt_bytes(r.saved)}", flush=True)
                    if r.timeline and args.timeline:
                        steps = sorted(r.timeline.items(), key=lambda kv: kv[1])
                        print("            " + ", ".join(f"{k} {t:.2f}" for k, t in steps), flush=True)
            for v in cell_viewers:
                best = runs[v][-1]
                best.first_frame = statistics.median(r.first_frame for r in runs[v])
                best.screenshot = statistics.median(r.screenshot for r in runs[v])
                best.draw = statistics.median(r.draw for r in runs[v])
                results.append(best)
        small = small_previews(server, browser) if "ours" in viewers else None
    finally:
        browser.close()
        server.stop()

    print()
    print("| triangles | mesh | viewer | first frame | its draw | vs pythreejs | ws bytes | bytes / raw | saved | saved / raw |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ref = next((x for x in results if x.viewer == "pythreejs" and x.triangles == r.triangles
                    and x.kind == r.kind), None)
        rel = f"{r.first_frame / ref.first_frame:.2f}x" if ref else "-"
        print(f"| {r.triangles:,} | {r.kind} | {r.viewer} | {r.first_frame:.2f} s | {r.draw:.2f} s | {rel} | "
              f"{_fmt_bytes(r.ws_bytes)} | "
              f"{r.ws_bytes / r.raw:.2f} | {_fmt_bytes(r.saved)} | {r.saved / r.raw:.2f} |")
    print("raw = float32 positions + uint32 indices of the mesh; saved = widget-state metadata + cell outputs; "
          "its draw = the first frame's draw calls until the GPU finished them")
    # What a first-frame goal leaves for the rest: both viewers pay a draw of the same triangles
    # (on SwiftShader, bound by their number), so a goal of f x pythreejs leaves f x its time minus
    # our own draw for the kernel, the transfer and the decoding.
    for r in results:
        ref = next((x for x in results if x.viewer == "pythreejs" and x.triangles == r.triangles
                    and x.kind == r.kind), None)
        if ref is None or not r.viewer.startswith("ours") or not r.draw:
            continue
        goal = 0.6 if r.viewer == "ours-cold" else 0.5
        left = goal * ref.first_frame - r.draw
        print(f"{r.kind} {r.triangles:,} {r.viewer}: draw {r.draw:.2f} s (pythreejs' {ref.draw:.2f} s); "
              f"{goal} x pythreejs = {goal * ref.first_frame:.2f} s leaves {left:.2f} s before the draw, "
              f"where it took {r.first_frame - r.draw:.2f} s")
    if small:
        per = (small["ws_bytes"] - small["bundle"]) / small["previews"]
        per_saved = (small["saved"] - small["bundle"]) / small["previews"]
        print(f"\n{small['previews']} small previews (1k triangles each) in one kernel: "
              f"{_fmt_bytes(small['ws_bytes'])} on the websocket, saved widget state "
              f"{_fmt_bytes(small['saved'])}; the gzipped bundle ({_fmt_bytes(small['bundle'])}) goes once, "
              f"each preview adds {_fmt_bytes(per)} on the wire and {_fmt_bytes(per_saved)} saved")
    if args.json:
        args.json.write_text(json.dumps({"results": [r.__dict__ for r in results], "small": small}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
