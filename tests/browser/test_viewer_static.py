"""A saved notebook, exported with ``nbconvert --to html``, shows the model with no kernel.

The exported page loads require.js, the HTML widget manager and anywidget from public CDNs.
This machine is offline, so the test serves those exact files from the npm packages pinned in
js/package.json (what the CDN would serve) and blocks every other network request.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest
from _harness import REPO, nonblank_pixels, run_all_cells, save_notebook, wait_for_selector
from test_viewer import ARM

NODE = REPO / "js" / "node_modules"
CDN_FILES = {
    "require.min.js": NODE / "requirejs" / "require.js",
    "/dist/embed-amd.js": NODE / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js",
    "/npm/anywidget@": NODE / "anywidget" / "dist" / "index.js",
}


def _serve_cdn(route) -> None:
    url = route.request.url
    for marker, path in CDN_FILES.items():
        if marker in url:
            route.fulfill(path=str(path), content_type="application/javascript")
            return
    route.abort()


def _to_html(ipynb: Path) -> Path:
    subprocess.run([str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "html", str(ipynb)],
                   check=True, capture_output=True, timeout=120)
    return ipynb.with_suffix(".html")


def _shows_model(browser, html: Path, name: str) -> int:
    missing = [str(p) for p in CDN_FILES.values() if not p.exists()]
    assert not missing, f"run `cd js && npm ci` first; missing {missing}"
    page = browser.new_page()
    page.route(lambda url: url.startswith("http"), _serve_cdn)
    page.goto(html.as_uri())
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
    assert _shows_model(browser, _to_html(nb_path), f"static-{saved_by}.png") > 1500
    assert browser.console_errors() == []
