"""Open an ``nbconvert --to html`` page offline, as a reader of a published notebook would see it.

The exported page loads require.js, the HTML widget manager and anywidget from public CDNs.
This machine is offline, so :func:`open_offline` serves those exact files from the npm
packages pinned in js/package.json (what the CDN would serve) and blocks every other network
request: the page can only show what the notebook's saved widget state carries.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from _harness import REPO

NODE = REPO / "js" / "node_modules"
CDN_FILES = {
    "require.min.js": NODE / "requirejs" / "require.js",
    "/dist/embed-amd.js": NODE / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js",
    "/npm/anywidget@": NODE / "anywidget" / "dist" / "index.js",
}


def _serve_cdn(route: Any) -> None:
    url = route.request.url
    for marker, path in CDN_FILES.items():
        if marker in url:
            route.fulfill(path=str(path), content_type="application/javascript")
            return
    route.abort()


def to_html(ipynb: Path) -> Path:
    """``jupyter nbconvert --to html`` next to the notebook; returns the page's path."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "html", str(ipynb)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, f"nbconvert failed on {ipynb.name}:\n{result.stderr[-2000:]}"
    html = ipynb.with_suffix(".html")
    assert "application/vnd.jupyter.widget-state+json" in html.read_text(encoding="utf-8"), (
        f"{html.name}: nbconvert dropped the widget state"
    )
    return html


def open_offline(browser: Any, html: Path) -> Any:
    """A new page showing ``html`` from file://, with the CDN files served locally, nothing else."""
    missing = [str(p) for p in CDN_FILES.values() if not p.exists()]
    assert not missing, f"run `cd js && npm ci` first; missing {missing}"
    page = browser.new_page()
    page.route(lambda url: url.startswith("http"), _serve_cdn)
    page.goto(html.as_uri())
    return page


def run_and_open_offline(server: Any, browser: Any, nb_path: Path) -> Any:
    """Execute the notebook in a kernel (``nbclient``, in the server's folder), save it with its
    widget state, export it to HTML and open that page offline: what a reader of the published
    notebook sees, with no kernel behind it."""
    import nbclient
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(server.root)}}).execute()
    nbformat.write(nb, nb_path)
    browser.clear_console()
    return open_offline(browser, to_html(nb_path))
