"""The viewer in Voila: drawn, and no "receiving model…" left over the finished view.

Voila sends the chunk list again after the model is drawn on some page loads; the progress
line used to come back then ("receiving model… 92%" over the drawn model, 2 loads in 3).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from _harness import count_foreground, pixel_difference, save_artifact, voila_app, write_ipynb
from test_viewer import ARM, READY


@pytest.fixture(scope="module")
def voila_url() -> Iterator[str]:
    tmp = Path(tempfile.mkdtemp(prefix="gizmo-voila-"))
    with voila_app(write_ipynb(tmp / "viewer.ipynb", [ARM, "gn.view(arm, height=320)"])) as url:
        yield url


def test_voila_draws_the_viewer_with_no_stale_progress(voila_url, browser) -> None:
    browser.clear_console()
    for load in range(3):
        page = browser.new_page()
        page.goto(voila_url, timeout=120_000)
        host = page.wait_for_selector(READY, timeout=120_000)
        canvas = host.query_selector("canvas")
        before = canvas.screenshot()
        assert count_foreground(before) > 2000, f"load {load}: the viewer drew nothing"
        page.wait_for_timeout(2000)  # the late chunk-list update arrives within this
        assert host.evaluate("el => el.querySelector('.gz-progress').textContent") == "", f"load {load}"
        if load == 0:
            save_artifact("voila-viewer.png", host.screenshot())
            host.evaluate("""el => { const s = el.querySelector("input[data-joint='shoulder']");
                s.value = '1.2'; s.dispatchEvent(new Event('input')); }""")
            page.wait_for_timeout(400)
            assert pixel_difference(before, canvas.screenshot()) > 500, "the slider did not pose the model"
        page.close()
    assert [e for e in browser.console_errors() if "gizmo" in e.lower() or "pageerror" in e] == []
