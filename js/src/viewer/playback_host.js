// @ts-check
// The viewer widget's side of playback: follows `_playback` (track metadata, set by
// Viewer.play) and `_playback_blobs` (chunk widgets holding the binary track), and shows a
// timeline once the model is on screen. Kept apart from index.js so the widget glue there
// only calls refresh() / dispose().
import { bytesOfChunk, concatChunks } from "./decode.js";
import { createPlayback, decodeTrack } from "./playback.js";

export function attachPlayback(model, el, panel, refId) {
  /** @type {ReturnType<typeof createPlayback> | null} */
  let current = null;
  let generation = 0;
  let disposed = false;

  async function refresh() {
    const gen = ++generation;
    const meta = model.get("_playback") || {};
    if (current) { current.dispose(); current = null; delete el.gizmoPlayback; }
    if (!meta.chunks || !meta.chunks.length || !panel.viewport.meta) return; // none, or the model is not drawn yet
    const have = new Map();
    for (const ref of model.get("_playback_blobs") || []) {
      const m = await model.widget_manager.get_model(refId(ref));
      have.set(m.get("digest"), bytesOfChunk(m));
    }
    if (disposed || gen !== generation) return;
    const parts = meta.chunks.map((c) => have.get(c.digest));
    if (parts.some((p) => !p)) return; // the blobs trait follows; change:_playback_blobs comes again
    const track = decodeTrack(concatChunks(parts));
    current = createPlayback(panel.element, panel.viewport, meta, track);
    el.gizmoPlayback = current; // a handle for tests
  }
  const onChange = () => {
    refresh().catch((err) => {
      console.error("gizmo-notebook viewer: playback", err);
      panel.setMessage(`could not play the motion: ${err && err.message ? err.message : err}`);
    });
  };
  model.on("change:_playback", onChange);
  model.on("change:_playback_blobs", onChange);
  return {
    refresh: onChange,
    dispose() {
      disposed = true;
      model.off("change:_playback", onChange);
      model.off("change:_playback_blobs", onChange);
      if (current) current.dispose();
    },
  };
}
