"""Effects, the request/retry flow and response handling shared by both clients (no I/O here)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx

from gizmo_notebook._version import __version__
from gizmo_notebook.client._api_version import ALPHA, ApiVersionState
from gizmo_notebook.client._config import Settings, _Secret
from gizmo_notebook.client._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    error_class_for,
    redact_deep,
)
from gizmo_notebook.client._json import loads_untrusted
from gizmo_notebook.client._rate_limit import RateLimitTracker
from gizmo_notebook.client._retry import RetryPolicy, request_never_sent, server_wait_hint

__all__ = [
    "BearerAuth",
    "BlockingLoop",
    "ClientContext",
    "CloseStream",
    "Emit",
    "Fetch",
    "Flow",
    "NextEvent",
    "Now",
    "OpenEvents",
    "SendStream",
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
class SendStream:
    """Send one request to the API and stream the response body into ``sink`` (export ZIPs).

    When ``sink.begin`` declines the body (an error status), the runner reads it fully instead,
    so the flow can build a typed error from it.
    """

    method: str
    path: str
    sink: Sink
    json: Any = None
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class OpenEvents:
    """Open a Server-Sent Events stream on the API; answered with the response, body unread.

    A non-2xx response comes back fully read (for the error). The runner closes every stream it
    opened when the flow ends, so a flow never has to yield from a ``finally``.
    """

    path: str
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    read_timeout: float | None = None


@dataclass(frozen=True, eq=False)
class NextEvent:
    """Answered with the next ``httpx_sse.ServerSentEvent`` of an open stream, or ``None`` at its end."""

    response: httpx.Response


@dataclass(frozen=True, eq=False)
class CloseStream:
    response: httpx.Response


@dataclass(frozen=True)
class BlockingLoop:
    """Answered ``True`` by a *sync* runner called inside a running event loop (a notebook cell).

    There a long blocking read — an event stream that stays open for the whole job — would freeze
    every widget on the kernel's loop, while polling sleeps in a loop-friendly way; flows that
    only want an outcome (``wait``) poll then. The async runner always answers ``False``.
    """


@dataclass(frozen=True)
class Emit:
    """Hand ``value`` to the caller of an iterating flow (``jobs.events``); answered with ``None``."""

    value: Any


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Now:
    """Answered with the runner's monotonic clock (seconds), so tests can fake time."""


Effect = Send | SendStream | Fetch | OpenEvents | NextEvent | CloseStream | Emit | BlockingLoop | Sleep | Now
Flow = Generator[Effect, Any, T]


class OpenStreams:
    """The event streams one flow run has open, so the runner can close what the flow left open."""

    def __init__(self) -> None:
        self._open: dict[int, tuple[httpx.Response, Any]] = {}

    def add(self, response: httpx.Response, events: Any) -> None:
        self._open[id(response)] = (response, events)

    def events(self, response: httpx.Response) -> Any:
        entry = self._open.get(id(response))
        if entry is None:
            raise RuntimeError("NextEvent on a stream that is not open")
        return entry[1]

    def pop(self, response: httpx.Response) -> Any:
        entry = self._open.pop(id(response), None)
        return entry[1] if entry is not None else None

    def drain(self) -> list[tuple[httpx.Response, Any]]:
        entries = list(self._open.values())
        self._open.clear()
        return entries


def is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "").lower()


def stream_timeout(base: httpx.Timeout, read: float | None) -> httpx.Timeout:
    """``base`` with its read timeout replaced (a quiet event stream must not outlive a wait's deadline)."""
    if read is None:
        return base
    if base.read is not None:
        read = min(read, base.read)
    return httpx.Timeout(connect=base.connect, read=max(read, 0.05), write=base.write, pool=base.pool)


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
    #: Which API contract to speak (decided once per client; see ``_api_version``).
    api: ApiVersionState = field(default_factory=lambda: ApiVersionState(ALPHA))
    #: ``X-RateLimit-*`` of the latest response that carried them.
    rate: RateLimitTracker = field(default_factory=RateLimitTracker)
    #: Current API: job id -> asset id, for jobs this client has seen finish.
    job_assets: dict[str, str] = field(default_factory=dict)

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
    #: A version probe (``_api_version``): its answers decide by their own rules, not by shape.
    probe: bool = False

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def request_flow(ctx: ClientContext, opts: RequestOptions) -> Flow[Any]:
    """Send ``opts`` with retries; return the decoded JSON body or raise a typed error."""
    attempt = 0
    while True:
        pause = ctx.rate.pause()
        if pause > 0:  # the last response said the window is (nearly) used up: do not provoke a 429
            _log.info("%s: pacing %.2f s for the rate limit (X-RateLimit-Remaining)", opts.label, pause)
            yield Sleep(min(pause, ctx.retry.max_retry_after))
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
                body = parse_success(ctx, opts, response)
                if not opts.probe:
                    ctx.api.learn(body)
                return body
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
        return redact_deep(loads_untrusted(response.content), ctx.redact)
    except ValueError:
        raise APIResponseValidationError(
            f"{opts.label} answered {response.status_code} with a body that is not JSON: "
            f"{_snippet(ctx, response.text)!r}",
            status_code=response.status_code,
            body=_snippet(ctx, response.text),
            headers={k: ctx.redact(v) for k, v in response.headers.items()},
        ) from None


