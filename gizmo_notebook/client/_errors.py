"""The client's exceptions: everything the client raises on purpose is a :class:`GizmoError`.

``GizmoError`` and ``InvalidValueError`` live in :mod:`gizmo_notebook.errors` (the package's
root error, shared with the loaders and the model) and are re-exported here.

HTTP failures map onto one class per documented status so callers can ``except NotFoundError``
instead of comparing numbers. Messages are built from the documented envelope (``error``,
``code``, ``message``) and fall back to the raw body text when a proxy answers with HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gizmo_notebook.errors import GizmoError, InvalidValueError

if TYPE_CHECKING:  # pragma: no cover
    from gizmo_notebook.client._models import Asset

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "DownloadError",
    "GenerationFailedError",
    "GizmoError",
    "InternalServerError",
    "InvalidValueError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "WaitTimeoutError",
]


class APIError(GizmoError):
    """The API answered with a non-2xx status (or an unusable body)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error: str | None = None,
        code: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error = error
        self.code = code
        self.body = body


class BadRequestError(APIError):
    """400: the request was invalid; the message says which field."""


class AuthenticationError(APIError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIError):
    """403: the key may not do this."""


class NotFoundError(APIError):
    """404: no such asset (or scene)."""


class RateLimitError(APIError):
    """429: too many requests; raised once the retries are used up."""


class InternalServerError(APIError):
    """5xx: the service failed."""


class APIResponseValidationError(APIError):
    """A 2xx response whose body is not the documented shape (not JSON, missing ``id``...)."""


class APIConnectionError(GizmoError):
    """The service could not be reached (DNS, refused connection, dropped connection...)."""


class APITimeoutError(APIConnectionError):
    """The service did not answer within the timeout."""


class GenerationFailedError(GizmoError):
    """``wait`` saw the asset reach ``failed``; ``.asset`` holds it, ``.reason`` the server's reason."""

    def __init__(self, asset: Asset) -> None:
        self.asset = asset
        self.reason = asset.failure_reason
        detail = f": {self.reason}" if self.reason else ""
        super().__init__(f"generation of asset {asset.id} failed{detail}")


class WaitTimeoutError(GizmoError):
    """``wait`` gave up before the asset was ready; the asset keeps generating on the server."""

    def __init__(self, asset_id: str, timeout: float, last_status: str) -> None:
        self.asset_id = asset_id
        self.timeout = timeout
        self.last_status = last_status
        super().__init__(
            f"asset {asset_id} was still {last_status!r} after {timeout:g} s; "
            f"call wait() again with a longer timeout to keep waiting"
        )


class DownloadError(GizmoError):
    """An export could not be downloaded intact (expired URL, cut-off transfer, over the size cap...)."""


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[APIError]:
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIError)
