"""Drive a real JupyterLab 4 / Notebook 7 server from headless Chromium.

Widget tests only mean something against the real front end: the widget manager, the
anywidget loader, the websocket and a WebGL canvas. This module starts a private Jupyter
server (127.0.0.1, free port, token, temp root dir, isolated env) and opens pages in the
Debian Chromium through Playwright's sync API. It is shared by the viewer, Studio and
notebook tests; ``conftest.py`` exposes it as fixtures.

Typical use::

    nb = server.write_notebook("demo.ipynb", ["import gizmo_notebook as g", "g.view(m)"])
    page = browser.open_notebook(server, nb)          # JupyterLab; ui="notebook" for Notebook 7
    run_all_cells(page)
    canvas = wait_for_selector(page, ".gizmo-viewer canvas")
    assert nonblank_pixels(canvas) > 1000
    assert not browser.console_errors()
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("GIZMO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # WebGL through SwiftShader (software) since there is no GPU; chromium needs to be told.
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]

# Console noise from JupyterLab / Notebook themselves, unrelated to our widgets. Kept short and
# specific: anything not matched here counts as an error in the tests.
BENIGN_CONSOLE = [
    re.compile(r"Failed to load resource: the server responded with a status of 404"),
    re.compile(r"Failed to load resource: net::ERR_"),  # offline: news/CDN fetches
    re.compile(r"favicon"),
    re.compile(r"WebGL.*(GPU stall|performance warning)", re.I),
    re.compile(r"GroupMarkerNotSet"),
    # Notebook 7.6 logs this on opening any notebook (even one with the single cell `1`).
    re.compile(r"^Cannot read properties of undefined \(reading 'schema'\)$"),
    re.compile(r"^Command 'filebrowser:open-path' not registered\.$"),
    re.compile(r"Automatic fallback to software WebGL has been deprecated", re.I),
]


class HarnessError(RuntimeError):
    """The browser test environment is not usable (no Chromium, server did not start...)."""


def require_chromium() -> str:
    """Path of the Chromium binary, or a loud failure saying how to get one (never a skip)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise HarnessError(
            f"Chromium not found at {CHROMIUM}: browser tests need it. Install it with "
            "`apt-get install chromium` (scripts/setup.sh test does) or set GIZMO_CHROMIUM."
        )
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- the server


