"""Inline 3D preview of articulated models: ``gizmo_notebook.view(source)``.

``view`` accepts whatever :func:`gizmo_notebook.load` accepts (a ``.urdf``/MJCF/USD/zip/mesh
path, an ``Asset``, a trimesh object) or an :class:`~gizmo_notebook.model.AssetModel`, and
returns a widget. ``backend="three"`` (default) is our anywidget + three.js viewer with joint
sliders; ``backend="pythreejs"`` draws the same trimesh scene with pythreejs.

Reusable parts (the Studio uses them): :func:`gizmo_notebook.viewer.encode.encode_model`
(metadata + binary buffers), :mod:`gizmo_notebook.viewer.transport` (chunk widgets and the
shared bundle loader), and in JS ``js/src/viewer/viewport.js`` (``createViewport``) and
``js/src/viewer/panel.js`` (``createViewerPanel``).
"""

from __future__ import annotations

from typing import Any

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.model import AssetModel
from gizmo_notebook.viewer.encode import DEFAULT_TRIANGLE_BUDGET, encode_model
from gizmo_notebook.viewer.transport import preload
from gizmo_notebook.viewer.widget import Viewer

__all__ = ["DEFAULT_TRIANGLE_BUDGET", "Viewer", "encode_model", "preload", "to_model", "view"]

_BACKENDS = ("three", "pythreejs")


def to_model(source: Any) -> AssetModel:
    """``source`` as an AssetModel (an AssetModel passes through; anything else goes to load())."""
    if isinstance(source, AssetModel):
        return source
    from gizmo_notebook.loaders import load

    return load(source)


def view(source: Any, height: int = 480, backend: str = "three", *,
         triangle_budget: int = DEFAULT_TRIANGLE_BUDGET) -> Any:
    """A widget showing ``source`` in 3D.

    Above ``triangle_budget`` triangles the display copy is simplified (the widget says so);
    the model and any export are untouched.
    """
    if backend not in _BACKENDS:
        raise InvalidValueError(f"backend must be one of {_BACKENDS}, got {backend!r}")
    model = to_model(source)
    if backend == "pythreejs":
        from gizmo_notebook.viewer.pythreejs_backend import pythreejs_view

        return pythreejs_view(model, height=height)
    return Viewer(model, height=height, triangle_budget=triangle_budget)

