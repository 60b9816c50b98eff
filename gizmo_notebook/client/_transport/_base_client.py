"""Effects, the request/retry flow and response handling shared by both clients (no I/O here)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx

from gizmo_notebook import __version__
from gizmo_notebook.client._config import Settings, _Secret
from gizmo_notebook.client._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    error_class_for,
    redact_deep,
)
from gizmo_notebook.client._retry import RetryPolicy, request_never_sent

__all__ = [
    "BearerAuth",
    "ClientContext",
    "Fetch",
    "Flow",
    "Now",
    "RequestOptions",
    "Send",
    "Sleep",
    "Sink",
    "advance",
    "api_client_kwargs",
    "download_client_kwargs",
    "map_flow",
    "request_flow",
    "forget_credentials",
    "sanitize_response",
    "scrub",
]

T = TypeVar("T")
U = TypeVar("U")

_log = logging.getLogger("gizmo_notebook.client")

USER_AGENT = f"gizmo-notebook/{__version__}"
# Downloads are compared byte-for-byte against Content-Length, so ask for the file as stored.
DOWNLOAD_HEADERS = {"Accept-Encoding": "identity"}


# ----------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class Send:
    """Send one request to the API (relative ``path``) and answer with the fully read response."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, Any] | None = None


class Sink(Protocol):
    """Receives a streamed download; ``begin`` decides (from status/headers) whether to read the body."""

    def begin(self, response: httpx.Response) -> bool: ...

    def write(self, chunk: bytes) -> None: ...


@dataclass(frozen=True)
class Fetch:
    """GET an absolute download URL *without* credentials, streaming the body into ``sink``."""

    url: str
    sink: Sink


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Now:
    """Answered with the runner's monotonic clock (seconds), so tests can fake time."""


Effect = Send | Fetch | Sleep | Now
Flow = Generator[Effect, Any, T]


def advance(flow: Flow[T], value: Any, error: BaseException | None) -> tuple[bool, Any]:
    """Resume ``flow`` with a result or an exception: ``(True, result)`` when done, else ``(False, effect)``."""
    try:
        return False, (flow.throw(error) if error is not None else flow.send(value))
    except StopIteration as stop:
        return True, stop.value


def scrub(exc: BaseException, redact: Callable[[str], str]) -> BaseException:
    """Redact the key from an exception's message in place, before any frame or log can show it."""
    exc.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in exc.args)
    request = vars(exc).get("_request")  # httpx.RequestError: the request, headers and all
    if isinstance(request, httpx.Request):
        forget_credentials(request)
    return exc


def forget_credentials(request: httpx.Request) -> None:
    """Mask the ``Authorization`` header of a request that has been sent (it is never sent again).

    httpx keeps the request, headers included, on the response and on its exceptions, where a
    traceback's locals or an exception chain would show the key.
    """
    if "authorization" in request.headers:
        request.headers["authorization"] = "Bearer ****"


def sanitize_response(response: httpx.Response, redact: Callable[[str], str]) -> httpx.Response:
    """The response with its request's key masked and its reason phrase (shown by ``repr``) redacted."""
    forget_credentials(response.request)
    phrase = response.extensions.get("reason_phrase")
    if isinstance(phrase, bytes):
        cleaned = redact(phrase.decode("latin-1")).encode("latin-1", "replace")
        if cleaned != phrase:
            response.extensions = {**response.extensions, "reason_phrase": cleaned}
    return response


def map_flow(flow: Flow[T], fn: Callable[[T], U]) -> Flow[U]:
    """A flow that runs ``flow`` and returns ``fn`` of its result (e.g. JSON -> model)."""
    return fn((yield from flow))


# ----------------------------------------------------------------------------- context


