// @ts-check
// Interactive quality: frames drawn while the view moves (orbit, a joint slider dragged, a
// motion playing) are drawn cheaper when WebGL runs without a GPU, and the view is redrawn in
// full once it holds still.
//
// Why: on software WebGL (SwiftShader, llvmpipe: CI machines and many cloud notebooks) a frame
// costs about half a microsecond per triangle plus the pixels it fills. Measured on 2 cores in
// JupyterLab (benchmarks/bench_inspect.py), PAL's TIAGo++ (160k triangles, 114 draws) took
// ~80 ms a frame and TALOS (206k) ~210 ms: 12 and 5 fps while orbiting. Neither cost alone
// dominates (half the pixels: 1.8x; no pixels at all still ~40 ms), so a moving frame uses both
// levers: a simplified copy of each big geometry (meshoptimizer's sloppy simplifier, the same
// library as the codec, run while the page is idle after the first frame) and half the pixel
// ratio, or a third when even that stays slow (createMovingScale: from the interval between
// moving frames, as games pick a dynamic resolution). Still frames, screenshots and
// everything Python sees are the full model.
import * as THREE from "three";

/** Above this many triangles in view a software-rendered moving frame uses the simplified copies. */
export const LOD_ABOVE = 60_000;
/** What a moving frame aims to draw in total (each big geometry simplified by the same ratio).
 * Measured (TIAGo++ / TALOS orbit, half the pixels): 40k -> 22 / 18 fps, 20k -> 31 / 21 fps. */
export const LOD_BUDGET = 20_000;
/** Geometries smaller than this are drawn as they are (their share is not worth a copy). */
const LOD_MIN_TRIANGLES = 1_500;
/** A change within this long of the previous one means the view is moving (a drag sends one a frame; a slow frame can take 300 ms). */
export const MOTION_MS = 400;
/** The full redraw this long after the last change. */
export const SETTLE_MS = 180;

/**
 * @typedef {{ mesh: THREE.Mesh, full: THREE.BufferGeometry, lod: THREE.BufferGeometry }} Lod
 */

/** Triangles of the meshes under `root` (an index counts three per triangle). */
export function triangleCount(root) {
  let n = 0;
  root.traverse((/** @type {any} */ o) => {
    if (o.isMesh) n += (o.geometry.index ? o.geometry.index.count : o.geometry.attributes.position.count) / 3;
  });
  return n;
}

/** Float32 xyz positions of a geometry (big-mesh parts arrive as int16: scale does not matter here). */
function positionsOf(geometry) {
  const pos = geometry.attributes.position;
  if (pos.array instanceof Float32Array && pos.itemSize === 3 && !pos.isInterleavedBufferAttribute) return pos.array;
  const out = new Float32Array(pos.count * 3);
  for (let i = 0; i < pos.count; i++) {
    out[3 * i] = pos.getX(i); out[3 * i + 1] = pos.getY(i); out[3 * i + 2] = pos.getZ(i);
  }
  return out;
}

/**
 * Simplified copies of the big indexed geometries under `root`, sharing their vertex
 * attributes (only a new, shorter index), so that all of them together come near
 * `LOD_BUDGET` triangles. Returns [] when the model is small enough as it is. `yieldEvery`
 * lets the caller's page breathe between geometries (the work runs while the page is idle).
 *
 * @param {THREE.Object3D} root
 * @param {() => Promise<void>} [pause] awaited between geometries
 * @returns {Promise<Lod[]>}
 */