@dataclass
class JupyterServer:
    """A private Jupyter server hosting both JupyterLab (``/lab``) and Notebook 7 (``/notebooks``)."""

    root: Path
    port: int
    token: str
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    _tmp: Path | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{sep}token={self.token}"

    @classmethod
    def start(cls, *, extra_env: dict[str, str] | None = None, timeout: float = 90.0) -> JupyterServer:
        tmp = Path(tempfile.mkdtemp(prefix="gizmo-jupyter-"))
        root = tmp / "root"
        root.mkdir()
        settings = tmp / "lab-settings"
        _write_lab_settings(settings)
        env = _isolated_env(tmp)
        env.update(extra_env or {})
        port, token = _free_port(), secrets.token_hex(16)
        jupyter = Path(sys.executable).parent / "jupyter"
        cmd = [
            str(jupyter), "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--ServerApp.allow_root=True",
        ]
        log_path = tmp / "server.log"
        log = open(log_path, "wb")  # noqa: SIM115 - lives as long as the server
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = cls(root=root, port=port, token=token, env=env, proc=proc, log_path=log_path, _tmp=tmp)
        server._wait_ready(timeout)
        return server

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise HarnessError(f"jupyter server exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise HarnessError(f"jupyter server not ready after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, n: int = 60) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(path), data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel (between tests, so each notebook starts clean and CPU is free)."""
        try:
            for k in self.api("GET", "api/kernels"):
                self.api("DELETE", f"api/kernels/{k['id']}")
        except (urllib.error.URLError, OSError):
            pass

    def write_notebook(self, name: str, cells: Sequence[str | tuple[str, str]], **metadata: Any) -> Path:
        """Write a notebook into the server's root; a cell is code, or ("markdown", text)."""
        nb = nbformat.v4.new_notebook()
        nb.metadata.update(
            {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            **metadata,
        )
        for cell in cells:
            if isinstance(cell, tuple):
                kind, text = cell
                nb.cells.append(nbformat.v4.new_markdown_cell(text) if kind == "markdown"
                                else nbformat.v4.new_code_cell(text))
            else:
                nb.cells.append(nbformat.v4.new_code_cell(cell))
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.shutdown_kernels()
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _isolated_env(tmp: Path) -> dict[str, str]:
    """The server's (hence the kernels') environment: our venv first, private dirs, fast local backend."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIZMO_", "JUPYTER_", "JPY_"))}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(Path(sys.executable).parent.parent)
    for var, sub in (
        ("GIZMO_DATA_DIR", "gizmo-data"),
        ("GIZMO_CACHE_DIR", "gizmo-cache"),
        ("JUPYTER_CONFIG_DIR", "jupyter-config"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
        ("HOME", "home"),
    ):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / sub)
    env["GIZMO_LOCAL_LATENCY"] = "0.05"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("GIZMO_API_KEY", None)
    return env


def _write_lab_settings(settings: Path) -> None:
    """Lab settings for tests: save widget state with the notebook, no news popups."""
    files = {
        "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    }
    for rel, content in files.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


# --------------------------------------------------------------------------- the browser


@dataclass
class Browser:
    """One Chromium (persistent context in a fresh profile) shared by a test session."""

    playwright: Any
    context: Any
    profile: Path
    console: list[tuple[str, str]] = field(default_factory=list)  # (type, text) for every page

    @classmethod
    def launch(cls, *, width: int = 1280, height: int = 900) -> Browser:
        require_chromium()
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        profile = Path(tempfile.mkdtemp(prefix="gizmo-chromium-"))
        try:
            context = pw.chromium.launch_persistent_context(
                str(profile),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": width, "height": height},
            )
        except Exception as exc:
            pw.stop()
            raise HarnessError(f"could not launch {CHROMIUM}: {exc}") from exc
        browser = cls(playwright=pw, context=context, profile=profile)
        context.on("page", browser._watch)
        for page in context.pages:
            browser._watch(page)
        return browser

    def _watch(self, page: Any) -> None:
        page.on("console", lambda msg: self.console.append((msg.type, msg.text)))
        page.on("pageerror", lambda err: self.console.append(("pageerror", str(err))))

    def new_page(self) -> Any:
        page = self.context.new_page()
        return page

    def clear_console(self) -> None:
        self.console.clear()

    def console_errors(self, *, extra_benign: Iterable[re.Pattern[str]] = ()) -> list[str]:
        """Console errors and uncaught exceptions, minus known Jupyter noise."""
        benign = [*BENIGN_CONSOLE, *extra_benign]
        return [
            f"{kind}: {text}"
            for kind, text in self.console
            if kind in ("error", "pageerror") and not any(p.search(text) for p in benign)
        ]

    def console_text(self) -> str:
        return "\n".join(f"[{k}] {t}" for k, t in self.console)

    def open_notebook(self, server: JupyterServer, path: Path | str, *, ui: str = "lab",
                      timeout: float = 60.0, before_goto: Any = None) -> Any:
        """Open a notebook in JupyterLab (``ui="lab"``) or Notebook 7 (``ui="notebook"``), kernel idle.

        ``before_goto(page)`` runs before navigation (e.g. to watch the kernel websocket).
        """
        rel = Path(path).relative_to(server.root) if Path(path).is_absolute() else Path(path)
        prefix = "lab/tree" if ui == "lab" else "notebooks"
        page = self.new_page()
        if before_goto is not None:
            before_goto(page)
        # ?reset: no workspace restore, so tabs of earlier tests do not reopen (and start kernels)
        query = "?reset" if ui == "lab" else ""
        page.goto(server.url(f"{prefix}/{rel.as_posix()}{query}"), wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=timeout * 1000)
        page.evaluate("p => { window.__gizmoPath = p; }", rel.as_posix())
        wait_kernel_idle(page, timeout=timeout)
        return page

    def close(self) -> None:
        try:
            self.context.close()
        finally:
            self.playwright.stop()
            shutil.rmtree(self.profile, ignore_errors=True)


# --------------------------------------------------------------------------- page helpers

_CURRENT_NB = """
() => {
  const app = window.jupyterapp;
  const want = window.__gizmoPath;
  if (want) {
    for (const x of app.shell.widgets('main')) {
      if (x.sessionContext && x.context && x.context.path === want) return x;
    }
  }
  let w = app.shell.currentWidget;
  if (!w || !w.sessionContext) {
    for (const x of app.shell.widgets('main')) { if (x.sessionContext) { w = x; break; } }
  }
  return w;
}
"""


def wait_kernel_idle(page: Any, timeout: float = 60.0) -> None:
    page.wait_for_function(
        f"""() => {{
          const w = ({_CURRENT_NB})();
          const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
          return !!k && k.status === 'idle' && k.connectionStatus === 'connected';
        }}""",
        timeout=timeout * 1000,
    )


def run_all_cells(page: Any, *, timeout: float = 120.0) -> float:
    """Run every cell and wait until each code cell has finished; returns the seconds it took."""
    t0 = time.monotonic()
    start_run_all(page)
    wait_cells_done(page, timeout=timeout)
    return time.monotonic() - t0


def start_run_all(page: Any) -> None:
    """Start running every cell (returns once the first cell is running)."""
    # The command acts on the *current* notebook, which JupyterLab only sets once the panel
    # has been activated; a command issued too early does nothing. Activate, run, and re-run
    # if no cell started within a few seconds.
    for _ in range(5):
        page.evaluate(
            f"""async () => {{
              const app = window.jupyterapp, w = ({_CURRENT_NB})();
              if (w && app.shell.activateById) app.shell.activateById(w.id);
              await app.commands.execute('notebook:run-all-cells');
            }}"""
        )
        try:
            page.wait_for_function(
                f"""() => {{
                  const w = ({_CURRENT_NB})();
                  const k = w.sessionContext.session && w.sessionContext.session.kernel;
                  // executionState is 'running' from the moment a cell is queued: on a loaded
                  // machine the kernel can take longer than this wait to turn busy, and a
                  // second run-all then ran every cell twice (two widgets, t0 re-stamped)
                  return (k && k.status === 'busy') ||
                    w.content.widgets.some(c => c.model.type === 'code' &&
                      (c.model.executionCount !== null || c.model.executionState === 'running'));
                }}""",
                timeout=5000,
            )
            break
        except Exception:  # playwright TimeoutError: nothing started, try again
            continue


def _notebook_state(page: Any) -> str:
    try:
        return json.dumps(page.evaluate(
            f"""() => {{
              const w = ({_CURRENT_NB})();
              if (!w) return 'no notebook';
              const k = w.sessionContext.session && w.sessionContext.session.kernel;
              return {{kernel: k ? [k.status, k.connectionStatus] : null,
                       counts: w.content.widgets.map(c => c.model.type === 'code' ? c.model.executionCount : '-')}};
            }}"""
        ))
    except Exception as exc:  # the page itself is gone
        return f"unavailable ({exc})"


def wait_cells_done(page: Any, *, timeout: float = 120.0) -> None:
    try:
        _wait_cells_done(page, timeout)
    except Exception as exc:
        shot = ""
        try:
            shot = str(save_artifact(f"stuck-{int(time.time())}.png", page.screenshot()))
        except Exception:
            pass
        raise HarnessError(f"cells did not finish in {timeout}s: {_notebook_state(page)} {shot}") from exc


def _wait_cells_done(page: Any, timeout: float) -> None:
    page.wait_for_function(
        f"""() => {{
          const w = ({_CURRENT_NB})();
          if (!w) return false;
          const k = w.sessionContext.session && w.sessionContext.session.kernel;
          const cells = w.content.widgets.filter(c => c.model.type === 'code');
          return k && k.status === 'idle' && cells.every(c => c.model.executionCount !== null);
        }}""",
        timeout=timeout * 1000,
    )


def cell_errors(page: Any) -> list[str]:
    """Error outputs (tracebacks) of the current notebook's cells, as text."""
    return page.evaluate(
        f"""() => {{
          const w = ({_CURRENT_NB})();
          const out = [];
          for (const c of w.content.widgets) {{
            if (c.model.type !== 'code') continue;
            const o = c.model.outputs;
            for (let i = 0; i < o.length; i++) {{
              const item = o.get(i).toJSON();
              if (item.output_type === 'error') out.push(item.ename + ': ' + item.evalue);
            }}
          }}
          return out;
        }}"""
    )


def save_notebook(page: Any, *, timeout: float = 30.0) -> None:
    """Save the current notebook through the UI (so widget state is written with it)."""
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(
        f"() => {{ const w = ({_CURRENT_NB})(); return w && !w.context.model.dirty; }}",
        timeout=timeout * 1000,
    )


def wait_for_selector(page: Any, selector: str, *, timeout: float = 60.0) -> Any:
    return page.wait_for_selector(selector, state="visible", timeout=timeout * 1000)


def open_lab_notebook(server: JupyterServer, browser: Browser, name: str, cells: Sequence[str], ready: str,
                      *, timeout: float = 60.0) -> tuple[Any, Any]:
    """Write ``cells`` as notebook ``name``, open it in JupyterLab, run every cell (none may fail)
    and wait for ``ready`` to show: the set-up most one-notebook tests start with. Returns the page
    and the ``ready`` element."""
    nb = server.write_notebook(name, cells)
    page = browser.open_notebook(server, nb, ui="lab")
    run_all_cells(page)
    assert cell_errors(page) == []
    return page, wait_for_selector(page, ready, timeout=timeout)


def nonblank_pixels(element: Any, *, tolerance: int = 12, save_as: str | None = None) -> int:
    """Pixels of ``element`` that differ from its dominant (background) colour.

    A screenshot of the element is what a user sees, so it works for WebGL canvases without
    ``preserveDrawingBuffer`` and for any DOM.
    """
    png = element.screenshot()
    if save_as:
        save_artifact(save_as, png)
    return count_foreground(png, tolerance=tolerance)


def wait_for_pixels(element: Any, minimum: int, *, timeout: float = 30.0) -> int:
    """Screenshot ``element`` until at least ``minimum`` foreground pixels show (or ``timeout``);
    returns the last count, so the caller's assertion reports what was there."""
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        count = count_foreground(element.screenshot())
        if count >= minimum:
            return count
        time.sleep(0.4)
    return count


def count_foreground(png: bytes, *, tolerance: int = 12) -> int:
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    flat = img.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[int(np.argmax(counts))]
    return int((np.abs(flat - background).max(axis=1) > tolerance).sum())


def pixel_difference(png_a: bytes, png_b: bytes, *, tolerance: int = 12) -> int:
    """How many pixels differ between two screenshots of the same size."""
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png_a)).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.open(io.BytesIO(png_b)).convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        return int(max(a.size, b.size) // 3)
    return int((np.abs(a - b).max(axis=2) > tolerance).sum())


def save_artifact(name: str, data: bytes | str) -> Path:
    """Keep a screenshot / log under test-artifacts/ (gitignored) for humans to look at."""
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)  # names may have a folder ("notebooks/...")
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return path


