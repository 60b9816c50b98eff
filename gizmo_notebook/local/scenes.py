"""``/v1/scenes``: several ready assets placed on a ground plane, exported as one file per format.

The API docs only name scenes, so this is our design, kept parallel to assets:

``POST /v1/scenes`` ``{"name": str?, "placements": [{"asset_id": str, "position": [x, y, z]?,
"orientation": [w, x, y, z]?} | {..., "rpy": [roll, pitch, yaw]?}]}`` -> 201 scene.
Positions are metres in the world frame (z up, the ground plane at z = 0); the orientation is a
unit quaternion in (w, x, y, z) order (MJCF/USD order; normalised for you), or alternatively
fixed-axis roll/pitch/yaw in radians (URDF convention) — never both. Every placed asset must
belong to the caller (404 otherwise) and be ``ready`` (400 ``ASSET_NOT_READY``). A scene is
``ready`` as soon as it is created, since its assets are.

``GET /v1/scenes`` (same pagination as assets, key ``scenes``), ``GET /v1/scenes/{id}`` and
``POST /v1/scenes/{id}/export`` ``{"format": ...}`` -> ``{download_url, expires_at}``.

The alpha Scenes page (``../shared/api/scenes-alpha.md``), served exactly: ``POST /v1/scenes``
``{"name", "description"?}`` with no ``placements`` creates an empty scene (``description`` null
when omitted, ``assets`` empty), and ``POST /v1/scenes/{id}/assets`` ``{"asset_id", "position":
{x, y, z}?, "rotation": {x, y, z, w}?}`` places one ready asset (201, the scene; the same asset
may be placed again). A scene answers both shapes: ``assets`` as the page shows them, and
``placements`` (ours). Exporting an empty scene is a 400 that says to place an asset first.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gizmo_notebook.formats import EXPORT_FORMATS
from gizmo_notebook.local import validation
from gizmo_notebook.local.assets import not_ready_error
from gizmo_notebook.local.auth import Principal
from gizmo_notebook.local.context import ServerContext, context
from gizmo_notebook.local.errors import HTTPProblem
from gizmo_notebook.local.store import PlacementRecord, SceneRecord, new_id, utc_now

__all__ = ["MAX_PLACEMENTS", "routes", "scene_json"]

MAX_PLACEMENTS = 50


def scene_json(scene: SceneRecord) -> dict[str, Any]:
    return {
        "id": scene.id,
        "status": "ready",
        "name": scene.name,
        "description": scene.description,
        "placements": [
            {"asset_id": p.asset_id, "position": list(p.position), "orientation": list(p.orientation)}
            for p in scene.placements
        ],
        "assets": [_alpha_placement(p) for p in scene.placements],
        "created_at": scene.created_at,
        "formats_available": list(EXPORT_FORMATS),
    }


def _alpha_placement(p: PlacementRecord) -> dict[str, Any]:
    """A placed asset as the alpha Scenes page writes it: ``{x, y, z}`` and ``{x, y, z, w}``."""
    (x, y, z), (w, qx, qy, qz) = p.position, p.orientation
    return {"asset_id": p.asset_id, "position": {"x": x, "y": y, "z": z}, "rotation": {"x": qx, "y": qy, "z": qz, "w": w}}


def _bad(message: str) -> HTTPProblem:
    return HTTPProblem(400, "INVALID_PLACEMENT", message)


def _orientation(item: dict[str, Any], where: str) -> tuple[float, float, float, float]:
    quat, rpy = item.get("orientation"), item.get("rpy")
    if quat is not None and rpy is not None:
        raise _bad(f"{where}: give either 'orientation' ([w, x, y, z]) or 'rpy' ([roll, pitch, yaw]), not both.")
    if rpy is not None:
        from gizmo_notebook.model import Pose

        return Pose((0.0, 0.0, 0.0), validation.finite_vector(rpy, 3, f"{where}.rpy")).quaternion()  # type: ignore[arg-type]
    if quat is None:
        return (1.0, 0.0, 0.0, 0.0)
    w, x, y, z = validation.finite_vector(quat, 4, f"{where}.orientation")
    norm = math.sqrt(w * w + x * x + y * y + z * z)
    if norm < 1e-9:
        raise _bad(f"{where}.orientation must be a non-zero quaternion [w, x, y, z].")
    return (w / norm, x / norm, y / norm, z / norm)


def _placements(ctx: ServerContext, owner: str, body: dict[str, Any]) -> list[PlacementRecord]:
    raw = body.get("placements")
    if raw is None:
        raise HTTPProblem(400, "MISSING_REQUIRED_FIELD", "The 'placements' field is required when creating a scene.")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_PLACEMENTS:
        raise _bad(f"'placements' must be an array of 1 to {MAX_PLACEMENTS} placement objects.")
    out = []
    for i, item in enumerate(raw):
        where = f"placements[{i}]"
        if not isinstance(item, dict):
            raise _bad(f"{where} must be an object with 'asset_id', 'position' and 'orientation'.")
        asset_id = item.get("asset_id")
        if not isinstance(asset_id, str) or not asset_id.strip():
            raise HTTPProblem(400, "MISSING_REQUIRED_FIELD", f"{where}.asset_id is required and must be a string.")
        position = item.get("position")
        xyz = (0.0, 0.0, 0.0) if position is None else validation.finite_vector(position, 3, f"{where}.position")
        quat = _orientation(item, where)
        asset = ctx.store.get_asset(asset_id, owner)
        if asset is None:
            raise HTTPProblem(
                404, "ASSET_NOT_FOUND", f"{where}: no asset with id {asset_id[:64]!r} exists for this API key."
            )
        if asset.status != "ready":
            raise not_ready_error(asset)
        out.append(PlacementRecord(asset_id, xyz, quat))  # type: ignore[arg-type]
    return out


def _not_found(scene_id: str) -> HTTPProblem:
    return HTTPProblem(404, "SCENE_NOT_FOUND", f"No scene with id {scene_id[:64]!r} exists for this API key.")


async def create_scene(request: Request) -> JSONResponse:
    ctx = context(request)
    principal = ctx.authenticate(request)
    principal.require_write()
    body = await validation.read_json_object(request)
    description = validation.optional_description(body)
    if body.get("placements") is None:  # the alpha page: a named, empty scene
        name = validation.optional_name(body, required=True, what="when creating a scene without 'placements'")
        assert name is not None
        placements = []
    else:
        placements = _placements(ctx, principal.key_id, body)
        name = validation.optional_name(body) or f"Scene with {len(placements)} asset{'s' * (len(placements) > 1)}"
    scene = SceneRecord(new_id("scn"), principal.key_id, name, placements, utc_now(), description)
    response = JSONResponse(scene_json(scene), status_code=201)  # rendered first: see create_asset
    ctx.store.insert_scene(scene)
    return response


async def list_scenes(request: Request) -> JSONResponse:
    ctx = context(request)
    principal = ctx.authenticate(request)
    limit, offset = validation.pagination(request)
    scenes, total = ctx.store.list_scenes(principal.key_id, limit, offset)
    return JSONResponse({"scenes": [scene_json(s) for s in scenes], "total": total, "limit": limit, "offset": offset})


async def _scenes_collection(request: Request) -> JSONResponse:
    return await (create_scene if request.method == "POST" else list_scenes)(request)


def _owned_scene(ctx: ServerContext, principal: Principal, request: Request) -> SceneRecord:
    """The caller's scene named in the path, or a 404 (another key's scenes too).

    It takes the route's ``principal`` rather than authenticating itself: a route authenticates
    once (authenticating again takes a second rate-limit token for the same request).
    """
    scene_id = request.path_params["scene_id"]
    scene = ctx.store.get_scene(scene_id, principal.key_id)
    if scene is None:
        raise _not_found(scene_id)
    return scene


async def get_scene(request: Request) -> JSONResponse:
    ctx = context(request)
    scene = _owned_scene(ctx, ctx.authenticate(request), request)
    return JSONResponse(scene_json(scene))


def _xyz_object(value: Any, keys: str, where: str) -> list[float] | None:
    """``{x, y, z}`` (or ``{x, y, z, w}``) as the alpha page writes it, as a list; an array works too."""
    if value is None or isinstance(value, list):
        return value
    if not isinstance(value, dict) or set(value) - set(keys):
        raise _bad(f"'{where}' must be an object {{{', '.join(keys)}}} of numbers.")
    return [value.get(k, 1.0 if k == "w" else 0.0) for k in keys]


async def add_asset(request: Request) -> JSONResponse:
    ctx = context(request)
    principal = ctx.authenticate(request)
    principal.require_write()  # before the lookup: a read-only key learns nothing about the scene
    scene = _owned_scene(ctx, principal, request)
    body = await validation.read_json_object(request)
    position = _xyz_object(body.get("position"), "xyz", "position")
    rotation = _xyz_object(body.get("rotation"), "xyzw", "rotation")
    item: dict[str, Any] = {"asset_id": body.get("asset_id"), "position": position}
    if rotation is not None:
        qx, qy, qz, qw = validation.finite_vector(rotation, 4, "rotation")
        item["orientation"] = [qw, qx, qy, qz]
    [placement] = _placements(ctx, principal.key_id, {"placements": [item]})
    placed = ctx.store.add_placement(scene.id, principal.key_id, placement, MAX_PLACEMENTS)
    if placed is None:
        raise _bad(f"Scene {scene.id!r} already holds {MAX_PLACEMENTS} placed assets, the most one scene may hold.")
    return JSONResponse(scene_json(placed), status_code=201)


async def export_scene(request: Request) -> JSONResponse:
    ctx = context(request)
    scene = _owned_scene(ctx, ctx.authenticate(request), request)
    fmt = validation.required_format(await validation.read_json_object(request))
    if not scene.placements:
        raise HTTPProblem(400, "SCENE_EMPTY", f"Scene {scene.id!r} holds no assets yet: place one with "
                          f"POST /v1/scenes/{scene.id}/assets before exporting it.")
    path = await ctx.artifacts.export_scene(scene, fmt)
    return JSONResponse(ctx.export_response(request, scene.id, fmt, path))


routes = [
    Route("/v1/scenes", _scenes_collection, methods=["GET", "POST"]),
    Route("/v1/scenes/{scene_id}", get_scene, methods=["GET"]),
    Route("/v1/scenes/{scene_id}/assets", add_asset, methods=["POST"]),
    Route("/v1/scenes/{scene_id}/export", export_scene, methods=["POST"]),
]
