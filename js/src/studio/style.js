// @ts-check
// Scoped styles for the Studio (every class starts with gzs-). Every colour comes from
// JupyterLab's theme variables, with plain light fallbacks for hosts without them (Notebook 7
// has them too; VS Code, Colab and marimo get the fallbacks). Tints are mixed from the theme's
// own layout colour, so a notice is a dark red in the dark theme and a pale red in the light
// one, and a theme switch restyles everything live (nothing is computed in JS).
const FG = "var(--jp-ui-font-color1, #1f2328)";
const FG2 = "var(--jp-ui-font-color2, #656d76)";
const BG = "var(--jp-layout-color1, #fff)";
const BG2 = "var(--jp-layout-color2, #f6f8fa)";
const BG3 = "var(--jp-layout-color3, #eaeef2)";
const BORDER = "var(--jp-border-color1, #8c959f)";
const BORDER2 = "var(--jp-border-color2, #d0d7de)";
const ERROR = "var(--jp-error-color1, #cf222e)";
const WARN = "var(--jp-warn-color1, #bf8700)";
const INFO = "var(--jp-info-color1, #0969da)";
const OK = "var(--jp-success-color1, #1a7f37)";
const BRAND = "var(--jp-brand-color1, #1f6feb)";
const tint = (color, pct = 16) => `color-mix(in srgb, ${color} ${pct}%, ${BG})`;

