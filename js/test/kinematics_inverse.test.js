// @ts-check
// jointValuesOf (what the sliders show while a playback of link poses plays) is the inverse of
// linkTransforms (what the viewport draws at a pose), and draggableJoint finds the joint a drag
// on a link moves. Run: cd js && node --test test/
import { test } from "node:test";
import assert from "node:assert/strict";
import * as THREE from "three";
import { draggableJoint, jointValuesOf, linkTransforms } from "../src/viewer/kinematics.js";

const origin = (x, y, z, rx) => new THREE.Matrix4().makeRotationX(rx).setPosition(x, y, z).toArray();
const META = {
  root: "base",
  joints: [
    { name: "yaw", type: "continuous", parent: "base", child: "a", axis: [0, 0, 1], origin: origin(0, 0, 0.1, 0) },
    { name: "lift", type: "prismatic", parent: "a", child: "b", axis: [0.3, 0, 1], origin: origin(0.1, 0, 0.2, 0.4),
      limits: { lower: -0.2, upper: 0.3 } },
    { name: "bolt", type: "fixed", parent: "b", child: "c", axis: [1, 0, 0], origin: origin(0, 0.05, 0, 0) },
    { name: "wrist", type: "revolute", parent: "c", child: "d", axis: [1, 1, 0], origin: origin(0, 0, 0.3, -0.7),
      limits: { lower: -2, upper: 2.5 } },
  ],
};

test("jointValuesOf inverts linkTransforms", () => {
  for (const pose of [{ yaw: 0, lift: 0, wrist: 0 }, { yaw: 2.9, lift: -0.15, wrist: -1.9 }, { yaw: -3.1, lift: 0.29, wrist: 2.4 }]) {
    const links = linkTransforms(META, pose);
    const back = jointValuesOf(META, (name) => links.get(name));
    assert.deepEqual(Object.keys(back).sort(), ["lift", "wrist", "yaw"]);
    for (const [name, v] of Object.entries(pose)) assert.ok(Math.abs(back[name] - v) < 1e-9, `${name}: ${back[name]} != ${v}`);
  }
});

test("jointValuesOf leaves out joints whose links are not placed", () => {
  const links = linkTransforms(META, { yaw: 1 });
  links.delete("d");
  assert.deepEqual(Object.keys(jointValuesOf(META, (name) => links.get(name))).sort(), ["lift", "yaw"]);
});

test("draggableJoint: the link's own joint, or the nearest movable one above a fixed joint", () => {
  assert.equal(draggableJoint(META, "d")?.name, "wrist");
  assert.equal(draggableJoint(META, "c")?.name, "lift"); // c hangs on a fixed joint below b
  assert.equal(draggableJoint(META, "a")?.name, "yaw");
  assert.equal(draggableJoint(META, "base"), null);
  const stuck = { ...META, joints: META.joints.map((j) => (j.name === "lift" ? { ...j, limits: { lower: 0.1, upper: 0.1 } } : j)) };
  assert.equal(draggableJoint(stuck, "b")?.name, "yaw"); // a joint with no range cannot be dragged
});
