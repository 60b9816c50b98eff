"""The Studio's per-asset actions in a real JupyterLab 4 + headless Chromium, offline backend.

``test_studio.py`` covers generate -> ready -> preview. This module covers what a user does
next: Batch, filter and search, Compare, Iterate (lineage), Export, Copy id, and inline errors
(a blank prompt, a too-long prompt, a wrong API key) after which the widget keeps working.

One notebook (one kernel) serves the whole module so it stays fast: the module fixture submits
a batch through the UI and waits for it, and every test acts on those assets (each test also
runs alone, e.g. with ``-k``). The batch carries a per-run tag (``act-<token>``) that nothing
else gets, so assets other tests left on the shared server never confuse the counts.
Python-side facts (lineage, tags) are read from the same kernel the widget lives in, through
the notebook's own kernel connection.
"""

from __future__ import annotations

import re
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import (
    Browser,
    JupyterServer,
    open_studio_notebook,
    pixel_difference,
    save_artifact,
    wait_for_pixels,
)
from _harness import expect as _expect
from _harness import kernel_json as _kernel_json

TOKEN = secrets.token_hex(3)
TAG = f"act-{TOKEN}"
ITER_TAG = f"iter-{TOKEN}"
OTHER_TAG = f"other-{TOKEN}"
BAD_KEY = f"gzm_local_wrong{TOKEN}"
BATCH = [f"a two link arm {TOKEN}", f"a four wheeled rover {TOKEN}", f"a gripper with two fingers {TOKEN}"]
MAIN = ".gzs-studio >> nth=0"  # the Studio on the offline backend
BAD = ".gzs-studio >> nth=1"  # the Studio whose client has a wrong key

NOTEBOOK = [
    # An asset with another tag, so the tag filter has something to leave out.
    "from gizmo_notebook import Studio\n"
    "studio = Studio(poll_interval=0.3)\n"
    f"studio.generate('a single wheel on an axle', name='{OTHER_TAG}', tags='{OTHER_TAG}')\n"
    "studio",
    "from gizmo_notebook.client import AsyncGizmoClient\n"
    "from gizmo_notebook.studio.widget import default_client\n"
    f"bad = Studio(AsyncGizmoClient(api_key='{BAD_KEY}', base_url=default_client().base_url))\n"
    "bad",
]


def _mine(page: Any) -> Any:
    """Rows of this run's batch, in the main Studio."""
    return page.locator(MAIN).locator(f'.gzs-row:has(.gzs-chip:text-is("{TAG}"))')


def _set_search(page: Any, text: str) -> None:
    page.locator(MAIN).locator(".gzs-search").fill(text)


@pytest.fixture(scope="module")
def page(jupyter_server: JupyterServer, browser: Browser) -> Iterator[Any]:
    browser.clear_console()
    # Async clipboard in headless Chromium needs the permission granted for the server's origin.
    browser.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=jupyter_server.base_url)
    page = open_studio_notebook(jupyter_server, browser, f"studio-actions-{TOKEN}.ipynb", NOTEBOOK, studios=2)
    try:
        _submit_batch(page)
        yield page
    finally:
        page.close()
        browser.context.clear_permissions()
        jupyter_server.shutdown_kernels()


def _submit_batch(page: Any) -> None:
    """Batch mode: several prompts, one per line, one Generate click; wait until all are ready."""
    expect = _expect()
    studio = page.locator(MAIN)
    studio.locator(".gzs-batch-toggle").check()
    studio.locator(".gzs-prompt-input").fill("\n".join(BATCH) + "\n\n")  # blank lines are ignored
    studio.locator(".gzs-tags-input").fill(TAG)
    studio.locator(".gzs-generate").click()
    rows = _mine(page)
    expect(rows).to_have_count(len(BATCH), timeout=30_000)
    expect(rows.locator('.gzs-badge[data-status="ready"]')).to_have_count(len(BATCH), timeout=60_000)
    save_artifact("studio-actions-batch.png", studio.screenshot())
    studio.locator(".gzs-batch-toggle").uncheck()
    studio.locator(".gzs-tags-input").fill("")


