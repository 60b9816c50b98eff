// @ts-check
// Framing the model (controls.fitCamera): the whole model in view whatever the view's shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as THREE from "three";
import { fitCamera } from "../src/viewer/controls.js";

/** The model's box corners in normalized device coordinates, after fitting a view of `aspect`. */
function cornersAfterFit(/** @type {number} */ aspect, /** @type {THREE.Vector3} */ size) {
  const camera = new THREE.PerspectiveCamera(45, aspect, 0.01, 100);
  camera.up.set(0, 0, 1);
  const controls = { target: new THREE.Vector3(), update() { camera.lookAt(this.target); } };
  const scene = new THREE.Scene();
  const root = new THREE.Group();
  root.add(new THREE.Mesh(new THREE.BoxGeometry(size.x, size.y, size.z)));
  root.position.set(2, -1, 0.5);
  scene.add(root);
  fitCamera(camera, /** @type {any} */ (controls), scene, root);
  camera.updateMatrixWorld(true);
  const box = new THREE.Box3().setFromObject(root);
  const out = [];
  for (const x of [box.min.x, box.max.x]) for (const y of [box.min.y, box.max.y]) for (const z of [box.min.z, box.max.z]) {
    out.push(new THREE.Vector3(x, y, z).project(camera));
  }
  return out;
}

test("the whole model is in view in wide, square and tall narrow views", () => {
  for (const aspect of [2.5, 1, 0.5, 0.2]) {
    for (const size of [new THREE.Vector3(1, 1, 1), new THREE.Vector3(3, 0.2, 0.2), new THREE.Vector3(0.2, 0.2, 3)]) {
      for (const p of cornersAfterFit(aspect, size)) {
        assert.ok(Math.abs(p.x) <= 1 && Math.abs(p.y) <= 1 && p.z < 1, `aspect ${aspect}, box ${size.toArray()}: corner at ${p.toArray()}`);
      }
    }
  }
});

test("a wide view is framed by its height, not shrunk for its width", () => {
  // the model fills the view's height about as much in a wide view as in a square one
  const extent = (/** @type {number} */ aspect) => Math.max(...cornersAfterFit(aspect, new THREE.Vector3(1, 1, 1)).map((p) => Math.abs(p.y)));
  assert.ok(Math.abs(extent(2.5) - extent(1)) < 1e-6);
  assert.ok(extent(0.2) < 0.5 * extent(1), "a tall narrow view steps back");
});
