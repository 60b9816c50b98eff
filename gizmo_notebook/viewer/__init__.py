"""Inline 3D preview of articulated models: ``gizmo_notebook.view(source)``.

``view`` accepts whatever :func:`gizmo_notebook.load` accepts (a ``.urdf``/MJCF/USD/zip/mesh
path, an ``Asset``, a trimesh object) or an :class:`~gizmo_notebook.model.AssetModel`, and
returns a widget. ``renderer="three"`` (default) is our anywidget + three.js viewer with joint
sliders; ``renderer="pythreejs"`` draws the same trimesh scene with pythreejs. (``backend=`` is
the old name of ``renderer=``, still accepted: in this package "backend" means the server a
client talks to.)

Reusable parts (the Studio uses them): :func:`gizmo_notebook.viewer.encode.encode_model`
(metadata + binary buffers), :mod:`gizmo_notebook.viewer.transport` (chunk widgets and the
shared bundle loader), and in JS ``js/src/viewer/viewport.js`` (``createViewport``) and
``js/src/viewer/panel.js`` (``createViewerPanel``).
"""

from __future__ import annotations

import warnings
from typing import Any

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.model import AssetModel
from gizmo_notebook.viewer.encode import DEFAULT_TRIANGLE_BUDGET, encode_model
from gizmo_notebook.viewer.transport import preload
from gizmo_notebook.viewer.widget import Viewer

__all__ = ["DEFAULT_TRIANGLE_BUDGET", "Viewer", "encode_model", "preload", "to_model", "view"]

_RENDERERS = ("three", "pythreejs")


def to_model(source: Any) -> AssetModel:
    """``source`` as an AssetModel (an AssetModel passes through; anything else goes to load())."""
    if isinstance(source, AssetModel):
        return source
    from gizmo_notebook.loaders import load

    return load(source)


def view(source: Any, height: int = 480, renderer: str = "three", *,
         triangle_budget: int = DEFAULT_TRIANGLE_BUDGET, backend: str | None = None) -> Any:
    """A widget showing ``source`` in 3D, drawn by ``renderer`` (``"three"`` or ``"pythreejs"``).

    Above ``triangle_budget`` triangles the display copy is simplified (the widget says so);
    the model and any export are untouched. ``backend=`` is a deprecated alias of ``renderer=``.
    """
    if backend is not None:
        warnings.warn("view(backend=...) is deprecated: use view(renderer=...)", DeprecationWarning, stacklevel=2)
        if renderer != "three" and renderer != backend:
            raise InvalidValueError(f"renderer={renderer!r} and backend={backend!r} disagree: pass renderer= only")
        renderer = backend
    if renderer not in _RENDERERS:
        raise InvalidValueError(f"renderer must be one of {_RENDERERS}, got {renderer!r}")
    model = to_model(source)
    if renderer == "pythreejs":
        from gizmo_notebook.viewer.pythreejs_renderer import pythreejs_view

        return pythreejs_view(model, height=height)
    return Viewer(model, height=height, triangle_budget=triangle_budget)
