"""Viewers that come and go on one page: WebGL contexts, context loss, fast disposal, progress.

Chromium keeps about 16 WebGL contexts per page and kills the oldest live one when another is
made; a view that goes away must give its context back, and one that loses it must say so.
"""

from __future__ import annotations

from _harness import (
    cell_errors,
    execute_in_kernel,
    nonblank_pixels,
    pixel_difference,
    run_all_cells,
    save_artifact,
    wait_for_pixels,
    wait_for_selector,
)
from test_viewer import ARM, READY

# Records every context loss of a canvas that is still on the page (a disposed view's canvas
# is detached before it gives its context back), and Chromium's eviction warning.
WATCH_LOSSES = """
window.__liveContextLosses = 0;
document.addEventListener("webglcontextlost", (e) => {
  if (e.target.isConnected) window.__liveContextLosses += 1;
}, true);
"""

SLOT = "import ipywidgets as widgets\nslot = widgets.VBox()\nslot"


def _first_viewer(server, browser, name: str, cells: list[str]):
    nb = server.write_notebook(name, [ARM, "first = gn.view(arm, height=260)\nfirst", *cells])
    page = browser.open_notebook(server, nb, before_goto=lambda p: p.add_init_script(WATCH_LOSSES))
    run_all_cells(page)
    assert cell_errors(page) == []
    first = wait_for_selector(page, READY)
    return page, first


def _pose_changes_picture(page, host, value: str) -> int:
    canvas = host.query_selector("canvas")
    before = canvas.screenshot()
    host.evaluate("""(el, v) => {
        const s = el.querySelector("input[data-joint='shoulder']");
        s.value = v; s.dispatchEvent(new Event('input'));
    }""", value)
    page.wait_for_timeout(400)
    return pixel_difference(before, canvas.screenshot())


def test_first_viewer_keeps_drawing_after_24_viewers_were_shown_and_closed(server, browser) -> None:
    page, first = _first_viewer(server, browser, "contexts.ipynb", [SLOT])
    for i in range(24):
        execute_in_kernel(page, "v = gn.view(arm, height=160)\nslot.children = (v,)")
        page.wait_for_function(f"document.querySelectorAll(\"{READY}\").length === 2", timeout=60_000)
        execute_in_kernel(page, "slot.children = ()\nv.close()")
        page.wait_for_function("document.querySelectorAll('.gizmo-viewer-host').length === 1", timeout=30_000)
        assert page.evaluate("() => window.__liveContextLosses") == 0, f"a live view lost its context at view {i + 2}"
    # the first view still has its context and still draws: posing it changes the picture
    assert first.evaluate("el => el.gizmoViewer.viewport.canvas.getContext('webgl2').isContextLost()") is False
    assert first.query_selector(".gizmo-context-lost").is_hidden()
    assert _pose_changes_picture(page, first, "1.2") > 500, "the first viewer no longer draws"
    assert nonblank_pixels(first.query_selector("canvas"), save_as="contexts-first-after-24.png") > 2000
    assert page.evaluate("() => window.__liveContextLosses") == 0
    assert not [t for _, t in browser.console if "Too many active WebGL contexts" in t]
    assert browser.console_errors() == []


def test_a_lost_context_is_said_and_the_view_comes_back(server, browser) -> None:
    """Lost context: a note over the canvas; restored by the browser: drawn again by itself;
    lost for good: a click on the note reloads the view on a new context."""
    page, first = _first_viewer(server, browser, "context-lost.ipynb", [])
    # no MSAA on a software rasterizer (SwiftShader here): it nearly doubles a big model's first frame
    assert first.evaluate("el => el.gizmoViewer.viewport.canvas.getContext('webgl2').getContextAttributes().antialias") is False
    first.evaluate("el => { window.__lose = el.gizmoViewer.viewport.canvas.getContext('webgl2')"
                   ".getExtension('WEBGL_lose_context'); window.__lose.loseContext(); }")
    note = first.wait_for_selector(".gizmo-context-lost", state="visible", timeout=10_000)
    assert "Click to reload the view" in note.inner_text()
    save_artifact("context-lost.png", first.screenshot())
    page.evaluate("() => window.__lose.restoreContext()")
    first.wait_for_selector(".gizmo-context-lost", state="hidden", timeout=10_000)
    assert wait_for_pixels(first.query_selector("canvas"), 2000) >= 2000, "not drawn again after restore"

    # lost and never given back (as when the browser evicts it): the click makes a new context
    first.evaluate("el => el.gizmoViewer.viewport.canvas.getContext('webgl2')"
                   ".getExtension('WEBGL_lose_context').loseContext()")
    first.wait_for_selector(".gizmo-context-lost", state="visible", timeout=10_000).click()
    first.wait_for_selector(".gizmo-context-lost", state="hidden", timeout=10_000)
    assert first.evaluate("el => el.gizmoViewer.viewport.canvas.getContext('webgl2').isContextLost()") is False
    assert wait_for_pixels(first.query_selector("canvas"), 2000) >= 2000, "not drawn after the reload"
    assert _pose_changes_picture(page, first, "-1.0") > 500, "the reloaded view does not pose"
    # orbiting still works on the new canvas
    box = first.query_selector("canvas").bounding_box()
    before = first.query_selector("canvas").screenshot()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert pixel_difference(before, first.query_selector("canvas").screenshot()) > 500, "orbit is dead"
    assert browser.console_errors() == []


def test_viewers_closed_while_compiling_shaders_throw_nothing(server, browser) -> None:
    """Views removed right after they appear (fast re-runs) free nothing under three.js's
    compileAsync, which polls its programs from a timer ("reading 'isReady'")."""
    page, _ = _first_viewer(server, browser, "fast-dispose.ipynb", [SLOT])
    # the models stay open (closing one before anywidget has initialized it is another story):
    # only their views go, at every stage of their first second
    execute_in_kernel(page, "import time\nkeep = []")
    for pause in (0.0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.4):
        execute_in_kernel(page, f"for _ in range(3):\n    keep.append(gn.view(arm, height=120))\n"
                          f"    slot.children = (keep[-1],)\n    time.sleep({pause})\n    slot.children = ()")
    page.wait_for_timeout(2000)
    assert browser.console_errors() == []


def test_progress_never_comes_back_over_a_drawn_model(server, browser) -> None:
    """A chunk list update after the model is drawn (Voila, a reopened notebook) must not
    write "receiving model…" over the finished view."""
    page, first = _first_viewer(server, browser, "late-chunks.ipynb", [])
    execute_in_kernel(page, "from gizmo_notebook.viewer.transport import blob_for\n"
                      "first._blobs = [*first._blobs, blob_for(b'a chunk listed after the model was drawn')]")
    page.wait_for_timeout(1500)
    assert first.evaluate("el => el.querySelector('.gz-progress').textContent") == ""
    assert browser.console_errors() == []
