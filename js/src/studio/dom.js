// @ts-check
// Tiny DOM helpers: the Studio is plain DOM so it runs in any anywidget host.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Put `children` into `parent` in order, moving only nodes that are out of place: detaching a
// row (as replaceChildren does) would steal keyboard focus and close an open format dropdown on
// every poll.
export function placeChildren(parent, children) {
  children.forEach((child, i) => {
    if (parent.children[i] !== child) parent.insertBefore(child, parent.children[i] || null);
  });
  while (parent.children.length > children.length) parent.lastElementChild.remove();
}

export function formatElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleString([], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Insecure contexts (plain http on a LAN address) have no async clipboard: fall back.
    const area = h("textarea", { style: { position: "fixed", left: "-1000px" } });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch { /* ok stays false */ }
    area.remove();
    return ok;
  }
}

export function dataUrlToBytes(url) {
  const b64 = url.slice(url.indexOf(",") + 1);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// Keys typed in our fields stay ours: shared with the viewer panel (a Studio preview is one).
export { keepKeys, ownsKeys } from "../viewer/keys.js";

/** Parts (nodes or null) joined by " · " separators: none before, after or between missing parts. */
export function joinParts(parts, sep = " · ") {
  const out = [];
  for (const part of parts) {
    if (part === null || part === undefined || part === "") continue;
    if (out.length) out.push(h("span", { class: "gzs-sep", text: sep }));
    out.push(part);
  }
  return out;
}

/**
 * PNG bytes of `blob` with its background made transparent: the colour of the corners (the
 * renderer's clear colour) within `tolerance` becomes alpha 0. A thumbnail then sits on the
 * row's themed tile and reads in light and dark themes alike.
 */
export async function transparentBackground(blob, tolerance = 3) {
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: true }));
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close?.();
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const px = image.data;
  const [r, g, b] = px; // top-left corner: the models are fitted away from the corners
  for (let i = 0; i < px.length; i += 4) {
    if (Math.abs(px[i] - r) <= tolerance && Math.abs(px[i + 1] - g) <= tolerance && Math.abs(px[i + 2] - b) <= tolerance) px[i + 3] = 0;
  }
  ctx.putImageData(image, 0, 0);
  const out = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  return new Uint8Array(await out.arrayBuffer());
}