export async function buildLods(root, pause = async () => {}) {
  const total = triangleCount(root);
  if (total <= LOD_ABOVE) return [];
  const ratio = LOD_BUDGET / total;
  const { MeshoptSimplifier } = await import("meshoptimizer/simplifier");
  await MeshoptSimplifier.ready;
  /** @type {Map<THREE.BufferGeometry, THREE.BufferGeometry | null>} */
  const simplified = new Map(); // geometries are shared between meshes (the page cache): one copy each
  /** @type {Lod[]} */
  const lods = [];
  /** @type {THREE.Mesh[]} */
  const meshes = [];
  root.traverse((/** @type {any} */ o) => { if (o.isMesh && o.geometry.index) meshes.push(o); });
  for (const mesh of meshes) {
    const full = mesh.geometry;
    if (!simplified.has(full)) {
      const index = /** @type {THREE.BufferAttribute} */ (full.index);
      /** @type {THREE.BufferGeometry | null} */ let lod = null;
      if (index.count / 3 >= LOD_MIN_TRIANGLES) {
        const indices = index.array instanceof Uint32Array ? index.array : Uint32Array.from(index.array);
        const target = Math.max(3 * 64, Math.floor((index.count * ratio) / 3) * 3);
        const [kept] = MeshoptSimplifier.simplifySloppy(indices, positionsOf(full), 3, null, target, 1);
        if (kept.length > 0 && kept.length < index.count * 0.8) {
          const copy = new THREE.BufferGeometry();
          for (const [name, attribute] of Object.entries(full.attributes)) copy.setAttribute(name, attribute);
          const small = index.array instanceof Uint16Array ? Uint16Array.from(kept) : kept;
          copy.setIndex(new THREE.BufferAttribute(small, 1));
          copy.boundingSphere = full.boundingSphere; // same vertices: culling stays exact enough
          copy.boundingBox = full.boundingBox;
          lod = copy;
        }
      }
      simplified.set(full, lod);
      await pause();
    }
    const lod = simplified.get(full);
    if (lod) lods.push({ mesh, full, lod });
  }
  return lods;
}

/**
 * Frees the simplified copies: their own index buffers. Their vertex attributes belong to the
 * full geometries (shared page-wide, and maybe drawn again by this very view): three.js frees
 * every attribute of a disposed geometry on the GPU, and a full geometry's vertex-array state
 * would then point at deleted buffers, so they are detached first.
 */
export function disposeLods(lods) {
  const seen = new Set();
  for (const { lod } of lods) {
    if (seen.has(lod)) continue;
    seen.add(lod);
    for (const name of Object.keys(lod.attributes)) lod.deleteAttribute(name);
    lod.dispose();
  }
}

/**
 * When frames count as "moving": a change within MOTION_MS of the previous one. `note()` is
 * called for every change; `moving` says how the next frame should be drawn; `settle(fn)`
 * calls fn once no change came for SETTLE_MS.
 */
export function createMotion(now = () => performance.now()) {
  let last = -Infinity;
  /** @type {ReturnType<typeof setTimeout> | null} */ let timer = null;
  const motion = {
    moving: false,
    note() {
      const t = now();
      motion.moving = t - last < MOTION_MS;
      last = t;
    },
    /** @param {() => void} fn */
    settle(fn) {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => { timer = null; motion.moving = false; fn(); }, SETTLE_MS);
    },
    stop() { if (timer !== null) clearTimeout(timer); timer = null; motion.moving = false; },
  };
  return motion;
}

/** Pixel-ratio scales a moving frame may use, finest first. */
export const MOVING_SCALES = [0.5, 0.35];
/** Moving frames further apart than this (smoothed) step to a coarser scale; closer than FAST_FRAME_MS, back. */
export const SLOW_FRAME_MS = 40;
export const FAST_FRAME_MS = 26;

/**
 * The pixel scale of moving frames, from how far apart they come: `frame(t)` for each moving
 * frame drawn at time `t` (ms), `scale` for the next one. Kept across drags: a machine that
 * was slow for the last one is slow for the next.
 */
export function createMovingScale() {
  let step = 0, last = -Infinity, smoothed = 0;
  return {
    get scale() { return MOVING_SCALES[step]; },
    /** @param {number} t */
    frame(t) {
      const interval = t - last;
      last = t;
      if (interval > 250) return; // the first frame of a drag (or a pause in it): no pace yet
      smoothed = smoothed ? 0.7 * smoothed + 0.3 * interval : interval;
      if (smoothed > SLOW_FRAME_MS && step < MOVING_SCALES.length - 1) { step += 1; smoothed = 0; }
      else if (smoothed < FAST_FRAME_MS && step > 0) { step -= 1; smoothed = 0; }
    },
  };
}
