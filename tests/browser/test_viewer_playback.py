"""Viewer.play in JupyterLab: the timeline animates the model, scrubbing moves it."""

from __future__ import annotations

from _harness import execute_in_kernel, open_lab_notebook, pixel_difference, save_artifact
from test_viewer import ARM, READY

PLAY = """
import numpy as np
t = np.linspace(0, 2, 121)
v = gn.view(arm, height=360)
v.play({"times": t, "shoulder": 1.2 * np.sin(np.pi * t), "elbow": 1.5 * np.sin(2 * np.pi * t)})
v
"""


def _dark_theme(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator("li.lm-Menu-item", has_text="Theme").first.hover()
    page.locator("li.lm-Menu-item .lm-Menu-itemLabel:text-is('JupyterLab Dark')").click()
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=15_000)


def test_play_animates_and_scrub_moves_the_model(server, browser) -> None:
    page, host = open_lab_notebook(server, browser, "viewer-play.ipynb", [ARM, PLAY], READY)
    page.wait_for_function("el => !!el.gizmoPlayback", arg=host, timeout=20_000)
    timeline = host.query_selector(".gz-timeline")
    assert timeline is not None and timeline.query_selector("input.gz-scrub") is not None
    canvas = host.query_selector("canvas")

    # playing: time advances and the picture changes by itself
    t0 = host.evaluate("el => el.gizmoPlayback.time()")
    first = canvas.screenshot()
    page.wait_for_timeout(700)
    second = canvas.screenshot()
    t1 = host.evaluate("el => el.gizmoPlayback.time()")
    assert host.evaluate("el => el.gizmoPlayback.playing()")
    assert t1 != t0, "the timeline did not advance"
    assert pixel_difference(first, second) > 300, "playing did not move the model"

    # pause, then scrub with the range input like a user: the forearm follows
    host.query_selector("button.gz-play").click()
    assert not host.evaluate("el => el.gizmoPlayback.playing()")
    scrub = "el => { const s = el.querySelector('input.gz-scrub'); s.value = String(%s); s.dispatchEvent(new Event('input')); }"
    host.evaluate(scrub % 0)
    page.wait_for_timeout(200)
    at0 = host.evaluate("el => el.gizmoViewer.viewport.linkWorldMatrix('fore')")
    shot0 = canvas.screenshot()
    host.evaluate(scrub % 0.5)
    page.wait_for_timeout(200)
    at_half = host.evaluate("el => el.gizmoViewer.viewport.linkWorldMatrix('fore')")
    shot_half = canvas.screenshot()
    save_artifact("viewer-play-light.png", host.screenshot())
    assert host.evaluate("el => el.gizmoPlayback.time()") == 0.5
    assert at_half != at0, "scrubbing did not move the forearm"
    assert pixel_difference(shot0, shot_half) > 300
    # the timeline stays put when paused
    page.wait_for_timeout(300)
    assert host.evaluate("el => el.gizmoPlayback.time()") == 0.5

    # stop() removes the playback: the arm goes back to its joint values (all 0 here: the
    # pose at t = 0), not the last played frame
    execute_in_kernel(page, "v.stop()")
    page.wait_for_function("el => !el.gizmoPlayback && !el.querySelector('.gz-timeline')", arg=host, timeout=20_000)
    stopped = host.evaluate("el => el.gizmoViewer.viewport.linkWorldMatrix('fore')")
    assert max(abs(a - b) for a, b in zip(stopped, at0, strict=True)) < 1e-6, (stopped, at0)

    _dark_theme(page)
    page.wait_for_timeout(300)
    save_artifact("viewer-play-dark.png", host.screenshot())
    assert browser.console_errors() == []
