// @ts-check
// The part format of decode.js, written by hand from its documentation: a 24-byte header
// ("GZP1", vertex count, index count, vertex-codec bytes, index-codec bytes, flags; uint32
// little-endian), then meshoptimizer-coded int16 xyzw positions and indices.
// (tests/test_js_decode.py decodes a payload made by the Python encoder with the same code.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { MeshoptEncoder } from "meshoptimizer/encoder";
import * as THREE from "three";
import { bytesOfChunk, chunkSlice, concatChunks, decodeAll, decodePart, partGeometry, partHeader, partsIn, vertexNormals } from "../src/viewer/decode.js";

const MAGIC = 0x31505a47; // "GZP1"

/**
 * One part: header (+ with `dequantize`, flag 4 and the six float64 of offset and scale) +
 * coded vertex stream + coded index stream.
 * @param {number[]} positions
 * @param {number[]} indices
 * @param {number} [flags]
 * @param {{ offset: number[], scale: number[] }} [dequantize]
 */
async function part(positions, indices, flags = 0, dequantize = undefined) {
  await MeshoptEncoder.ready;
  const q = Int16Array.from(positions);
  const idx = Uint16Array.from(indices);
  const vertices = MeshoptEncoder.encodeVertexBuffer(new Uint8Array(q.buffer), q.length / 4, 8);
  const index = MeshoptEncoder.encodeIndexBuffer(new Uint8Array(idx.buffer), idx.length, 2);
  const head = 24 + (dequantize ? 48 : 0);
  const out = new Uint8Array(head + vertices.length + index.length);
  const dv = new DataView(out.buffer);
  [MAGIC, q.length / 4, idx.length, vertices.length, index.length, flags | (dequantize ? 4 : 0)].forEach((v, i) => dv.setUint32(i * 4, v, true));
  if (dequantize) [...dequantize.offset, ...dequantize.scale].forEach((v, i) => dv.setFloat64(24 + 8 * i, v, true));
  out.set(vertices, head);
  out.set(index, head + vertices.length);
  return out;
}

/** Triangles with each one rotated to start at its smallest index: the index codec may rotate a triangle (same winding). */
function triangles(index) {
  const out = [];
  for (let i = 0; i < index.length; i += 3) {
    const t = [index[i], index[i + 1], index[i + 2]];
    const k = t.indexOf(Math.min(...t));
    out.push([...t.slice(k), ...t.slice(0, k)]);
  }
  return out;
}

// one triangle, xyzw (w unused)
const TRIANGLE = [0, 0, 0, 0, 100, 0, 0, 0, 0, 200, -300, 0];

test("partHeader reads the header of a whole part", async () => {
  const bytes = await part(TRIANGLE, [0, 1, 2], 1);
  const h = partHeader(bytes);
  assert.ok(h);
  assert.equal(h.vertexCount, 3);
  assert.equal(h.indexCount, 3);
  assert.equal(h.flat, true);
  assert.equal(24 + h.vertexBytes + h.indexBytes, bytes.byteLength);
});

test("partHeader refuses what is not one whole part", async () => {
  const bytes = await part(TRIANGLE, [0, 1, 2]);
  assert.equal(partHeader(bytes.subarray(0, bytes.length - 1)), null); // a chunk of a part
  assert.equal(partHeader(new Uint8Array(10)), null); // shorter than a header
  const wrong = bytes.slice();
  wrong[0] = 0x48; // "HZP1"
  assert.equal(partHeader(wrong), null);
});

test("decodePart gives back the positions and indices", async () => {
  const bytes = await part(TRIANGLE, [0, 1, 2, 2, 1, 0]);
  const { q, index } = await decodePart(bytes);
  assert.deepEqual([...q], TRIANGLE);
  assert.ok(index instanceof Uint16Array, "under 65,536 vertices: 16-bit indices");
  assert.deepEqual(triangles(index), [[0, 1, 2], [0, 2, 1]]); // both windings kept
});

test("decodePart of a malformed part says so", async () => {
  await assert.rejects(decodePart(new Uint8Array(30)), /malformed geometry part/);
});

