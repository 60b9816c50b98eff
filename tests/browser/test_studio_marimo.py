"""The Studio in marimo (``marimo run``), driven by headless Chromium on the offline backend.

marimo hosts anywidgets with its own front-end model (anywidget's contract, no Backbone) inside
a shadow root. The Studio must be styled there, generate from its form, and redraw its list as
the kernel's traits change.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import Browser, marimo_app, save_artifact

pytest.importorskip("marimo", reason="marimo is in the test extra: pip install -e '.[test]'")

NOTEBOOK = '''
import marimo

app = marimo.App()


@app.cell
def _():
    from gizmo_notebook import Studio
    studio = Studio(poll_interval=0.3)
    studio
    return (studio,)


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture(scope="module")
def marimo_run() -> Iterator[str]:
    nb = Path(tempfile.mkdtemp(prefix="gizmo-marimo-studio-")) / "studio_app.py"
    nb.write_text(NOTEBOOK)
    with marimo_app(nb, "run") as url:
        yield url


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def test_marimo_run_studio_is_styled_generates_and_its_list_updates(marimo_run: str, browser: Browser) -> None:
    expect = _expect()
    browser.clear_console()
    page = browser.new_page()
    try:
        page.goto(marimo_run)
        studio = page.locator(".gzs-studio")  # Playwright's CSS pierces marimo's shadow root
        expect(studio).to_be_visible(timeout=90_000)
        assert studio.evaluate("el => getComputedStyle(el).borderTopLeftRadius") == "6px"  # its CSS reached in
        rows = studio.locator(".gzs-row")
        before = rows.count()
        for name, prompt in (("marimo arm", "a two link arm"), ("marimo rover", "a four wheeled rover")):
            studio.locator(".gzs-prompt-input").fill(prompt)
            studio.locator(".gzs-name-input").fill(name)
            studio.locator(".gzs-generate").click()
            expect(studio.locator(".gzs-prompt-input")).to_have_value("")
            row = studio.locator(f'.gzs-row:has(.gzs-name:text-is("{name}"))')
            expect(row.locator('.gzs-badge[data-status="ready"]')).to_be_visible(timeout=60_000)
        expect(rows).to_have_count(before + 2)
        # the list follows the filters (a trait the browser sets, answered by the kernel)
        studio.locator(".gzs-search").fill("rover")
        expect(rows).to_have_count(1)
        studio.locator(".gzs-search").fill("")
        expect(rows).to_have_count(before + 2)
        page.wait_for_function(
            """() => [...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(Boolean)
                 .flatMap(r => [...r.querySelectorAll('img.gzs-thumb')]).some(i => i.complete && i.naturalWidth > 0)""",
            timeout=60_000,
        )
        save_artifact("studio-marimo-run.png", page.screenshot())
        errors = [e for e in browser.console_errors() if "gizmo" in e.lower() or "pageerror" in e or "Model" in e]
        assert errors == [], errors
    finally:
        page.close()
