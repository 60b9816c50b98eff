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
// ratio, down to a quarter when even that stays slow (createMovingScale: from the interval
// between moving frames, as games pick a dynamic resolution; held to more than 30 frames a
// second, the goal of issue #12). What else is shown costs too: the
// collision layer draws a second set of meshes, wireframe lines cost SwiftShader several times
// a triangle each. So there are three sets of copies, a fine one (LOD_LEVELS[0]), a coarse one
// that also simplifies the small meshes (LOD_LEVELS[1]) and a coarsest one for wireframe
// (LOD_LEVELS[2]), and the pace (MOVING_STEPS) trades pixels and copies step by step. Still
// frames, screenshots and everything Python sees are the full model.
import * as THREE from "three";
import { edgesOf } from "./wires.js";

/** Above this many triangles in view a software-rendered moving frame uses the simplified copies. */
export const LOD_ABOVE = 60_000;
/** What a moving frame aims to draw in total (each big geometry simplified by the same ratio).
 * Measured (TIAGo++ / TALOS orbit, half the pixels): 40k -> 22 / 18 fps, 20k -> 31 / 21 fps. */
export const LOD_BUDGET = 20_000;
/**
 * The sets of copies: what a moving frame aims to draw in total, and the size under which a
 * geometry is drawn as it is (its share is not worth a copy). The coarser sets are for frames
 * that stay slow at the finest pixel scale (wireframe, collision shown over the visuals):
 * TIAGo++'s small meshes alone are ~14k triangles, so they simplify those too.
 */
export const LOD_LEVELS = [
  { budget: LOD_BUDGET, minTriangles: 1_500 },
  { budget: 5_000, minTriangles: 200 },
  // wireframe: SwiftShader draws each line as a quad of its own, so lines cost by their number
  // whatever the pixels (TIAGo++ orbited in wireframe at 27 fps on the set above)
  { budget: 2_000, minTriangles: 60 },
];
/** A change within this long of the previous one means the view is moving (a drag sends one a frame; a slow frame can take 300 ms). */
export const MOTION_MS = 400;
/** The full redraw this long after the last change. */
export const SETTLE_MS = 180;

/** Full geometry -> its simplified copy, or null when it is drawn as it is in moving frames too. */
/** @typedef {Map<THREE.BufferGeometry, THREE.BufferGeometry | null>} Lods */

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
 * `LOD_BUDGET` triangles. Keyed by geometry, not mesh: a collision mesh drawing a visual's
 * own geometry uses its copy too, and overlays built later get theirs by calling this again
 * with the copies made so far (`known`, kept as they are). Empty when the model is small
 * enough as it is. `pause` lets the page breathe between geometries (this runs while the page
 * is idle).
 *
 * @param {THREE.Object3D} root
 * @param {() => Promise<void>} [pause] awaited between geometries
 * @param {Lods} [known]
 * @param {{ budget: number, minTriangles: number }} [level] one of LOD_LEVELS
 * @returns {Promise<Lods>}
 */
