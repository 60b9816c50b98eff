"""gizmo-notebook: the Gizmo text-to-3D API in Jupyter.

Public names are re-exported here and imported lazily, so ``import gizmo_notebook`` stays
cheap (no three.js bundle, no USD, no MuJoCo) until a part is actually used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # client
    "GizmoClient": "gizmo_notebook.client",
    "AsyncGizmoClient": "gizmo_notebook.client",
    "Asset": "gizmo_notebook.client",
    "AssetPage": "gizmo_notebook.client",
    "Export": "gizmo_notebook.client",
    "Scene": "gizmo_notebook.client",
    "ScenePage": "gizmo_notebook.client",
    "Placement": "gizmo_notebook.client",
    "AssetStatus": "gizmo_notebook.client",
    "Interpretation": "gizmo_notebook.client",
    "ExportFormat": "gizmo_notebook.client",
    "GizmoError": "gizmo_notebook.client",
    "APIError": "gizmo_notebook.client",
    "APIResponseValidationError": "gizmo_notebook.client",
    "BadRequestError": "gizmo_notebook.client",
    "AuthenticationError": "gizmo_notebook.client",
    "PermissionDeniedError": "gizmo_notebook.client",
    "NotFoundError": "gizmo_notebook.client",
    "RateLimitError": "gizmo_notebook.client",
    "InternalServerError": "gizmo_notebook.client",
    "APIConnectionError": "gizmo_notebook.client",
    "APITimeoutError": "gizmo_notebook.client",
    "GenerationFailedError": "gizmo_notebook.client",
    "WaitTimeoutError": "gizmo_notebook.client",
    "DownloadError": "gizmo_notebook.client",
    "Job": "gizmo_notebook.client",
    "JobEvent": "gizmo_notebook.client",
    "JobStatus": "gizmo_notebook.client",
    "RateLimit": "gizmo_notebook.client",
    "GenerationCancelledError": "gizmo_notebook.client",
    "InsufficientCreditsError": "gizmo_notebook.client",
    "UnprocessableEntityError": "gizmo_notebook.client",
    "UnsupportedByAPIVersionError": "gizmo_notebook.client",
    # the articulated model (the spine)
    "AssetModel": "gizmo_notebook.model",
    "Link": "gizmo_notebook.model",
    "Joint": "gizmo_notebook.model",
    "JointLimits": "gizmo_notebook.model",
    "Pose": "gizmo_notebook.model",
    "ModelError": "gizmo_notebook.model",
    # loading and viewing
    "load": "gizmo_notebook.loaders",
    "LoadError": "gizmo_notebook.loaders",
    "view": "gizmo_notebook.viewer",
    "Viewer": "gizmo_notebook.viewer",
    # physics playback
    "simulate": "gizmo_notebook.sim",
    "Trajectory": "gizmo_notebook.sim",
    # optional extras
    "MissingDependencyError": "gizmo_notebook._optional",
    # studio
    "Studio": "gizmo_notebook.studio",
}

__all__ = sorted(_EXPORTS) + ["load_ipython_extension", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from gizmo_notebook._optional import MissingDependencyError  # noqa: F401
    from gizmo_notebook.client import *  # noqa: F403
    from gizmo_notebook.loaders import LoadError, load  # noqa: F401
    from gizmo_notebook.model import AssetModel, Joint, JointLimits, Link, ModelError, Pose  # noqa: F401
    from gizmo_notebook.sim import Trajectory, simulate  # noqa: F401
    from gizmo_notebook.studio import Studio  # noqa: F401
    from gizmo_notebook.viewer import Viewer, view  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gizmo_notebook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext gizmo_notebook``: registers the ``%gizmo`` / ``%%gizmo`` magics and sends
    the widgets' front end to the page, so the first Studio or preview doesn't wait for it."""
    from gizmo_notebook.studio.magics import register
    from gizmo_notebook.viewer.transport import preload

    register(ipython)
    preload()
