// @ts-check
// Wireframe colours (src/viewer/scene.js): unlit lines keep apart from the background.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as THREE from "three";
import { syncWireColor, wireColor, wireMaterialOf } from "../src/viewer/scene.js";

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
  assert.equal(wire.type, "MeshBasicMaterial");
  assert.ok(wire.wireframe && wire.transparent && wire.opacity === 0.5);
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
