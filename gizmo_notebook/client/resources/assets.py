"""``client.assets``: generate from a prompt, poll, list, export and download assets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gizmo_notebook.client import _validate as check
from gizmo_notebook.client._models import Asset, AssetPage
from gizmo_notebook.client._transport._base_client import Flow, RequestOptions
from gizmo_notebook.client._wait import wait_flow
from gizmo_notebook.client.resources._base import AsyncResource, ResourceFlows, SyncResource

__all__ = ["AssetFlows", "Assets", "AsyncAssets"]


class AssetFlows(ResourceFlows[Asset, AssetPage]):
    kind = "assets"
    id_name = "asset_id"

    def _item(self, data: Any) -> Asset:
        return Asset.from_dict(data)

    def _page(self, data: Any, limit: int, offset: int) -> AssetPage:
        return AssetPage.from_dict(data, limit=limit, offset=offset)

    def create(self, prompt: str, name: str | None, tags: Iterable[str] | None) -> Flow[Asset]:
        body: dict[str, Any] = {"prompt": check.check_prompt(prompt)}
        if (checked_name := check.check_name(name)) is not None:
            body["name"] = checked_name
        if (checked_tags := check.check_tags(tags)) is not None:
            body["tags"] = checked_tags
        # idempotent=False: after a 5xx or a read timeout the asset may exist; never create a twin.
        return self._request(RequestOptions("POST", "/assets", json=body, idempotent=False), self._item)

    def wait(self, asset_id: str, timeout: float, poll_interval: float | None, progress: bool) -> Flow[Asset]:
        self._path(asset_id)
        timeout, poll_interval = check.check_wait_args(timeout, poll_interval)
        return wait_flow(
            self._ctx,
            lambda: self.get(asset_id),
            asset_id,
            timeout=timeout,
            poll_interval=poll_interval,
            progress=bool(progress),
        )


class Assets(SyncResource[Asset, AssetPage]):
    """``GizmoClient.assets``."""

    _flows: AssetFlows

    def create(self, prompt: str, *, name: str | None = None, tags: Iterable[str] | None = None) -> Asset:
        """Start generating an asset from ``prompt``; returns at once, usually with status ``pending``."""
        return self._run(self._flows.create(prompt, name, tags))

    def wait(
        self, asset_id: str, timeout: float = 600.0, poll_interval: float | None = None, *, progress: bool = True
    ) -> Asset:
        """Poll until ``ready`` (>= 5 s between polls against the service); a tqdm bar unless ``progress=False``."""
        return self._run(self._flows.wait(asset_id, timeout, poll_interval, progress))


class AsyncAssets(AsyncResource[Asset, AssetPage]):
    """``AsyncGizmoClient.assets``."""

    _flows: AssetFlows

    async def create(self, prompt: str, *, name: str | None = None, tags: Iterable[str] | None = None) -> Asset:
        """Start generating an asset from ``prompt``; returns at once, usually with status ``pending``."""
        return await self._run(self._flows.create(prompt, name, tags))

    async def wait(
        self, asset_id: str, timeout: float = 600.0, poll_interval: float | None = None, *, progress: bool = True
    ) -> Asset:
        """Poll until ``ready`` (>= 5 s between polls against the service); a tqdm bar unless ``progress=False``."""
        return await self._run(self._flows.wait(asset_id, timeout, poll_interval, progress))
