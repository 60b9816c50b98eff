// @ts-check
// Moving frames on software WebGL (src/viewer/quality.js): when a change counts as motion, and
// the simplified copies of big geometries drawn while moving.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as THREE from "three";
import {
  FAST_FRAME_MS, FINER_AFTER, LOD_ABOVE, LOD_BUDGET, LOD_LEVELS, MOTION_MS, MOVING_STEPS, SETTLE_MS, SLOW_FRAME_MS,
  buildLods, createMotion, createMovingScale, disposeLods, triangleCount, withCopies,
} from "../src/viewer/quality.js";
import { gridMesh } from "./fixtures/meshes.js";

test("a change soon after another is motion; the view settles SETTLE_MS after the last", async () => {
  let now = 0;
  const motion = createMotion(() => now);
  motion.note();
  assert.equal(motion.moving, false, "a single change (a click) is drawn in full");
  now += MOTION_MS - 1;
  motion.note();
  assert.equal(motion.moving, true, "changes one frame apart, even slow frames, are a drag");
  let settled = 0;
  motion.settle(() => { settled += 1; });
  motion.settle(() => { settled += 1; }); // re-armed, not doubled
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 60));
  assert.equal(settled, 1);
  assert.equal(motion.moving, false, "the settling frame is a full one");
  now += MOTION_MS + 1;
  motion.note();
  assert.equal(motion.moving, false, "a change long after the last one is still again");
});

test("big geometries get simplified copies sharing their vertices; the total comes near the budget", async () => {
  const root = new THREE.Group();
  const big = gridMesh(60_000), other = gridMesh(40_000), small = gridMesh(500);
  const twin = new THREE.Mesh(big.geometry, big.material); // a geometry shared by two meshes: one copy
  root.add(big, other, small, twin);
  const total = triangleCount(root);
  assert.ok(total > LOD_ABOVE);
  const lods = await buildLods(root);
  assert.deepEqual([...lods.keys()], [big.geometry, other.geometry, small.geometry]);
  assert.equal(lods.get(small.geometry), null, "the small geometry is drawn as it is");
  /** @type {THREE.BufferGeometry[]} */ const copies = [];
  for (const [full, lod] of lods) {
    if (!lod) continue;
    copies.push(lod);
    assert.equal(lod.attributes.position, full.attributes.position, "only the index is new");
    assert.equal(lod.index?.array.constructor, full.index?.array.constructor);
    const count = /** @type {THREE.BufferAttribute} */ (lod.index).count;
    assert.ok(count % 3 === 0 && count > 0 && count < 0.8 * /** @type {THREE.BufferAttribute} */ (full.index).count);
    const vertices = full.attributes.position.count;
    for (const i of /** @type {THREE.BufferAttribute} */ (lod.index).array) assert.ok(i < vertices);
  }
  const drawn = (/** @type {THREE.BufferGeometry} */ g) => /** @type {THREE.BufferAttribute} */ (g.index).count / 3;
  const moving = drawn(copies[0]) * 2 + drawn(copies[1]) + drawn(small.geometry); // big is drawn twice (twin)
  assert.ok(moving > 0.5 * LOD_BUDGET && moving < 1.5 * LOD_BUDGET, `moving frames draw ${moving} of ${total} triangles`);

  // a moving frame draws the copies, and every mesh has its full geometry back afterwards
  /** @type {THREE.BufferGeometry[]} */ let during = [];
  withCopies(root, lods, () => { during = [big, other, small, twin].map((m) => m.geometry); });
  assert.deepEqual(during, [copies[0], copies[1], small.geometry, copies[0]]);
  assert.deepEqual([big, other, small, twin].map((m) => m.geometry), [big.geometry, other.geometry, small.geometry, big.geometry]);
  assert.throws(() => withCopies(root, lods, () => { throw new Error("draw failed"); }));
  assert.equal(big.geometry, twin.geometry, "put back even when the draw throws");
  assert.notEqual(big.geometry, copies[0]);

  // an overlay built later (a collision mesh of its own geometry) gets a copy; known ones stay
  const collision = gridMesh(30_000);
  root.add(collision);
  const more = await buildLods(root, undefined, lods);
  assert.equal(more.get(big.geometry), copies[0], "copies made before are kept as they are");
  assert.ok(more.get(collision.geometry), "the new geometry got its copy");

  // disposing a copy must not free what the full geometry still draws with: three.js frees
  // every attribute of a disposed geometry, so the shared ones are detached first
  /** @type {THREE.BufferGeometry[]} */ const disposed = [];
  for (const lod of more.values()) lod?.addEventListener("dispose", (e) => disposed.push(/** @type {any} */ (e).target));
  disposeLods(more);
  assert.equal(new Set(disposed).size, 3, "each copy disposed once");
  assert.equal(more.size, 0);
  for (const g of disposed) {
    assert.deepEqual(Object.keys(g.attributes), [], "no shared attribute left on a disposed copy");
    assert.ok(g.index, "its own index goes with it (three.js frees it on dispose)");
  }
  assert.ok(big.geometry.attributes.position && other.geometry.attributes.position);
});

