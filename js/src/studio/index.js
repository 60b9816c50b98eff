// The Studio front end: prompt form, live asset list, previews, compare, thumbnails.
// State lives in the kernel (synced traits); this file renders it and sends user intents as
// custom messages. It never sees the API key: the kernel makes every request to Gizmo.
// 3D goes through the shared viewer (../viewer/viewport.js), fed with binary buffers.
//
// One module per concern: form.js (prompt form), list.js (filter bar, rows, load more),
// row.js (one asset), thumbnails.js, compare.js; this class holds them together and owns the
// messaging, the header, the notices and the layout.
import { CSS } from "./style.js";
import { CompareView } from "./compare.js";
import { PromptForm } from "./form.js";
import { AssetList } from "./list.js";
import { Thumbnails } from "./thumbnails.js";
import { h, keepKeys } from "./dom.js";

export { thumbPose } from "./thumbnails.js";

const NARROW_BELOW = 600; // px of Studio width under which a row's actions go under its text
const TINY_BELOW = 400; // ...and under which the text goes under the thumbnail too

export function renderStudio({ model, el }) {
  const studio = new StudioView(model, el);
  return () => studio.dispose();
}

export class StudioView {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.pending = new Map(); // req -> {resolve, reject}
    this.reqSeq = 0;
    this.viewports = new Set();
    this.blobUrls = new Set(); // export downloads, revoked on dispose
    this.disposed = false;
    this.build();
    this.onMsg = (msg, buffers) => this.handleMsg(msg, buffers);
    model.on("msg:custom", this.onMsg);
    // One redraw per batch of trait changes (a sync often changes several at once).
    this.onChange = () => {
      if (this.renderQueued) return;
      this.renderQueued = true;
      queueMicrotask(() => { this.renderQueued = false; this.renderAll(); });
    };
    const traits = ["items", "visible", "notices", "generating", "batch", "polling", "total", "has_more",
      "loading", "tag_options", "selected", "exports", "focus", "backend_label", "listed", "rate_limit"];
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
    for (const v of this.viewports) { try { v.dispose(); } catch { /* already gone */ } }
    this.viewports.clear();
    for (const url of this.blobUrls) URL.revokeObjectURL(url);
    for (const { reject } of this.pending.values()) reject(new Error("widget closed"));
    this.pending.clear();
  }

  // ------------------------------------------------------------------ messaging
  request(content) {
    const req = `r${++this.reqSeq}`;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      this.model.send({ ...content, req });
    });
  }

  handleMsg(msg, buffers) {
    if (!msg || !msg.req || !this.pending.has(msg.req)) return;
    const { resolve, reject } = this.pending.get(msg.req);
    this.pending.delete(msg.req);
    if (msg.type === "geometry_error") reject(Object.assign(new Error(msg.notice.text), { notice: msg.notice }));
    else resolve({ msg, buffers: buffers || [] });
  }

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
    this.releaseKeys = keepKeys(this.root, (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && this.form?.el.contains(e.target)) { e.preventDefault(); this.form.submit(); }
    });
    // Like the viewer panel: a class from a ResizeObserver, not a container query (which would
    // give the Studio zero intrinsic width inside auto-sized hosts).
    this.layout = new ResizeObserver(([entry]) => {
      const width = entry.contentRect.width;
      if (width <= 0) return; // hidden: keep the layout as it is
      this.root.classList.toggle("gzs-narrow", width < NARROW_BELOW);
      this.root.classList.toggle("gzs-tiny", width < TINY_BELOW);
    });
    this.layout.observe(this.root);
    this.list = new AssetList(this);
    this.form = this.job ? null : new PromptForm(this);
    if (this.form) this.root.append(this.form.el, this.list.buildBar());
    this.compare = new CompareView(this, h("div", { class: "gzs-compare" }));
    this.root.append(this.compare.el, this.list.el);
    if (!this.job) this.root.append(this.list.buildFooter());
    const offscreen = h("div", { class: "gzs-offscreen", "aria-hidden": "true" });
    this.thumbnails = new Thumbnails(this, offscreen);
    this.root.append(offscreen);
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
  }

  renderNotices() {
    const notices = this.model.get("notices") || [];
    this.noticesEl.replaceChildren(...notices.map((n) => h("div", { class: `gzs-notice ${n.level}`, "data-kind": n.kind, role: "alert" },
      h("div", {}, h("div", { text: n.text }), n.hint ? h("div", { class: "gzs-hint", text: n.hint }) : null),
      h("button", { class: "gzs-close", title: "dismiss", "aria-label": "dismiss", text: "×", onclick: () => this.model.send({ type: "dismiss", at: n.at }) }))));
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
