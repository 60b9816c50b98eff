// @ts-check
// The Studio's preview area: the kernel's `preview` trait is a child Viewer widget, drawn here
// by the Viewer's own render function (its chunks arrive as widget models with progress and are
// saved with the notebook, like any Viewer's), plus the "Drop in physics" bar. Everything shown
// comes from synced state (`preview`, `preview_info`, `physics`), so a reopened notebook draws
// the saved preview with no kernel. The area lives in one row at a time: `mount(host)` moves it.
import { renderViewer } from "../viewer/index.js";
import { h } from "./dom.js";
import { STUDIO_REQUESTS } from "../generated/constants.js";

/** @typedef {import("../types.js").WidgetModel} WidgetModel */

/** @typedef {{ id?: string, state?: string, message?: string, hint?: string }} Info */

const CSS = `
.gzs-preview-area { display: flex; flex-direction: column; gap: 6px; min-width: 0; }
.gzs-preview-bar { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; min-width: 0; }
.gzs-physics-msg { font-size: 12px; color: var(--jp-ui-font-color2, #656d76); min-width: 0; }
.gzs-physics-msg[data-state="error"] { color: var(--jp-error-color1, #cf222e); }
.gzs-physics-msg:empty, .gzs-preview-status:empty { display: none; }
.gzs-preview-status { font-size: 12px; color: var(--jp-ui-font-color2, #656d76); }
.gzs-preview-status[data-state="error"] { color: var(--jp-error-color1, #cf222e); }
.gzs-preview-bar[hidden] { display: none; }
`;

/** "IPY_MODEL_abc" -> "abc" (how widget references travel in synced state). */
export function refId(ref) {
  return typeof ref === "string" && ref.startsWith("IPY_MODEL_") ? ref.slice("IPY_MODEL_".length) : String(ref || "");
}

/**
 * What the bar says and whether its button may be pressed, from the synced state alone.
 * @param {Info} info  the `preview_info` trait
 * @param {Info} physics  the `physics` trait
 * @param {boolean} shown  a Viewer is on screen
 * @param {boolean} [asked]  a drop was sent and the kernel has not answered yet
 */
export function barState(info, physics, shown, asked = false) {
  const mine = physics && physics.id === info.id ? physics : {};
  const running = mine.state === "running";
  const message = mine.state === "error" ? [mine.message, mine.hint].filter(Boolean).join(" ") : mine.message || "";
  return {
    visible: info.state === "ready",
    disabled: running || !shown || asked,
    label: running ? "Simulating…" : mine.state === "playing" ? "Drop again" : "Drop in physics",
    message,
    state: mine.state || "",
  };
}

export class PreviewArea {
  /** @param {WidgetModel} model  the Studio's model */
  constructor(model) {
    this.model = model;
    /** @type {HTMLElement | null} */
    this.host = null;
    this.ref = "";
    this.seq = 0;
    /** @type {(() => void) | null} */
    this.disposeView = null;
    /** A drop was sent and `physics` still holds what it held then (`askedAt`). */
    this.asked = false;
    /** @type {unknown} */
    this.askedAt = undefined;
    this.status = h("div", { class: "gzs-preview-status" });
    this.button = h("button", { class: "gzs-btn gzs-physics-btn", text: "Drop in physics",
      title: "simulate this asset for a few seconds with MuJoCo and play it here", onclick: () => this.drop() });
    this.message = h("span", { class: "gzs-physics-msg", role: "status" });
    this.bar = h("div", { class: "gzs-preview-bar" }, this.button, this.message);
    this.view = h("div", { class: "gzs-preview-view" });
    this.root = h("div", { class: "gzs-preview-area" }, h("style", { text: CSS }), this.status, this.bar, this.view);
  }

  /** @returns {Info} */
  get info() { return this.model.get("preview_info") || {}; }

  /** The asset shown (or being loaded) in the area, "" when it is closed. */
  get assetId() { return this.info.id || ""; }

  drop() {
    // Disabled until the kernel answers with "running" (and then until it is done): any other
    // sync in between (a progress line, a status) must not enable it for a second click.
    this.asked = true;
    this.askedAt = this.model.get("physics");
    this.button.disabled = true;
    this.model.send({ type: STUDIO_REQUESTS.PHYSICS });
  }

  /**
   * Put the area in `host` (the previewed row's preview element, or null when none is shown)
   * and bring it up to date with the synced state.
   * @param {HTMLElement | null} host
   */
  sync(host) {
    const info = this.info;
    if (host !== this.host) {
      if (this.host) { this.host.style.display = "none"; this.host.replaceChildren(); }
      this.host = host;
      if (host) { host.replaceChildren(this.root); host.style.display = ""; }
    }
    this.status.dataset.state = info.state || "";
    this.status.textContent = info.state === "loading" ? "loading model…"
      : info.state === "error" ? `Preview failed: ${[info.message, info.hint].filter(Boolean).join(" ")}` : "";
    const ref = info.state === "ready" || !info.state ? refId(this.model.get("preview")) : "";
    if (ref !== this.ref) this.show(ref);
    if (this.asked && (this.model.get("physics") !== this.askedAt || !this.ref)) this.asked = false;
    const bar = barState(info, this.model.get("physics") || {}, Boolean(this.ref), this.asked);
    this.bar.hidden = !bar.visible;
    this.button.disabled = bar.disabled;
    this.button.textContent = bar.label;
    this.message.dataset.state = bar.state;
    this.message.textContent = bar.message;
  }

  /** Draw the child Viewer `ref` (a model id) with the Viewer's own render function. */
  async show(ref) {
    this.unmount();
    this.ref = ref;
    if (!ref) return;
    const token = ++this.seq;
    try {
      const child = await this.model.widget_manager.get_model(ref);
      if (token !== this.seq) return;
      const el = h("div", { class: "gzs-preview-viewer" });
      this.view.replaceChildren(el);
      const cleanup = await renderViewer({ model: child, el });
      if (token !== this.seq) { if (typeof cleanup === "function") cleanup(); return; }
      this.disposeView = () => { if (typeof cleanup === "function") cleanup(); el.remove(); };
    } catch (err) {
      if (token !== this.seq) return;
      this.view.replaceChildren(h("div", { class: "gzs-inline-msg", text: `Preview failed: ${err && err.message ? err.message : err}` }));
    }
  }

  /** The child Viewer's model, or null (for tests: `studio.gizmoPreview`). */
  async child() { return this.ref ? this.model.widget_manager.get_model(this.ref) : null; }

  /** How many chunk widgets the shown Viewer lists (its geometry's transport). */
  async chunkCount() { const c = await this.child(); return c ? (c.get("_blobs") || []).length : 0; }

  /** The shown Viewer's metadata (links, buffers), or null. */
  async meta() { const c = await this.child(); return c ? c.get("_meta") : null; }

  unmount() {
    this.seq++;
    this.ref = "";
    const dispose = this.disposeView;
    this.disposeView = null;
    if (dispose) { try { dispose(); } catch { /* already gone */ } }
    this.view.replaceChildren();
  }

  dispose() {
    this.unmount();
    this.host = null;
    this.root.remove();
  }
}
