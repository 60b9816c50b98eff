"""The Studio's scene mode in JupyterLab + headless Chromium.

Current API: the Scene switch, one prompt, a scene row that shows the live stage ("layout 3/5")
and becomes a scene row with its part count; its preview is ONE composed model: the joints of
every placed asset (prefixes ``a0_``, ``a1_``, ``a2_``) in one viewer, drawn. Alpha API: the
switch is disabled and says why. Screenshots in the light and dark themes and a narrow panel.
"""

from __future__ import annotations

import re
import time

import pytest
from _harness import (
    Browser,
    JupyterServer,
    open_lab_notebook,
    save_artifact,
    set_theme,
    wait_for_pixels,
    wait_for_selector,
)

PROMPT = "a workbench table, a two link arm and a 4-tier shelf"
NOTEBOOK = [
    "import tempfile\n"
    "from gizmo_notebook import Studio\n"
    "from gizmo_notebook.client import AsyncGizmoClient\n"
    "from gizmo_notebook.local.runner import LocalServer\n"
    "srv = LocalServer(tempfile.mkdtemp(), latency=5.0, api='current')\n"
    "srv.start()\n"
    "client = AsyncGizmoClient(api_key=srv.api_key, base_url=srv.base_url, api_version='current')\n"
    "studio = Studio(client, poll_interval=0.5)\n"
    "studio",
    "alpha_srv = LocalServer(tempfile.mkdtemp(), latency=0.2)\n"
    "alpha_srv.start()\n"
    "alpha = Studio(AsyncGizmoClient(api_key=alpha_srv.api_key, base_url=alpha_srv.base_url, api_version='alpha'))\n"
    "alpha",
]
SCENE_ROW = '.gzs-row[data-kind="scene"]'


@pytest.mark.timeout(300)
def test_scene_from_a_prompt_previews_as_one_composed_model(server: JupyterServer, browser: Browser) -> None:
    page, _ = open_lab_notebook(server, browser, "studio-scenes.ipynb", NOTEBOOK, ".gzs-studio")
    current, alpha = page.locator(".gzs-studio").nth(0), page.locator(".gzs-studio").nth(1)

    # Alpha: no prompt-to-scene; the switch is disabled and its tooltip says why.
    alpha_btn = alpha.locator(".gzs-mode-scene")
    deadline = time.monotonic() + 30
    while not alpha_btn.is_disabled() or "current Gizmo API" not in (alpha_btn.get_attribute("title") or ""):
        assert time.monotonic() < deadline, "the alpha Studio's Scene switch never said why it is off"
        time.sleep(0.2)
    assert "current Gizmo API" in (alpha.locator(".gzs-mode").get_attribute("title") or "")

    # Current: switch to Scene, generate from one prompt.
    scene_btn = current.locator(".gzs-mode-scene")
    deadline = time.monotonic() + 30
    while scene_btn.is_disabled():
        assert time.monotonic() < deadline, "the Scene switch stayed disabled on the current API"
        time.sleep(0.2)
    scene_btn.click()
    assert scene_btn.get_attribute("aria-pressed") == "true"
    assert not current.locator(".gzs-name-input").is_visible() and not current.locator(".gzs-tags-input").is_visible()
    assert current.locator(".gzs-generate").inner_text() == "Generate scene"
    current.locator(".gzs-prompt-input").fill(PROMPT)
    current.locator(".gzs-generate").click()

    row = current.locator(SCENE_ROW).first
    row.wait_for(timeout=30_000)
    stage = row.locator(".gzs-stage")
    deadline = time.monotonic() + 30
    while not re.search(r"(planning|geometry|layout|articulation|validation) \d/5", stage.inner_text()):
        assert time.monotonic() < deadline, f"no stage text on the running scene row: {stage.inner_text()!r}"
        time.sleep(0.2)
    assert row.locator(".gzs-cancel-btn").is_visible()
    wait_for_selector(page, f'{SCENE_ROW} .gzs-badge[data-status="ready"]', timeout=90)
    assert row.locator(".gzs-kind").inner_text() == "scene · 3 assets"

    row.locator(".gzs-preview-btn").click()
    canvas = wait_for_selector(page, f"{SCENE_ROW} .gzs-preview canvas", timeout=90)
    drawn = wait_for_pixels(canvas, 1000)
    assert drawn >= 1000, f"the scene preview stayed blank ({drawn} foreground pixels)"
    # One viewer holds every part: the joints of the arm and of the shelf's... under their prefixes.
    text = row.locator(".gzs-preview").inner_text()
    prefixes = set(re.findall(r"\ba(\d)_", text))
    assert len(prefixes) >= 2, f"the preview shows the joints of {len(prefixes)} part(s): {text[:400]!r}"
    assert current.locator(".gzs-preview canvas").count() == 1

    save_artifact("studio-scenes-light.png", current.screenshot())
    try:
        set_theme(page, "JupyterLab Dark")
        save_artifact("studio-scenes-dark.png", current.screenshot())
    finally:
        set_theme(page, "JupyterLab Light")
    page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }")
    page.set_viewport_size({"width": 420, "height": 900})
    try:
        page.wait_for_timeout(600)
        overflow = current.evaluate("root => root.scrollWidth - root.clientWidth")
        assert overflow <= 0, f"the Studio overflows a narrow panel by {overflow}px"
        save_artifact("studio-scenes-narrow.png", current.screenshot())
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    errors = browser.console_errors()
    assert not errors, errors