test("concatChunks joins chunks of any view type in order", () => {
  const a = new Uint8Array([1, 2]), b = new DataView(new Uint8Array([3]).buffer), c = new Uint8Array([4, 5]).buffer;
  assert.deepEqual([...concatChunks([a, b, c])], [1, 2, 3, 4, 5]);
});

test("decodeAll: a small geometry is dequantized with its offset and scale", async () => {
  const bytes = await part(TRIANGLE, [0, 1, 2]);
  const meta = { geometries: { "test-small": { parts: [0], flat: false, offset: [1, 2, 3], scale: [0.01, 0.01, 0.01] } } };
  const out = await decodeAll(meta, [bytes]);
  const [{ geometry, quantized }] = out["test-small"];
  assert.equal(quantized, null);
  const pos = [...geometry.getAttribute("position").array].map((v) => Math.round(v * 1e6) / 1e6);
  assert.deepEqual(pos, [1, 2, 3, 2, 2, 3, 1, 4, 0]);
  assert.ok(geometry.getAttribute("normal"), "normals are computed here, not sent");
});

test("decodeAll: a flat (big-mesh) geometry stays quantized; the mesh applies offset and scale", async () => {
  const bytes = await part(TRIANGLE, [0, 1, 2], 1);
  const meta = { geometries: { "test-flat": { parts: [0], flat: true, offset: [1, 2, 3], scale: [2, 2, 2] } } };
  const [{ geometry, quantized }] = (await decodeAll(meta, [bytes]))["test-flat"];
  assert.deepEqual(quantized, { offset: [1, 2, 3], scale: [2, 2, 2] });
  assert.equal(geometry.getAttribute("position").count, 3);
  assert.equal(geometry.getAttribute("normal"), undefined);
});

/** Buffers laid end to end as transport.py's ChunkPacker does: each on a 16-byte boundary. */
function pack(buffers) {
  const offsets = [];
  let size = 0;
  for (const b of buffers) { offsets.push(size); size += Math.ceil(b.length / 16) * 16; }
  const out = new Uint8Array(size);
  buffers.forEach((b, i) => out.set(b, offsets[i]));
  return { bytes: out, refs: buffers.map((b, i) => ({ size: b.length, offset: offsets[i] })) };
}

test("the parts in a pack are found before the metadata, as the same objects the model is built from", async () => {
  const a = await part(TRIANGLE, [0, 1, 2]);
  const b = await part([...TRIANGLE, 50, 50, 50, 0], [0, 1, 2, 1, 3, 2]);
  const { bytes, refs } = pack([a, b]);
  assert.equal(partHeader(bytes), null, "a pack is not one part");
  const found = partsIn(bytes);
  assert.equal(found.length, 2);
  assert.deepEqual([...found[1]], [...b]);
  assert.equal(found[0], chunkSlice(bytes, refs[0]), "the slice the metadata names is the one decoded on arrival");
  assert.equal(found[1], chunkSlice(bytes, refs[1]));
  assert.equal((await decodePart(found[1])).index.length, 6);
});

test("a pack walk stops at what is not a part (an image), and a whole part is its own only part", async () => {
  const a = await part(TRIANGLE, [0, 1, 2]);
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(40).fill(7)]);
  const { bytes, refs } = pack([a, png, a]);
  assert.equal(partsIn(bytes).length, 1);
  assert.deepEqual([...chunkSlice(bytes, refs[1])], [...png], "the image is still there for the metadata");
  assert.deepEqual(partsIn(a), [a]);
  assert.equal(chunkSlice(a, { size: a.length }), a, "a reference without an offset is the whole chunk");
});

