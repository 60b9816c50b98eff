// @ts-check
// The export menu of a Studio row (src/studio/row.js): which options it offers and how it names them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatMenu } from "../src/studio/row.js";

const ALPHA = ["mujoco_mjcf", "isaac_sim_usd", "isaac_sim_urdf"];
const CURRENT = ["mjcf", "usd", "sdf"];

test("a current-API row's menu sends the current names and shows the labels alpha rows show", () => {
  assert.deepEqual(formatMenu([], CURRENT), [
    { value: "mjcf", label: "MJCF (MuJoCo)" },
    { value: "usd", label: "USD (Isaac Sim)" },
    { value: "sdf", label: "SDF (Gazebo)" },
  ]);
  assert.deepEqual(formatMenu([], ALPHA)?.map((o) => o.label), ["MJCF (MuJoCo)", "USD (Isaac Sim)", "URDF (Isaac Sim)"]);
});

test("the menu is rebuilt when the names change, even when their count does not", () => {
  assert.equal(formatMenu(CURRENT, CURRENT), null);
  assert.deepEqual(formatMenu(ALPHA, CURRENT)?.map((o) => o.value), CURRENT);
});

test("a name without a label is shown as it is, never dropped", () => {
  assert.deepEqual(formatMenu([], ["gltf"]), [{ value: "gltf", label: "gltf" }]);
});