export async function buildLods(root, pause = async () => {}, known = new Map(), level = LOD_LEVELS[0]) {
  const total = triangleCount(root);
  const lods = new Map(known);
  if (total <= LOD_ABOVE) return lods;
  const ratio = level.budget / total;
  const { MeshoptSimplifier } = await import("meshoptimizer/simplifier");
  await MeshoptSimplifier.ready;
  /** @type {THREE.BufferGeometry[]} */
  const geometries = [];
  root.traverse((/** @type {any} */ o) => { if (o.isMesh && o.geometry.index && !lods.has(o.geometry)) geometries.push(o.geometry); });
  for (const full of geometries) {
    if (lods.has(full)) continue; // shared by two meshes: one copy
    const index = /** @type {THREE.BufferAttribute} */ (full.index);
    /** @type {THREE.BufferGeometry | null} */ let lod = null;
    if (index.count / 3 >= level.minTriangles) {
      const indices = index.array instanceof Uint32Array ? index.array : Uint32Array.from(index.array);
      const target = Math.max(3 * 32, Math.floor((index.count * ratio) / 3) * 3);
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
    lods.set(full, lod);
    await pause();
  }
  return lods;
}

/**
 * Draw `root` with each mesh's copy in place of its full geometry for the duration of `draw`
 * (meshes hidden or not: visibility is three.js' business), and a mesh drawn as wire with the
 * copy's edges (wires.js), then put the full ones back: picking, stats and bounds never see a
 * copy.
 *
 * @param {THREE.Object3D} root
 * @param {Lods} lods
 * @param {() => void} draw
 */
export function withCopies(root, lods, draw) {
  /** @type {[THREE.Mesh | THREE.LineSegments, THREE.BufferGeometry][]} */
  const swapped = [];
  root.traverse((/** @type {any} */ o) => {
    const full = o.isMesh ? o.geometry : o.userData.edgesOf; // lines: the edges of this full geometry
    const lod = full ? lods.get(full) : null;
    if (lod) { swapped.push([o, o.geometry]); o.geometry = o.isMesh ? lod : edgesOf(lod); }
  });
  try {
    draw();
  } finally {
    for (const [object, full] of swapped) object.geometry = full;
  }
}

/**
 * Frees the simplified copies: their own index buffers (and their edges' with them: wires.js
 * frees a geometry's edges when it is disposed). Their vertex attributes belong to the
 * full geometries (shared page-wide, and maybe drawn again by this very view): three.js frees
 * every attribute of a disposed geometry on the GPU, and a full geometry's vertex-array state
 * would then point at deleted buffers, so they are detached first.
 */
export function disposeLods(lods) {
  for (const lod of lods.values()) {
    if (!lod) continue;
    for (const name of Object.keys(lod.attributes)) lod.deleteAttribute(name);
    lod.dispose();
  }
  lods.clear();
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

/** How a moving frame may be drawn, finest first: pixel-ratio scale and set of copies (LOD_LEVELS). */
export const MOVING_STEPS = [
  { scale: 0.5, level: 0 },
  { scale: 0.35, level: 0 },
  { scale: 0.35, level: 1 },
  { scale: 0.25, level: 1 },
  { scale: 0.25, level: 2 },
];
/**
 * The pace moving frames are held to: more than 30 a second. Browsers draw on the display's
 * beat (60 Hz here), so a frame that misses one beat waits for the next: frames come every
 * 16.7 or 33.3 ms, never at 25. A smoothed interval above SLOW_FRAME_MS therefore means most
 * frames take two beats (30 fps at best) and the next step is coarser.
 */
export const SLOW_FRAME_MS = 30;
/** A finer step is tried after FINER_AFTER frames in a row whose smoothed interval stays under FAST_FRAME_MS. */
export const FAST_FRAME_MS = 24;
/**
 * Why wait that long: at the coarser step frames come on every beat (16.7 ms) whether or not
 * the finer step would too, so the only way to know is to try it, and a try that fails costs a
 * frame or two at 30 fps. Once in ~40 frames keeps the rate above 55 fps while it probes, and
 * returns to the finer step within a second of the machine getting faster.
 */
export const FINER_AFTER = 40;

/**
 * The step of moving frames (MOVING_STEPS), from how far apart they come: `frame(t)` for each
 * moving frame drawn at time `t` (ms), `scale` and `level` for the next one. Kept across
 * drags: a machine that was slow for the last one is slow for the next.
 */
export function createMovingScale() {
  let step = 0, last = -Infinity, smoothed = 0, fastRun = 0;
  return {
    get scale() { return MOVING_STEPS[step].scale; },
    get level() { return MOVING_STEPS[step].level; },
    /** @param {number} t */
    frame(t) {
      const interval = t - last;
      last = t;
      if (interval > 250) return; // the first frame of a drag (or a pause in it): no pace yet
      smoothed = smoothed ? 0.7 * smoothed + 0.3 * interval : interval;
      fastRun = smoothed < FAST_FRAME_MS ? fastRun + 1 : 0;
      if (smoothed > SLOW_FRAME_MS && step < MOVING_STEPS.length - 1) { step += 1; smoothed = 0; fastRun = 0; }
      else if (fastRun >= FINER_AFTER && step > 0) { step -= 1; smoothed = 0; fastRun = 0; }
    },
  };
}
