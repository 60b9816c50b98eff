"""Wire shapes of the current contract (JSON), in one place so every route answers alike.

Times are integer Unix seconds; ids are opaque strings; positions are ``{x, y, z}`` metres and
rotations ``{x, y, z, w}`` unit quaternions, as on the alpha Scenes page.
"""

from __future__ import annotations

from typing import Any

from gizmo_notebook.local.current.store import AssetRow, CurrentStore, EventRow, JobRow, SceneRow
from gizmo_notebook.local.current.validation import FORMATS

__all__ = ["asset_json", "job_json", "pipeline_stages", "scene_json", "scene_status"]


def job_json(job: JobRow, *, include_result: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": job.id,
        "status": job.status,
        "mode": job.mode,
        "scene_id": job.scene_id,
        "prompt": job.prompt,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "error_code": job.error_code,
        "stage": job.stage,
        # the documented request options as the job took them (defaults filled in)
        "model": job.options.get("model"),
        "asset_pipeline": job.options.get("asset_pipeline", "auto"),
        "persist": job.options.get("persist", True),
    }
    if include_result:
        body["result"] = job.result
    return body


def asset_json(asset: AssetRow) -> dict[str, Any]:
    x, y, z = asset.position
    qx, qy, qz, qw = asset.rotation
    return {
        "id": asset.id,
        "status": "ready",
        "name": asset.name,
        "prompt": asset.prompt,
        "tags": list(asset.tags),
        "scene_id": asset.scene_id,
        "job_id": asset.job_id,
        "created_at": asset.created_at,
        "position": {"x": x, "y": y, "z": z},
        "rotation": {"x": qx, "y": qy, "z": qz, "w": qw},
        "formats": list(FORMATS),
        "interpretation": _interpretation(asset.prompt),
    }


def _interpretation(prompt: str) -> dict[str, Any]:
    """What the generator made of the prompt (as the alpha server serves it on ready assets)."""
    from gizmo_notebook.local.generator import interpret

    return interpret(prompt).as_dict()


def scene_status(store: CurrentStore, scene: SceneRow) -> tuple[str, JobRow | None]:
    """The scene's pipeline status: its latest scene job's (``succeeded`` reads ``ready``), else ``ready``."""
    job = store.latest_scene_job(scene.id)
    if job is None or job.status == "succeeded":
        return "ready", job
    return job.status, job


def scene_json(store: CurrentStore, scene: SceneRow) -> dict[str, Any]:
    status, job = scene_status(store, scene)
    assets = store.scene_assets(scene.id)
    return {
        "id": scene.id,
        "name": scene.name,
        "description": scene.description,
        "prompt": scene.prompt,
        "status": status,
        "job_id": job.id if job is not None else None,
        "created_at": scene.created_at,
        "updated_at": scene.updated_at,
        "asset_ids": [a.id for a in assets],
        "assets": [
            {"asset_id": a.id, "name": a.name, "position": asset_json(a)["position"], "rotation": asset_json(a)["rotation"]}
            for a in assets
        ],
        "formats": list(FORMATS),
    }


def pipeline_stages(job: JobRow, stages: tuple[str, ...], events: list[EventRow]) -> list[dict[str, Any]]:
    """Each stage of ``job`` as pending / running / completed / failed / cancelled, from its event log."""
    started = {e.data.get("stage") for e in events if e.type == "stage_start"}
    completed = {e.data.get("stage") for e in events if e.type == "stage_complete"}
    out = []
    for step, name in enumerate(stages, start=1):
        if name in completed:
            status = "completed"
        elif name in started:
            status = job.status if job.status in ("failed", "cancelled") else "running"
        else:
            status = "pending"
        out.append({"name": name, "step": step, "total": len(stages), "status": status})
    return out