def test_batch_prompts_all_land_in_the_list_and_reach_ready(page: Any) -> None:
    expect = _expect()
    studio = page.locator(MAIN)
    rows = _mine(page)
    expect(rows).to_have_count(len(BATCH))
    progress = studio.locator(".gzs-batch-progress")
    expect(progress).to_contain_text(f"{len(BATCH)}/{len(BATCH)} submitted", timeout=30_000)
    expect(progress).to_contain_text(f"{len(BATCH)} finished — done", timeout=60_000)
    # a finished batch leaves its summary line, not a full bar standing in the form
    expect(studio.locator(".gzs-progress")).to_be_hidden()
    expect(rows.locator('.gzs-badge[data-status="ready"]')).to_have_count(len(BATCH))
    prompts = sorted(p.get_attribute("title") for p in rows.locator(".gzs-prompt").all())
    assert prompts == sorted(BATCH)
    # batch assets are named after their prompts: each row shows the prompt once, not twice
    for row in rows.all():
        assert row.inner_text().count(row.locator(".gzs-prompt").get_attribute("title")) == 1
    # Batch assets are plain assets: no parent, the batch's tag only.
    for row in rows.all():
        expect(row.locator(".gzs-chip")).to_have_text([TAG])
        expect(row.locator(".gzs-lineage")).to_have_text("")


def test_filter_by_status_and_tag_and_search_narrow_the_list(page: Any) -> None:
    expect = _expect()
    studio = page.locator(MAIN)
    rows = studio.locator(".gzs-row")
    everything = rows.count()
    assert everything >= len(BATCH) + 1, "the batch and the other-tag asset should all be listed"

    studio.locator(".gzs-tag-filter").select_option(TAG)
    expect(rows).to_have_count(len(BATCH))
    expect(studio.locator(f'.gzs-row:has(.gzs-chip:text-is("{OTHER_TAG}"))')).to_have_count(0)
    studio.locator(".gzs-tag-filter").select_option("")
    expect(rows).to_have_count(everything)

    _set_search(page, f"rover {TOKEN}")  # a substring of exactly one prompt
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".gzs-prompt")).to_have_attribute("title", BATCH[1])
    _set_search(page, TAG.upper())  # case-insensitive; matches the batch's tag
    expect(rows).to_have_count(len(BATCH))

    studio.locator(".gzs-status-filter").select_option("failed")
    expect(rows).to_have_count(0)
    expect(studio.locator(".gzs-bar .gzs-muted")).to_contain_text("showing 0 of")
    studio.locator(".gzs-status-filter").select_option("ready")
    expect(rows).to_have_count(len(BATCH))

    studio.locator(".gzs-status-filter").select_option("")
    _set_search(page, "")
    expect(rows).to_have_count(everything)


