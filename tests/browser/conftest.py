"""Fixtures for browser tests: one Jupyter server and one Chromium per test session.

Every test here is marked ``browser``. Nothing is skipped silently: without Chromium the
fixtures fail with a message saying how to install it (see ``_harness.require_chromium``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `from _harness import ...` from any test dir

from _harness import Browser, JupyterServer  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def jupyter_server() -> Iterator[JupyterServer]:
    server = JupyterServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    b = Browser.launch()
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def server(jupyter_server: JupyterServer, browser: Browser) -> Iterator[JupyterServer]:
    """The shared server, with a clean console log and no kernels left over afterwards."""
    browser.clear_console()
    yield jupyter_server
    for page in list(browser.context.pages):
        page.close()
    jupyter_server.shutdown_kernels()
