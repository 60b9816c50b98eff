// @ts-check
// The Studio front end: prompt form, live asset list, previews, compare, thumbnails.
// State lives in the kernel (synced traits); this file renders it and sends user intents as
// custom messages. It never sees the API key: the kernel makes every request to Gizmo.
// 3D goes through the shared viewer: the preview is a child Viewer widget (preview_area.js);
// compare and thumbnails draw binary buffers into the viewer's viewport (../viewer/viewport.js).
//
// One module per concern: form.js (prompt form), list.js (filter bar, rows, load more),
// row.js (one asset), preview_area.js (the preview Viewer and Drop in physics), thumbnails.js,
// compare.js; this class holds them together and owns the messaging, the header, the notices
// and the layout.
import { CSS } from "./style.js";
import { CompareView } from "./compare.js";
import { PromptForm } from "./form.js";
import { AssetList } from "./list.js";
import { Thumbnails } from "./thumbnails.js";
import { PreviewArea } from "./preview_area.js";
import { h, keepKeys } from "./dom.js";
import { Requests } from "./requests.js";
import { STUDIO_REQUESTS } from "../generated/constants.js";

export { thumbPose } from "./thumbnails.js";

const NARROW_BELOW = 600; // px of Studio width under which a row's actions go under its text
const TINY_BELOW = 400; // ...and under which the text goes under the thumbnail too
const CRAMPED_BELOW = 260; // ...and under which the form's and the bar's controls stack, one a line
// (JupyterLab at 480 px with its file browser open leaves an output ~110 px: the Generate
// button sat over the mode switch and the batch label broke one letter a line)

export function renderStudio({ model, el }) {
  const studio = new StudioView(model, el);
  return () => studio.dispose();
}

