// @ts-check
// The viewer panel: viewport + toolbar (fit, wireframe, grid, screenshot) + link picker +
// one slider per movable joint. Posing happens here in the browser; `onPoseCommit` lets the
// host (the widget, the Studio) hear about it when a slider is released.
//
// Responsive: below NARROW_BELOW px (a grid of previews, a Studio row, a split pane) the joint
// sliders move under the canvas instead of taking a fixed 230 px column beside it, so the
// canvas always keeps the panel's full width. A ResizeObserver on the panel toggles the
// `gz-narrow` class rather than a CSS container query: `container-type: inline-size` gives
// the panel zero intrinsic width, which would collapse it inside auto-sized flex/grid hosts.
//
// The style sheet travels inside each panel (a <style> child), not in document.head: hosts
// that render widgets in a shadow root (marimo) would never see a head style. Colours are
// JupyterLab theme variables with light fallbacks, like the Studio's (studio/style.js).
import { createViewport, clampJoint, SINGLE_DOF } from "./viewport.js";
import { JOINT } from "../generated/constants.js";
import { keepKeys } from "./keys.js";

/** Add `css` once to the panel `root` (a `.gizmo-viewer`) as a <style> child, for the reason above:
 *  the viewer's add-on modules (overlays, joint inputs, playback) bring their own sheets this way. */
export function addStyle(root, id, css) {
  if (root.querySelector(`style[data-gz-style="${id}"]`)) return;
  const s = document.createElement("style");
  s.setAttribute("data-gz-style", id);
  s.textContent = css;
  root.prepend(s);
}

export const CSS = `
.gizmo-viewer{font:12px/1.4 var(--jp-ui-font-family,system-ui,sans-serif);color:var(--jp-ui-font-color1,#222);border:1px solid var(--jp-border-color2,#ddd);border-radius:4px;overflow:hidden;background:var(--jp-layout-color1,#fff);box-sizing:border-box}
.gizmo-viewer .gz-body{display:flex;align-items:stretch}
.gizmo-viewer .gz-view{flex:1 1 auto;min-width:0;position:relative}
.gizmo-viewer .gz-side{flex:0 0 230px;max-height:var(--gz-h);overflow:auto;padding:6px 8px;border-left:1px solid var(--jp-border-color2,#ddd)}
.gizmo-viewer .gz-side:empty{display:none}
.gizmo-viewer.gz-narrow .gz-body{flex-direction:column}
.gizmo-viewer.gz-narrow .gz-side:not(:empty){flex:0 0 auto;display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));column-gap:12px;align-items:end;max-height:min(var(--gz-h),180px);border-left:0;border-top:1px solid var(--jp-border-color2,#ddd)}
.gizmo-viewer .gz-bar{display:flex;gap:4px;align-items:center;padding:4px 6px;border-bottom:1px solid var(--jp-border-color2,#ddd);flex-wrap:wrap}
.gizmo-viewer .gz-bar button,.gizmo-viewer .gz-bar select{font:inherit;padding:2px 8px;border:1px solid var(--jp-border-color1,#8c959f);border-radius:4px;background:var(--jp-layout-color2,#f6f8fa);color:inherit;cursor:pointer}
.gizmo-viewer .gz-bar button:hover,.gizmo-viewer .gz-bar select:hover{border-color:var(--jp-brand-color1,#1f6feb)}
.gizmo-viewer .gz-bar button[aria-pressed=true]{border-color:var(--jp-brand-color1,#1f6feb);background:color-mix(in srgb,var(--jp-brand-color1,#1f6feb) 22%,var(--jp-layout-color2,#f6f8fa))}
.gizmo-viewer .gz-bar select{max-width:100%;padding:2px 4px}
.gizmo-viewer .gz-status{margin-left:auto;color:var(--jp-ui-font-color2,#666)}
.gizmo-viewer.gz-narrow .gz-bar button{padding:1px 5px}
.gizmo-viewer.gz-narrow .gz-bar select{flex:1 1 90px;min-width:0}
.gizmo-viewer.gz-narrow .gz-status{flex:1 1 100%;margin-left:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.gizmo-viewer .gz-note{padding:2px 6px;background:var(--jp-warn-color3,#fff4d6);color:var(--jp-ui-font-color1,#6b5000);border-bottom:1px solid var(--jp-warn-color2,#f0dfa8)}
.gizmo-viewer .gz-note:empty{display:none}
.gizmo-viewer .gz-joint{margin:2px 0 6px}
.gizmo-viewer .gz-joint label{display:flex;justify-content:space-between;align-items:center;gap:6px}
/* a long joint name takes its own line (cut only past the column's width, in full on hover), so the
   value and its number box stay inside the column, under it on the right */
.gizmo-viewer .gz-joint label{flex-wrap:wrap;column-gap:6px;row-gap:0}
.gizmo-viewer .gz-joint label>span:first-child{flex:0 1 auto;max-width:100%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.gizmo-viewer .gz-joint label>span:nth-child(2){margin-left:auto}
.gizmo-viewer .gz-joint label>:not(:first-child){flex:0 0 auto;white-space:nowrap}
.gizmo-viewer .gz-joint input{width:100%;accent-color:var(--jp-brand-color1,#1f6feb)}
.gizmo-viewer .gz-progress{position:absolute;left:0;right:0;top:45%;text-align:center;color:var(--jp-ui-font-color2,#555);pointer-events:none}
`;

