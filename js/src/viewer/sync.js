// @ts-check
// View state the toolbar changes (wireframe, layers) goes to the kernel once a burst of clicks
// is over, not once per click.
//
// Why: in JupyterLab every message to the kernel costs the page more than the click itself.
// The kernel turns busy and idle, and the notebook's toolbar and status bar redraw and measure
// themselves twice. Measured with bench_inspect's toggle clicked on every animation frame
// (TIAGo++ on software WebGL), those page updates took a frame from ~27 fps to ~17.
//
// Held values are already in the model, so they are never lost, and the view keeps them. While
// a value is held, the model's change events for it are not the view's to follow. The kernel
// echoes each update it gets (ipywidgets 8), and an echo of an earlier click can arrive after
// a later click. Following that echo would undo the later click on screen for a moment
// (tests/browser: toolbar toggles clicked in a burst end the same in Python).
/**
 * @typedef {{ set: (name: string, value: unknown) => void, get: (name: string) => unknown,
 *   save_changes: () => void }} SyncedModel
 */

/** A burst is over once no click came for this long; what Python reads lags by at most this much. */
export const SYNC_AFTER_MS = 150;

/**
 * @param {SyncedModel} model
 * @param {number} [delay]
 */
export function createDeferredSync(model, delay = SYNC_AFTER_MS) {
  /** @type {Map<string, unknown>} */
  const held = new Map();
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  function flush() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!held.size) return;
    const values = [...held];
    held.clear(); // before set(): the change events it fires are the view's to follow again
    for (const [name, value] of values) model.set(name, value);
    model.save_changes();
  }
  return {
    /** Set `name` in the model now and send it to the kernel when the burst is over. */
    set(/** @type {string} */ name, /** @type {unknown} */ value) {
      held.set(name, value);
      model.set(name, value);
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(flush, delay);
    },
    /** True while a value of `name` set here is not yet sent: its change events are echoes. */
    holds: (/** @type {string} */ name) => held.has(name),
    /** Send what is held now (the view is going away). */
    flush,
  };
}
