"""A played motion is saved with the notebook: its HTML export plays it with no kernel."""

from __future__ import annotations

from _harness import pixel_difference, save_artifact, wait_for_selector
from _static import run_and_open_offline
from test_viewer import ARM, READY
from test_viewer_playback import PLAY


def test_exported_html_plays_the_motion(server, browser) -> None:
    nb_path = server.write_notebook("static-play.ipynb", [ARM, PLAY])
    page = run_and_open_offline(server, browser, nb_path)
    host = wait_for_selector(page, READY, timeout=60)
    page.wait_for_function("el => !!el.gizmoPlayback", arg=host, timeout=20_000)
    canvas = host.query_selector("canvas")
    first = canvas.screenshot()
    t0 = host.evaluate("el => el.gizmoPlayback.time()")
    page.wait_for_timeout(700)
    second = canvas.screenshot()
    save_artifact("static-play.png", host.screenshot())
    assert host.evaluate("el => el.gizmoPlayback.time()") != t0
    assert pixel_difference(first, second) > 300, "the saved motion did not play"
    assert browser.console_errors() == []
