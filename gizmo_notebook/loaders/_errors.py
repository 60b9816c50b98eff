"""The one exception type every loader raises, with a message a user can act on."""

from __future__ import annotations

from os import PathLike

from gizmo_notebook.errors import GizmoError


class LoadError(GizmoError, ValueError):
    """A file or object could not be read into an :class:`~gizmo_notebook.model.AssetModel`.

    The message always starts with the file (when there is one) and, when the problem sits in
    one element of it, that element, e.g. ``arm.urdf: <joint name='j2'>: parent link 'base2'
    does not exist``, so the user knows where to look without a traceback. ``path`` and
    ``element`` are kept as attributes for programs that want to react to them.
    """

    def __init__(
        self,
        what: str,
        *,
        path: str | PathLike[str] | None = None,
        element: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.element = element
        self.what = what
        parts = [p for p in (_display_name(self.path), element, what) if p]
        super().__init__(": ".join(parts))


def _display_name(path: str | None) -> str | None:
    """The file name alone: full paths of caches and temp dirs bury what matters."""
    if path is None:
        return None
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or path


def element_label(tag: str, name: str | None = None) -> str:
    """``<joint name='j2'>``-style label used in messages."""
    return f"<{tag} name={name!r}>" if name is not None else f"<{tag}>"
