"""``/v1/assets`` routes: create, fetch, list and export, exactly as ``assets.md`` documents."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gizmo_notebook.formats import EXPORT_FORMATS
from gizmo_notebook.local import validation
from gizmo_notebook.local.context import ServerContext, context
from gizmo_notebook.local.errors import HTTPProblem
from gizmo_notebook.local.store import AssetRecord, new_id, utc_now

__all__ = ["asset_json", "not_ready_error", "routes"]


def asset_json(record: AssetRecord) -> dict[str, Any]:
    """The wire form: the documented fields plus ``tags``, ``failure_reason`` once failed and
    ``interpretation`` once ready (additive fields: clients that don't know them ignore them)."""
    body: dict[str, Any] = {
        "id": record.id,
        "status": record.status,
        "name": record.name,
        "prompt": record.prompt,
        "tags": list(record.tags),
        "created_at": record.created_at,
        "formats_available": list(EXPORT_FORMATS) if record.status == "ready" else [],
    }
    if record.status == "failed":
        body["failure_reason"] = record.failure_reason or "Generation failed."
    elif record.status == "ready":
        body["interpretation"] = _interpretation(record.prompt)
    return body


def _interpretation(prompt: str) -> dict[str, Any]:
    """What the generator made of ``prompt``: a pure function of it, like the model, so it is
    derived on demand (cached inside the generator) rather than stored with the record."""
    from gizmo_notebook.local.generator import interpret  # a ready asset's generator is loaded

    return interpret(prompt).as_dict()


def not_ready_error(record: AssetRecord) -> HTTPProblem:
    if record.status == "failed":
        return HTTPProblem(
            400,
            "ASSET_FAILED",
            f"Asset {record.id} failed to generate and cannot be exported: {record.failure_reason}",
        )
    return HTTPProblem(
        400,
        "ASSET_NOT_READY",
        f"Asset {record.id} is still {record.status}; poll GET /v1/assets/{record.id} until its status "
        "is 'ready', then export.",
    )


def _not_found(asset_id: str) -> HTTPProblem:
    return HTTPProblem(404, "ASSET_NOT_FOUND", f"No asset with id {asset_id[:64]!r} exists for this API key.")


async def create_asset(request: Request) -> JSONResponse:
    ctx = context(request)
    principal = ctx.authenticate(request)
    principal.require_write()
    body = await validation.read_json_object(request)
    prompt = validation.required_prompt(body)
    name = validation.optional_name(body) or validation.default_name(prompt)
    tags = validation.tags(body)
    now = utc_now()
    record = AssetRecord(
        id=new_id("ast"),
        owner=principal.key_id,
        status="pending",
        name=name,
        prompt=prompt,
        tags=tags,
        created_at=now,
        updated_at=now,
        simulate_failure=ctx.lifecycle.plan_failure(),
    )
    # Rendered before the insert: a body that cannot be rendered must fail before anything is
    # stored, or the client sees an error for an asset that exists (and may create a twin).
    response = JSONResponse(asset_json(record), status_code=201)
    ctx.lifecycle.insert_and_start(record)
    return response


def _owned_asset(request: Request) -> tuple[ServerContext, AssetRecord]:
    """The authenticated caller's asset named in the path, or a 404 (another key's assets too)."""
    ctx = context(request)
    principal = ctx.authenticate(request)
    asset_id = request.path_params["asset_id"]
    record = ctx.store.get_asset(asset_id, principal.key_id)
    if record is None:
        raise _not_found(asset_id)
    return ctx, record


async def get_asset(request: Request) -> JSONResponse:
    _, record = _owned_asset(request)
    return JSONResponse(asset_json(record))


async def list_assets(request: Request) -> JSONResponse:
    ctx = context(request)
    principal = ctx.authenticate(request)
    limit, offset = validation.pagination(request)
    records, total = ctx.store.list_assets(principal.key_id, limit, offset)
    return JSONResponse(
        {"assets": [asset_json(r) for r in records], "total": total, "limit": limit, "offset": offset}
    )


async def export_asset(request: Request) -> JSONResponse:
    ctx, record = _owned_asset(request)
    fmt = validation.required_format(await validation.read_json_object(request))
    if record.status != "ready":
        raise not_ready_error(record)
    path = await ctx.artifacts.export_asset(record, fmt)
    return JSONResponse(ctx.export_response(request, record.id, fmt, path))


async def _assets_collection(request: Request) -> JSONResponse:
    # one Route per path, so a wrong method gets a 405 whose Allow header lists both methods
    return await (create_asset if request.method == "POST" else list_assets)(request)


routes = [
    Route("/v1/assets", _assets_collection, methods=["GET", "POST"]),
    Route("/v1/assets/{asset_id}", get_asset, methods=["GET"]),
    Route("/v1/assets/{asset_id}/export", export_asset, methods=["POST"]),
]
