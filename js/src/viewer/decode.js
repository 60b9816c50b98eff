// @ts-check
// Decodes the binary payload made by gizmo_notebook/viewer/encode.py into three.js geometry.
// A geometry arrives as one or more self-describing *parts*: a 24-byte header ("GZP1", vertex
// count, index count, vertex-codec bytes, index-codec bytes, flags; uint32 little-endian; flag
// 1 = part of a big mesh, drawn quantized and flat-shaded; flag 2 = the part carries UVs, and
// one more uint32 follows: the UV-codec bytes; flag 4 = six float64 follow: the geometry's
// offset and scale, so a small mesh's part is built into a geometry the moment it arrives,
// before the metadata), then meshoptimizer-coded int16 xyzw positions
// (quantized per geometry), meshoptimizer-coded indices local to the part and, with flag 2,
// meshoptimizer-coded float32 (u, v) per vertex. Normals are computed here rather than sent.
// Texture images arrive as their own buffers (PNG / JPEG bytes), listed in meta.textures.
import * as THREE from "three";
import { MeshoptDecoder } from "meshoptimizer/decoder";
import { PACK_ALIGN } from "../generated/constants.js";

/** Quantized positions span [-QMAX, QMAX] on each axis (gizmo_notebook/viewer/encode.py). */
const QMAX = 32767;
const MAGIC = 0x31505a47; // "GZP1" read as a little-endian uint32
const HEADER_BYTES = 24;
const DEQUANTIZE_BYTES = 48;

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
 * The header of the part starting at `at` in `bytes` (a part's own bytes, or a pack of parts),
 * with `size`, its length in bytes; null when no whole part starts there.
 * @param {Uint8Array} bytes
 * @param {number} at
 */
function headerAt(bytes, at) {
  if (at + HEADER_BYTES > bytes.byteLength) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, Math.min(bytes.byteLength - at, HEADER_BYTES + 4 + DEQUANTIZE_BYTES));
  if (dv.getUint32(0, true) !== MAGIC) return null;
  const flags = dv.getUint32(20, true);
  const hasUv = (flags & 2) === 2, hasDequantize = (flags & 4) === 4;
  const bodyStart = HEADER_BYTES + (hasUv ? 4 : 0) + (hasDequantize ? DEQUANTIZE_BYTES : 0);
  if (dv.byteLength < bodyStart) return null;
  const at64 = (/** @type {number} */ i) => dv.getFloat64(bodyStart - DEQUANTIZE_BYTES + 8 * i, true);
  const header = {
    vertexCount: dv.getUint32(4, true), indexCount: dv.getUint32(8, true),
    vertexBytes: dv.getUint32(12, true), indexBytes: dv.getUint32(16, true),
    flat: (flags & 1) === 1,
    uvBytes: hasUv ? dv.getUint32(HEADER_BYTES, true) : -1,
    /** @type {{ offset: number[], scale: number[] } | null} */
    dequantize: hasDequantize ? { offset: [at64(0), at64(1), at64(2)], scale: [at64(3), at64(4), at64(5)] } : null,
    bodyStart,
    size: 0,
  };
  header.size = header.bodyStart + header.vertexBytes + header.indexBytes + Math.max(header.uvBytes, 0);
  return at + header.size <= bytes.byteLength ? header : null;
}

/**
 * The header of a part, or null when `bytes` is not one whole part (e.g. one chunk of several).
 * @param {Uint8Array | null | undefined} bytes
 */
export function partHeader(bytes) {
  const header = bytes ? headerAt(bytes, 0) : null;
  return header && header.size === bytes?.byteLength ? header : null;
}

/** A widget value's bytes as a Uint8Array (ipywidgets hands over a DataView, an ArrayBuffer or bytes). */
function bytesOf(value) {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(0);
}

// One bytes object per chunk model, for the whole page. Chunk models are content-addressed and
// shared: a second viewer of a model the page already has gets the same chunk models, and so
// the same bytes objects, which is what the parts and geometries below are memoized by. A new
// wrapper per viewer decoded, built and uploaded every small mesh again on arrival, only for
// decodeAll's page-wide cache to drop the result at the metadata.
const chunkBytes = new WeakMap();
/**
 * The bytes of a chunk widget model (its `value`), the same object every time it is asked.
 * @param {{ get(name: string): any }} chunkModel
 * @returns {Uint8Array}
 */
export function bytesOfChunk(chunkModel) {
  let bytes = chunkBytes.get(chunkModel);
  if (!bytes) chunkBytes.set(chunkModel, (bytes = bytesOf(chunkModel.get("value"))));
  return bytes;
}

// Slices of packs, one object per (pack, offset): a part decoded on arrival (decodePart
// memoizes per bytes object) is the very object the model is later built from.
const slices = new WeakMap();
/**
 * The bytes a chunk reference names: the whole chunk, or a slice of a pack.
 * @param {Uint8Array} bytes
 * @param {{ size: number, offset?: number }} ref
 */
