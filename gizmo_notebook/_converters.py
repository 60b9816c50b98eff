"""Format conversions the client needs but must not implement: a port, filled in at the top.

The current Gizmo API no longer exports URDF, so ``download(..., "isaac_sim_urdf")`` converts the
MJCF export locally. Converting takes the MJCF loader and the URDF writer, which sit above the
client in the layers (``client`` must not import ``loaders`` or ``local``). So the client calls
:func:`mjcf_to_urdf` here, and the package root — the one place that composes the parts —
registers the implementation, as it does for the offline backend (:mod:`gizmo_notebook._offline`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gizmo_notebook.errors import GizmoError

__all__ = ["ConversionError", "mjcf_to_urdf", "set_mjcf_to_urdf"]

#: ``(mjcf file or folder, destination folder, file stem) -> path of the URDF zip``
Converter = Callable[[Path, Path, str], Path]

_converter: Converter | None = None


class ConversionError(GizmoError):
    """The conversion failed; the message says why (the client wraps it in its own error)."""


def set_mjcf_to_urdf(converter: Converter | None) -> Converter | None:
    """Install the MJCF → URDF converter; returns the previous one so it can be put back."""
    global _converter
    previous, _converter = _converter, converter
    return previous


def mjcf_to_urdf(mjcf: Path, folder: Path, stem: str) -> Path:
    """Convert with the registered converter (raises :class:`ConversionError`)."""
    if _converter is None:
        raise ConversionError("no MJCF to URDF converter is registered (import gizmo_notebook registers one)")
    return _converter(mjcf, folder, stem)
