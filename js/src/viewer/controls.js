// @ts-check
// Camera and input for the viewport: the perspective camera, orbit controls, framing a model
// (fit) and picking the link under the pointer.
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { HIDDEN_LAYER } from "./wires.js";

/** The camera and its orbit controls on `canvas`; `onChange` hears every orbit, pan or zoom. */
export function createControls(canvas, onChange) {
  const camera = new THREE.PerspectiveCamera(45, 1, 0.001, 1000);
  camera.position.set(1.5, 1.2, 1.5);
  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;
  controls.addEventListener("change", onChange);
  return { camera, controls };
}

/** Frame `root` (all of it, from a fixed three-quarter direction); a unit box when there is none. */
export function fitCamera(camera, controls, scene, root) {
  const box = new THREE.Box3();
  scene.updateMatrixWorld(true);
  if (root) box.setFromObject(root);
  if (box.isEmpty()) box.set(new THREE.Vector3(-0.5, -0.5, -0.5), new THREE.Vector3(0.5, 0.5, 0.5));
  const sphere = box.getBoundingSphere(new THREE.Sphere());
  const r = Math.max(sphere.radius, 1e-3);
  // the narrower of the two fields of view: in a tall, narrow view (a phone, a side panel) the
  // horizontal one is the smaller, and framing by the vertical one cut the model's sides off
  const halfV = (camera.fov * Math.PI) / 360;
  const halfH = Math.atan(Math.tan(halfV) * camera.aspect);
  const dist = r / Math.sin(Math.min(halfV, halfH));
  const dir = new THREE.Vector3(1, 0.75, 1).normalize();
  camera.position.copy(sphere.center).addScaledVector(dir, dist * 1.05);
  camera.near = Math.max(dist / 1000, 1e-4);
  camera.far = dist * 100;
  camera.updateProjectionMatrix();
  controls.target.copy(sphere.center);
  controls.update();
}

/** A raycaster for picking links: it also hits meshes drawn as their edges (wires.js hides them from the camera, not from picking). */
export function linkRaycaster() {
  const ray = new THREE.Raycaster();
  ray.layers.enable(HIDDEN_LAYER);
  return ray;
}

/** The name of the link under the client-space point on `canvas`, or null. */
export function pickLink(canvas, camera, root, clientX, clientY) {
  const rect = canvas.getBoundingClientRect();
  const ndc = new THREE.Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
  const ray = linkRaycaster();
  ray.setFromCamera(ndc, camera);
  const hit = root ? ray.intersectObject(root, true)[0] : null;
  return hit ? hit.object.userData.link : null;
}
