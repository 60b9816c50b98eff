// The Studio's prompt form: prompt, name, tags, batch toggle, the "iterating on" chip, the
// Generate button and the batch progress bar. Submitting sends a request through `view`.
import { h } from "./dom.js";
import { RUNNING } from "./row.js";

export class PromptForm {
  /** `view` is the StudioView: the model, requests to the kernel and the list's items. */
  constructor(view) {
    this.view = view;
    this.parent = ""; // the asset being iterated on
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
    this.el = h("div", { class: "gzs-form" }, this.promptEl, meta, this.genBtn, this.formMsg,
      h("div", { style: { gridColumn: "1 / -1" } }, this.progressEl, this.progressText));
  }

  submit() {
    const text = this.promptEl.value;
    const name = this.nameEl.value;
    const tags = this.tagsEl.value;
    let sent;
    if (this.batchEl.checked) {
      const prompts = text.split("\n").map((s) => s.trim()).filter(Boolean);
      if (!prompts.length) { this.formMsg.textContent = "Type at least one prompt, one per line."; return; }
      sent = this.view.request({ type: "batch", prompts, tags });
    } else {
      if (!text.trim()) { this.formMsg.textContent = "Type a prompt first: describe the asset to generate."; this.promptEl.focus(); return; }
      sent = this.view.request({ type: "generate", prompt: text, name, tags, parent: this.parent || null });
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
    this.promptEl.value = item.prompt;
    this.tagsEl.value = item.tags.join(", ");
    this.batchEl.checked = false;
    this.setParent(item.id);
    this.promptEl.focus();
    this.promptEl.scrollIntoView?.({ block: "nearest" });
  }

  /** The Generate button's state and the batch progress, from the synced traits. */
  render() {
    const m = this.view.model;
    const generating = m.get("generating");
    this.genBtn.textContent = generating ? `Submitting… (${generating})` : "Generate";
    const batch = m.get("batch") || {};
    if (batch.total) {
      const ids = batch.ids || [];
      const items = this.view.itemsById();
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
  }
}
