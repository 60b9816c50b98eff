"""The documented error envelope, as one exception type the whole server raises.

Every non-2xx response of the local server is ``{"error", "code", "message"}`` (see
``overview.md``). Routing errors, validation errors and unexpected exceptions all become a
:class:`HTTPProblem` before they reach the wire, so a client never has to parse a second shape
and no input can leak a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from gizmo_notebook.errors import GizmoError

__all__ = ["HTTPProblem", "error_response"]

# status -> the short machine-readable category the envelope's ``error`` field carries
_CATEGORIES: dict[int, str] = {
    400: "validation_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limit_exceeded",
    500: "internal_error",
    507: "insufficient_storage",
}


class HTTPProblem(GizmoError):
    """An HTTP error the server reports with the documented envelope.

    Named apart from the client's :class:`~gizmo_notebook.client.APIError` (what a caller
    *receives*): this is what the server *answers*; it never leaves the server as an exception.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        error: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.error = error or _CATEGORIES.get(status, "error")
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.message, error=self.error, headers=self.headers)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    error: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"error": error or _CATEGORIES.get(status, "error"), "code": code, "message": message}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))
