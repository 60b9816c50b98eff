// @ts-check
// Inspect overlays: what the simulator sees, drawn over (or instead of) the visual shell.
//
//   const ov = createOverlays(panel);           // adds toggles to the panel's toolbar
//   await ov.setModel(meta, buffers);           // after panel.setModel
//   ov.setLayers({ visual, collision, frames, com });
//   ov.onLayers = (layers) => ...;              // a toggle was clicked
//
// Layers are built the first time they are shown (nothing is added to the scene for a layer
// never turned on, so the first frame and the scene statistics are untouched), as children of
// each link's posed group, so they follow sliders and playback with no work of their own.
import * as THREE from "three";
import { decodeAll } from "./decode.js";
import { addStyle } from "./panel.js";
import { SINGLE_DOF } from "./kinematics.js";

const LAYERS = [
  ["visual", "Visual", "The visual shell"],
  ["collision", "Collision", "Collision geometry (translucent over the visual, or alone)"],
  ["frames", "Frames", "Link frames, joint axes and joint limits"],
  ["com", "COM", "Centre of mass of each link and of the whole model, sized by mass"],
];
const COLLISION_COLOR = 0xff7a1a;
const AXIS_COLOR = 0xd61f9b;
const LIMIT_COLOR = 0x1f9bd6;
const COM_COLOR = 0x222222;
const TOTAL_COM_COLOR = 0xe0261b;

function toView(b) {
  return b instanceof Uint8Array ? b : ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}

function onTop(material) {
  material.depthTest = false; // frames and centres of mass show through the meshes they sit in
  material.transparent = true;
  return material;
}

function mark(object, link) {
  object.traverse((o) => { o.userData.overlay = true; o.userData.link = link; });
  return object;
}

/** Points of an arc of `radius` about `axis` from angle `lo` to `hi` (radians). */
function arcPoints(axis, lo, hi, radius) {
  const n = axis.clone().normalize();
  const e = Math.abs(n.x) < 0.9 ? new THREE.Vector3(1, 0, 0) : new THREE.Vector3(0, 1, 0);
  const u = e.addScaledVector(n, -e.dot(n)).normalize();
  const w = new THREE.Vector3().crossVectors(n, u);
  const steps = Math.max(8, Math.ceil((Math.abs(hi - lo) / Math.PI) * 32));
  const pts = [new THREE.Vector3()];
  for (let i = 0; i <= steps; i++) {
    const a = lo + ((hi - lo) * i) / steps;
    pts.push(u.clone().multiplyScalar(Math.cos(a) * radius).addScaledVector(w, Math.sin(a) * radius));
  }
  pts.push(new THREE.Vector3());
  return pts;
}

const CSS = `
.gizmo-viewer .gz-layer[aria-pressed=true]{box-shadow:inset 0 -2px 0 var(--jp-brand-color1,#1976d2);font-weight:600}
`;

