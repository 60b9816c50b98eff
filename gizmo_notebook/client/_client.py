"""``GizmoClient`` and ``AsyncGizmoClient``: configuration, the two httpx clients, and the resources."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import httpx

from gizmo_notebook.client._api_version import (
    ALPHA,
    CURRENT,
    ApiVersion,
    ApiVersionState,
    check_api_version,
    version_flow,
)
from gizmo_notebook.client._config import _Secret, default_cache_dir, resolve_settings, wrap_key
from gizmo_notebook.client._download import DEFAULT_DOWNLOAD_TIMEOUT, DEFAULT_MAX_DOWNLOAD_BYTES
from gizmo_notebook.client._errors import UnsupportedByAPIVersionError
from gizmo_notebook.client._rate_limit import RateLimit, RateLimitTracker
from gizmo_notebook.client._records import unwrap
from gizmo_notebook.client._retry import RetryPolicy
from gizmo_notebook.client._runtime._async import AsyncRunner
from gizmo_notebook.client._runtime._flow import (
    ClientContext,
    Flow,
    RequestOptions,
    api_client_kwargs,
    download_client_kwargs,
    request_flow,
)
from gizmo_notebook.client._runtime._sync import SyncRunner
from gizmo_notebook.client.resources.assets import AssetFlows, Assets, AsyncAssets
from gizmo_notebook.client.resources.jobs import AsyncJobs, JobFlows, Jobs
from gizmo_notebook.client.resources.scenes import AsyncScenes, SceneFlows, Scenes
from gizmo_notebook.errors import InvalidValueError

__all__ = ["AsyncGizmoClient", "GizmoClient"]


def _check_options(timeout: object, max_retries: object, max_download_bytes: object) -> None:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise InvalidValueError(f"max_retries must be an integer >= 0 (0 turns retries off), got {max_retries!r}")
    if not isinstance(timeout, httpx.Timeout) and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= sys.float_info.max
    ):
        raise InvalidValueError(f"timeout must be a positive number of seconds (or an httpx.Timeout), got {timeout!r}")
    if isinstance(max_download_bytes, bool) or not isinstance(max_download_bytes, int) or max_download_bytes <= 0:
        raise InvalidValueError(f"max_download_bytes must be a positive integer, got {max_download_bytes!r}")


def _check_download_timeout(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= sys.float_info.max:
        raise InvalidValueError(f"download_timeout must be a positive number of seconds, got {value!r}"[:200])
    return float(value)


class _BaseClient:
    """Everything both clients share; subclasses only pick the sync or async building blocks.

    The API key is held only inside a masked wrapper: never a plain attribute, never a local.
    """

    _http_class: ClassVar[type[Any]]
    _runner_class: ClassVar[type[Any]]
    _assets_class: ClassVar[type[Any]]
    _scenes_class: ClassVar[type[Any]]
    _jobs_class: ClassVar[type[Any]]

    def __init__(
        self,
        secret: _Secret | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        cache_dir: str | os.PathLike[str] | None,
        max_download_bytes: int,
        transport: Any,
        sleep: Callable[[float], Any] | None,
        clock: Callable[[], float] | None,
        api_version: str | None = None,
        download_timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    ) -> None:
        _check_options(timeout, max_retries, max_download_bytes)
        download_timeout = _check_download_timeout(download_timeout)
        requested = check_api_version(api_version)
        settings = resolve_settings(secret, base_url, requested)
        self._settings = settings
        # The embedded backend speaks alpha unless current was asked for (and then started so).
        rate = RateLimitTracker()
        self._ctx = ClientContext(
            base_url=settings.base_url,
            is_local=settings.is_local,
            retry=RetryPolicy(max_retries=max_retries),
            cache_dir=Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir(),
            max_download_bytes=max_download_bytes,
            secret=settings.secret,
            api=ApiVersionState(requested, default=ALPHA if settings.embedded else None),
            rate=rate,
            download_timeout=download_timeout,
        )
        self._runner = self._runner_class(
            self._http_class(**api_client_kwargs(settings, timeout, transport)),
            self._http_class(**download_client_kwargs(timeout, transport)),  # no credentials at all
            sleep=sleep,
            clock=clock,
            redact=self._ctx.redact,
            observe=lambda response: rate.observe(response.headers),
        )
        self.assets = self._assets_class(self._runner.run, AssetFlows(self._ctx))
        self.scenes = self._scenes_class(self._runner.run, SceneFlows(self._ctx))
        self.jobs = self._jobs_class(self._runner.run, self._runner.iterate, JobFlows(self._ctx))

    @property
    def rate_limit(self) -> RateLimit | None:
        """``limit``, ``remaining`` and ``reset`` (aware datetime) from the ``X-RateLimit-*`` headers of
        the latest response that carried them; ``None`` until one has."""
        return self._ctx.rate.last

    def _whoami_flow(self) -> Flow[dict[str, Any]]:
        version = yield from version_flow(self._ctx)
        if version != CURRENT:
            raise UnsupportedByAPIVersionError(
                "whoami()", version, "check a key with assets.list(limit=1) (it raises AuthenticationError)"
            )
        body = yield from request_flow(self._ctx, RequestOptions("GET", "/whoami"))
        inner = unwrap(body, "key")
        inner = unwrap(inner, "user") if isinstance(inner, dict) and "id" not in inner else inner
        return dict(inner) if isinstance(inner, dict) else {"value": inner}

    def _version_flow(self) -> Flow[str]:
        return version_flow(self._ctx)

    @property
    def base_url(self) -> str:
        """The API base URL in use (ends in ``/v1`` for the service and the local backend)."""
        return self._settings.base_url

    @property
    def requested_api_version(self) -> str:
        """What was asked for: ``auto``, ``alpha`` or ``current``."""
        return self._ctx.api.requested

    @property
    def is_local(self) -> bool:
        """True when talking to a server on this machine (the offline local backend)."""
        return self._settings.is_local

    @property
    def max_retries(self) -> int:
        return self._ctx.retry.max_retries

    @property
    def cache_dir(self) -> Path:
        return self._ctx.cache_dir

    def __repr__(self) -> str:
        settings = getattr(self, "_settings", None)  # may run on a half-built client (traceback dumps)
        if settings is None:
            return f"<{type(self).__name__} (not configured)>"
        return (
            f"{type(self).__name__}(base_url={settings.base_url!r}, is_local={settings.is_local}, "
            f"api_version={self._ctx.api.version or self._ctx.api.requested!r})"
        )


class GizmoClient(_BaseClient):
    """Blocking client for the Gizmo API.

    >>> with GizmoClient() as client:  # doctest: +SKIP
    ...     asset = client.assets.wait(client.assets.create("a 6-DOF arm with a gripper").id)
    ...     path = client.assets.download(asset.id, "mujoco_mjcf", dest="robots")

    With no key configured (no ``api_key``, no ``GIZMO_API_KEY``) it starts the offline local
    backend and says so once. ``transport`` is passed to both httpx clients (tests, proxies).
    ``download_timeout`` bounds one export transfer in all (seconds; a transfer under 1 KiB/s over
    any 10 s is stopped sooner), ``max_download_bytes`` its size.
    """

    _http_class = httpx.Client
    _runner_class = SyncRunner
    _assets_class = Assets
    _scenes_class = Scenes
    _jobs_class = Jobs
    assets: Assets
    scenes: Scenes
    jobs: Jobs
    _runner: SyncRunner

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        max_retries: int = 4,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        download_timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        api_version: ApiVersion | None = None,
        _sleep: Callable[[float], Any] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        # Wrap the key before anything can raise, so no frame's locals hold it in plain text.
        try:
            secret = wrap_key(api_key)
        finally:  # even when wrap_key refuses the key, no frame keeps it
            del api_key
        super().__init__(
            secret, base_url, timeout, max_retries, cache_dir, max_download_bytes, transport, _sleep, _clock,
            api_version,
            download_timeout,
        )

    @property
    def api_version(self) -> str:
        """``"alpha"`` or ``"current"``: the contract in use (with ``auto``, decided on first access)."""
        return self.detect_api_version()

    def detect_api_version(self) -> str:
        """Decide (once, cheaply, without side effects) and return ``"alpha"`` or ``"current"``."""
        return self._runner.run(self._version_flow())

    def whoami(self) -> dict[str, Any]:
        """What the service knows about this key (current API: ``GET /whoami``; shape undocumented)."""
        return self._runner.run(self._whoami_flow())

    def close(self) -> None:
        """Close the connection pools (also done by ``with GizmoClient() as client:``)."""
        self._runner.close()

    def __enter__(self) -> GizmoClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncGizmoClient(_BaseClient):
    """The same surface as :class:`GizmoClient` with ``async`` methods (``iter`` is an async iterator)."""

    _http_class = httpx.AsyncClient
    _runner_class = AsyncRunner
    _assets_class = AsyncAssets
    _scenes_class = AsyncScenes
    _jobs_class = AsyncJobs
    assets: AsyncAssets
    scenes: AsyncScenes
    jobs: AsyncJobs
    _runner: AsyncRunner

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        max_retries: int = 4,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        download_timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        api_version: ApiVersion | None = None,
        _sleep: Callable[[float], Awaitable[Any]] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        try:
            secret = wrap_key(api_key)  # see GizmoClient: wrapped first, plain value dropped
        finally:
            del api_key
        super().__init__(
            secret, base_url, timeout, max_retries, cache_dir, max_download_bytes, transport, _sleep, _clock,
            api_version,
            download_timeout,
        )

    @property
    def api_version(self) -> str:
        """``"alpha"`` or ``"current"`` once decided; ``"auto"`` while an ``auto`` client has not needed
        to know yet (``await client.detect_api_version()`` decides now)."""
        return self._ctx.api.version or self._ctx.api.requested

    async def detect_api_version(self) -> str:
        """Decide (once, cheaply, without side effects) and return ``"alpha"`` or ``"current"``."""
        return await self._runner.run(self._version_flow())

    async def whoami(self) -> dict[str, Any]:
        """See :meth:`GizmoClient.whoami`."""
        return await self._runner.run(self._whoami_flow())

    async def close(self) -> None:
        """Close the connection pools (also done by ``async with AsyncGizmoClient() as client:``)."""
        await self._runner.aclose()

    async def __aenter__(self) -> AsyncGizmoClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
