"""The Studio widget and the ``%gizmo`` magics (see :mod:`gizmo_notebook.studio.widget`)."""

from __future__ import annotations

from gizmo_notebook.studio.widget import Studio

__all__ = ["Studio"]
