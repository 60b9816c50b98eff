"""The Studio in a real JupyterLab 4 and Notebook 7, in headless Chromium, on the offline backend."""

from __future__ import annotations

import time

import pytest
from _harness import (
    Browser,
    JupyterServer,
    cell_errors,
    run_all_cells,
    save_artifact,
    wait_for_pixels,
    wait_for_selector,
)

NOTEBOOK = ["from gizmo_notebook import Studio\nstudio = Studio(poll_interval=0.5)\nstudio"]


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_generate_watch_ready_and_preview(server: JupyterServer, browser: Browser, ui: str) -> None:
    nb = server.write_notebook(f"studio-{ui}.ipynb", NOTEBOOK)
    page = browser.open_notebook(server, nb, ui=ui)
    run_all_cells(page)
    assert cell_errors(page) == []
    studio = wait_for_selector(page, ".gzs-studio")
    prompt = studio.query_selector(".gzs-prompt-input")

    # A blank prompt gets an inline message and no request. (The server's earlier assets, if
    # another test made some, are listed: a new Studio shows what the account already has.)
    # the first page has loaded (on a busy machine that takes more than a second)
    page.wait_for_function("(s) => /^showing /.test(s.querySelector('.gzs-count').textContent)", arg=studio, timeout=60_000)
    before = len(studio.query_selector_all(".gzs-row"))
    studio.query_selector(".gzs-generate").click()
    assert "Type a prompt" in studio.query_selector(".gzs-form .gzs-inline-msg").inner_text()
    time.sleep(0.5)
    assert len(studio.query_selector_all(".gzs-row")) == before

    prompt.fill("a two link arm with a gripper")
    studio.query_selector(".gzs-name-input").fill(f"browser {ui}")
    studio.query_selector(".gzs-tags-input").fill("browser, e2e")
    studio.query_selector(".gzs-generate").click()
    mine = f'.gzs-row:has(.gzs-name:text-is("browser {ui}"))'
    row = wait_for_selector(page, mine)
    wait_for_selector(page, f'{mine} .gzs-badge[data-status="ready"]', timeout=90)
    assert "e2e" in row.inner_text()

    row.query_selector(".gzs-preview-btn").click()
    canvas = wait_for_selector(page, f"{mine} .gzs-preview canvas", timeout=60)
    drawn = wait_for_pixels(canvas, 1000)
    assert drawn >= 1000, f"the preview canvas stayed blank ({drawn} foreground pixels)"
    # Joint sliders come with the shared viewer panel.
    assert row.query_selector_all(".gzs-preview input[type=range]")

    # The thumbnail was rendered in the browser from the same geometry buffers.
    page.wait_for_function(
        "(el) => { const i = el.querySelector('img.gzs-thumb'); return i && i.complete && i.naturalWidth > 0; }",
        arg=row,
        timeout=60_000,
    )
    save_artifact(f"studio-{ui}.png", studio.screenshot())
    errors = browser.console_errors()
    assert not errors, errors


def test_gizmo_cell_magic_shows_status_then_preview(server: JupyterServer, browser: Browser) -> None:
    nb = server.write_notebook(
        "studio-magic.ipynb",
        ["%load_ext gizmo_notebook", "%%gizmo --name magic-arm --tags cell\na two link arm", "after = 1 + 1\nafter"],
    )
    page = browser.open_notebook(server, nb, ui="lab")
    run_all_cells(page)  # the %%gizmo cell does not block the next one
    assert cell_errors(page) == []
    card = wait_for_selector(page, '.gzs-studio:has(.gzs-name:text-is("magic-arm"))', timeout=60)
    wait_for_selector(page, '.gzs-studio .gzs-badge[data-status="ready"]', timeout=90)
    canvas = wait_for_selector(page, ".gzs-studio .gzs-preview canvas", timeout=60)  # opened by itself
    assert wait_for_pixels(canvas, 1000) >= 1000
    save_artifact("studio-magic-lab.png", card.screenshot())
    errors = browser.console_errors()
    assert not errors, errors
