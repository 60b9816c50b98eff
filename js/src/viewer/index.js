export function renderViewer({ el }) { el.textContent = "viewer: not built yet"; }
