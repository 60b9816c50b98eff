"""The browser harness itself works in both UIs (so a failing widget test is about the widget)."""

from __future__ import annotations

import pytest
from _harness import cell_errors, nonblank_pixels, run_all_cells, wait_for_selector


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_plain_ipywidget_renders(server, browser, ui: str) -> None:
    nb = server.write_notebook(f"harness-{ui}.ipynb", ["import ipywidgets as w\nw.IntSlider(5)"])
    page = browser.open_notebook(server, nb, ui=ui)
    run_all_cells(page)
    slider = wait_for_selector(page, ".widget-slider")
    assert nonblank_pixels(slider) > 10
    assert cell_errors(page) == []
    assert browser.console_errors() == []
