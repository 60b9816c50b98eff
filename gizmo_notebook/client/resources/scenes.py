"""``client.scenes``: compose ready assets into one environment and export it whole.

The API docs only name the capability; the shape follows the local backend's design
(:mod:`gizmo_notebook.local.scenes`): ``placements=[{"asset_id", "position": [x, y, z],
"orientation": [w, x, y, z]}]`` (or ``"rpy": [roll, pitch, yaw]`` instead of ``orientation``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gizmo_notebook.client import _validate as check
from gizmo_notebook.client._models import Scene, ScenePage
from gizmo_notebook.client._transport._base_client import Flow, RequestOptions
from gizmo_notebook.client.resources._base import AsyncResource, ResourceFlows, SyncResource

__all__ = ["AsyncScenes", "SceneFlows", "Scenes"]


class SceneFlows(ResourceFlows[Scene, ScenePage]):
    kind = "scenes"
    id_name = "scene_id"

    def _item(self, data: Any) -> Scene:
        return Scene.from_dict(data)

    def _page(self, data: Any, limit: int, offset: int) -> ScenePage:
        return ScenePage.from_dict(data, limit=limit, offset=offset)

    def create(self, name: str | None, placements: Iterable[Mapping[str, Any]]) -> Flow[Scene]:
        body: dict[str, Any] = {"placements": check.check_placements(placements)}
        if (checked_name := check.check_name(name)) is not None:
            body["name"] = checked_name
        # Creates a scene: same no-twin rule as POST /assets.
        return self._request(RequestOptions("POST", "/scenes", json=body, idempotent=False), self._item)


class Scenes(SyncResource[Scene, ScenePage]):
    """``GizmoClient.scenes``."""

    _flows: SceneFlows

    def create(self, name: str | None = None, placements: Iterable[Mapping[str, Any]] = ()) -> Scene:
        """Compose ready assets: ``placements=[{"asset_id": ..., "position": [x, y, z], "orientation": [w, x, y, z]}]``."""
        return self._run(self._flows.create(name, placements))


class AsyncScenes(AsyncResource[Scene, ScenePage]):
    """``AsyncGizmoClient.scenes``."""

    _flows: SceneFlows

    async def create(self, name: str | None = None, placements: Iterable[Mapping[str, Any]] = ()) -> Scene:
        """Compose ready assets: ``placements=[{"asset_id": ..., "position": [x, y, z], "orientation": [w, x, y, z]}]``."""
        return await self._run(self._flows.create(name, placements))
