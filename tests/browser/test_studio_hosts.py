"""The Studio front end on a model with only the anywidget contract, as marimo provides it.

marimo's model implements anywidget's front-end model (get / set / save_changes / send /
on / off) and nothing of Backbone: ``on("change:a change:b", cb)`` registers one event named
``"change:a change:b"`` that never fires. This page loads the real bundle in Chromium and
renders the Studio on such a model, so the list must redraw from one-event-per-call
registrations. The same page checks row details that need no kernel: the interpretation
badge (and its absence), and separators only between parts that are there.
"""

from __future__ import annotations

from typing import Any

import pytest
from _harness import REPO, Browser, save_artifact

BUNDLE = REPO / "gizmo_notebook" / "static" / "widget.js"
ORIGIN = "http://gizmo.test"

# A model with exactly anywidget's front-end API and marimo's event semantics.
PAGE = """<!doctype html><html><body style="width: 900px"><div id="host"></div>
<script type="module">
import widget from "/widget.js";
class AnywidgetOnlyModel {
  constructor(state) { this.state = state; this.handlers = new Map(); this.registered = []; this.sent = []; }
  get(key) { return this.state[key]; }
  set(key, value) {
    this.state[key] = value;
    for (const cb of [...(this.handlers.get(`change:${key}`) || [])]) cb();
  }
  save_changes() {}
  send(content) { this.sent.push(content); }
  on(event, cb) {
    this.registered.push(event);
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(cb);
  }
  off(event, cb) { this.handlers.get(event)?.delete(cb); }
}
window.model = new AnywidgetOnlyModel({
  _kind: "studio", mode: "studio", focus: "", items: [], visible: [], total: 0, listed: false, has_more: false,
  loading: false, filter_status: "", filter_tag: "", search: "", tag_options: [], selected: [], notices: [],
  generating: 0, batch: {}, polling: false, poll_interval: 1, backend_label: "test backend",
  formats: ["mujoco_mjcf"], exports: {},
});
window.dispose = widget.render({ model: window.model, el: document.getElementById("host") });
window.rendered = true;
</script></body></html>"""


def _item(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"asset_{i}", "name": f"asset {i}", "prompt": f"prompt {i}", "tags": [], "parent": "",
        "status": "ready", "created_at": "2026-01-01T00:00:00Z", "formats": ["mujoco_mjcf"],
        "failure_reason": "", "interpretation": None, **extra,
    }


@pytest.fixture
def page(browser: Browser) -> Any:
    assert BUNDLE.is_file(), "build the bundle first: cd js && npm run build"
    browser.clear_console()
    page = browser.new_page()

    def serve(route: Any) -> None:
        path = route.request.url[len(ORIGIN):]
        if path == "/widget.js":
            route.fulfill(path=str(BUNDLE), content_type="application/javascript")
        elif path in ("/", "/index.html"):
            route.fulfill(body=PAGE, content_type="text/html")
        else:
            route.abort()

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.rendered === true", timeout=30_000)
    yield page
    page.close()


def _set(page: Any, **state: Any) -> None:
    page.evaluate("s => { for (const [k, v] of Object.entries(s)) window.model.set(k, v); }", state)


def test_list_redraws_on_a_model_without_backbone_event_strings(page: Any, browser: Browser) -> None:
    registered = page.evaluate("() => window.model.registered")
    assert registered and all(" " not in e for e in registered), registered
    assert "change:items" in registered and "change:visible" in registered
    items = [_item(1), _item(2)]
    _set(page, items=items, visible=[i["id"] for i in items], total=2, listed=True)
    page.wait_for_function("() => document.querySelectorAll('.gzs-row').length === 2", timeout=5_000)
    _set(page, visible=["asset_2"])
    page.wait_for_function("() => document.querySelectorAll('.gzs-row').length === 1", timeout=5_000)
    assert page.locator(".gzs-row").get_attribute("data-id") == "asset_2"
    # Disposing unregisters every handler: a later change draws nothing and throws nothing.
    page.evaluate("() => window.dispose()")
    assert page.evaluate("() => [...window.model.handlers.values()].every(s => s.size === 0)")
    assert browser.console_errors() == []


