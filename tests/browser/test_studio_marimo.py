"""The Studio in marimo (``marimo run`` and ``marimo edit``), driven by headless Chromium on the offline backend.

marimo hosts anywidgets with its own front-end model (anywidget's contract, no Backbone) inside
a shadow root. The Studio must be styled there, generate from its form, and redraw its list as
the kernel's traits change; in a second session and after a reload it must render again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import Browser, marimo_app, marimo_edit_run_all, save_artifact

pytest.importorskip("marimo", reason="marimo is in the test extra: pip install -e '.[test]'")

NOTEBOOK = '''
import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
    page_size = mo.ui.slider(20, 30, value=20, label="page size")
    page_size
    return (page_size,)


@app.cell
def _(page_size):
    from gizmo_notebook import Studio
    studio = Studio(poll_interval=0.3, page_size=page_size.value)
    studio
    return (studio,)


if __name__ == "__main__":
    app.run()
'''


def _serve(mode: str) -> Iterator[str]:
    nb = Path(tempfile.mkdtemp(prefix=f"gizmo-marimo-studio-{mode}-")) / "studio_app.py"
    nb.write_text(NOTEBOOK)
    with marimo_app(nb, mode) as url:
        yield url


@pytest.fixture(scope="module")
def marimo_run() -> Iterator[str]:
    yield from _serve("run")


@pytest.fixture(scope="module")
def marimo_edit() -> Iterator[str]:
    yield from _serve("edit")


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _styled_studio(page: Any, timeout: float = 90) -> Any:
    """The page's Studio once visible, with its CSS inside marimo's shadow root."""
    studio = page.locator(".gzs-studio")  # Playwright's CSS pierces marimo's shadow root
    _expect()(studio).to_be_visible(timeout=timeout * 1000)
    assert studio.evaluate("el => getComputedStyle(el).borderTopLeftRadius") == "6px"  # its CSS reached in
    return studio


def _generate(studio: Any, name: str, prompt: str) -> None:
    """Type a prompt and name, press Generate, wait for the new row to be ready."""
    expect = _expect()
    studio.locator(".gzs-prompt-input").fill(prompt)
    studio.locator(".gzs-name-input").fill(name)
    studio.locator(".gzs-generate").click()
    expect(studio.locator(".gzs-prompt-input")).to_have_value("")
    row = studio.locator(f'.gzs-row:has(.gzs-name:text-is("{name}"))')
    expect(row.locator('.gzs-badge[data-status="ready"]')).to_be_visible(timeout=60_000)


def _rerun_studio_cell(page: Any) -> None:
    """Move the page-size slider: marimo re-runs the Studio's cell (closing the old widget's comm)
    and shows a new Studio in its place."""
    old = page.locator(".gzs-studio").element_handle()
    page.locator("[role=slider]").first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => !el.isConnected", arg=old, timeout=60_000)


def _errors(browser: Browser) -> list[str]:
    return [e for e in browser.console_errors() if "gizmo" in e.lower() or "pageerror" in e or "Model" in e]


def _offline_notice_is_one_calm_line(page: Any) -> None:
    """``marimo edit`` shows a cell's console under it, stderr in red: the offline-backend notice
    must be one plain stdout line there, as in Jupyter, not a logged warning with URL and folder."""
    console = page.locator("[data-testid=console-output-area]")
    notice = console.locator(".stdout", has_text="offline local backend")
    _expect()(notice).to_have_count(1, timeout=30_000)
    text = notice.inner_text().strip()
    assert "\n" not in text and "GIZMO_API_KEY" in text and "http" not in text, text
    assert console.locator(".stderr").count() == 0, console.inner_text()


def test_marimo_run_studio_is_styled_generates_and_its_list_updates(marimo_run: str, browser: Browser) -> None:
    expect = _expect()
    browser.clear_console()
    page = browser.new_page()
    try:
        page.goto(marimo_run)
        studio = _styled_studio(page)
        rows = studio.locator(".gzs-row")
        before = rows.count()
        for name, prompt in (("marimo arm", "a two link arm"), ("marimo rover", "a four wheeled rover")):
            _generate(studio, name, prompt)
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
        # a second browser session (another kernel, same library) renders and generates too
        second = browser.new_page()
        try:
            second.goto(marimo_run)
            other = _styled_studio(second)
            expect(other.locator('.gzs-row:has(.gzs-name:text-is("marimo arm"))')).to_be_visible(timeout=30_000)
            _generate(other, "marimo crane", "a crane with a hook")
            save_artifact("studio-marimo-run-second.png", second.screenshot())
        finally:
            second.close()
        # re-run the Studio's cell, then reload: the Studio renders again with every row so far
        _rerun_studio_cell(page)
        _styled_studio(page)
        page.reload()
        studio = _styled_studio(page)
        expect(studio.locator('.gzs-row:has(.gzs-name:text-is("marimo crane"))')).to_be_visible(timeout=30_000)
        expect(studio.locator(".gzs-row")).to_have_count(before + 3)
        assert _errors(browser) == [], _errors(browser)
    finally:
        page.close()


def test_marimo_edit_studio_generates_its_list_updates_and_it_renders_after_reload(
    marimo_edit: str, browser: Browser
) -> None:
    expect = _expect()
    browser.clear_console()
    page = browser.new_page()
    try:
        page.goto(marimo_edit)
        marimo_edit_run_all(page, ".gzs-studio")
        studio = _styled_studio(page)
        _offline_notice_is_one_calm_line(page)
        rows = studio.locator(".gzs-row")
        before = rows.count()
        _generate(studio, "edit arm", "a two link arm")
        _generate(studio, "edit rover", "a four wheeled rover")
        expect(rows).to_have_count(before + 2)
        # Ctrl+Enter generates here too: in marimo's shadow root the key's target at the window
        # is the shadow host, not the prompt box, and the Studio must still know it was typed there
        box = studio.locator(".gzs-prompt-input")
        box.fill("a gripper with two fingers")
        studio.locator(".gzs-name-input").fill("edit gripper")
        box.focus()
        page.keyboard.press("Control+Enter")
        expect(box).to_have_value("", timeout=30_000)
        gripper = studio.locator('.gzs-row:has(.gzs-name:text-is("edit gripper"))')
        expect(gripper.locator('.gzs-badge[data-status="ready"]')).to_be_visible(timeout=60_000)
        before += 1
        studio.locator(".gzs-search").fill("rover")
        expect(rows).to_have_count(1)
        studio.locator(".gzs-search").fill("")
        expect(rows).to_have_count(before + 2)
        save_artifact("studio-marimo-edit.png", page.screenshot())
        _rerun_studio_cell(page)
        expect(_styled_studio(page).locator(".gzs-row")).to_have_count(before + 2)
        page.reload()
        studio = _styled_studio(page, timeout=120)
        expect(studio.locator('.gzs-row:has(.gzs-name:text-is("edit rover"))')).to_be_visible(timeout=30_000)
        expect(studio.locator(".gzs-row")).to_have_count(before + 2)
        save_artifact("studio-marimo-edit-reload.png", page.screenshot())
        assert _errors(browser) == [], _errors(browser)
    finally:
        page.close()
