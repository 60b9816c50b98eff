// @ts-check
// One asset in the Studio's list: thumbnail, name, status badge, lineage, prompt, what the
// generator understood, tags and formats, and its actions (preview, export, copy id, iterate,
// cancel, retry). `view` is the StudioView: the row reads the model and sends intents through it.
import { h, formatElapsed, formatTime, copyText, joinParts, placeChildren } from "./dom.js";

import { FORMAT_LABELS, RUNNING_STATUSES, STATUS, STUDIO_REQUESTS } from "../generated/constants.js";

export const RUNNING = new Set(RUNNING_STATUSES);

/**
 * The export menu's options for `formats` (each sends its name, shows its label), or null while
 * the menu already offers exactly those names. Compared by name, not by count: a current-API row
 * listed while it ran shows the Studio's default (alpha) names, then offers mjcf / usd / sdf.
 * @param {string[]} shown the values the menu has now
 * @param {string[]} formats the row's formats
 * @returns {{ value: string, label: string }[] | null}
 */
export function formatMenu(shown, formats) {
  if (shown.join("\n") === formats.join("\n")) return null;
  /** @type {Record<string, string>} */
  const labels = FORMAT_LABELS;
  return formats.map((f) => ({ value: f, label: labels[f] || f }));
}

export class AssetRow {
  constructor(view, item) {
    this.view = view;
    this.item = item;
    this.check = h("input", { type: "checkbox", class: "gzs-select", title: "select for Compare", onchange: () => view.toggleSelected(item.id, this.check.checked) });
    this.thumb = h("img", { class: "gzs-thumb", alt: "" });
    this.thumbLabel = h("span", { class: "gzs-thumb-label" });
    this.thumbBox = h("div", { class: "gzs-thumb-box" }, this.thumb, this.thumbLabel);
    this.name = h("span", { class: "gzs-name" });
    this.badge = h("span", { class: "gzs-badge" });
    this.kindEl = h("span", { class: "gzs-kind" }); // not a .gzs-chip: chips are the tags
    this.stage = h("span", { class: "gzs-muted gzs-stage" }); // current API: "articulation 3/4"
    this.time = h("span", { class: "gzs-muted gzs-time" });
    this.prompt = h("div", { class: "gzs-prompt" });
    this.failure = h("div", { class: "gzs-failure", role: "status" });
    this.interp = h("div", { class: "gzs-interp" });
    this.lineage = h("div", { class: "gzs-muted gzs-lineage" });
    this.meta = h("div", { class: "gzs-row-meta" });
    this.previewBtn = h("button", { class: "gzs-btn gzs-preview-btn", text: "Preview", onclick: () => this.togglePreview() });
    this.formatSel = h("select", { class: "gzs-format", "aria-label": "export format" });
    this.exportBtn = h("button", { class: "gzs-btn gzs-export-btn", text: "Export", onclick: () => view.model.send({ type: STUDIO_REQUESTS.EXPORT, id: this.item.id, format: this.formatSel.value }) });
    this.copyBtn = h("button", { class: "gzs-btn gzs-copy-btn", text: "Copy id", onclick: () => this.copy() });
    this.iterBtn = h("button", { class: "gzs-btn gzs-iterate-btn", text: "Iterate", onclick: () => this.iterate() });
    this.cancelBtn = h("button", { class: "gzs-btn gzs-cancel-btn", text: "Cancel", title: "cancel this generation",
      onclick: () => { this.cancelBtn.disabled = true; view.model.send({ type: STUDIO_REQUESTS.CANCEL, id: this.item.id }); } });
    this.retryBtn = h("button", { class: "gzs-btn gzs-retry-btn", text: "Retry", title: "submit the same prompt, name and tags again",
      onclick: () => this.retry() });
    this.exported = h("div", { class: "gzs-exported" });
    this.previewEl = h("div", { class: "gzs-preview", style: { display: "none" } });
    const head = h("div", { class: "gzs-row-head" }, this.name, this.kindEl, this.badge, this.stage, this.time);
    const info = h("div", { class: "gzs-info" }, head, this.lineage, this.prompt, this.failure, this.interp, this.meta);
    const actions = h("div", { class: "gzs-actions" }, this.retryBtn, this.previewBtn, this.formatSel, this.exportBtn, this.copyBtn,
      view.job ? null : this.iterBtn, this.cancelBtn);
    this.el = h("div", { class: "gzs-row", "data-id": item.id },
      h("div", { class: "gzs-row-main" }, view.job ? h("span") : this.check, this.thumbBox, info, actions), this.exported, this.previewEl);
  }

