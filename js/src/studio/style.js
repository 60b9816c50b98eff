// Scoped styles for the Studio (every class starts with gzs-). JupyterLab theme variables are
// used when present, with plain fallbacks, so Notebook 7, VS Code and Colab look right too.
export const CSS = `
.gzs-studio { font: 13px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #1f2328);
  border: 1px solid var(--jp-border-color2, #d0d7de); border-radius: 6px; padding: 10px; max-width: 1100px; }
.gzs-studio * { box-sizing: border-box; }
.gzs-head { display: flex; align-items: center; gap: 8px; margin-bottom: 8px; }
.gzs-title { font-weight: 600; font-size: 14px; }
.gzs-muted { color: var(--jp-ui-font-color2, #656d76); font-size: 12px; }
.gzs-live { width: 8px; height: 8px; border-radius: 50%; background: #8c959f; display: inline-block; }
.gzs-live.on { background: #1a7f37; animation: gzs-pulse 1.2s infinite; }
@keyframes gzs-pulse { 50% { opacity: .35; } }
.gzs-form { display: grid; grid-template-columns: 1fr auto; gap: 6px; margin-bottom: 8px; }
.gzs-form textarea { grid-column: 1 / 3; min-height: 56px; resize: vertical; font: inherit; padding: 6px; }
.gzs-form input, .gzs-bar input, .gzs-bar select, .gzs-row select { font: inherit; padding: 3px 6px; }
.gzs-form .gzs-meta { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
.gzs-btn { font: inherit; padding: 3px 10px; border: 1px solid var(--jp-border-color1, #8c959f); border-radius: 4px;
  background: var(--jp-layout-color2, #f6f8fa); color: inherit; cursor: pointer; }
.gzs-btn:disabled { opacity: .5; cursor: default; }
.gzs-btn.gzs-primary { background: #1f6feb; border-color: #1f6feb; color: #fff; }
.gzs-inline-msg { grid-column: 1 / 3; color: #cf222e; font-size: 12px; min-height: 0; }
.gzs-chip { display: inline-block; padding: 0 6px; border-radius: 9px; background: var(--jp-layout-color3, #eaeef2); font-size: 11px; margin-right: 3px; }
.gzs-notices { display: flex; flex-direction: column; gap: 4px; margin-bottom: 6px; }
.gzs-notice { border-left: 4px solid #cf222e; background: #ffebe9; color: #1f2328; padding: 4px 8px; display: flex; gap: 8px; align-items: flex-start; }
.gzs-notice.warning { border-color: #bf8700; background: #fff8c5; }
.gzs-notice.info { border-color: #0969da; background: #ddf4ff; }
.gzs-notice .gzs-hint { color: #57606a; font-size: 12px; }
.gzs-notice button { margin-left: auto; border: 0; background: none; cursor: pointer; font-size: 14px; }
.gzs-progress { height: 6px; background: var(--jp-layout-color3, #eaeef2); border-radius: 3px; overflow: hidden; margin: 4px 0; }
.gzs-progress > div { height: 100%; background: #1f6feb; transition: width .3s; }
.gzs-bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.gzs-list { display: flex; flex-direction: column; gap: 4px; }
.gzs-row { border: 1px solid var(--jp-border-color2, #d0d7de); border-radius: 4px; padding: 6px; }
.gzs-row-main { display: grid; grid-template-columns: 20px 96px 1fr auto; gap: 8px; align-items: center; }
.gzs-thumb { width: 96px; height: 72px; background: var(--jp-layout-color2, #f6f8fa); border-radius: 3px; object-fit: contain; display: block; }
.gzs-name { font-weight: 600; }
.gzs-prompt { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 560px; }
.gzs-badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11px; font-weight: 600; color: #fff; background: #8c959f; }
.gzs-badge.gzs-processing { background: #bf8700; } .gzs-badge.gzs-pending { background: #6e7781; }
.gzs-badge.gzs-ready { background: #1a7f37; } .gzs-badge.gzs-failed { background: #cf222e; } .gzs-badge.gzs-cancelled { background: #57606a; }
.gzs-actions { display: flex; gap: 4px; flex-wrap: wrap; justify-content: flex-end; align-items: center; }
.gzs-exported { font-size: 12px; margin-top: 3px; }
.gzs-exported code { user-select: all; }
.gzs-preview { margin-top: 6px; }
.gzs-compare { display: grid; gap: 8px; margin: 8px 0; }
.gzs-compare-cell { border: 1px solid var(--jp-border-color2, #d0d7de); border-radius: 4px; padding: 4px; }
.gzs-compare-view { position: relative; }
.gzs-offscreen { position: absolute; left: -10000px; top: 0; width: 192px; height: 144px; }
`;
