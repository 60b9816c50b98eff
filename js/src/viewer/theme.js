// @ts-check
// Colours of the 3D view from the host's theme. A WebGL clear colour and a GridHelper's vertex
// colours are numbers, not CSS, so the JupyterLab theme variables (--jp-layout-color0, the
// page background; --jp-ui-font-color1, its text) are read and resolved here, and re-read when
// the theme changes (JupyterLab flips data-jp-theme-light / -name on <body>; VS Code and marimo
// flip a class). Hosts without the variables (marimo, Colab) fall back on the element's own
// text colour: light text means a dark page.

const LIGHT = { page: [255, 255, 255], text: [31, 35, 40] };
const DARK = { page: [17, 17, 17], text: [230, 230, 230] };

/** @type {CanvasRenderingContext2D | null} */
let probe = null;

/** Any CSS colour string as [r, g, b, a] (0-255, alpha 0-1), or null if it is not a colour. */
export function parseColor(text) {
  if (!text || !text.trim()) return null;
  probe ??= document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  if (!probe) return null;
  // two different sentinels: an unparsable string leaves the previous fillStyle in place
  probe.fillStyle = "#010203";
  probe.fillStyle = text.trim();
  const first = probe.fillStyle;
  probe.fillStyle = "#040506";
  probe.fillStyle = text.trim();
  if (first !== probe.fillStyle) return null;
  probe.clearRect(0, 0, 1, 1);
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
  return [r, g, b, a / 255];
}

const over = (fg, bg) => [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
const mix = (a, b, t) => [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
const hex = (c) => (c[0] << 16) | (c[1] << 8) | c[2];
const luminance = (c) => (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;

/**
 * The view's colours for the theme `el` is shown in: `background` (clear colour), `gridMajor`
 * and `gridMinor` (grid lines), `shadow` (opacity of the contact shadow) and `dark`.
 * `key` is equal for equal results, so callers redraw only on a real change.
 */
export function readTheme(el) {
  const style = el && el.isConnected ? getComputedStyle(el) : null;
  const cssVar = (name) => (style ? style.getPropertyValue(name) : "");
  const ownText = parseColor(style ? style.color : "");
  let text = parseColor(cssVar("--jp-ui-font-color1"));
  let page = parseColor(cssVar("--jp-layout-color0"));
  const fallback = ownText && ownText[3] > 0 && luminance(ownText) > 0.6 ? DARK : LIGHT;
  page = page && page[3] > 0 ? over(page, fallback.page) : fallback.page;
  text = text && text[3] > 0 ? over(text, page) : fallback.text;
  const dark = luminance(page) < 0.5;
  // the canvas sits a shade off the page so it reads as a surface in both themes
  const background = mix(page, text, dark ? 0.06 : 0.04);
  const colors = {
    background: hex(background),
    gridMajor: hex(mix(background, text, dark ? 0.32 : 0.38)),
    gridMinor: hex(mix(background, text, dark ? 0.14 : 0.15)),
    shadow: dark ? 0.6 : 0.35,
    dark,
  };
  return { ...colors, key: JSON.stringify(colors) };
}

// One observer for the page; each view registers a callback.
const listeners = new Set();
/** @type {MutationObserver | null} */
let observer = null;
/** @type {ReturnType<typeof setTimeout>[]} */
let timers = [];

function notify() {
  for (const cb of listeners) {
    try { cb(); } catch (err) { console.warn("gizmo-notebook viewer: theme update failed", err); }
  }
}

function onMutation() {
  // JupyterLab swaps the theme's stylesheet around the attribute change: read now, and again
  // once the new variables have surely applied
  for (const t of timers) clearTimeout(t);
  notify();
  timers = [60, 300, 1000].map((ms) => setTimeout(notify, ms));
}

/** Call `cb` whenever the page's theme may have changed; returns the unsubscribe function. */
export function onThemeChange(cb) {
  listeners.add(cb);
  if (!observer && typeof MutationObserver !== "undefined") {
    observer = new MutationObserver(onMutation);
    const attributeFilter = ["class", "data-jp-theme-light", "data-jp-theme-name", "data-theme"];
    observer.observe(document.body, { attributes: true, attributeFilter });
    observer.observe(document.documentElement, { attributes: true, attributeFilter });
  }
  return () => {
    listeners.delete(cb);
    if (!listeners.size && observer) {
      observer.disconnect();
      observer = null;
      for (const t of timers) clearTimeout(t);
      timers = [];
    }
  };
}
