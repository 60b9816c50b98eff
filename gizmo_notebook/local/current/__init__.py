"""The offline server speaking the *current* Gizmo API (``shared/api/current.md``): jobs, events, ZIPs.

Started with ``gizmo-notebook serve --api current``, ``LocalServer(dir, api="current")``,
``create_app(dir, api="current")`` or ``ensure_local_server(api="current")``. Same generator,
exporters and API keys as the alpha server, which stays the default and is unchanged.

State lives in the data dir beside the alpha server's (``current.sqlite3`` + ``exports/``);
several servers may share it (jobs are leased to one server at a time, event streams read the
persisted log), and a restarted server runs unfinished jobs again.

Contract as served (choices where the docs are silent are marked *ours*):

Every response
    ``X-RateLimit-Limit``, ``X-RateLimit-Remaining``, ``X-RateLimit-Reset`` (**epoch seconds**
    of the end of the current one-minute window). Limit: ``--rate-limit`` or 6000/min (*ours*).
    Over it: 429 ``rate_limit_exceeded`` + ``Retry-After`` (seconds).

Errors
    ``{"error": {"code", "message", "status"}}``. Codes: ``authentication_required`` 401,
    ``permission_denied`` 403 (read-only key), ``insufficient_credits`` 402,
    ``asset_not_found`` / ``scene_not_found`` / ``job_not_found`` / ``not_found`` (route) 404,
    ``method_not_allowed`` 405, ``scene_not_ready`` / ``scene_empty`` 409 (export),
    ``rate_limit_exceeded`` 429, ``internal_error`` 500. Validation: **422**
    ``validation_error`` with the nested envelope **and** ``"detail": [{"loc", "msg", "type"}]``
    in the same body (*ours*: both forms, so either parser works).

``POST /v1/assets`` ``{prompt, scene_id?, model?, asset_pipeline?: auto|gizmo|cad, persist?, name?, tags?}``
    -> **202** ``{"ok": true, "scene_id", "job_id", "status": "queued"}``. Without ``scene_id``
    the key's one default scene ("Default scene") is used, created on first need (*ours*).
    Costs 1 credit. ``name`` and ``tags`` (kept on the asset, the alpha server's rules) are extensions.
``GET /v1/assets?scene_id=&limit=&offset=`` -> ``{"ok", "assets": [...], "total", "limit", "offset"}``
    newest first. An asset: ``{id, status: "ready", name, prompt, scene_id, job_id, created_at
    (int), position {x,y,z}, rotation {x,y,z,w}, formats: ["mjcf","usd","sdf"], interpretation, tags}``
    — assets exist only once generated, so always ``ready``. ``interpretation`` is the
    generator's account of the prompt (as on alpha assets). ``model`` and ``asset_pipeline`` are
    checked, kept with the job (``job.model`` / ``job.asset_pipeline``) and the ``planning``
    stage reports what ran instead (one keyword planner, one parametric generator: a requested
    model or ``cad`` is named as not available offline). ``persist: false`` (*ours*, the docs
    only name the flag) keeps nothing: the job's result carries the assets inline
    (``persisted: false``, ``assets``) and they are never stored, listed or placed (:mod:`.jobs`).
``GET /v1/assets/{id}[?include_record=true]`` -> ``{"ok", "asset": {..., "record"?: {links, joints}}}``;
``DELETE`` -> ``{"ok", "id", "deleted": true}``.
``POST /v1/assets/{id}/export`` ``{"format"}`` or ``?format=`` -> ZIP bytes, ``application/zip``
    (``Content-Disposition: attachment``). Formats ``mjcf`` | ``usd`` | ``sdf``; the alpha names
    ``mujoco_mjcf`` / ``isaac_sim_usd`` are accepted too; anything else (URDF) -> 422. Archive
    members: :mod:`.exports`.

``POST /v1/scenes`` ``{prompt, name?, description?, model?, asset_pipeline?, persist?}``
    -> **202** ``{"ok", "scene_id", "job_id", "status": "queued"}``; costs 1 credit per planned asset.
``GET /v1/scenes`` -> ``{"ok", "scenes": [...], "total", "limit", "offset"}``; a scene:
    ``{id, name, description, prompt, status: queued|running|ready|failed|cancelled, job_id,
    created_at, updated_at, asset_ids: [...], assets: [{asset_id, name, position, rotation}],
    formats}``. ``GET /v1/scenes/{id}[?include_record=true]`` -> ``{"ok", "scene": {...}}``;
    ``PATCH`` ``{name?, description?}`` -> ``{"ok", "scene"}``; ``DELETE`` (its assets too, its
    running jobs cancelled) -> ``{"ok", "id", "deleted": true}``.
``POST /v1/scenes/{id}/edit`` ``{prompt, model?}`` -> **202** ``{"ok", "scene_id", "job_id", "status"}``:
    a scene job that *adds* the assets the prompt names at the end of the scene's row (our
    planner cannot remove or move by prompt); 409 while the scene's job runs; 1 credit per asset.
``GET /v1/scenes/{id}/status`` -> ``{"ok", "scene_id", "job_id", "pipeline_status",
    "pipeline_stages": [{name, step, total, status: pending|running|completed|failed|cancelled}], "error"}``.
``POST /v1/scenes/{id}/export`` ``{"format"}`` -> ZIP (409 while its job runs or when empty).

``GET /v1/jobs/{id}[?include_result=true]`` -> ``{"ok", "job": {id, status:
    queued|running|succeeded|failed|cancelled, mode: asset|scene, scene_id, prompt, created_at,
    started_at, finished_at (int Unix seconds or null), error (message or null), error_code,
    stage: {name, step, total} | null, model, asset_pipeline, persist, result?}}``. **Result** (``include_result=true``; null
    until succeeded): ``{"asset_id": <first/only asset or null>, "asset_ids": [...],
    "scene_id": ...}`` for both modes.
``POST /v1/jobs/{id}/cancel`` -> ``{"ok", "job"}`` (a finished job is returned unchanged).
``GET /v1/jobs/{id}/events[?after=N]`` (or ``Last-Event-ID: N``) -> ``text/event-stream``;
    each event ``id: <seq>`` (1, 2, ... per job), ``event: <type>``, ``data: <json>``:
    ``stage_start`` / ``stage_complete`` ``{stage, step, total, ...findings}``, ``asset_ready``
    ``{asset_id, scene_id, name, index, count}``, ``error`` ``{code, message, stage}``, ``done``
    ``{status, result? | error?}`` (always last; then the stream closes), and ``ping``
    ``{time}`` without an ``id`` (keep-alive). Stages: asset ``planning, geometry,
    articulation, validation``; scene ``planning, geometry, layout, articulation, validation``
    (:mod:`.jobs`). Events are persisted: ``after`` replays exactly the missed ones.

``GET /v1/whoami`` -> ``{"ok", "key_id", "scope", "scopes", "api_version": "current", "server",
    "rate_limit": {limit, remaining, reset}, "credits": {limit, used, remaining}}``.
``GET /v1/usage`` -> ``{"ok", "usage": {credits_limit, credits_used, credits_remaining, jobs:
    {asset, scene}, assets, scenes}}``. ``GET /v1/openapi.json`` (no key needed) -> an OpenAPI
    3.1 document whose ``paths`` lists every route and ``info.version`` is ``"current"``; the
    alpha server answers 404 there, which tells a client which contract it is talking to.
"""

from __future__ import annotations

__all__: list[str] = []
