// @ts-check
// Drag a link in 3D to move its joint, as urdf-loaders' drag controls do: pointer-down on a
// link's mesh picks the nearest single-number joint (revolute, continuous, prismatic) up the
// chain from it; dragging turns it by the angle the pointer sweeps around the joint axis (the
// pointer's ray meets the plane through the joint normal to its axis) or slides it along the
// axis (the point of the axis nearest the pointer's ray), clamped into the limits. The orbit is
// off while a joint is dragged; hovering a draggable link lights it up.
//
//   const drag = createDragControls(panel);   // panel: viewer panel (viewport, setPose, onPoseCommit)
//   drag.dispose();
//
// The pointer-down listener sits on the viewport's wrapper in the capture phase, so it runs
// before OrbitControls' own listener on the canvas and can turn the orbit off before it starts.
// Every change is announced with a "gizmo-pose" event on the panel element (the number boxes
// follow it); the pose is committed (onPoseCommit: Python hears of it) when the pointer is let go.
import * as THREE from "three";
import { clampJoint, draggableJoint } from "./kinematics.js";
import { linkRaycaster } from "./controls.js";

const HOVER = new THREE.Color(0x5a3800); // emissive added to the hovered link

/**
 * @typedef {{ name: string, type: string, parent: string, child: string, axis: number[],
 *   origin: number[], limits?: { lower: number, upper: number } | null }} Joint
 */

/** Signed angle from `a` to `b` about the unit vector `n` (both projected on its plane). */
function angleAbout(n, a, b) {
  const pa = a.clone().addScaledVector(n, -a.dot(n)), pb = b.clone().addScaledVector(n, -b.dot(n));
  return Math.atan2(n.dot(new THREE.Vector3().crossVectors(pa, pb)), pa.dot(pb));
}

/** Parameter along the line `p + s·a` (a: unit) of its point nearest the ray; null when they are parallel. */
function nearestOnAxis(p, a, ray) {
  const w = ray.origin.clone().sub(p);
  const b = a.dot(ray.direction), d = a.dot(w), e = ray.direction.dot(w);
  const den = 1 - b * b;
  return den < 1e-6 ? null : (d - b * e) / den;
}

