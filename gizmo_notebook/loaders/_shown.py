"""What a loaded model shows when the file leaves something out.

RL assets often ship collision geometry only (no ``<visual>`` at all): drawn as written, such
a model is empty and has no bounds. The collision geometry is what the simulator sees, so it
is shown in place of the missing visuals, and the model says so in ``notes``.
"""

from __future__ import annotations

from gizmo_notebook.model import AssetModel, Visual

COLLISION_SHOWN_NOTE = "the file has no visual geometry: its {count} collision geometries are shown in their place"


def show_collision_when_no_visual(model: AssetModel) -> AssetModel:
    """Give every link visuals copied from its collisions when no link has a visual drawn
    by default (visuals only in MJCF groups 3-5, which start hidden, leave the picture empty too)."""
    if any(v.shown_by_default for link in model.links for v in link.visuals):
        return model
    count = sum(len(link.collisions) for link in model.links)
    if not count:
        return model
    for link in model.links:
        link.visuals.extend(Visual(c.geometry, c.origin, None, c.name) for c in link.collisions)
    model.notes.append(COLLISION_SHOWN_NOTE.format(count=count))
    return model