@dataclass(frozen=True)
class ClientContext:
    """What a flow needs to know about its client; no I/O handles."""

    base_url: str
    is_local: bool
    retry: RetryPolicy
    cache_dir: Path
    max_download_bytes: int
    secret: _Secret | None
    #: seconds one transfer may take in all (a trickling host cannot keep it alive forever)
    download_timeout: float = 600.0

    def redact(self, text: str) -> str:
        return self.secret.redact(text) if self.secret is not None else text


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer`` only to requests under the configured base URL."""

    def __init__(self, secret: _Secret | None, base_url: str) -> None:
        self._secret = secret
        self._base = httpx.URL(base_url.rstrip("/") + "/")

    def _covers(self, url: httpx.URL) -> bool:
        base = self._base
        return (
            url.scheme == base.scheme
            and url.host == base.host
            and url.port == base.port
            and url.path.startswith(base.path)
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._secret is not None and self._covers(request.url):
            request.headers["Authorization"] = "Bearer " + self._secret.reveal()
        yield request


def api_client_kwargs(settings: Settings, timeout: float | httpx.Timeout, transport: Any) -> dict[str, Any]:
    """Keyword arguments for the httpx client that talks to the API (and only it carries the key)."""
    kwargs: dict[str, Any] = {
        "base_url": settings.base_url,
        "auth": BearerAuth(settings.secret, settings.base_url),
        "timeout": timeout,
        "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
        "follow_redirects": False,
    }
    if transport is not None:
        kwargs["transport"] = transport
    return kwargs


def download_client_kwargs(timeout: float | httpx.Timeout, transport: Any) -> dict[str, Any]:
    """Keyword arguments for the credential-free httpx client used for pre-signed download URLs."""
    kwargs: dict[str, Any] = {
        "timeout": timeout,
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": True,
    }
    if transport is not None:
        kwargs["transport"] = transport
    return kwargs


# ----------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class RequestOptions:
    method: str
    path: str
    json: Any = None
    params: Mapping[str, Any] | None = None
    #: False for requests that create something: re-sent only when the server surely did not act.
    idempotent: bool = True

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def request_flow(ctx: ClientContext, opts: RequestOptions) -> Flow[Any]:
    """Send ``opts`` with retries; return the decoded JSON body or raise a typed error."""
    attempt = 0
    while True:
        try:
            response = yield Send(opts.method, opts.path, opts.json, opts.params)
        except httpx.RequestError as exc:
            delay = ctx.retry.after_exception(attempt, exc, idempotent=opts.idempotent)
            if delay is None:
                # No chaining: httpx/httpcore frames would drag request internals into tracebacks.
                raise connection_error(ctx, opts, exc) from None
            reason = type(exc).__name__
        else:
            if response.is_success:
                return parse_success(ctx, opts, response)
            delay = ctx.retry.after_response(attempt, response, idempotent=opts.idempotent)
            if delay is None:
                raise status_error(ctx, opts, response)
            reason = f"HTTP {response.status_code}"
        attempt += 1
        _log.info("%s failed (%s); retry %d/%d in %.2f s", opts.label, reason, attempt, ctx.retry.max_retries, delay)
        yield Sleep(delay)


def parse_success(ctx: ClientContext, opts: RequestOptions, response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        # Redacted before any model sees it: a name, failure_reason or download_url echoing the key
        # would otherwise reach reprs, progress bars and exception texts.
        return redact_deep(response.json(), ctx.redact)
    except ValueError:
        raise APIResponseValidationError(
            f"{opts.label} answered {response.status_code} with a body that is not JSON: "
            f"{_snippet(ctx, response.text)!r}",
            status_code=response.status_code,
            body=_snippet(ctx, response.text),
        ) from None


def _snippet(ctx: ClientContext, text: str, limit: int = 300) -> str:
    text = ctx.redact(" ".join(text.split()))
    return text if len(text) <= limit else text[:limit] + "..."


def status_error(ctx: ClientContext, opts: RequestOptions, response: httpx.Response) -> APIError:
    """A typed error for a non-2xx response, from the documented envelope or whatever the body is."""
    status = response.status_code
    try:
        body: Any = redact_deep(response.json(), ctx.redact)
    except ValueError:
        body = None
    envelope = body if isinstance(body, Mapping) else {}
    error = envelope.get("error") if isinstance(envelope.get("error"), str) else None
    code = envelope.get("code") if isinstance(envelope.get("code"), str) else None
    detail = envelope.get("message") if isinstance(envelope.get("message"), str) else None
    if detail is None:
        detail = _snippet(ctx, response.text) or "(empty body)"
        if body is None:
            body = detail
    kind = "/".join(part for part in (error, code) if part)
    message = f"{opts.label} -> {status} {response.reason_phrase}".rstrip()
    message += f" [{kind}]: {ctx.redact(detail)}" if kind else f": {ctx.redact(detail)}"
    if status == 401:
        message += " (check api_key / GIZMO_API_KEY)"
    elif status == 429:
        message += " (rate limited; retries exhausted — wait a little or lower the request rate)"
    elif status >= 500 and not opts.idempotent:
        message += (
            " (not retried because the request may have been carried out; "
            "list your resources before sending it again)"
        )
    # redacted as a whole: the reason phrase, too, is the server's text
    return error_class_for(status)(ctx.redact(message), status_code=status, error=error, code=code, body=body)


def connection_error(ctx: ClientContext, opts: RequestOptions, exc: Exception) -> APIConnectionError:
    detail = ctx.redact(str(exc)) or type(exc).__name__
    unsure = (
        ""
        if opts.idempotent or request_never_sent(exc)
        else " (not retried because the request may have reached the server)"
    )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{opts.label} to {ctx.base_url} timed out ({type(exc).__name__}: {detail}){unsure}")
    return APIConnectionError(
        f"{opts.label}: could not talk to {ctx.base_url} ({type(exc).__name__}: {detail}){unsure}"
    )