def notebook_cells(page: Any) -> list[dict[str, Any]]:
    """The current notebook's cells as ``{"type", "count", "source"}`` (to see a cell inserted, deleted or re-run)."""
    return page.evaluate(
        f"""() => ({_CURRENT_NB})().content.widgets.map(c => ({{
              type: c.model.type,
              count: c.model.type === 'code' ? c.model.executionCount : null,
              source: c.model.sharedModel.getSource(),
            }}))"""
    )


def set_theme(page: Any, theme: str, *, timeout: float = 30.0) -> None:
    """Switch JupyterLab's theme ("JupyterLab Dark" / "JupyterLab Light") and wait until it applies."""
    light = "false" if "dark" in theme.lower() else "true"
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', { theme: t })", theme)
    page.wait_for_function(
        "want => document.body.dataset.jpThemeLight === want", arg=light, timeout=timeout * 1000
    )
    page.wait_for_timeout(300)  # the theme's CSS variables land with its stylesheet


@contextlib.contextmanager
def marimo_app(notebook: Path, mode: str = "run", *, timeout: float = 60.0) -> Iterator[str]:
    """Serve a marimo notebook (``marimo run`` or ``marimo edit``, headless, no token); yields its URL.

    The server runs with this checkout on PYTHONPATH and the same isolated environment as the
    Jupyter server (private data and cache dirs, fast offline backend).
    """
    env = _isolated_env(notebook.parent / f".{mode}-env")
    env["PYTHONPATH"] = str(REPO)
    port = _free_port()
    cmd = [str(Path(sys.executable).parent / "marimo"), "-q", mode, str(notebook), "--headless",
           "--host", "127.0.0.1", "--port", str(port), "--no-token"]
    if mode == "edit":
        cmd.append("--skip-update-check")
    with _app_server(f"marimo {mode}", cmd, notebook.parent, env, notebook.parent / f"marimo-{mode}.log",
                     f"http://127.0.0.1:{port}/", timeout=timeout) as url:
        yield url