export function chunkSlice(bytes, ref) {
  if (ref.offset === undefined) return bytes;
  let mine = slices.get(bytes);
  if (!mine) slices.set(bytes, (mine = new Map()));
  const key = `${ref.offset}:${ref.size}`;
  if (!mine.has(key)) mine.set(key, bytes.subarray(ref.offset, ref.offset + ref.size));
  return mine.get(key);
}

/**
 * The geometry parts a chunk holds, before the metadata says where: the chunk itself, or the
 * parts laid end to end in a pack (each starts on a 16-byte boundary; the walk stops at
 * anything that is not a part, such as an image: those wait for the metadata).
 * @param {Uint8Array} bytes
 * @returns {Uint8Array[]}
 */
export function partsIn(bytes) {
  if (partHeader(bytes)) return [bytes];
  const found = [];
  for (let at = 0; at < bytes.byteLength;) {
    const h = headerAt(bytes, at);
    if (!h) break;
    found.push(chunkSlice(bytes, { offset: at, size: h.size }));
    at += Math.ceil(h.size / PACK_ALIGN) * PACK_ALIGN;
  }
  return found;
}

// Decoded parts, per bytes object: a part decoded on arrival (before the metadata that names
// it) is not decoded again when the model is built.
const decodedParts = new WeakMap();

/**
 * Decode one part into `{ q: Int16Array (xyzw), index: Uint16Array | Uint32Array, uv: Float32Array | null }`
 * (memoized; `uv` only for the parts of textured meshes).
 * Parts of up to 65,535 vertices decode straight to 16-bit indices: half the index memory and
 * upload. (Not 65,536: WebGL 2 always treats index 0xFFFF as a primitive restart.)
 * @param {Uint8Array} bytes
 * @returns {Promise<{ q: Int16Array, index: Uint16Array | Uint32Array, uv: Float32Array | null }>}
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
      const uv = h.uvBytes >= 0 ? new Float32Array(h.vertexCount * 2) : null;
      if (h.vertexCount && h.indexCount) {
        const at = h.bodyStart;
        const vertexStream = bytes.subarray(at, at + h.vertexBytes);
        const indexStream = bytes.subarray(at + h.vertexBytes, at + h.vertexBytes + h.indexBytes);
        MeshoptDecoder.decodeVertexBuffer(new Uint8Array(q.buffer), h.vertexCount, 8, vertexStream);
        MeshoptDecoder.decodeIndexBuffer(new Uint8Array(index.buffer), h.indexCount, wide ? 4 : 2, indexStream);
        if (uv) MeshoptDecoder.decodeVertexBuffer(new Uint8Array(uv.buffer), h.vertexCount, 8, bytes.subarray(at + h.vertexBytes + h.indexBytes));
      }
      return { q, index, uv };
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
    done = decodePart(bytes).then(({ q, index, uv }) => {
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute("position", new THREE.InterleavedBufferAttribute(new THREE.InterleavedBuffer(q, 4), 3, 0, false));
      if (uv) geometry.setAttribute("uv", new THREE.BufferAttribute(uv, 2));
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

/**
 * Smooth per-vertex normals of an indexed triangle mesh: each vertex gets the sum of its
 * triangles' area-weighted normals, normalized (what three.js' computeVertexNormals gives).
 * Written over the typed arrays: computeVertexNormals goes through getX / setXYZ per corner and
 * took ~55 ms of TIAGo++'s ~100 ms decode after its metadata arrived, before the first frame.
 *
 * @param {Float32Array} pos xyz per vertex
 * @param {ArrayLike<number>} index three entries per triangle
 * @returns {Float32Array}
 */