def test_compare_shows_two_ready_assets_side_by_side_with_their_prompts(page: Any) -> None:
    expect = _expect()
    studio = page.locator(MAIN)
    rows = _mine(page)
    picked = [rows.nth(0), rows.nth(1)]
    ids = [r.get_attribute("data-id") for r in picked]
    prompts = [r.locator(".gzs-prompt").get_attribute("title") for r in picked]
    compare = studio.locator(".gzs-compare-btn")
    expect(compare).to_be_disabled()
    for r in picked:
        r.locator(".gzs-select").check()
    expect(compare).to_have_text("Compare (2)")
    expect(compare).to_be_enabled()
    compare.click()

    cells = studio.locator(".gzs-compare .gzs-compare-cell")
    expect(cells).to_have_count(2)
    assert [c.get_attribute("data-id") for c in cells.all()] == ids
    assert [c.locator(".gzs-prompt").get_attribute("title") for c in cells.all()] == prompts
    assert all(c.inner_text().count(p) == 1 for c, p in zip(cells.all(), prompts, strict=True))
    canvases = [c.locator("canvas") for c in cells.all()]
    for canvas in canvases:
        expect(canvas).to_be_visible(timeout=60_000)
    drawn = [wait_for_pixels(c, 800) for c in canvases]
    assert min(drawn) >= 800, f"a compare canvas stayed blank: {drawn} foreground pixels"
    a, b = (c.bounding_box() for c in canvases)
    assert abs(a["y"] - b["y"]) < 2 and a["x"] + a["width"] <= b["x"] + 1, f"not side by side: {a} {b}"
    assert a["width"] > 100 and b["width"] > 100, f"squeezed canvases: {a} {b}"
    # Joint sliders per model (the viewer panel in each cell).
    for c in cells.all():
        expect(c.locator(".gizmo-viewer")).to_have_count(1)

    # One scale: both cameras at the distance that frames the larger model.
    expect(cells.nth(0)).to_have_attribute("data-camera-distance", re.compile(r"^\d"), timeout=30_000)
    distances = {c.get_attribute("data-camera-distance") for c in cells.all()}
    assert len(distances) == 1, distances
    # Orbit together: dragging the first view turns the second.
    before = canvases[1].screenshot()
    box = canvases[0].bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2 + 30, steps=8)
    page.mouse.up()
    page.wait_for_timeout(500)
    moved = pixel_difference(before, canvases[1].screenshot())
    assert moved > 500, f"the second view did not follow the first one's orbit ({moved} pixels changed)"
    assert len({c.get_attribute("data-camera-distance") for c in cells.all()}) == 1

    # The table under the views: links, DOF by type, bounding size, total mass, one column per model.
    table = studio.locator(".gzs-compare-table")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_count(3)
    facts = {row.locator("th").inner_text(): [td.inner_text() for td in row.locator("td").all()]
             for row in table.locator("tbody tr").all()}
    assert list(facts) == ["links", "DOF", "size (x × y × z)", "total mass"], facts
    for i, c in enumerate(cells.all()):
        links = c.locator(".gizmo-viewer").inner_text().split(" links")[0].split()[-1]
        assert facts["links"][i] == links, (facts, links)
        assert re.fullmatch(r"\d+ \(.+\)", facts["DOF"][i]), facts
        assert facts["size (x × y × z)"][i].count("×") == 2, facts
        assert re.fullmatch(r"[\d.]+ kg|—", facts["total mass"][i]), facts
    assert "revolute" in facts["DOF"][0] + facts["DOF"][1], facts
    save_artifact("studio-actions-compare.png", studio.screenshot())

    studio.locator(".gzs-compare button", has_text="Close compare").click()
    expect(cells).to_have_count(0)
    for r in picked:
        r.locator(".gzs-select").uncheck()
    expect(compare).to_have_text("Compare (0)")


def test_compare_in_a_narrow_notebook_keeps_names_on_one_line_and_words_whole(page: Any) -> None:
    """At 400 px the views stack: each model's name heads its table column on one line (cut, in
    full on hover) at a readable width, no word is split ("3 (3 prismatic)" left a lone ")" on a
    line), and only the table, never the Studio, scrolls sideways when three models do not fit."""
    expect = _expect()
    studio = page.locator(MAIN)
    rows = _mine(page)
    picked = [rows.nth(0), rows.nth(1), rows.nth(2)]
    page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }")
    page.set_viewport_size({"width": 400, "height": 900})
    try:
        for r in picked:
            r.locator(".gzs-select").check()
        studio.locator(".gzs-compare-btn").click()
        table = studio.locator(".gzs-compare-table")
        expect(table.locator("tbody tr")).to_have_count(4, timeout=60_000)
        table.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        shape = table.evaluate(r"""t => {
          const lines = (el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
          const split = [];
          for (const cell of t.querySelectorAll('td, tbody th')) {
            const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
              for (const m of n.textContent.matchAll(/\S+/g)) {
                const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
                if (r.getClientRects().length > 1) split.push(m[0]);
              }
            }
          }
          const box = t.parentElement;
          return { headLines: [...t.querySelectorAll('thead th')].slice(1).map((th) => th.scrollHeight <= th.clientHeight + 1 && getComputedStyle(th).whiteSpace === 'nowrap' ? 1 : 2),
                   headHeight: t.querySelector('thead tr').getBoundingClientRect().height,
                   lineHeight: parseFloat(getComputedStyle(t.querySelector('thead th')).lineHeight),
                   titles: [...t.querySelectorAll('thead th')].slice(1).map((th) => th.title),
                   widths: [...t.querySelectorAll('thead th')].slice(1).map((th) => th.getBoundingClientRect().width),
                   em: parseFloat(getComputedStyle(t).fontSize), scrollable: getComputedStyle(box).overflowX,
                   split, overflow: box.scrollWidth - box.clientWidth,
                   studioOverflow: t.closest('.gzs-studio').scrollWidth - t.closest('.gzs-studio').clientWidth };
        }""")
        save_artifact("studio-actions-compare-narrow.png", table.screenshot())
        assert shape["split"] == [], shape  # no word broken across lines
        assert shape["headHeight"] < 2 * shape["lineHeight"] + 8, shape  # names on one line, not one word per line
        assert shape["studioOverflow"] <= 0, shape  # the Studio never scrolls sideways
        assert min(shape["widths"]) >= 8 * shape["em"] - 1, shape  # a name column stays readable...
        assert shape["overflow"] <= 0 or shape["scrollable"] == "auto", shape  # ...and the table alone scrolls
        names = [r.locator(".gzs-name").inner_text() for r in picked]
        assert [t.split(" (")[0] for t in shape["titles"]] == names, shape
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
        studio.locator(".gzs-compare button", has_text="Close compare").click()
        for r in picked:
            r.locator(".gzs-select").uncheck()


