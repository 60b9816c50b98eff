// Decodes the binary payload made by gizmo_notebook/viewer/encode.py into three.js geometry.
// Positions arrive as meshoptimizer-coded int16 xyzw (quantized per geometry), indices as
// meshoptimizer-coded uint32; normals are computed here rather than sent.
import * as THREE from "three";
import { MeshoptDecoder } from "meshoptimizer/decoder";

/** Above this many triangles a geometry stays quantized on the GPU and is shaded flat. */
export const FLAT_ABOVE = 200000;

/** Concatenate DataView / ArrayBuffer chunks into one Uint8Array. */
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

/** One BufferGeometry from its meta entry and its two decoded-from buffers (Uint8Array). */
export async function decodeGeometry(g, vertexBytes, indexBytes) {
  await MeshoptDecoder.ready;
  const geometry = new THREE.BufferGeometry();
  const n = g.vertexCount, m = g.indexCount;
  if (!n || !m) return geometry;
  const q = new Int16Array(n * 4);
  MeshoptDecoder.decodeVertexBuffer(new Uint8Array(q.buffer), n, 8, vertexBytes);
  const idx = new Uint32Array(m);
  MeshoptDecoder.decodeIndexBuffer(new Uint8Array(idx.buffer), m, 4, indexBytes);
  if (m / 3 > FLAT_ABOVE) {
    // Big meshes: upload the int16 positions as they are (the mesh's transform applies
    // offset and scale) and shade flat (normals from screen-space derivatives): no
    // dequantizing, no normals pass, half the GPU memory. Facets of a 1M-triangle mesh are
    // sub-pixel anyway.
    geometry.setAttribute("position", new THREE.InterleavedBufferAttribute(new THREE.InterleavedBuffer(q, 4), 3, 0, false));
    geometry.setIndex(new THREE.BufferAttribute(idx, 1));
    geometry.userData.quantized = { offset: g.offset, scale: g.scale };
    geometry.computeBoundingBox();
    geometry.computeBoundingSphere();
    return geometry;
  }
  const pos = new Float32Array(n * 3);
  const [ox, oy, oz] = g.offset, [sx, sy, sz] = g.scale;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    pos[i * 3] = ox + q[j] * sx;
    pos[i * 3 + 1] = oy + q[j + 1] * sy;
    pos[i * 3 + 2] = oz + q[j + 2] * sz;
  }
  geometry.setAttribute("position", new THREE.BufferAttribute(pos, 3));
  geometry.setIndex(new THREE.BufferAttribute(n < 65536 ? new Uint16Array(idx) : idx, 1));
  geometry.computeVertexNormals();
  geometry.computeBoundingBox();
  geometry.computeBoundingSphere();
  return geometry;
}

/**
 * Build every geometry of `meta` from `buffers` (one Uint8Array per meta.buffers entry).
 * A page-wide cache keyed by geometry key means a second viewer of the same model (or the
 * Studio showing it again) decodes nothing.
 */
export async function decodeAll(meta, buffers) {
  const cache = (globalThis.__gizmoGeometryCache ??= new Map());
  const out = {};
  for (const [key, g] of Object.entries(meta.geometries)) {
    if (!cache.has(key)) {
      cache.set(key, decodeGeometry(g, buffers[g.vertexBuffer], buffers[g.indexBuffer]));
    }
    out[key] = await cache.get(key);
  }
  return out;
}