test("vertexNormals gives three.js' own smooth normals; a small geometry's bounds are exact", async () => {
  // a sphere with its vertices pushed about: normals of uneven triangles, none of them zero
  const sphere = new THREE.SphereGeometry(1, 24, 16);
  const pos = /** @type {Float32Array} */ (sphere.getAttribute("position").array);
  for (let i = 0; i < pos.length; i++) pos[i] *= 1 + 0.2 * Math.sin(7 * i);
  const index = /** @type {THREE.BufferAttribute} */ (sphere.index).array;
  sphere.computeVertexNormals();
  const theirs = sphere.getAttribute("normal").array, ours = vertexNormals(pos, index);
  assert.equal(ours.length, theirs.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  assert.ok(worst < 1e-5, `normals differ by up to ${worst}`);

  // a tetrahedron's corner: the bounds and sphere three.js would compute from the vertices
  const q = [-32767, -32767, -32767, 0, 32767, -32767, -32767, 0, -32767, 32767, -32767, 0, -32767, -32767, 32767, 0];
  const bytes = await part(q, [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]);
  const meta = { geometries: { "test-bounds": { parts: [0], flat: false, offset: [1, 2, 3], scale: [1e-4, 2e-4, 3e-4] } } };
  const [{ geometry }] = (await decodeAll(meta, [bytes]))["test-bounds"];
  const expected = geometry.clone();
  expected.computeBoundingBox();
  expected.computeBoundingSphere();
  const near = (/** @type {number[]} */ a, /** @type {number[]} */ b) => a.every((v, i) => Math.abs(v - b[i]) < 1e-5);
  assert.ok(near(geometry.boundingBox.min.toArray(), expected.boundingBox.min.toArray()), "box min");
  assert.ok(near(geometry.boundingBox.max.toArray(), expected.boundingBox.max.toArray()), "box max");
  assert.ok(near(geometry.boundingSphere.center.toArray(), expected.boundingSphere.center.toArray()), "sphere centre");
  assert.ok(Math.abs(geometry.boundingSphere.radius - expected.boundingSphere.radius) < 1e-5, "sphere radius");
  const normal = geometry.getAttribute("normal");
  assert.ok(Math.abs(Math.hypot(normal.getX(3), normal.getY(3), normal.getZ(3)) - 1) < 1e-6, "unit normals");
});

test("a small part that carries its dequantization is built on arrival, and the model uses that very geometry", async () => {
  const dequantize = { offset: [1, 2, 3], scale: [0.01, 0.01, 0.01] };
  const bytes = await part(TRIANGLE, [0, 1, 2], 0, dequantize);
  const header = /** @type {any} */ (partHeader(bytes));
  assert.deepEqual(header.dequantize, dequantize);
  const early = await partGeometry(bytes); // no metadata yet
  assert.ok(early && !early.flat);
  const pos = [...early.geometry.getAttribute("position").array].map((v) => Math.round(v * 1e6) / 1e6);
  assert.deepEqual(pos, [1, 2, 3, 2, 2, 3, 1, 4, 0]);
  assert.ok(early.geometry.getAttribute("normal"));
  // the metadata's own offset and scale are the same numbers; the part's are what it was built with
  const meta = { geometries: { "test-own": { parts: [0], flat: false, offset: [1, 2, 3], scale: [0.01, 0.01, 0.01] } } };
  const [{ geometry }] = (await decodeAll(meta, [bytes]))["test-own"];
  assert.equal(geometry, early.geometry, "built once: what was uploaded on arrival is what is drawn");

  // a flat part needs no dequantization to be built; an old small part waits for the metadata
  assert.equal((await partGeometry(await part(TRIANGLE, [0, 1, 2], 1)))?.flat, true);
  assert.equal(await partGeometry(await part(TRIANGLE, [0, 1, 2])), null);
});

test("a chunk model shown by a second viewer gives the same bytes, so its geometry is built and uploaded once", async () => {
  const bytes = await part(TRIANGLE, [0, 1, 2], 0, { offset: [0, 0, 0], scale: [1, 1, 1] });
  // ipywidgets hands over the value as a DataView; each viewer of the page asks the same chunk model
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunk = { get: (/** @type {string} */ name) => (name === "value" ? view : undefined) };
  const first = bytesOfChunk(chunk);
  const second = bytesOfChunk(chunk);
  assert.equal(first, second);
  assert.deepEqual([...first], [...bytes]);
  assert.equal((await partGeometry(first))?.geometry, (await partGeometry(second))?.geometry);
  // a pack's parts are the same slices too
  assert.equal(partsIn(first)[0], partsIn(second)[0]);
  // values of other kinds
  assert.deepEqual([...bytesOfChunk({ get: () => bytes.slice().buffer })], [...bytes]);
  assert.equal(bytesOfChunk({ get: () => null }).byteLength, 0);
});