def test_iterate_prefills_the_prompt_and_the_new_asset_remembers_its_parent(page: Any) -> None:
    expect = _expect()
    studio = page.locator(MAIN)
    parent = _mine(page).nth(2)
    parent_id = parent.get_attribute("data-id")
    parent_prompt = parent.locator(".gzs-prompt").get_attribute("title")
    parent_name = parent.locator(".gzs-name").inner_text()
    parent.locator(".gzs-iterate-btn").click()

    prompt = studio.locator(".gzs-prompt-input")
    expect(prompt).to_have_value(parent_prompt)
    expect(prompt).to_be_focused()
    expect(studio.locator(".gzs-tags-input")).to_have_value(TAG)
    chip = studio.locator(".gzs-parent-chip")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("iterating on")

    child_name = f"child-{TOKEN}"
    prompt.fill(parent_prompt + " with longer links")
    studio.locator(".gzs-name-input").fill(child_name)
    studio.locator(".gzs-tags-input").fill(ITER_TAG)
    studio.locator(".gzs-generate").click()
    expect(chip).to_be_hidden()  # one iteration per click: the next Generate starts fresh
    child = studio.locator(f'.gzs-row:has(.gzs-name:text-is("{child_name}"))')
    expect(child.locator('.gzs-badge[data-status="ready"]')).to_be_visible(timeout=60_000)
    lineage = child.locator(".gzs-lineage")
    expect(lineage).to_have_text(f"↳ iteration of {parent_name}")
    assert lineage.get_attribute("title") == f"iterated from {parent_id}"
    # The parent's name is a link to its row.
    lineage.locator(f'.gzs-link[data-id="{parent_id}"]').click()
    expect(studio.locator(f'.gzs-row[data-id="{parent_id}"]')).to_have_class(re.compile(r"\bgzs-flash\b"))
    # The bookkeeping parent tag is not shown as a user tag.
    expect(child.locator(".gzs-chip")).to_have_text([ITER_TAG])
    save_artifact("studio-actions-iterate.png", child.screenshot())

    child_id = child.get_attribute("data-id")
    facts = _kernel_json(
        page,
        "import json\n"
        f"a = {{x.id: x for x in studio.assets}}[{child_id!r}]\n"
        f"print(json.dumps({{'lineage': studio.lineage({child_id!r}), 'tags': list(a.tags or []),"
        " 'prompt': a.prompt}))",
    )
    assert facts["lineage"] == [parent_id]
    assert f"parent:{parent_id}" in facts["tags"]  # lineage lives on the server, not just here
    assert facts["prompt"] == parent_prompt + " with longer links"


