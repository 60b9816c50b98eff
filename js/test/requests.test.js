// @ts-check
// The Studio's request / reply bookkeeping (src/studio/requests.js), with the model's send
// replaced by an array of what was sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Requests } from "../src/studio/requests.js";

function setup() {
  /** @type {any[]} */
  const sent = [];
  return { sent, requests: new Requests((content) => sent.push(content)) };
}

test("each request goes out with its own req id and is settled by the answer carrying it", async () => {
  const { sent, requests } = setup();
  const a = requests.request({ type: "preview", id: "A" });
  const b = requests.request({ type: "thumb", id: "B" });
  assert.deepEqual(sent, [{ type: "preview", id: "A", req: "r1" }, { type: "thumb", id: "B", req: "r2" }]);
  const png = new ArrayBuffer(4);
  requests.handle({ type: "thumb", id: "B", req: "r2" }, [png]); // answers may come out of order
  requests.handle({ type: "geometry", id: "A", req: "r1", meta: { links: [] } });
  assert.deepEqual(await b, { msg: { type: "thumb", id: "B", req: "r2" }, buffers: [png] });
  assert.deepEqual((await a).buffers, [], "no buffers: an empty list");
  assert.equal(requests.pending.size, 0);
});

test("a geometry_error answer rejects with the notice's text and the notice", async () => {
  const { requests } = setup();
  const p = requests.request({ type: "preview", id: "A" });
  const notice = { text: "asset A has no mesh", kind: "geometry", level: "error" };
  requests.handle({ type: "geometry_error", req: "r1", notice });
  await assert.rejects(p, (/** @type {any} */ err) => err.message === "asset A has no mesh" && err.notice === notice);
});

test("messages that answer no request are left alone", async () => {
  const { requests } = setup();
  const p = requests.request({ type: "download", id: "A" });
  for (const msg of [null, {}, { type: "geometry", req: "r9" }, { type: "thumb" }]) requests.handle(msg);
  assert.equal(requests.pending.size, 1);
  requests.handle({ type: "download", req: "r1", name: "a.xml" });
  assert.equal((await p).msg.name, "a.xml");
  requests.handle({ type: "download", req: "r1", name: "twice.xml" }); // a second answer: nothing left to settle
  assert.equal(requests.pending.size, 0);
});

test("rejectAll rejects whatever still waits (the widget closed)", async () => {
  const { requests } = setup();
  const p = requests.request({ type: "retry", id: "A" });
  requests.rejectAll(new Error("widget closed"));
  await assert.rejects(p, /widget closed/);
  assert.equal(requests.pending.size, 0);
});
