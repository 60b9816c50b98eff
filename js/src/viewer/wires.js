// @ts-check
// Wireframe: a visual mesh drawn as the distinct edges of its triangles, unlit, in its own
// colour set apart from the background.
//
// Why not three.js' `material.wireframe`: its index draws each triangle's three edges, so an
// edge two triangles share is drawn twice (a closed mesh has 1.5 edges per triangle; that index
// draws 3). Software WebGL (SwiftShader) draws each line as a quad of its own, so lines cost by
// their number: TIAGo++ orbited in wireframe at ~27 fps with every other cost cut. Here a mesh
// gets a LineSegments child over the very same vertex attributes (nothing copied on the GPU)
// with an index of its distinct edges (edgeIndex), and the mesh itself moves to HIDDEN_LAYER,
// which the camera does not draw and the pickers do hit: the mesh stays what is picked,
// highlighted, counted and measured; the lines only draw. Simplified copies of a geometry
// (quality.js) get edges of their own the same way (edgesOf).
import * as THREE from "three";

/** The layer a mesh drawn as wire moves to: not drawn, still picked (controls.js, drag.js). */
export const HIDDEN_LAYER = 1;

/**
 * The distinct edges of a triangle index, as a line index (two entries per edge), each edge
 * once whichever triangles share it and in whatever direction; degenerate edges are left out.
 * Edges are grouped by their lower vertex (a count, a prefix sum, a fill: linear time), so the
 * lines come in vertex order, as the triangles' vertex-cache order had them.
 *
 * @param {ArrayLike<number>} index three entries per triangle
 * @param {number} vertexCount
 * @returns {Uint16Array | Uint32Array} 16-bit while every vertex fits below 0xFFFF (WebGL 2's restart index)
 */
export function edgeIndex(index, vertexCount) {
  const n = index.length - (index.length % 3);
  const first = new Uint32Array(vertexCount + 1); // edges of vertex v (its lower end): first[v] .. first[v + 1]
  const count = (/** @type {number} */ x, /** @type {number} */ y) => { if (x !== y) first[(x < y ? x : y) + 1] += 1; };
  for (let t = 0; t < n; t += 3) {
    count(index[t], index[t + 1]); count(index[t + 1], index[t + 2]); count(index[t + 2], index[t]);
  }
  for (let v = 0; v < vertexCount; v++) first[v + 1] += first[v];
  const next = first.slice(0, vertexCount);
  const upper = new Uint32Array(first[vertexCount]); // the other end of each edge
  const put = (/** @type {number} */ x, /** @type {number} */ y) => {
    if (x < y) upper[next[x]++] = y;
    else if (y < x) upper[next[y]++] = x;
  };
  for (let t = 0; t < n; t += 3) {
    put(index[t], index[t + 1]); put(index[t + 1], index[t + 2]); put(index[t + 2], index[t]);
  }
  const out = new (vertexCount > 0xffff ? Uint32Array : Uint16Array)(2 * upper.length);
  let k = 0;
  for (let v = 0; v < vertexCount; v++) {
    const start = first[v], end = first[v + 1];
    // a handful of edges per vertex: a scan; a fan's centre can have thousands: a set
    const seen = end - start > 32 ? new Set() : null;
    for (let i = start; i < end; i++) {
      const w = upper[i];
      let again = false;
      if (seen) { again = seen.has(w); seen.add(w); }
      else for (let j = start; j < i && !again; j++) again = upper[j] === w;
      if (!again) { out[k++] = v; out[k++] = w; }
    }
  }
  return out.slice(0, k);
}

/** @type {WeakMap<THREE.BufferGeometry, THREE.BufferGeometry>} */
const edgeGeometries = new WeakMap();

/**
 * The edges of `geometry` as a line geometry sharing its position attribute; made once per
 * geometry (geometries are shared page-wide, and so are their edges) and freed with it.
 *
 * @param {THREE.BufferGeometry} geometry
 */
export function edgesOf(geometry) {
  let edges = edgeGeometries.get(geometry);
  if (!edges) {
    const position = geometry.attributes.position;
    const triangles = geometry.index ? geometry.index.array : Uint32Array.from({ length: position.count }, (_, i) => i);
    edges = new THREE.BufferGeometry();
    edges.setAttribute("position", position);
    edges.setIndex(new THREE.BufferAttribute(edgeIndex(triangles, position.count), 1));
    if (!geometry.boundingSphere) geometry.computeBoundingSphere();
    edges.boundingSphere = geometry.boundingSphere; // the same vertices
    edges.boundingBox = geometry.boundingBox;
    edgeGeometries.set(geometry, edges);
    geometry.addEventListener("dispose", () => disposeEdges(geometry));
  }
  return edges;
}