  update(item) {
    this.item = item;
    const v = this.view;
    const failed = item.status === STATUS.FAILED;
    const ready = item.status === STATUS.READY;
    this.el.dataset.status = item.status;
    this.name.textContent = item.name || item.id;
    // a scene row (scene mode): marked, with how many assets it places once ready
    this.el.dataset.kind = item.kind || "asset";
    this.kindEl.textContent = item.kind === "scene" ? (item.parts ? `scene · ${item.parts} assets` : "scene") : "";
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
    const menu = formatMenu([...this.formatSel.options].map((o) => o.value), fmts);
    if (menu) {
      const chosen = this.formatSel.value;
      this.formatSel.replaceChildren(...menu.map(({ value, label }) => h("option", { value, text: label })));
      if (fmts.includes(chosen)) this.formatSel.value = chosen;
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
    // A %%gizmo cell opens its preview by itself once the asset is ready (a reopened notebook
    // already shows it, from the saved state).
    if (v.job && ready && !this.autoOpened) { this.autoOpened = true; if (v.previewArea.assetId !== item.id) this.togglePreview(); }
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

  // "understood: desk lamp, two hinges", or for a prompt nothing matched ("a banana")
  // "not recognised: generic stand-in · ignored: banana" in the warning tint; notes (an
  // approximation, a left-out part) are marked and read in full on hover.
  renderInterpretation(interp) {
    const understood = interp?.understood || [], ignored = interp?.ignored || [], notes = interp?.notes || [];
    const fallback = !!interp?.fallback;
    if (!interp || (!understood.length && !ignored.length && !notes.length && !fallback)) {
      this.interp.replaceChildren(); this.interp.hidden = true; return;
    }
    this.interp.hidden = false;
    const parts = [];
    if (fallback) parts.push(h("span", { class: "gzs-fallback", text: "not recognised: generic stand-in" }));
    if (understood.length) parts.push(h("span", { class: "gzs-understood", text: `understood: ${understood.join(", ")}` }));
    if (ignored.length) parts.push(h("span", { class: "gzs-ignored", text: `ignored: ${ignored.join(", ")}` }));
    if (notes.length && !fallback) parts.push(h("span", { class: "gzs-noted", text: notes.length > 1 ? `${notes.length} notes` : "1 note" }));
    this.interp.replaceChildren(...joinParts(parts));
    this.interp.classList.toggle("gzs-has-ignored", fallback || !!ignored.length);
    this.interp.dataset.fallback = fallback ? "true" : "false";
    const head = interp.family ? `generated as: ${interp.family}` : "what the generator made of the prompt";
    this.interp.title = [head, ...notes].join("\n");
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
        const { msg, buffers } = await this.view.request({ type: STUDIO_REQUESTS.DOWNLOAD, id: this.item.id, format: fmt });
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

  // The kernel owns the preview (a child Viewer widget, see preview_area.js): ask it to open or
  // close, and the synced state it answers with is drawn by StudioView.renderPreview.
  togglePreview() {
    this.autoOpened = true;
    const open = this.view.previewArea.assetId === this.item.id;
    this.view.model.send(open ? { type: STUDIO_REQUESTS.CLOSE_PREVIEW } : { type: STUDIO_REQUESTS.OPEN_PREVIEW, id: this.item.id });
  }

  setPreviewOpen(open) {
    this.previewBtn.textContent = open ? "Close preview" : "Preview";
  }

  // One click, one new asset: the button waits for the kernel's answer before it takes another.
  async retry() {
    this.retryBtn.disabled = true;
    try {
      const { msg } = await this.view.request({ type: STUDIO_REQUESTS.RETRY, id: this.item.id });
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
    this.view.form.iterateOn(this.item);
  }

  dispose() { /* a row's preview area, if it had it, moves on at the next renderPreview */ }
}
