// Forward kinematics of an encoded model (the meta of encode_model()): joint motions and the
// link transforms they give at a pose. Pure three.js math, no DOM, so Node's test runner can
// check it (js/test/kinematics.test.js) against the Python model's conventions.
import * as THREE from "three";

/** A rotation from a quaternion (w, x, y, z) or a rotation vector (x, y, z: axis times angle). */
function orientation(v) {
  if (v.length >= 4) {
    const [w, x, y, z] = v;
    return new THREE.Matrix4().makeRotationFromQuaternion(new THREE.Quaternion(x, y, z, w).normalize());
  }
  const r = new THREE.Vector3(v[0], v[1], v[2]);
  const angle = r.length();
  return angle ? new THREE.Matrix4().makeRotationAxis(r.divideScalar(angle), angle) : new THREE.Matrix4();
}

/** In-plane x and y of a planar joint with axis `n`, as gizmo_notebook.model.plane_axes. */
function planeAxes(n) {
  const e = Math.abs(n.x) < 0.9 ? new THREE.Vector3(1, 0, 0) : new THREE.Vector3(0, 1, 0);
  const u = e.clone().addScaledVector(n, -e.dot(n)).normalize();
  return [u, new THREE.Vector3().crossVectors(n, u)];
}

/**
 * The transform a joint adds at position `q` (model.Joint.motion in Python): a number for
 * revolute / continuous / prismatic joints; for ball, floating and planar joints an array
 * (quaternion or rotation vector; position then orientation; x, y, theta), or null at rest.
 */
export function jointMotion(joint, q) {
  const m = new THREE.Matrix4();
  const axis = new THREE.Vector3(...joint.axis).normalize();
  if (joint.type === "revolute" || joint.type === "continuous") m.makeRotationAxis(axis, q);
  else if (joint.type === "prismatic") m.makeTranslation(axis.x * q, axis.y * q, axis.z * q);
  else if (!Array.isArray(q)) return m;
  else if (joint.type === "ball") m.copy(orientation(q));
  else if (joint.type === "floating") m.copy(orientation(q.slice(3))).setPosition(q[0], q[1], q[2]);
  else if (joint.type === "planar") {
    const [u, w] = planeAxes(axis);
    m.makeRotationAxis(axis, q[2]).setPosition(u.multiplyScalar(q[0]).addScaledVector(w, q[1]));
  }
  return m;
}

/** A joint position clamped into the joint's limits; several numbers (ball, floating, planar) pass as they are. */
export function clampJoint(joint, value) {
  if (Array.isArray(value)) return value.map(Number);
  const v = Number(value) || 0;
  if (joint.limits && (joint.type === "revolute" || joint.type === "prismatic")) {
    return Math.min(Math.max(v, joint.limits.lower), joint.limits.upper);
  }
  return v;
}

/** Joints whose position is one number: the ones with a slider. */
export const SINGLE_DOF = new Set(["revolute", "continuous", "prismatic"]);

/**
 * Each link's transform in the model frame at `pose` (joint name -> position), root first.
 * A joint not posed yet sits at 0, or at the nearest limit when 0 is outside its limits: where
 * its slider shows it (a range input cannot show a value outside its range); multi-DOF joints
 * at rest.
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
