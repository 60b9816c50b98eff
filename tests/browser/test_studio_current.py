"""The Studio on the current (job-based) API in JupyterLab + headless Chromium: a running row shows
the live stage from the job's event stream and a Cancel button; Cancel ends it as cancelled; the
header shows the remaining requests the service reports."""

from __future__ import annotations

import re
import time

import pytest
from _harness import Browser, JupyterServer, open_lab_notebook, save_artifact, wait_for_selector

# A server of its own, slow enough (8 s per job, spread over its stages) to watch the stages.
NOTEBOOK = [
    "import tempfile\n"
    "from gizmo_notebook import Studio\n"
    "from gizmo_notebook.client import AsyncGizmoClient\n"
    "from gizmo_notebook.local.runner import LocalServer\n"
    "srv = LocalServer(tempfile.mkdtemp(), latency=8.0, api='current')\n"
    "srv.start()\n"
    "client = AsyncGizmoClient(api_key=srv.api_key, base_url=srv.base_url, api_version='current')\n"
    "studio = Studio(client, poll_interval=0.5)\n"
    "studio",
]


@pytest.mark.timeout(240)
def test_current_api_rows_show_the_live_stage_and_cancel(server: JupyterServer, browser: Browser) -> None:
    page, studio = open_lab_notebook(server, browser, "studio-current.ipynb", NOTEBOOK, ".gzs-studio")
    for name in ("watched", "cancelled"):
        studio.query_selector(".gzs-prompt-input").fill("a two link arm with a gripper")
        studio.query_selector(".gzs-name-input").fill(name)
        studio.query_selector(".gzs-generate").click()
        wait_for_selector(page, f'.gzs-row:has(.gzs-name:text-is("{name}"))')

    watched = '.gzs-row:has(.gzs-name:text-is("watched"))'
    # The stage text comes from the event stream: "<stage> k/n" while the job runs.
    stage = page.locator(f"{watched} .gzs-stage")
    deadline = time.monotonic() + 30
    while not re.search(r"(planning|geometry|articulation|validation) \d/4", stage.inner_text()):
        assert time.monotonic() < deadline, f"no stage text on the running row: {stage.inner_text()!r}"
        time.sleep(0.2)
    assert page.query_selector(f"{watched} .gzs-cancel-btn").is_visible()
    assert "requests left" in studio.query_selector(".gzs-head").inner_text()

    victim = '.gzs-row:has(.gzs-name:text-is("cancelled"))'
    page.query_selector(f"{victim} .gzs-cancel-btn").click()
    wait_for_selector(page, f'{victim} .gzs-badge[data-status="cancelled"]', timeout=30)
    assert not page.query_selector(f"{victim} .gzs-cancel-btn").is_visible()

    wait_for_selector(page, f'{watched} .gzs-badge[data-status="ready"]', timeout=60)
    assert page.query_selector(f"{watched} .gzs-stage").inner_text() == ""
    assert not page.query_selector(f"{watched} .gzs-cancel-btn").is_visible()
    # The export menu offers the row's own (current) names, shown by the labels alpha rows use.
    menu = page.locator(f"{watched} select.gzs-format option")
    assert menu.evaluate_all("os => os.map(o => o.value)") == ["mjcf", "usd", "sdf"]
    assert menu.all_inner_texts() == ["MJCF (MuJoCo)", "USD (Isaac Sim)", "SDF (Gazebo)"]
    save_artifact("studio-current-lab.png", studio.screenshot())
    errors = browser.console_errors()
    assert not errors, errors
