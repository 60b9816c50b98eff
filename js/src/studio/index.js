// The Studio front end: prompt form, live asset list, previews, compare, thumbnails.
// State lives in the kernel (synced traits); this file renders it and sends user intents as
// custom messages. It never sees the API key: the kernel makes every request to Gizmo.
// 3D goes through the shared viewer (../viewer/viewport.js), fed with binary buffers.
import { createViewport, clampJoint, SINGLE_DOF } from "../viewer/viewport.js";
import { createViewerPanel } from "../viewer/panel.js";
import { CSS } from "./style.js";
import { factsTable, linkCameras } from "./compare.js";
import { h, formatElapsed, formatTime, copyText, dataUrlToBytes, keepKeys, joinParts, transparentBackground } from "./dom.js";

const RUNNING = new Set(["pending", "processing"]);
const NARROW_BELOW = 600; // px of Studio width under which a row's actions go under its text
const TINY_BELOW = 400; // ...and under which the text goes under the thumbnail too
const FORMAT_LABELS = { isaac_sim_usd: "USD (Isaac Sim)", isaac_sim_urdf: "URDF (Isaac Sim)", mujoco_mjcf: "MJCF (MuJoCo)" };

export function renderStudio({ model, el }) {
  const studio = new StudioView(model, el);
  return () => studio.dispose();
}

// Put `children` into `parent` in order, moving only nodes that are out of place: detaching a
// row (as replaceChildren does) would steal keyboard focus and close an open format dropdown on
// every poll.
function placeChildren(parent, children) {
  children.forEach((child, i) => {
    if (parent.children[i] !== child) parent.insertBefore(child, parent.children[i] || null);
  });
  while (parent.children.length > children.length) parent.lastElementChild.remove();
}