test("a model under the threshold gets no copies", async () => {
  const root = new THREE.Group();
  root.add(gridMesh(20_000));
  assert.equal((await buildLods(root)).size, 0);
});

test("moving frames go coarser when they come slowly and back when they come fast", () => {
  const pace = createMovingScale();
  const step = () => ({ scale: pace.scale, level: pace.level });
  assert.deepEqual(step(), MOVING_STEPS[0]);
  let t = 0;
  pace.frame(t); // the first frame of a drag sets no pace
  assert.deepEqual(step(), MOVING_STEPS[0]);
  pace.frame((t += 2 * SLOW_FRAME_MS));
  assert.deepEqual(step(), MOVING_STEPS[1], "a slow frame: fewer pixels");
  assert.ok(MOVING_STEPS[1].scale < MOVING_STEPS[0].scale);
  pace.frame((t += 1000)); // a pause in the drag: not a pace
  assert.deepEqual(step(), MOVING_STEPS[1], "kept across a pause: the machine is still slow");
  pace.frame((t += 2 * SLOW_FRAME_MS));
  assert.deepEqual(step(), MOVING_STEPS[2], "still slow: the coarse copies");
  assert.equal(MOVING_STEPS[2].level, 1);
  for (let i = 0; i < 6; i++) pace.frame((t += 2 * SLOW_FRAME_MS));
  const last = MOVING_STEPS.length - 1;
  assert.deepEqual(step(), MOVING_STEPS[last], "no step beyond the coarsest");
  for (let i = 0; i < FINER_AFTER - 1; i++) pace.frame((t += 16.7));
  assert.deepEqual(step(), MOVING_STEPS[last], "a finer step is not tried on the first fast frames");
  for (let i = 0; i < 12; i++) pace.frame((t += 16.7)); // the smoothed pace comes down first
  assert.deepEqual(step(), MOVING_STEPS[last - 1], "a run of fast frames: one step finer");
  for (let i = 0; i < 4 * FINER_AFTER; i++) pace.frame((t += 16.7));
  assert.deepEqual(step(), MOVING_STEPS[0], "still fast: back to half the pixels and the fine copies");
  for (let i = 0; i < 3 * FINER_AFTER; i++) pace.frame((t += (SLOW_FRAME_MS + FAST_FRAME_MS) / 2));
  assert.deepEqual(step(), MOVING_STEPS[0], "between the two thresholds nothing changes");
});

test("frames that each take two display beats (30 fps) count as slow: the aim is above 30", () => {
  const pace = createMovingScale();
  let t = 0;
  pace.frame(t);
  for (let i = 0; i < 8; i++) pace.frame((t += 1000 / 30));
  assert.ok(pace.scale < MOVING_STEPS[0].scale, `still at ${pace.scale} after 8 frames at 30 fps`);
});

test("a probe of the finer step that is slow goes straight back, so the rate stays high", () => {
  const pace = createMovingScale();
  let t = 0, slowFrames = 0;
  pace.frame(t);
  for (let i = 0; i < 6; i++) pace.frame((t += 2 * SLOW_FRAME_MS)); // a slow machine: the coarsest step
  const coarsest = MOVING_STEPS.length - 1;
  // this machine draws the coarsest step on every beat and every other step in two
  const drawn = [];
  for (let i = 0; i < 400; i++) {
    const index = MOVING_STEPS.findIndex((s) => s.scale === pace.scale && s.level === pace.level);
    const interval = index === coarsest ? 1000 / 60 : 1000 / 30;
    if (index !== coarsest) slowFrames += 1;
    pace.frame((t += interval));
    drawn.push(interval);
  }
  const fps = 1000 * drawn.length / drawn.reduce((a, b) => a + b, 0);
  assert.ok(fps > 50, `${fps.toFixed(1)} fps while probing`);
  assert.ok(slowFrames > 0, "the finer step was tried");
});

test("the coarse set simplifies small geometries too, and draws fewer triangles than the fine one", async () => {
  const root = new THREE.Group();
  const big = gridMesh(60_000), small = gridMesh(800);
  root.add(big, small, gridMesh(20_000));
  const [fine, coarse] = [await buildLods(root, undefined, undefined, LOD_LEVELS[0]), await buildLods(root, undefined, undefined, LOD_LEVELS[1])];
  assert.equal(fine.get(small.geometry), null, "the fine set draws a small geometry as it is");
  const smallCopy = coarse.get(small.geometry);
  assert.ok(smallCopy && /** @type {THREE.BufferAttribute} */ (smallCopy.index).count < 0.8 * /** @type {THREE.BufferAttribute} */ (small.geometry.index).count);
  const drawn = (/** @type {import("../src/viewer/quality.js").Lods} */ set) => [...set].reduce(
    (n, [full, lod]) => n + /** @type {THREE.BufferAttribute} */ ((lod || full).index).count / 3, 0);
  assert.ok(drawn(coarse) < 0.5 * drawn(fine), `coarse ${drawn(coarse)} vs fine ${drawn(fine)} triangles`);
  assert.ok(drawn(coarse) < 1.5 * LOD_LEVELS[1].budget);
  disposeLods(fine); disposeLods(coarse);
});
