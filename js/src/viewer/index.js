// @ts-check
// The viewer widget's front end: gets the model's metadata (`_meta`) and its binary chunks
// (`_blobs`: references to small content-addressed widget models, ipywidgets ImageModels with
// the bytes in `value`, one per chunk, so each chunk is its own websocket message — progress
// can be shown, nothing is sent twice, and saved widget state holds every chunk for
// kernel-less pages), then hands them to the panel.
import { createViewerPanel } from "./panel.js";
import { bytesOfChunk, chunkSlice, concatChunks, partGeometry, partHeader, partsIn } from "./decode.js";
import { attachPlayback } from "./playback_host.js";
import { createOverlays } from "./overlays.js";
import { createJointInputs } from "./joint_inputs.js";
import { createDragControls } from "./drag.js";
import { createDeferredSync } from "./sync.js";
import { VIEWER_MESSAGES } from "../generated/constants.js";

export { createViewport } from "./viewport.js";
export { createViewerPanel } from "./panel.js";

function refId(ref) {
  return typeof ref === "string" && ref.startsWith("IPY_MODEL_") ? ref.slice("IPY_MODEL_".length) : ref;
}

/**
 * Watch `_blobs` from the start: every chunk that is a whole geometry part is decoded as soon
 * as it arrives (the kernel streams the parts of a big mesh while it is still encoding the
 * rest, and sends the metadata last), and progress is shown from the parts' own headers.
 * `ready(needed)` resolves digest -> bytes once every chunk the metadata names is here.
 */
function watchChunks(model, onProgress, onPart) {
  const have = new Map();
  let triangles = 0;
  /** @type {{ needed: Map<string, number>, resolve: (have: Map<string, Uint8Array>) => void } | null} */
  let waiting = null;
  // Once ready() has resolved, the model is (being) drawn and progress is no longer ours to
  // show: a scan still queued (a later change:_blobs, as Voila and reopened notebooks send)
  // would otherwise write "receiving model… 92%" over the finished view.
  let settled = false;
  let scanning = Promise.resolve();
  function check() {
    if (!waiting) return;
    const { needed, resolve } = waiting;
    const total = [...needed.values()].reduce((a, b) => a + b, 0);
    const received = [...needed.keys()].reduce((n, d) => n + (have.has(d) ? needed.get(d) ?? 0 : 0), 0);
    onProgress(received, total, "bytes");
    if ([...needed.keys()].every((d) => have.has(d))) { waiting = null; settled = true; resolve(have); }
  }
  async function scan() {
    for (const ref of model.get("_blobs") || []) {
      const m = await model.widget_manager.get_model(refId(ref));
      const digest = m.get("digest");
      if (have.has(digest)) continue;
      if (!have.size) performance.mark("gizmo:first-chunk");
      const bytes = bytesOfChunk(m);
      have.set(digest, bytes);
      for (const part of partsIn(bytes)) {
        triangles += (partHeader(part)?.indexCount ?? 0) / 3;
        onPart(part);
      }
    }
    if (!waiting && !settled) onProgress(triangles, model.get("_expected_triangles") || 0, "triangles");
    check();
  }
  // scans run one after another; a failed one (a chunk model that could not be fetched) does
  // not stop the next, and is reported to whoever waits in ready()
  const rescan = () => { scanning = scanning.catch(() => {}).then(scan); return scanning; };
  const onChange = () => { rescan().catch((err) => console.warn("gizmo-notebook viewer:", err)); };
  model.on("change:_blobs", onChange);
  onChange();
  return {
    ready(needed) {
      return new Promise((resolve, reject) => {
        settled = false;
        waiting = { needed, resolve };
        rescan().then(check, reject);
      });
    },
    dispose() { model.off("change:_blobs", onChange); },
  };
}

