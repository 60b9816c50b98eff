"""A saved notebook, exported with ``nbconvert --to html``, shows the model with no kernel.

The page is opened offline: the CDN files it loads come from the pinned npm packages (see
``_static``), so only the notebook's saved widget state can draw the model.
"""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat
import pytest
from _harness import nonblank_pixels, run_all_cells, save_notebook, wait_for_selector
from _static import open_offline, to_html
from test_viewer import ARM


def _shows_model(browser, html: Path, name: str) -> int:
    page = open_offline(browser, html)
    host = wait_for_selector(page, ".gizmo-viewer-host[data-gizmo-ready='1']", timeout=60)
    return nonblank_pixels(host.query_selector("canvas"), save_as=name)


@pytest.mark.parametrize("saved_by", ["jupyterlab", "nbclient"])
def test_exported_html_shows_the_model_without_a_kernel(server, browser, saved_by: str) -> None:
    cells = [ARM, "gn.view(arm, height=300)", "gn.view(arm, height=200)"]
    if saved_by == "jupyterlab":
        nb_path = server.write_notebook("static-lab.ipynb", cells)
        page = browser.open_notebook(server, nb_path)
        run_all_cells(page)
        wait_for_selector(page, ".gizmo-viewer-host[data-gizmo-ready='1']")
        save_notebook(page)
        page.close()
        server.shutdown_kernels()
    else:
        nb_path = server.write_notebook("static-nbclient.ipynb", cells)
        nb = nbformat.read(nb_path, as_version=4)
        nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                resources={"metadata": {"path": str(server.root)}}).execute()
        nbformat.write(nb, nb_path)
    state = nbformat.read(nb_path, as_version=4).metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    bundles = [m for m in state["state"].values() if "gz" in m["state"] or
               any(b["path"] == ["gz"] for b in m.get("buffers", []))]
    assert len(bundles) == 1, "two previews must share one copy of the bundle"
    browser.clear_console()
    assert _shows_model(browser, to_html(nb_path), f"static-{saved_by}.png") > 1500
    assert browser.console_errors() == []
