// @ts-check
// Playback of a link-pose track (gizmo_notebook/viewer/playback.py): decodes the quantized
// binary track and drives the viewport's link transforms from a timeline (play / pause, scrub,
// speed) under the view. Everything runs in the page: a saved notebook or its HTML export
// plays with no kernel.
import * as THREE from "three";
import { addStyle } from "./panel.js";
import { jointValuesOf } from "./kinematics.js";

const MAGIC = 0x31545a47; // "GZT1" read as a little-endian uint32
const HEADER_BYTES = 16;
const QMAX = 32767;
const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4];

const CSS = `
.gizmo-viewer .gz-timeline{display:flex;gap:6px;align-items:center;padding:4px 6px;border-top:1px solid var(--jp-border-color2,#ddd)}
.gizmo-viewer .gz-timeline input[type=range]{flex:1 1 auto;min-width:60px}
.gizmo-viewer .gz-timeline .gz-time{font-variant-numeric:tabular-nums;min-width:92px;text-align:right;color:var(--jp-ui-font-color2,#666)}
`;

/** `{ frames, links, times: Float32Array, pos: Int16Array, quat: Int16Array }` from a track buffer. */
export function decodeTrack(bytes) {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength); // aligned copy
  const dv = new DataView(buf);
  if (buf.byteLength < HEADER_BYTES || dv.getUint32(0, true) !== MAGIC) throw new Error("malformed playback track");
  const frames = dv.getUint32(4, true), links = dv.getUint32(8, true);
  const need = HEADER_BYTES + 4 * frames + 14 * frames * links;
  if (buf.byteLength !== need) throw new Error(`playback track of ${buf.byteLength} bytes, expected ${need}`);
  let at = HEADER_BYTES;
  const times = new Float32Array(buf, at, frames); at += 4 * frames;
  const pos = new Int16Array(buf, at, frames * links * 3); at += 6 * frames * links;
  const quat = new Int16Array(buf, at, frames * links * 4);
  return { frames, links, times, pos, quat };
}

/** Link name -> Matrix4 (model frame) at time `t`, interpolating the two neighbouring frames. */
export function posesAt(track, meta, t) {
  const { times, frames, links, pos, quat } = track;
  let i = 0;
  let lo = 0, hi = frames - 1;
  if (t >= times[hi]) i = hi;
  else if (t > times[0]) {
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (times[mid] <= t) lo = mid; else hi = mid; }
    i = lo;
  }
  const j = Math.min(i + 1, frames - 1);
  const span = times[j] - times[i];
  const a = span > 0 ? Math.min(Math.max((t - times[i]) / span, 0), 1) : 0;
  const out = new Map();
  const [x0, y0, z0] = meta.lo, [x1, y1, z1] = meta.hi;
  const sx = (x1 - x0) / (2 * QMAX), sy = (y1 - y0) / (2 * QMAX), sz = (z1 - z0) / (2 * QMAX);
  const p = new THREE.Vector3(), q = new THREE.Quaternion(), one = new THREE.Vector3(1, 1, 1);
  for (let l = 0; l < links; l++) {
    const pi = (i * links + l) * 3, pj = (j * links + l) * 3;
    const px = pos[pi] + (pos[pj] - pos[pi]) * a, py = pos[pi + 1] + (pos[pj + 1] - pos[pi + 1]) * a;
    const pz = pos[pi + 2] + (pos[pj + 2] - pos[pi + 2]) * a;
    p.set(x0 + (px + QMAX) * sx, y0 + (py + QMAX) * sy, z0 + (pz + QMAX) * sz);
    const qi = (i * links + l) * 4, qj = (j * links + l) * 4;
    const w = quat[qi] + (quat[qj] - quat[qi]) * a, qx = quat[qi + 1] + (quat[qj + 1] - quat[qi + 1]) * a;
    const qy = quat[qi + 2] + (quat[qj + 2] - quat[qi + 2]) * a, qz = quat[qi + 3] + (quat[qj + 3] - quat[qi + 3]) * a;
    q.set(qx, qy, qz, w).normalize(); // nlerp: the encoder made the signs continuous
    out.set(meta.links[l], new THREE.Matrix4().compose(p, q, one));
  }
  return out;
}

