// @ts-check
// One bundle for every gizmo-notebook widget, so a notebook loads three.js once.
// Each Python widget class sets the `_kind` trait; render() hands off to that kind's module.
import { renderViewer } from "./viewer/index.js";
import { renderStudio } from "./studio/index.js";

const renderers = { viewer: renderViewer, studio: renderStudio };

export default {
  render({ model, el }) {
    const kind = model.get("_kind");
    const render = renderers[kind];
    if (!render) {
      el.textContent = `gizmo-notebook: unknown widget kind ${JSON.stringify(kind)}`;
      return;
    }
    return render({ model, el });
  },
};