def execute_in_kernel(page: Any, code: str) -> None:
    """Run ``code`` in the current notebook's kernel, outside any cell (widgets it changes are
    already on the page), and wait until the kernel has finished it."""
    page.evaluate(
        f"""async (code) => {{
          const w = ({_CURRENT_NB})();
          const reply = await w.sessionContext.session.kernel.requestExecute({{ code }}).done;
          if (reply.content.status !== 'ok') throw new Error(reply.content.ename + ': ' + reply.content.evalue);
        }}""",
        code,
    )


@contextlib.contextmanager
def voila_app(notebook: Path, *, timeout: float = 60.0) -> Iterator[str]:
    """Serve one notebook with Voila (it runs every cell at each page load); yields its URL.

    Same isolation as ``marimo_app``: this checkout on PYTHONPATH, private dirs, fast offline backend.
    """
    env = _isolated_env(notebook.parent / ".voila-env")
    env["PYTHONPATH"] = str(REPO)
    port = _free_port()
    cmd = [str(Path(sys.executable).parent / "voila"), str(notebook), "--no-browser",
           f"--port={port}", "--Voila.ip=127.0.0.1"]
    # probe a static path, so waiting does not itself start a kernel and run the notebook
    with _app_server("voila", cmd, notebook.parent, env, notebook.parent / "voila.log",
                     f"http://127.0.0.1:{port}/", probe="voila/static/", timeout=timeout) as url:
        yield url


