"""The root of the package's errors, in a leaf module every layer may import.

:class:`GizmoError` is the base of every error the package raises deliberately: API and
download failures (``gizmo_notebook.client``), files that cannot be loaded
(:class:`~gizmo_notebook.loaders.LoadError`), inconsistent models
(:class:`~gizmo_notebook.model.ModelError`), unsafe archives, impossible exports, and values
that are not acceptable (:class:`InvalidValueError`). ``except gizmo_notebook.GizmoError``
therefore catches everything the package means to say, and nothing it does not.

Errors about a *value* keep :class:`ValueError` as a second base, because callers (and Python
idiom) catch those as ``ValueError``. Wrong argument *types* stay plain :class:`TypeError`, as
in Python itself.

It lives here, not in the client, so the model and the loaders (which sit below the client)
can derive from it without importing the client.
"""

from __future__ import annotations

__all__ = ["GizmoError", "InvalidValueError"]


class GizmoError(Exception):
    """Base class of every error this package raises deliberately."""


class InvalidValueError(GizmoError, ValueError):
    """A value you passed (an argument, an option, an environment variable) is not acceptable.

    Raised before anything is sent or written; the message names the value and what to pass instead.
    """