def test_interpretation_badge_and_separators(page: Any, browser: Browser) -> None:
    items = [
        _item(1, interpretation={"family": "arm", "understood": ["arm", "6-DOF"], "ignored": ["banana"]},
              tags=["demo"]),
        _item(2),  # no interpretation (older backends): no badge, nothing broken
        _item(3, interpretation={"family": "arm", "understood": ["arm"], "ignored": []}, formats=[]),
        _item(4, status="failed", failure_reason="Generation failed: the prompt named no mechanism", formats=[]),
        _item(5, interpretation={"family": "generic", "understood": [], "ignored": ["banana"], "fallback": True,
                                 "notes": ["nothing matched: a generic housing with one revolute output"]}),
        _item(6, interpretation={"family": "delta", "understood": ["delta robot"], "ignored": [], "fallback": False,
                                 "notes": ["its closed linkage is approximated as a tree"]}),
    ]
    _set(page, items=items, visible=[i["id"] for i in items], total=6, listed=True)
    page.wait_for_function("() => document.querySelectorAll('.gzs-row').length === 6", timeout=5_000)
    row = {i: page.locator(f'.gzs-row[data-id="asset_{i}"]') for i in range(1, 7)}
    # a fallback says so (not a bare green "ready"), in the warning tint, its note on hover
    assert row[5].locator(".gzs-interp").inner_text() == "not recognised: generic stand-in · ignored: banana"
    assert row[5].locator(".gzs-interp").get_attribute("data-fallback") == "true"
    assert "gzs-has-ignored" in (row[5].locator(".gzs-interp").get_attribute("class") or "")
    assert row[5].locator(".gzs-interp").get_attribute("title") == (
        "generated as: generic\nnothing matched: a generic housing with one revolute output")
    # an approximation is marked on the row and read in full on hover
    assert row[6].locator(".gzs-interp").inner_text() == "understood: delta robot · 1 note"
    assert row[6].locator(".gzs-interp").get_attribute("title") == (
        "generated as: delta\nits closed linkage is approximated as a tree")
    assert row[1].locator(".gzs-interp").inner_text() == "understood: arm, 6-DOF · ignored: banana"
    assert row[1].locator(".gzs-interp").get_attribute("title") == "generated as: arm"
    assert row[2].locator(".gzs-interp").is_hidden()
    assert row[3].locator(".gzs-interp").inner_text() == "understood: arm"
    # tags · formats with both; formats alone with no separator before; nothing at all when neither
    assert row[1].locator(".gzs-row-meta").inner_text() == "demo · MJCF (MuJoCo)"
    assert row[2].locator(".gzs-row-meta").inner_text() == "MJCF (MuJoCo)"
    assert row[3].locator(".gzs-row-meta").inner_text() == ""
    assert row[3].locator(".gzs-row-meta").is_hidden()
    # the failed row: its reason, a Retry button, no Preview / Export
    assert "the prompt named no mechanism" in row[4].locator(".gzs-failure").inner_text()
    assert row[4].locator(".gzs-retry-btn").is_visible() and row[4].locator(".gzs-preview-btn").is_hidden()
    row[4].locator(".gzs-retry-btn").click()
    sent = page.evaluate("() => window.model.sent.at(-1)")
    assert (sent["type"], sent["id"]) == ("retry", "asset_4") and sent["req"], sent
    assert row[4].locator(".gzs-retry-btn").is_disabled()  # until the kernel answers: one click, one asset
    for i in (1, 2, 3):
        text = row[i].inner_text()
        assert "·  ·" not in text and not text.strip().startswith("·") and not text.strip().endswith("·"), text
    save_artifact("studio-hosts-rows.png", page.locator(".gzs-studio").screenshot())
    assert browser.console_errors() == []