@pytest.mark.parametrize(
    ("fmt", "root_tag"), [("mujoco_mjcf", "mujoco"), ("isaac_sim_urdf", "robot"), ("isaac_sim_usd", None)]
)
def test_export_writes_the_file_and_offers_a_download_link_and_its_absolute_path(
    page: Any, jupyter_server: JupyterServer, fmt: str, root_tag: str | None
) -> None:
    expect = _expect()
    row = _mine(page).nth(0)
    asset_id = row.get_attribute("data-id")
    row.locator(".gzs-format").select_option(fmt)
    row.locator(".gzs-export-btn").click()
    label = {"mujoco_mjcf": "MJCF (MuJoCo)", "isaac_sim_urdf": "URDF (Isaac Sim)", "isaac_sim_usd": "USD (Isaac Sim)"}[fmt]
    line = row.locator(f'.gzs-export-line[data-format="{fmt}"]')
    shown = line.locator("code")
    expect(shown).to_be_visible(timeout=60_000)
    expect(line).to_contain_text(label)
    # Absolute: the kernel's working folder (here the Jupyter root) is not visible from the page.
    path = Path(shown.inner_text().strip())
    assert path.is_absolute(), path
    assert path.relative_to(jupyter_server.root.resolve()).parts[:2] == ("gizmo-exports", asset_id), path
    # A single-file format lands as the file; a zipped one (URDF + meshes) is unpacked into a folder.
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    assert files and all(p.stat().st_size > 0 for p in files), f"{path} missing or empty"
    if root_tag is None:  # USD: a stage file, text (.usda, starts with "#usda") or binary crate
        stages = [p for p in files if p.suffix in (".usd", ".usda", ".usdc")]
        assert stages, f"no USD stage among {[p.name for p in files]}"
        assert stages[0].read_bytes()[:8] in (b"#usda 1.", b"PXR-USDC"), stages[0].read_bytes()[:16]
    else:
        roots = {ET.parse(p).getroot().tag for p in files if p.suffix in (".xml", ".urdf", ".mjcf")}
        assert root_tag in roots, f"no <{root_tag}> document among {[p.name for p in files]}"
    assert not page.locator(MAIN).locator('.gzs-notice[data-kind]').count(), page.locator(MAIN).locator(
        ".gzs-notices"
    ).inner_text()
    # The download link hands over the same bytes (a folder as one zip of its files).
    with page.expect_download(timeout=60_000) as info:
        line.locator("a.gzs-download").click()
    download = info.value
    data = Path(download.path()).read_bytes()
    if path.is_file():
        assert download.suggested_filename == path.name and data == path.read_bytes()
    else:
        import io
        import zipfile

        assert download.suggested_filename == f"{path.name}.zip"
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert sorted(zf.namelist()) == sorted(p.relative_to(path).as_posix() for p in files)
            assert all(zf.read(p.relative_to(path).as_posix()) == p.read_bytes() for p in files)
    save_artifact(f"studio-actions-export-{fmt}.png", row.screenshot())


def test_copy_id_puts_the_asset_id_on_the_clipboard(page: Any) -> None:
    expect = _expect()
    row = _mine(page).nth(1)
    asset_id = row.get_attribute("data-id")
    page.evaluate("() => navigator.clipboard.writeText('nothing yet')")
    button = row.locator(".gzs-copy-btn")
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == asset_id
    expect(button).to_have_text("Copy id", timeout=5_000)  # the feedback goes away again


