"""The current contract's routes: assets, scenes, jobs (+ SSE), account. Shapes in :mod:`.resources`."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from gizmo_notebook.local import validation as shared
from gizmo_notebook.local.auth import Principal
from gizmo_notebook.local.context import own_origin
from gizmo_notebook.local.current import validation
from gizmo_notebook.local.current.context import CurrentContext, context
from gizmo_notebook.local.current.errors import CurrentError, ValidationFailed, not_found
from gizmo_notebook.local.current.events import event_stream
from gizmo_notebook.local.current.exports import version_of
from gizmo_notebook.local.current.jobs import ASSET_STAGES, SCENE_STAGES, scene_model
from gizmo_notebook.local.current.planner import plan_scene
from gizmo_notebook.local.current.resources import (
    asset_json,
    job_json,
    pipeline_stages,
    scene_json,
    scene_status,
)
from gizmo_notebook.local.current.store import AssetRow, JobRow, SceneRow, new_job_id, new_scene_id, now

__all__ = ["ROUTE_SUMMARIES", "routes"]

DEFAULT_SCENE_NAME = "Default scene"


# -- helpers ---------------------------------------------------------------------------
def _caller(request: Request, *, write: bool = False) -> tuple[CurrentContext, Principal]:
    ctx = context(request)
    principal = ctx.authenticate(request)
    if write:
        principal.require_write()
    return ctx, principal


def _ok(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse({"ok": True, **body}, status_code=status)


def _owned_asset(ctx: CurrentContext, principal: Principal, request: Request) -> AssetRow:
    asset_id = request.path_params["asset_id"]
    asset = ctx.store.get_asset(asset_id, principal.key_id)
    if asset is None:
        raise not_found("asset", asset_id)
    return asset


def _owned_scene(ctx: CurrentContext, principal: Principal, scene_id: str) -> SceneRow:
    scene = ctx.store.get_scene(scene_id, principal.key_id)
    if scene is None:
        raise not_found("scene", scene_id)
    return scene


def _owned_job(ctx: CurrentContext, principal: Principal, request: Request) -> JobRow:
    job_id = request.path_params["job_id"]
    job = ctx.store.get_job(job_id, principal.key_id)
    if job is None:
        raise not_found("job", job_id)
    return job


def _charge(ctx: CurrentContext, principal: Principal, cost: int) -> None:
    if ctx.store.charge(principal.key_id, cost, ctx.credits):
        return
    remaining = max(0, (ctx.credits or 0) - ctx.store.credits_used(principal.key_id))
    raise CurrentError(
        402,
        "insufficient_credits",
        f"This generation needs {cost} credit{'s' * (cost != 1)} and {remaining} remain of this key's budget "
        f"({ctx.credits}). See GET /v1/usage; on the local server, restart with a larger --credits or without it.",
    )


def _generation_options(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": validation.optional_text(body, "model", 200),
        "asset_pipeline": validation.choice(body, "asset_pipeline", validation.ASSET_PIPELINES, "auto"),
        "persist": validation.flag(body, "persist", True),
    }


def _queue(ctx: CurrentContext, principal: Principal, mode: str, scene_id: str, prompt: str, options: dict[str, Any], cost: int) -> JobRow:
    options = {**options, "simulate_failure": ctx.runner.plan_failure()}
    job = JobRow(
        id=new_job_id(), owner=principal.key_id, mode=mode, scene_id=scene_id, prompt=prompt, options=options,
        status="queued", created_at=now(), started_at=None, finished_at=None, error=None, error_code=None,
        result=None, cost=cost, stage=None,
    )  # fmt: skip
    ctx.runner.submit(job)
    return job


def _new_scene(
    ctx: CurrentContext, owner: str, name: str, *, prompt: str | None = None, description: str | None = None,
    default: bool = False,
) -> SceneRow:
    t = now()
    scene = SceneRow(new_scene_id(), owner, name, description, prompt, default, t, t)
    ctx.store.insert_scene(scene)
    return scene


# -- assets ----------------------------------------------------------------------------
async def create_asset(request: Request) -> JSONResponse:
    ctx, principal = _caller(request, write=True)
    body = await validation.read_body(request)
    prompt = validation.prompt(body)
    options = _generation_options(body)
    options["name"] = validation.optional_text(body, "name", shared.MAX_NAME_CHARS)
    options["tags"] = validation.tags(body)
    scene_id = body.get("scene_id")
    if scene_id is not None:
        if not isinstance(scene_id, str) or not scene_id.strip():
            raise ValidationFailed(["body", "scene_id"], "Input should be a scene id string", "string_type")
        scene = _owned_scene(ctx, principal, scene_id.strip())
    else:
        scene = ctx.store.default_scene(principal.key_id) or _new_scene(
            ctx, principal.key_id, DEFAULT_SCENE_NAME, default=True
        )
    _charge(ctx, principal, 1)
    job = _queue(ctx, principal, "asset", scene.id, prompt, options, 1)
    return _ok({"scene_id": scene.id, "job_id": job.id, "status": job.status}, 202)


async def list_assets(request: Request) -> JSONResponse:
    ctx, principal = _caller(request)
    limit, offset = validation.pagination(request)
    scene_id = request.query_params.get("scene_id") or None
    assets, total = ctx.store.list_assets(principal.key_id, limit, offset, scene_id)
    return _ok({"assets": [asset_json(a) for a in assets], "total": total, "limit": limit, "offset": offset})


async def _assets(request: Request) -> JSONResponse:
    return await (create_asset if request.method == "POST" else list_assets)(request)


async def _model_record(ctx: CurrentContext, prompt: str) -> dict[str, Any]:
    model = await ctx.artifacts.build(prompt)
    return {
        "links": [link.name for link in model.links],
        "joints": [
            {"name": j.name, "type": j.type, "parent": j.parent, "child": j.child, "axis": list(j.axis)}
            for j in model.joints
        ],
    }


async def asset_item(request: Request) -> JSONResponse:
    ctx, principal = _caller(request, write=request.method == "DELETE")
    asset = _owned_asset(ctx, principal, request)
    if request.method == "DELETE":
        ctx.store.delete_asset(asset.id, principal.key_id)
        ctx.store.touch_scene(asset.scene_id)
        ctx.exports.forget(asset.id)
        return _ok({"id": asset.id, "deleted": True})
    body = asset_json(asset)
    if validation.query_flag(request, "include_record"):
        body["record"] = await _model_record(ctx, asset.prompt)
    return _ok({"asset": body})


def _zip_response(path: Any, filename: str) -> Response:
    return FileResponse(path, media_type="application/zip", filename=filename)


async def export_asset(request: Request) -> Response:
    ctx, principal = _caller(request)
    asset = _owned_asset(ctx, principal, request)
    fmt = validation.export_format(request, await validation.optional_body(request))
    path = await ctx.exports.get(asset.id, "v1", fmt, asset.name, asset.prompt, lambda: ctx.artifacts.model_for(asset.prompt))
    return _zip_response(path, f"{path.stem.rsplit('-', 1)[0]}_{fmt}.zip")


# -- scenes ----------------------------------------------------------------------------
async def create_scene(request: Request) -> JSONResponse:
    ctx, principal = _caller(request, write=True)
    body = await validation.read_body(request)
    prompt = validation.prompt(body)
    options = _generation_options(body)
    name = validation.optional_text(body, "name", shared.MAX_NAME_CHARS) or shared.default_name(prompt)
    cost = len(plan_scene(prompt))
    description = validation.optional_text(body, "description", 2000, allow_empty=True)
    _charge(ctx, principal, cost)
    if options["persist"]:
        scene = _new_scene(ctx, principal.key_id, name, prompt=prompt, description=description)
    else:  # persist: false keeps nothing, the scene included: its id only names the job's work
        scene = SceneRow(new_scene_id(), principal.key_id, name, description, prompt, False, now(), now())
    job = _queue(ctx, principal, "scene", scene.id, prompt, options, cost)
    return _ok({"scene_id": scene.id, "job_id": job.id, "status": job.status}, 202)


async def edit_scene(request: Request) -> JSONResponse:
    """A natural-language edit, as far as our planner understands one: it *adds* what the prompt names."""
    ctx, principal = _caller(request, write=True)
    scene = _owned_scene(ctx, principal, request.path_params["scene_id"])
    body = await validation.read_body(request)
    prompt = validation.prompt(body)
    options = {**_generation_options(body), "edit": True}
    status, _ = scene_status(ctx.store, scene)
    if status in ("queued", "running"):
        raise CurrentError(409, "scene_not_ready", f"Scene {scene.id} is still {status}; wait for its job, then edit.")
    cost = len(plan_scene(prompt))
    _charge(ctx, principal, cost)
    job = _queue(ctx, principal, "scene", scene.id, prompt, options, cost)
    return _ok({"scene_id": scene.id, "job_id": job.id, "status": job.status}, 202)


async def list_scenes(request: Request) -> JSONResponse:
    ctx, principal = _caller(request)
    limit, offset = validation.pagination(request)
    scenes, total = ctx.store.list_scenes(principal.key_id, limit, offset)
    return _ok({"scenes": [scene_json(ctx.store, s) for s in scenes], "total": total, "limit": limit, "offset": offset})


async def _scenes(request: Request) -> JSONResponse:
    return await (create_scene if request.method == "POST" else list_scenes)(request)


async def scene_item(request: Request) -> JSONResponse:
    ctx, principal = _caller(request, write=request.method in ("PATCH", "DELETE"))
    scene = _owned_scene(ctx, principal, request.path_params["scene_id"])
    if request.method == "DELETE":
        for job in ctx.store.jobs_of_scene(scene.id):
            ctx.runner.cancel(job)
        for asset_id in ctx.store.delete_scene(scene.id, principal.key_id):
            ctx.exports.forget(asset_id)
        ctx.exports.forget(scene.id)
        return _ok({"id": scene.id, "deleted": True})
    if request.method == "PATCH":
        body = await validation.read_body(request)
        changes: dict[str, str | None] = {}
        if "name" in body:
            name = validation.optional_text(body, "name", shared.MAX_NAME_CHARS)
            if name is None:
                raise ValidationFailed(["body", "name"], "must be a non-empty string", "string_type")
            changes["name"] = name
        if "description" in body:
            changes["description"] = validation.optional_text(body, "description", 2000, allow_empty=True)
        if not changes:
            raise ValidationFailed(["body"], "send 'name' and/or 'description' to change", "missing")
        ctx.store.update_scene(scene.id, principal.key_id, changes)
        scene = _owned_scene(ctx, principal, scene.id)
    body = scene_json(ctx.store, scene)
    if validation.query_flag(request, "include_record"):
        body["record"] = {
            "assets": [{**asset_json(a), "record": await _model_record(ctx, a.prompt)} for a in ctx.store.scene_assets(scene.id)]
        }
    return _ok({"scene": body})


async def scene_pipeline_status(request: Request) -> JSONResponse:
    ctx, principal = _caller(request)
    scene = _owned_scene(ctx, principal, request.path_params["scene_id"])
    status, job = scene_status(ctx.store, scene)
    job = job or ctx.store.latest_job(scene.id)
    stages: list[dict[str, Any]] = []
    if job is not None:
        events = ctx.store.events_after(job.id, 0, limit=10_000)
        stages = pipeline_stages(job, SCENE_STAGES if job.mode == "scene" else ASSET_STAGES, events)
    return _ok({
        "scene_id": scene.id,
        "job_id": job.id if job is not None else None,
        "pipeline_status": status,
        "pipeline_stages": stages,
        "error": job.error if job is not None else None,
    })  # fmt: skip


async def export_scene(request: Request) -> Response:
    ctx, principal = _caller(request)
    scene = _owned_scene(ctx, principal, request.path_params["scene_id"])
    fmt = validation.export_format(request, await validation.optional_body(request))
    status, _ = scene_status(ctx.store, scene)
    if status in ("queued", "running"):
        raise CurrentError(409, "scene_not_ready", f"Scene {scene.id} is still {status}; wait for its job, then export.")
    assets = ctx.store.scene_assets(scene.id)
    if not assets:
        raise CurrentError(409, "scene_empty", f"Scene {scene.id} has no assets to export; generate one into it first.")
    version = version_of([f"{a.id}:{a.position}:{a.rotation}" for a in assets])

    def build() -> Any:
        return scene_model(scene.name, [(ctx.artifacts.model_for(a.prompt), a) for a in assets])

    path = await ctx.exports.get(scene.id, version, fmt, scene.name, scene.prompt or scene.name, build)
    return _zip_response(path, f"{path.stem.rsplit('-', 1)[0]}_{fmt}.zip")


# -- jobs ------------------------------------------------------------------------------
async def get_job(request: Request) -> JSONResponse:
    ctx, principal = _caller(request)
    job = _owned_job(ctx, principal, request)
    return _ok({"job": job_json(job, include_result=validation.query_flag(request, "include_result"))})


async def cancel_job(request: Request) -> JSONResponse:
    ctx, principal = _caller(request, write=True)
    job = _owned_job(ctx, principal, request)
    await validation.optional_body(request)
    ctx.runner.cancel(job)
    await asyncio.sleep(0)  # let the cancelled task unwind before answering
    job = ctx.store.get_job(job.id) or job
    return _ok({"job": job_json(job, include_result=True)})


async def job_events(request: Request) -> Response:
    ctx, principal = _caller(request)
    job = _owned_job(ctx, principal, request)
    return event_stream(request, ctx.bus, ctx.store, job.id, ctx.ping_interval)


# -- account ---------------------------------------------------------------------------
def _credits(ctx: CurrentContext, owner: str) -> dict[str, int | None]:
    used = ctx.store.credits_used(owner)
    remaining = None if ctx.credits is None else max(0, ctx.credits - used)
    return {"limit": ctx.credits, "used": used, "remaining": remaining}


async def whoami(request: Request) -> JSONResponse:
    ctx, principal = _caller(request)
    return _ok({
        "key_id": principal.key_id,
        "scope": principal.scope,
        "scopes": ["read", "write"] if principal.scope == "full" else ["read"],
        "api_version": "current",
        "server": "gizmo-notebook local",
        "rate_limit": request.scope.get("state", {}).get("rate_limit"),
        "credits": _credits(ctx, principal.key_id),
    })  # fmt: skip


async def usage(request: Request) -> JSONResponse:
    ctx, principal = _caller(request)
    counts = ctx.store.job_counts(principal.key_id)
    _, assets = ctx.store.list_assets(principal.key_id, 1, 0)
    _, scenes = ctx.store.list_scenes(principal.key_id, 1, 0)
    credits = _credits(ctx, principal.key_id)
    return _ok({
        "usage": {
            "credits_limit": credits["limit"],
            "credits_used": credits["used"],
            "credits_remaining": credits["remaining"],
            "jobs": {"asset": counts.get("asset", 0), "scene": counts.get("scene", 0)},
            "assets": assets,
            "scenes": scenes,
        }
    })  # fmt: skip


async def openapi(request: Request) -> JSONResponse:
    paths: dict[str, dict[str, Any]] = {}
    for path, methods, summary in ROUTE_SUMMARIES:
        for method in methods:
            paths.setdefault(path, {})[method.lower()] = {"summary": summary}
    return JSONResponse({
        "openapi": "3.1.0",
        "info": {"title": "Gizmo API (gizmo-notebook local server)", "version": "current"},
        "servers": [{"url": own_origin(request) + "/v1"}],  # the socket's address, never the Host header
        "paths": paths,
    })  # fmt: skip


ROUTE_SUMMARIES: list[tuple[str, list[str], str]] = [
    ("/v1/assets", ["POST", "GET"], "Generate an asset from a prompt (a job) / list assets, newest first"),
    ("/v1/assets/{asset_id}", ["GET", "DELETE"], "Asset detail (include_record=true for the model) / delete"),
    ("/v1/assets/{asset_id}/export", ["POST"], "Export one asset as a ZIP (format: mjcf | usd | sdf)"),
    ("/v1/scenes", ["POST", "GET"], "Generate a scene from a prompt (202 + job) / list scenes"),
    ("/v1/scenes/{scene_id}", ["GET", "PATCH", "DELETE"], "Scene detail / change name, description / delete"),
    ("/v1/scenes/{scene_id}/edit", ["POST"], "Edit a scene by prompt (adds what it names; a job)"),
    ("/v1/scenes/{scene_id}/status", ["GET"], "Scene pipeline status and stages"),
    ("/v1/scenes/{scene_id}/export", ["POST"], "Export a scene as a ZIP (format: mjcf | usd | sdf)"),
    ("/v1/jobs/{job_id}", ["GET"], "Job status; include_result=true adds the result"),
    ("/v1/jobs/{job_id}/events", ["GET"], "Server-Sent Events progress stream, resumable with after"),
    ("/v1/jobs/{job_id}/cancel", ["POST"], "Cancel a job"),
    ("/v1/whoami", ["GET"], "The calling key"),
    ("/v1/usage", ["GET"], "Credits and generation counts of the calling key"),
    ("/v1/openapi.json", ["GET"], "This document"),
]

routes = [
    Route("/v1/assets", _assets, methods=["GET", "POST"]),
    Route("/v1/assets/{asset_id}", asset_item, methods=["GET", "DELETE"]),
    Route("/v1/assets/{asset_id}/export", export_asset, methods=["POST"]),
    Route("/v1/scenes", _scenes, methods=["GET", "POST"]),
    Route("/v1/scenes/{scene_id}", scene_item, methods=["GET", "PATCH", "DELETE"]),
    Route("/v1/scenes/{scene_id}/edit", edit_scene, methods=["POST"]),
    Route("/v1/scenes/{scene_id}/status", scene_pipeline_status, methods=["GET"]),
    Route("/v1/scenes/{scene_id}/export", export_scene, methods=["POST"]),
    Route("/v1/jobs/{job_id}", get_job, methods=["GET"]),
    Route("/v1/jobs/{job_id}/events", job_events, methods=["GET"]),
    Route("/v1/jobs/{job_id}/cancel", cancel_job, methods=["POST"]),
    Route("/v1/whoami", whoami, methods=["GET"]),
    Route("/v1/usage", usage, methods=["GET"]),
    Route("/v1/openapi.json", openapi, methods=["GET"]),
]
