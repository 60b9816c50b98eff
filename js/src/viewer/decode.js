// @ts-check
// Decodes the binary payload made by gizmo_notebook/viewer/encode.py into three.js geometry.
// A geometry arrives as one or more self-describing *parts*: a 24-byte header ("GZP1", vertex
// count, index count, vertex-codec bytes, index-codec bytes, flags; uint32 little-endian; flag
// 1 = part of a big mesh, drawn quantized and flat-shaded), then
// meshoptimizer-coded int16 xyzw positions (quantized per geometry) and meshoptimizer-coded
// indices local to the part. Normals are computed here rather than sent.
import * as THREE from "three";
import { MeshoptDecoder } from "meshoptimizer/decoder";

/** Quantized positions span [-QMAX, QMAX] on each axis (gizmo_notebook/viewer/encode.py). */
const QMAX = 32767;
const MAGIC = 0x31505a47; // "GZP1" read as a little-endian uint32
const HEADER_BYTES = 24;

/**
 * Concatenate DataView / ArrayBuffer chunks into one Uint8Array.
 * @param {(ArrayBuffer | ArrayBufferView)[]} chunks
 * @returns {Uint8Array}
 */
export function concatChunks(chunks) {
  const views = chunks.map((c) =>
    c instanceof Uint8Array ? c : ArrayBuffer.isView(c) ? new Uint8Array(c.buffer, c.byteOffset, c.byteLength) : new Uint8Array(c),
  );
  if (views.length === 1) return views[0];
  const total = views.reduce((n, v) => n + v.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const v of views) { out.set(v, at); at += v.byteLength; }
  return out;
}

/**
 * The header of a part, or null when `bytes` is not one whole part (e.g. one chunk of several).
 * @param {Uint8Array | null | undefined} bytes
 */
export function partHeader(bytes) {
  if (!bytes || bytes.byteLength < HEADER_BYTES) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (dv.getUint32(0, true) !== MAGIC) return null;
  const header = {
    vertexCount: dv.getUint32(4, true), indexCount: dv.getUint32(8, true),
    vertexBytes: dv.getUint32(12, true), indexBytes: dv.getUint32(16, true),
    flat: (dv.getUint32(20, true) & 1) === 1,
  };
  return HEADER_BYTES + header.vertexBytes + header.indexBytes === bytes.byteLength ? header : null;
}

// Decoded parts, per bytes object: a part decoded on arrival (before the metadata that names
// it) is not decoded again when the model is built.
const decodedParts = new WeakMap();

/**
 * Decode one part into `{ q: Int16Array (xyzw), index: Uint16Array | Uint32Array }` (memoized).
 * Parts of up to 65,535 vertices decode straight to 16-bit indices: half the index memory and
 * upload. (Not 65,536: WebGL 2 always treats index 0xFFFF as a primitive restart.)
 * @param {Uint8Array} bytes
 * @returns {Promise<{ q: Int16Array, index: Uint16Array | Uint32Array }>}
 */
export function decodePart(bytes) {
  let done = decodedParts.get(bytes);
  if (!done) {
    done = MeshoptDecoder.ready.then(() => {
      const h = partHeader(bytes);
      if (!h) throw new Error("malformed geometry part");
      const q = new Int16Array(h.vertexCount * 4);
      const wide = h.vertexCount > 65535;
      const index = wide ? new Uint32Array(h.indexCount) : new Uint16Array(h.indexCount);
      if (h.vertexCount && h.indexCount) {
        const vertexStream = bytes.subarray(HEADER_BYTES, HEADER_BYTES + h.vertexBytes);
        const indexStream = bytes.subarray(HEADER_BYTES + h.vertexBytes);
        MeshoptDecoder.decodeVertexBuffer(new Uint8Array(q.buffer), h.vertexCount, 8, vertexStream);
        MeshoptDecoder.decodeIndexBuffer(new Uint8Array(index.buffer), h.indexCount, wide ? 4 : 2, indexStream);
      }
      return { q, index };
    });
    decodedParts.set(bytes, done);
  }
  return done;
}

/**
 * Flat parts (big meshes): the int16 positions go to the GPU as they are (the mesh's transform
 * applies offset and scale) and are shaded flat (normals from screen-space derivatives): no
 * dequantizing, no normals pass, half the GPU memory. Facets of a 1M-triangle mesh are
 * sub-pixel anyway.
 */
const flatGeometries = new WeakMap();
function flatPartGeometry(bytes) {
  let done = flatGeometries.get(bytes);
  if (!done) {
    done = decodePart(bytes).then(({ q, index }) => {
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute("position", new THREE.InterleavedBufferAttribute(new THREE.InterleavedBuffer(q, 4), 3, 0, false));
      geometry.setIndex(new THREE.BufferAttribute(index, 1));
      // The encoder maps each axis' extent onto [-QMAX, QMAX], so the bounds are known without
      // a pass over the vertices (computeBoundingBox on 500k interleaved vertices: ~20 ms).
      geometry.boundingBox = new THREE.Box3(new THREE.Vector3(-QMAX, -QMAX, -QMAX), new THREE.Vector3(QMAX, QMAX, QMAX));
      geometry.boundingSphere = geometry.boundingBox.getBoundingSphere(new THREE.Sphere());
      return geometry;
    });
    flatGeometries.set(bytes, done);
  }
  return done;
}

/** Small parts: dequantized float positions and smooth normals (creases were split by the encoder). */
function smoothGeometry({ q, index }, g) {
  const geometry = new THREE.BufferGeometry();
  const n = q.length / 4;
  const pos = new Float32Array(n * 3);
  const [ox, oy, oz] = g.offset, [sx, sy, sz] = g.scale;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    pos[i * 3] = ox + q[j] * sx;
    pos[i * 3 + 1] = oy + q[j + 1] * sy;
    pos[i * 3 + 2] = oz + q[j + 2] * sz;
  }
  geometry.setAttribute("position", new THREE.BufferAttribute(pos, 3));
  geometry.setIndex(new THREE.BufferAttribute(index, 1));
  geometry.computeVertexNormals();
  geometry.computeBoundingBox();
  geometry.computeBoundingSphere();
  return geometry;
}

/**
 * One geometry's parts: `[{ geometry, quantized }]`, where `quantized` (flat parts only) is the
 * `{ offset, scale }` the mesh drawing it must apply. It belongs to the geometry entry, not to
 * the BufferGeometry: two meshes of one shape at different places or sizes share their parts'
 * bytes, hence their BufferGeometries.
 */
export async function decodeGeometry(g, buffers) {
  const out = [];
  for (const i of g.parts || []) {
    const decoded = await decodePart(buffers[i]);
    if (!decoded.index.length) continue;
    if (g.flat) out.push({ geometry: await flatPartGeometry(buffers[i]), quantized: { offset: g.offset, scale: g.scale } });
    else out.push({ geometry: smoothGeometry(decoded, g), quantized: null });
  }
  return out;
}

/**
 * Build every geometry of `meta` from `buffers` (one Uint8Array per meta.buffers entry):
 * key -> [{ geometry, quantized }] (one per part, see decodeGeometry). A page-wide cache keyed by geometry key means a
 * second viewer of the same model (or the Studio showing it again) decodes nothing.
 */
export async function decodeAll(meta, buffers) {
  const cache = (globalThis.__gizmoGeometryCache ??= new Map());
  const out = {};
  for (const [key, g] of Object.entries(meta.geometries)) {
    if (!cache.has(key)) cache.set(key, decodeGeometry(g, buffers));
    out[key] = await cache.get(key);
  }
  return out;
}
