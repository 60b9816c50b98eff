"""The Studio's scene mode: one prompt -> a whole scene, shown as one row and one composed preview.

On the current API ``POST /scenes`` starts a job that plans, generates and lays out several
assets. The Studio follows it exactly like an asset job (:class:`~gizmo_notebook.studio._jobs.JobFollower`:
live stage on the row, Cancel, resumed by a later Studio, which also lists the ready scenes
(:meth:`SceneRows.listed`)); only the end differs: the placeholder
row becomes a *scene* row (``kind: "scene"``) and its preview is the scene composed into one
model (:meth:`~gizmo_notebook.studio.preview.GeometryCache.encoded_scene`). Export downloads the
scene (``scenes.download``) in the chosen format.

On the alpha API there is no prompt-to-scene. Generating each planned part as an asset would
need a planner and a layout of our own that the service does not have, so the switch is
disabled and says why (:attr:`Studio.scene_mode`) instead of pretending.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gizmo_notebook.client as _client
from gizmo_notebook.model import Pose
from gizmo_notebook.studio.preview import Loaded

if TYPE_CHECKING:
    from gizmo_notebook.studio.widget import Studio

__all__ = ["ALPHA_REASON", "SceneRows", "is_scene"]

ALPHA_REASON = (
    "Scenes from one prompt need the current Gizmo API; this service speaks the alpha API. "
    "Generate the parts as assets and compose them in code with client.scenes.create(...)."
)


def is_scene(item: Any) -> bool:
    return isinstance(item, _client.Scene)


def placement_pose(placement: Any) -> Pose:
    """A placement's position and (w, x, y, z) orientation as a :class:`Pose` (identity when unknown)."""
    xyz = tuple(placement.position) if len(placement.position) == 3 else (0.0, 0.0, 0.0)
    wxyz = tuple(placement.orientation)
    if len(wxyz) != 4 or not any(wxyz):
        return Pose(xyz)  # type: ignore[arg-type]
    return Pose.from_quaternion(xyz, wxyz)


def _prompt(scene: Any) -> str:
    """The prompt a scene was generated from ("" when its record does not say)."""
    prompt = (scene.raw or {}).get("prompt")
    return prompt if isinstance(prompt, str) else ""


class SceneRows:
    """Scene jobs and scene rows of one Studio (all methods run on the Studio's loop)."""

    def __init__(self, studio: Studio) -> None:
        self._studio = studio
        #: Job ids of running (or finished) scene jobs: their rows and their ends are scene-shaped.
        self.jobs: set[str] = set()

    async def support(self) -> dict[str, Any]:
        """``{"available", "reason"}`` for the mode switch: available on the current API only."""
        version = await self._studio._adapter.api_version()
        if version == "current":
            return {"available": True, "reason": ""}
        return {"available": False, "reason": ALPHA_REASON}

    async def generate(self, prompt: str) -> Any:
        """Start a scene job and list its placeholder row (keyed by the job id) at the top."""
        studio = self._studio
        job = await studio._adapter.submit_scene(prompt)
        placeholder = _client.Asset.pending_job({"job_id": job.id, "scene_id": job.scene_id}, prompt=prompt, name=None, tags=())
        placeholder = dataclasses.replace(placeholder, created_at=_dt.datetime.now(_dt.timezone.utc))
        self.jobs.add(job.id)
        studio._started[job.id] = asyncio.get_running_loop().time()
        studio._upsert([placeholder], front=True)
        studio._jobs.start(job.id)
        return placeholder

    async def listed(self, size: int) -> list[Any]:
        """The ready scenes made from a prompt on the first page of the service's scene list
        (``size`` of them at most). A Studio started later (a restarted kernel, a new notebook)
        shows the scenes an earlier one made, as it shows assets. Not listed: a scene still
        being built (it comes back through its job, ``JobFollower.resume``, so it is not listed
        twice) and a scene with no prompt, such as the default scene that plain asset
        generations go into on the current API (a container whose assets are listed as assets;
        the docs say no more, so a service that never returns a scene's prompt lists none)."""
        page = await self._studio._adapter.list_scenes(size)
        return [scene for scene in page.scenes
                if scene.status is _client.AssetStatus.READY and _prompt(scene)]

    async def finish(self, job_id: str) -> Any:
        return await self._studio._adapter.finish_scene_job(job_id)

    def item(self, scene: Any) -> dict[str, Any]:
        """The row of a ready scene: what an asset row has, plus ``kind`` and the number of parts."""
        prompt = _prompt(scene)
        created = scene.created_at.isoformat() if scene.created_at is not None else ""
        return {
            "id": scene.id,
            "kind": "scene",
            "name": scene.name or "",
            "prompt": prompt,
            "tags": [],
            "parent": "",
            "status": str(scene.status),
            "created_at": created,
            "formats": list(scene.formats_available),
            "failure_reason": "",
            "interpretation": None,
            "job": "",
            "stage": "",
            "parts": len(scene.placements),
        }

    async def _parts(self, scene: Any) -> tuple[Any, list[tuple[str, Pose]]]:
        if not scene.placements:
            scene = await self._studio._adapter.get_scene(scene.id)  # a listing may omit placements
        parts = [(p.asset_id, placement_pose(p)) for p in scene.placements]
        if not parts:
            raise _client.APIResponseValidationError(f"scene {scene.id} lists no placed assets to preview", body=dict(scene.raw))
        return scene, parts

    async def geometry(self, scene: Any, triangle_budget: int) -> tuple[dict[str, Any], list[bytes]]:
        """The whole scene as one composed model's encoding (thumbnails, compare view)."""
        scene, parts = await self._parts(scene)
        meta, buffers = await self._studio._geometry.encoded_scene(scene.id, scene.name or scene.id, parts, triangle_budget)
        return {**meta, "scene_parts": len(parts)}, buffers

    async def model(self, scene: Any) -> Loaded:
        """The whole scene as one composed model, for the preview's Viewer (and its physics)."""
        scene, parts = await self._parts(scene)
        return Loaded(await self._studio._geometry.scene_model(scene.name or scene.id, parts), None, "scene")

    async def export(self, scene_id: str, fmt: str, dest: Path) -> Path:
        return await self._studio._adapter.download_scene(scene_id, fmt, dest)
