"""JupyterLab "Run All" over a notebook that calls the *sync* ``client.assets.wait``.

Run All sends every cell's ``execute_request`` at once, so the next cell's request reaches the
kernel while the wait is sleeping inside the running cell. ipykernel 7 handles each shell
message in a task sharing one persistent ``contextvars.Context``; a sleep that re-enters the
loop naively makes asyncio drop that task (``cannot enter context ... already entered``) and
the cells after the wait never run. nbclient sends one cell at a time and never shows this,
hence a real JupyterLab in Chromium. The second test runs the same notebook with the naive
re-entrant sleep to prove the first one would catch the regression.
"""

from __future__ import annotations

import time
from typing import Any

from _harness import Browser, JupyterServer, cell_errors, run_all_cells, wait_for_selector

SETUP = """\
import asyncio, os, time
from gizmo_notebook import GizmoClient

# Long enough that Run All's next execute_requests arrive while the wait sleeps (the harness
# default of 0.05 s can finish the wait before they land, and then nothing is tested).
os.environ["GIZMO_LOCAL_LATENCY"] = "1.5"

ticks = []

async def heartbeat():  # stands in for a live widget animating on the kernel's loop
    while True:
        ticks.append(time.monotonic())
        await asyncio.sleep(0.02)

beat = asyncio.create_task(heartbeat())
client = GizmoClient(**OPTIONS)
asset = client.assets.create("a two link arm with a gripper")
print("created", asset.status.value)
"""
WAIT = """\
start = time.monotonic()
asset = client.assets.wait(asset.id, timeout=60)
waited = time.monotonic() - start
during = sum(start <= t <= start + waited for t in ticks)
print("waited", asset.status.value)
"""
LAST = 'print(f"after the wait: {asset.status.value}, {during} heartbeats in {waited:.2f} s")'

NAIVE_OPTIONS = """\
import nest_asyncio

def naive_sleep(seconds):  # what the client did before the fix
    loop = asyncio.get_running_loop()
    nest_asyncio.apply(loop)
    loop.run_until_complete(asyncio.sleep(seconds))

OPTIONS = {"_sleep": naive_sleep}
"""


def _outputs(page: Any) -> list[dict[str, Any]]:
    """Per code cell: its execution count and the text of its stream outputs."""
    return page.evaluate(
        """() => {
          const w = window.jupyterapp.shell.currentWidget;
          return w.content.widgets.filter(c => c.model.type === 'code').map(c => {
            let text = '';
            const o = c.model.outputs;
            for (let i = 0; i < o.length; i++) {
              const item = o.get(i).toJSON();
              if (item.output_type === 'stream') text += [].concat(item.text).join('');
            }
            return {count: c.model.executionCount, text};
          });
        }"""
    )


def test_run_all_runs_the_cells_after_a_sync_wait(server: JupyterServer, browser: Browser) -> None:
    nb = server.write_notebook("sync-wait.ipynb", ["OPTIONS = {}", SETUP, WAIT, LAST])
    page = browser.open_notebook(server, nb)
    seconds = run_all_cells(page, timeout=45)  # before the fix: HarnessError, the last cell stays [*]
    assert cell_errors(page) == []
    cells = _outputs(page)
    assert [c["count"] for c in cells] == [1, 2, 3, 4], cells
    assert "waited ready" in cells[2]["text"], cells
    last = cells[3]["text"]
    assert last.startswith("after the wait: ready"), cells
    # The wait kept the kernel's loop turning: the heartbeat task ticked throughout.
    beats, waited = int(last.split(", ")[1].split()[0]), float(last.split(" in ")[1].split()[0])
    assert waited > 0.2 and beats >= waited / 0.02 * 0.3, (beats, waited)
    # The progress bar (tqdm.auto, an ipywidget) rendered in the waiting cell and reached 100 %.
    bar = wait_for_selector(page, ".jp-OutputArea-output .widget-hbox", timeout=10)
    page.wait_for_function("(el) => el.innerText.includes('100%')", arg=bar, timeout=10_000)
    assert seconds < 45


def test_control_naive_reentrant_sleep_loses_the_next_cell(server: JupyterServer, browser: Browser) -> None:
    """The same notebook with the pre-fix sleep: the last cell never runs (proves the test above can fail)."""
    nb = server.write_notebook("sync-wait-naive.ipynb", [NAIVE_OPTIONS, SETUP, WAIT, LAST])
    page = browser.open_notebook(server, nb)
    # Not the harness's start_run_all: the command's promise only settles once every cell has
    # run, which here is never. Fire it and watch the cells instead.
    page.evaluate(
        """() => {
          const app = window.jupyterapp, w = app.shell.currentWidget;
          app.shell.activateById(w.id);
          app.commands.execute('notebook:run-all-cells');
        }"""
    )
    page.wait_for_function(
        """() => {
          const w = window.jupyterapp.shell.currentWidget;
          const cells = w.content.widgets.filter(c => c.model.type === 'code');
          return cells[2].model.executionCount !== null;
        }""",
        timeout=45_000,
    )
    time.sleep(4.0)  # ample time for a print to run, were its request not lost
    cells = _outputs(page)
    assert "waited ready" in cells[2]["text"], cells
    assert cells[3]["count"] is None and cells[3]["text"] == "", cells