export class StudioView {
  /**
   * @param {import("../types.js").WidgetModel} model
   * @param {HTMLElement} el
   */
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.requests = new Requests((content) => model.send(content));
    this.viewports = new Set();
    this.blobUrls = new Set(); // export downloads, revoked on dispose
    this.disposed = false;
    this.previewArea = new PreviewArea(model); // the child Viewer of the `preview` trait, in one row at a time
    this.renderQueued = false;
    // the parts; build() lays them out
    this.list = new AssetList(this);
    this.form = this.job ? null : new PromptForm(this);
    this.compare = new CompareView(this, h("div", { class: "gzs-compare" }));
    this.thumbnails = new Thumbnails(this, h("div", { class: "gzs-offscreen", "aria-hidden": "true" }));
    this.build();
    this.root.gizmoPreview = this.previewArea; // a handle for tests
    this.onMsg = (msg, buffers) => this.handleMsg(msg, buffers);
    model.on("msg:custom", this.onMsg);
    // One redraw per batch of trait changes (a sync often changes several at once).
    this.onChange = () => {
      if (this.renderQueued) return;
      this.renderQueued = true;
      queueMicrotask(() => { this.renderQueued = false; this.renderAll(); });
    };
    const traits = ["items", "visible", "notices", "generating", "batch", "polling", "total", "has_more",
      "loading", "tag_options", "selected", "exports", "focus", "backend_label", "listed", "rate_limit", "scene_mode",
      "preview", "preview_info", "physics"];
    // One event name per call: "change:a change:b" is a Backbone feature; marimo's model (and
    // anywidget's AFM spec) treat the whole string as one event name that never fires.
    this.events = traits.map((t) => `change:${t}`);
    for (const event of this.events) model.on(event, this.onChange);
    this.ticker = setInterval(() => this.tick(), 1000);
    this.renderAll();
  }

  dispose() {
    this.disposed = true;
    this.thumbnails.dispose();
    clearInterval(this.ticker);
    this.model.off("msg:custom", this.onMsg);
    for (const event of this.events) this.model.off(event, this.onChange);
    this.layout?.disconnect();
    this.releaseKeys?.();
    this.compare.dispose();
    this.previewArea.dispose();
    for (const v of this.viewports) { try { v.dispose(); } catch { /* already gone */ } }
    this.viewports.clear();
    for (const url of this.blobUrls) URL.revokeObjectURL(url);
    this.requests.rejectAll(new Error("widget closed"));
  }

  // ------------------------------------------------------------------ messaging
  /** @param {Record<string, any>} content */
  request(content) { return this.requests.request(content); }

  handleMsg(msg, buffers) { this.requests.handle(msg, buffers); }

  get job() { return this.model.get("mode") === "job"; }

  // ------------------------------------------------------------------ layout
  build() {
    this.el.innerHTML = "";
    const style = h("style", { text: CSS });
    this.liveDot = h("span", { class: "gzs-live", title: "live status polling" });
    this.headInfo = h("span", { class: "gzs-muted" });
    const head = h("div", { class: "gzs-head" }, h("span", { class: "gzs-title", text: this.job ? "Gizmo" : "Gizmo Studio" }), this.liveDot, this.headInfo);
    this.noticesEl = h("div", { class: "gzs-notices" });
    this.root = h("div", { class: `gzs-studio${this.job ? " gzs-job" : ""}` }, style, head, this.noticesEl);
    this.releaseKeys = keepKeys(this.root, (e, field) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && this.form?.el.contains(field)) { e.preventDefault(); this.form.submit(); }
    });
    // Like the viewer panel: a class from a ResizeObserver, not a container query (which would
    // give the Studio zero intrinsic width inside auto-sized hosts).
    this.layout = new ResizeObserver(([entry]) => {
      const width = entry.contentRect.width;
      if (width <= 0) return; // hidden: keep the layout as it is
      this.root.classList.toggle("gzs-narrow", width < NARROW_BELOW);
      this.root.classList.toggle("gzs-tiny", width < TINY_BELOW);
      this.root.classList.toggle("gzs-cramped", width < CRAMPED_BELOW);
    });
    this.layout.observe(this.root);
    if (this.form) this.root.append(this.form.el, this.list.buildBar());
    this.root.append(this.compare.el, this.list.el);
    if (!this.job) this.root.append(this.list.buildFooter());
    this.root.append(this.thumbnails.offscreen);
    this.el.append(this.root);
  }

  itemsById() {
    const items = this.model.get("items");
    if (!this.byId || this.byIdOf !== items) { this.byId = new Map(items.map((i) => [i.id, i])); this.byIdOf = items; }
    return this.byId;
  }

  /** Ancestors of `item`, nearest first, as far as the loaded list knows them (cycles cut). */
  ancestors(item) {
    const items = this.itemsById();
    const out = [];
    const seen = new Set([item.id]);
    for (let id = item.parent; id && !seen.has(id); id = items.get(id)?.parent) {
      seen.add(id);
      out.push({ id, item: items.get(id) });
    }
    return out;
  }

  /** Scroll a row into view and flash it (lineage links). */
  reveal(id) { return this.list.reveal(id); }

  // ------------------------------------------------------------------ render
  renderAll() {
    if (this.disposed) return;
    const m = this.model;
    this.byId = null; // items changed: rebuild the id index on first use
    this.liveDot.classList.toggle("on", m.get("polling"));
    // Remaining requests, only when the service reports them (X-RateLimit-*), and unobtrusively.
    const rl = m.get("rate_limit") || {};
    const left = rl.remaining != null && rl.limit != null ? ` · ${rl.remaining}/${rl.limit} requests left` : "";
    this.headInfo.textContent = `${m.get("backend_label")}${m.get("polling") ? " · checking status" : ""}${left}`;
    this.headInfo.title = left && rl.reset ? `rate limit window resets ${rl.reset}` : "";
    this.renderNotices();
    if (this.form) { this.form.render(); this.list.renderControls(); }
    this.list.render();
    this.renderPreview();
  }

  // The preview area goes to the row of the asset it shows (to none once it is closed).
  renderPreview() {
    const id = this.previewArea.assetId;
    for (const row of this.list.rows.values()) row.setPreviewOpen(row.item.id === id);
    const row = id ? this.list.rows.get(id) : null;
    this.previewArea.sync(row ? row.previewEl : null);
  }

  renderNotices() {
    const notices = this.model.get("notices") || [];
    this.noticesEl.replaceChildren(...notices.map((n) => h("div", { class: `gzs-notice ${n.level}`, "data-kind": n.kind, role: "alert" },
      h("div", {}, h("div", { text: n.text }), n.hint ? h("div", { class: "gzs-hint", text: n.hint }) : null),
      h("button", { class: "gzs-close", title: "dismiss", "aria-label": "dismiss", text: "×", onclick: () => this.model.send({ type: STUDIO_REQUESTS.DISMISS, at: n.at }) }))));
  }

  tick() {
    this.list.tick();
  }

  toggleSelected(id, on) {
    const sel = new Set(this.model.get("selected"));
    if (on) sel.add(id); else sel.delete(id);
    this.model.set("selected", [...sel]);
    this.model.save_changes();
  }

  // ------------------------------------------------------------------ 3D
  releaseViewport(viewport) {
    if (!viewport) return;
    this.viewports.delete(viewport);
    try { viewport.dispose(); } catch { /* ignore */ }
  }

  wantThumb(id, img) { this.thumbnails.wantThumb(id, img); }
}
