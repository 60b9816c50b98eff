"""gizmo-notebook: the Gizmo text-to-3D API in Jupyter.

Public names are re-exported here and imported lazily, so ``import gizmo_notebook`` stays
cheap (no three.js bundle, no USD, no MuJoCo) until a part is actually used.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gizmo_notebook import _converters, _offline
from gizmo_notebook._version import __version__

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
    "InvalidValueError": "gizmo_notebook.client",
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
    "LoopClosure": "gizmo_notebook.model",
    "Pose": "gizmo_notebook.model",
    "ModelError": "gizmo_notebook.model",
    "compose_placed": "gizmo_notebook.model",
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
    from gizmo_notebook.model import (  # noqa: F401
        AssetModel,
        Joint,
        JointLimits,
        Link,
        LoopClosure,
        ModelError,
        Pose,
        compose_placed,
    )
    from gizmo_notebook.sim import Trajectory, simulate  # noqa: F401
    from gizmo_notebook.studio import Studio  # noqa: F401
    from gizmo_notebook.viewer import Viewer, view  # noqa: F401


def _embedded_offline_backend(api: str = "alpha") -> _offline.OfflineBackend:
    """The offline default: the local server, started in this process on first use.

    Chosen here, in the composition root, so the client never imports the server (see
    :mod:`gizmo_notebook._offline`); imported lazily, so ``import gizmo_notebook`` stays cheap.
    """
    from gizmo_notebook.local import embedded

    server = embedded.ensure_local_server(api=api)
    return _offline.OfflineBackend(base_url=str(server.base_url), api_key=server.api_key, data_dir=server.data_dir)


_offline.set_offline_factory(_embedded_offline_backend)


def _mjcf_to_urdf(mjcf: Path, folder: Path, stem: str) -> Path:
    """MJCF (file or folder) -> URDF zip with the package's loader and the offline backend's writer."""
    from gizmo_notebook.loaders import LoadError, load
    from gizmo_notebook.local.exporters import ExportError, export_model

    try:
        return export_model(load(mjcf), "isaac_sim_urdf", folder, stem)
    except (LoadError, ExportError) as exc:
        raise _converters.ConversionError(str(exc)) from None


_converters.set_mjcf_to_urdf(_mjcf_to_urdf)


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
