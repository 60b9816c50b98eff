"""Exact joint values in JupyterLab: a number box per slider, Home, degrees / radians."""

from __future__ import annotations

import math

import pytest
from _harness import cell_errors, run_all_cells, save_artifact, wait_for_selector
from test_viewer import ARM, READY


def test_type_a_value_go_home_and_switch_units(server, browser) -> None:
    nb = server.write_notebook("viewer-joint-inputs.ipynb", [ARM, "v = gn.view(arm, height=320)\nv"])
    page = browser.open_notebook(server, nb, ui="lab")
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    pose = "el => el.gizmoViewer.viewport.getPose()"

    box = host.query_selector("input.gz-num[data-joint-number='elbow']")
    box.fill("45")
    box.press("Enter")
    page.wait_for_timeout(200)
    assert host.evaluate(pose)["elbow"] == pytest.approx(math.radians(45), abs=1e-9)
    slider = host.evaluate("el => el.querySelector(\"input[type=range][data-joint='elbow']\").value")
    assert float(slider) == pytest.approx(math.radians(45), abs=0.004)  # the slider follows, to its step

    # beyond the limit: clamped like the slider (elbow: [-2, 2] rad)
    box = host.query_selector("input.gz-num[data-joint-number='shoulder']")
    box.fill("500")
    box.press("Enter")
    page.wait_for_timeout(200)
    assert host.evaluate(pose)["shoulder"] == pytest.approx(1.5)
    assert float(box.input_value()) == pytest.approx(math.degrees(1.5), abs=1e-3)

    # radians: the same angles, other numbers
    host.query_selector("button.gz-units").click()
    page.wait_for_timeout(200)
    assert float(host.query_selector("input.gz-num[data-joint-number='elbow']").input_value()) == pytest.approx(math.radians(45), abs=1e-4)
    assert "rad" in host.query_selector(".gz-joint label").inner_text()
    save_artifact("viewer-joint-inputs.png", host.screenshot())
    box = host.query_selector("input.gz-num[data-joint-number='elbow']")
    box.fill("-1.25")
    box.press("Enter")
    page.wait_for_timeout(200)
    assert host.evaluate(pose)["elbow"] == pytest.approx(-1.25)

    host.query_selector("button.gz-home").click()
    page.wait_for_timeout(200)
    assert host.evaluate(pose) == {"shoulder": 0, "elbow": 0}

    # a slider drag rewrites only its own row (every row each frame made a 100-joint robot's
    # panel restyle as a whole and the drag stutter)
    touched = host.evaluate("""async (el) => {
      const rows = new Set();
      const observer = new MutationObserver((records) => {
        for (const r of records) {
          const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
          const row = node && node.closest(".gz-joint");
          if (row) rows.add(row.querySelector("input[type=range]").dataset.joint);
        }
      });
      observer.observe(el, { subtree: true, childList: true, attributes: true, characterData: true });
      const s = el.querySelector("input[type=range][data-joint='elbow']");
      for (const v of [0.1, 0.2, 0.3]) { s.value = String(v); s.dispatchEvent(new Event("input")); }
      await new Promise((r) => setTimeout(r, 50));
      observer.disconnect();
      return [...rows].sort();
    }""")
    assert touched == ["elbow"]
    assert host.evaluate(pose)["elbow"] == pytest.approx(0.3, abs=0.004)
    assert browser.console_errors() == []


# Whether the open notebook has unsaved changes (JupyterLab and Notebook 7 alike).
DIRTY = "() => [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.sessionContext).context.model.dirty"


def notebook_dirty(page) -> bool:
    return page.evaluate(DIRTY)


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_keys_typed_in_the_viewers_controls_stay_there(server, browser, ui: str) -> None:
    """The link picker, the toolbar buttons, a slider and a number box keep a, b, m, dd, arrows,
    Shift+Enter: before, a letter typed on the focused picker (type-ahead) also deleted or
    inserted notebook cells in JupyterLab, and in Notebook 7 even the number box leaked."""
    from _harness import notebook_cells

    nb = server.write_notebook(f"viewer-keys-{ui}.ipynb", [ARM, "v = gn.view(arm, height=300)\nv", "1 + 1"])
    page = browser.open_notebook(server, nb, ui=ui)
    try:
        run_all_cells(page)
        assert cell_errors(page) == []
        host = wait_for_selector(page, READY)
        before = notebook_cells(page)
        letters = ["a", "b", "m", "d", "d", "Shift+Enter", "ArrowDown", "ArrowUp", "Control+x", "Control+v", "Control+c"]
        for control in ("select.gz-link-picker", "button.gz-fit", "input[type=range][data-joint='elbow']"):
            host.query_selector(control).focus()
            for key in letters:
                page.keyboard.press(key)
            page.wait_for_timeout(300)
            assert notebook_cells(page) == before, f"{ui}: keys on {control} changed the notebook"
        box = host.query_selector("input.gz-num[data-joint-number='elbow']")
        box.click()
        box.fill("")
        for key in ["1", "2", "a", "d", "d", "m"]:
            page.keyboard.press(key)
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
        assert notebook_cells(page) == before, f"{ui}: keys in the number box changed the notebook"
        assert host.evaluate("el => el.gizmoViewer.viewport.getPose()")["elbow"] == pytest.approx(math.radians(12), abs=1e-9)
        # the host's own shortcuts still work from our controls: Ctrl+S saves the notebook (stopped,
        # it opened the browser's "Save page" instead)
        assert notebook_dirty(page)
        host.query_selector("button.gz-fit").focus()
        page.keyboard.press("Control+s")
        page.wait_for_function(f"() => !({DIRTY})()", timeout=15_000)
        assert browser.console_errors() == []
    finally:
        page.close()