export const CSS = `
.gzs-studio { font: 13px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: ${FG}; background: ${BG};
  border: 1px solid ${BORDER2}; border-radius: 6px; padding: 10px; max-width: 1100px; min-width: 0; overflow-wrap: anywhere; }
.gzs-studio * { box-sizing: border-box; }
.gzs-head { display: flex; align-items: center; gap: 8px; margin-bottom: 8px; flex-wrap: wrap; }
.gzs-title { font-weight: 600; font-size: 14px; }
.gzs-muted { color: ${FG2}; font-size: 12px; }
.gzs-live { width: 8px; height: 8px; border-radius: 50%; background: ${FG2}; display: inline-block; }
.gzs-live.on { background: ${OK}; animation: gzs-pulse 1.2s infinite; }
@keyframes gzs-pulse { 50% { opacity: .35; } }
.gzs-form { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 6px; margin-bottom: 8px; }
/* The box grows with what is in it (a batch, or the hint wrapping over 3-4 lines in a narrow
   Studio, which a fixed height cut in half), up to a share of the window; then it scrolls. */
.gzs-form textarea { grid-column: 1 / -1; min-height: 56px; max-height: 40vh; field-sizing: content; resize: vertical; font: inherit; padding: 6px; width: 100%; }
.gzs-studio textarea, .gzs-studio input:not([type=checkbox]), .gzs-studio select { font: inherit; padding: 3px 6px; min-width: 0;
  color: ${FG}; background: ${BG}; border: 1px solid ${BORDER}; border-radius: 3px; }
.gzs-studio textarea::placeholder, .gzs-studio input::placeholder { color: ${FG2}; opacity: 1; }
.gzs-studio input[type=checkbox] { accent-color: ${BRAND}; }
.gzs-form .gzs-meta { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; min-width: 0; }
.gzs-form .gzs-meta input { flex: 1 1 130px; max-width: 220px; }
.gzs-btn { font: inherit; padding: 3px 10px; border: 1px solid ${BORDER}; border-radius: 4px;
  background: ${BG2}; color: ${FG}; cursor: pointer; white-space: nowrap; }
.gzs-btn:hover:not(:disabled) { background: ${BG3}; }
.gzs-btn:disabled { opacity: .5; cursor: default; }
.gzs-btn.gzs-primary { background: ${BRAND}; border-color: ${BRAND}; color: var(--jp-ui-inverse-font-color1, #fff); align-self: start; }
.gzs-btn.gzs-primary:hover:not(:disabled) { filter: brightness(1.1); background: ${BRAND}; }
.gzs-link { font: inherit; border: 0; padding: 0; background: none; color: var(--jp-content-link-color, ${BRAND}); cursor: pointer; text-decoration: underline; }
.gzs-inline-msg { grid-column: 1 / -1; color: ${ERROR}; font-size: 12px; min-height: 0; }
.gzs-inline-msg:empty { display: none; }
.gzs-mode { display: inline-flex; }
.gzs-mode .gzs-btn { border-radius: 0; padding: 2px 9px; }
.gzs-mode .gzs-btn:first-child { border-radius: 4px 0 0 4px; }
.gzs-mode .gzs-btn:last-child { border-radius: 0 4px 4px 0; border-left: 0; }
.gzs-mode .gzs-btn[aria-pressed=true] { background: ${tint(BRAND, 28)}; border-color: ${BRAND}; font-weight: 600; }
.gzs-kind { display: inline-block; padding: 0 6px; border-radius: 9px; background: ${tint(BRAND, 22)}; color: ${FG}; font-size: 11px; margin-right: 3px; }
.gzs-kind:empty { display: none; }
.gzs-chip { display: inline-block; padding: 0 6px; border-radius: 9px; background: ${BG3}; color: ${FG}; font-size: 11px; margin-right: 3px; }
.gzs-notices { display: flex; flex-direction: column; gap: 4px; margin-bottom: 6px; }
.gzs-notices:empty { display: none; }
.gzs-notice { border-left: 4px solid ${ERROR}; background: ${tint(ERROR)}; color: ${FG}; padding: 4px 8px;
  display: flex; gap: 8px; align-items: flex-start; min-width: 0; }
.gzs-notice > div { min-width: 0; }
.gzs-notice.warning { border-color: ${WARN}; background: ${tint(WARN)}; }
.gzs-notice.info { border-color: ${INFO}; background: ${tint(INFO)}; }
.gzs-notice .gzs-hint { color: ${FG2}; font-size: 12px; }
.gzs-notice .gzs-close { margin-left: auto; border: 0; background: none; color: ${FG}; cursor: pointer; font-size: 16px; line-height: 1;
  padding: 0 4px; border-radius: 3px; }
.gzs-notice .gzs-close:hover { background: ${BG3}; }
.gzs-progress { height: 6px; background: ${BG3}; border-radius: 3px; overflow: hidden; margin: 4px 0; }
.gzs-progress > div { height: 100%; background: ${BRAND}; transition: width .3s; }
.gzs-bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 6px 0; min-width: 0; }
.gzs-bar .gzs-search { flex: 1 1 160px; max-width: 320px; }
.gzs-list { display: flex; flex-direction: column; gap: 4px; }
/* The Studio's own scroll: a long account must not push the notebook's next cells out of reach. */
.gzs-studio:not(.gzs-job) .gzs-list { max-height: min(640px, 75vh); overflow-y: auto; overscroll-behavior: contain; padding-right: 2px; }
.gzs-row { border: 1px solid ${BORDER2}; border-radius: 4px; padding: 6px; min-width: 0; }
.gzs-row[data-status=failed] { border-color: ${tint(ERROR, 55)}; }
.gzs-row.gzs-flash { animation: gzs-flash 1.2s; }
@keyframes gzs-flash { 0%, 40% { background: ${tint(BRAND, 25)}; } }
.gzs-row-main { display: grid; grid-template-columns: 20px 96px minmax(0, 1fr) auto; gap: 8px; align-items: center; }
.gzs-info { min-width: 0; display: flex; flex-direction: column; gap: 1px; }
.gzs-row-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 6px; min-width: 0; }
.gzs-thumb-box { position: relative; width: 96px; height: 72px; border-radius: 3px; background: ${BG2}; overflow: hidden;
  display: flex; align-items: center; justify-content: center; }
.gzs-thumb { width: 100%; height: 100%; object-fit: contain; display: block; }
.gzs-thumb:not([src]) { display: none; }
.gzs-thumb-label { font-size: 11px; color: ${FG2}; text-align: center; padding: 2px; }
.gzs-thumb-box[data-status=pending], .gzs-thumb-box[data-status=processing] {
  background: linear-gradient(100deg, ${BG2} 30%, ${BG3} 50%, ${BG2} 70%) 0 0 / 300% 100%; animation: gzs-shimmer 1.6s linear infinite; }
@keyframes gzs-shimmer { to { background-position: -150% 0; } }
.gzs-thumb-box[data-status=failed] { background: repeating-linear-gradient(135deg, ${tint(ERROR, 22)} 0 8px, ${tint(ERROR, 10)} 8px 16px);
  border: 1px dashed ${ERROR}; }
.gzs-thumb-box[data-status=failed] .gzs-thumb-label { color: ${ERROR}; font-weight: 600; }
.gzs-name { font-weight: 600; }
.gzs-prompt { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 560px; }
.gzs-prompt:empty, .gzs-lineage:empty, .gzs-failure:empty, .gzs-row-meta:empty, .gzs-exported:empty { display: none; }
.gzs-failure { color: ${ERROR}; font-size: 12px; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.gzs-interp { font-size: 11px; color: ${FG2}; align-self: flex-start; padding: 0 6px; border-radius: 9px; background: ${tint(INFO, 12)}; }
.gzs-interp.gzs-has-ignored { background: ${tint(WARN, 18)}; }
.gzs-interp .gzs-ignored { color: ${FG}; }
.gzs-interp .gzs-fallback { color: ${FG}; font-weight: 600; }
.gzs-interp .gzs-noted { text-decoration: underline dotted; cursor: help; }
.gzs-badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11px; font-weight: 600; color: #fff; background: #6e7781; }
.gzs-badge.gzs-processing { background: #9a6700; } .gzs-badge.gzs-pending { background: #6e7781; }
.gzs-badge.gzs-ready { background: #1a7f37; } .gzs-badge.gzs-failed { background: #cf222e; } .gzs-badge.gzs-cancelled { background: #57606a; }
.gzs-actions { display: flex; gap: 4px; flex-wrap: wrap; justify-content: flex-end; align-items: center; min-width: 0; max-width: 320px; }
.gzs-job .gzs-actions { max-width: none; }
.gzs-actions [hidden] { display: none; }
.gzs-actions select { max-width: 100%; }
.gzs-exported { font-size: 12px; margin-top: 4px; display: flex; flex-direction: column; gap: 2px; }
.gzs-exported a { color: var(--jp-content-link-color, ${BRAND}); }
.gzs-exported code { user-select: all; overflow-wrap: anywhere; word-break: break-all; font-size: 11px; }
.gzs-preview { margin-top: 6px; }
.gzs-compare { display: grid; gap: 8px; margin: 8px 0; }
.gzs-compare:empty { display: none; }
.gzs-compare-cell { border: 1px solid ${BORDER2}; border-radius: 4px; padding: 4px; min-width: 0; }
.gzs-compare-view { position: relative; }
/* Canvases side by side start at the same height: one-line headers and toolbars in every cell. */
.gzs-compare-cell > .gzs-name, .gzs-compare-cell > .gzs-prompt { display: block; min-height: 1.4em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gzs-compare-view .gz-bar { flex-wrap: nowrap; overflow: hidden; }
.gzs-compare-view .gz-bar > * { flex-shrink: 0; }
.gzs-compare-view .gz-bar .gz-status { flex-shrink: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.gzs-compare-head { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.gzs-compare-facts { overflow-x: auto; }
.gzs-compare-table { border-collapse: collapse; font-size: 12px; width: 100%; }
.gzs-compare-table th, .gzs-compare-table td { text-align: left; padding: 3px 8px; border-bottom: 1px solid ${BORDER2}; vertical-align: top; }
.gzs-compare-table tbody th { color: ${FG2}; font-weight: normal; white-space: nowrap; }
/* Words stay whole in the table ("3 (3 prismatic)" wraps at its space, never before its ")"), and
   a model's name heads its column on one line, cut if long (the views above show it whole; in
   full on hover): a narrow Studio must not stack a name one word per line. Columns keep a
   readable width; when three models do not fit a phone-wide Studio, the table (only) scrolls
   sideways in its box. */
.gzs-compare-table th, .gzs-compare-table td { overflow-wrap: normal; word-break: normal; }
.gzs-compare-table thead th { max-width: 0; min-width: 8em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gzs-narrow .gzs-compare-table th, .gzs-narrow .gzs-compare-table td { padding: 3px 5px; }
/* scrolled sideways, the facts' names stay in view */
.gzs-compare-table tbody th, .gzs-compare-table thead th:first-child { position: sticky; left: 0; background: ${BG}; }
.gzs-offscreen { position: absolute; left: -10000px; top: 0; width: 192px; height: 144px; }
/* Narrow (a split pane, a phone, a sidebar): actions go under the text, smaller thumbnails. */
.gzs-narrow .gzs-row-main { grid-template-columns: 20px 72px minmax(0, 1fr); }
.gzs-narrow .gzs-thumb-box { width: 72px; height: 54px; }
.gzs-narrow .gzs-actions { grid-column: 1 / -1; justify-content: flex-start; max-width: none; }
.gzs-narrow .gzs-compare { grid-template-columns: minmax(0, 1fr) !important; }
.gzs-narrow .gzs-form .gzs-meta input { max-width: none; }
.gzs-tiny .gzs-info { grid-column: 1 / -1; }
/* Cramped (~110-260 px): one control a line, each the full width. */
.gzs-cramped .gzs-form { grid-template-columns: minmax(0, 1fr); }
.gzs-cramped .gzs-form .gzs-meta > *, .gzs-cramped .gzs-bar > * { flex: 1 1 100%; max-width: none; }
.gzs-cramped .gzs-btn { white-space: normal; }
.gzs-cramped .gzs-mode .gzs-btn { flex: 1 1 0; min-width: 0; padding: 2px; font-size: 12px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.gzs-cramped .gzs-row-main { grid-template-columns: 20px minmax(0, 1fr); }
.gzs-cramped .gzs-thumb-box { width: 100%; }
`;
