"""Inspection benchmark: real robots with many meshes, in JupyterLab on software WebGL.

Three figures, each with a baseline measured in the same run (this 2-core machine's load moves
seconds around; ratios within one run travel better):

* first frame of a robot with ~100 meshes (PAL's TIAGo++, PAL's TALOS): ``gn.view`` against
  the pythreejs backend, with bench_viewer.py's probe (cell start -> the GPU has finished a
  frame drawing the whole model);
* frame rate while the user works the view: a joint slider dragged (an ``input`` event every
  animation frame, as a pointer drag sends them), the Wireframe / Collision / Frames toggles
  clicked every frame, and an orbit with each of those layers shown — frames actually drawn per
  second, measured with requestAnimationFrame
  in the page and closed with a 1-pixel ``readPixels`` (the GPU has finished). Baseline: an
  orbit (the camera turned every frame: the same full redraw with no model work); target > 30 fps;
* a 10 s motion at 60 fps played on a robot of ~40 links (Unitree G1; a 40-link chain): websocket
  bytes the page receives for ``viewer.play``. Baseline: the same link poses as float32
  (x, y, z, qw, qx, qy, qz per link per frame); target < 1 MB.

Run: ``.venv/bin/python benchmarks/bench_inspect.py [--repeat 1]``. Needs Chromium (see
tests/browser/_harness.py); takes a few minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_viewer  # noqa: E402  (also puts tests/browser on sys.path)
from _harness import Browser, JupyterServer, execute_in_kernel, run_all_cells, wait_for_selector  # noqa: E402
from bench_viewer import _fmt_bytes, _Frames, _raw_bytes, _robot_triangles, measure  # noqa: E402

ROBOTS = "cmeel.prefix/share/example-robot-data/robots/"
# robots with many meshes, for the first frame and the frame rate
MANY_MESHES = {
    "TIAGo++": ROBOTS + "tiago_description/robots/tiago_dual.urdf",  # 130 links, 130 <mesh>
    "TALOS": ROBOTS + "talos_data/robots/talos_full_v2.urdf",  # 60 links, 95 <mesh>
}
READY = ".jp-OutputArea-output [data-gizmo-ready='1']"
LOAD = "import sysconfig, pathlib, gizmo_notebook as gn\n" \
       "robot = gn.load(pathlib.Path(sysconfig.get_paths()['purelib']) / {path!r})\n"
# A chain of exactly 40 links (39 revolute joints), built in the kernel.
CHAIN = """
import gizmo_notebook as gn
from gizmo_notebook.model import AssetModel, Box, Joint, JointLimits, Link, Pose, Visual
robot = AssetModel("chain40", links=[Link(f"l{i}", visuals=[Visual(Box((0.02, 0.02, 0.05)), origin=Pose((0, 0, 0.025)))])
                                     for i in range(40)],
                   joints=[Joint(f"j{i}", "revolute", f"l{i}", f"l{i + 1}", origin=Pose((0, 0, 0.05)),
                                 axis=(0, 1, 0) if i % 2 else (1, 0, 0), limits=JointLimits(-0.5, 0.5)) for i in range(39)])
"""
# robots of ~40 links, for playback: the cell that defines `robot`
FORTY_LINKS = {
    "G1": LOAD.format(path=ROBOTS + "g1_description/urdf/g1_29dof_rev_1_0.urdf"),  # 40 links, 39 posed
    "chain40": CHAIN,
}


@contextlib.contextmanager
def _robot(path: str) -> Iterator[None]:
    """bench_viewer's "robot" mesh kind, pointed at ``path`` for the duration."""
    saved = bench_viewer.MESH_SOURCE, bench_viewer.MESH_CELL
    bench_viewer.MESH_SOURCE = saved[0].replace(repr(bench_viewer.ROBOT), repr(path))
    bench_viewer.MESH_CELL = saved[1].replace(repr(bench_viewer.ROBOT), repr(path))
    try:
        yield
    finally:
        bench_viewer.MESH_SOURCE, bench_viewer.MESH_CELL = saved


