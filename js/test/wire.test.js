// @ts-check
// Wireframe (src/viewer/wires.js): each distinct edge drawn once, over the mesh's own vertices,
// in unlit lines whose colour keeps apart from the background.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as THREE from "three";
import { HIDDEN_LAYER, disposeEdges, edgeIndex, edgesOf, showWire, syncWireColor, wireColor, wireMaterialOf } from "../src/viewer/wires.js";
import { buildLods, disposeLods, withCopies } from "../src/viewer/quality.js";
import { linkRaycaster } from "../src/viewer/controls.js";
import { gridMesh } from "./fixtures/meshes.js";

const lum = (/** @type {THREE.Color} */ c) => 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
const contrast = (/** @type {THREE.Color} */ a, /** @type {number} */ b) => {
  const [x, y] = [lum(a), lum(new THREE.Color(b))].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const LIGHT = 0xf5f5f5, DARK = 0x1a1a1a;

test("a wire colour too close to the background moves away from it; a distinct one is kept", () => {
  const white = new THREE.Color(0xffffff), black = new THREE.Color(0x000000), blue = new THREE.Color(0x1976d2);
  const onLight = wireColor(white, LIGHT);
  assert.ok(lum(onLight) < lum(white) && contrast(onLight, LIGHT) >= 2.99, `white on a light page: ${onLight.getHexString()}`);
  const onDark = wireColor(black, DARK);
  assert.ok(lum(onDark) > lum(black) && contrast(onDark, DARK) >= 2.99, `black on a dark page: ${onDark.getHexString()}`);
  assert.equal(wireColor(black, LIGHT).getHexString(), "000000", "black on a light page stays black");
  assert.equal(wireColor(white, DARK).getHexString(), "ffffff", "white on a dark page stays white");
  const tinted = wireColor(new THREE.Color(0xddeeff), LIGHT);
  assert.ok(tinted.b > tinted.r, "a tint keeps its hue, only darker");
  assert.ok(contrast(blue, DARK) >= 3, "the blue below has contrast enough on a dark page");
  assert.equal(wireColor(blue, DARK).getHexString(), "1976d2", "a colour with contrast enough is kept as it is");
});

test("one unlit wire material per solid, following the solid's colour and the background", () => {
  const solid = new THREE.MeshLambertMaterial({ color: 0xffffff, transparent: true, opacity: 0.5 });
  const wire = wireMaterialOf(solid, LIGHT);
  assert.equal(wire.type, "LineBasicMaterial");
  assert.ok(wire.transparent && wire.opacity === 0.5);
  assert.equal(wireMaterialOf(solid, LIGHT), wire, "made once");
  const before = wire.color.getHexString();
  solid.color.set(0xff0000);
  syncWireColor(solid, LIGHT);
  assert.notEqual(wire.color.getHexString(), before, "a highlight reaches the wire");
  wireMaterialOf(solid, DARK);
  assert.equal(wire.color.getHexString(), "ff0000", "red stands out on a dark page as it is");
  let disposed = false;
  wire.addEventListener("dispose", () => { disposed = true; });
  solid.dispose();
  assert.ok(disposed, "the wire twin goes with its solid");
});

/** The distinct undirected edges of a triangle index, the slow and obvious way. */
function edgeSet(/** @type {ArrayLike<number>} */ index) {
  const edges = new Set();
  for (let t = 0; t + 2 < index.length; t += 3) {
    for (const [a, b] of [[index[t], index[t + 1]], [index[t + 1], index[t + 2]], [index[t + 2], index[t]]]) {
      if (a !== b) edges.add(a < b ? `${a}-${b}` : `${b}-${a}`);
    }
  }
  return edges;
}
/** The edges a line index draws, and how many times it draws one of them twice. */
function drawnEdges(/** @type {ArrayLike<number>} */ lines) {
  const edges = new Set();
  let twice = 0;
  for (let i = 0; i < lines.length; i += 2) {
    const key = lines[i] < lines[i + 1] ? `${lines[i]}-${lines[i + 1]}` : `${lines[i + 1]}-${lines[i]}`;
    if (edges.has(key)) twice += 1;
    edges.add(key);
  }
  return { edges, twice };
}

test("edgeIndex draws each edge of a triangle index once, whichever triangles share it", () => {
  const quad = edgeIndex([0, 1, 2, 2, 1, 3], 4); // two triangles sharing 1-2
  assert.equal(quad.length, 2 * 5);
  assert.deepEqual(drawnEdges(quad).edges, edgeSet([0, 1, 2, 2, 1, 3]));

  // a grid, its triangles shuffled and turned (edges shared in both directions), one degenerate
  const grid = /** @type {THREE.BufferAttribute} */ (gridMesh(5_000).geometry.index).array;
  const triangles = [];
  for (let t = 0; t < grid.length; t += 3) triangles.push([grid[t], grid[t + 1], grid[t + 2]]);
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = triangles.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [triangles[i], triangles[j]] = [triangles[j], triangles[i]];
  }
  const index = triangles.flatMap(([a, b, c], i) => (i % 2 ? [b, c, a] : [a, b, c])).concat([5, 5, 6]);
  const vertices = Math.max(...index) + 1;
  const lines = edgeIndex(index, vertices);
  const { edges, twice } = drawnEdges(lines);
  assert.equal(twice, 0, "no edge drawn twice");
  assert.deepEqual(edges, edgeSet(index), "every edge drawn");
  const k = Math.round(Math.sqrt(vertices)) - 1; // (k + 1)^2 vertices: rows, columns, diagonals
  assert.equal(lines.length / 2, 2 * k * (k + 1) + k * k);
  assert.ok(lines.length / 2 < 0.55 * (index.length), "about half the lines of one per triangle side");
  assert.ok(lines instanceof Uint16Array);

  // a fan: the centre has hundreds of edges (the set path); 32-bit once vertices pass 0xFFFF
  const fan = [];
  for (let i = 1; i <= 300; i++) fan.push(0, i, (i % 300) + 1);
  const fanLines = edgeIndex(fan, 301);
  assert.deepEqual(drawnEdges(fanLines).edges, edgeSet(fan));
  assert.equal(fanLines.length / 2, 600);
  assert.ok(edgeIndex([0, 1, 70_000], 70_001) instanceof Uint32Array);
  assert.equal(edgeIndex([], 0).length, 0);
});