/**
 * Frees the edges of `geometry` (their own index): the position attribute is the geometry's,
 * and three.js frees every attribute of a disposed geometry on the GPU, so it is detached first.
 *
 * @param {THREE.BufferGeometry} geometry
 */
export function disposeEdges(geometry) {
  const edges = edgeGeometries.get(geometry);
  if (!edges) return;
  edgeGeometries.delete(geometry);
  edges.deleteAttribute("position");
  edges.dispose();
}

/**
 * Draw `mesh` as its edges (`on`) or as itself. The lines are made on first use, as a child
 * (they follow the mesh's pose, scale and visibility), never picked themselves; `userData`
 * says whose edges they are (`edgesOf`: the full geometry, for quality.withCopies) and which
 * link and solid material they stand for (drag.js lights a hovered link's wire by its colour).
 *
 * @param {THREE.Mesh} mesh whose material is the solid one
 * @param {boolean} on
 * @param {THREE.ColorRepresentation} background
 */
export function showWire(mesh, on, background) {
  const solid = /** @type {THREE.Material & { color?: THREE.Color }} */ (mesh.material);
  /** @type {THREE.LineSegments | undefined} */ let lines = mesh.userData.wire;
  if (on) {
    if (!lines) {
      lines = new THREE.LineSegments(edgesOf(mesh.geometry));
      lines.userData = { link: mesh.userData.link, solid, edgesOf: mesh.geometry };
      lines.raycast = () => {};
      mesh.add(lines);
      mesh.userData.wire = lines;
    }
    lines.material = wireMaterialOf(solid, background);
  }
  if (lines) lines.visible = on;
  mesh.layers.set(on ? HIDDEN_LAYER : 0);
}

/** @type {WeakMap<THREE.Material, THREE.LineBasicMaterial>} */
const wireMaterials = new WeakMap();
/** The contrast ratio (WCAG's, as for text) a wire's colour keeps with the background. */
const WIRE_CONTRAST = 3;
/** Relative luminance of a (linear) colour, as WCAG defines it. */
const luminance = (/** @type {THREE.Color} */ c) => 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;

/**
 * `color` moved towards black (light background) or white (dark one) just enough to reach a
 * WIRE_CONTRAST ratio with `background`: an unlit white part's lines would vanish on a light
 * page, a black part's on a dark one. Colours with contrast enough are kept as they are.
 *
 * @param {THREE.Color} color
 * @param {THREE.ColorRepresentation} background
 */
export function wireColor(color, background) {
  const lb = luminance(new THREE.Color(background)), lc = luminance(color);
  const light = lb > 0.18; // above this, black gives more contrast than white
  const k = light
    ? 1 - ((lb + 0.05) / WIRE_CONTRAST - 0.05) / Math.max(lc, 1e-6)
    : (WIRE_CONTRAST * (lb + 0.05) - 0.05 - lc) / Math.max(1 - lc, 1e-6);
  return color.clone().lerp(new THREE.Color(light ? 0x000000 : 0xffffff), Math.min(Math.max(k, 0), 1));
}

/**
 * The material a mesh is drawn with in wireframe: its colour (set apart from the background,
 * wireColor), unlit. Lines have no surface to light, and lit, flat-shaded lines cost
 * SwiftShader several triangles each: TIAGo++ orbited in wireframe at 2-6 fps, unlit at ~30.
 * One per solid material, made on first use; `syncWireColor` keeps it in step when the solid's
 * colour (a highlight) or the background (a theme switch) changes.
 *
 * @param {THREE.Material & { color?: THREE.Color }} solid
 * @param {THREE.ColorRepresentation} background
 */
export function wireMaterialOf(solid, background) {
  let wire = wireMaterials.get(solid);
  if (!wire) {
    wire = new THREE.LineBasicMaterial({ transparent: solid.transparent, opacity: solid.opacity });
    wireMaterials.set(solid, wire);
    solid.addEventListener("dispose", () => wire?.dispose());
  }
  syncWireColor(solid, background);
  return wire;
}

/**
 * @param {THREE.Material & { color?: THREE.Color }} solid
 * @param {THREE.ColorRepresentation} background
 */
export function syncWireColor(solid, background) {
  const wire = wireMaterials.get(solid);
  if (wire) wire.color.copy(wireColor(solid.color ?? new THREE.Color(0x888888), background));
}
