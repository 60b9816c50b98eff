// @ts-check
// Scene building for the viewport: materials, lights, the ground (grid, axes, contact shadow)
// and the link groups of a decoded model. No state of its own beyond two page-wide caches.
import * as THREE from "three";

const DEFAULT_COLORS = [0x8fa9c7, 0xc79f8f, 0x9fc78f, 0xc7c18f, 0xb08fc7, 0x8fc7c0, 0xc78fb0];
export const HIGHLIGHT = new THREE.Color(0xffa62b);

/**
 * Small meshes: Lambert, lit per pixel, normals computed in decode.js (smooth, split at creases).
 * Not PBR: without a GPU the fragment program is most of a many-mesh robot's first frame, and
 * Lambert's costs about half of MeshStandardMaterial's (interleaved medians of 5, the frame
 * after the metadata: TALOS 0.23 -> 0.125 s, TIAGo++ 0.17 -> 0.115 s). At viewer scale the
 * two look the same on plain coloured parts. Files that give PBR numbers get pbrMaterial.
 */
export function smallMeshMaterial(color, opacity) {
  return new THREE.MeshLambertMaterial({ color, transparent: opacity < 1, opacity, side: THREE.DoubleSide });
}

/** A small mesh whose file gives metallic / roughness (glTF, MJCF, UsdPreviewSurface): PBR, as the file means it. */
export function pbrMaterial(color, opacity, metalness = 0.1, roughness = 0.65) {
  return new THREE.MeshStandardMaterial({
    color, metalness, roughness, transparent: opacity < 1, opacity, side: THREE.DoubleSide,
  });
}

/**
 * Big meshes (quantized on the GPU, no normals): Lambert with flat shading (normals from
 * screen-space derivatives). Without a GPU it cut the first frame of a 1M-triangle model from
 * 1.55 s to 1.17 s compared with PBR; at that density the look is the same.
 */
export function bigMeshMaterial(color, opacity) {
  return new THREE.MeshLambertMaterial({
    color, transparent: opacity < 1, opacity, side: THREE.DoubleSide, flatShading: true,
  });
}

