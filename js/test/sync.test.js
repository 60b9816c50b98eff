import { test } from "node:test";
import assert from "node:assert/strict";
import { createDeferredSync } from "../src/viewer/sync.js";

/** A model like ipywidgets': attributes, change listeners, and what reached the kernel. */
function fakeModel() {
  const attrs = new Map(), sent = [], listeners = [];
  return {
    attrs, sent,
    get: (k) => attrs.get(k),
    set(k, v) { const old = attrs.get(k); attrs.set(k, v); if (old !== v) for (const f of listeners) f(k, v); },
    save_changes() { sent.push(Object.fromEntries(attrs)); },
    onChange: (f) => listeners.push(f),
  };
}
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

test("a burst of clicks sends the last state once, after the burst", async () => {
  const model = fakeModel();
  const sync = createDeferredSync(model, 30);
  for (let i = 0; i < 7; i++) { sync.set("wireframe", i % 2 === 0); await wait(5); }
  assert.equal(model.sent.length, 0, "nothing sent while clicks keep coming");
  assert.equal(model.get("wireframe"), true, "the model has the latest click at once");
  await wait(60);
  assert.deepEqual(model.sent, [{ wireframe: true }]);
});

test("an echo of an earlier send arriving mid-burst is recognised, and the later click wins", async () => {
  const model = fakeModel();
  const sync = createDeferredSync(model, 30);
  const shown = [];
  model.onChange((k, v) => { if (!sync.holds(k)) shown.push(v); });
  sync.set("layers", "A");
  await wait(50);
  assert.deepEqual(model.sent, [{ layers: "A" }]);
  sync.set("layers", "B"); // a later click, not yet sent
  model.set("layers", "A"); // the kernel's echo of the first send arrives now
  assert.deepEqual(shown, [], "the echo is not followed while B is held");
  await wait(50);
  assert.equal(model.get("layers"), "B");
  assert.deepEqual(model.sent.at(-1), { layers: "B" }, "B reaches the kernel");
  assert.equal(sync.holds("layers"), false);
});

test("flush sends what is held at once (the view is closing)", () => {
  const model = fakeModel();
  const sync = createDeferredSync(model, 10_000);
  sync.set("wireframe", true);
  sync.set("layers", { frames: true });
  sync.flush();
  assert.deepEqual(model.sent, [{ wireframe: true, layers: { frames: true } }]);
  sync.flush();
  assert.equal(model.sent.length, 1, "nothing held: nothing sent");
});
