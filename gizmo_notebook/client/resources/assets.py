"""``client.assets``: generate from a prompt, wait, list, export and download assets — on both APIs.

On the alpha API ``POST /assets`` answers the asset (``pending``) and ``wait`` polls it. On the
current API it answers a *job* (``{ok, scene_id, job_id, status}``) and no asset id: ``create``
then returns a pending placeholder whose ``id`` is the job id, and ``wait`` (given that id) follows
the job — its event stream when the server has one, polling otherwise — and returns the asset the
finished job names. ``wait`` also takes a real asset id on the current API.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from gizmo_notebook.client import _validate as check
from gizmo_notebook.client._api_version import CURRENT, version_flow
from gizmo_notebook.client._errors import (
    APIResponseValidationError,
    BadRequestError,
    NotFoundError,
    UnprocessableEntityError,
)
from gizmo_notebook.client._follow import follow_job_flow
from gizmo_notebook.client._job import Job, find_asset_id
from gizmo_notebook.client._records import Asset, AssetPage, AssetStatus
from gizmo_notebook.client._runtime._flow import Flow, Now, RequestOptions
from gizmo_notebook.client._sse import get_job_flow
from gizmo_notebook.client._wait import wait_flow
from gizmo_notebook.client.resources._base import AsyncResource, ResourceFlows, SyncResource

__all__ = ["AssetFlows", "Assets", "AsyncAssets"]

_log = logging.getLogger("gizmo_notebook.client")


class AssetFlows(ResourceFlows[Asset, AssetPage]):
    kind = "assets"
    id_name = "asset_id"

    def _item(self, data: Any) -> Asset:
        # A current-API asset record may carry no status: it exists once its job is done.
        ready = AssetStatus.READY if self._ctx.api.version == CURRENT else None
        return Asset.from_dict(data, default_status=ready)

    def _page(self, data: Any, limit: int, offset: int) -> AssetPage:
        return AssetPage.from_dict(data, limit=limit, offset=offset)

    def _real_id(self, resource_id: str) -> str:
        return self._ctx.job_assets.get(resource_id, resource_id)

    def get(self, resource_id: str) -> Flow[Asset]:
        self._path(resource_id)
        return self._get(resource_id)

    def _get(self, resource_id: str) -> Flow[Asset]:
        return (yield from super().get(self._real_id(resource_id)))

    # ------------------------------------------------------------------ create

    def create(
        self, prompt: str, name: str | None, tags: Iterable[str] | None, scene_id: str | None = None
    ) -> Flow[Asset]:
        prompt = check.check_prompt(prompt)
        checked_name = check.check_name(name)
        checked_tags = check.check_tags(tags)
        if scene_id is not None:
            check.check_resource_id(scene_id, "scene_id")
        return self._create(prompt, checked_name, checked_tags, scene_id)

    def _create(
        self, prompt: str, name: str | None, tags: list[str] | None, scene_id: str | None
    ) -> Flow[Asset]:
        version = yield from version_flow(self._ctx)
        body: dict[str, Any] = {"prompt": prompt}
        if scene_id is not None:
            if version != CURRENT:
                raise self.unsupported(
                    "create(scene_id=...)",
                    version,
                    "create the asset, then place it with scenes.add_asset(scene_id, asset_id)",
                )
            body["scene_id"] = scene_id
        extras = {key: value for key, value in (("name", name), ("tags", tags)) if value is not None}
        # idempotent=False: after a 5xx or a read timeout the asset may exist; never create a twin.
        opts = RequestOptions("POST", "/assets", json={**body, **extras}, idempotent=False)
        try:
            data = yield from request_flow_json(self, opts)
        except (UnprocessableEntityError, BadRequestError) as exc:
            # The current docs do not list name/tags; a strict server refuses them (and so made
            # nothing): send the prompt alone rather than fail the user's call.
            if version != CURRENT or not extras or not any(key in str(exc) for key in extras):
                raise
            _log.info("the server refused %s on POST /assets; sent without them", " and ".join(extras))
            data = yield from request_flow_json(self, RequestOptions("POST", "/assets", json=body, idempotent=False))
        if isinstance(data, Mapping) and "id" not in data and ("job_id" in data or isinstance(data.get("job"), Mapping)):
            return Asset.pending_job(data, prompt=prompt, name=name, tags=tags or ())
        return self._item(data)

    # ------------------------------------------------------------------ wait

    def wait(self, asset_id: str, timeout: float, poll_interval: float | None, progress: bool) -> Flow[Asset]:
        self._path(asset_id)
        timeout, poll_interval = check.check_wait_args(timeout, poll_interval)
        return self._wait(asset_id, timeout, poll_interval, bool(progress))

    def _wait(self, asset_id: str, timeout: float, poll_interval: float | None, progress: bool) -> Flow[Asset]:
        version = yield from version_flow(self._ctx)
        if version != CURRENT:
            return (yield from self._poll_asset(asset_id, timeout, poll_interval, progress))
        known = self._ctx.job_assets.get(asset_id)
        if known is not None:
            return (yield from self._poll_asset(known, timeout, poll_interval, progress))
        try:
            job = yield from get_job_flow(self._ctx, asset_id)
        except (NotFoundError, BadRequestError):
            job = None  # not a job: an asset id
        except APIResponseValidationError:
            job = None
        if job is None:
            return (yield from self._poll_asset(asset_id, timeout, poll_interval, progress))
        return (yield from self._finish_job(job, timeout, progress))

    def _poll_asset(
        self, asset_id: str, timeout: float, poll_interval: float | None, progress: bool
    ) -> Flow[Asset]:
        return (
            yield from wait_flow(
                self._ctx,
                lambda: super(AssetFlows, self).get(asset_id),
                asset_id,
                timeout=timeout,
                poll_interval=poll_interval,
                progress=progress,
            )
        )

    def _finish_job(self, job: Job, timeout: float, progress: bool) -> Flow[Asset]:
        """Follow ``job`` to its end and return the ready asset it made."""
        started = yield Now()
        followed = yield from follow_job_flow(self._ctx, job.id, timeout=timeout, progress=progress)
        final = followed.job
        asset_id = find_asset_id(final.raw) or followed.event_asset_id
        if asset_id is None:
            raise APIResponseValidationError(
                f"job {final.id} succeeded but neither its record nor its events name the asset it made "
                f"(result keys: {sorted(final.result or {})})",
                body=dict(final.raw),
            )
        self._ctx.job_assets[final.id] = asset_id
        remaining = max(timeout - ((yield Now()) - started), 1.0)
        return (yield from self._poll_asset(asset_id, remaining, None, False))

    # ------------------------------------------------------------------ generate

    def generate(
        self,
        prompt: str,
        name: str | None,
        tags: Iterable[str] | None,
        scene_id: str | None,
        timeout: float,
        progress: bool,
    ) -> Flow[Asset]:
        create = self.create(prompt, name, tags, scene_id)
        timeout, _ = check.check_wait_args(timeout, None)
        return self._generate(create, timeout, bool(progress))

    def _generate(self, create: Flow[Asset], timeout: float, progress: bool) -> Flow[Asset]:
        created = yield from create
        if created.job_id is not None and created.id == created.job_id:
            job = Job.from_dict({"id": created.job_id, "status": "queued"})
            return (yield from self._finish_job(job, timeout, progress))
        # An asset (alpha), or an answer whose id may be a job's: ``wait`` tells them apart.
        return (yield from self._wait(created.id, timeout, None, progress))


def request_flow_json(flows: ResourceFlows[Any, Any], opts: RequestOptions) -> Flow[Any]:
    """The decoded body of one request (no record): for answers whose shape depends on the API."""
    return flows._request(opts, lambda data: data)


class Assets(SyncResource[Asset, AssetPage]):
    """``GizmoClient.assets``."""

    _flows: AssetFlows

    def create(
        self,
        prompt: str,
        *,
        name: str | None = None,
        tags: Iterable[str] | None = None,
        scene_id: str | None = None,
    ) -> Asset:
        """Start generating an asset from ``prompt``; returns at once, with status ``pending``.

        On the current API the asset id is not known yet: the returned placeholder's ``id`` is the
        job's id (also ``.job_id``), which :meth:`wait` accepts. ``scene_id`` (current API) picks
        the scene to generate into.
        """
        return self._run(self._flows.create(prompt, name, tags, scene_id))

    def wait(
        self, asset_id: str, timeout: float = 600.0, poll_interval: float | None = None, *, progress: bool = True
    ) -> Asset:
        """Wait until ``ready``: polls the asset (alpha; >= 5 s between polls against the service) or
        follows its job (current: live stage and k/n in the progress bar). ``progress=False`` hides the bar."""
        return self._run(self._flows.wait(asset_id, timeout, poll_interval, progress))

    def generate(
        self,
        prompt: str,
        name: str | None = None,
        tags: Iterable[str] | None = None,
        *,
        scene_id: str | None = None,
        timeout: float = 600.0,
        progress: bool = True,
    ) -> Asset:
        """``create`` + ``wait``: the ready :class:`Asset` for ``prompt``."""
        return self._run(self._flows.generate(prompt, name, tags, scene_id, timeout, progress))


class AsyncAssets(AsyncResource[Asset, AssetPage]):
    """``AsyncGizmoClient.assets``."""

    _flows: AssetFlows

    async def create(
        self,
        prompt: str,
        *,
        name: str | None = None,
        tags: Iterable[str] | None = None,
        scene_id: str | None = None,
    ) -> Asset:
        """Start generating an asset from ``prompt`` (see :meth:`Assets.create`)."""
        return await self._run(self._flows.create(prompt, name, tags, scene_id))

    async def wait(
        self, asset_id: str, timeout: float = 600.0, poll_interval: float | None = None, *, progress: bool = True
    ) -> Asset:
        """Wait until ``ready`` (see :meth:`Assets.wait`)."""
        return await self._run(self._flows.wait(asset_id, timeout, poll_interval, progress))

    async def generate(
        self,
        prompt: str,
        name: str | None = None,
        tags: Iterable[str] | None = None,
        *,
        scene_id: str | None = None,
        timeout: float = 600.0,
        progress: bool = True,
    ) -> Asset:
        """``create`` + ``wait``: the ready :class:`Asset` for ``prompt``."""
        return await self._run(self._flows.generate(prompt, name, tags, scene_id, timeout, progress))