export const NARROW_BELOW = 560; // px of panel width under which the sliders go below the canvas

function el(tag, props = {}, children = []) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const c of children) e.append(c);
  return e;
}

export function createViewerPanel(container, options = {}) {
  const height = options.height ?? 480;
  const root = el("div", { className: "gizmo-viewer" }, [el("style", { textContent: CSS })]);
  root.style.setProperty("--gz-h", `${height}px`);
  const bar = el("div", { className: "gz-bar" });
  const note = el("div", { className: "gz-note" });
  const view = el("div", { className: "gz-view" });
  const side = el("div", { className: "gz-side" });
  const progress = el("div", { className: "gz-progress" });
  root.append(bar, note, el("div", { className: "gz-body" }, [view, side]));
  container.append(root);
  // the toolbar's select and buttons, the sliders and number boxes keep their keys (a, dd, m,
  // arrows, Enter): in a notebook they would also insert, delete or move cells
  /** @type {Set<import("./keys.js").KeyHandler>} */
  const keyHandlers = new Set(); // the add-ons' own keys (a number box's Enter), see onFieldKey
  const releaseKeys = keepKeys(root, (e, field) => { for (const handle of keyHandlers) handle(e, field); });
  const layout = new ResizeObserver(([entry]) => {
    const width = entry.contentRect.width;
    if (width > 0) root.classList.toggle("gz-narrow", width < NARROW_BELOW); // 0: hidden, keep as is
  });
  layout.observe(root);

  const vp = createViewport(view, { height });
  view.append(progress);

  const status = el("span", { className: "gz-status" });
  const fitBtn = el("button", { textContent: "Fit", title: "Fit the model in view", className: "gz-fit" });
  const wireBtn = el("button", { textContent: "Wireframe", title: "Draw the model as lines", className: "gz-wire" });
  const gridBtn = el("button", { textContent: "Grid", title: "Show the ground: grid, axes and shadow", className: "gz-grid" });
  wireBtn.setAttribute("aria-pressed", "false");
  gridBtn.setAttribute("aria-pressed", "true");
  const shotBtn = el("button", { textContent: "PNG", title: "Save a screenshot", className: "gz-shot" });
  const picker = el("select", { className: "gz-link-picker", title: "Highlight a link" });
  bar.append(fitBtn, wireBtn, gridBtn, shotBtn, picker, status);

  let wire = false, gridOn = true;
  fitBtn.onclick = () => vp.fit();
  wireBtn.onclick = () => { wire = !wire; vp.setWireframe(wire); wireBtn.setAttribute("aria-pressed", String(wire)); panel.onWireframe?.(wire); };
  gridBtn.onclick = () => { gridOn = !gridOn; vp.setGrid(gridOn); gridBtn.setAttribute("aria-pressed", String(gridOn)); };
  shotBtn.onclick = async () => {
    const blob = await vp.screenshot();
    const a = el("a", { href: URL.createObjectURL(blob), download: `${/** @type {any} */ (vp.meta)?.name || "model"}.png` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  picker.onchange = () => vp.highlightLink(picker.value || null);
  vp.element.addEventListener("dblclick", (ev) => {
    const link = vp.pick(ev.clientX, ev.clientY);
    picker.value = link || "";
    vp.highlightLink(link);
  });

  const sliders = new Map(); // joint name -> { input, out, joint }

  function fmt(joint, v) {
    return joint.type === JOINT.PRISMATIC ? `${v.toFixed(3)} m` : `${((v * 180) / Math.PI).toFixed(1)}°`;
  }

  function buildControls(meta) {
    picker.replaceChildren(el("option", { value: "", textContent: "— highlight link —" }));
    for (const l of meta.links) picker.append(el("option", { value: l.name, textContent: l.name }));
    side.replaceChildren();
    sliders.clear();
    for (const j of meta.joints) {
      if (!SINGLE_DOF.has(j.type)) continue;
      const lo = j.limits ? j.limits.lower : -Math.PI, hi = j.limits ? j.limits.upper : Math.PI;
      // unposed, the model is drawn at 0 clamped into the limits (viewport.js): show that value
      const rest = clampJoint(j, 0);
      const input = el("input", { type: "range", min: String(lo), max: String(hi), step: String((hi - lo) / 1000 || 0.001), value: String(rest) });
      input.dataset.joint = j.name;
      const out = el("span", { textContent: fmt(j, rest) });
      const row = el("div", { className: "gz-joint" }, [el("label", {}, [el("span", { textContent: j.name, title: j.name }), out]), input]);
      input.oninput = () => { const v = Number(input.value); out.textContent = fmt(j, v); vp.setPose({ [j.name]: v }); };
      input.onchange = () => panel.onPoseCommit?.(vp.getPose());
      side.append(row);
      sliders.set(j.name, { input, out, joint: j });
    }
  }

  const panel = {
    viewport: vp,
    element: root,
    onPoseCommit: /** @type {((pose: Record<string, number | number[]>) => void) | null} */ (null),
    onWireframe: /** @type {((on: boolean) => void) | null} */ (null),
    /** Hear keydowns in the panel's fields: they are kept from the notebook at the window, so a
     *  field's own keydown listener never fires. @param {import("./keys.js").KeyHandler} handle */
    onFieldKey(handle) { keyHandlers.add(handle); },
    async setModel(meta, buffers) {
      buildControls(meta);
      const t = meta.triangles || {};
      note.textContent = t.decimated
        ? `Showing ${t.shown.toLocaleString()} of ${t.source.toLocaleString()} triangles (simplified for display above the ${t.budget.toLocaleString()}-triangle budget; exports are untouched).`
        : "";
      status.textContent = `${meta.links.length} links · ${sliders.size} joints · ${(t.shown ?? 0).toLocaleString()} triangles`;
      status.title = status.textContent; // cut to one line in a narrow panel
      await vp.setModel(meta, buffers);
      progress.textContent = "";
    },
    setPose(values) {
      for (const [name, v] of Object.entries(values)) {
        const s = sliders.get(name);
        if (!s) continue;
        const c = clampJoint(s.joint, v);
        s.input.value = String(c);
        s.out.textContent = fmt(s.joint, c);
      }
      vp.setPose(values);
    },
    setWireframe(on) { wire = !!on; vp.setWireframe(wire); wireBtn.setAttribute("aria-pressed", String(wire)); },
    setProgress(received, total, unit = "bytes") {
      if (!total) progress.textContent = "";
      else if (unit === "triangles") progress.textContent = `receiving model… ${Math.min(100, Math.round((100 * received) / total))}% of ${total.toLocaleString("en-US")} triangles`;
      else progress.textContent = `receiving model… ${(received / 1e6).toFixed(1)} / ${(total / 1e6).toFixed(1)} MB`;
    },
    setMessage(text) { progress.textContent = text; },
    dispose() { releaseKeys(); layout.disconnect(); vp.dispose(); root.remove(); },
  };
  return panel;
}
