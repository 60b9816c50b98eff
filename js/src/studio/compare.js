// @ts-check
// Compare: assets side by side at one scale (an arm and a dog at their true relative size),
// cameras that orbit together, joint sliders per model (the shared viewer panel), and a small
// table of what differs: links, degrees of freedom by joint type, bounding size, total mass.
import { createViewerPanel } from "../viewer/panel.js";
import { h } from "./dom.js";
import { JOINT_DOF, STATUS, STUDIO_REQUESTS } from "../generated/constants.js";

/** Half the diagonal of the model's bounds (what the viewport's fit() frames), never zero. */
function radius(meta) {
  const [lo, hi] = meta.bounds;
  return Math.max(Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2, 1e-3);
}

/** Links, DOF (total and by joint type), bounding size (m) and total mass (kg or null) of an encoded model. */
export function modelFacts(meta) {
  const byType = {};
  let dof = 0;
  for (const j of meta.joints || []) {
    const n = JOINT_DOF[j.type] ?? 0;
    if (!n) continue;
    byType[j.type] = (byType[j.type] || 0) + n;
    dof += n;
  }
  const [lo, hi] = meta.bounds;
  return { links: meta.links.length, dof, byType, size: hi.map((v, i) => v - lo[i]), mass: meta.total_mass ?? null };
}

function fmtLength(m) {
  return m >= 1 ? `${m.toFixed(2)} m` : `${(m * 100).toFixed(m >= 0.1 ? 0 : 1)} cm`;
}

/** The table under the views: one column per model, one row per fact. */
export function factsTable(entries) {
  const facts = entries.map((e) => modelFacts(e.meta));
  /** @type {[string, (f: ReturnType<typeof modelFacts>) => string][]} */
  const rows = [
    ["links", (f) => String(f.links)],
    ["DOF", (f) => (f.dof ? `${f.dof} (${Object.entries(f.byType).map(([t, n]) => `${n} ${t}`).join(", ")})` : "0 (rigid)")],
    ["size (x × y × z)", (f) => f.size.map(fmtLength).join(" × ")],
    ["total mass", (f) => (f.mass === null ? "—" : `${f.mass.toFixed(f.mass >= 10 ? 1 : 2)} kg`)],
  ];
  return h("table", { class: "gzs-compare-table" },
    h("thead", {}, h("tr", {}, h("th", {}), ...entries.map((e) => h("th", { text: e.name, title: `${e.name} (${e.id})` })))),
    h("tbody", {}, ...rows.map(([label, cell]) => h("tr", { "data-fact": label.split(" ")[0] },
      h("th", { text: label }), ...facts.map((f) => h("td", { text: cell(f) }))))));
}

/**
 * One scale and one camera motion for several viewports: every camera sits at the distance that
 * frames the largest model, each around its own model's centre, and orbiting or zooming any view
 * moves the others the same way. `onDistance(d)` hears the shared distance (tests read it).
 * Returns a function that unlinks them.
 */
/**
 * @param {any[]} viewports  viewports (createViewport) of loaded models
 * @param {(distance: number) => void} [onDistance]
 */
export function linkCameras(viewports, onDistance = () => {}) {
  const vps = viewports.filter((v) => v && v.camera && v.controls && v.meta);
  if (vps.length < 2) return () => {};
  const biggest = Math.max(...vps.map((v) => radius(v.meta)));
  let syncing = false;
  const place = (v, offset) => {
    v.camera.position.copy(v.controls.target).add(offset);
    v.camera.far = Math.max(v.camera.far, offset.length() * 100);
    v.camera.updateProjectionMatrix();
    v.controls.update();
  };
  syncing = true;
  for (const v of vps) {
    v.fit();
    const offset = v.camera.position.clone().sub(v.controls.target).multiplyScalar(biggest / radius(v.meta));
    place(v, offset);
  }
  syncing = false;
  onDistance(vps[0].camera.position.distanceTo(vps[0].controls.target));
  const listeners = vps.map((v) => {
    const follow = () => {
      if (syncing) return;
      syncing = true;
      const offset = v.camera.position.clone().sub(v.controls.target);
      for (const o of vps) if (o !== v) place(o, offset);
      syncing = false;
      onDistance(offset.length());
    };
    v.controls.addEventListener("change", follow);
    return [v, follow];
  });
  return () => { for (const [v, follow] of listeners) v.controls.removeEventListener("change", follow); };
}

/**
 * The Studio's compare area: the selected ready assets side by side (up to three columns), one
 * viewer panel each, cameras linked, and the facts table under them. `view` is the StudioView.
 */
export class CompareView {
  constructor(view, el) {
    this.view = view;
    this.el = el;
    this.compareToken = 0;
    this.compareViewports = [];
    this.unlinkCameras = null;
  }

  close() {
    this.compareToken = (this.compareToken || 0) + 1; // a load still under way lands nowhere
    this.unlinkCameras?.();
    this.unlinkCameras = null;
    for (const v of this.compareViewports || []) this.view.releaseViewport(v);
    this.compareViewports = [];
    this.el.replaceChildren();
  }

  async open() {
    const items = this.view.itemsById();
    const ids = this.view.model.get("selected").filter((id) => items.get(id)?.status === STATUS.READY);
    this.close();
    const token = this.compareToken;
    if (ids.length < 2) {
      this.el.replaceChildren(h("div", { class: "gzs-inline-msg", text: "Select two or more ready assets (checkboxes) to compare." }));
      return;
    }
    const cols = Math.min(ids.length, 3);
    this.el.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
    const close = h("button", { class: "gzs-btn", text: "Close compare", onclick: () => this.close() });
    const note = h("span", { class: "gzs-muted", text: "one scale; orbit any view to turn them all" });
    const views = ids.map(() => h("div", { class: "gzs-compare-view" }));
    const cells = ids.map((id, i) => {
      const item = items.get(id);
      return h("div", { class: "gzs-compare-cell", "data-id": id }, h("div", { class: "gzs-name", text: item.name || id }),
        h("div", { class: "gzs-prompt", title: item.prompt, text: item.name === item.prompt ? "" : item.prompt }), views[i]);
    });
    const table = h("div", { class: "gzs-compare-facts", style: { gridColumn: "1 / -1" } });
    this.el.replaceChildren(h("div", { class: "gzs-compare-head", style: { gridColumn: "1 / -1" } }, close, note), ...cells, table);
    const loaded = await Promise.all(ids.map(async (id, i) => {
      try {
        const { msg, buffers } = await this.view.request({ type: STUDIO_REQUESTS.PREVIEW, id });
        if (token !== this.compareToken) return null;
        views[i].replaceChildren();
        const panel = createViewerPanel(views[i], { height: 300 }); // joint sliders per model
        this.view.viewports.add(panel);
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

  dispose() {
    this.unlinkCameras?.();
  }
}
