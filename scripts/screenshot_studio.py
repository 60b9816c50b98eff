"""Retake docs/studio.png: a Studio on the offline backend with a few ready assets and a preview.

Uses the browser test harness (a private JupyterLab + headless Chromium), so it needs what
`make test` installs: `.venv/bin/python scripts/screenshot_studio.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from _harness import Browser, JupyterServer, run_all_cells, wait_for_selector  # noqa: E402

PROMPTS = [
    ("arm v2", "A 6-DOF robotic arm with a parallel jaw gripper"),
    ("rover", "A four wheeled rover with a pan tilt camera head"),
    ("arm v1", "A compact 4-DOF robotic arm"),
]
CELLS = [
    "from gizmo_notebook import Studio\n"
    "studio = Studio(poll_interval=0.5)\n"
    + "".join(f"studio.generate({p!r}, name={n!r}, tags='docs')\n" for n, p in reversed(PROMPTS))
    + "studio",
]


def main() -> None:
    server = JupyterServer.start()
    browser = Browser.launch(width=1000, height=1500)
    try:
        nb = server.write_notebook("studio-screenshot.ipynb", CELLS)
        page = browser.open_notebook(server, nb, ui="lab")
        # Only the notebook: no side panels, no status bar over the bottom of the Studio.
        page.evaluate(
            """() => { const app = window.jupyterapp; app.shell.collapseLeft(); app.shell.collapseRight();
                       if (app.commands.isToggled('statusbar:toggle')) return app.commands.execute('statusbar:toggle'); }"""
        )
        page.add_style_tag(content="#jp-main-statusbar { display: none !important; }")
        run_all_cells(page)
        studio = wait_for_selector(page, ".gzs-studio")
        for name, _ in PROMPTS:
            wait_for_selector(page, f'.gzs-row:has(.gzs-name:text-is("{name}")) .gzs-badge[data-status="ready"]')
        page.wait_for_function(
            "() => [...document.querySelectorAll('img.gzs-thumb')].filter(i => i.complete && i.naturalWidth).length >= 3",
            timeout=60_000,
        )
        first = page.locator('.gzs-row:has(.gzs-name:text-is("arm v2"))')
        first.locator(".gzs-preview-btn").click()
        wait_for_selector(page, '.gzs-row:has(.gzs-name:text-is("arm v2")) .gzs-preview canvas')
        # Bend the arm a little: a straight arm reads as a stick.
        page.evaluate(
            """() => { const set = (name, v) => { const s = document.querySelector(`input[data-joint="${name}"]`);
                         if (s) { s.value = v; s.dispatchEvent(new Event('input', { bubbles: true })); } };
                       set('arm_joint1', 0.5); set('arm_joint2', 0.7); set('arm_joint3', -1.1); set('arm_joint5', 0.8); }"""
        )
        page.mouse.move(0, 0)  # no hover highlight on the last button clicked
        time.sleep(3.0)  # let the preview draw
        out = ROOT / "docs" / "studio.png"
        out.write_bytes(studio.screenshot())
        print(f"wrote {out}")
    finally:
        browser.close()
        server.stop()


if __name__ == "__main__":
    main()