export function createDragControls(panel) {
  const vp = panel.viewport;
  const wrap = vp.element;
  const raycaster = linkRaycaster();
  const api = { dragging: /** @type {string | null} */ (null), hovered: /** @type {string | null} */ (null), dispose: () => {} };
  /** @type {null | { joint: Joint, pivot: THREE.Vector3, axis: THREE.Vector3, start: number, last: THREE.Vector3 | null, s0: number | null, value: number, id: number }} */
  let drag = null;

  function ndcRay(ev) {
    const rect = vp.canvas.getBoundingClientRect();
    const ndc = new THREE.Vector2(((ev.clientX - rect.left) / rect.width) * 2 - 1, -((ev.clientY - rect.top) / rect.height) * 2 + 1);
    raycaster.setFromCamera(ndc, vp.camera);
    return raycaster.ray;
  }

  /** The link under the pointer (its visible meshes only: overlays carry no link name), or null. */
  function linkAt(ev) {
    const meta = vp.meta;
    if (!meta) return null;
    ndcRay(ev);
    const groups = meta.links.map((l) => vp.linkGroup(l.name)).filter(Boolean);
    for (const hit of raycaster.intersectObjects(groups, true)) {
      const link = hit.object.userData.link;
      let visible = true;
      for (let o = /** @type {THREE.Object3D | null} */ (hit.object); o && visible; o = o.parent) visible = o.visible;
      if (link && visible) return link;
    }
    return null;
  }

  /** Where joint `j` sits in the scene now: its pivot and unit axis in world coordinates. */
  function jointFrame(j) {
    const parent = vp.linkGroup(j.parent);
    const m = new THREE.Matrix4();
    if (parent) { parent.updateWorldMatrix(true, false); m.copy(parent.matrixWorld); } else {
      const root = vp.linkGroup(vp.meta.root);
      if (root && root.parent) { root.parent.updateWorldMatrix(true, false); m.copy(root.parent.matrixWorld); }
    }
    m.multiply(new THREE.Matrix4().fromArray(j.origin));
    const pivot = new THREE.Vector3().setFromMatrixPosition(m);
    const axis = new THREE.Vector3(...j.axis).transformDirection(m);
    return { pivot, axis };
  }

  /** The point where `ray` meets the plane through the pivot normal to the axis (null: edge-on). */
  function onPlane(ray, pivot, axis) {
    if (Math.abs(ray.direction.dot(axis)) < 1e-3) return null;
    const plane = new THREE.Plane().setFromNormalAndCoplanarPoint(axis, pivot);
    const p = ray.intersectPlane(plane, new THREE.Vector3());
    return p ? p.sub(pivot) : null;
  }

  // hover: the hovered link's materials glow a little (restored on leave): the emissive of a lit
  // one, the colour of the unlit lines it is drawn with in wireframe (wires.js), which have no emissive
  /** @type {[THREE.Color, THREE.Color][]} */ let glowing = [];
  function setHover(link) {
    if (link === api.hovered) return;
    for (const [color, saved] of glowing) color.copy(saved);
    glowing = [];
    api.hovered = link;
    wrap.dataset.hoverLink = link || "";
    const group = link ? vp.linkGroup(link) : null;
    group?.traverse((/** @type {any} */ o) => {
      const glow = o.material?.emissive ?? (o.userData.solid ? o.material.color : null); // lines: userData.solid is what they stand for
      if (o.userData.link !== link || !glow || glowing.some(([c]) => c === glow)) return;
      glowing.push([glow, glow.clone()]);
      glow.add(HOVER);
    });
    vp.canvas.style.cursor = link ? "grab" : "";
    vp.requestRender();
  }

  function announce() {
    panel.element.dispatchEvent(new CustomEvent("gizmo-pose", { detail: { pose: vp.getPose() } }));
  }

  function onDown(ev) {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || !vp.meta || drag) return;
    if (ev.target !== vp.canvas) return; // a note or button over the canvas (the context-lost note) keeps its click
    if (panel.element.classList.contains("gz-following-play")) return; // a playback moves the model
    const link = linkAt(ev);
    const joint = link && draggableJoint(vp.meta, link);
    if (!joint) return; // the orbit has it
    vp.controls.enabled = false; // before OrbitControls' listener on the canvas sees this event
    panel.element.dispatchEvent(new CustomEvent("gizmo-edit")); // a paused playback's frame becomes the pose
    const { pivot, axis } = jointFrame(joint);
    const posed = vp.getPose()[joint.name];
    const start = Number(clampJoint(joint, typeof posed === "number" ? posed : 0));
    const ray = ndcRay(ev);
    drag = {
      joint, pivot, axis, start, value: start, id: ev.pointerId,
      last: joint.type === "prismatic" ? null : onPlane(ray, pivot, axis),
      s0: joint.type === "prismatic" ? nearestOnAxis(pivot, axis, ray) : null,
    };
    api.dragging = joint.name;
    wrap.dataset.dragJoint = joint.name;
    vp.canvas.style.cursor = "grabbing";
    try { vp.canvas.setPointerCapture(ev.pointerId); } catch { /* synthetic pointer */ }
    ev.preventDefault();
  }

  function onMove(ev) {
    if (!drag) {
      if (ev.buttons === 0 && vp.meta && ev.target === vp.canvas && !panel.element.classList.contains("gz-following-play")) scheduleHover(ev);
      return;
    }
    if (ev.pointerId !== drag.id) return;
    const ray = ndcRay(ev);
    const { joint, pivot, axis } = drag;
    if (joint.type === "prismatic") {
      const s = nearestOnAxis(pivot, axis, ray);
      if (s === null || drag.s0 === null) return;
      // the axis is in world units; the joint in the model's (the world only rotates it)
      drag.value = drag.start + (s - drag.s0);
    } else {
      const p = onPlane(ray, pivot, axis);
      if (!p || !drag.last) { drag.last = drag.last || p; return; }
      drag.value += angleAbout(axis, drag.last, p); // summed step by step: no jump at ±180°
      drag.last = p;
    }
    const v = Number(clampJoint(joint, drag.value));
    if (joint.type === "revolute" || joint.type === "prismatic") drag.value = v; // pushing past a limit does not wind up
    panel.setPose({ [joint.name]: v });
    announce();
  }

  function onUp(ev) {
    if (!drag || ev.pointerId !== drag.id) return;
    drag = null;
    api.dragging = null;
    delete wrap.dataset.dragJoint;
    vp.controls.enabled = true;
    vp.canvas.style.cursor = api.hovered ? "grab" : "";
    panel.onPoseCommit?.(vp.getPose());
  }

  // hover picks at most once per frame (a ray against every mesh of a big robot is not free)
  let hoverEvent = null, hoverQueued = false;
  function scheduleHover(ev) {
    hoverEvent = ev;
    if (hoverQueued) return;
    hoverQueued = true;
    requestAnimationFrame(() => {
      hoverQueued = false;
      if (drag || !hoverEvent) return;
      const link = linkAt(hoverEvent);
      setHover(link && draggableJoint(vp.meta, link) ? link : null);
    });
  }
  const onLeave = () => { hoverEvent = null; if (!drag) setHover(null); };

  wrap.addEventListener("pointerdown", onDown, { capture: true });
  wrap.addEventListener("pointermove", onMove);
  wrap.addEventListener("pointerup", onUp);
  wrap.addEventListener("pointercancel", onUp);
  wrap.addEventListener("pointerleave", onLeave);
  api.dispose = () => {
    wrap.removeEventListener("pointerdown", onDown, { capture: true });
    wrap.removeEventListener("pointermove", onMove);
    wrap.removeEventListener("pointerup", onUp);
    wrap.removeEventListener("pointercancel", onUp);
    wrap.removeEventListener("pointerleave", onLeave);
  };
  return api;
}
