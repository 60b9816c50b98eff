// Scoped styles for the Studio (every class starts with gz-). JupyterLab theme variables are
// used when present, with plain fallbacks, so Notebook 7, VS Code and Colab look right too.
export const CSS = `
.gz-studio { font: 13px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #1f2328);
  border: 1px solid var(--jp-border-color2, #d0d7de); border-radius: 6px; padding: 10px; max-width: 1100px; }
.gz-studio * { box-sizing: border-box; }
.gz-head { display: flex; align-items: center; gap: 8px; margin-bottom: 8px; }
.gz-title { font-weight: 600; font-size: 14px; }
.gz-muted { color: var(--jp-ui-font-color2, #656d76); font-size: 12px; }
.gz-live { width: 8px; height: 8px; border-radius: 50%; background: #8c959f; display: inline-block; }
.gz-live.on { background: #1a7f37; animation: gz-pulse 1.2s infinite; }
@keyframes gz-pulse { 50% { opacity: .35; } }
.gz-form { display: grid; grid-template-columns: 1fr auto; gap: 6px; margin-bottom: 8px; }
.gz-form textarea { grid-column: 1 / 3; min-height: 56px; resize: vertical; font: inherit; padding: 6px; }
.gz-form input, .gz-bar input, .gz-bar select, .gz-row select { font: inherit; padding: 3px 6px; }
.gz-form .gz-meta { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
.gz-btn { font: inherit; padding: 3px 10px; border: 1px solid var(--jp-border-color1, #8c959f); border-radius: 4px;
  background: var(--jp-layout-color2, #f6f8fa); color: inherit; cursor: pointer; }
.gz-btn:disabled { opacity: .5; cursor: default; }
.gz-btn.gz-primary { background: #1f6feb; border-color: #1f6feb; color: #fff; }
.gz-inline-msg { grid-column: 1 / 3; color: #cf222e; font-size: 12px; min-height: 0; }
.gz-chip { display: inline-block; padding: 0 6px; border-radius: 9px; background: var(--jp-layout-color3, #eaeef2); font-size: 11px; margin-right: 3px; }
.gz-notices { display: flex; flex-direction: column; gap: 4px; margin-bottom: 6px; }
.gz-notice { border-left: 4px solid #cf222e; background: #ffebe9; color: #1f2328; padding: 4px 8px; display: flex; gap: 8px; align-items: flex-start; }
.gz-notice.warning { border-color: #bf8700; background: #fff8c5; }
.gz-notice.info { border-color: #0969da; background: #ddf4ff; }
.gz-notice .gz-hint { color: #57606a; font-size: 12px; }
.gz-notice button { margin-left: auto; border: 0; background: none; cursor: pointer; font-size: 14px; }
.gz-progress { height: 6px; background: var(--jp-layout-color3, #eaeef2); border-radius: 3px; overflow: hidden; margin: 4px 0; }
.gz-progress > div { height: 100%; background: #1f6feb; transition: width .3s; }
.gz-bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.gz-list { display: flex; flex-direction: column; gap: 4px; }
.gz-row { border: 1px solid var(--jp-border-color2, #d0d7de); border-radius: 4px; padding: 6px; }
.gz-row-main { display: grid; grid-template-columns: 20px 96px 1fr auto; gap: 8px; align-items: center; }
.gz-thumb { width: 96px; height: 72px; background: var(--jp-layout-color2, #f6f8fa); border-radius: 3px; object-fit: contain; display: block; }
.gz-name { font-weight: 600; }
.gz-prompt { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 560px; }
.gz-badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11px; font-weight: 600; color: #fff; background: #8c959f; }
.gz-badge.gz-processing { background: #bf8700; } .gz-badge.gz-pending { background: #6e7781; }
.gz-badge.gz-ready { background: #1a7f37; } .gz-badge.gz-failed { background: #cf222e; }
.gz-actions { display: flex; gap: 4px; flex-wrap: wrap; justify-content: flex-end; align-items: center; }
.gz-exported { font-size: 12px; margin-top: 3px; }
.gz-exported code { user-select: all; }
.gz-preview { margin-top: 6px; height: 360px; position: relative; }
.gz-compare { display: grid; gap: 8px; margin: 8px 0; }
.gz-compare-cell { border: 1px solid var(--jp-border-color2, #d0d7de); border-radius: 4px; padding: 4px; }
.gz-compare-view { height: 260px; position: relative; }
.gz-offscreen { position: absolute; left: -10000px; top: 0; width: 192px; height: 144px; }
`;