// Whether this page's WebGL runs on a GPU. failIfMajorPerformanceCaveat makes context creation
// fail on some software rasterizers, but not on Chromium's SwiftShader when it is enabled
// explicitly (headless, CI), so the renderer's name is checked too. Asked once per page; the
// probe's context is given back at once.
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;
/** @type {boolean | null} */
let accelerated = null;
export function hardwareAccelerated() {
  if (accelerated === null) {
    /** @type {WebGL2RenderingContext | null} */
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
/** @type {THREE.CanvasTexture | null} */
let shadowTexture = null;
function contactShadowTexture() {
  if (!shadowTexture) {
    const c = document.createElement("canvas");
    c.width = c.height = 128;
    const g = /** @type {CanvasRenderingContext2D} */ (c.getContext("2d"));
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

/** The contact shadow's material (also compiled by the warm-up: a program the first frame would otherwise build). */
function contactShadowMaterial(opacity) {
  return new THREE.MeshBasicMaterial({ map: contactShadowTexture(), transparent: true, opacity, depthWrite: false });
}

export function addLights(scene) {
  scene.add(new THREE.HemisphereLight(0xffffff, 0x667788, 1.6));
  const sun = new THREE.DirectionalLight(0xffffff, 1.8);
  sun.position.set(3, 6, 4);
  scene.add(sun);
  const fill = new THREE.DirectionalLight(0xffffff, 0.5);
  fill.position.set(-4, 2, -3);
  scene.add(fill);
}

/**
 * One triangle per material kind the model may use (same attribute layouts as decode.js
 * produces), plus the ground's helpers: what the viewport's shader warm-up compiles.
 */
export function warmUpGroup() {
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
  const grey = new THREE.Color(0x888888);
  const big = new THREE.Mesh(tri(true), bigMeshMaterial(grey, 1));
  const closedBig = new THREE.Mesh(tri(true), bigMeshMaterial(grey, 1));
  closedBig.material.side = THREE.FrontSide; // see visualMaterial
  const small = new THREE.Mesh(tri(false), smallMeshMaterial(grey, 1));
  const pbr = new THREE.Mesh(tri(false), pbrMaterial(grey, 1)); // the Gizmo service's GLBs are PBR
  group.add(big, closedBig, small, pbr);
  const shadow = new THREE.Mesh(new THREE.PlaneGeometry(1, 1), contactShadowMaterial(0.5));
  group.add(new THREE.AxesHelper(1), new THREE.GridHelper(1, 2), shadow); // the ground's programs
  return group;
}

/**
 * The ground under a model with these bounds, in the Z-up world's colours of `theme`: a grid
 * at a round step, axes and the contact shadow (placed by placeShadow once the model is posed).
 */
export function makeGround(bounds, theme, visible) {
  const [lo, hi] = bounds;
  const size = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-3);
  const step = Math.pow(10, Math.floor(Math.log10(size)));
  const extent = Math.ceil((size * 2) / step) * step;
  const ground = Math.min(lo[2], 0);
  const grid = new THREE.GridHelper(extent, Math.round(extent / step) * 2, theme.gridMajor, theme.gridMinor);
  grid.rotation.x = Math.PI / 2; // into the XY plane of the Z-up world
  grid.position.z = ground;
  grid.visible = visible;
  const axes = new THREE.AxesHelper(size * 0.3);
  axes.visible = visible;
  const shadow = new THREE.Mesh(new THREE.PlaneGeometry(1, 1), contactShadowMaterial(theme.shadow));
  shadow.name = "contact-shadow";
  shadow.renderOrder = -1; // under the grid lines, which are drawn at the same height
  shadow.position.z = ground + size * 1e-3;
  return { grid, axes, shadow };
}

/** The contact shadow: a soft disc on the ground under the model's footprint in this pose. */
export function placeShadow(shadow, root, world, visible) {
  root.updateMatrixWorld(true);
  const box = new THREE.Box3().setFromObject(root).applyMatrix4(world.matrixWorld.clone().invert());
  if (box.isEmpty()) { shadow.visible = false; return; }
  const w = box.max.x - box.min.x, d = box.max.y - box.min.y;
  const reach = Math.max(w, d, 1e-3);
  shadow.scale.set(Math.max(w, reach * 0.3) * 2.2, Math.max(d, reach * 0.3) * 2.2, 1);
  shadow.position.x = (box.min.x + box.max.x) / 2;
  shadow.position.y = (box.min.y + box.max.y) / 2;
  shadow.visible = visible;
}

/**
 * A visual's material: Lambert, flat-shaded for a big mesh, smooth for a small one, or PBR for
 * a small one whose file gives metallic / roughness (meta: links[].visuals[].material); with
 * the file's base-colour texture (multiplied by the colour, as glTF and MuJoCo do). Untextured
 * visuals without PBR numbers share the warmed-up programs (warmUpGroup).
 *
 * Double-sided, except a big mesh whose geometry is `closed` (meta.geometries[key].closed: a
 * closed surface wound outward, checked by the kernel): its back faces can never show, and
 * culling them took a closed 1M-triangle mesh's first frame (bench_viewer's "halves") from
 * 0.54 to 0.46 s after the metadata on SwiftShader (interleaved medians of 5). Small meshes
 * stay double-sided although most robot parts are closed: culling them made the frame after
 * the metadata slower, not faster (TALOS 0.136 -> 0.180 s, TIAGo++ 0.106 -> 0.184 s), the
 * many small draws switching between front-side and double-sided state. An open mesh (a scan
 * with a hole, a single sheet) keeps both sides, so its inside still shows through the hole.
 */
function visualMaterial(color, opacity, flat, material, textures, closed = false) {
  const metallic = typeof material?.metallic === "number" ? material.metallic : undefined;
  const roughness = typeof material?.roughness === "number" ? material.roughness : undefined;
  const mat = flat ? bigMeshMaterial(color, opacity)
    : metallic !== undefined || roughness !== undefined ? pbrMaterial(color, opacity, metallic, roughness)
      : smallMeshMaterial(color, opacity);
  const map = material?.texture ? textures[material.texture] : null;
  if (map) { mat.map = map; mat.needsUpdate = true; }
  if (closed && flat) mat.side = THREE.FrontSide;
  return mat;
}

/**
 * One group per link (posed by matrix, not by position/rotation) holding a mesh per part of
 * each visual; returns the root group, link name -> group and link name -> meshes. `textures`
 * maps meta.textures keys to loaded three.js textures (decode.js decodeTextures).
 */
export function buildLinks(meta, geometries, textures = {}) {
  const root = new THREE.Group();
  const linkObjects = new Map();
  const meshesByLink = new Map();
  meta.links.forEach((link, i) => {
    const group = new THREE.Group();
    group.name = link.name;
    group.matrixAutoUpdate = false;
    const meshes = [];
    for (const v of link.visuals) {
      const textured = Boolean(v.material && v.material.texture && textures[v.material.texture]);
      // a texture without a colour is drawn as it is (white), not tinted by the palette
      const fallback = textured ? 0xffffff : DEFAULT_COLORS[i % DEFAULT_COLORS.length];
      const c = v.color ? new THREE.Color(v.color[0], v.color[1], v.color[2]) : new THREE.Color(fallback);
      const opacity = v.color ? v.color[3] : 1;
      const parts = geometries[v.geometry] || [];
      const flat = parts.some((part) => part.quantized);
      const closed = Boolean(meta.geometries?.[v.geometry]?.closed);
      const mat = visualMaterial(c, opacity, flat, v.material, textures, closed);
      mat.userData.baseColor = c.clone();
      for (const { geometry, quantized } of parts) { // one draw per part; a visual's parts share its material
        const mesh = new THREE.Mesh(geometry, mat);
        if (quantized) {
          mesh.position.fromArray(quantized.offset);
          mesh.scale.fromArray(quantized.scale);
        }
        mesh.name = v.name;
        mesh.userData.link = link.name;
        mesh.userData.group = v.group ?? null; // an MJCF geom group: 3-5 start hidden, as in MuJoCo (overlays.js toggles them)
        mesh.visible = v.group == null || v.group < 3;
        group.add(mesh);
        meshes.push(mesh);
      }
    }
    linkObjects.set(link.name, group);
    meshesByLink.set(link.name, meshes);
    root.add(group);
  });
  return { root, linkObjects, meshesByLink };
}
