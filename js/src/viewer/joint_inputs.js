// @ts-check
// Exact joint values for the panel's sliders: a number input beside each slider, a Home
// button (every joint to zero, or to the nearest limit when zero lies outside its range), and
// a degrees / radians toggle for revolute joints. Values go through the panel (setPose,
// onPoseCommit), clamped into the joint's limits like the sliders, so Python hears of them.
//
// The boxes also follow a link being dragged in 3D (drag.js: "gizmo-pose" events on the panel)
// and a playback (playback.js: "gizmo-playback" events): while it plays, sliders and boxes show
// the played joint values and cannot be edited; paused, they stay on the paused frame and are
// live again — the first edit poses the model from that frame, so nothing jumps; once the
// playback is gone they show the model's pose again.
import { clampJoint } from "./viewport.js";
import { addStyle } from "./panel.js";
import { JOINT } from "../generated/constants.js";

const CSS = `
.gizmo-viewer .gz-joint .gz-num{width:72px;font:inherit;padding:0 2px;margin-left:4px;text-align:right;background:var(--jp-layout-color1,#fff);color:var(--jp-ui-font-color1,#222);border:1px solid var(--jp-border-color1,#bbb);border-radius:2px}
.gizmo-viewer .gz-joint .gz-val{display:inline-flex;align-items:center}
.gizmo-viewer.gz-following-play .gz-joint input{cursor:not-allowed;opacity:.75}
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
  let rows = []; // { joint, range, num, out, commit }
  /** @type {Record<string, number> | null} */
  let following = null; // joint name -> value: the playback's current frame, or null
  let playing = false;
  const api = { onUnits: /** @type {((units: string) => void) | null} */ (null) };

  const angular = (j) => j.type !== JOINT.PRISMATIC;
  const shown = (j, v) => (angular(j) && units === "degrees" ? (v * 180) / Math.PI : v);
  const fromShown = (j, v) => (angular(j) && units === "degrees" ? (v * Math.PI) / 180 : v);
  const label = (j, v) => (angular(j) ? (units === "degrees" ? `${shown(j, v).toFixed(1)}°` : `${v.toFixed(3)} rad`) : `${v.toFixed(3)} m`);

  // One row's number box and label from the pose (or the playback's frame). Only what changed
  // is written: a slider drag syncs its own row every frame, and rewriting all ~100 rows of a
  // TIAGo++ made the page restyle the whole panel each frame (18 fps against 28-31 with the
  // panel hidden, on software rendering).
  function syncRow({ joint, range, num, out }, pose) {
    const posed = pose[joint.name];
    const v = typeof posed === "number" ? posed : Number(range.value);
    const value = String(Number(shown(joint, v).toFixed(4)));
    if (document.activeElement !== num && num.value !== value) num.value = value;
    const step = angular(joint) && units === "degrees" ? "0.1" : "0.001";
    if (num.step !== step) num.step = step;
    const text = label(joint, v);
    if (out && out.textContent !== text) out.textContent = text;
  }
  function sync() {
    const pose = following || panel.viewport.getPose();
    for (const row of rows) syncRow(row, pose);
    unitsBtn.textContent = units === "degrees" ? "deg" : "rad";
    unitsBtn.title = `Joint angles in ${units} (click to switch)`;
  }

  // Exact values go to the pose itself: the slider snaps to its step (a thousandth of the range)
  function drive(joint, value, commit) {
    adopt();
    panel.setPose({ [joint.name]: clampJoint(joint, value) });
    if (commit) panel.onPoseCommit?.(panel.viewport.getPose());
  }

  // Enter commits the box and leaves it (the panel keeps the box's keys from the notebook)
  panel.onFieldKey?.((ev, field) => {
    const row = ev.key === "Enter" ? rows.find((r) => r.num === field) : undefined;
    if (row) { row.commit(); row.num.blur(); }
  });

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
      if (lbl && out) {
        // value and box travel together: under a long name they wrap as one, right-aligned
        const pair = document.createElement("span");
        pair.className = "gz-val";
        out.replaceWith(pair);
        pair.append(out, num);
      } else (lbl || range.parentElement).append(num);
      const commit = () => {
        const v = num.value === "" ? NaN : Number(num.value);
        if (Number.isFinite(v)) drive(joint, fromShown(joint, v), true);
        sync();
      };
      num.addEventListener("change", commit);
      const row = { joint, range, num, out, commit };
      range.addEventListener("input", () => syncRow(row, following || panel.viewport.getPose()));
      rows.push(row);
    }
    sync();
  };
  // paused on a frame: the first edit poses the model from the frame shown, then it is the pose
  function adopt() {
    if (!following || playing) return;
    const values = {};
    for (const { joint } of rows) if (typeof following[joint.name] === "number") values[joint.name] = clampJoint(joint, following[joint.name]);
    following = null;
    panel.viewport.setPose(values);
    panel.element.classList.remove("gz-following");
  }

  /** Show the playback's joint values (`values` null: the playback is gone; show the pose). */
  api.follow = function follow(values, isPlaying = false) {
    following = values;
    playing = !!values && !!isPlaying;
    panel.element.classList.toggle("gz-following", !!values);
    panel.element.classList.toggle("gz-following-play", playing);
    const pose = panel.viewport.getPose();
    for (const { joint, range, num } of rows) {
      range.disabled = playing;
      num.readOnly = playing;
      range.title = playing ? "Following the playback (pause to edit)" : "";
      const v = values ? values[joint.name] : pose[joint.name];
      if (typeof v === "number" || !values) range.value = String(clampJoint(joint, typeof v === "number" ? v : 0));
    }
    sync();
  };
  const onPlayback = (ev) => api.follow(ev.detail.values, ev.detail.playing);
  const onDragged = () => sync();
  // a slider touched while paused: capture phase, before the panel's own handler poses one joint
  const onSlider = (ev) => { if (ev.target.matches?.("input[type=range][data-joint]")) adopt(); };
  panel.element.addEventListener("gizmo-playback", onPlayback);
  panel.element.addEventListener("gizmo-pose", onDragged);
  panel.element.addEventListener("gizmo-edit", adopt);
  panel.element.addEventListener("input", onSlider, { capture: true });
  api.following = () => (following ? { ...following } : null);
  api.sync = sync;
  api.setUnits = (u) => { units = u === "radians" ? "radians" : "degrees"; sync(); };
  api.units = () => units;
  unitsBtn.onclick = () => { api.setUnits(units === "degrees" ? "radians" : "degrees"); api.onUnits?.(units); };
  home.onclick = () => {
    rows.forEach(({ joint }, i) => drive(joint, 0, i === rows.length - 1));
    sync();
  };
  api.dispose = () => {
    home.remove(); unitsBtn.remove();
    panel.element.removeEventListener("gizmo-playback", onPlayback);
    panel.element.removeEventListener("gizmo-pose", onDragged);
    panel.element.removeEventListener("gizmo-edit", adopt);
    panel.element.removeEventListener("input", onSlider, { capture: true });
  };
  sync();
  return api;
}