def _snippet(ctx: ClientContext, text: str, limit: int = 300) -> str:
    text = ctx.redact(" ".join(text.split()))
    return text if len(text) <= limit else text[:limit] + "..."


def _validation_detail(detail: list[Any]) -> str:
    """``[{loc, msg, type}, ...]`` (a framework's 422 body) as ``"body.prompt: field required; ..."``."""
    parts = []
    for item in detail[:10]:
        if isinstance(item, Mapping):
            loc = item.get("loc")
            where = ".".join(str(p) for p in loc) if isinstance(loc, (list, tuple)) else ""
            msg = str(item.get("msg") or item.get("message") or "invalid")
            parts.append(f"{where}: {msg}" if where else msg)
        else:
            parts.append(str(item))
    return "; ".join(parts)


def error_fields(body: Any) -> tuple[str | None, str | None, str | None]:
    """``(error, code, message)`` from any envelope the API uses.

    Alpha: flat ``{error, code, message}``. Current: nested ``{"error": {code, message, status}}``.
    Validation failures: ``{"detail": [{loc, msg, type}]}`` (or ``{"detail": "text"}``).
    """
    if not isinstance(body, Mapping):
        return None, None, None

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) and value else None

    nested = body.get("error")
    if isinstance(nested, Mapping):
        return text(nested.get("type")), text(nested.get("code")), text(nested.get("message"))
    error, code, message = text(nested), text(body.get("code")), text(body.get("message"))
    detail = body.get("detail")
    if message is None and isinstance(detail, list) and detail:
        message = _validation_detail(detail)
    elif message is None:
        message = text(detail)
    return error, code, message


def status_error(ctx: ClientContext, opts: RequestOptions, response: httpx.Response) -> APIError:
    """A typed error for a non-2xx response, from the documented envelope or whatever the body is."""
    status = response.status_code
    try:
        body: Any = redact_deep(loads_untrusted(response.content), ctx.redact)
    except ValueError:
        body = None
    if not opts.probe:
        ctx.api.learn(body)
    error, code, detail = error_fields(body)
    if detail is None:
        detail = _snippet(ctx, response.text) or "(empty body)"
        if body is None:
            body = detail
    kind = "/".join(part for part in (error, code) if part)
    message = f"{opts.label} -> {status} {response.reason_phrase}".rstrip()
    message += f" [{kind}]: {ctx.redact(detail)}" if kind else f": {ctx.redact(detail)}"
    retry_after = server_wait_hint(response.headers, rate_limited=status == 429)
    if status == 401:
        message += " (check api_key / GIZMO_API_KEY)"
    elif status == 402:
        message += " (out of generation credits: check your plan and usage in the Gizmo web app)"
    elif status == 429:
        wait = f" (the server asks for {retry_after:.0f} s)" if retry_after is not None else ""
        message += f" (rate limited; retries exhausted — wait a little or lower the request rate{wait})"
    elif status >= 500 and not opts.idempotent:
        message += (
            " (not retried because the request may have been carried out; "
            "list your resources before sending it again)"
        )
    headers = {k: ctx.redact(v) for k, v in response.headers.items()}
    # redacted as a whole: the reason phrase, too, is the server's text
    return error_class_for(status)(
        ctx.redact(message),
        status_code=status,
        error=error,
        code=code,
        body=body,
        headers=headers,
        retry_after=retry_after,
    )


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