def first_frame(server: JupyterServer, browser: Browser, path: str, repeat: int) -> dict[str, float]:
    """Median first frame (s) of our viewer (an earlier widget on the page) and of pythreejs."""
    with _robot(path):
        n = _robot_triangles()
        raw = _raw_bytes(n, "robot")
        runs: dict[str, list[float]] = {"ours": [], "pythreejs": []}
        for _ in range(repeat):  # interleaved, so drift hits both alike
            for viewer in runs:
                runs[viewer].append(measure(server, browser, viewer, n, raw, "robot").first_frame)
    return {v: statistics.median(ts) for v, ts in runs.items()} | {"triangles": n}


# Runs `act(i)` in each of `ticks` animation frames and counts the frames the viewport drew;
# the clock stops once a 1-pixel readPixels has come back (the GPU has finished them all).
_RATE = """
async ([el, action, ticks]) => {
  const panel = el.gizmoViewer, vp = panel.viewport, root = panel.element;
  const sliders = [...root.querySelectorAll("input[type=range][data-joint]")];
  const click = (sel) => root.querySelector(sel).click();
  const acts = {
    orbit: (i) => { vp.camera.position.applyAxisAngle(vp.camera.up, 0.02); vp.controls.update(); },
    slider: (i) => {
      const s = sliders[Math.floor(i / 30) % sliders.length];
      const lo = Number(s.min), hi = Number(s.max), k = (i % 30) / 29;
      s.value = String(lo + (hi - lo) * (0.25 + 0.5 * Math.abs(Math.sin(k * Math.PI))));
      s.dispatchEvent(new Event("input"));
    },
    wireframe: () => click(".gz-wire"),
    collision: () => click(".gz-layer-collision"),
    frames: () => click(".gz-layer-frames"),
  };
  // an orbit with a layer shown (the toolbar button pressed once, before the clock starts)
  const shown = { "orbit+wireframe": ".gz-wire", "orbit+collision": ".gz-layer-collision", "orbit+frames": ".gz-layer-frames" };
  for (const name of Object.keys(shown)) acts[name] = acts.orbit;
  if (shown[action]) { click(shown[action]); await new Promise((r) => setTimeout(r, 1500)); } // its build, and copies made when idle
  const act = acts[action];
  const next = () => new Promise((r) => requestAnimationFrame(r));
  // a layer's first build is not a frame rate, nor are the simplified copies of its meshes
  // made in the idle time after it (as after a user's first click)
  act(0); await next(); act(1); await next();
  if (action !== "orbit" && action !== "slider" && !shown[action]) await new Promise((r) => setTimeout(r, 2000));
  await next(); await next();
  const drawn0 = vp.frames, t0 = performance.now();
  for (let i = 0; i < ticks; i++) { act(i); await next(); }
  await next(); // the last change's frame
  const gl = vp.canvas.getContext("webgl2") || vp.canvas.getContext("webgl");
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  const seconds = (performance.now() - t0) / 1000;
  if (shown[action]) click(shown[action]); // back as it was
  return { fps: (vp.frames - drawn0) / seconds, drawn: vp.frames - drawn0, seconds };
}
"""
ACTIONS = ("orbit", "slider", "wireframe", "collision", "frames")
SHOWN = ("orbit+wireframe", "orbit+collision", "orbit+frames")  # orbiting with each layer shown


def frame_rates(server: JupyterServer, browser: Browser, path: str, ticks: int) -> dict[str, float]:
    """Frames drawn per second while each action repeats every animation frame."""
    nb = server.write_notebook(f"bench-rate-{Path(path).stem}.ipynb", [LOAD.format(path=path) + "gn.view(robot, height=480)"])
    page = browser.open_notebook(server, nb)
    run_all_cells(page, timeout=300)
    host = wait_for_selector(page, READY, timeout=300)
    page.wait_for_timeout(1000)  # the first frame's work is over
    rates = {a: page.evaluate(_RATE, [host, a, ticks])["fps"] for a in ACTIONS + SHOWN}
    page.close()
    server.shutdown_kernels()
    return rates


