"""The current contract's error envelope: ``{"error": {"code", "message", "status"}}``.

Validation failures are 422 and carry, beside the nested envelope, the framework-style list
``"detail": [{"loc": [...], "msg": ..., "type": ...}]`` — both shapes the docs hint at, in one
body, so a client parsing either finds what it looks for. Errors raised by the helpers shared
with the alpha server (:class:`~gizmo_notebook.local.errors.HTTPProblem`: body parsing, API keys)
are translated here, so no alpha-shaped body ever leaves the current server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import JSONResponse

from gizmo_notebook.errors import GizmoError
from gizmo_notebook.local.errors import HTTPProblem

__all__ = ["CurrentError", "ValidationFailed", "envelope", "from_api_error", "not_found"]


def envelope(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}, **extra}


class CurrentError(GizmoError):
    """An HTTP error answered with the nested envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        detail: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.detail = [dict(d) for d in detail] if detail is not None else None

    def response(self) -> JSONResponse:
        extra = {"detail": self.detail} if self.detail is not None else {}
        return JSONResponse(envelope(self.status, self.code, self.message, **extra), self.status, self.headers)


class ValidationFailed(CurrentError):
    """422 for one bad field: ``loc`` is the path to it (``["body", "prompt"]``, ``["query", "after"]``)."""

    def __init__(self, loc: Sequence[str | int], msg: str, type: str = "value_error") -> None:
        where = ".".join(str(p) for p in loc[1:]) or str(loc[0])
        super().__init__(
            422, "validation_error", f"{where}: {msg}", detail=[{"loc": list(loc), "msg": msg, "type": type}]
        )


def not_found(kind: str, ident: str) -> CurrentError:
    return CurrentError(404, f"{kind}_not_found", f"No {kind} with id {ident[:64]!r} exists for this API key.")


_CODES = {401: "authentication_required", 403: "permission_denied", 404: "not_found", 429: "rate_limit_exceeded"}


def from_api_error(exc: HTTPProblem) -> CurrentError:
    """The nested form of an alpha-shaped error; a 400 about the body becomes a 422 validation error."""
    if exc.status == 400:
        return CurrentError(
            422, "validation_error", exc.message,
            detail=[{"loc": ["body"], "msg": exc.message, "type": exc.code.lower()}],
        )  # fmt: skip
    return CurrentError(exc.status, _CODES.get(exc.status, exc.code.lower()), exc.message, headers=exc.headers)
