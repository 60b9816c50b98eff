// @ts-check
// What the Studio's preview bar shows, from the synced `preview_info` and `physics` alone
// (src/studio/preview_area.js): the button is disabled while the kernel simulates, an error
// carries its hint, and physics of another asset is not shown on this one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { barState, refId } from "../src/studio/preview_area.js";

const ready = { id: "a1", state: "ready" };

test("the bar appears once the preview is ready, its button live when a Viewer is shown", () => {
  assert.equal(barState({ id: "a1", state: "loading" }, {}, false).visible, false);
  const bar = barState(ready, {}, true);
  assert.deepEqual(bar, { visible: true, disabled: false, label: "Drop in physics", message: "", state: "" });
  assert.equal(barState(ready, {}, false).disabled, true);
});

test("running disables the button; playing offers to drop again", () => {
  const running = barState(ready, { id: "a1", state: "running", message: "simulating 3.0 s…" }, true);
  assert.equal(running.disabled, true);
  assert.equal(running.label, "Simulating…");
  assert.equal(running.message, "simulating 3.0 s…");
  const playing = barState(ready, { id: "a1", state: "playing", message: "3.0 s of MuJoCo" }, true);
  assert.equal(playing.disabled, false);
  assert.equal(playing.label, "Drop again");
});

test("a drop the kernel has not answered yet keeps the button disabled, whatever else syncs", () => {
  assert.equal(barState(ready, {}, true, true).disabled, true);
  assert.equal(barState(ready, { id: "a1", state: "playing" }, true, true).disabled, true);
  assert.equal(barState(ready, { id: "a1", state: "playing" }, true, false).disabled, false);
});

test("an error says what happened and what to do; another asset's physics is not shown", () => {
  const failed = barState(ready, { id: "a1", state: "error", message: "needs MuJoCo.", hint: "Run pip install x." }, true);
  assert.equal(failed.message, "needs MuJoCo. Run pip install x.");
  assert.equal(failed.state, "error");
  assert.equal(barState(ready, { id: "b2", state: "running" }, true).disabled, false);
});

test("widget references lose their IPY_MODEL_ prefix", () => {
  assert.equal(refId("IPY_MODEL_abc"), "abc");
  assert.equal(refId("abc"), "abc");
  assert.equal(refId(null), "");
});
