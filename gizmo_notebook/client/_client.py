"""``GizmoClient`` and ``AsyncGizmoClient``: configuration, the two httpx clients, and the resources."""

from __future__ import annotations

import math
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from gizmo_notebook.client._config import _Secret, default_cache_dir, resolve_settings, wrap_key
from gizmo_notebook.client._download import DEFAULT_MAX_DOWNLOAD_BYTES
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


class _BaseClient:
    """Settings shared by both clients. The API key is held only inside a masked wrapper."""

    def __init__(
        self,
        secret: _Secret | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        cache_dir: str | os.PathLike[str] | None,
        max_download_bytes: int,
    ) -> None:
        settings = resolve_settings(secret, base_url)
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0 (0 turns retries off), got {max_retries!r}")
        if not isinstance(timeout, httpx.Timeout) and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ValueError(f"timeout must be a positive number of seconds (or an httpx.Timeout), got {timeout!r}")
        if isinstance(max_download_bytes, bool) or not isinstance(max_download_bytes, int) or max_download_bytes <= 0:
            raise ValueError(f"max_download_bytes must be a positive integer, got {max_download_bytes!r}")
        self._settings = settings
        self._timeout = timeout
        self._ctx = ClientContext(
            base_url=settings.base_url,
            is_local=settings.is_local,
            retry=RetryPolicy(max_retries=max_retries),
            cache_dir=Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir(),
            max_download_bytes=max_download_bytes,
            secret=settings.secret,
        )

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
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        max_retries: int = 4,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        transport: httpx.BaseTransport | None = None,
        _sleep: Callable[[float], Any] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        # Wrap the key before anything can raise, so no frame's locals hold it in plain text.
        secret = wrap_key(api_key)
        del api_key
        super().__init__(secret, base_url, timeout, max_retries, cache_dir, max_download_bytes)
        self._runner = SyncRunner(
            httpx.Client(**api_client_kwargs(self._settings, timeout, transport)),
            httpx.Client(**download_client_kwargs(timeout, transport)),
            sleep=_sleep,
            clock=_clock,
            redact=self._ctx.redact,
        )
        self.assets = Assets(self._runner.run, AssetFlows(self._ctx))
        self.scenes = Scenes(self._runner.run, SceneFlows(self._ctx))

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

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        max_retries: int = 4,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
        _sleep: Callable[[float], Awaitable[Any]] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        # Wrap the key before anything can raise, so no frame's locals hold it in plain text.
        secret = wrap_key(api_key)
        del api_key
        super().__init__(secret, base_url, timeout, max_retries, cache_dir, max_download_bytes)
        self._runner = AsyncRunner(
            httpx.AsyncClient(**api_client_kwargs(self._settings, timeout, transport)),
            httpx.AsyncClient(**download_client_kwargs(timeout, transport)),
            sleep=_sleep,
            clock=_clock,
            redact=self._ctx.redact,
        )
        self.assets = AsyncAssets(self._runner.run, AssetFlows(self._ctx))
        self.scenes = AsyncScenes(self._runner.run, SceneFlows(self._ctx))

    async def close(self) -> None:
        """Close the connection pools (also done by ``async with AsyncGizmoClient() as client:``)."""
        await self._runner.aclose()

    async def __aenter__(self) -> AsyncGizmoClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
