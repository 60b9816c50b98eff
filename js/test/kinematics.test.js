// @ts-check
// Forward kinematics of a 2-joint chain, worked out by hand: base -(shoulder: 0.3 m along x and
// 0.2 m up, revolute about z)-> upper -(slide: 1 m further along x, prismatic along x)-> lower.
// The shoulder's origin is off its axis, so applying origin and motion in the wrong order shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as THREE from "three";
import { clampJoint, jointMotion, linkTransforms, SINGLE_DOF } from "../src/viewer/kinematics.js";

/** A column-major 4x4 translation, as encode.py sends joint origins. */
function translation(x, y, z) {
  return new THREE.Matrix4().makeTranslation(x, y, z).toArray();
}

/** @type {import("../src/types.js").ModelMeta} */
const chain = {
  root: "base",
  links: [{ name: "base", visuals: [] }, { name: "upper", visuals: [] }, { name: "lower", visuals: [] }],
  joints: [
    { name: "shoulder", type: "revolute", parent: "base", child: "upper", origin: translation(0.3, 0, 0.2), axis: [0, 0, 1], limits: { lower: -1, upper: 1 } },
    { name: "slide", type: "prismatic", parent: "upper", child: "lower", origin: translation(1, 0, 0), axis: [1, 0, 0], limits: { lower: 0, upper: 0.5 } },
  ],
  bounds: [[0, 0, 0], [1, 1, 1]],
  buffers: [],
};

/** The translation part of a link's transform, rounded for comparison. */
function position(m) {
  return new THREE.Vector3().setFromMatrixPosition(m).toArray().map((v) => Math.round(v * 1e9) / 1e9 + 0);
}

test("the chain at rest: each link at its joint origins", () => {
  const t = linkTransforms(chain, {});
  assert.deepEqual(position(t.get("base")), [0, 0, 0]);
  assert.deepEqual(position(t.get("upper")), [0.3, 0, 0.2]);
  assert.deepEqual(position(t.get("lower")), [1.3, 0, 0.2]);
});

test("a bent shoulder swings the child's origin; the slider moves along the turned axis", () => {
  const t = linkTransforms(chain, { shoulder: 0.5, slide: 0.25 });
  const c = Math.cos(0.5), s = Math.sin(0.5);
  // lower = the shoulder's origin, then Rz(0.5) applied to (1 + 0.25, 0, 0)
  assert.deepEqual(position(t.get("upper")), [0.3, 0, 0.2]);
  assert.deepEqual(position(t.get("lower")), [0.3 + 1.25 * c, 1.25 * s, 0.2].map((v) => Math.round(v * 1e9) / 1e9 + 0));
  // and it is turned like the upper link
  const q = new THREE.Quaternion().setFromRotationMatrix(/** @type {THREE.Matrix4} */ (t.get("lower")));
  assert.ok(Math.abs(new THREE.Euler().setFromQuaternion(q).z - 0.5) < 1e-9);
});

test("positions outside the limits are clamped, as the sliders show them", () => {
  const t = linkTransforms(chain, { shoulder: 3, slide: 2 });
  const c = Math.cos(1), s = Math.sin(1); // shoulder stops at 1 rad, slide at 0.5 m
  assert.deepEqual(position(t.get("lower")), [0.3 + 1.5 * c, 1.5 * s, 0.2].map((v) => Math.round(v * 1e9) / 1e9 + 0));
});

test("a joint whose zero lies outside its limits rests at the nearest limit", () => {
  const lifted = { ...chain, joints: [chain.joints[0], { ...chain.joints[1], limits: { lower: 0.1, upper: 0.5 } }] };
  assert.deepEqual(position(linkTransforms(lifted, {}).get("lower")), [1.4, 0, 0.2]);
});

test("clampJoint: single numbers clamped for limited joints, arrays passed through", () => {
  const hinge = chain.joints[0];
  assert.equal(clampJoint(hinge, 5), 1);
  assert.equal(clampJoint(hinge, "0.5"), 0.5);
  assert.equal(clampJoint(hinge, "not a number"), 0);
  assert.equal(clampJoint({ ...hinge, type: "continuous" }, 5), 5);
  assert.deepEqual(clampJoint({ ...hinge, type: "ball" }, ["1", 0, 0, 0]), [1, 0, 0, 0]);
  assert.deepEqual([...SINGLE_DOF].sort(), ["continuous", "prismatic", "revolute"]);
});

test("jointMotion of a planar joint: x, y in the plane, then theta about the axis", () => {
  const planar = { ...chain.joints[0], type: "planar", axis: [0, 0, 1] };
  const m = jointMotion(planar, [0.3, -0.2, Math.PI / 2]);
  assert.deepEqual(position(m), [0.3, -0.2, 0]);
  const x = new THREE.Vector3(1, 0, 0).applyMatrix4(m).sub(new THREE.Vector3().setFromMatrixPosition(m));
  assert.ok(x.distanceTo(new THREE.Vector3(0, 1, 0)) < 1e-9);
  assert.deepEqual(position(jointMotion(planar, null)), [0, 0, 0]); // at rest
});
