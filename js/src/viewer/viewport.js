// The 3D viewport: a three.js scene of an articulated model, posed by forward kinematics here
// in the browser. Shared by the viewer widget and the Studio:
//
//   const vp = createViewport(container, { height: 480 });
//   await vp.setModel(meta, buffers);    // meta + DataView[] from encode_model()
//   vp.setPose({ elbow: 0.5 });          // radians / metres, clamped to limits
//   vp.setWireframe(true); vp.highlightLink("forearm"); vp.fit();
//   const png = await vp.screenshot();   // Blob (image/png)
//   vp.dispose();
//
// Rendering is on demand (orbit, pose, resize), not a busy loop: SwiftShader and laptops
// both thank us. `vp.frames` counts frames drawn with a model (tests and benchmarks read it).
//
// WebGL contexts are a scarce page-wide resource: Chromium keeps ~16 and silently kills the
// oldest live one when a 17th is made. dispose() therefore gives its context back at once
// (forceContextLoss), not whenever the garbage collector gets to the canvas; a view whose
// context is lost anyway says so and reloads on a click (or by itself if the browser restores it).
//
// Colours come from the host's theme (theme.js) and follow it live; `background` fixes the
// clear colour instead (a number), or "transparent" draws on a transparent canvas.
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { concatChunks, decodeAll } from "./decode.js";
import { onThemeChange, readTheme } from "./theme.js";

const DEFAULT_COLORS = [0x8fa9c7, 0xc79f8f, 0x9fc78f, 0xc7c18f, 0xb08fc7, 0x8fc7c0, 0xc78fb0];
const HIGHLIGHT = new THREE.Color(0xffa62b);

