// @ts-check
// Inspect overlays: what the simulator sees, drawn over (or instead of) the visual shell.
//
//   const ov = createOverlays(panel);           // adds toggles to the panel's toolbar
//   await ov.setModel(meta, buffers);           // after panel.setModel
//   ov.setLayers({ visual, collision, frames, com, inertia, loops, group3: true, ... });
//   ov.onLayers = (layers) => ...;              // a toggle was clicked
//
// MJCF geom groups: each visual carries its group (meta.links[].visuals[].group); a toggle per
// group the model uses, groups 0-2 on and 3-5 off by default as in MuJoCo's viewer. The
// model's notes (what the loader hid or could not draw, and why) are listed under the toolbar.
//
// Layers are built the first time they are shown (nothing is added to the scene for a layer
// never turned on, so the first frame and the scene statistics are untouched), as children of
// each link's posed group, so they follow sliders and playback with no work of their own; the
// frames layer is the exception: two merged draws under the root link, rewritten before each
// frame from the links' matrices (buildFrames, vp.beforeFrame).
import * as THREE from "three";
import { decodeAll } from "./decode.js";
import { addStyle } from "./panel.js";
import { SINGLE_DOF } from "./kinematics.js";
import { JOINT } from "../generated/constants.js";

const LAYERS = [
  ["visual", "Visual", "The visual shell"],
  ["collision", "Collision", "Collision geometry (translucent over the visual, or alone)"],
  ["frames", "Frames", "Link frames, joint axes and joint limits"],
  ["com", "COM", "Centre of mass of each link and of the whole model, sized by mass"],
  ["inertia", "Inertia", "Inertia boxes: each link's box of uniform density with its mass and principal moments, at its centre of mass"],
  ["loops", "Loops", "Closed kinematic loops: a line between the two anchors of each loop-closing joint"],
];
const GROUP_TITLE = "MJCF geom group %: MuJoCo's viewer shows groups 0-2 and hides 3-5 by default";
const DEFAULT_LAYERS = {
  visual: true, collision: false, frames: false, com: false, inertia: false, loops: false,
  group0: true, group1: true, group2: true, group3: false, group4: false, group5: false,
};
const INERTIA_COLOR = 0x2e9e5b;
const LOOP_COLOR = 0xe0a800;
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
.gizmo-viewer .gz-layer[hidden]{display:none}
.gizmo-viewer .gz-notes{padding:2px 6px;color:var(--jp-ui-font-color2,#555);border-bottom:1px solid var(--jp-border-color2,#ddd)}
.gizmo-viewer .gz-notes[hidden]{display:none}
.gizmo-viewer .gz-notes summary{cursor:pointer;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.gizmo-viewer .gz-notes ul{margin:2px 0 4px;padding-left:18px}
`;

export function createOverlays(panel) {
  addStyle(panel.element, "overlays", CSS);
  const vp = panel.viewport;
  const bar = panel.element.querySelector(".gz-bar");
  const status = bar && bar.querySelector(".gz-status");
  const buttons = new Map();
  let layers = { ...DEFAULT_LAYERS };
  // set by setModel(); the builders only run after it (any: the layers read optional meta fields)
  /** @type {any} */ let meta = null;
  /** @type {any} */ let geometries = null;
  /** @type {Record<string, boolean>} */ let built = {};
  /** @type {Record<string, THREE.Object3D[]>} */ let groups = {};
  /** @type {(() => void)[]} */ let frameUpdates = []; // registered in vp.beforeFrame by a build
  const api = { onLayers: /** @type {((layers: Record<string, boolean>) => void) | null} */ (null), layers: () => ({ ...layers }) };

  function toggle(key, text, title, className) {
    const b = document.createElement("button");
    Object.assign(b, { textContent: text, title, className });
    b.onclick = () => {
      const next = { ...layers, [key]: !layers[key] };
      api.setLayers(next);
      api.onLayers?.(next);
    };
    buttons.set(key, b);
    if (bar) bar.insertBefore(b, status || null);
    return b;
  }
  for (const [key, text, title] of LAYERS) toggle(key, text, title, `gz-layer gz-layer-${key}`);

  // the model's notes: one line (the first note, the count), the whole list when opened
  const notes = document.createElement("details");
  notes.className = "gz-notes";
  notes.hidden = true;
  const body = panel.element.querySelector(".gz-body");
  panel.element.insertBefore(notes, body || null);

  function showNotes(list) {
    notes.replaceChildren();
    notes.hidden = !list.length;
    if (!list.length) return;
    const summary = document.createElement("summary");
    summary.textContent = list.length === 1 ? `Note: ${list[0]}` : `${list.length} notes: ${list[0]} …`;
    summary.title = "What the loader hid or could not draw, and why (model.notes)";
    const ul = document.createElement("ul");
    for (const text of list) {
      const li = document.createElement("li");
      li.textContent = text;
      ul.append(li);
    }
    notes.append(summary, ul);
  }

  /** A toggle for each MJCF geom group the model's visuals use (none for other formats). */
  function groupButtons(used) {
    for (const [key, b] of [...buttons]) if (key.startsWith("group")) { b.remove(); buttons.delete(key); }
    for (const g of used) toggle(`group${g}`, `G${g}`, GROUP_TITLE.replace("%", String(g)), `gz-layer gz-group gz-group-${g}`);
  }

  const groupShown = (group) => group == null || layers[`group${group}`] !== false;

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
    // Lambert, one pass: a translucent overlay needs no PBR, and three.js draws a transparent
    // double-sided material twice (back faces, then front) unless told otherwise. Measured on
    // SwiftShader, TIAGo++ orbiting with collision shown: 13 fps with PBR in two passes.
    const material = new THREE.MeshLambertMaterial({
      color: COLLISION_COLOR, transparent: true, opacity: 0.45, depthWrite: false,
      side: THREE.DoubleSide, forceSinglePass: true,
      // a collision mesh is often the visual mesh itself: drawn a hair nearer, it never z-fights it
      polygonOffset: true, polygonOffsetFactor: -1, polygonOffsetUnits: -4,
    });
    const flat = material.clone(); // big meshes come without normals: shaded from their faces
    flat.flatShading = true;
    for (const link of meta.links) {
      for (const c of link.collisions || []) {
        for (const { geometry, quantized } of geometries[c.geometry] || []) {
          const mesh = new THREE.Mesh(geometry, geometry.attributes.normal ? material : flat);
          if (quantized) { mesh.position.fromArray(quantized.offset); mesh.scale.fromArray(quantized.scale); }
          mesh.name = c.name;
          mesh.renderOrder = 1;
          addTo("collision", link.name, mesh);
        }
      }
    }
  }

  // Link frames, joint axes and joint limits in two draws for the whole model (one line set with
  // vertex colours, one instanced mesh of arrow heads) instead of four objects a joint: each
  // draw of a transparent, on-top helper cost SwiftShader as much as a small mesh, and a robot
  // of 130 links made ~430 of them (TIAGo++ orbiting with frames shown: ~15 fps). The vertices
  // are written in the root link's frame before each frame the layer is shown
  // (vp.beforeFrame), from the links' posed matrices, so they follow sliders and playback.
  function buildFrames() {
    const s = size();
    const rootName = meta.root, rootGroup = vp.linkGroup(rootName);
    if (!rootGroup) return;
    // this model's posed groups, held: a model set again in the view makes new ones (maybe with
    // other names), and this update runs before its first frame, ahead of our own setModel
    /** @type {Map<string, THREE.Object3D>} */ const linkGroups = new Map();
    for (const link of meta.links) { const g = vp.linkGroup(link.name); if (g) linkGroups.set(link.name, g); }
    /** @type {{ link: string, points: THREE.Vector3[], colors: number[] }[]} */
    const pieces = []; // segments (pairs of points) in a link's frame, with a colour per point
    /** @type {string[]} */ const parts = [];
    const axisLength = s * 0.15;
    for (const link of meta.links) {
      if (!linkGroups.has(link.name)) continue;
      const o = new THREE.Vector3();
      pieces.push({
        link: link.name,
        points: [o, new THREE.Vector3(axisLength, 0, 0), o, new THREE.Vector3(0, axisLength, 0), o, new THREE.Vector3(0, 0, axisLength)],
        colors: [1, 0, 0, 1, 0.6, 0, 0, 1, 0, 0.6, 1, 0, 0, 0, 1, 0, 0.6, 1], // three.js' AxesHelper colours
      });
      parts.push(`${link.name}:frame`);
    }
    const arrowLength = s * 0.25, headLength = s * 0.04, headWidth = s * 0.02;
    const axisColor = new THREE.Color(AXIS_COLOR), limitColor = new THREE.Color(LIMIT_COLOR);
    /** @type {{ link: string, matrix: THREE.Matrix4 }[]} */ const heads = [];
    const up = new THREE.Vector3(0, 1, 0);
    for (const j of meta.joints) {
      if (!SINGLE_DOF.has(j.type) || !linkGroups.has(j.child) || !linkGroups.has(j.parent)) continue;
      const axis = new THREE.Vector3(...j.axis).normalize();
      // the axis is fixed in the child's frame: a shaft and a head, as an ArrowHelper draws them
      const shaftEnd = axis.clone().multiplyScalar(arrowLength - headLength);
      pieces.push({ link: j.child, points: [new THREE.Vector3(), shaftEnd], colors: [...axisColor.toArray(), ...axisColor.toArray()] });
      heads.push({
        link: j.child,
        matrix: new THREE.Matrix4().compose(
          axis.clone().multiplyScalar(arrowLength - headLength / 2), new THREE.Quaternion().setFromUnitVectors(up, axis),
          new THREE.Vector3(headWidth, headLength, headWidth)),
      });
      parts.push(`${j.name}:axis`);
      if (!j.limits && j.type !== JOINT.CONTINUOUS) continue;
      // the range lives in the parent's frame at the joint origin: it stays put while the joint turns
      let points;
      if (j.type === JOINT.PRISMATIC) points = [axis.clone().multiplyScalar(j.limits.lower), axis.clone().multiplyScalar(j.limits.upper)];
      else if (j.type === JOINT.CONTINUOUS) points = arcPoints(axis, 0, 2 * Math.PI, s * 0.12);
      else points = arcPoints(axis, j.limits.lower, j.limits.upper, s * 0.12);
      const origin = new THREE.Matrix4().fromArray(j.origin);
      const segments = [];
      for (let i = 0; i + 1 < points.length; i++) segments.push(points[i].clone().applyMatrix4(origin), points[i + 1].clone().applyMatrix4(origin));
      pieces.push({ link: j.parent, points: segments, colors: segments.flatMap(() => limitColor.toArray()) });
      parts.push(`${j.name}:limits`);
    }

    const count = pieces.reduce((n, p) => n + p.points.length, 0);
    const positions = new THREE.BufferAttribute(new Float32Array(count * 3), 3);
    positions.setUsage(THREE.DynamicDrawUsage);
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", positions);
    geometry.setAttribute("color", new THREE.BufferAttribute(new Float32Array(pieces.flatMap((p) => p.colors)), 3));
    const lines = new THREE.LineSegments(geometry, onTop(new THREE.LineBasicMaterial({ vertexColors: true })));
    const cone = new THREE.ConeGeometry(0.5, 1, 8); // scaled per head to its width and length
    const arrowHeads = new THREE.InstancedMesh(cone, onTop(new THREE.MeshBasicMaterial({ color: AXIS_COLOR })), Math.max(heads.length, 1));
    arrowHeads.count = heads.length;
    arrowHeads.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
    for (const o of [lines, arrowHeads]) {
      o.renderOrder = 3;
      o.frustumCulled = false; // written in place each frame: no bounds to cull by
      o.raycast = () => {}; // never picked: a drag grabs the link's own meshes
    }
    lines.name = "frames:lines";
    lines.userData.parts = parts; // what the merged draw shows, for tests
    arrowHeads.name = "frames:heads";

    const toRoot = new THREE.Matrix4(), m = new THREE.Matrix4(), v = new THREE.Vector3();
    const update = () => {
      if (!lines.visible || !layers.frames || vp.linkGroup(rootName) !== rootGroup) return; // shown, its model still the view's
      toRoot.copy(rootGroup.matrix).invert();
      /** @type {Map<string, THREE.Matrix4>} */ const frames = new Map();
      const frameOf = (name) => {
        let f = frames.get(name);
        if (!f) { f = new THREE.Matrix4().multiplyMatrices(toRoot, /** @type {THREE.Object3D} */ (linkGroups.get(name)).matrix); frames.set(name, f); }
        return f;
      };
      let k = 0;
      for (const p of pieces) {
        const f = frameOf(p.link);
        for (const point of p.points) { v.copy(point).applyMatrix4(f); positions.setXYZ(k++, v.x, v.y, v.z); }
      }
      positions.needsUpdate = true;
      heads.forEach((h, i) => arrowHeads.setMatrixAt(i, m.multiplyMatrices(frameOf(h.link), h.matrix)));
      arrowHeads.instanceMatrix.needsUpdate = true;
    };
    vp.beforeFrame.add(update);
    frameUpdates.push(update);
    addTo("frames", meta.root, lines);
    addTo("frames", meta.root, arrowHeads);
    update();
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

  function buildInertia() {
    const s = size();
    const cube = new THREE.BoxGeometry(1, 1, 1);
    const edges = new THREE.EdgesGeometry(cube);
    const fill = new THREE.MeshBasicMaterial({ color: INERTIA_COLOR, transparent: true, opacity: 0.18, depthWrite: false });
    const line = new THREE.LineBasicMaterial({ color: INERTIA_COLOR });
    for (const l of meta.links) {
      const box = l.inertial && l.inertial.mass > 0 && l.inertial.box;
      if (!box) continue;
      const frame = new THREE.Group(); // the box's pose in the link frame: centre of mass, principal axes
      frame.matrixAutoUpdate = false;
      frame.matrix.fromArray(box.origin);
      const scale = box.size.map((v) => Math.max(v, s * 1e-4)); // a flat box (a plate) stays drawable
      const solid = new THREE.Mesh(cube, fill);
      const outline = new THREE.LineSegments(edges, line);
      for (const o of [solid, outline]) { o.scale.fromArray(scale); o.renderOrder = 2; }
      frame.add(solid, outline);
      frame.name = `${l.name}:inertia`;
      addTo("inertia", l.name, frame);
    }
  }

  function buildLoops() {
    const s = size();
    const dot = new THREE.SphereGeometry(s * 0.02, 12, 8);
    const material = onTop(new THREE.MeshBasicMaterial({ color: LOOP_COLOR }));
    const lineMaterial = onTop(new THREE.LineBasicMaterial({ color: LOOP_COLOR }));
    const rootGroup = vp.linkGroup(meta.root);
    const Z = new THREE.Vector3(0, 0, 1);
    const unit = new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(), Z]);
    for (const loop of meta.loops || []) {
      const ends = [[loop.parent, loop.parentAnchor], [loop.child, loop.childAnchor]];
      for (const [link, anchor] of ends) {
        const ball = new THREE.Mesh(dot, material);
        ball.position.fromArray(anchor);
        ball.renderOrder = 4;
        ball.name = `${loop.name}:${link}`;
        addTo("loops", link, ball);
      }
      // the segment joins two links that move apart: placed just before it is drawn, in the root's
      // frame, by its matrix (a unit segment along +Z turned and stretched onto the two anchors), which
      // three.js reads after onBeforeRender; new vertex positions would only reach the next frame
      const segment = new THREE.Line(unit, lineMaterial);
      segment.frustumCulled = false;
      segment.renderOrder = 4;
      segment.name = `${loop.name}:loop`;
      segment.onBeforeRender = () => {
        const toRoot = rootGroup.matrix.clone().invert();
        const [a, b] = ends.map(([link, anchor]) => new THREE.Vector3().fromArray(anchor)
          .applyMatrix4(vp.linkGroup(link).matrix).applyMatrix4(toRoot));
        const d = new THREE.Vector3().subVectors(b, a);
        const length = d.length();
        segment.position.copy(a);
        segment.quaternion.setFromUnitVectors(Z, length > 0 ? d.divideScalar(length) : Z);
        segment.scale.set(1, 1, Math.max(length, 1e-9));
        segment.updateMatrixWorld(true);
        api.loopGaps = { ...(api.loopGaps || {}), [loop.name]: length };
      };
      addTo("loops", meta.root, segment);
    }
  }

  const builders = { collision: buildCollision, frames: buildFrames, com: buildCom, inertia: buildInertia, loops: buildLoops };

  function apply() {
    for (const [key, b] of buttons) {
      b.setAttribute("aria-pressed", String(!!layers[key]));
    }
    if (!meta) return;
    for (const key of Object.keys(builders)) {
      if (layers[key] && !built[key]) { builders[key](); built[key] = true; vp.refreshLods?.(); }
      for (const o of groups[key] || []) o.visible = !!layers[key];
    }
    for (const link of meta.links) {
      const g = vp.linkGroup(link.name);
      if (g) for (const child of g.children) if (!child.userData.overlay) child.visible = layers.visual && groupShown(child.userData.group);
    }
    vp.requestRender();
  }

  api.setModel = async function setModel(newMeta, buffers) {
    for (const update of frameUpdates) vp.beforeFrame.delete(update); // the old model's, before any await
    frameUpdates = [];
    meta = newMeta;
    geometries = await decodeAll(newMeta, buffers.map(toView)); // the page cache: decoded already
    built = {}; groups = {};
    const collisions = meta.links.reduce((n, l) => n + (l.collisions || []).length, 0);
    const masses = meta.links.filter((l) => l.inertial && l.inertial.mass > 0).length;
    const c = buttons.get("collision"), m = buttons.get("com"), i = buttons.get("inertia"), lp = buttons.get("loops");
    c.disabled = !collisions; c.title = collisions ? LAYERS[1][2] : "This model declares no collision geometry";
    m.disabled = !masses; m.title = masses ? LAYERS[3][2] : "This model declares no masses";
    i.disabled = !masses; i.title = masses ? LAYERS[4][2] : "This model declares no masses";
    lp.hidden = !(meta.loops || []).length; // most models have no loop: no button to wonder about
    groupButtons(meta.groups || []);
    showNotes(meta.notes || []);
    apply();
  };
  api.setLayers = function setLayers(next) {
    const merged = { ...layers, ...(next || {}) };
    // a click sets the model's trait, whose change event brings the same layers back here
    if (Object.keys(merged).every((k) => merged[k] === layers[k]) && Object.keys(layers).length === Object.keys(merged).length) return;
    layers = merged;
    apply();
  };
  api.dispose = function dispose() {
    for (const update of frameUpdates) vp.beforeFrame.delete(update);
    for (const b of buttons.values()) b.remove();
    notes.remove();
  };
  return api;
}
