// @ts-check
// Exact joint values for the panel's sliders: a number input beside each slider, a Home
// button (every joint to zero, or to the nearest limit when zero lies outside its range), and
// a degrees / radians toggle for revolute joints. Values go through the panel (setPose,
// onPoseCommit), clamped into the joint's limits like the sliders, so Python hears of them.
import { clampJoint } from "./viewport.js";
import { addStyle } from "./panel.js";

const CSS = `
.gizmo-viewer .gz-joint .gz-num{width:72px;font:inherit;padding:0 2px;margin-left:4px;text-align:right;background:var(--jp-layout-color1,#fff);color:var(--jp-ui-font-color1,#222);border:1px solid var(--jp-border-color1,#bbb);border-radius:2px}
`;

export function createJointInputs(panel) {
  addStyle(panel.element, "joint-inputs", CSS);
  const bar = panel.element.querySelector(".gz-bar");
  const status = bar && bar.querySelector(".gz-status");
  const home = document.createElement("button");
  Object.assign(home, { textContent: "Home", className: "gz-home", title: "Every joint to zero (or its nearest limit)" });
  const unitsBtn = document.createElement("button");
  unitsBtn.className = "gz-units";
  if (bar) bar.insertBefore(home, status || null), bar.insertBefore(unitsBtn, status || null);
  let units = "degrees";
  let rows = []; // { joint, range, num, out }
  const api = { onUnits: /** @type {((units: string) => void) | null} */ (null) };

  const angular = (j) => j.type !== "prismatic";
  const shown = (j, v) => (angular(j) && units === "degrees" ? (v * 180) / Math.PI : v);
  const fromShown = (j, v) => (angular(j) && units === "degrees" ? (v * Math.PI) / 180 : v);
  const label = (j, v) => (angular(j) ? (units === "degrees" ? `${shown(j, v).toFixed(1)}°` : `${v.toFixed(3)} rad`) : `${v.toFixed(3)} m`);

  function sync() {
    for (const { joint, range, num, out } of rows) {
      const posed = panel.viewport.getPose()[joint.name];
      const v = typeof posed === "number" ? posed : Number(range.value);
      if (document.activeElement !== num) num.value = String(Number(shown(joint, v).toFixed(4)));
      num.step = angular(joint) && units === "degrees" ? "0.1" : "0.001";
      if (out) out.textContent = label(joint, v);
    }
    unitsBtn.textContent = units === "degrees" ? "deg" : "rad";
    unitsBtn.title = `Joint angles in ${units} (click to switch)`;
  }

  // Exact values go to the pose itself: the slider snaps to its step (a thousandth of the range)
  function drive(joint, value, commit) {
    panel.setPose({ [joint.name]: clampJoint(joint, value) });
    if (commit) panel.onPoseCommit?.(panel.viewport.getPose());
  }

  api.setModel = function setModel(meta) {
    const joints = new Map(meta.joints.map((j) => [j.name, j]));
    rows = [];
    for (const range of panel.element.querySelectorAll("input[type=range][data-joint]")) {
      const joint = joints.get(range.dataset.joint);
      if (!joint) continue;
      const num = document.createElement("input");
      Object.assign(num, { type: "number", className: "gz-num", title: `${joint.name}: type a value` });
      num.dataset.jointNumber = joint.name; // not data-joint: that names the sliders
      const lbl = range.parentElement.querySelector("label");
      const out = lbl && lbl.lastElementChild;
      (lbl || range.parentElement).append(num);
      const commit = () => {
        const v = num.value === "" ? NaN : Number(num.value);
        if (Number.isFinite(v)) drive(joint, fromShown(joint, v), true);
        sync();
      };
      num.addEventListener("change", commit);
      // Enter commits; keys typed here are the box's, not the notebook's shortcuts
      num.addEventListener("keydown", (ev) => { ev.stopPropagation(); if (ev.key === "Enter") { commit(); num.blur(); } });
      range.addEventListener("input", sync);
      rows.push({ joint, range, num, out });
    }
    sync();
  };
  api.sync = sync;
  api.setUnits = (u) => { units = u === "radians" ? "radians" : "degrees"; sync(); };
  api.units = () => units;
  unitsBtn.onclick = () => { api.setUnits(units === "degrees" ? "radians" : "degrees"); api.onUnits?.(units); };
  home.onclick = () => {
    rows.forEach(({ joint }, i) => drive(joint, 0, i === rows.length - 1));
    sync();
  };
  api.dispose = () => { home.remove(); unitsBtn.remove(); };
  sync();
  return api;
}
