"""The Gizmo API client: :class:`GizmoClient` (blocking) and :class:`AsyncGizmoClient` (asyncio).

Both share one implementation of requests, retries, polling and downloads (see ``_transport``),
typed immutable models (``Asset``, ``AssetPage``, ``Export``, ``Scene``, ``ScenePage``) and one
error hierarchy rooted at :class:`GizmoError`.
"""

from __future__ import annotations

from gizmo_notebook.client._client import AsyncGizmoClient, GizmoClient
from gizmo_notebook.client._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    DownloadError,
    GenerationFailedError,
    GizmoError,
    InternalServerError,
    InvalidValueError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    WaitTimeoutError,
)
from gizmo_notebook.client._models import Asset, AssetPage, AssetStatus, Export, Placement, Scene, ScenePage
from gizmo_notebook.formats import EXPORT_FORMATS, ExportFormat

__all__ = [
    "EXPORT_FORMATS",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "Asset",
    "AssetPage",
    "AssetStatus",
    "AsyncGizmoClient",
    "AuthenticationError",
    "BadRequestError",
    "DownloadError",
    "Export",
    "ExportFormat",
    "GenerationFailedError",
    "GizmoClient",
    "GizmoError",
    "InternalServerError",
    "InvalidValueError",
    "NotFoundError",
    "PermissionDeniedError",
    "Placement",
    "RateLimitError",
    "Scene",
    "ScenePage",
    "WaitTimeoutError",
]
