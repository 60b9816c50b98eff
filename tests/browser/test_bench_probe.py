"""The first-frame probe of ``benchmarks/bench_viewer.py``, on a bare WebGL page.

The benchmark's verdicts rest on it: a frame counts once one task has drawn the whole mesh
(a draw clipped to a few pixels is not a frame), and "its draw" spans that task's draw calls
until the GPU has finished them. Checked here against draws whose timing the test controls.
"""

from __future__ import annotations

import sys

from _harness import REPO, Browser

sys.path.insert(0, str(REPO / "benchmarks"))
from bench_viewer import _DRAW_PROBE  # noqa: E402

TARGET = 300  # indices (100 triangles)

_DRAW = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  document.body.append(canvas);
  const gl = canvas.getContext("webgl2");
  const shader = (type, src) => { const s = gl.createShader(type); gl.shaderSource(s, src); gl.compileShader(s); return s; };
  const program = gl.createProgram();
  gl.attachShader(program, shader(gl.VERTEX_SHADER,
    "#version 300 es\\nin vec2 p; void main() { gl_Position = vec4(p, 0.0, 1.0); }"));
  gl.attachShader(program, shader(gl.FRAGMENT_SHADER,
    "#version 300 es\\nprecision mediump float; out vec4 c; void main() { c = vec4(1.0); }"));
  gl.linkProgram(program);
  gl.useProgram(program);
  gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(2 * 300).map(() => Math.random() * 2 - 1), gl.STATIC_DRAW);
  gl.enableVertexAttribArray(0);
  gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 20));
  const busy = (ms) => { const end = performance.now() + ms; while (performance.now() < end) { /* spin */ } };
  const log = {};
  // 1: the whole mesh, but into one pixel (how the viewer uploads parts early): not a frame
  gl.enable(gl.SCISSOR_TEST); gl.scissor(0, 0, 1, 1);
  gl.drawArrays(gl.TRIANGLES, 0, 300);
  gl.disable(gl.SCISSOR_TEST);
  await nextTask();
  log.afterScissored = window.__gizmoFirstFrame || null;
  // 2: two thirds in one task, the rest in the next: no task drew the whole mesh
  gl.drawArrays(gl.TRIANGLES, 0, 200);
  await nextTask();
  gl.drawArrays(gl.TRIANGLES, 200, 100);
  await nextTask();
  log.afterSplit = window.__gizmoFirstFrame || null;
  // 3: the whole mesh in one task, 80 ms of work between its two draw calls
  const started = Date.now();
  gl.drawArrays(gl.TRIANGLES, 0, 150);
  busy(80);
  gl.drawArrays(gl.TRIANGLES, 150, 150);
  log.finished = Date.now();
  log.started = started;
  log.frame = window.__gizmoFirstFrame || null;
  log.draw = window.__gizmoDraw || null;
  return log;
}"""


def test_the_probe_counts_one_task_that_draws_the_whole_mesh_and_times_its_draw(browser: Browser) -> None:
    page = browser.new_page()
    try:
        page.add_init_script(_DRAW_PROBE.replace("__TARGET__", str(TARGET)))
        page.goto("about:blank")
        log = page.evaluate(_DRAW)
    finally:
        page.close()
    assert log["afterScissored"] is None, "a draw into one pixel counted as a frame"
    assert log["afterSplit"] is None, "draws spread over two tasks counted as one frame"
    assert log["frame"] is not None and log["started"] <= log["frame"] <= log["finished"], log
    # the draw spans the task's first draw call to the read-back: the 80 ms between them included
    assert 0.08 <= log["draw"] / 1000 <= (log["finished"] - log["started"]) / 1000 + 0.001, log