@contextlib.contextmanager
def _app_server(name: str, cmd: list[str], cwd: Path, env: dict[str, str], log_path: Path, url: str, *,
                probe: str = "", timeout: float = 60.0) -> Iterator[str]:
    """Run a notebook host's server (marimo, Voila) until the block ends; yields ``url`` once it answers.

    Any HTTP answer to ``url + probe`` counts as up; an early exit shows the end of its log.
    """
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise HarnessError(f"{name} exited early:\n{log_path.read_text(errors='replace')[-3000:]}")
                try:
                    with urllib.request.urlopen(url + probe, timeout=2):
                        break
                except urllib.error.HTTPError:
                    break  # the server answers
                except OSError:
                    if time.monotonic() > deadline:
                        raise HarnessError(f"{name} not ready after {timeout}s") from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def write_ipynb(path: Path, cells: Sequence[str]) -> Path:
    """A Python 3 notebook of code cells at ``path`` (for hosts other than the Jupyter server)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


def marimo_edit_run_all(page: Any, ready: str, *, attempts: int = 8) -> Any:
    """In ``marimo edit`` (cells not run on open), press run-all until ``ready`` shows; returns it.

    The kernel connects some time after the page shows, so an early press may do nothing.
    """
    page.wait_for_selector("[data-testid=run-button]", timeout=60_000)
    for _ in range(attempts):
        page.wait_for_timeout(3000)
        page.locator("[data-testid=run-button]").last.click()  # the last one is run-all
        try:
            return page.wait_for_selector(ready, state="visible", timeout=20_000)
        except Exception:  # playwright TimeoutError: not run yet
            continue
    raise HarnessError(f"marimo edit: {ready} did not show after {attempts} run-all presses")


# --------------------------------------------------------------------------- Studio notebooks


def expect() -> Any:
    """Playwright's ``expect`` (imported on use, like Playwright everywhere in this module)."""
    from playwright.sync_api import expect as _expect

    return _expect


def kernel_json(page: Any, code: str) -> Any:
    """Run ``code`` in the current notebook's kernel, outside any cell, and return the one JSON
    document it prints: how a browser test reads Python-side facts from the kernel the widgets
    live in (not from a second kernel, which would see none of them)."""
    result = page.evaluate(
        f"""async (code) => {{
          const w = ({_CURRENT_NB})();
          const future = w.sessionContext.session.kernel.requestExecute({{ code, store_history: false }});
          let out = '', err = null;
          future.onIOPub = (msg) => {{
            const t = msg.header.msg_type;
            if (t === 'stream') out += msg.content.text;
            else if (t === 'error') err = msg.content.ename + ': ' + msg.content.evalue;
          }};
          await future.done;
          return {{ out, err }};
        }}""",
        code,
    )
    assert result["err"] is None, result["err"]
    return json.loads(result["out"])


def open_studio_notebook(server: JupyterServer, browser: Browser, name: str, cells: Sequence[str],
                         *, studios: int, timeout: float = 60.0) -> Any:
    """Write ``cells`` as notebook ``name``, open it in JupyterLab, run every cell and wait for
    ``studios`` Studio widgets: the set-up of the module-scoped Studio pages. Closes the page
    if any step fails; otherwise the caller closes it."""
    nb = server.write_notebook(name, cells)
    page = browser.open_notebook(server, nb, ui="lab")
    try:
        run_all_cells(page)
        assert cell_errors(page) == []
        expect()(page.locator(".gzs-studio")).to_have_count(studios, timeout=timeout * 1000)
    except BaseException:
        page.close()
        raise
    return page
