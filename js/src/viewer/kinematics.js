// @ts-check
// Forward kinematics of an encoded model (the meta of encode_model()): joint motions and the
// link transforms they give at a pose. Pure three.js math, no DOM, so Node's test runner can
// check it (js/test/kinematics.test.js) against the Python model's conventions.
import * as THREE from "three";
import { JOINT, SINGLE_DOF_JOINT_TYPES } from "../generated/constants.js";

/** @typedef {import("../types.js").JointMeta} JointMeta */
/** @typedef {import("../types.js").ModelMeta} ModelMeta */

/**
 * A rotation from a quaternion (w, x, y, z) or a rotation vector (x, y, z: axis times angle).
 * @param {number[]} v
 */
function orientation(v) {
  if (v.length >= 4) {
    const [w, x, y, z] = v;
    return new THREE.Matrix4().makeRotationFromQuaternion(new THREE.Quaternion(x, y, z, w).normalize());
  }
  const r = new THREE.Vector3(v[0], v[1], v[2]);
  const angle = r.length();
  return angle ? new THREE.Matrix4().makeRotationAxis(r.divideScalar(angle), angle) : new THREE.Matrix4();
}

/**
 * In-plane x and y of a planar joint with axis `n`, as gizmo_notebook.model.plane_axes.
 * @param {THREE.Vector3} n
 */
function planeAxes(n) {
  const e = Math.abs(n.x) < 0.9 ? new THREE.Vector3(1, 0, 0) : new THREE.Vector3(0, 1, 0);
  const u = e.clone().addScaledVector(n, -e.dot(n)).normalize();
  return [u, new THREE.Vector3().crossVectors(n, u)];
}

/**
 * The transform a joint adds at position `q` (model.Joint.motion in Python): a number for
 * revolute / continuous / prismatic joints; for ball, floating and planar joints an array
 * (quaternion or rotation vector; position then orientation; x, y, theta), or null at rest.
 * @param {JointMeta} joint
 * @param {any} q  number | number[] | null
 * @returns {THREE.Matrix4}
 */
export function jointMotion(joint, q) {
  const m = new THREE.Matrix4();
  const axis = new THREE.Vector3(...joint.axis).normalize();
  if (joint.type === JOINT.REVOLUTE || joint.type === JOINT.CONTINUOUS) m.makeRotationAxis(axis, q);
  else if (joint.type === JOINT.PRISMATIC) m.makeTranslation(axis.x * q, axis.y * q, axis.z * q);
  else if (!Array.isArray(q)) return m;
  else if (joint.type === JOINT.BALL) m.copy(orientation(q));
  else if (joint.type === JOINT.FLOATING) m.copy(orientation(q.slice(3))).setPosition(q[0], q[1], q[2]);
  else if (joint.type === JOINT.PLANAR) {
    const [u, w] = planeAxes(axis);
    m.makeRotationAxis(axis, q[2]).setPosition(u.multiplyScalar(q[0]).addScaledVector(w, q[1]));
  }
  return m;
}

/**
 * A joint position clamped into the joint's limits; several numbers (ball, floating, planar) pass as they are.
 * @param {JointMeta} joint
 * @param {unknown} value  a number (or numeric string), or an array of them
 * @returns {number | number[]}
 */
export function clampJoint(joint, value) {
  if (Array.isArray(value)) return value.map(Number);
  const v = Number(value) || 0;
  if (joint.limits && (joint.type === JOINT.REVOLUTE || joint.type === JOINT.PRISMATIC)) {
    return Math.min(Math.max(v, joint.limits.lower), joint.limits.upper);
  }
  return v;
}

/** Joints whose position is one number: the ones with a slider. */
export const SINGLE_DOF = new Set(SINGLE_DOF_JOINT_TYPES);

/**
 * Each link's transform in the model frame at `pose` (joint name -> position), root first.
 * A joint not posed yet sits at 0, or at the nearest limit when 0 is outside its limits: where
 * its slider shows it (a range input cannot show a value outside its range); multi-DOF joints
 * at rest.
 * @param {Pick<ModelMeta, "root" | "joints">} meta
 * @param {Record<string, unknown>} pose
 * @returns {Map<string, THREE.Matrix4>}
 */
export function linkTransforms(meta, pose) {
  const world = new Map([[meta.root, new THREE.Matrix4()]]);
  for (const j of meta.joints) {
    const parent = world.get(j.parent) ?? new THREE.Matrix4();
    const q = j.name in pose ? clampJoint(j, pose[j.name]) : SINGLE_DOF.has(j.type) ? clampJoint(j, 0) : null;
    const t = parent.clone().multiply(new THREE.Matrix4().fromArray(j.origin)).multiply(jointMotion(j, q));
    world.set(j.child, t);
  }
  return world;
}

/**
 * The single-number joints' positions (name -> radians / metres) that put the links where
 * `matrixOf(link)` (model frame) has them: the inverse of linkTransforms for those joints,
 * so the sliders can show what a playback of link poses plays. Joints whose links are not placed are left out.
 */
export function jointValuesOf(modelMeta, matrixOf) {
  const out = {};
  const rel = new THREE.Matrix4(), frame = new THREE.Matrix4(), origin = new THREE.Matrix4();
  const axis = new THREE.Vector3(), u = new THREE.Vector3(), v = new THREE.Vector3(), p = new THREE.Vector3();
  for (const j of modelMeta.joints) {
    if (j.type !== "revolute" && j.type !== "continuous" && j.type !== "prismatic") continue;
    const parent = matrixOf(j.parent), child = matrixOf(j.child);
    if (!parent || !child) continue;
    frame.copy(parent).multiply(origin.fromArray(j.origin));
    rel.copy(frame).invert().multiply(child); // the joint's own motion
    axis.set(j.axis[0], j.axis[1], j.axis[2]).normalize();
    if (j.type === "prismatic") {
      out[j.name] = p.setFromMatrixPosition(rel).dot(axis);
      continue;
    }
    u.set(1, 0, 0);
    if (Math.abs(axis.x) > 0.9) u.set(0, 1, 0);
    u.addScaledVector(axis, -u.dot(axis)).normalize();
    v.copy(u).transformDirection(rel);
    out[j.name] = Math.atan2(axis.dot(new THREE.Vector3().crossVectors(u, v)), u.dot(v));
  }
  return out;
}

/** The joint that moves `link`, or the nearest one above it that a drag can move (null: none). */
export function draggableJoint(meta, link) {
  const byChild = new Map(meta.joints.map((j) => [j.child, j]));
  const seen = new Set();
  for (let name = link; name && !seen.has(name); name = byChild.get(name)?.parent) {
    seen.add(name);
    const j = byChild.get(name);
    if (!j) return null;
    if (SINGLE_DOF.has(j.type) && !(j.limits && j.limits.upper <= j.limits.lower)) return j;
  }
  return null;
}
