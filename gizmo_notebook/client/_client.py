"""``GizmoClient`` and ``AsyncGizmoClient``: configuration, the two httpx clients, and the resources."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import httpx

from gizmo_notebook.client._config import _Secret, default_cache_dir, resolve_settings, wrap_key
from gizmo_notebook.client._download import DEFAULT_DOWNLOAD_TIMEOUT, DEFAULT_MAX_DOWNLOAD_BYTES
from gizmo_notebook.client._retry import RetryPolicy
from gizmo_notebook.client._transport._async import AsyncRunner
from gizmo_notebook.client._transport._base_client import (
    ClientContext,
    api_client_kwargs,
    download_client_kwargs,
)
from gizmo_notebook.client._transport._sync import SyncRunner
from gizmo_notebook.client.resources.assets import AssetFlows, Assets, AsyncAssets
from gizmo_notebook.client.resources.scenes import AsyncScenes, SceneFlows, Scenes

__all__ = ["AsyncGizmoClient", "GizmoClient"]


def _check_options(timeout: object, max_retries: object, max_download_bytes: object) -> None:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be an integer >= 0 (0 turns retries off), got {max_retries!r}")
    if not isinstance(timeout, httpx.Timeout) and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= sys.float_info.max
    ):
        raise ValueError(f"timeout must be a positive number of seconds (or an httpx.Timeout), got {timeout!r}")
    if isinstance(max_download_bytes, bool) or not isinstance(max_download_bytes, int) or max_download_bytes <= 0:
        raise ValueError(f"max_download_bytes must be a positive integer, got {max_download_bytes!r}")


def _check_download_timeout(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= sys.float_info.max:
        raise ValueError(f"download_timeout must be a positive number of seconds, got {value!r}"[:200])
    return float(value)


class _BaseClient:
    """Everything both clients share; subclasses only pick the sync or async building blocks.

    The API key is held only inside a masked wrapper: never a plain attribute, never a local.
    """

    _http_class: ClassVar[type[Any]]
    _runner_class: ClassVar[type[Any]]
    _assets_class: ClassVar[type[Any]]
    _scenes_class: ClassVar[type[Any]]

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
        download_timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    ) -> None:
        _check_options(timeout, max_retries, max_download_bytes)
        download_timeout = _check_download_timeout(download_timeout)
        settings = resolve_settings(secret, base_url)
        self._settings = settings
        self._ctx = ClientContext(
            base_url=settings.base_url,
            is_local=settings.is_local,
            retry=RetryPolicy(max_retries=max_retries),
            cache_dir=Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir(),
            max_download_bytes=max_download_bytes,
            secret=settings.secret,
            download_timeout=download_timeout,
        )
        self._runner = self._runner_class(
            self._http_class(**api_client_kwargs(settings, timeout, transport)),
            self._http_class(**download_client_kwargs(timeout, transport)),  # no credentials at all
            sleep=sleep,
            clock=clock,
            redact=self._ctx.redact,
        )
        self.assets = self._assets_class(self._runner.run, AssetFlows(self._ctx))
        self.scenes = self._scenes_class(self._runner.run, SceneFlows(self._ctx))

    @property
    def base_url(self) -> str:
        """The API base URL in use (ends in ``/v1`` for the service and the local backend)."""
        return self._settings.base_url

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
        return f"{type(self).__name__}(base_url={settings.base_url!r}, is_local={settings.is_local})"


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
    assets: Assets
    scenes: Scenes
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
        _sleep: Callable[[float], Any] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        # Wrap the key before anything can raise, so no frame's locals hold it in plain text.
        secret = wrap_key(api_key)
        del api_key
        super().__init__(
            secret, base_url, timeout, max_retries, cache_dir, max_download_bytes, transport, _sleep, _clock,
            download_timeout,
        )

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
    assets: AsyncAssets
    scenes: AsyncScenes
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
        _sleep: Callable[[float], Awaitable[Any]] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        secret = wrap_key(api_key)  # see GizmoClient: wrapped first, plain value dropped
        del api_key
        super().__init__(
            secret, base_url, timeout, max_retries, cache_dir, max_download_bytes, transport, _sleep, _clock,
            download_timeout,
        )

    async def close(self) -> None:
        """Close the connection pools (also done by ``async with AsyncGizmoClient() as client:``)."""
        await self._runner.aclose()

    async def __aenter__(self) -> AsyncGizmoClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
