"""The Gizmo API client: :class:`GizmoClient` (blocking) and :class:`AsyncGizmoClient` (asyncio).

Both share one implementation of requests, retries, polling and downloads (see ``_runtime``),
typed immutable records (``Asset``, ``AssetPage``, ``Export``, ``Scene``, ``ScenePage``, ``Job``,
``JobEvent``, ``RateLimit``) and one error hierarchy rooted at :class:`GizmoError`.

Both speak the alpha and the current (job-based) Gizmo API with the same calls; which one is
decided per client (``api_version``, see ``_api_version``). The current API's jobs are followed
over their event stream (``_sse``, ``_follow``); its ZIP exports are streamed, checked and
unpacked (``_download``); format names of both contracts are translated (``_formats``).
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
    GenerationCancelledError,
    GenerationFailedError,
    GizmoError,
    InsufficientCreditsError,
    InternalServerError,
    InvalidValueError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    UnsupportedByAPIVersionError,
    WaitTimeoutError,
)
from gizmo_notebook.client._job import Job, JobEvent, JobStatus
from gizmo_notebook.client._rate_limit import RateLimit
from gizmo_notebook.client._records import (
    Asset,
    AssetPage,
    AssetStatus,
    Export,
    Interpretation,
    Placement,
    Scene,
    ScenePage,
)
from gizmo_notebook.formats import EXPORT_FORMATS, ExportFormat

__all__ = [
    "RateLimit",
    "JobStatus",
    "JobEvent",
    "Job",
    "UnsupportedByAPIVersionError",
    "UnprocessableEntityError",
    "InsufficientCreditsError",
    "GenerationCancelledError",
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
    "Interpretation",
    "InvalidValueError",
    "NotFoundError",
    "PermissionDeniedError",
    "Placement",
    "RateLimitError",
    "Scene",
    "ScenePage",
    "WaitTimeoutError",
]