def test_blank_and_too_long_prompts_are_explained_inline_and_generate_still_works(page: Any) -> None:
    expect = _expect()
    studio = page.locator(MAIN)
    rows = studio.locator(".gzs-row")
    before = rows.count()
    prompt = studio.locator(".gzs-prompt-input")
    message = studio.locator(".gzs-form .gzs-inline-msg")

    prompt.fill("   \n  ")
    studio.locator(".gzs-generate").click()
    expect(message).to_contain_text("Type a prompt first")
    studio.locator(".gzs-batch-toggle").check()
    studio.locator(".gzs-generate").click()
    expect(message).to_contain_text("at least one prompt")
    studio.locator(".gzs-batch-toggle").uncheck()

    # Too long for the API: the kernel refuses it before any request and says the limit.
    prompt.fill("a robot arm " * 400)
    studio.locator(".gzs-generate").click()
    notice = studio.locator('.gzs-notice[data-kind="validation"]')
    expect(notice).to_contain_text("keep it under 4000")
    expect(notice.locator(".gzs-hint")).to_contain_text("Fix the input")
    expect(rows).to_have_count(before)
    expect(prompt).to_have_value("a robot arm " * 400)  # refused: the text comes back to be fixed

    prompt.fill(f"a pan tilt camera mount {TOKEN}")
    studio.locator(".gzs-tags-input").fill("")
    studio.locator(".gzs-name-input").fill(f"after-errors-{TOKEN}")
    studio.locator(".gzs-generate").click()
    expect(prompt).to_have_value("")  # cleared at once: a second click cannot submit a twin
    expect(studio.locator(".gzs-name-input")).to_have_value("")
    expect(notice).to_have_count(0)  # a successful generate clears the stale message
    after = studio.locator(f'.gzs-row:has(.gzs-name:text-is("after-errors-{TOKEN}"))')
    expect(after.locator('.gzs-badge[data-status="ready"]')).to_be_visible(timeout=60_000)
    save_artifact("studio-actions-errors.png", studio.screenshot())


def test_wrong_key_shows_a_401_with_what_to_do_and_the_widget_keeps_working(
    page: Any, browser: Browser
) -> None:
    expect = _expect()
    bad = page.locator(BAD)
    auth = bad.locator('.gzs-notice[data-kind="auth"]')
    expect(auth).to_have_count(1, timeout=30_000)  # from loading the list
    expect(auth).to_contain_text("rejected the API key (401)")
    expect(auth.locator(".gzs-hint")).to_contain_text("GIZMO_API_KEY")
    expect(bad.locator(".gzs-count")).to_have_text("asset list not loaded")

    bad.locator(".gzs-prompt-input").fill("a two link arm")
    bad.locator(".gzs-generate").click()
    expect(auth).to_contain_text("Generate: the Gizmo API rejected the API key (401)")
    expect(auth).to_have_count(1)  # the same kind of error replaces, not piles up
    expect(bad.locator(".gzs-generate")).to_have_text("Generate")  # not stuck "Submitting…"
    expect(bad.locator(".gzs-row")).to_have_count(0)

    auth.locator("button[title=dismiss]").click()
    expect(auth).to_have_count(0)
    bad.locator(".gzs-prompt-input").fill("")
    bad.locator(".gzs-generate").click()
    expect(bad.locator(".gzs-form .gzs-inline-msg")).to_contain_text("Type a prompt first")
    save_artifact("studio-actions-401.png", bad.screenshot())

    # The key never reaches the widgets (the notebook cell's source has it, the Studios must not),
    # and the main Studio was not affected by the other one's 401.
    widgets_html = page.locator(".gzs-studio").evaluate_all("els => els.map((e) => e.outerHTML).join('')")
    assert BAD_KEY not in widgets_html
    expect(page.locator(MAIN).locator('.gzs-notice[data-kind="auth"]')).to_have_count(0)
    errors = browser.console_errors()
    assert not errors, errors


def test_list_updates_while_polling_keep_keyboard_focus_in_a_row(page: Any) -> None:
    """A poll re-renders the list: rows that did not move must not be detached (focus theft)."""
    expect = _expect()
    select = _mine(page).nth(0).locator(".gzs-format")
    select.focus()
    assert page.evaluate("() => document.activeElement.classList.contains('gzs-format')")
    # A new asset makes the poller run and the list re-render several times.
    name = f"focus-{TOKEN}"
    _kernel_json(page, f"studio.generate('a small bracket {TOKEN}', name='{name}'); print('{{}}')")
    row = page.locator(MAIN).locator(f'.gzs-row:has(.gzs-name:text-is("{name}"))')
    expect(row.locator('.gzs-badge[data-status="ready"]')).to_be_visible(timeout=60_000)
    time.sleep(1.0)  # a few more poll ticks
    assert page.evaluate("() => document.activeElement.classList.contains('gzs-format')"), page.evaluate(
        "() => document.activeElement.className"
    )
