"""The Studio's preview is a Viewer, in a real JupyterLab 4 + headless Chromium, offline backend.

What a user sees: Preview draws the asset with the Viewer (its chunks arrive as widget models,
with the Viewer's progress line); "Drop in physics" simulates it in the kernel and plays it in
the same view (the timeline advances, the links move); the notebook, saved and reopened with
no kernel behind its widgets, still shows the preview from its saved widget state. Screenshots
in the light and dark themes and at 450 px go to test-artifacts/.
"""

from __future__ import annotations

import secrets
from typing import Any

from _harness import (
    Browser,
    JupyterServer,
    cell_errors,
    run_all_cells,
    save_artifact,
    save_notebook,
    set_theme,
    wait_for_pixels,
    wait_for_selector,
)

TOKEN = secrets.token_hex(3)
NAME = f"drop-{TOKEN}"
NOTEBOOK = [
    "from gizmo_notebook import Studio\n"
    "studio = Studio(poll_interval=0.3)\n"
    f"studio.generate('a four legged robot dog', name='{NAME}')\n"
    "studio",
]
ROW = f'.gzs-row:has(.gzs-name:text-is("{NAME}"))'
VIEW = f"{ROW} .gzs-preview .gizmo-viewer-host"
READY = f"{VIEW}[data-gizmo-ready='1']"

# Every text the preview area showed, from before the click on: progress lines are brief.
_WATCH_TEXT = """
(root) => {
  window.__gzsTexts = [];
  new MutationObserver((records) => {
    for (const r of records) {
      const node = r.type === 'characterData' ? r.target.parentElement : r.target;
      if (node && node.textContent) window.__gzsTexts.push(node.textContent);
    }
  }).observe(root, { subtree: true, childList: true, characterData: true });
}
"""

def _link_matrices(host: Any) -> list[float]:
    """Every link's world matrix, flattened, in the order of the Viewer's metadata."""
    return host.evaluate(
        """async (el) => {
          const meta = await el.closest('.gzs-studio').gizmoPreview.meta();
          return meta.links.flatMap((l) => Array.from(el.gizmoViewer.viewport.linkWorldMatrix(l.name)));
        }"""
    )


def test_preview_is_a_viewer_that_drops_into_physics_and_survives_a_reload(
    server: JupyterServer, browser: Browser
) -> None:
    nb = server.write_notebook(f"studio-preview-{TOKEN}.ipynb", NOTEBOOK)
    page = browser.open_notebook(server, nb, ui="lab")
    run_all_cells(page)
    assert cell_errors(page) == []
    wait_for_selector(page, f'{ROW} .gzs-badge[data-status="ready"]', timeout=90)
    row = page.locator(ROW)
    row.evaluate(_WATCH_TEXT)

    # Preview: the Viewer's own view, its canvas drawn, its progress line seen on the way
    row.locator(".gzs-preview-btn").click()
    host = wait_for_selector(page, READY, timeout=90)
    canvas = host.query_selector("canvas")
    assert wait_for_pixels(canvas, 1000) >= 1000, "the preview canvas stayed blank"
    texts = page.evaluate("() => window.__gzsTexts")
    assert any("receiving model" in t for t in texts), texts[-20:]
    assert row.locator(".gzs-preview-btn").inner_text() == "Close preview"
    # the geometry came as the Viewer's chunk widgets (the kernel's side of the same check)
    chunks = host.evaluate(
        """async (el) => {
          const studio = el.closest('.gzs-studio');
          return studio.gizmoPreview ? await studio.gizmoPreview.chunkCount() : -1;
        }"""
    )
    assert chunks > 0, chunks

    # Drop in physics: disabled while the kernel simulates, then the preview plays by itself
    button = row.locator(".gzs-physics-btn")
    assert button.inner_text() == "Drop in physics" and button.is_enabled()
    button.click()
    assert button.is_disabled()
    page.wait_for_function("el => !!el.gizmoPlayback", arg=host, timeout=120_000)
    page.wait_for_function(
        "(b) => !b.disabled", arg=button.element_handle(), timeout=30_000
    )
    message = row.locator(".gzs-physics-msg").inner_text()
    assert "MuJoCo" in message and "looping" in message, message
    t0 = host.evaluate("el => el.gizmoPlayback.time()")
    page.wait_for_timeout(700)
    t1 = host.evaluate("el => el.gizmoPlayback.time()")
    assert host.evaluate("el => el.gizmoPlayback.playing()") and t1 != t0, (t0, t1)
    # the frame changes over time: the dog's body settles onto the floor
    host.query_selector("button.gz-play").click()  # pause, then compare the first and last frames
    scrub = "(el, t) => { const s = el.querySelector('input.gz-scrub'); s.value = String(t); s.dispatchEvent(new Event('input')); }"
    host.evaluate(scrub, 0)
    page.wait_for_timeout(200)
    start = _link_matrices(host)
    host.evaluate(scrub, 3)
    page.wait_for_timeout(200)
    end = _link_matrices(host)
    assert max(abs(a - b) for a, b in zip(start, end, strict=True)) > 1e-4, "no link moved in 3 s of physics"
    host.query_selector("button.gz-play").click()

    # how it looks: light, dark, 450 px
    studio = page.locator(".gzs-studio").first
    save_artifact("studio-preview-light.png", studio.screenshot())
    set_theme(page, "JupyterLab Dark")
    save_artifact("studio-preview-dark.png", studio.screenshot())
    set_theme(page, "JupyterLab Light")
    page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }")
    page.set_viewport_size({"width": 450, "height": 900})
    try:
        page.wait_for_timeout(600)
        area = page.locator(f"{ROW} .gzs-preview")
        area.scroll_into_view_if_needed()
        fit = area.evaluate(
            """el => { const s = el.closest('.gzs-studio'); return { scroll: s.scrollWidth, client: s.clientWidth,
                 bar: el.querySelector('.gzs-preview-bar').scrollWidth <= el.querySelector('.gzs-preview-bar').clientWidth + 1 }; }"""
        )
        assert fit["scroll"] <= fit["client"] and fit["bar"], fit
        save_artifact("studio-preview-narrow-450.png", page.screenshot())
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert not browser.console_errors(), browser.console_errors()

    # Saved with the notebook: reopened with the kernel gone, the preview is drawn from saved state
    save_notebook(page)
    page.close()
    server.shutdown_kernels()
    browser.clear_console()
    page = browser.open_notebook(server, nb, ui="lab")
    host = wait_for_selector(page, READY, timeout=90)
    assert wait_for_pixels(host.query_selector("canvas"), 1000) >= 1000, "the reopened preview is blank"
    save_artifact("studio-preview-reopened.png", page.locator(".gzs-studio").first.screenshot())
