"""``client.scenes``: scenes on both APIs.

Alpha (the ``api/scenes`` page): ``create(name, description=None)`` makes an empty scene and
``add_asset(scene_id, asset_id, position=(x, y, z), rotation=(x, y, z, w))`` places a ready asset
(``POST /scenes/{id}/assets`` with ``{x, y, z}`` / ``{x, y, z, w}`` objects).

Extension of this package (served by the offline backend): ``create(..., placements=[{"asset_id",
"position": [x, y, z], "orientation": [w, x, y, z]}])`` (or ``"rpy": [roll, pitch, yaw]`` instead of
``orientation``) composes the whole scene in one request.

Current: ``generate(prompt)`` has the service build a whole scene from a prompt (a job, followed
like an asset's) and returns the ready scene; ``submit(prompt)`` only starts that job and returns
it, for callers that follow it themselves (the Studio shows its live stage). ``download`` works on both (a ZIP body on current).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from typing import Any

from gizmo_notebook.client import _validate as check
from gizmo_notebook.client._api_version import CURRENT, version_flow
from gizmo_notebook.client._download import cache_folder
from gizmo_notebook.client._errors import APIResponseValidationError
from gizmo_notebook.client._follow import follow_job_flow
from gizmo_notebook.client._job import Job, find_scene_id
from gizmo_notebook.client._records import Scene, ScenePage
from gizmo_notebook.client._runtime._flow import Flow, RequestOptions
from gizmo_notebook.client.resources._base import AsyncResource, ResourceFlows, SyncResource
from gizmo_notebook.errors import InvalidValueError

__all__ = ["AsyncScenes", "SceneFlows", "Scenes"]

#: Scenes take 2-5 minutes and "can exceed 10" (current docs).
SCENE_TIMEOUT = 1800.0


class SceneFlows(ResourceFlows[Scene, ScenePage]):
    kind = "scenes"
    id_name = "scene_id"

    def _item(self, data: Any) -> Scene:
        return Scene.from_dict(data)

    def _page(self, data: Any, limit: int, offset: int) -> ScenePage:
        return ScenePage.from_dict(data, limit=limit, offset=offset)

    def _alpha_only(self, what: str, version: str) -> Exception:
        return self.unsupported(
            what,
            version,
            "the current API builds scenes from a prompt: use scenes.generate(prompt), "
            "or assets.generate(prompt, scene_id=...) to add to one",
        )

    def create(
        self, name: str | None, description: str | None, placements: Iterable[Mapping[str, Any]] | None
    ) -> Flow[Scene]:
        body: dict[str, Any] = {}
        if placements is not None:
            body["placements"] = check.check_placements(placements)
        if (checked_name := check.check_name(name, required=placements is None)) is not None:
            body["name"] = checked_name
        if (checked_description := check.check_description(description)) is not None:
            body["description"] = checked_description
        return self._create(body)

    def _create(self, body: dict[str, Any]) -> Flow[Scene]:
        version = yield from version_flow(self._ctx)
        if version == CURRENT:
            raise self._alpha_only("create(name, ...)", version)
        # Creates a scene: same no-twin rule as POST /assets.
        return (yield from self._request(RequestOptions("POST", "/scenes", json=body, idempotent=False), self._item))

    def add_asset(
        self, scene_id: str, asset_id: str, position: Iterable[float], rotation: Iterable[float]
    ) -> Flow[Scene]:
        path = self._path(scene_id, "/assets")
        check.check_resource_id(asset_id, "asset_id")
        x, y, z = check._vector(position, 3, "position (x, y, z)")
        qx, qy, qz, qw = check._vector(rotation, 4, "rotation (x, y, z, w)")
        if not any((qx, qy, qz, qw)):
            raise InvalidValueError("rotation must be a non-zero quaternion (x, y, z, w), e.g. (0, 0, 0, 1)")
        body = {
            "asset_id": asset_id,
            "position": {"x": x, "y": y, "z": z},
            "rotation": {"x": qx, "y": qy, "z": qz, "w": qw},
        }
        return self._add_asset(scene_id, path, body)

    def _add_asset(self, scene_id: str, path: str, body: dict[str, Any]) -> Flow[Scene]:
        version = yield from version_flow(self._ctx)
        if version == CURRENT:
            raise self._alpha_only("add_asset()", version)
        # Placing twice would place twice (the page allows duplicates): never re-sent blindly.
        data = yield from self._request(RequestOptions("POST", path, json=body, idempotent=False), lambda d: d)
        # Unlike an asset, a scene changes: the files this client downloaded for it no longer show it
        # whole. (Another process placing assets is not seen here; download(dest=...) re-reads ours.)
        shutil.rmtree(cache_folder(self._ctx, self.kind, scene_id, "any").parent, ignore_errors=True)
        if isinstance(data, Mapping) and ("placements" in data or "assets" in data) and "id" in data:
            return self._item(data)
        return (yield from self.get(scene_id))  # the page does not show the answer's shape

    def generate(self, prompt: str, timeout: float, progress: bool) -> Flow[Scene]:
        prompt = check.check_prompt(prompt)
        timeout, _ = check.check_wait_args(timeout, None)
        return self._generate(prompt, timeout, bool(progress))

    def submit(self, prompt: str) -> Flow[Job]:
        return self._submit(check.check_prompt(prompt), "submit(prompt)")

    def _submit(self, prompt: str, what: str) -> Flow[Job]:
        """``POST /scenes`` (current only): the queued job, ``scene_id`` set when the answer names it."""
        version = yield from version_flow(self._ctx)
        if version != CURRENT:
            raise self.unsupported(
                what,
                version,
                "on the alpha API make the parts with assets.generate(prompt) and compose them with "
                "scenes.create(name) + scenes.add_asset(scene_id, asset_id, position, rotation)",
            )
        opts = RequestOptions("POST", "/scenes", json={"prompt": prompt}, idempotent=False)
        created = yield from self._request(opts, lambda d: d)
        job_id = created.get("job_id") if isinstance(created, Mapping) else None
        if job_id is None and isinstance(created, Mapping) and isinstance(created.get("job"), Mapping):
            job_id = created["job"].get("id")
        if not isinstance(job_id, str) or not job_id:
            raise APIResponseValidationError("POST /scenes answered without a 'job_id'", body=created)
        status = created.get("status") or (created.get("job") or {}).get("status") or "queued"
        return Job.from_dict({"id": job_id, "status": status, "mode": "scene", "scene_id": find_scene_id(created)})

    def _generate(self, prompt: str, timeout: float, progress: bool) -> Flow[Scene]:
        submitted = yield from self._submit(prompt, "generate(prompt)")
        job_id = submitted.id
        followed = yield from follow_job_flow(self._ctx, job_id, timeout=timeout, progress=progress, what="scene job")
        scene_id = submitted.scene_id or followed.job.scene_id
        if scene_id is None:
            raise APIResponseValidationError(
                f"scene job {job_id} succeeded but names no scene id", body=dict(followed.job.raw)
            )
        return (yield from self.get(scene_id))


def _placements_arg(description: object, placements: object) -> tuple[Any, Any]:
    """Older code called ``create(name, [placements...])``: a list in the description slot is placements."""
    if placements is None and description is not None and not isinstance(description, str):
        return None, description
    return description, placements


class Scenes(SyncResource[Scene, ScenePage]):
    """``GizmoClient.scenes``."""

    _flows: SceneFlows

    def create(
        self,
        name: str | None = None,
        description: str | None = None,
        placements: Iterable[Mapping[str, Any]] | None = None,
    ) -> Scene:
        """Alpha: an empty scene named ``name``; place assets with :meth:`add_asset`.

        Extension (offline backend): ``placements=[{"asset_id": ..., "position": [x, y, z],
        "orientation": [w, x, y, z]}]`` composes it in one request.
        """
        description, placements = _placements_arg(description, placements)
        return self._run(self._flows.create(name, description, placements))

    def add_asset(
        self,
        scene_id: str,
        asset_id: str,
        position: Iterable[float] = (0.0, 0.0, 0.0),
        rotation: Iterable[float] = (0.0, 0.0, 0.0, 1.0),
    ) -> Scene:
        """Alpha: place ready asset ``asset_id`` at ``position`` (metres) with ``rotation`` (x, y, z, w)."""
        return self._run(self._flows.add_asset(scene_id, asset_id, position, rotation))

    def generate(self, prompt: str, *, timeout: float = SCENE_TIMEOUT, progress: bool = True) -> Scene:
        """Current: have the service build a whole scene from ``prompt``; the ready :class:`Scene`."""
        return self._run(self._flows.generate(prompt, timeout, progress))

    def submit(self, prompt: str) -> Job:
        """Current: start building a scene from ``prompt`` and return its queued :class:`Job` at once
        (follow it with ``jobs.events`` / ``jobs.wait``; ``job.scene_id`` names the scene)."""
        return self._run(self._flows.submit(prompt))


class AsyncScenes(AsyncResource[Scene, ScenePage]):
    """``AsyncGizmoClient.scenes``."""

    _flows: SceneFlows

    async def create(
        self,
        name: str | None = None,
        description: str | None = None,
        placements: Iterable[Mapping[str, Any]] | None = None,
    ) -> Scene:
        """See :meth:`Scenes.create`."""
        description, placements = _placements_arg(description, placements)
        return await self._run(self._flows.create(name, description, placements))

    async def add_asset(
        self,
        scene_id: str,
        asset_id: str,
        position: Iterable[float] = (0.0, 0.0, 0.0),
        rotation: Iterable[float] = (0.0, 0.0, 0.0, 1.0),
    ) -> Scene:
        """See :meth:`Scenes.add_asset`."""
        return await self._run(self._flows.add_asset(scene_id, asset_id, position, rotation))

    async def generate(self, prompt: str, *, timeout: float = SCENE_TIMEOUT, progress: bool = True) -> Scene:
        """See :meth:`Scenes.generate`."""
        return await self._run(self._flows.generate(prompt, timeout, progress))

    async def submit(self, prompt: str) -> Job:
        """See :meth:`Scenes.submit`."""
        return await self._run(self._flows.submit(prompt))
