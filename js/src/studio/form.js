// @ts-check
// The Studio's prompt form: the asset | scene switch, prompt, name, tags, batch toggle, the
// "iterating on" chip, the Generate button and the batch progress bar. Submitting sends a request
// through `view`. Scene mode (current API: one prompt -> a whole scene) takes the prompt alone;
// where the service cannot (alpha), its button is disabled and its tooltip says why.
import { h } from "./dom.js";
import { RUNNING } from "./row.js";
import { GENERATE_MODES, STUDIO_REQUESTS } from "../generated/constants.js";

const PLACEHOLDERS = {
  [GENERATE_MODES.ASSET]: "Describe an articulated asset, e.g. \"a 6-DOF arm with a parallel gripper\"  (Ctrl/Cmd+Enter to generate)",
  [GENERATE_MODES.SCENE]: "Describe a whole scene, e.g. \"a workbench table, a 6-DOF arm and a mobile base\"  (Ctrl/Cmd+Enter to generate)",
};

export class PromptForm {
  /** `view` is the StudioView: the model, requests to the kernel and the list's items. */
  constructor(view) {
    this.view = view;
    this.parent = ""; // the asset being iterated on
    /** @type {string} */ this.mode = GENERATE_MODES.ASSET;
    /** @type {Record<string, HTMLButtonElement>} */
    this.modeBtns = {};
    for (const [mode, label] of [[GENERATE_MODES.ASSET, "Asset"], [GENERATE_MODES.SCENE, "Scene"]]) {
      this.modeBtns[mode] = /** @type {HTMLButtonElement} */ (h("button", { class: `gzs-btn gzs-mode-btn gzs-mode-${mode}`, text: label,
        "aria-pressed": String(mode === this.mode), onclick: () => this.setMode(mode) }));
    }
    this.modeEl = h("div", { class: "gzs-mode", role: "group", "aria-label": "generate an asset or a whole scene" },
      this.modeBtns[GENERATE_MODES.ASSET], this.modeBtns[GENERATE_MODES.SCENE]);
    this.promptEl = h("textarea", { class: "gzs-prompt-input", placeholder: PLACEHOLDERS[this.mode] });
    this.promptEl.addEventListener("input", () => { this.formMsg.textContent = ""; });
    this.nameEl = h("input", { class: "gzs-name-input", placeholder: "name (optional)", size: 18 });
    // short enough to show whole in a 360 px notebook; the tooltip says it in full
    this.tagsEl = h("input", { class: "gzs-tags-input", placeholder: "tags: a, b", title: "Tags for the new assets, comma separated", size: 20 });
    this.batchEl = h("input", { type: "checkbox", class: "gzs-batch-toggle" });
    this.parentChip = h("span", { class: "gzs-chip gzs-parent-chip", style: { display: "none" } });
    this.genBtn = h("button", { class: "gzs-btn gzs-primary gzs-generate", text: "Generate", onclick: () => this.submit() });
    this.formMsg = h("div", { class: "gzs-inline-msg", role: "alert" });
    this.progressEl = h("div", { class: "gzs-progress", style: { display: "none" } }, h("div", { style: { width: "0%" } }));
    this.progressText = h("div", { class: "gzs-muted gzs-batch-progress" });
    this.metaEl = h("div", { class: "gzs-meta" }, this.modeEl, this.nameEl, this.tagsEl,
      h("label", { class: "gzs-muted gzs-batch-label" }, this.batchEl, " batch: one prompt per line"), this.parentChip);
    this.el = h("div", { class: "gzs-form" }, this.promptEl, this.metaEl, this.genBtn, this.formMsg,
      h("div", { style: { gridColumn: "1 / -1" } }, this.progressEl, this.progressText));
  }

  /** Switch between generating one asset and a whole scene (the latter only where the service can). */
  setMode(mode) {
    if (mode === GENERATE_MODES.SCENE && !this.sceneAvailable()) return;
    this.mode = mode;
    const scene = mode === GENERATE_MODES.SCENE;
    for (const [m, btn] of Object.entries(this.modeBtns)) btn.setAttribute("aria-pressed", String(m === mode));
    this.promptEl.placeholder = PLACEHOLDERS[mode];
    // a scene takes its prompt alone: no name, tags, batch or parent
    for (const el of [this.nameEl, this.tagsEl, this.metaEl.querySelector(".gzs-batch-label")]) {
      if (el) /** @type {HTMLElement} */ (el).style.display = scene ? "none" : "";
    }
    if (scene) { this.batchEl.checked = false; this.setParent(""); }
    this.el.dataset.mode = mode;
    this.formMsg.textContent = "";
    this.render();
  }

