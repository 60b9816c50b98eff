"""The Studio in Voila: generates from its own form, and its list follows the kernel.

Voila runs the notebook's cells at page load and then only talks to the kernel through the
widgets' comms, so everything here goes through the Studio's DOM (type a prompt, click
Generate), on the offline backend with the harness's short latency.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from _harness import Browser, save_artifact, voila_app, write_ipynb
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def voila_studio() -> Iterator[str]:
    tmp = Path(tempfile.mkdtemp(prefix="gizmo-voila-studio-"))
    nb = write_ipynb(tmp / "studio.ipynb", ["import gizmo_notebook as gn\nstudio = gn.Studio(poll_interval=0.3)\nstudio"])
    with voila_app(nb) as url:
        yield url


def test_voila_studio_generates_and_its_list_updates(voila_studio: str, browser: Browser) -> None:
    browser.clear_console()
    page = browser.new_page()
    try:
        page.goto(voila_studio, timeout=120_000)
        studio = page.locator(".gzs-studio")
        expect(studio).to_be_visible(timeout=120_000)
        rows = studio.locator(".gzs-row")
        before = rows.count()
        studio.locator(".gzs-prompt-input").fill("a two link arm")
        studio.locator(".gzs-name-input").fill("voila arm")
        studio.locator(".gzs-generate").click()
        expect(studio.locator(".gzs-prompt-input")).to_have_value("")  # the kernel took the job
        row = studio.locator('.gzs-row:has(.gzs-name:text-is("voila arm"))')
        expect(row.locator('.gzs-badge[data-status="ready"]')).to_be_visible(timeout=60_000)
        expect(rows).to_have_count(before + 1)
        thumb = row.locator("img.gzs-thumb").element_handle()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb, timeout=60_000)
        save_artifact("studio-voila.png", page.screenshot())
        errors = [e for e in browser.console_errors() if "gizmo" in e.lower() or "pageerror" in e or "Model" in e]
        assert errors == [], errors
    finally:
        page.close()
