"""Optional dependencies: one place that knows which extra brings which module.

The core install (``pip install gizmo-notebook``) is the client, the Studio, the viewer and the
offline backend. The heavy parts live in extras so that a user who only wants those does not
download MuJoCo, usd-core and friends (~300 MB): ``mujoco`` (MJCF loading, ``simulate``, the
offline backend's physics check), ``usd`` (USD loading and export), ``urdf`` (URDF and xacro
loading), ``pythreejs`` (the pythreejs renderer), ``decimate`` (meshoptimizer's
simplifier, which builds from source: the viewer's display of meshes above its triangle budget)
``scipy`` (closed kinematic loops, convex-hull mass estimates; 140 MB) and ``textures``
(pillow, 21 MB: converting TGA, BMP, GIF... textures; PNG and JPEG reach the viewer as they
are without it) and ``booleans`` (manifold3d, 4 MB: the holes of the offline generator's
housings and brackets, which are built without them otherwise) and ``collada`` (pycollada:
COLLADA ``.dae`` meshes, which ROS robot descriptions use; the ``urdf`` extra brings it too).
Each import site wraps its import in
:func:`requires`, so a missing extra says exactly which ``pip install`` to run instead of a bare
``ModuleNotFoundError`` from deep inside the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from gizmo_notebook.errors import GizmoError, InvalidValueError

__all__ = ["EXTRAS", "MissingDependencyError", "install_command", "requires"]

# extra -> the top-level modules it provides (what an import site may find missing)
EXTRAS: dict[str, tuple[str, ...]] = {
    "mujoco": ("mujoco",),
    "usd": ("pxr",),
    "urdf": ("yourdfpy", "lxml", "networkx", "xacro"),
    "pythreejs": ("pythreejs", "ipydatawidgets"),
    "decimate": ("meshoptimizer",),
    "scipy": ("scipy",),
    "textures": ("PIL",),
    "booleans": ("manifold3d",),
    "collada": ("collada",),
}


def install_command(extra: str) -> str:
    """The command that installs ``extra`` (quoted for shells that glob brackets)."""
    if extra not in EXTRAS:
        raise InvalidValueError(f"unknown extra {extra!r}; known: {', '.join(EXTRAS)}")
    return f"pip install 'gizmo-notebook[{extra}]'"


class MissingDependencyError(GizmoError, ImportError):
    """A feature needs an optional extra that is not installed; the message names the install.

    An ``ImportError`` too, so code that already guards an import with ``except ImportError``
    keeps working.
    """

    def __init__(self, extra: str, feature: str, module: str) -> None:
        self.extra = extra
        self.feature = feature
        self.module = module
        super().__init__(
            f"{feature} needs the optional '{extra}' extra ({module!r} is not installed): "
            f"run {install_command(extra)}",
            name=module,
        )


@contextmanager
def requires(extra: str, feature: str) -> Iterator[None]:
    """Turn a missing module of ``extra`` imported in the block into :class:`MissingDependencyError`.

    Only the extra's own modules count: an ``ImportError`` from anything else (a broken
    install, a bug) propagates unchanged rather than being misreported as a missing extra.
    """
    modules = EXTRAS[extra]
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in modules:
            raise
        raise MissingDependencyError(extra, feature, missing) from exc
