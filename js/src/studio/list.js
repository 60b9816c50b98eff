// The Studio's asset list: the filter bar (search, status, tag, Refresh, Compare), the rows
// (one AssetRow per visible asset, kept across redraws), and "Load more" with the count.
import { h, placeChildren } from "./dom.js";
import { AssetRow } from "./row.js";

export class AssetList {
  /** `view` is the StudioView: the model, the compare area, and what the rows need. */
  constructor(view) {
    this.view = view;
    this.rows = new Map(); // id -> row controller
    this.el = h("div", { class: "gzs-list" });
    this.moreBtn = h("button", { class: "gzs-btn gzs-more", text: "Load more", onclick: () => view.model.send({ type: "load_more" }) });
    this.countEl = h("span", { class: "gzs-muted gzs-count" });
  }

  /** The filter bar above the list (not in a %%gizmo job cell). */
  buildBar() {
    const model = this.view.model;
    this.searchEl = h("input", { class: "gzs-search", type: "search", placeholder: "search name, prompt, id, tag" });
    let timer = null;
    this.searchEl.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => { model.set("search", this.searchEl.value); model.save_changes(); }, 200);
    });
    this.statusSel = h("select", { class: "gzs-status-filter", onchange: () => { model.set("filter_status", this.statusSel.value); model.save_changes(); } },
      ["", "pending", "processing", "ready", "failed", "cancelled"].map((s) => h("option", { value: s, text: s || "any status" })));
    this.tagSel = h("select", { class: "gzs-tag-filter", onchange: () => { model.set("filter_tag", this.tagSel.value); model.save_changes(); } });
    this.compareBtn = h("button", { class: "gzs-btn gzs-compare-btn", text: "Compare", onclick: () => this.view.compare.open() });
    const refresh = h("button", { class: "gzs-btn", text: "Refresh", onclick: () => model.send({ type: "refresh" }) });
    return h("div", { class: "gzs-bar" }, this.searchEl, this.statusSel, this.tagSel, refresh, this.compareBtn);
  }

  /** The bar under the list: "Load more" and what is shown of what. */
  buildFooter() {
    return h("div", { class: "gzs-bar" }, this.moreBtn, this.countEl);
  }

  /** The filter bar's tag options and Compare button, "Load more" and the count. */
  renderControls() {
    const m = this.view.model;
    const tags = m.get("tag_options");
    const current = m.get("filter_tag");
    const want = ["", ...tags];
    if (this.tagSel.options.length !== want.length || [...this.tagSel.options].some((o, i) => o.value !== want[i])) {
      this.tagSel.replaceChildren(...want.map((t) => h("option", { value: t, text: t || "any tag" })));
    }
    this.tagSel.value = current;
    const nSel = m.get("selected").length;
    this.compareBtn.textContent = `Compare (${nSel})`;
    this.compareBtn.disabled = nSel < 2;
    this.moreBtn.style.display = m.get("has_more") ? "" : "none";
    this.moreBtn.disabled = m.get("loading");
    const shown = m.get("visible").length;
    this.countEl.textContent = m.get("loading") ? "loading…"
      : !m.get("listed") && !m.get("items").length ? "asset list not loaded" // the notice above says why
      : `showing ${shown} of ${m.get("items").length} loaded (${m.get("total")} in account)`;
  }

  render() {
    const v = this.view;
    const m = v.model;
    const items = v.itemsById();
    let ids;
    if (v.job) ids = m.get("focus") ? [m.get("focus")] : [];
    else ids = m.get("visible");
    const wanted = new Set(ids);
    for (const [id, row] of this.rows) if (!wanted.has(id)) { row.dispose(); this.rows.delete(id); }
    const children = [];
    for (const id of ids) {
      const item = items.get(id);
      if (!item) continue;
      let row = this.rows.get(id);
      if (!row) { row = new AssetRow(v, item); this.rows.set(id, row); }
      row.update(item);
      children.push(row.el);
    }
    if (v.job && !children.length) {
      children.push(h("div", { class: "gzs-muted", text: (m.get("notices") || []).length ? "" : "submitting…" }));
    }
    placeChildren(this.el, children);
  }

  /** Scroll a row into view and flash it (lineage links). */
  reveal(id) {
    const row = this.rows.get(id);
    if (!row) return false;
    row.el.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
    row.el.classList.remove("gzs-flash");
    void row.el.offsetWidth; // restart the animation
    row.el.classList.add("gzs-flash");
    return true;
  }

  tick() {
    for (const row of this.rows.values()) row.tick();
  }
}