test("a geometry's edges share its vertices, are made once and go when it goes, leaving its attributes", () => {
  const { geometry } = gridMesh(2_000);
  const edges = edgesOf(geometry);
  assert.equal(edges.attributes.position, geometry.attributes.position, "nothing copied");
  assert.equal(edgesOf(geometry), edges, "made once");
  assert.ok(edges.boundingSphere && edges.boundingSphere === geometry.boundingSphere);
  let freed = false;
  edges.addEventListener("dispose", () => { freed = true; });
  geometry.dispose();
  assert.ok(freed, "disposed with its geometry");
  assert.deepEqual(Object.keys(edges.attributes), [], "the shared position was detached before");
  assert.ok(geometry.attributes.position);
  assert.notEqual(edgesOf(geometry), edges, "made again if asked again");
  disposeEdges(geometry);
});

test("a mesh shown as wire draws its edges as lines, is still picked, and comes back whole", () => {
  const mesh = gridMesh(2_000);
  mesh.userData.link = "base";
  const solid = /** @type {THREE.MeshBasicMaterial} */ (mesh.material);
  solid.color.set(0xffffff);
  const camera = new THREE.PerspectiveCamera(45, 1, 0.01, 100);
  camera.position.set(0.5, 0.5, 3);
  camera.lookAt(0.5, 0.5, 0);
  camera.updateMatrixWorld();
  const root = new THREE.Group();
  root.add(mesh);
  root.updateMatrixWorld(true);
  const hits = (/** @type {THREE.Raycaster} */ ray) => {
    ray.setFromCamera(new THREE.Vector2(0, 0), camera);
    return [...new Set(ray.intersectObject(root, true).map((h) => h.object))];
  };

  showWire(mesh, true, LIGHT);
  assert.equal(mesh.layers.mask, 1 << HIDDEN_LAYER);
  const lines = /** @type {THREE.LineSegments} */ (mesh.children[0]);
  assert.ok(lines.isLineSegments && lines.visible);
  assert.equal(lines.geometry, edgesOf(mesh.geometry));
  assert.equal(lines.material, wireMaterialOf(solid, LIGHT), "the solid's unlit twin");
  assert.ok(contrast(/** @type {THREE.LineBasicMaterial} */ (lines.material).color, LIGHT) >= 2.99, "white lines darkened on a light page");
  assert.equal(mesh.material, solid, "the mesh keeps its material");
  assert.ok(!mesh.layers.test(camera.layers), "the camera does not draw the triangles");
  assert.ok(lines.layers.test(camera.layers), "it draws the lines");
  assert.deepEqual(hits(linkRaycaster()), [mesh], "picking hits the mesh, never its lines");
  assert.deepEqual(hits(new THREE.Raycaster()), [], "(a plain raycaster would miss it)");
  assert.equal(lines.userData.link, "base");

  showWire(mesh, false, LIGHT);
  assert.ok(mesh.layers.test(camera.layers) && !lines.visible, "solid again");
  showWire(mesh, true, DARK);
  assert.equal(mesh.children.length, 1, "the lines are made once");
  assert.equal(/** @type {THREE.LineBasicMaterial} */ (lines.material).color.getHexString(), "ffffff", "white stays white on a dark page");
});

test("moving frames draw the edges of the simplified copy; the full edges come back after", async () => {
  const root = new THREE.Group();
  const big = gridMesh(80_000);
  root.add(big);
  showWire(big, true, LIGHT);
  const lines = /** @type {THREE.LineSegments} */ (big.children[0]);
  const full = lines.geometry;
  const lods = await buildLods(root);
  const lod = /** @type {THREE.BufferGeometry} */ (lods.get(big.geometry));
  /** @type {THREE.BufferGeometry | null} */ let during = null;
  withCopies(root, lods, () => { during = lines.geometry; });
  assert.equal(during, edgesOf(lod));
  assert.ok(/** @type {any} */ (during).index.count < 0.5 * /** @type {any} */ (full).index.count, "fewer lines than the full edges");
  assert.equal(lines.geometry, full);
  assert.equal(big.geometry.attributes.position, full.attributes.position);
  const copyEdges = edgesOf(lod);
  disposeLods(lods);
  assert.deepEqual(Object.keys(copyEdges.attributes), [], "a copy's edges go with the copy");
  assert.ok(full.attributes.position, "the full edges stay");
});
