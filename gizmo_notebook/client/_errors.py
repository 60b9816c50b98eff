"""The client's exceptions: everything the client raises on purpose is a :class:`GizmoError`.

``GizmoError`` and ``InvalidValueError`` live in :mod:`gizmo_notebook.errors` (the package's
root error, shared with the loaders and the model) and are re-exported here.

HTTP failures map onto one class per documented status so callers can ``except NotFoundError``
instead of comparing numbers. Messages are built from the documented envelope (``error``,
``code``, ``message``) and fall back to the raw body text when a proxy answers with HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gizmo_notebook.errors import GizmoError, InvalidValueError

if TYPE_CHECKING:  # pragma: no cover
    from gizmo_notebook.client._job import Job
    from gizmo_notebook.client._records import Asset

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "DownloadError",
    "GenerationCancelledError",
    "GenerationFailedError",
    "GizmoError",
    "InsufficientCreditsError",
    "InternalServerError",
    "InvalidValueError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "UnsupportedByAPIVersionError",
    "WaitTimeoutError",
    "redact_deep",
    "redact_exception",
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
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error = error
        self.code = code
        self.body = body
        #: The response headers (``X-RateLimit-*``, ``Retry-After``...), empty when there was no response.
        self.headers: dict[str, str] = dict(headers or {})
        #: Seconds the server asked us to wait (``Retry-After`` or ``X-RateLimit-Reset``), else ``None``.
        self.retry_after = retry_after


class BadRequestError(APIError):
    """400: the request was invalid; the message says which field."""


class AuthenticationError(APIError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIError):
    """403: the key may not do this."""


class NotFoundError(APIError):
    """404: no such asset (or scene)."""


class InsufficientCreditsError(APIError):
    """402: the account's generation credits are used up; never retried (waiting does not help)."""


class UnprocessableEntityError(APIError):
    """422: the server rejected the request body; ``.errors`` lists each field problem it named."""

    @property
    def errors(self) -> list[Any]:
        detail = self.body.get("detail") if isinstance(self.body, Mapping) else None
        return list(detail) if isinstance(detail, list) else []


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
    """``wait`` saw the asset (or its job) fail; ``.reason`` holds the server's reason.

    ``.asset`` is the failed asset (alpha API), ``.job`` the failed job (current API); the other is
    ``None``.
    """

    _verb = "failed"

    def __init__(self, asset: Asset | None = None, *, job: Job | None = None, reason: str | None = None) -> None:
        self.asset = asset
        self.job = job
        if asset is not None:
            self.reason = reason or asset.failure_reason
            what = f"generation of asset {asset.id}"
        else:
            self.reason = reason or (job.failure_reason if job is not None else None)
            what = f"job {job.id}" if job is not None else "generation"
        detail = f": {self.reason}" if self.reason else ""
        super().__init__(f"{what} {self._verb}{detail}")


class GenerationCancelledError(GenerationFailedError):
    """The job was cancelled (by ``jobs.cancel`` or on the server) before it finished."""

    _verb = "was cancelled"


class WaitTimeoutError(GizmoError):
    """``wait`` gave up before the asset was ready; the asset keeps generating on the server."""

    def __init__(self, asset_id: str, timeout: float, last_status: str, *, what: str = "asset") -> None:
        self.asset_id = asset_id
        self.timeout = timeout
        self.last_status = last_status
        super().__init__(
            f"{what} {asset_id} was still {last_status!r} after {timeout:g} s; "
            f"call wait() again with a longer timeout to keep waiting"
        )


class UnsupportedByAPIVersionError(GizmoError):
    """The method (or option) does not exist in the API version this client speaks.

    ``.api_version`` is the version in use; the message names what to call instead.
    """

    def __init__(self, what: str, api_version: str, instead: str) -> None:
        self.what = what
        self.api_version = api_version
        self.instead = instead
        super().__init__(f"{what} is not part of the {api_version} Gizmo API; {instead}")


class DownloadError(GizmoError):
    """An export could not be downloaded intact (expired URL, cut-off transfer, over the size cap...)."""


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
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
