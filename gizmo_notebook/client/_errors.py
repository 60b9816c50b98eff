"""The exception hierarchy: everything the client raises on purpose is a :class:`GizmoError`.

HTTP failures map onto one class per documented status so callers can ``except NotFoundError``
instead of comparing numbers. Messages are built from the documented envelope (``error``,
``code``, ``message``) and fall back to the raw body text when a proxy answers with HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

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
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "WaitTimeoutError",
    "redact_deep",
    "redact_exception",
]


class GizmoError(Exception):
    """Base class of every error this package raises deliberately."""


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


# ----------------------------------------------------------------------------- redaction


def redact_deep(value: Any, redact: Callable[[str], str]) -> Any:
    """``value`` (decoded JSON, or any mix of dicts, lists, tuples, strings) with ``redact`` applied to every string.

    Keys included: a server echoing ``{"<key>": ...}`` must not leak it either.
    """
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact_deep(k, redact): redact_deep(v, redact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_deep(v, redact) for v in value)
    return value


def _holds_a_request(exc: BaseException) -> bool:
    """httpx errors (and anything else carrying ``.request``/``.response``) reach the sent headers."""
    return type(exc).__module__.split(".")[0] in ("httpx", "httpcore") or any(
        name in vars(exc) for name in ("request", "_request", "response")
    )


def redact_exception(exc: BaseException, redact: Callable[[str], str]) -> BaseException:
    """Make ``exc`` safe to leave the client: the key out of every text it carries, chains cut.

    Applied by the runners to whatever a call raises, whatever the path: ``args`` and every string,
    dict or list attribute (``message``, ``body``, ``reason``, ``last_status``...) are redacted, and
    ``__cause__``/``__context__`` links to exceptions that hold an httpx request (whose headers
    carry the key) are cut; the remaining chain is redacted the same way. Returns ``exc``.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(redact_deep(arg, redact) for arg in current.args)
        for name, value in list(vars(current).items()):
            if isinstance(value, (str, Mapping, list, tuple)):
                setattr(current, name, redact_deep(value, redact))
        if current.__cause__ is not None and _holds_a_request(current.__cause__):
            current.__cause__ = None
        if current.__context__ is not None and _holds_a_request(current.__context__):
            current.__context__ = None
            current.__suppress_context__ = True
        current = current.__cause__ or current.__context__
    return exc
