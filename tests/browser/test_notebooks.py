"""Each tutorial notebook in a real JupyterLab + headless Chromium: every widget renders.

For every notebook: open it in JupyterLab, run all cells, and check what a reader would see:
no cell errors, no "Error displaying widget", every viewer finished loading and its canvas
drew pixels, the Studio rendered, and no console errors. The notebook is then saved through
the UI (widget state included, as the harness's Lab settings ask) and the saved file must
not contain the API key. That saved copy is then exported with ``nbconvert --to html`` and
opened offline from file:// with no kernel, as a published tutorial page: every 3D preview
must still be drawn. Screenshots go to test-artifacts/notebooks/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _harness import (
    cell_errors,
    count_foreground,
    run_all_cells,
    save_artifact,
    save_notebook,
)
from _static import open_offline, to_html

from tests.notebooks._notebooks import EXPECTED, NOTEBOOK_DIR, leaks, local_api_key, widget_views

# How many 3D viewers each notebook shows (cards, gallery tiles...) and whether it has a Studio.
VIEWERS = {"01": 1, "02": 2, "03": 1, "04": 8, "05": 1, "06": 4}
STUDIO = {"01", "02"}
MIN_PIXELS = 1500  # a drawn robot covers far more; a blank or clear-colour canvas has ~0
SAVED: dict[str, Path] = {}  # notebook name -> its copy saved by JupyterLab with widget state


def _viewer_report(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.gizmo-viewer-host')].map(el => ({
             ready: el.dataset.gizmoReady === '1',
             text: el.innerText.slice(0, 200),
             canvas: !!el.querySelector('canvas'),
        }))"""
    )


def _widget_errors(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.jp-OutputArea-output')]
             .map(el => el.innerText)
             .filter(t => /Error displaying widget|Error rendering widget|Model not found/i.test(t))
             .map(t => t.slice(0, 300))"""
    )


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_renders_every_widget_in_jupyterlab(
    server, browser, name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    key = name[:2]
    path = server.root / name
    shutil.copy(NOTEBOOK_DIR / name, path)
    page = browser.open_notebook(server, path)
    seconds = run_all_cells(page, timeout=150)
    assert cell_errors(page) == [], f"{name}: cells raised"

    expected = VIEWERS[key]
    page.wait_for_function(
        f"() => document.querySelectorAll(\".gizmo-viewer-host[data-gizmo-ready='1']\").length >= {expected}",
        timeout=60_000,
    )
    viewers = _viewer_report(page)
    assert len(viewers) == expected and all(v["ready"] and v["canvas"] for v in viewers), viewers
    if key in STUDIO:
        studio = page.wait_for_selector(".gz-studio, .gzs-studio", state="attached", timeout=30_000)
        studio.scroll_into_view_if_needed()
        assert page.evaluate("() => document.querySelector('.gz-studio, .gzs-studio').getBoundingClientRect().height") > 50
        save_artifact(f"notebooks/{name[:-6]}-studio.png", studio.screenshot())
    assert _widget_errors(page) == []

    for i, host in enumerate(page.query_selector_all(".gizmo-viewer-host")):
        canvas = host.query_selector("canvas")
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(150)  # let the render loop draw the now-visible canvas
        box = canvas.bounding_box()
        assert box and box["width"] >= 120, f"{name}: viewer {i} canvas squeezed to {box}"
        png = canvas.screenshot()
        save_artifact(f"notebooks/{name[:-6]}-viewer{i}.png", png)
        assert count_foreground(png) > MIN_PIXELS, f"{name}: viewer {i} drew nothing"
    save_artifact(f"notebooks/{name[:-6]}-page.png", page.screenshot())

    errors = browser.console_errors()
    assert errors == [], f"{name}: console errors:\n" + "\n".join(errors)

    # Saved through the UI, with widget state: still no key, still a sane size.
    save_notebook(page)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" in saved["metadata"], "JupyterLab did not save the widget state"
    text = path.read_text(encoding="utf-8")
    assert leaks(text, local_api_key(Path(server.env["GIZMO_DATA_DIR"]))) == []
    assert len(widget_views(saved)) >= 1
    assert path.stat().st_size < 12 * 1024 * 1024
    print(f"{name}: ran in {seconds:.1f} s, saved {path.stat().st_size / 1e6:.2f} MB")
    keep = tmp_path_factory.mktemp("saved") / name
    shutil.copy(path, keep)
    SAVED[name] = keep


def _saved_by_jupyterlab(server, browser, name: str) -> Path:
    """The notebook as JupyterLab saved it after Run All (widget state included).

    Reuses the copy the rendering test saved; run alone (``-k html``), it runs the notebook here.
    """
    if name not in SAVED:
        path = server.root / name
        shutil.copy(NOTEBOOK_DIR / name, path)
        page = browser.open_notebook(server, path)
        run_all_cells(page, timeout=150)
        page.wait_for_function(
            f"() => document.querySelectorAll(\".gizmo-viewer-host[data-gizmo-ready='1']\").length >= {VIEWERS[name[:2]]}",
            timeout=60_000,
        )
        save_notebook(page)
        page.close()
        server.shutdown_kernels()
        SAVED[name] = path
    return SAVED[name]


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_exported_to_html_shows_its_3d_previews(server, browser, name: str, tmp_path: Path) -> None:
    """Published as a page (nbconvert HTML, file://, no kernel, offline): every robot is drawn."""
    saved = tmp_path / name
    shutil.copy(_saved_by_jupyterlab(server, browser, name), saved)
    browser.clear_console()
    page = open_offline(browser, to_html(saved))
    expected = VIEWERS[name[:2]]
    page.wait_for_function(
        f"() => document.querySelectorAll(\".gizmo-viewer-host[data-gizmo-ready='1']\").length >= {expected}",
        timeout=60_000,
    )
    hosts = page.query_selector_all(".gizmo-viewer-host")
    assert len(hosts) == expected, f"{name}: {len(hosts)} previews on the page, expected {expected}"
    for i, host in enumerate(hosts):
        canvas = host.query_selector("canvas")
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(150)  # let the render loop draw the now-visible canvas
        png = canvas.screenshot()
        save_artifact(f"notebooks/{name[:-6]}-html-viewer{i}.png", png)
        assert count_foreground(png) > MIN_PIXELS, f"{name}: exported preview {i} drew nothing"
    assert _widget_errors(page) == []
    save_artifact(f"notebooks/{name[:-6]}-html-page.png", page.screenshot())
    errors = browser.console_errors()
    assert errors == [], f"{name} as HTML: console errors:\n" + "\n".join(errors)
