// @ts-check
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
import { concatChunks, decodeAll, decodeTextures } from "./decode.js";
import { onThemeChange, readTheme } from "./theme.js";
import { linkTransforms } from "./kinematics.js";
import { createControls, fitCamera, pickLink } from "./controls.js";
import { buildLods, createMotion, createMovingScale, disposeLods, LOD_ABOVE, LOD_LEVELS, triangleCount, withCopies } from "./quality.js";
import {
  HIGHLIGHT, addLights, buildLinks, hardwareAccelerated, makeGround, placeShadow as placeShadowOn, smallMeshMaterial, warmUpGroup,
} from "./scene.js";
import { showWire, syncWireColor } from "./wires.js";

// Kept importable from here: the panel, joint inputs and the Studio import them from this module.
export { clampJoint, SINGLE_DOF } from "./kinematics.js";

/** @typedef {import("../types.js").ModelMeta} ModelMeta */

/** @param {Uint8Array | ArrayBuffer | ArrayBufferView | Uint8Array[]} buffer */
function toView(buffer) {
  if (buffer instanceof Uint8Array) return buffer;
  if (Array.isArray(buffer)) return concatChunks(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return new Uint8Array(buffer);
}

/**
 * @param {HTMLElement} container
 * @param {{ height?: number, background?: number | "transparent", antialias?: boolean, adaptive?: boolean }} [options]
 *   `adaptive`: draw moving frames cheaper (quality.js); by default only without a GPU
 */
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
  const adaptive = options.adaptive ?? !hardwareAccelerated();
  const pixelRatio = Math.min(window.devicePixelRatio || 1, 2);
  function makeRenderer() {
    const r = new THREE.WebGLRenderer({ antialias, alpha: transparent, preserveDrawingBuffer: false });
    r.setPixelRatio(pixelRatio);
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
  /** @type {ReturnType<typeof setInterval> | null} */ let lostPoll = null;
  function onContextLost() {
    if (disposed) return;
    api.contextLost = true;
    wrap.dataset.contextLost = "1";
    lostNote.style.display = "block";
    // Chromium can sit on a restore until someone touches the context (an idle view draws
    // nothing): ask now and then, so "webglcontextrestored" comes when the GPU allows it.
    if (lostPoll === null) {
      lostPoll = setInterval(() => {
        if (disposed || !api.contextLost) { stopLostPoll(); return; }
        renderer.domElement.getContext("webgl2")?.isContextLost();
      }, 250);
    }
  }
  function stopLostPoll() {
    if (lostPoll !== null) clearInterval(lostPoll);
    lostPoll = null;
  }
  function onContextRestored() { // three.js re-creates its GPU state itself; only redraw
    if (disposed) return;
    stopLostPoll();
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

  const { camera, controls } = createControls(renderer.domElement, requestRender);

  /** @type {THREE.GridHelper | null} */ let grid = null;
  /** @type {THREE.AxesHelper | null} */ let axes = null;
  /** @type {THREE.Mesh<THREE.PlaneGeometry, THREE.MeshBasicMaterial> | null} */ let shadow = null;
  /** @type {THREE.Group | null} */ let root = null;
  /** @type {ModelMeta | null} */ let meta = null;
  let groundVisible = true;
  let linkObjects = new Map(); // link name -> Group (posed)
  let meshesByLink = new Map(); // link name -> Mesh[]
  /** @type {Record<string, number | number[]>} */
  let pose = {};
  let wireframe = false;
  /** @type {string | null} */
  let highlighted = null;
  let pending = false;
  let disposed = false;
  const api = {
    frames: 0, meta: /** @type {ModelMeta | null} */ (null),
    onFrame: /** @type {((frames: number) => void) | null} */ (null), contextLost: false,
    /** Called before each frame is drawn: overlays that follow the pose in one merged draw
     * write their vertices here (three.js uploads geometry before onBeforeRender runs). */
    beforeFrame: /** @type {Set<() => void>} */ (new Set()),
  };

  // `changes` counts what asked for a frame; a scheduled frame is skipped when a synchronous
  // render() has already drawn every change (setModel draws its first frame at once, then the
  // fit / pose / wireframe / resize it did would each schedule another: at 1M triangles on
  // SwiftShader a redundant frame costs ~0.35 s of GPU time before anything else can draw).
  let changes = 0, drawnChanges = -1;
  // Moving frames on software WebGL (quality.js): simplified copies of big geometries and half
  // (or a third of) the pixels, then one full frame once the view holds still.
  const motion = createMotion();
  const movingScale = createMovingScale();
  /** One set of copies per LOD_LEVELS entry; a coarser set is used only once it is complete. */
  /** @type {import("./quality.js").Lods[]} */ let lods = LOD_LEVELS.map(() => new Map());
  let lodsReady = 0; // how many sets (from the finest) cover the model as it is now
  const copiesFor = (/** @type {number} */ level) => lods[Math.min(level, Math.max(lodsReady - 1, 0))];
  let shownQuality = "";
  let heavy = false; // the model has more than LOD_ABOVE triangles
  let pixelScale = 1;
  function setPixelScale(scale) {
    if (scale === pixelScale) return;
    pixelScale = scale;
    renderer.setPixelRatio(pixelRatio * scale);
    renderer.setSize(size[0], size[1], false);
  }
  function render() {
    if (disposed) return;
    drawnChanges = changes;
    const cheap = adaptive && heavy && motion.moving;
    if (cheap) movingScale.frame(performance.now());
    setPixelScale(cheap ? movingScale.scale : 1);
    for (const update of api.beforeFrame) update();
    if (cheap && root) withCopies(root, copiesFor(movingScale.level), () => renderer.render(scene, camera)); // picking, stats and Python see the full model
    else renderer.render(scene, camera);
    if (cheap) motion.settle(render);
    const quality = cheap ? "moving" : "full";
    if (quality !== shownQuality) wrap.dataset.quality = shownQuality = quality; // not a DOM write every frame
    if (root) {
      api.frames += 1;
      wrap.dataset.frames = String(api.frames);
      if (api.onFrame) api.onFrame(api.frames);
    }
  }
  function requestRender() {
    changes += 1;
    motion.note();
    if (pending || disposed) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; if (drawnChanges !== changes) render(); });
  }

  // re-read the theme's colours; a change redraws (the grid's colours are baked in: rebuilt)
  function applyTheme() {
    if (disposed) return;
    const next = readTheme(wrap);
    if (next.key === theme.key) return;
    theme = next;
    renderer.setClearColor(clearColor(), transparent ? 0 : 1);
    if (meta) setGround(meta.bounds);
    applyWireframe(); // wire colours keep apart from the new background
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
    const group = warmUpGroup();
    // The materials stay until the viewport goes: disposing them would make three.js drop the
    // programs just compiled, and the first frame would compile them again.
    group.traverse((/** @type {any} */ o) => { if (o.material) warmMaterials.push(o.material); });
    try {
      await renderer.compileAsync(group, camera, scene);
    } catch (err) {
      console.warn("gizmo-notebook viewer: shader warm-up failed", err);
    }
    group.traverse((/** @type {any} */ o) => { if (o.geometry) o.geometry.dispose(); });
    performance.mark("gizmo:warmup-end");
  }
  // dispose() waits for it: compileAsync polls its materials' programs on a timer, and freeing
  // them (or the renderer) under it throws "reading 'isReady'" from that timer
  const warming = new Promise((resolve) => setTimeout(resolve, 0)).then(warmUp).catch(() => {});

  // Small meshes' geometry prepared while the model is still arriving (index.js hands over each
  // one as soon as it is built, before the metadata, which comes last). Each batch is drawn
  // once, into a single pixel, with the program the model will use: the buffers are uploaded
  // and WebGL's first-use work on them is done while the kernel is still encoding the rest,
  // instead of in the first frame. Measured on SwiftShader (interleaved runs, medians of 5):
  // TIAGo++'s first frame 0.82 -> 0.71 s, TALOS' 0.89 -> 0.84 s. Then the whole canvas is
  // cleared, so nothing of it shows.
  /** @type {THREE.BufferGeometry[]} */ const toPrepare = [];
  let prepareTimer = /** @type {ReturnType<typeof setTimeout> | null} */ (null);
  /** @type {THREE.Material | null} */ let prepareMaterial = null;
  api.prepare = function prepare(/** @type {THREE.BufferGeometry} */ geometry) {
    if (disposed || root) return; // a model is shown: its first frame is past
    toPrepare.push(geometry);
    prepareTimer ??= setTimeout(prepareBatch, 0);
  };
  function prepareBatch() {
    prepareTimer = null;
    const batch = toPrepare.splice(0);
    if (disposed || root || !batch.length || api.contextLost) return;
    if (!prepareMaterial) {
      prepareMaterial = smallMeshMaterial(new THREE.Color(0x888888), 1);
      warmMaterials.push(prepareMaterial); // freed with the view, like the warm-up's
    }
    const group = new THREE.Group();
    for (const geometry of batch) {
      const mesh = new THREE.Mesh(geometry, prepareMaterial);
      mesh.frustumCulled = false; // drawn whatever the camera
      group.add(mesh);
    }
    world.add(group);
    try {
      renderer.setScissorTest(true);
      renderer.setScissor(0, 0, 1, 1);
      renderer.render(scene, camera);
    } finally {
      renderer.setScissorTest(false);
      world.remove(group);
      renderer.clear(); // the whole canvas, as an empty view draws it
    }
  }

  function applyPose() {
    if (!meta) return;
    const transforms = linkTransforms(meta, pose);
    for (const [name, group] of linkObjects) {
      const t = transforms.get(name);
      if (t) { group.matrix.copy(t); group.matrixWorldNeedsUpdate = true; }
    }
    placeShadow();
  }

  function placeShadow() {
    if (!shadow || !root) return;
    placeShadowOn(shadow, root, world, groundVisible);
  }

  function setGround(bounds) {
    if (grid) { world.remove(grid); grid.geometry.dispose(); grid.material.dispose(); }
    if (axes) { world.remove(axes); axes.geometry.dispose(); axes.material.dispose(); }
    if (shadow) { world.remove(shadow); shadow.geometry.dispose(); shadow.material.dispose(); }
    ({ grid, axes, shadow } = makeGround(bounds, theme, groundVisible));
    world.add(grid, axes, shadow);
    placeShadow();
  }

  api.setModel = async function setModel(newMeta, buffers) {
    const views = buffers.map(toView);
    performance.mark("gizmo:decode-start");
    const pendingTextures = decodeTextures(newMeta, views); // images decode while the geometry does
    const geometries = await decodeAll(newMeta, views);
    const textures = {};
    for (const [key, loading] of Object.entries(pendingTextures)) {
      try {
        textures[key] = await loading;
      } catch (err) { // a broken image: the visual is drawn in its colour, and the console says why
        console.warn(`gizmo-notebook viewer: texture ${key} could not be decoded`, err);
      }
    }
    performance.mark("gizmo:decoded");
    const previous = root;
    if (root) { world.remove(root); }
    motion.stop();
    for (const set of lods) disposeLods(set);
    lodsReady = 0;
    ({ root, linkObjects, meshesByLink } = buildLinks(newMeta, geometries, textures));
    applyWireframe();
    meta = newMeta;
    api.meta = newMeta;
    world.add(root);
    applyPose();
    setGround(newMeta.bounds);
    api.fit();
    performance.mark("gizmo:scene-built");
    render(); // the first frame, synchronously: the model is fully drawn once this returns
    performance.mark("gizmo:render-submitted");
    // the old model's materials go once the new one is drawn: programs both use stay compiled
    if (previous) disposeMaterials(previous);
    heavy = triangleCount(root) > LOD_ABOVE;
    if (adaptive && heavy) prepareLods(root);
  };

  // The simplified copies are made while the page is idle after the first frame, a geometry
  // at a time, the fine set first, one build after another (an overlay built later asks for its
  // own: refreshLods), and only kept if this model is still the one shown.
  let building = Promise.resolve();
  let request = 0; // each prepareLods call; only the latest one's builds say a set is complete
  function prepareLods(built) {
    const mine = ++request;
    const idle = () => new Promise((resolve) => ("requestIdleCallback" in window
      ? window.requestIdleCallback(resolve, { timeout: 1000 }) : setTimeout(resolve, 50)));
    const pause = () => new Promise((resolve) => setTimeout(resolve, 0));
    // the sets in use stay in use while they are rebuilt: meshes added since (an overlay) are
    // drawn in full meanwhile, the rest as cheaply as before
    LOD_LEVELS.forEach((level, i) => {
      building = building.then(idle).then(async () => {
        if (disposed || root !== built) return;
        const known = lods[i];
        const made = await buildLods(built, pause, known, level);
        if (disposed || root !== built) { // the model changed meanwhile: only this build's copies are ours to free
          disposeLods(new Map([...made].filter(([full]) => !known.has(full))));
          return;
        }
        lods[i] = made;
        if (mine === request) lodsReady = Math.max(lodsReady, i + 1); // an earlier call's set may miss meshes added since
      }).catch((err) => console.warn("gizmo-notebook viewer: no simplified copies for moving frames", err));
    });
  }
  /** Overlays built meshes under the model (collision geometry...): give them copies too. */
  api.refreshLods = () => { if (adaptive && heavy && root) prepareLods(root); };

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
    placeShadow(); // the contact shadow follows the motion
    requestRender();
  };
  /** Draw the links at the joint values again (a playback that placed them directly is gone). */
  api.showPose = function showPose() {
    applyPose();
    requestRender();
  };

  /** Frees the materials under `object` (shared ones: harmless twice; a solid's wire twin goes
   * with it). Geometries are the page cache's: left to it. */
  function disposeMaterials(/** @type {THREE.Object3D} */ object) {
    object.traverse((/** @type {any} */ o) => { if (o.material) o.material.dispose(); });
  }

  // Wireframe draws each visual mesh as its edges (wires.js): lines over the same vertices, in
  // an unlit twin of the mesh's material, which highlights colour too.
  function applyWireframe() {
    for (const meshes of meshesByLink.values()) for (const m of meshes) showWire(m, wireframe, clearColor());
  }
  api.setWireframe = function setWireframe(on) {
    if (wireframe === !!on) return;
    wireframe = !!on;
    applyWireframe();
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
        const solid = m.material;
        solid.color.copy(link === highlighted ? HIGHLIGHT : solid.userData.baseColor);
        solid.emissive.set(link === highlighted ? 0x402000 : 0x000000);
        syncWireColor(solid, clearColor());
      }
    }
    requestRender();
  };

  api.fit = function fit() {
    fitCamera(camera, controls, scene, root);
    requestRender();
  };

  api.screenshot = function screenshot() {
    motion.stop(); // a picture is always the full model
    render();
    return new Promise((resolve) => renderer.domElement.toBlob((b) => resolve(b), "image/png"));
  };

  api.pick = function pick(clientX, clientY) {
    return pickLink(renderer.domElement, camera, root, clientX, clientY);
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
    root.traverse((/** @type {any} */ o) => {
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
    // draw calls of the last frame drawn (three.js counts them per render)
    return { triangles, restartIndices, bounds: [box.min.toArray(), box.max.toArray()], screen, drawCalls: renderer.info.render.calls };
  };

  /** A new renderer (canvas, context) for this scene: after the browser took the old context. */
  function reload() {
    if (disposed) return;
    const old = renderer;
    renderer = makeRenderer();
    pixelScale = 1;
    old.domElement.replaceWith(renderer.domElement);
    old.dispose();
    controls.disconnect();
    controls.connect(renderer.domElement);
    renderer.setSize(size[0], size[1], false);
    stopLostPoll();
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
  /**
   * How moving frames are drawn, for tests and benchmarks: simplified geometries ready in the
   * fine set (`lods`) and the coarse one, the triangles each set saves (negative), the sets
   * complete, and the step moving frames use now.
   */
  api.quality = () => {
    const summary = lods.map((set) => {
      let copies = 0, saved = 0;
      for (const [full, lod] of set) {
        if (!lod || !lod.index || !full.index) continue;
        copies += 1;
        saved += (lod.index.count - full.index.count) / 3;
      }
      return { copies, saved };
    });
    return {
      adaptive, heavy, lods: summary[0].copies, movingTriangles: summary[0].saved,
      coarseLods: summary[1].copies, coarseTriangles: summary[1].saved, levelsReady: lodsReady,
      scale: movingScale.scale, level: movingScale.level,
    };
  };

  api.dispose = function dispose() {
    if (disposed) return;
    disposed = true;
    motion.stop();
    for (const set of lods) disposeLods(set);
    observer.disconnect();
    stopTheme();
    controls.dispose();
    wrap.remove();
    warming.then(() => {
      disposeMaterials(scene);
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
