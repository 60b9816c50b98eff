"""Root fixtures shared by every test package.

Two jobs:

* ``_isolated_env`` (autouse) makes every test start from "a new user with no key": no
  ``GIZMO_API_KEY``/``GIZMO_BASE_URL`` from the developer's shell, private data and cache
  directories, and zero simulated latency for the embedded server. Without it a test could
  talk to a real service, or read assets another test left behind.
* ``local_server`` / ``make_local_server`` run the real offline server
  (:mod:`gizmo_notebook.local`) with uvicorn on a free 127.0.0.1 port. One server is shared
  per session because starting one costs ~100 ms, but each test gets a *fresh API key*, and
  assets are scoped to the key that created them, so tests cannot see each other's assets.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from gizmo_notebook.local.runner import LocalServer


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    Playwright's sync API keeps an asyncio loop running on the main thread for as long as its
    session-scoped browser lives; any ``async def`` test (or nbclient run) after it would fail
    with "cannot be called from a running event loop". Last, they can share one Chromium.
    """
    browser_dir = Path(__file__).parent / "browser"
    items.sort(key=lambda item: Path(str(item.fspath)).is_relative_to(browser_dir))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    monkeypatch.delenv("GIZMO_API_KEY", raising=False)
    monkeypatch.delenv("GIZMO_BASE_URL", raising=False)
    monkeypatch.setenv("GIZMO_DATA_DIR", str(tmp_path_factory.mktemp("gizmo-data")))
    monkeypatch.setenv("GIZMO_CACHE_DIR", str(tmp_path_factory.mktemp("gizmo-cache")))
    monkeypatch.setenv("GIZMO_LOCAL_LATENCY", "0")
    yield
    # A key-less client started an embedded server on this test's private data dir: stop it,
    # or every such test would leave a server (threads, SQLite handle) running until exit.
    embedded = sys.modules.get("gizmo_notebook.local.embedded")
    if embedded is not None:
        embedded.stop_local_servers()


@dataclass(frozen=True)
class LocalServerAccount:
    """One API key on a running local server: what a client needs to talk to it."""

    base_url: str
    api_key: str = field(repr=False)
    data_dir: Path
    server: LocalServer = field(repr=False)
    #: The contract the server speaks: ``"alpha"`` or ``"current"``.
    api: str = "alpha"

    def client(self, *, api_key: str | None = None, **options: Any) -> httpx.Client:
        """A sync httpx client on ``base_url`` (with a trailing slash, so relative paths join)."""
        import httpx

        key = self.api_key if api_key is None else api_key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url + "/", headers=headers, timeout=30.0, **options)


@pytest.fixture(scope="session")
def _shared_local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    from gizmo_notebook.local.runner import LocalServer

    server = LocalServer(tmp_path_factory.mktemp("gizmo-local-server"), latency=0.0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def local_server(_shared_local_server: LocalServer) -> LocalServerAccount:
    """The shared real server (latency 0), seen through a brand-new API key."""
    server = _shared_local_server
    return LocalServerAccount(
        base_url=server.base_url, api_key=server.create_key(), data_dir=server.data_dir, server=server
    )


@pytest.fixture(scope="session")
def _shared_current_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    from gizmo_notebook.local.runner import LocalServer

    server = LocalServer(tmp_path_factory.mktemp("gizmo-current-server"), latency=0.0, api="current", ping_interval=1.0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def current_server(_shared_current_server: LocalServer) -> LocalServerAccount:
    """A shared real server speaking the *current* API (jobs, SSE, ZIPs), seen through a new key.

    For non-default options use ``make_local_server(api="current", credits=..., ...)``.
    """
    server = _shared_current_server
    return LocalServerAccount(
        base_url=server.base_url, api_key=server.create_key(), data_dir=server.data_dir, server=server, api="current"
    )


#: The two contracts the integration-level suites run against (see ``api_version``).
API_VERSIONS = ("alpha", "current")


@pytest.fixture(params=API_VERSIONS)
def api_version(request: pytest.FixtureRequest) -> str:
    """One fixture, two parameters: a test (or a test package whose conftest routes ``local_server``
    through :func:`api_server`) runs once against each contract. Only integration-level suites use
    it (Studio, client integration, notebooks), so CI time grows by those, not by every unit test."""
    return str(request.param)


@pytest.fixture
def api_server(api_version: str, request: pytest.FixtureRequest) -> LocalServerAccount:
    """The shared server speaking ``api_version``, seen through a brand-new API key."""
    shared = "_shared_current_server" if api_version == "current" else "_shared_local_server"
    server: LocalServer = request.getfixturevalue(shared)
    return LocalServerAccount(
        base_url=server.base_url, api_key=server.create_key(), data_dir=server.data_dir, server=server, api=api_version
    )


@pytest.fixture
def make_local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LocalServerAccount]]:
    """Factory for servers with non-default options (``rate_limit``, ``fail_rate``, ``url_ttl``, ``api``...).

    ``make_local_server(data_dir=d)`` reuses a data directory, which is how the restart tests
    start a second server on the first one's state. Every server is stopped at teardown.
    """
    from gizmo_notebook.local.runner import LocalServer

    started: list[LocalServer] = []

    def make(*, data_dir: Path | None = None, latency: float = 0.0, **options: Any) -> LocalServerAccount:
        directory = Path(data_dir) if data_dir is not None else tmp_path_factory.mktemp("gizmo-server")
        server = LocalServer(directory, latency=latency, **options)
        server.start()
        started.append(server)
        return LocalServerAccount(
            base_url=server.base_url, api_key=server.api_key, data_dir=server.data_dir, server=server,
            api=str(options.get("api", "alpha")),
        )

    yield make
    for server in reversed(started):
        server.stop()


@pytest.fixture
def make_api_server(make_local_server: Callable[..., LocalServerAccount], api_version: str) -> Callable[..., LocalServerAccount]:
    """``make_local_server`` speaking this test's contract (``api_version``) unless told otherwise."""

    def make(**options: Any) -> LocalServerAccount:
        options.setdefault("api", api_version)
        return make_local_server(**options)

    return make
