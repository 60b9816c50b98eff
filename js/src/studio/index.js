export function renderStudio({ el }) { el.textContent = "studio: not built yet"; }