export function createOverlays(panel) {
  addStyle(panel.element, "overlays", CSS);
  const vp = panel.viewport;
  const bar = panel.element.querySelector(".gz-bar");
  const status = bar && bar.querySelector(".gz-status");
  const buttons = new Map();
  let layers = { visual: true, collision: false, frames: false, com: false };
  // set by setModel(); the builders only run after it (any: the layers read optional meta fields)
  /** @type {any} */ let meta = null;
  /** @type {any} */ let geometries = null;
  /** @type {Record<string, boolean>} */ let built = {};
  /** @type {Record<string, THREE.Object3D[]>} */ let groups = {};
  const api = { onLayers: /** @type {((layers: Record<string, boolean>) => void) | null} */ (null), layers: () => ({ ...layers }) };

  for (const [key, text, title] of LAYERS) {
    const b = document.createElement("button");
    Object.assign(b, { textContent: text, title, className: `gz-layer gz-layer-${key}` });
    b.onclick = () => {
      const next = { ...layers, [key]: !layers[key] };
      api.setLayers(next);
      api.onLayers?.(next);
    };
    buttons.set(key, b);
    if (bar) bar.insertBefore(b, status || null);
  }

  const size = () => {
    const [lo, hi] = meta.bounds;
    return Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-3);
  };

  function addTo(layer, link, object) {
    const g = vp.linkGroup(link);
    if (!g) return;
    mark(object, link);
    g.add(object);
    (groups[layer] ??= []).push(object);
  }

  function buildCollision() {
    const material = new THREE.MeshStandardMaterial({
      color: COLLISION_COLOR, transparent: true, opacity: 0.45, depthWrite: false,
      side: THREE.DoubleSide, metalness: 0, roughness: 0.8,
      // a collision mesh is often the visual mesh itself: drawn a hair nearer, it never z-fights it
      polygonOffset: true, polygonOffsetFactor: -1, polygonOffsetUnits: -4,
    });
    for (const link of meta.links) {
      for (const c of link.collisions || []) {
        for (const { geometry, quantized } of geometries[c.geometry] || []) {
          const mesh = new THREE.Mesh(geometry, material);
          if (quantized) { mesh.position.fromArray(quantized.offset); mesh.scale.fromArray(quantized.scale); }
          mesh.name = c.name;
          mesh.renderOrder = 1;
          addTo("collision", link.name, mesh);
        }
      }
    }
  }

  function buildFrames() {
    const s = size();
    for (const link of meta.links) {
      const axes = new THREE.AxesHelper(s * 0.15);
      onTop(axes.material);
      axes.renderOrder = 3;
      addTo("frames", link.name, axes);
    }
    for (const j of meta.joints) {
      if (!SINGLE_DOF.has(j.type)) continue;
      const axis = new THREE.Vector3(...j.axis).normalize();
      const arrow = new THREE.ArrowHelper(axis, new THREE.Vector3(), s * 0.25, AXIS_COLOR, s * 0.04, s * 0.02);
      arrow.traverse((/** @type {any} */ o) => { if (o.material) onTop(o.material); o.renderOrder = 3; });
      addTo("frames", j.child, arrow); // the axis is fixed in the child's frame
      if (!j.limits && j.type !== "continuous") continue;
      // the range lives in the parent's frame at the joint origin: it stays put while the joint turns
      let points;
      if (j.type === "prismatic") points = [axis.clone().multiplyScalar(j.limits.lower), axis.clone().multiplyScalar(j.limits.upper)];
      else if (j.type === "continuous") points = arcPoints(axis, 0, 2 * Math.PI, s * 0.12);
      else points = arcPoints(axis, j.limits.lower, j.limits.upper, s * 0.12);
      const line = new THREE.Line(new THREE.BufferGeometry().setFromPoints(points), onTop(new THREE.LineBasicMaterial({ color: LIMIT_COLOR })));
      line.matrixAutoUpdate = false;
      line.matrix.fromArray(j.origin);
      line.renderOrder = 3;
      line.name = `${j.name}:limits`;
      addTo("frames", j.parent, line);
    }
  }

  function buildCom() {
    const s = size();
    const masses = meta.links.map((l) => (l.inertial && l.inertial.mass > 0 ? l.inertial.mass : 0));
    const total = masses.reduce((a, b) => a + b, 0);
    if (!total) return;
    const radius = (m) => s * 0.05 * Math.cbrt(m / total); // volume proportional to mass
    const sphere = new THREE.SphereGeometry(1, 16, 12);
    const linkMaterial = onTop(new THREE.MeshBasicMaterial({ color: COM_COLOR, opacity: 0.85 }));
    const parts = [];
    meta.links.forEach((l, i) => {
      if (!masses[i]) return;
      const ball = new THREE.Mesh(sphere, linkMaterial);
      ball.position.fromArray(l.inertial.com);
      ball.scale.setScalar(radius(masses[i]));
      ball.renderOrder = 4;
      ball.name = `${l.name}:com`;
      addTo("com", l.name, ball);
      parts.push([l.name, masses[i], new THREE.Vector3().fromArray(l.inertial.com)]);
    });
    // the whole model's centre of mass moves with the pose: placed just before it is drawn
    const whole = new THREE.Mesh(sphere, onTop(new THREE.MeshBasicMaterial({ color: TOTAL_COM_COLOR, opacity: 0.9 })));
    whole.scale.setScalar(radius(total) * 1.25);
    whole.frustumCulled = false;
    whole.renderOrder = 5;
    whole.name = "model:com";
    const rootGroup = vp.linkGroup(meta.root);
    whole.onBeforeRender = () => {
      const c = new THREE.Vector3(), p = new THREE.Vector3();
      for (const [name, m, com] of parts) c.addScaledVector(p.copy(com).applyMatrix4(vp.linkGroup(name).matrix), m);
      c.divideScalar(total);
      whole.position.copy(c.applyMatrix4(rootGroup.matrix.clone().invert()));
      whole.updateMatrixWorld(true);
      api.totalCom = whole.position.clone().applyMatrix4(rootGroup.matrix).toArray();
    };
    addTo("com", meta.root, whole);
  }

  const builders = { collision: buildCollision, frames: buildFrames, com: buildCom };

  function apply() {
    for (const [key, b] of buttons) {
      b.setAttribute("aria-pressed", String(!!layers[key]));
    }
    if (!meta) return;
    for (const key of ["collision", "frames", "com"]) {
      if (layers[key] && !built[key]) { builders[key](); built[key] = true; }
      for (const o of groups[key] || []) o.visible = !!layers[key];
    }
    for (const link of meta.links) {
      const g = vp.linkGroup(link.name);
      if (g) for (const child of g.children) if (!child.userData.overlay) child.visible = layers.visual;
    }
    vp.requestRender();
  }

  api.setModel = async function setModel(newMeta, buffers) {
    meta = newMeta;
    geometries = await decodeAll(newMeta, buffers.map(toView)); // the page cache: decoded already
    built = {}; groups = {};
    const collisions = meta.links.reduce((n, l) => n + (l.collisions || []).length, 0);
    const masses = meta.links.filter((l) => l.inertial && l.inertial.mass > 0).length;
    const c = buttons.get("collision"), m = buttons.get("com");
    c.disabled = !collisions; c.title = collisions ? LAYERS[1][2] : "This model declares no collision geometry";
    m.disabled = !masses; m.title = masses ? LAYERS[3][2] : "This model declares no masses";
    apply();
  };
  api.setLayers = function setLayers(next) {
    layers = { ...layers, ...(next || {}) };
    apply();
  };
  api.dispose = function dispose() {
    for (const b of buttons.values()) b.remove();
  };
  return api;
}