class StudioView {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.rows = new Map(); // id -> row controller
    this.pending = new Map(); // req -> {resolve, reject}
    this.reqSeq = 0;
    this.parent = ""; // the asset being iterated on
    this.viewports = new Set();
    this.thumbs = new Map(); // id -> object URL
    this.blobUrls = new Set(); // export downloads, revoked on dispose
    this.thumbQueue = [];
    this.thumbBusy = false;
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
    clearInterval(this.ticker);
    this.model.off("msg:custom", this.onMsg);
    for (const event of this.events) this.model.off(event, this.onChange);
    this.layout?.disconnect();
    this.releaseKeys?.();
    this.unlinkCameras?.();
    for (const v of this.viewports) { try { v.dispose(); } catch { /* already gone */ } }
    this.viewports.clear();
    for (const url of this.thumbs.values()) URL.revokeObjectURL(url);
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
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && this.form?.contains(e.target)) { e.preventDefault(); this.submit(); }
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
    if (!this.job) this.root.append(this.buildForm(), this.buildBar());
    this.compareEl = h("div", { class: "gzs-compare" });
    this.listEl = h("div", { class: "gzs-list" });
    this.moreBtn = h("button", { class: "gzs-btn gzs-more", text: "Load more", onclick: () => this.model.send({ type: "load_more" }) });
    this.countEl = h("span", { class: "gzs-muted gzs-count" });
    this.offscreen = h("div", { class: "gzs-offscreen", "aria-hidden": "true" });
    this.root.append(this.compareEl, this.listEl);
    if (!this.job) this.root.append(h("div", { class: "gzs-bar" }, this.moreBtn, this.countEl));
    this.root.append(this.offscreen);
    this.el.append(this.root);
  }

  buildForm() {
    this.promptEl = h("textarea", { class: "gzs-prompt-input", placeholder: "Describe an articulated asset, e.g. \"a 6-DOF arm with a parallel gripper\"  (Ctrl/Cmd+Enter to generate)" });
    this.promptEl.addEventListener("input", () => { this.formMsg.textContent = ""; });
    this.nameEl = h("input", { class: "gzs-name-input", placeholder: "name (optional)", size: 18 });
    this.tagsEl = h("input", { class: "gzs-tags-input", placeholder: "tags, comma separated", size: 20 });
    this.batchEl = h("input", { type: "checkbox", class: "gzs-batch-toggle" });
    this.parentChip = h("span", { class: "gzs-chip gzs-parent-chip", style: { display: "none" } });
    this.genBtn = h("button", { class: "gzs-btn gzs-primary gzs-generate", text: "Generate", onclick: () => this.submit() });
    this.formMsg = h("div", { class: "gzs-inline-msg", role: "alert" });
    this.progressEl = h("div", { class: "gzs-progress", style: { display: "none" } }, h("div", { style: { width: "0%" } }));
    this.progressText = h("div", { class: "gzs-muted gzs-batch-progress" });
    const meta = h("div", { class: "gzs-meta" }, this.nameEl, this.tagsEl,
      h("label", { class: "gzs-muted" }, this.batchEl, " batch: one prompt per line"), this.parentChip);
    this.form = h("div", { class: "gzs-form" }, this.promptEl, meta, this.genBtn, this.formMsg,
      h("div", { style: { gridColumn: "1 / -1" } }, this.progressEl, this.progressText));
    return this.form;
  }

  buildBar() {
    this.searchEl = h("input", { class: "gzs-search", type: "search", placeholder: "search name, prompt, id, tag" });
    let timer = null;
    this.searchEl.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => { this.model.set("search", this.searchEl.value); this.model.save_changes(); }, 200);
    });
    this.statusSel = h("select", { class: "gzs-status-filter", onchange: () => { this.model.set("filter_status", this.statusSel.value); this.model.save_changes(); } },
      ["", "pending", "processing", "ready", "failed", "cancelled"].map((s) => h("option", { value: s, text: s || "any status" })));
    this.tagSel = h("select", { class: "gzs-tag-filter", onchange: () => { this.model.set("filter_tag", this.tagSel.value); this.model.save_changes(); } });
    this.compareBtn = h("button", { class: "gzs-btn gzs-compare-btn", text: "Compare", onclick: () => this.openCompare() });
    const refresh = h("button", { class: "gzs-btn", text: "Refresh", onclick: () => this.model.send({ type: "refresh" }) });
    return h("div", { class: "gzs-bar" }, this.searchEl, this.statusSel, this.tagSel, refresh, this.compareBtn);
  }

  submit() {
    const text = this.promptEl.value;
    const name = this.nameEl.value;
    const tags = this.tagsEl.value;
    let sent;
    if (this.batchEl.checked) {
      const prompts = text.split("\n").map((s) => s.trim()).filter(Boolean);
      if (!prompts.length) { this.formMsg.textContent = "Type at least one prompt, one per line."; return; }
      sent = this.request({ type: "batch", prompts, tags });
    } else {
      if (!text.trim()) { this.formMsg.textContent = "Type a prompt first: describe the asset to generate."; this.promptEl.focus(); return; }
      sent = this.request({ type: "generate", prompt: text, name, tags, parent: this.parent || null });
    }
    // The box clears at once, so a second click cannot submit a twin; if the kernel refuses the
    // prompt (too long, wrong key...) the text comes back, unless the user typed something new.
    this.promptEl.value = "";
    this.nameEl.value = "";
    sent.then(({ msg }) => {
      if (msg.ok === false && !this.promptEl.value && !this.nameEl.value) {
        this.promptEl.value = text;
        this.nameEl.value = name;
      }
    }).catch(() => { /* widget closed */ });
    this.formMsg.textContent = "";
    this.setParent("");
  }

  setParent(id) {
    this.parent = id;
    if (!this.parentChip) return;
    if (!id) { this.parentChip.style.display = "none"; return; }
    const item = this.itemsById().get(id);
    this.parentChip.style.display = "";
    this.parentChip.replaceChildren(`iterating on ${item?.name || id} `,
      h("button", { class: "gzs-btn", style: { padding: "0 4px" }, text: "×", title: "stop iterating", onclick: () => this.setParent("") }));
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
  reveal(id) {
    const row = this.rows.get(id);
    if (!row) return false;
    row.el.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
    row.el.classList.remove("gzs-flash");
    void row.el.offsetWidth; // restart the animation
    row.el.classList.add("gzs-flash");
    return true;
  }

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
    if (!this.job) this.renderControls();
    this.renderList();
  }

  renderNotices() {
    const notices = this.model.get("notices") || [];
    this.noticesEl.replaceChildren(...notices.map((n) => h("div", { class: `gzs-notice ${n.level}`, "data-kind": n.kind, role: "alert" },
      h("div", {}, h("div", { text: n.text }), n.hint ? h("div", { class: "gzs-hint", text: n.hint }) : null),
      h("button", { class: "gzs-close", title: "dismiss", "aria-label": "dismiss", text: "×", onclick: () => this.model.send({ type: "dismiss", at: n.at }) }))));
  }

  renderControls() {
    const m = this.model;
    const generating = m.get("generating");
    this.genBtn.textContent = generating ? `Submitting… (${generating})` : "Generate";
    const batch = m.get("batch") || {};
    if (batch.total) {
      const ids = batch.ids || [];
      const items = this.itemsById();
      const done = ids.filter((id) => items.get(id) && !RUNNING.has(items.get(id).status)).length;
      const settled = done + (batch.failed || 0);
      this.progressEl.style.display = "";
      this.progressEl.firstChild.style.width = `${Math.round((100 * settled) / batch.total)}%`;
      this.progressText.textContent = `batch: ${batch.submitted}/${batch.total} submitted, ${done} finished` +
        (batch.failed ? `, ${batch.failed} could not be submitted` : "") + (settled >= batch.total ? " — done" : "");
    } else {
      this.progressEl.style.display = "none";
      this.progressText.textContent = "";
    }
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

  renderList() {
    const m = this.model;
    const items = this.itemsById();
    let ids;
    if (this.job) ids = m.get("focus") ? [m.get("focus")] : [];
    else ids = m.get("visible");
    const wanted = new Set(ids);
    for (const [id, row] of this.rows) if (!wanted.has(id)) { row.dispose(); this.rows.delete(id); }
    const children = [];
    for (const id of ids) {
      const item = items.get(id);
      if (!item) continue;
      let row = this.rows.get(id);
      if (!row) { row = new AssetRow(this, item); this.rows.set(id, row); }
      row.update(item);
      children.push(row.el);
    }
    if (this.job && !children.length) {
      children.push(h("div", { class: "gzs-muted", text: (m.get("notices") || []).length ? "" : "submitting…" }));
    }
    placeChildren(this.listEl, children);
  }

  tick() {
    for (const row of this.rows.values()) row.tick();
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

  closeCompare() {
    this.compareToken = (this.compareToken || 0) + 1; // a load still under way lands nowhere
    this.unlinkCameras?.();
    this.unlinkCameras = null;
    for (const v of this.compareViewports || []) this.releaseViewport(v);
    this.compareViewports = [];
    this.compareEl.replaceChildren();
  }

  async openCompare() {
    const items = this.itemsById();
    const ids = this.model.get("selected").filter((id) => items.get(id)?.status === "ready");
    this.closeCompare();
    const token = this.compareToken;
    if (ids.length < 2) {
      this.compareEl.replaceChildren(h("div", { class: "gzs-inline-msg", text: "Select two or more ready assets (checkboxes) to compare." }));
      return;
    }
    const cols = Math.min(ids.length, 3);
    this.compareEl.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
    const close = h("button", { class: "gzs-btn", text: "Close compare", onclick: () => this.closeCompare() });
    const note = h("span", { class: "gzs-muted", text: "one scale; orbit any view to turn them all" });
    const views = ids.map(() => h("div", { class: "gzs-compare-view" }));
    const cells = ids.map((id, i) => {
      const item = items.get(id);
      return h("div", { class: "gzs-compare-cell", "data-id": id }, h("div", { class: "gzs-name", text: item.name || id }),
        h("div", { class: "gzs-prompt", title: item.prompt, text: item.name === item.prompt ? "" : item.prompt }), views[i]);
    });
    const table = h("div", { class: "gzs-compare-facts", style: { gridColumn: "1 / -1" } });
    this.compareEl.replaceChildren(h("div", { class: "gzs-compare-head", style: { gridColumn: "1 / -1" } }, close, note), ...cells, table);
    const loaded = await Promise.all(ids.map(async (id, i) => {
      try {
        const { msg, buffers } = await this.request({ type: "preview", id });
        if (token !== this.compareToken) return null;
        views[i].replaceChildren();
        const panel = createViewerPanel(views[i], { height: 300 }); // joint sliders per model
        this.viewports.add(panel);
        this.compareViewports.push(panel);
        await panel.setModel(msg.meta, buffers);
        return { id, name: items.get(id).name || id, meta: msg.meta, panel };
      } catch (err) {
        views[i].replaceChildren(h("div", { class: "gzs-inline-msg", text: err.message }));
        return null;
      }
    }));
    if (token !== this.compareToken) return;
    const ready = loaded.filter(Boolean);
    this.unlinkCameras = linkCameras(ready.map((e) => e.panel.viewport),
      (d) => { for (const c of cells) c.dataset.cameraDistance = d.toFixed(4); });
    if (ready.length) table.replaceChildren(factsTable(ready));
  }

  // Thumbnails: one shared offscreen viewport renders each ready asset once, the PNG is
  // cached by the kernel (so the next Studio gets it without any geometry) and shown as <img>.
  wantThumb(id, img) {
    if (this.thumbs.has(id)) { img.src = this.thumbs.get(id); return; }
    if (this.thumbQueue.some((q) => q.id === id)) return;
    this.thumbQueue.push({ id, img });
    this.pumpThumbs();
  }

  async pumpThumbs() {
    if (this.thumbBusy || this.disposed) return;
    this.thumbBusy = true;
    try {
      while (this.thumbQueue.length && !this.disposed) {
        const { id } = this.thumbQueue.shift();
        try {
          const { msg, buffers } = await this.request({ type: "thumb", id });
          let url;
          if (msg.type === "thumb") {
            url = URL.createObjectURL(new Blob([buffers[0]], { type: "image/png" }));
          } else {
            if (!this.thumbViewport) this.thumbViewport = createViewport(this.offscreen, { height: 144 });
            await this.thumbViewport.setModel(msg.meta, buffers);
            this.thumbViewport.setGrid(false); // at 96 px the grid is only noise behind the model
            this.thumbViewport.setPose(thumbPose(msg.meta));
            this.thumbViewport.fit();
            const shot = await this.thumbViewport.screenshot();
            const png = typeof shot === "string" ? new Blob([dataUrlToBytes(shot)], { type: "image/png" }) : shot;
            // Transparent background: the row's themed tile shows through, light or dark.
            const bytes = await transparentBackground(png);
            url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
            this.model.send({ type: "thumb_png", id }, undefined, [bytes.buffer]);
          }
          this.thumbs.set(id, url);
          this.rows.get(id)?.setThumb(url);
        } catch { /* no thumbnail: the row keeps its placeholder */ }
      }
    } finally {
      this.thumbBusy = false;
      if (this.thumbViewport && !this.thumbQueue.length) { this.thumbViewport.dispose(); this.thumbViewport = null; }
    }
  }
}

/**
 * A pose that shows what moves: hinges bent a little, alternately one way and the other (a
 * straight arm at zero is a vertical stick in a thumbnail), sliders half out; wheels at rest.
 */
export function thumbPose(meta) {
  const pose = {};
  let n = 0;
  for (const joint of meta?.joints || []) {
    if (!SINGLE_DOF.has(joint.type) || joint.type === "continuous") continue;
    if (joint.type === "prismatic") {
      if (joint.limits) pose[joint.name] = clampJoint(joint, (joint.limits.lower + joint.limits.upper) / 2);
      continue;
    }
    pose[joint.name] = clampJoint(joint, n++ % 2 ? -0.5 : 0.7);
  }
  return pose;
}

class AssetRow {
  constructor(view, item) {
    this.view = view;
    this.item = item;
    this.viewport = null;
    this.check = h("input", { type: "checkbox", class: "gzs-select", title: "select for Compare", onchange: () => view.toggleSelected(item.id, this.check.checked) });
    this.thumb = h("img", { class: "gzs-thumb", alt: "" });
    this.thumbLabel = h("span", { class: "gzs-thumb-label" });
    this.thumbBox = h("div", { class: "gzs-thumb-box" }, this.thumb, this.thumbLabel);
    this.name = h("span", { class: "gzs-name" });
    this.badge = h("span", { class: "gzs-badge" });
    this.stage = h("span", { class: "gzs-muted gzs-stage" }); // current API: "articulation 3/4"
    this.time = h("span", { class: "gzs-muted gzs-time" });
    this.prompt = h("div", { class: "gzs-prompt" });
    this.failure = h("div", { class: "gzs-failure", role: "status" });
    this.interp = h("div", { class: "gzs-interp" });
    this.lineage = h("div", { class: "gzs-muted gzs-lineage" });
    this.meta = h("div", { class: "gzs-row-meta" });
    this.previewBtn = h("button", { class: "gzs-btn gzs-preview-btn", text: "Preview", onclick: () => this.togglePreview() });
    this.formatSel = h("select", { class: "gzs-format", "aria-label": "export format" });
    this.exportBtn = h("button", { class: "gzs-btn gzs-export-btn", text: "Export", onclick: () => view.model.send({ type: "export", id: this.item.id, format: this.formatSel.value }) });
    this.copyBtn = h("button", { class: "gzs-btn gzs-copy-btn", text: "Copy id", onclick: () => this.copy() });
    this.iterBtn = h("button", { class: "gzs-btn gzs-iterate-btn", text: "Iterate", onclick: () => this.iterate() });
    this.cancelBtn = h("button", { class: "gzs-btn gzs-cancel-btn", text: "Cancel", title: "cancel this generation",
      onclick: () => { this.cancelBtn.disabled = true; view.model.send({ type: "cancel", id: this.item.id }); } });
    this.retryBtn = h("button", { class: "gzs-btn gzs-retry-btn", text: "Retry", title: "submit the same prompt, name and tags again",
      onclick: () => this.retry() });
    this.exported = h("div", { class: "gzs-exported" });
    this.previewEl = h("div", { class: "gzs-preview", style: { display: "none" } });
    const head = h("div", { class: "gzs-row-head" }, this.name, this.badge, this.stage, this.time);
    const info = h("div", { class: "gzs-info" }, head, this.lineage, this.prompt, this.failure, this.interp, this.meta);
    const actions = h("div", { class: "gzs-actions" }, this.retryBtn, this.previewBtn, this.formatSel, this.exportBtn, this.copyBtn,
      view.job ? null : this.iterBtn, this.cancelBtn);
    this.el = h("div", { class: "gzs-row", "data-id": item.id },
      h("div", { class: "gzs-row-main" }, view.job ? h("span") : this.check, this.thumbBox, info, actions), this.exported, this.previewEl);
  }

  update(item) {
    const was = this.item.status;
    this.item = item;
    const v = this.view;
    const failed = item.status === "failed";
    const ready = item.status === "ready";
    this.el.dataset.status = item.status;
    this.name.textContent = item.name || item.id;
    // an asset named after its own prompt (batch rows, API calls without a name) shows it once
    this.prompt.textContent = item.name === item.prompt ? "" : item.prompt;
    this.prompt.title = item.prompt;
    this.renderLineage(item);
    this.time.textContent = formatTime(item.created_at);
    this.time.title = item.created_at;
    // The reason stays on the row (the banner can be dismissed); the full text is on hover.
    const reason = failed ? item.failure_reason || "the service gave no reason" : "";
    this.failure.textContent = reason ? `Failed: ${reason}` : "";
    this.failure.title = reason;
    this.badge.title = reason;
    this.thumbBox.title = reason;
    this.renderInterpretation(item.interpretation);
    // tags, then formats: separators only between parts that are there
    const tags = item.tags.map((t) => h("span", { class: "gzs-chip", text: t }));
    const formats = ready && item.formats.length ? item.formats.map((f) => FORMAT_LABELS[f] || f).join(", ") : "";
    this.meta.replaceChildren(...joinParts([tags.length ? h("span", { class: "gzs-tags" }, ...tags) : null,
      formats ? h("span", { class: "gzs-muted gzs-formats", text: formats }) : null]));
    const fmts = item.formats.length ? item.formats : v.model.get("formats");
    if (this.formatSel.options.length !== fmts.length) {
      this.formatSel.replaceChildren(...fmts.map((f) => h("option", { value: f, text: FORMAT_LABELS[f] || f })));
    }
    for (const b of [this.previewBtn, this.formatSel, this.exportBtn]) { b.disabled = !ready; b.hidden = failed; }
    this.retryBtn.hidden = !failed;
    if (!failed) this.retryBtn.disabled = false;
    const running = RUNNING.has(item.status);
    this.stage.textContent = running && item.stage ? item.stage : "";
    this.cancelBtn.style.display = running && item.job ? "" : "none"; // only jobs (current API) can be cancelled
    if (!running) this.cancelBtn.disabled = false;
    this.check.checked = v.model.get("selected").includes(item.id);
    this.check.disabled = !ready;
    this.renderExports((v.model.get("exports") || {})[item.id] || {});
    this.thumbBox.dataset.status = item.status;
    this.thumbLabel.textContent = failed ? "✕ failed" : RUNNING.has(item.status) ? "generating…" : "";
    this.tick();
    if (ready) v.wantThumb(item.id, this.thumb);
    // A %%gizmo cell opens its preview by itself once the asset is ready.
    if (v.job && ready && was !== "ready" && !this.viewport) this.togglePreview();
    else if (v.job && ready && !this.autoOpened) { this.autoOpened = true; if (!this.viewport) this.togglePreview(); }
  }

  renderLineage(item) {
    const chain = this.view.ancestors(item);
    if (!chain.length) { this.lineage.replaceChildren(); this.lineage.title = ""; return; }
    // "↳ iteration of arm v2 ← arm v1": the parent first, then its ancestors; each one a link to its row.
    const link = ({ id, item: it }) => h("button", { class: "gzs-link", "data-id": id, text: it?.name || id, title: id,
      onclick: () => { if (!this.view.reveal(id)) copyText(id); } });
    const parts = [];
    chain.forEach((a, i) => { if (i) parts.push(" ← "); parts.push(link(a)); });
    this.lineage.replaceChildren("↳ iteration of ", ...parts);
    this.lineage.title = `iterated from ${item.parent}`;
  }

  renderInterpretation(interp) {
    if (!interp || (!interp.understood?.length && !interp.ignored?.length)) { this.interp.replaceChildren(); this.interp.hidden = true; return; }
    this.interp.hidden = false;
    const parts = [];
    if (interp.understood?.length) parts.push(h("span", { class: "gzs-understood", text: `understood: ${interp.understood.join(", ")}` }));
    if (interp.ignored?.length) parts.push(h("span", { class: "gzs-ignored", text: `ignored: ${interp.ignored.join(", ")}` }));
    this.interp.replaceChildren(...joinParts(parts));
    this.interp.classList.toggle("gzs-has-ignored", !!interp.ignored?.length);
    this.interp.title = interp.family ? `generated as: ${interp.family}` : "what the generator made of the prompt";
  }

  renderExports(exports) {
    const have = new Map([...this.exported.children].map((el) => [el.dataset.format + "\u0000" + el.dataset.path, el]));
    const els = Object.entries(exports).map(([f, p]) => have.get(f + "\u0000" + p) || this.exportLine(f, p));
    placeChildren(this.exported, els);
  }

  // "MJCF (MuJoCo): Download arm.xml · /abs/path/arm.xml". The bytes come from the kernel on
  // click (not a server URL), so the link works in any notebook host.
  exportLine(fmt, path) {
    const base = path.split(/[\\/]/).pop() || fmt;
    const label = `Download ${base}`;
    const link = h("a", { class: "gzs-download", href: "#", text: label, title: "save a copy through the browser" });
    link.addEventListener("click", async (e) => {
      if (link.dataset.ready) return; // the blob URL is set: let the browser download it
      e.preventDefault();
      link.textContent = "preparing…";
      try {
        const { msg, buffers } = await this.view.request({ type: "download", id: this.item.id, format: fmt });
        const url = URL.createObjectURL(new Blob([buffers[0]], { type: "application/octet-stream" }));
        this.view.blobUrls.add(url);
        link.href = url;
        link.download = msg.name || base;
        link.dataset.ready = "1";
        link.textContent = `Download ${link.download}`;
        link.click();
      } catch {
        link.textContent = label; // the notice above says why
      }
    });
    return h("div", { class: "gzs-export-line", "data-format": fmt, "data-path": path },
      h("span", { class: "gzs-muted", text: `${FORMAT_LABELS[fmt] || fmt}: ` }), link, " · ",
      h("code", { class: "gzs-path", text: path, title: "absolute path on the kernel's machine" }));
  }

  tick() {
    const { status, created_at } = this.item;
    this.badge.className = `gzs-badge gzs-${status}`;
    this.badge.dataset.status = status;
    if (RUNNING.has(status)) {
      const started = Date.parse(created_at);
      const elapsed = Number.isNaN(started) ? "" : ` ${formatElapsed((Date.now() - started) / 1000)}`;
      this.badge.textContent = `${status}${elapsed}`;
    } else {
      this.badge.textContent = status;
    }
  }

  setThumb(url) { this.thumb.src = url; }

  async togglePreview() {
    this.autoOpened = true;
    if (this.viewport || this.previewEl.style.display !== "none") {
      this.view.releaseViewport(this.viewport);
      this.viewport = null;
      this.previewEl.style.display = "none";
      this.previewEl.replaceChildren();
      this.previewBtn.textContent = "Preview";
      return;
    }
    this.previewEl.style.display = "";
    this.previewBtn.textContent = "Close preview";
    this.previewEl.replaceChildren(h("div", { class: "gzs-muted", text: "loading geometry…" }));
    try {
      const holder = h("div", {});
      const { msg, buffers } = await this.view.request({ type: "preview", id: this.item.id });
      this.previewEl.replaceChildren(holder);
      // The shared viewer panel: viewport plus joint sliders, link picker, wireframe, PNG.
      const panel = createViewerPanel(holder, { height: 380 });
      this.view.viewports.add(panel);
      this.viewport = panel;
      await panel.setModel(msg.meta, buffers);
    } catch (err) {
      this.previewEl.replaceChildren(h("div", { class: "gzs-inline-msg", text: `Preview failed: ${err.message}` }));
    }
  }

  // One click, one new asset: the button waits for the kernel's answer before it takes another.
  async retry() {
    this.retryBtn.disabled = true;
    try {
      const { msg } = await this.view.request({ type: "retry", id: this.item.id });
      if (msg.ok && msg.id) this.retryBtn.title = `retried as ${msg.id}; submit the same prompt, name and tags again`;
    } catch { /* widget closed */ }
    this.retryBtn.disabled = false;
  }

  async copy() {
    const ok = await copyText(this.item.id);
    this.copyBtn.textContent = ok ? "Copied" : this.item.id;
    setTimeout(() => { this.copyBtn.textContent = "Copy id"; }, 1500);
  }

  iterate() {
    const v = this.view;
    v.promptEl.value = this.item.prompt;
    v.tagsEl.value = this.item.tags.join(", ");
    v.batchEl.checked = false;
    v.setParent(this.item.id);
    v.promptEl.focus();
    v.promptEl.scrollIntoView?.({ block: "nearest" });
  }

  dispose() {
    this.view.releaseViewport(this.viewport);
    this.viewport = null;
  }
}
