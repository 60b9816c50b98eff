// @ts-check
// The pose a Studio thumbnail is drawn in (src/studio/thumbnails.js): a straight arm at zero is a
// vertical stick in a 96 px tile, so hinges are bent, sliders half out, within every limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { thumbPose } from "../src/studio/thumbnails.js";

const hinge = (name, lower = -3, upper = 3) => ({ name, type: "revolute", limits: { lower, upper } });

test("a straight arm's hinges are bent, alternately one way and the other; its gripper half open", () => {
  const meta = { joints: [hinge("j1"), hinge("j2"), hinge("j3"), { name: "finger", type: "prismatic", limits: { lower: 0, upper: 0.04 } }] };
  const pose = thumbPose(meta);
  assert.deepEqual(Object.keys(pose), ["j1", "j2", "j3", "finger"]);
  for (const j of ["j1", "j2", "j3"]) assert.notEqual(pose[j], 0, `${j} left straight`);
  assert.ok(Math.sign(pose.j1) !== Math.sign(pose.j2) && Math.sign(pose.j2) !== Math.sign(pose.j3), JSON.stringify(pose));
  assert.equal(pose.finger, 0.02);
});

test("the bend stays inside each joint's limits; wheels and fixed joints are left alone", () => {
  const meta = { joints: [hinge("narrow", 0.1, 0.3), hinge("negative", -1, -0.8), { name: "wheel", type: "continuous" },
    { name: "weld", type: "fixed" }, { name: "rail", type: "prismatic" }] };
  const pose = thumbPose(meta);
  assert.equal(pose.narrow, 0.3);
  assert.equal(pose.negative, -0.8);
  assert.deepEqual(Object.keys(pose), ["narrow", "negative"]); // an unlimited slider has no middle
});
