// @ts-check
// Keys typed into a widget's fields and controls are the widget's: the notebook host must not
// also act on them (JupyterLab / Notebook 7 command mode: a, b, m, dd, Shift+Enter, arrows).
// Used by the viewer panel and the Studio (studio/dom.js re-exports it).

/**
 * Whether keys typed at `el` belong to it: text fields and selects (typing), sliders (arrows),
 * buttons, links and checkboxes (Enter / Space). In each of these the host's command-mode
 * binding would do something else as well (select another cell, enter edit mode...).
 */
export function ownsKeys(el) {
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (["textarea", "select", "input", "button", "a"].includes(tag)) return true;
  return !!el.isContentEditable;
}

/** @typedef {(e: KeyboardEvent, target: HTMLElement) => void} KeyHandler */
/** @type {Map<EventTarget, KeyHandler | undefined>} */
const keyOwners = new Map(); // widget root -> onKey
/** @type {("keydown" | "keypress" | "keyup")[]} */
const KEY_EVENTS = ["keydown", "keypress", "keyup"];

// With Ctrl / Cmd these edit a field (select all, copy, paste, undo, word moves); on a button or a
// slider they would copy, paste or move notebook cells. Either way they stay with the widget.
const EDIT_KEYS = new Set(["a", "c", "v", "x", "z", "y", "arrowleft", "arrowright", "arrowup", "arrowdown", "home", "end", "backspace", "delete"]);

/**
 * Whether a key with Ctrl / Cmd / Alt is the host's to act on: its own shortcuts (Ctrl+S saves
 * the notebook; stopped here, the browser's "Save page" opened instead) go through, except
 * Ctrl/Cmd+Enter (the widget's: generate; the host's: run the cell) and the editing keys above.
 * @param {KeyboardEvent} e
 */
function hostShortcut(e) {
  if (!(e.ctrlKey || e.metaKey || e.altKey) || e.key === "Enter") return false;
  return !EDIT_KEYS.has(e.key.toLowerCase());
}

/** @param {KeyboardEvent} e */
function guardKeys(e) {
  const path = e.composedPath ? e.composedPath() : e.target ? [e.target] : [];
  if (e.key === "Escape" || !ownsKeys(path[0])) return;
  if (hostShortcut(e)) return;
  // the innermost widget hears it: a viewer panel inside the Studio (a preview) before the Studio
  const root = path.find((node) => keyOwners.has(node));
  if (!root) return;
  const onKey = keyOwners.get(root);
  if (e.type === "keydown" && onKey) onKey(e, /** @type {HTMLElement} */ (path[0])); // the field itself, also in a shadow root
  e.stopPropagation(); // the default action (typing, a newline, moving a slider) still happens
}

/**
 * Keep keys typed into our fields and controls away from the notebook host; returns a release.
 *
 * JupyterLab and Notebook 7 bind Enter, Shift+Enter, Ctrl+Enter and command-mode letters
 * (a, b, m, dd...) on the document; a key that reaches them inserts or deletes cells, re-runs the
 * cell, or swallows the newline. Notebook 7 listens in the capture phase, before the event
 * reaches the widget, so one listener in the capture phase of `window` (which runs before the
 * document's) stops those keys there. Escape still goes through, so the user can leave the field
 * the host's way, and so do the host's own shortcuts with Ctrl / Cmd / Alt (save, command
 * palette) other than Ctrl/Cmd+Enter and text editing. `onKey(e, field)` sees every such keydown first (e.g. Ctrl/Cmd+Enter to generate):
 * stopped at the window, the key reaches no listener of the field itself, only its default action.
 * `field` is the element typed in (`e.target` is only the shadow host when the widget lives in a
 * shadow root, as in marimo).
 * @param {HTMLElement} root
 * @param {KeyHandler} [onKey]
 * @returns {() => void}
 */
export function keepKeys(root, onKey) {
  if (!keyOwners.size) for (const type of KEY_EVENTS) window.addEventListener(type, guardKeys, true);
  keyOwners.set(root, onKey);
  return () => {
    keyOwners.delete(root);
    if (!keyOwners.size) for (const type of KEY_EVENTS) window.removeEventListener(type, guardKeys, true);
  };
}