  sceneAvailable() {
    return !!(this.view.model.get("scene_mode") || {}).available;
  }

  submit() {
    const text = this.promptEl.value;
    const name = this.nameEl.value;
    const tags = this.tagsEl.value;
    let sent;
    if (this.mode === GENERATE_MODES.SCENE) {
      if (!text.trim()) { this.formMsg.textContent = "Type a prompt first: describe the scene to generate."; this.promptEl.focus(); return; }
      sent = this.view.request({ type: STUDIO_REQUESTS.GENERATE, mode: GENERATE_MODES.SCENE, prompt: text });
    } else if (this.batchEl.checked) {
      const prompts = text.split("\n").map((s) => s.trim()).filter(Boolean);
      if (!prompts.length) { this.formMsg.textContent = "Type at least one prompt, one per line."; return; }
      sent = this.view.request({ type: STUDIO_REQUESTS.BATCH, prompts, tags });
    } else {
      if (!text.trim()) { this.formMsg.textContent = "Type a prompt first: describe the asset to generate."; this.promptEl.focus(); return; }
      sent = this.view.request({ type: STUDIO_REQUESTS.GENERATE, prompt: text, name, tags, parent: this.parent || null });
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
    if (!id) { this.parentChip.style.display = "none"; return; }
    const item = this.view.itemsById().get(id);
    this.parentChip.style.display = "";
    this.parentChip.replaceChildren(`iterating on ${item?.name || id} `,
      h("button", { class: "gzs-btn", style: { padding: "0 4px" }, text: "×", title: "stop iterating", onclick: () => this.setParent("") }));
  }

  /** Start a new generation from `item`: its prompt and tags in the form, it as the parent. */
  iterateOn(item) {
    this.setMode(item.kind === GENERATE_MODES.SCENE ? GENERATE_MODES.SCENE : GENERATE_MODES.ASSET);
    this.promptEl.value = item.prompt;
    this.tagsEl.value = item.tags.join(", ");
    this.batchEl.checked = false;
    if (this.mode === GENERATE_MODES.ASSET) this.setParent(item.id);
    this.promptEl.focus();
    this.promptEl.scrollIntoView?.({ block: "nearest" });
  }

  /** The Generate button's state and the batch progress, from the synced traits. */
  render() {
    const m = this.view.model;
    const generating = m.get("generating");
    const sceneMode = m.get("scene_mode") || {};
    const sceneBtn = this.modeBtns[GENERATE_MODES.SCENE];
    sceneBtn.disabled = !sceneMode.available;
    sceneBtn.title = sceneMode.available ? "generate a whole scene (several placed assets) from one prompt" : sceneMode.reason || "";
    this.modeEl.title = sceneMode.available ? "" : sceneBtn.title; // a disabled button may show no tooltip of its own
    if (!sceneMode.available && this.mode === GENERATE_MODES.SCENE) this.setMode(GENERATE_MODES.ASSET);
    const what = this.mode === GENERATE_MODES.SCENE ? "Generate scene" : "Generate";
    this.genBtn.textContent = generating ? `Submitting… (${generating})` : what;
    const batch = m.get("batch") || {};
    if (batch.total) {
      const ids = batch.ids || [];
      const items = this.view.itemsById();
      const done = ids.filter((id) => items.get(id) && !RUNNING.has(items.get(id).status)).length;
      const settled = done + (batch.failed || 0);
      // the bar is for a batch under way; once every prompt settled the line below says so
      this.progressEl.style.display = settled >= batch.total ? "none" : "";
      this.progressEl.firstChild.style.width = `${Math.round((100 * settled) / batch.total)}%`;
      this.progressText.textContent = `batch: ${batch.submitted}/${batch.total} submitted, ${done} finished` +
        (batch.failed ? `, ${batch.failed} could not be submitted` : "") + (settled >= batch.total ? " — done" : "");
    } else {
      this.progressEl.style.display = "none";
      this.progressText.textContent = "";
    }
  }
}