PLAY = """
import numpy as np
_t = np.linspace(0, 10, 5001)  # 10 s sampled at 500 Hz (a physics step), resampled to 60 fps
_j = [j for j in robot.movable_joints if j.type in ("revolute", "continuous", "prismatic")]
_motion = {{"times": _t}}
for _i, _jt in enumerate(_j):
    _lo, _hi = (_jt.limits.lower, _jt.limits.upper) if _jt.limits else (-1.0, 1.0)
    _motion[_jt.name] = (_lo + _hi) / 2 + (_hi - _lo) / 4 * np.sin(2 * np.pi * _t / (2 + _i % 5))
v.play(_motion, fps={fps})
"""


def playback(server: JupyterServer, browser: Browser, name: str, cell: str, fps: float = 60.0) -> dict[str, float]:
    """Websocket bytes of a 10 s ``viewer.play`` against its float32 link poses."""
    nb = server.write_notebook(f"bench-play-{name}.ipynb", [cell + "v = gn.view(robot, height=360)\nv"])
    frames = _Frames()
    page = browser.open_notebook(server, nb, before_goto=frames.attach)
    run_all_cells(page, timeout=300)
    host = wait_for_selector(page, READY, timeout=300)
    page.wait_for_timeout(1000)
    start = time.time()
    frames.counting = True
    execute_in_kernel(page, PLAY.format(fps=fps))
    page.wait_for_function("el => !!el.gizmoPlayback", arg=host, timeout=60_000)
    page.wait_for_timeout(500)
    frames.counting = False
    track = host.evaluate("el => ({ frames: el.gizmoPlayback.frames, links: el.gizmoPlayback.links })")
    page.close()
    server.shutdown_kernels()
    float32 = track["frames"] * track["links"] * 7 * 4
    return {"ws_bytes": frames.received(since=start), "float32": float32, **track}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="first-frame runs per viewer (median)")
    parser.add_argument("--ticks", type=int, default=90, help="animation frames per frame-rate action")
    parser.add_argument("--only", default="first,rate,play", help="which parts: first, rate, play")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    server = JupyterServer.start()
    browser = Browser.launch()
    try:
        if "first" in parts:
            print("first frame (cell start -> GPU done with a frame drawing the whole robot):")
            for name, path in MANY_MESHES.items():
                r = first_frame(server, browser, path, args.repeat)
                if min(r["ours"], r["pythreejs"]) <= 0:  # the probe fired before the cell's stamp: no figure
                    print(f"  {name:8s} invalid run (first frame {r['ours']:.2f} s / {r['pythreejs']:.2f} s): "
                          "a frame drawing the whole robot before the view cell started", flush=True)
                    continue
                print(f"  {name:8s} {int(r['triangles']):>8,d} tris: gn.view {r['ours']:.2f} s, "
                      f"pythreejs {r['pythreejs']:.2f} s -> {r['ours'] / r['pythreejs']:.2f}x pythreejs", flush=True)
        if "rate" in parts:
            print(f"frames drawn per second, an action every animation frame ({args.ticks} frames; target > 30):")
            for name, path in MANY_MESHES.items():
                rates = frame_rates(server, browser, path, args.ticks)
                base = rates["orbit"]
                print(f"  {name:8s} orbit (baseline) {base:5.1f} fps; " + ", ".join(
                    f"{a} {rates[a]:5.1f} fps ({rates[a] / base:.2f}x)" for a in ACTIONS if a != "orbit"), flush=True)
                print(f"  {'':8s} orbiting with a layer shown: " + ", ".join(
                    f"{a.split('+')[1]} {rates[a]:5.1f} fps ({rates[a] / base:.2f}x)" for a in SHOWN), flush=True)
        if "play" in parts:
            print("10 s playback at 60 fps: websocket bytes (target < 1 MB) vs float32 link poses:")
            for name, cell in FORTY_LINKS.items():
                p = playback(server, browser, name, cell)
                print(f"  {name:8s} {p['links']} links x {p['frames']} frames: {_fmt_bytes(p['ws_bytes'])} on the wire, "
                      f"{p['ws_bytes'] / p['float32']:.2f}x float32 ({_fmt_bytes(p['float32'])})", flush=True)
    finally:
        browser.close()
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