export function renderViewer({ model, el }) {
  const panel = createViewerPanel(el, { height: model.get("height") || 480 });
  el.classList.add("gizmo-viewer-host");
  let disposed = false;
  let drawn = false; // the model is on screen: progress is over

  // Where the time to first frame goes: the gizmo:* performance marks (bench_viewer.py --timeline).
  performance.mark("gizmo:render");
  const chunks = watchChunks(
    model,
    // a scan still queued when the model is drawn must not put "receiving…" back over it
    (done, total, unit) => { if (!drawn) panel.setProgress(done, total, unit); },
    // decode each part as it arrives, and have the view upload a small mesh's geometry when it
    // can be built before the metadata (decode.partGeometry; viewport.prepare says why). Not a
    // big mesh's flat parts: at 1M triangles, drawing them as they came took the CPU the kernel
    // was encoding the rest with, and the metadata came 0.3-0.5 s later. Errors surface when
    // the model is built.
    (bytes) => {
      partGeometry(bytes).then((built) => { if (built && !built.flat && !disposed) panel.viewport.prepare(built.geometry); }).catch(() => {});
    },
  );

  async function load() {
    const meta = model.get("_meta");
    if (!meta || !meta.links) {
      // the kernel sends the metadata after the geometry; change:_meta calls load() again
      if (!(model.get("_blobs") || []).length) panel.setMessage("preparing model…");
      model.send({ type: VIEWER_MESSAGES.NEED });
      return;
    }
    performance.mark("gizmo:meta");
    // digest -> bytes of that chunk; a chunk that packs small buffers is named by each of them,
    // with its offset (transport.py, ChunkPacker)
    const needed = new Map();
    for (const b of meta.buffers) {
      for (const c of b.chunks) needed.set(c.digest, Math.max(needed.get(c.digest) ?? 0, (c.offset ?? 0) + c.size));
    }
    // encoded but never sent (shown inside a container, say): ask for the chunks
    if ((model.get("_blobs") || []).length < needed.size) model.send({ type: VIEWER_MESSAGES.NEED });
    const have = await chunks.ready(needed);
    if (disposed) return;
    performance.mark("gizmo:received");
    const buffers = meta.buffers.map((b) => concatChunks(b.chunks.map((c) => chunkSlice(have.get(c.digest), c))));
    await panel.setModel(meta, buffers);
    drawn = true;
    panel.setProgress(0, 0); // and a scan that ran meanwhile left nothing over the model
    panel.setPose(model.get("joint_values") || {});
    panel.setWireframe(model.get("wireframe"));
    jointInputs.setModel(meta);
    jointInputs.setUnits(model.get("units"));
    await overlays.setModel(meta, buffers);
    overlays.setLayers(model.get("layers"));
    playback.refresh();
    el.dataset.gizmoReady = "1";
    model.send({ type: VIEWER_MESSAGES.READY });
  }

  panel.onPoseCommit = (pose) => { model.set("joint_values", pose); model.save_changes(); };
  // toolbar toggles reach the kernel once a burst of clicks is over (sync.js says why)
  const toggles = createDeferredSync(model);
  panel.onWireframe = (on) => toggles.set("wireframe", on);
  const onPose = () => { panel.setPose(model.get("joint_values") || {}); jointInputs.sync(); };
  const onWire = () => { if (!toggles.holds("wireframe")) panel.setWireframe(model.get("wireframe")); };
  const onMeta = () => load().catch(showError);
  const onMsg = async (msg) => {
    if (msg && msg.type === VIEWER_MESSAGES.SCREENSHOT && el.dataset.gizmoReady === "1") {
      const blob = await panel.viewport.screenshot();
      const buf = await blob.arrayBuffer();
      model.send({ type: VIEWER_MESSAGES.SCREENSHOT, id: msg.id }, undefined, [buf]);
    }
  };
  model.on("change:joint_values", onPose);
  model.on("change:wireframe", onWire);
  model.on("change:_meta", onMeta);
  model.on("msg:custom", onMsg);
  // A handle for tests and the benchmark: the live viewport of this output.
  el.gizmoViewer = panel;

  const playback = attachPlayback(model, el, panel, refId);
  const overlays = createOverlays(panel);
  overlays.onLayers = (layers) => toggles.set("layers", layers);
  const onLayers = () => { if (!toggles.holds("layers")) overlays.setLayers(model.get("layers")); };
  model.on("change:layers", onLayers);
  el.gizmoOverlays = overlays; // a handle for tests
  const jointInputs = createJointInputs(panel);
  jointInputs.onUnits = (units) => { model.set("units", units); model.save_changes(); };
  const onUnits = () => jointInputs.setUnits(model.get("units"));
  const drag = createDragControls(panel); // drag a link in 3D: commits through panel.onPoseCommit
  el.gizmoDrag = drag; // a handle for tests
  model.on("change:units", onUnits);

  function showError(err) {
    console.error("gizmo-notebook viewer:", err);
    panel.setMessage(`could not show the model: ${err && err.message ? err.message : err}`);
  }
  load().catch(showError);

  return () => {
    disposed = true;
    toggles.flush();
    model.off("change:joint_values", onPose);
    model.off("change:wireframe", onWire);
    model.off("change:_meta", onMeta);
    model.off("msg:custom", onMsg);
    chunks.dispose();
    playback.dispose();
    model.off("change:layers", onLayers);
    overlays.dispose();
    model.off("change:units", onUnits);
    jointInputs.dispose();
    drag.dispose();
    panel.dispose();
  };
}
