"""Run the local server with uvicorn in a background thread: for tests, notebooks and scripts.

``LocalServer(data_dir, **options).start()`` binds a socket itself (port 0 = a free port picked
by the OS, so there is no race between choosing a port and listening on it), serves the app on
its own event loop in a daemon thread and returns once uvicorn accepts connections. ``stop()``
asks uvicorn to finish in-flight requests and waits for the thread.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from gizmo_notebook.local.auth import new_key
from gizmo_notebook.local.paths import DEFAULT_KEY_FILE, DataDirError, read_or_create_secret
from gizmo_notebook.local.protocol import protocol_for

__all__ = ["LocalServer", "serve"]

_START_TIMEOUT = 30.0


class LocalServer:
    """A running (or startable) local Gizmo server.

    ``api_key`` is the first of ``api_keys``; with none given it is the data dir's persisted
    default key (``local_api_key``, created on first use), so restarts keep the same account.
    The key is deliberately absent from ``repr``.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Iterable[str] = (),
        log_level: str = "warning",
        **app_options: Any,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.host = host
        self._requested_port = port
        keys = list(api_keys)
        if not keys:
            try:
                keys = [read_or_create_secret(self.data_dir / DEFAULT_KEY_FILE, new_key())]
            except OSError as exc:
                raise DataDirError(DataDirError.explain(self.data_dir, exc)) from None
        self._keys = keys
        self._log_level = log_level
        self._app_options = app_options
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._app: Any = None
        self.port: int | None = None

    @property
    def api_key(self) -> str:
        return self._keys[0]

    @property
    def url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:8765``."""
        if self.port is None:
            raise RuntimeError("the local server is not running; call start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL clients use, e.g. ``http://127.0.0.1:8765/v1``."""
        return self.url + "/v1"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def create_key(self, *, read_only: bool = False) -> str:
        """Register and return a new key on this server (a fresh, empty account)."""
        if self._app is None:
            raise RuntimeError("the local server is not running; call start() first")
        key = new_key()
        self._app.state.gizmo.store.add_key(key, "read" if read_only else "full")
        return key

    def start(self) -> LocalServer:
        if self.running:
            return self
        from gizmo_notebook.local.server import create_app

        self._app = create_app(self.data_dir, api_keys=self._keys, **self._app_options)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto set: asyncio then enables TCP_NODELAY
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            log_level=self._log_level,
            access_log=False,
            lifespan="on",
            http=protocol_for(str(self._app_options.get("api", "alpha"))),
            server_header=False,
            timeout_graceful_shutdown=5,
            backlog=2048,
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[attr-defined,method-assign]  # not main thread
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"gizmo-local-server:{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive():
                self._cleanup()
                raise RuntimeError(f"the local Gizmo server on {self.host}:{self.port} failed to start; see the log")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the local Gizmo server did not start within {_START_TIMEOUT:g} s")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        # An app may hold long-lived responses (the current API's event streams): let it end
        # them first, or uvicorn waits out its graceful-shutdown timeout and cancels them.
        before_stop = getattr(self._app.state, "before_stop", None) if self._app is not None else None
        if before_stop is not None:
            before_stop()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._cleanup()

    def _cleanup(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = self._app = None
        self.port = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self.port is not None else "stopped"
        return f"LocalServer({where}, data_dir={str(self.data_dir)!r})"


@contextmanager
def serve(data_dir: str | os.PathLike[str], **options: Any) -> Iterator[LocalServer]:
    """``with serve(tmp_path, latency=0) as server: ...`` — a started server, stopped on exit."""
    with LocalServer(data_dir, **options) as server:
        yield server