function toView(buffer) {
  if (buffer instanceof Uint8Array) return buffer;
  if (Array.isArray(buffer)) return concatChunks(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return new Uint8Array(buffer);
}

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
function jointMotion(joint, q) {
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

/** Small meshes: PBR, normals computed in decode.js (smooth, split at creases). */
function smallMeshMaterial(color, opacity, wireframe = false) {
  return new THREE.MeshStandardMaterial({
    color, metalness: 0.1, roughness: 0.65, wireframe,
    transparent: opacity < 1, opacity, side: THREE.DoubleSide,
  });
}

/**
 * Big meshes (quantized on the GPU, no normals): Lambert with flat shading (normals from
 * screen-space derivatives). Without a GPU it cut the first frame of a 1M-triangle model from
 * 1.55 s to 1.17 s compared with PBR; at that density the look is the same.
 */
function bigMeshMaterial(color, opacity, wireframe = false) {
  return new THREE.MeshLambertMaterial({
    color, wireframe, transparent: opacity < 1, opacity, side: THREE.DoubleSide, flatShading: true,
  });
}

// Whether this page's WebGL runs on a GPU. failIfMajorPerformanceCaveat makes context creation
// fail on some software rasterizers, but not on Chromium's SwiftShader when it is enabled
// explicitly (headless, CI), so the renderer's name is checked too. Asked once per page; the
// probe's context is given back at once.
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;
let accelerated = null;
function hardwareAccelerated() {
  if (accelerated === null) {
    let gl = null;
    try { gl = document.createElement("canvas").getContext("webgl2", { failIfMajorPerformanceCaveat: true }); } catch { /* none */ }
    accelerated = false;
    if (gl) {
      const info = gl.getExtension("WEBGL_debug_renderer_info");
      const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      accelerated = !SOFTWARE.test(name);
      gl.getExtension("WEBGL_lose_context")?.loseContext();
    }
  }
  return accelerated;
}

// The contact shadow's soft disc, drawn once per page (three.js uploads it per renderer).
let shadowTexture = null;
function contactShadowTexture() {
  if (!shadowTexture) {
    const c = document.createElement("canvas");
    c.width = c.height = 128;
    const g = c.getContext("2d");
    const grad = g.createRadialGradient(64, 64, 0, 64, 64, 64);
    grad.addColorStop(0, "rgba(0,0,0,1)");
    grad.addColorStop(0.5, "rgba(0,0,0,0.6)");
    grad.addColorStop(1, "rgba(0,0,0,0)");
    g.fillStyle = grad;
    g.fillRect(0, 0, 128, 128);
    shadowTexture = new THREE.CanvasTexture(c);
    shadowTexture.colorSpace = THREE.SRGBColorSpace;
  }
  return shadowTexture;
}

function addLights(scene) {
  scene.add(new THREE.HemisphereLight(0xffffff, 0x667788, 1.6));
  const sun = new THREE.DirectionalLight(0xffffff, 1.8);
  sun.position.set(3, 6, 4);
  scene.add(sun);
  const fill = new THREE.DirectionalLight(0xffffff, 0.5);
  fill.position.set(-4, 2, -3);
  scene.add(fill);
}

export function createViewport(container, options = {}) {
  const height = options.height ?? 480;
  const wrap = document.createElement("div");
  wrap.className = "gizmo-viewport";
  wrap.style.cssText = `position:relative;width:100%;height:${height}px;`;
  container.appendChild(wrap);

  const transparent = options.background === "transparent";
  const fixedBackground = typeof options.background === "number" ? options.background : null;
  let theme = readTheme(wrap);
  const clearColor = () => fixedBackground ?? theme.background;

  // MSAA only on a GPU: without one (SwiftShader, many CI and cloud notebooks) 4x MSAA nearly
  // doubled the time to draw a 1M-triangle model (3.3 s -> 1.8 s without it).
  const antialias = options.antialias ?? hardwareAccelerated();
  function makeRenderer() {
    const r = new THREE.WebGLRenderer({ antialias, alpha: transparent, preserveDrawingBuffer: false });
    r.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    r.setClearColor(clearColor(), transparent ? 0 : 1);
    r.domElement.style.cssText = "display:block;width:100%;height:100%;outline:none;";
    r.domElement.addEventListener("webglcontextlost", onContextLost);
    r.domElement.addEventListener("webglcontextrestored", onContextRestored);
    return r;
  }
  // what a view whose context the browser took says, over its (now blank) canvas: opaque, so
  // Chromium's broken-image icon on a lost canvas does not show through
  const lostNote = document.createElement("button");
  lostNote.className = "gizmo-context-lost";
  lostNote.type = "button";
  lostNote.textContent = "This 3D view lost its graphics context (too many views open?). Click to reload the view.";
  lostNote.style.cssText = "position:absolute;inset:0;display:none;width:100%;border:0;margin:0;padding:12px;"
    + "cursor:pointer;font:inherit;background:var(--jp-layout-color2,#eee);color:var(--jp-ui-font-color1,#222);";
  lostNote.onclick = () => reload();
  function onContextLost() {
    if (disposed) return;
    api.contextLost = true;
    wrap.dataset.contextLost = "1";
    lostNote.style.display = "block";
  }
  function onContextRestored() { // three.js re-creates its GPU state itself; only redraw
    if (disposed) return;
    api.contextLost = false;
    delete wrap.dataset.contextLost;
    lostNote.style.display = "none";
    requestRender();
  }
  let renderer = makeRenderer();
  wrap.append(renderer.domElement, lostNote);

  const scene = new THREE.Scene();
  // Z-up like URDF/MJCF/USD: rotate the world once instead of every model.
  const world = new THREE.Group();
  world.rotation.x = -Math.PI / 2;
  scene.add(world);
  addLights(scene);

  const camera = new THREE.PerspectiveCamera(45, 1, 0.001, 1000);
  camera.position.set(1.5, 1.2, 1.5);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.enableDamping = false;

  let grid = null, axes = null, shadow = null, root = null, meta = null;
  let groundVisible = true;
  let linkObjects = new Map(); // link name -> Group (posed)
  let meshesByLink = new Map(); // link name -> Mesh[]
  let pose = {};
  let wireframe = false;
  let highlighted = null;
  let pending = false;
  let disposed = false;
  const api = { frames: 0, meta: null, onFrame: null, contextLost: false };

  // `changes` counts what asked for a frame; a scheduled frame is skipped when a synchronous
  // render() has already drawn every change (setModel draws its first frame at once, then the
  // fit / pose / wireframe / resize it did would each schedule another: at 1M triangles on
  // SwiftShader a redundant frame costs ~0.35 s of GPU time before anything else can draw).
  let changes = 0, drawnChanges = -1;
  function render() {
    if (disposed) return;
    drawnChanges = changes;
    renderer.render(scene, camera);
    if (root) {
      api.frames += 1;
      wrap.dataset.frames = String(api.frames);
      if (api.onFrame) api.onFrame(api.frames);
    }
  }
  function requestRender() {
    changes += 1;
    if (pending || disposed) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; if (drawnChanges !== changes) render(); });
  }
  controls.addEventListener("change", requestRender);

  // re-read the theme's colours; a change redraws (the grid's colours are baked in: rebuilt)
  function applyTheme() {
    if (disposed) return;
    const next = readTheme(wrap);
    if (next.key === theme.key) return;
    theme = next;
    renderer.setClearColor(clearColor(), transparent ? 0 : 1);
    if (meta) setGround(meta.bounds);
    requestRender();
  }
  const stopTheme = onThemeChange(applyTheme);

  let size = [0, 0];
  function resize() {
    applyTheme(); // the first call after the view is attached: the page's colours are known now
    const w = Math.max(wrap.clientWidth, 50), h = Math.max(wrap.clientHeight, 50);
    if (w === size[0] && h === size[1]) return; // the observer's first call, or a no-op
    size = [w, h];
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    requestRender();
  }
  const observer = new ResizeObserver(resize);
  observer.observe(wrap);
  resize();

  // Shader warm-up while the geometry is still on its way: the programs of every material kind
  // the model may use (same attribute layouts as decode.js produces) are compiled in the
  // background with KHR_parallel_shader_compile, so the page keeps taking in the geometry
  // meanwhile and the first frame does not compile them. Measured at 1M triangles in JupyterLab
  // on SwiftShader: also *drawing* them once into a 1-pixel viewport (to have SwiftShader JIT
  // its routines early), or uploading each arriving part with a one-triangle draw, blocked the
  // page's main thread while parts were arriving and made the first frame later (median 0.53 s
  // without either, 0.62 s with both).
  const warmMaterials = [];
  async function warmUp() {
    if (disposed || root) return;
    performance.mark("gizmo:warmup-start");
    const tri = (quantized) => {
      const g = new THREE.BufferGeometry();
      if (quantized) {
        const q = new Int16Array([0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
        g.setAttribute("position", new THREE.InterleavedBufferAttribute(new THREE.InterleavedBuffer(q, 4), 3, 0, false));
        g.setIndex(new THREE.BufferAttribute(new Uint16Array([0, 1, 2]), 1));
      } else {
        g.setAttribute("position", new THREE.BufferAttribute(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]), 3));
        g.setAttribute("normal", new THREE.BufferAttribute(new Float32Array([0, 0, 1, 0, 0, 1, 0, 0, 1]), 3));
        g.setIndex(new THREE.BufferAttribute(new Uint16Array([0, 1, 2]), 1));
      }
      return g;
    };
    const group = new THREE.Group();
    const big = new THREE.Mesh(tri(true), bigMeshMaterial(new THREE.Color(0x888888), 1));
    const small = new THREE.Mesh(tri(false), smallMeshMaterial(new THREE.Color(0x888888), 1));
    group.add(big, small, new THREE.AxesHelper(1), new THREE.GridHelper(1, 2)); // helpers: the ground's programs
    // The materials stay until the viewport goes: disposing them would make three.js drop the
    // programs just compiled, and the first frame would compile them again.
    group.traverse((o) => { if (o.material) warmMaterials.push(o.material); });
    try {
      await renderer.compileAsync(group, camera, scene);
    } catch (err) {
      console.warn("gizmo-notebook viewer: shader warm-up failed", err);
    }
    group.traverse((o) => { if (o.geometry) o.geometry.dispose(); });
    performance.mark("gizmo:warmup-end");
  }
  // dispose() waits for it: compileAsync polls its materials' programs on a timer, and freeing
  // them (or the renderer) under it throws "reading 'isReady'" from that timer
  const warming = new Promise((resolve) => setTimeout(resolve, 0)).then(warmUp).catch(() => {});

  function applyPose() {
    if (!meta) return;
    const world = new Map([[meta.root, new THREE.Matrix4()]]);
    for (const j of meta.joints) {
      const parent = world.get(j.parent) ?? new THREE.Matrix4();
      // a joint not posed yet sits at 0, or at the nearest limit when 0 is outside its
      // limits: where its slider shows it (a range input cannot show a value outside its
      // range); multi-DOF joints at rest
      const q = j.name in pose ? clampJoint(j, pose[j.name]) : SINGLE_DOF.has(j.type) ? clampJoint(j, 0) : null;
      const t = parent.clone().multiply(new THREE.Matrix4().fromArray(j.origin)).multiply(jointMotion(j, q));
      world.set(j.child, t);
    }
    for (const [name, group] of linkObjects) {
      const t = world.get(name);
      if (t) { group.matrix.copy(t); group.matrixWorldNeedsUpdate = true; }
    }
    placeShadow();
  }

  // The contact shadow: a soft disc on the ground under the model's footprint in this pose.
  function placeShadow() {
    if (!shadow || !root) return;
    root.updateMatrixWorld(true);
    const box = new THREE.Box3().setFromObject(root).applyMatrix4(world.matrixWorld.clone().invert());
    if (box.isEmpty()) { shadow.visible = false; return; }
    const w = box.max.x - box.min.x, d = box.max.y - box.min.y;
    const reach = Math.max(w, d, 1e-3);
    shadow.scale.set(Math.max(w, reach * 0.3) * 2.2, Math.max(d, reach * 0.3) * 2.2, 1);
    shadow.position.x = (box.min.x + box.max.x) / 2;
    shadow.position.y = (box.min.y + box.max.y) / 2;
    shadow.visible = groundVisible;
  }

  function setGround(bounds) {
    if (grid) { world.remove(grid); grid.geometry.dispose(); grid.material.dispose(); }
    if (axes) { world.remove(axes); axes.geometry.dispose(); axes.material.dispose(); }
    if (shadow) { world.remove(shadow); shadow.geometry.dispose(); shadow.material.dispose(); }
    const [lo, hi] = bounds;
    const size = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-3);
    const step = Math.pow(10, Math.floor(Math.log10(size)));
    const extent = Math.ceil((size * 2) / step) * step;
    const ground = Math.min(lo[2], 0);
    grid = new THREE.GridHelper(extent, Math.round(extent / step) * 2, theme.gridMajor, theme.gridMinor);
    grid.rotation.x = Math.PI / 2; // into the XY plane of the Z-up world
    grid.position.z = ground;
    grid.visible = groundVisible;
    world.add(grid);
    axes = new THREE.AxesHelper(size * 0.3);
    axes.visible = groundVisible;
    world.add(axes);
    shadow = new THREE.Mesh(new THREE.PlaneGeometry(1, 1), new THREE.MeshBasicMaterial({
      map: contactShadowTexture(), transparent: true, opacity: theme.shadow, depthWrite: false,
    }));
    shadow.name = "contact-shadow";
    shadow.renderOrder = -1; // under the grid lines, which are drawn at the same height
    shadow.position.z = ground + size * 1e-3;
    world.add(shadow);
    placeShadow();
  }

  api.setModel = async function setModel(newMeta, buffers) {
    const views = buffers.map(toView);
    performance.mark("gizmo:decode-start");
    const geometries = await decodeAll(newMeta, views);
    performance.mark("gizmo:decoded");
    if (root) { world.remove(root); }
    root = new THREE.Group();
    linkObjects = new Map();
    meshesByLink = new Map();
    meta = newMeta;
    api.meta = newMeta;
    newMeta.links.forEach((link, i) => {
      const group = new THREE.Group();
      group.name = link.name;
      group.matrixAutoUpdate = false;
      const meshes = [];
      for (const v of link.visuals) {
        const c = v.color ? new THREE.Color(v.color[0], v.color[1], v.color[2]) : new THREE.Color(DEFAULT_COLORS[i % DEFAULT_COLORS.length]);
        const opacity = v.color ? v.color[3] : 1;
        const parts = geometries[v.geometry] || [];
        const flat = parts.some((part) => part.quantized);
        const mat = flat ? bigMeshMaterial(c, opacity, wireframe) : smallMeshMaterial(c, opacity, wireframe);
        mat.userData.baseColor = c.clone();
        for (const { geometry, quantized } of parts) { // one draw per part; a visual's parts share its material
          const mesh = new THREE.Mesh(geometry, mat);
          if (quantized) {
            mesh.position.fromArray(quantized.offset);
            mesh.scale.fromArray(quantized.scale);
          }
          mesh.name = v.name;
          mesh.userData.link = link.name;
          group.add(mesh);
          meshes.push(mesh);
        }
      }
      linkObjects.set(link.name, group);
      meshesByLink.set(link.name, meshes);
      root.add(group);
    });
    world.add(root);
    applyPose();
    setGround(newMeta.bounds);
    api.fit();
    performance.mark("gizmo:scene-built");
    render(); // the first frame, synchronously: the model is fully drawn once this returns
    performance.mark("gizmo:render-submitted");
  };

  api.setPose = function setPose(values) {
    const next = { ...pose, ...values };
    if (Object.keys(next).every((k) => next[k] === pose[k])) return; // nothing moves: no frame
    pose = next;
    applyPose();
    requestRender();
  };
  api.getPose = () => ({ ...pose });
  api.linkWorldMatrix = (name) => {
    const g = linkObjects.get(name);
    if (!g) return null;
    g.updateWorldMatrix(true, false);
    return g.matrixWorld.toArray();
  };

  /** A link's posed group (overlays add their helpers to it), or null. */
  api.linkGroup = (name) => linkObjects.get(name) ?? null;
  api.requestRender = () => requestRender();

  /** Place links directly (playback): link name -> Matrix4 in the model frame; others stay. */
  api.setLinkMatrices = function setLinkMatrices(matrices) {
    for (const [name, m] of matrices) {
      const group = linkObjects.get(name);
      if (group) { group.matrix.copy(m); group.matrixWorldNeedsUpdate = true; }
    }
    requestRender();
  };

  api.setWireframe = function setWireframe(on) {
    if (wireframe === !!on) return;
    wireframe = !!on;
    for (const meshes of meshesByLink.values()) for (const m of meshes) m.material.wireframe = wireframe;
    requestRender();
  };

  /** Show or hide the ground: grid, axes and contact shadow. */
  api.setGrid = function setGrid(on) {
    groundVisible = !!on;
    for (const o of [grid, axes, shadow]) if (o) o.visible = groundVisible;
    requestRender();
  };

  api.highlightLink = function highlightLink(name) {
    highlighted = name || null;
    for (const [link, meshes] of meshesByLink) {
      for (const m of meshes) {
        const base = m.material.userData.baseColor;
        m.material.color.copy(link === highlighted ? HIGHLIGHT : base);
        m.material.emissive.set(link === highlighted ? 0x402000 : 0x000000);
      }
    }
    requestRender();
  };

  api.fit = function fit() {
    const box = new THREE.Box3();
    scene.updateMatrixWorld(true);
    if (root) box.setFromObject(root);
    if (box.isEmpty()) box.set(new THREE.Vector3(-0.5, -0.5, -0.5), new THREE.Vector3(0.5, 0.5, 0.5));
    const sphere = box.getBoundingSphere(new THREE.Sphere());
    const r = Math.max(sphere.radius, 1e-3);
    const dist = r / Math.sin((camera.fov * Math.PI) / 360);
    const dir = new THREE.Vector3(1, 0.75, 1).normalize();
    camera.position.copy(sphere.center).addScaledVector(dir, dist * 1.05);
    camera.near = Math.max(dist / 1000, 1e-4);
    camera.far = dist * 100;
    camera.updateProjectionMatrix();
    controls.target.copy(sphere.center);
    controls.update();
    requestRender();
  };

  api.screenshot = function screenshot() {
    render();
    return new Promise((resolve) => renderer.domElement.toBlob((b) => resolve(b), "image/png"));
  };

  api.pick = function pick(clientX, clientY) {
    const rect = renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    const ray = new THREE.Raycaster();
    ray.setFromCamera(ndc, camera);
    const hit = root ? ray.intersectObject(root, true)[0] : null;
    return hit ? hit.object.userData.link : null;
  };

  /**
   * What is on screen, for tests: triangles drawn (and 16-bit indices WebGL would read as a
   * primitive restart, which must be none), the exact bounds of the drawn geometry in
   * the model's (Z-up) frame, and where the model's metadata bounds project on the canvas
   * (CSS pixels from its top-left corner).
   */
  api.stats = function stats() {
    if (!root || !meta) return null;
    scene.updateMatrixWorld(true);
    let triangles = 0, restartIndices = 0; // 0xFFFF in a 16-bit index buffer: WebGL 2 drops that triangle
    root.traverse((o) => {
      if (!o.isMesh) return;
      const index = o.geometry.index;
      triangles += (index ? index.count : o.geometry.attributes.position.count) / 3;
      if (index && index.array instanceof Uint16Array) for (const i of index.array) if (i === 0xffff) restartIndices += 1;
    });
    const box = new THREE.Box3().setFromObject(root, true).applyMatrix4(world.matrixWorld.clone().invert());
    const rect = renderer.domElement.getBoundingClientRect();
    const screen = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    const [lo, hi] = meta.bounds;
    for (const x of [lo[0], hi[0]]) for (const y of [lo[1], hi[1]]) for (const z of [lo[2], hi[2]]) {
      const v = new THREE.Vector3(x, y, z).applyMatrix4(world.matrixWorld).project(camera);
      const px = ((v.x + 1) / 2) * rect.width, py = ((1 - v.y) / 2) * rect.height;
      screen.left = Math.min(screen.left, px); screen.right = Math.max(screen.right, px);
      screen.top = Math.min(screen.top, py); screen.bottom = Math.max(screen.bottom, py);
    }
    return { triangles, restartIndices, bounds: [box.min.toArray(), box.max.toArray()], screen };
  };

  /** A new renderer (canvas, context) for this scene: after the browser took the old context. */
  function reload() {
    if (disposed) return;
    const old = renderer;
    renderer = makeRenderer();
    old.domElement.replaceWith(renderer.domElement);
    old.dispose();
    controls.disconnect();
    controls.connect(renderer.domElement);
    renderer.setSize(size[0], size[1], false);
    api.contextLost = false;
    delete wrap.dataset.contextLost;
    lostNote.style.display = "none";
    render();
  }
  api.reload = reload;

  api.element = wrap;
  Object.defineProperty(api, "canvas", { get: () => renderer.domElement, enumerable: true });
  api.render = render;
  // The Studio's Compare links several views (one scale, one orbit) through these.
  api.camera = camera;
  api.controls = controls;

  api.dispose = function dispose() {
    if (disposed) return;
    disposed = true;
    observer.disconnect();
    stopTheme();
    controls.dispose();
    wrap.remove();
    warming.then(() => {
      scene.traverse((o) => { if (o.material) o.material.dispose(); }); // shared ones: harmless twice
      for (const m of warmMaterials) m.dispose();
      // geometries are shared through the page cache; leave them to it
      const canvas = renderer.domElement;
      renderer.dispose(); // also unhooks its context-loss listeners
      canvas.removeEventListener("webglcontextlost", onContextLost);
      canvas.removeEventListener("webglcontextrestored", onContextRestored);
      // give the context back now: the page's next view would otherwise push out a live one
      renderer.forceContextLoss();
      canvas.width = canvas.height = 1;
    });
  };
  return api;
}
