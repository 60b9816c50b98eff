// The Studio front end: prompt form, live asset list, previews, compare, thumbnails.
// State lives in the kernel (synced traits); this file renders it and sends user intents as
// custom messages. It never sees the API key: the kernel makes every request to Gizmo.
// 3D goes through the shared viewer (../viewer/viewport.js), fed with binary buffers.
import { createViewport } from "../viewer/viewport.js";
import { createViewerPanel } from "../viewer/panel.js";
import { CSS } from "./style.js";
import { h, formatElapsed, formatTime, copyText, dataUrlToBytes } from "./dom.js";

const RUNNING = new Set(["pending", "processing"]);
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
    this.thumbQueue = [];
    this.thumbBusy = false;
    this.disposed = false;
    this.build();
    this.onMsg = (msg, buffers) => this.handleMsg(msg, buffers);
    model.on("msg:custom", this.onMsg);
    this.onChange = () => this.renderAll();
    const traits = ["items", "visible", "notices", "generating", "batch", "polling", "total", "has_more",
      "loading", "tag_options", "selected", "exports", "focus", "backend_label", "listed", "rate_limit"];
    this.events = traits.map((t) => `change:${t}`).join(" ");
    model.on(this.events, this.onChange);
    this.ticker = setInterval(() => this.tick(), 1000);
    this.renderAll();
  }

  dispose() {
    this.disposed = true;
    clearInterval(this.ticker);
    this.model.off("msg:custom", this.onMsg);
    this.model.off(this.events, this.onChange);
    for (const v of this.viewports) { try { v.dispose(); } catch { /* already gone */ } }
    this.viewports.clear();
    for (const url of this.thumbs.values()) URL.revokeObjectURL(url);
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
    this.root = h("div", { class: "gzs-studio" }, style, head, this.noticesEl);
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
    this.promptEl.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); e.stopPropagation(); this.submit(); }
    });
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
    return h("div", { class: "gzs-form" }, this.promptEl, meta, this.genBtn, this.formMsg,
      h("div", { style: { gridColumn: "1 / 3" } }, this.progressEl, this.progressText));
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
    const tags = this.tagsEl.value;
    if (this.batchEl.checked) {
      const prompts = text.split("\n").map((s) => s.trim()).filter(Boolean);
      if (!prompts.length) { this.formMsg.textContent = "Type at least one prompt, one per line."; return; }
      this.model.send({ type: "batch", prompts, tags });
    } else {
      if (!text.trim()) { this.formMsg.textContent = "Type a prompt first: describe the asset to generate."; this.promptEl.focus(); return; }
      this.model.send({ type: "generate", prompt: text, name: this.nameEl.value, tags, parent: this.parent || null });
    }
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

  itemsById() { return new Map(this.model.get("items").map((i) => [i.id, i])); }

  // ------------------------------------------------------------------ render
  renderAll() {
    if (this.disposed) return;
    const m = this.model;
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
      h("button", { title: "dismiss", text: "×", onclick: () => this.model.send({ type: "dismiss", at: n.at }) }))));
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
  async loadInto(container, id, { purpose = "preview" } = {}) {
    const { msg, buffers } = await this.request({ type: purpose, id });
    const viewport = createViewport(container, { height: 260 });
    this.viewports.add(viewport);
    await viewport.setModel(msg.meta, buffers);
    return viewport;
  }

  releaseViewport(viewport) {
    if (!viewport) return;
    this.viewports.delete(viewport);
    try { viewport.dispose(); } catch { /* ignore */ }
  }

  async openCompare() {
    const items = this.itemsById();
    const ids = this.model.get("selected").filter((id) => items.get(id)?.status === "ready");
    for (const v of this.compareViewports || []) this.releaseViewport(v);
    this.compareViewports = [];
    if (ids.length < 2) {
      this.compareEl.replaceChildren(h("div", { class: "gzs-inline-msg", text: "Select two or more ready assets (checkboxes) to compare." }));
      return;
    }
    const cols = Math.min(ids.length, 3);
    this.compareEl.style.gridTemplateColumns = `repeat(${cols}, 1fr)`;
    const close = h("button", { class: "gzs-btn", text: "Close compare", onclick: () => {
      for (const v of this.compareViewports) this.releaseViewport(v);
      this.compareViewports = [];
      this.compareEl.replaceChildren();
    } });
    const cells = ids.map((id) => {
      const item = items.get(id);
      const view = h("div", { class: "gzs-compare-view" });
      const cell = h("div", { class: "gzs-compare-cell", "data-id": id }, h("div", { class: "gzs-name", text: item.name || id }),
        h("div", { class: "gzs-prompt", title: item.prompt, text: item.name === item.prompt ? "" : item.prompt }), view);
      this.loadInto(view, id).then((v) => this.compareViewports.push(v)).catch((err) => view.replaceChildren(h("div", { class: "gzs-inline-msg", text: err.message })));
      return cell;
    });
    this.compareEl.replaceChildren(h("div", { style: { gridColumn: `1 / ${cols + 1}` } }, close), ...cells);
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
            const shot = await this.thumbViewport.screenshot();
            const bytes = typeof shot === "string" ? dataUrlToBytes(shot) : new Uint8Array(await shot.arrayBuffer());
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

class AssetRow {
  constructor(view, item) {
    this.view = view;
    this.item = item;
    this.viewport = null;
    this.check = h("input", { type: "checkbox", class: "gzs-select", title: "select for Compare", onchange: () => view.toggleSelected(item.id, this.check.checked) });
    this.thumb = h("img", { class: "gzs-thumb", alt: "" });
    this.name = h("span", { class: "gzs-name" });
    this.badge = h("span", { class: "gzs-badge" });
    this.stage = h("span", { class: "gzs-muted gzs-stage" }); // current API: "articulation 3/4"
    this.time = h("span", { class: "gzs-muted" });
    this.prompt = h("div", { class: "gzs-prompt" });
    this.tags = h("span", {});
    this.lineage = h("span", { class: "gzs-muted gzs-lineage" });
    this.formats = h("span", { class: "gzs-muted gzs-formats" });
    this.previewBtn = h("button", { class: "gzs-btn gzs-preview-btn", text: "Preview", onclick: () => this.togglePreview() });
    this.formatSel = h("select", { class: "gzs-format" });
    this.exportBtn = h("button", { class: "gzs-btn gzs-export-btn", text: "Export", onclick: () => view.model.send({ type: "export", id: this.item.id, format: this.formatSel.value }) });
    this.copyBtn = h("button", { class: "gzs-btn gzs-copy-btn", text: "Copy id", onclick: () => this.copy() });
    this.iterBtn = h("button", { class: "gzs-btn gzs-iterate-btn", text: "Iterate", onclick: () => this.iterate() });
    this.cancelBtn = h("button", { class: "gzs-btn gzs-cancel-btn", text: "Cancel", title: "cancel this generation",
      onclick: () => { this.cancelBtn.disabled = true; view.model.send({ type: "cancel", id: this.item.id }); } });
    this.exported = h("div", { class: "gzs-exported" });
    this.previewEl = h("div", { class: "gzs-preview", style: { display: "none" } });
    const info = h("div", {}, h("div", {}, this.name, " ", this.badge, " ", this.stage, " ", this.time, " ", this.lineage), this.prompt, h("div", {}, this.tags, this.formats));
    const actions = h("div", { class: "gzs-actions" }, this.previewBtn, this.formatSel, this.exportBtn, this.copyBtn, view.job ? null : this.iterBtn, this.cancelBtn);
    this.el = h("div", { class: "gzs-row", "data-id": item.id },
      h("div", { class: "gzs-row-main" }, view.job ? h("span") : this.check, this.thumb, info, actions), this.exported, this.previewEl);
  }

  update(item) {
    const was = this.item.status;
    this.item = item;
    const v = this.view;
    this.name.textContent = item.name || item.id;
    // an asset named after its own prompt (batch rows, API calls without a name) shows it once
    this.prompt.textContent = item.name === item.prompt ? "" : item.prompt;
    this.prompt.title = item.prompt;
    this.tags.replaceChildren(...item.tags.map((t) => h("span", { class: "gzs-chip", text: t })));
    const parent = item.parent ? v.itemsById().get(item.parent) : null;
    this.lineage.textContent = item.parent ? `↳ from ${parent?.name || item.parent}` : "";
    this.lineage.title = item.parent ? `iterated from ${item.parent}` : "";
    this.time.textContent = formatTime(item.created_at);
    this.time.title = item.created_at;
    const ready = item.status === "ready";
    this.formats.textContent = ready && item.formats.length ? ` · ${item.formats.map((f) => FORMAT_LABELS[f] || f).join(", ")}` : "";
    const fmts = item.formats.length ? item.formats : v.model.get("formats");
    if (this.formatSel.options.length !== fmts.length) {
      this.formatSel.replaceChildren(...fmts.map((f) => h("option", { value: f, text: FORMAT_LABELS[f] || f })));
    }
    for (const b of [this.previewBtn, this.formatSel, this.exportBtn]) b.disabled = !ready;
    const running = RUNNING.has(item.status);
    this.stage.textContent = running && item.stage ? item.stage : "";
    this.cancelBtn.style.display = running && item.job ? "" : "none"; // only jobs (current API) can be cancelled
    if (!running) this.cancelBtn.disabled = false;
    this.check.checked = v.model.get("selected").includes(item.id);
    this.check.disabled = !ready;
    const exports = (v.model.get("exports") || {})[item.id] || {};
    this.exported.replaceChildren(...Object.entries(exports).map(([f, p]) => h("div", {}, `${FORMAT_LABELS[f] || f} saved to `, h("code", { text: p }))));
    this.tick();
    if (ready) v.wantThumb(item.id, this.thumb);
    // A %%gizmo cell opens its preview by itself once the asset is ready.
    if (v.job && ready && was !== "ready" && !this.viewport) this.togglePreview();
    else if (v.job && ready && !this.autoOpened) { this.autoOpened = true; if (!this.viewport) this.togglePreview(); }
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