export function vertexNormals(pos, index) {
  const normals = new Float32Array(pos.length);
  for (let t = 0; t + 2 < index.length; t += 3) {
    const a = 3 * index[t], b = 3 * index[t + 1], c = 3 * index[t + 2];
    const ux = pos[b] - pos[a], uy = pos[b + 1] - pos[a + 1], uz = pos[b + 2] - pos[a + 2];
    const vx = pos[c] - pos[a], vy = pos[c + 1] - pos[a + 1], vz = pos[c + 2] - pos[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx; // twice the area, outward for a counter-clockwise a, b, c
    normals[a] += nx; normals[a + 1] += ny; normals[a + 2] += nz;
    normals[b] += nx; normals[b + 1] += ny; normals[b + 2] += nz;
    normals[c] += nx; normals[c + 1] += ny; normals[c + 2] += nz;
  }
  for (let i = 0; i < normals.length; i += 3) {
    const length = Math.hypot(normals[i], normals[i + 1], normals[i + 2]);
    if (length > 0) { normals[i] /= length; normals[i + 1] /= length; normals[i + 2] /= length; }
  }
  return normals;
}

/**
 * Small parts: dequantized float positions and smooth normals (creases were split by the
 * encoder); `g` has the `offset` and `scale` (the part's own, or its geometry's in the metadata). The bounds come out of the same pass over the vertices (three.js' own
 * computeBoundingBox / Sphere read every vertex through an accessor: ~20 ms for TIAGo++).
 */
function smoothGeometry({ q, index, uv }, g) {
  const geometry = new THREE.BufferGeometry();
  const n = q.length / 4;
  const pos = new Float32Array(n * 3);
  const [ox, oy, oz] = g.offset, [sx, sy, sz] = g.scale;
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    for (let k = 0; k < 3; k++) {
      if (q[j + k] < min[k]) min[k] = q[j + k];
      if (q[j + k] > max[k]) max[k] = q[j + k];
    }
    pos[i * 3] = ox + q[j] * sx;
    pos[i * 3 + 1] = oy + q[j + 1] * sy;
    pos[i * 3 + 2] = oz + q[j + 2] * sz;
  }
  geometry.setAttribute("position", new THREE.BufferAttribute(pos, 3));
  if (uv) geometry.setAttribute("uv", new THREE.BufferAttribute(uv, 2));
  geometry.setIndex(new THREE.BufferAttribute(index, 1));
  geometry.setAttribute("normal", new THREE.BufferAttribute(vertexNormals(pos, index), 3));
  if (n > 0) {
    const at = (/** @type {number[]} */ v) => new THREE.Vector3(ox + v[0] * sx, oy + v[1] * sy, oz + v[2] * sz);
    geometry.boundingBox = new THREE.Box3(at(min), at(max));
    const center = geometry.boundingBox.getCenter(new THREE.Vector3());
    let r2 = 0;
    for (let i = 0; i < pos.length; i += 3) {
      r2 = Math.max(r2, (pos[i] - center.x) ** 2 + (pos[i + 1] - center.y) ** 2 + (pos[i + 2] - center.z) ** 2);
    }
    geometry.boundingSphere = new THREE.Sphere(center, Math.sqrt(r2));
  } else {
    geometry.computeBoundingBox();
    geometry.computeBoundingSphere();
  }
  return geometry;
}

// Small parts that carry their own dequantization, built once per bytes object: on arrival
// (partGeometry, before the metadata) and then by decodeGeometry, the very same geometry.
const smoothGeometries = new WeakMap();
/** @param {Uint8Array} bytes a part whose header has `dequantize` */
function ownSmoothGeometry(bytes) {
  let done = smoothGeometries.get(bytes);
  if (!done) {
    done = decodePart(bytes).then((decoded) => smoothGeometry(decoded, /** @type {any} */ (partHeader(bytes)).dequantize));
    smoothGeometries.set(bytes, done);
  }
  return done;
}

/**
 * The geometry of a part that just arrived, before the metadata: a big mesh's flat part, or a
 * small mesh's part that carries its dequantization; null for a part
 * that needs the metadata to be built (parts from before flag 4). The model is later built
 * from these very geometries (decodeGeometry), so what was uploaded on arrival stays uploaded.
 * @param {Uint8Array} bytes
 * @returns {Promise<{ geometry: THREE.BufferGeometry, flat: boolean } | null>}
 */
export async function partGeometry(bytes) {
  const h = partHeader(bytes);
  if (!h || !h.indexCount || (!h.flat && !h.dequantize)) {
    if (h) await decodePart(bytes); // the metadata will tell how to build it; decoded meanwhile
    return null;
  }
  const geometry = await (h.flat ? flatPartGeometry(bytes) : ownSmoothGeometry(bytes));
  return { geometry, flat: h.flat };
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
    else if (partHeader(buffers[i])?.dequantize) out.push({ geometry: await ownSmoothGeometry(buffers[i]), quantized: null });
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

/**
 * Every texture of `meta` (meta.textures: key -> { buffer, mime }) as a three.js texture:
 * key -> Promise<THREE.Texture>. The image file's bytes are decoded by the browser (an <img>
 * from a Blob URL, so three.js' default flipY matches the UVs' OpenGL convention); colours
 * are sRGB and repeat past [0, 1] as MuJoCo and glTF do. A page-wide cache keyed by content
 * means the same image is decoded and uploaded once however many visuals or viewers use it.
 */
export function decodeTextures(meta, buffers) {
  const cache = (globalThis.__gizmoTextureCache ??= new Map());
  const out = {};
  for (const [key, t] of Object.entries(meta.textures || {})) {
    if (!cache.has(key)) {
      const bytes = buffers[t.buffer];
      const url = URL.createObjectURL(new Blob([bytes], { type: t.mime }));
      const image = new Image();
      image.src = url;
      const loaded = image.decode().then(() => {
        const texture = new THREE.Texture(image);
        texture.colorSpace = THREE.SRGBColorSpace;
        texture.wrapS = texture.wrapT = THREE.RepeatWrapping;
        texture.anisotropy = 4;
        texture.needsUpdate = true;
        return texture;
      }).finally(() => URL.revokeObjectURL(url));
      loaded.catch(() => cache.delete(key)); // a failed image is tried again by the next model
      cache.set(key, loaded);
    }
    out[key] = cache.get(key);
  }
  return out;
}