function fmt(t) { return t.toFixed(2); }

/**
 * A timeline under the panel `host` (the `.gizmo-viewer` element) driving `viewport`:
 * `{ play(), pause(), seek(t), time(), playing(), dispose() }`.
 */
export function createPlayback(host, viewport, meta, track) {
  addStyle(host, "playback", CSS);
  const duration = Math.max(meta.duration || 0, 0);
  const bar = document.createElement("div");
  bar.className = "gz-timeline";
  const playBtn = document.createElement("button");
  playBtn.className = "gz-play";
  const scrub = document.createElement("input");
  Object.assign(scrub, { type: "range", min: "0", max: String(duration), step: "any", value: "0", className: "gz-scrub", title: "Scrub" });
  const speedSel = document.createElement("select");
  speedSel.className = "gz-speed";
  speedSel.title = "Playback speed";
  for (const s of SPEEDS) speedSel.append(new Option(`${s}×`, String(s)));
  const speed = meta.speed > 0 ? meta.speed : 1;
  if (!SPEEDS.includes(speed)) speedSel.append(new Option(`${speed}×`, String(speed)));
  speedSel.value = String(speed);
  const loopBox = document.createElement("label");
  const loopInput = document.createElement("input");
  loopInput.type = "checkbox";
  loopInput.className = "gz-loop";
  loopInput.checked = meta.loop !== false;
  loopBox.append(loopInput, " loop");
  const label = document.createElement("span");
  label.className = "gz-time";
  bar.append(playBtn, scrub, label, speedSel, loopBox);
  host.append(bar);

  let t = 0, playing = false, last = null, raf = 0, disposed = false;
  // tell the sliders (joint_inputs.js) what plays; null once the playback is gone
  const announce = (values) => host.dispatchEvent(new CustomEvent("gizmo-playback", { detail: { values, playing } }));
  function show() {
    viewport.setLinkMatrices(posesAt(track, meta, t));
    if (viewport.meta) announce(jointValuesOf(viewport.meta, (name) => viewport.linkGroup(name)?.matrix));
    scrub.value = String(t);
    label.textContent = `${fmt(t)} / ${fmt(duration)} s`;
    playBtn.textContent = playing ? "❚❚ Pause" : "▶ Play";
    playBtn.setAttribute("aria-pressed", String(playing));
    host.dataset.playbackTime = String(t);
  }
  function tick(now) {
    raf = 0;
    if (!playing || disposed) return;
    if (last !== null) {
      t += ((now - last) / 1000) * Number(speedSel.value);
      if (t >= duration) {
        if (loopInput.checked && duration > 0) t %= duration;
        else { t = duration; playing = false; }
      }
    }
    last = now;
    show();
    if (playing) raf = requestAnimationFrame(tick);
  }
  const api = {
    element: bar,
    play() {
      if (playing || disposed) return;
      if (t >= duration) t = 0;
      playing = true; last = null;
      raf = requestAnimationFrame(tick);
      show();
    },
    pause() { playing = false; if (raf) cancelAnimationFrame(raf); raf = 0; show(); },
    seek(value) { t = Math.min(Math.max(Number(value) || 0, 0), duration); last = null; show(); },
    time: () => t,
    playing: () => playing,
    frames: track.frames, // the track's size, for tests and the benchmark
    links: track.links,
    dispose() {
      disposed = true; playing = false;
      if (raf) cancelAnimationFrame(raf);
      bar.remove();
      announce(null);
      viewport.showPose(); // the links go back to the joint values, not the last played frame
    },
  };
  playBtn.onclick = () => (playing ? api.pause() : api.play());
  scrub.oninput = () => api.seek(scrub.value);
  show();
  api.play();
  return api;
}
