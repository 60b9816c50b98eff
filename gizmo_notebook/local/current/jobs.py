"""Generation jobs: the stages our generator really goes through, each announced as events.

An **asset** job (``POST /v1/assets``) runs

1. ``planning`` — the prompt is parsed into a spec (families, DOF, sizes) and named;
2. ``geometry`` — the parts are built and assembled into one model;
3. ``articulation`` — the joint tree is checked and its movable joints counted;
4. ``validation`` — the model is exported to MJCF, compiled by MuJoCo and stepped, so a
   model that would not simulate fails here, not in the user's simulator;

then the asset is stored, placed in its scene, and ``asset_ready`` is sent. A **scene** job
(``POST /v1/scenes``) runs ``planning`` (the prompt split into assets, see
:mod:`.planner`), ``geometry`` (each asset built and stored, one ``asset_ready`` each),
``layout`` (the floor plan; an edit, ``POST /v1/scenes/{id}/edit``, adds its assets at the end
of the scene's row and moves nothing), ``articulation`` (everything composed into one world-anchored
model) and ``validation`` (that model through MuJoCo).

Events, in order: ``stage_start`` / ``stage_complete`` with ``{stage, step, total}`` (k of n)
plus what the stage found; ``asset_ready`` ``{asset_id, scene_id, name, index, count}``; on
failure ``error`` ``{code, message, stage}``; always last ``done`` ``{status, result?,
error?}``. The simulated latency is spread over the stages so progress is visible.

A job cancelled by the client is recorded (``cancelled`` + ``done``) before its task is
cancelled. Several servers may share a data dir, so each job is held by one server under a
lease renewed every third of :data:`DEFAULT_JOB_LEASE` (as the alpha lifecycle does); jobs
interrupted by a server stop (lease released) or death (lease run out) run again from the
start on a server that claims them (a scene job first forgets the assets it had made, so none
is duplicated). A job cancelled through another server stops at its next stage.
Credits charged at creation are refunded when a job fails or is cancelled.

The documented request options: ``model`` (a planning-model override) and ``asset_pipeline``
(``auto`` | ``gizmo`` parametric | ``cad`` B-rep) are checked and kept with the job, and the
``planning`` stage reports what actually ran — this backend has one keyword planner and one
parametric generator, so a requested model or ``cad`` is named as not available offline rather
than silently pretended. ``persist: false`` is honoured: the job runs and reports as usual, but
keeps nothing — its assets are not stored (``GET /v1/assets/{id}`` answers 404, lists and scenes
never show them) and its result carries them inline (``result.persisted: false``,
``result.assets``); a scene generated with it is not stored either.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import replace
from typing import Any, TypeVar

from gizmo_notebook.errors import GizmoError
from gizmo_notebook.local._sqlite import DEFAULT_JOB_LEASE
from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.current.events import EventBus
from gizmo_notebook.local.current.planner import PlannedAsset, next_slot, plan_scene, row_layout
from gizmo_notebook.local.current.resources import asset_json
from gizmo_notebook.local.current.store import AssetRow, CurrentStore, JobRow, now
from gizmo_notebook.local.store import new_id
from gizmo_notebook.model import AssetModel, Pose

__all__ = ["ASSET_STAGES", "SCENE_STAGES", "GenerationFailed", "JobRunner", "scene_model"]

_log = logging.getLogger("gizmo_notebook.local")
T = TypeVar("T")

ASSET_STAGES = ("planning", "geometry", "articulation", "validation")
SCENE_STAGES = ("planning", "geometry", "layout", "articulation", "validation")
_PHYSICS_STEPS = 50
IDENTITY_ROTATION = (0.0, 0.0, 0.0, 1.0)  # (x, y, z, w)
LOCAL_PLANNER = "gizmo-notebook keyword planner"


class _FinishedElsewhere(GizmoError):
    """The job reached a terminal state outside this task; it just stops."""


class GenerationFailed(GizmoError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _plan_asset(prompt: str) -> dict[str, Any]:
    """The prompt read into a spec, and the generator's own account of what it will build."""
    from gizmo_notebook.local.generator import interpret, parse_prompt
    from gizmo_notebook.local.generator.assemble import describe

    spec = parse_prompt(prompt)
    return {
        "families": list(spec.families) or ["generic"],
        "dof": spec.dof,
        "design": describe(spec),
        "interpretation": interpret(prompt).as_dict(),
    }


def _pipeline_report(options: dict[str, Any]) -> dict[str, Any]:
    """What the job asked for (``model``, ``asset_pipeline``, ``persist``) beside what ran offline."""
    requested_model = options.get("model")
    requested_pipeline = options.get("asset_pipeline", "auto")
    notes = []
    if requested_model:
        notes.append(f"model {requested_model!r} is not available offline: planned by the {LOCAL_PLANNER}")
    if requested_pipeline == "cad":
        notes.append("the cad (B-rep) pipeline is not available offline: built by the parametric gizmo pipeline")
    report: dict[str, Any] = {
        "model": LOCAL_PLANNER,
        "requested_model": requested_model,
        "asset_pipeline": "gizmo",
        "requested_asset_pipeline": requested_pipeline,
        "persist": options.get("persist", True),
    }
    if notes:
        report["pipeline_notes"] = notes
    return report


def _geometry_summary(model: AssetModel) -> dict[str, Any]:
    return {
        "links": len(model.links),
        "visuals": sum(len(link.visuals) for link in model.links),
        "collisions": sum(len(link.collisions) for link in model.links),
    }


def _articulation_summary(model: AssetModel) -> dict[str, Any]:
    model.validate()
    movable = model.movable_joints
    return {"joints": len(model.joints), "movable_joints": [j.name for j in movable], "dof": len(movable)}


def _physics_check(model: AssetModel) -> dict[str, Any]:
    """Compile the MJCF export with MuJoCo and step it: the checks a simulator would do first."""
    import numpy as np

    from gizmo_notebook._optional import MissingDependencyError, requires

    try:
        with requires("mujoco", "The offline backend's physics check"):
            import mujoco
    except MissingDependencyError as exc:  # the core install: generation works, the check is skipped
        return {"physics": "skipped", "reason": str(exc)}
    from gizmo_notebook.local.exporters import export_bytes

    try:
        compiled = mujoco.MjModel.from_xml_string(export_bytes(model, "mujoco_mjcf").decode("utf-8"))
    except ValueError as exc:
        raise GenerationFailed("validation_failed", f"the model does not compile in MuJoCo: {exc}"[:500]) from None
    data = mujoco.MjData(compiled)
    mujoco.mj_step(compiled, data, _PHYSICS_STEPS)
    if not np.all(np.isfinite(data.qpos)):
        raise GenerationFailed("validation_failed", "the model's simulation diverged within 0.1 s")
    return {
        "physics": "ok",
        "bodies": int(compiled.nbody),
        "dof": int(compiled.nv),
        "actuators": int(compiled.nu),
        "mass_kg": round(float(np.sum(compiled.body_mass)), 4),
    }


def scene_model(name: str, assets: list[tuple[AssetModel, AssetRow]]) -> AssetModel:
    """One world-anchored model of a scene's assets at their stored poses (ground plane included)."""
    from gizmo_notebook.local.generator import compose_scene

    placements = []
    for model, asset in assets:
        x, y, z, w = asset.rotation
        placements.append((model, Pose.from_quaternion(asset.position, (w, x, y, z))))
    return compose_scene(name, placements)


class JobRunner:
    def __init__(
        self,
        store: CurrentStore,
        bus: EventBus,
        artifacts: Artifacts,
        executor: Executor,
        *,
        latency: float,
        fail_rate: float,
        seed: int | None,
        lease: float = DEFAULT_JOB_LEASE,
    ) -> None:
        self.instance = secrets.token_hex(8)  # this server process, as a job's runner
        self.lease = lease
        self._store = store
        self._bus = bus
        self._artifacts = artifacts
        self._executor = executor
        self.latency = latency
        self.fail_rate = fail_rate
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._keeper: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def plan_failure(self) -> bool:
        """Whether the next new job fails (decided at creation, stored with it: restarts agree)."""
        if self.fail_rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < self.fail_rate

    def submit(self, job: JobRow) -> None:
        """Store a new job, held by this server, and run it."""
        self._store.insert_job(job, self.instance, time.time() + self.lease)
        self._start(job)

    def _start(self, job: JobRow) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job), name=f"job {job.id}")
        self._tasks[job.id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(job.id, None))
        self._ensure_keeper()

    def _ensure_keeper(self) -> None:
        if self._keeper is None:
            self._keeper = asyncio.get_running_loop().create_task(self._keep_leases(), name="job leases")

    def resume(self) -> int:
        """Run the jobs no live server holds (left by a stopped or dead one); returns how many.

        Called at startup, which also starts the lease keeper: a server that never runs a job of
        its own must still adopt the jobs of another server on its data dir that dies later.
        """
        self._ensure_keeper()
        resumed = 0
        at = time.time()
        for job in self._store.orphaned_jobs(at):
            if not self._store.claim_job(job.id, self.instance, at, at + self.lease):
                continue  # another server on this data dir took it first
            if job.mode == "scene":
                self._store.delete_job_assets(job.id)
            self._start(job)
            resumed += 1
        return resumed

    async def _keep_leases(self) -> None:
        """Renew this server's leases every third of a lease, and adopt jobs whose runner died."""
        while True:
            await asyncio.sleep(self.lease / 3)
            self._store.renew_leases(self.instance, time.time() + self.lease)
            self.resume()

    async def close(self) -> None:
        keeper = [self._keeper] if self._keeper is not None else []
        tasks = list(self._tasks.values()) + keeper
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._store.release_jobs(self.instance)

    def cancel(self, job: JobRow) -> None:
        """Record the cancellation (events included), then stop the work. No-op on a finished job."""
        if not self._store.finish_job(job.id, "cancelled", error="Cancelled by the client.", error_code="cancelled"):
            return
        self._store.refund(job.owner, job.cost)
        self._bus.emit(job.id, "done", {"status": "cancelled", "error": "Cancelled by the client."})
        task = self._tasks.get(job.id)
        if task is not None:
            task.cancel()

    # -- running -----------------------------------------------------------------------
    async def _run(self, job: JobRow) -> None:
        self._store.set_running(job.id)
        try:
            pipeline = self._asset_job if job.mode == "asset" else self._scene_job
            result = await pipeline(job)
        except asyncio.CancelledError:
            raise
        except _FinishedElsewhere:
            return
        except GenerationFailed as exc:
            self._fail(job, exc.code, exc.message)
        except Exception as exc:  # a generator bug fails the job with its reason, never the server
            _log.info("job %s failed", job.id, exc_info=True)
            self._fail(job, "generation_failed", f"Generation failed: {type(exc).__name__}: {exc}"[:500])
        else:
            if self._store.finish_job(job.id, "succeeded", result=result, runner=self.instance):
                self._bus.emit(job.id, "done", {"status": "succeeded", "result": result})

    def _fail(self, job: JobRow, code: str, message: str) -> None:
        current = self._store.get_job(job.id)
        stage = (current.stage or {}).get("name") if current is not None else None
        if self._store.finish_job(job.id, "failed", error=message, error_code=code, runner=self.instance):
            self._store.refund(job.owner, job.cost)
            self._bus.emit(job.id, "error", {"code": code, "message": message, "stage": stage})
            self._bus.emit(job.id, "done", {"status": "failed", "error": message})

    async def _pool(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def _stage(
        self, job: JobRow, stages: tuple[str, ...], name: str, work: Callable[[], Awaitable[tuple[T, dict[str, Any]]]]
    ) -> T:
        self._check_still_wanted(job)
        step, total = stages.index(name) + 1, len(stages)
        where = {"stage": name, "step": step, "total": total}
        self._store.set_stage(job.id, {"name": name, "step": step, "total": total})
        self._bus.emit(job.id, "stage_start", where)
        started = time.monotonic()
        value, details = await work()
        pad = self.latency / total - (time.monotonic() - started)
        if pad > 0:
            await asyncio.sleep(pad)
        self._check_still_wanted(job)
        elapsed = round((time.monotonic() - started) * 1000)
        self._bus.emit(job.id, "stage_complete", {**where, "elapsed_ms": elapsed, **details})
        return value

    def _check_still_wanted(self, job: JobRow) -> None:
        """Stop here if the job was finished meanwhile (cancelled through another server), or another
        server took it over (this one was paused past its lease): the job has one runner at a time."""
        current = self._store.get_job(job.id)
        if current is None or current.terminal or not self._store.holds(job.id, self.instance):
            raise _FinishedElsewhere

    def _check_simulated_failure(self, job: JobRow) -> None:
        if job.options.get("simulate_failure"):
            raise GenerationFailed(
                "validation_failed",
                "Simulated failure (server fail_rate): the generated part had self-intersecting collision geometry",
            )

    async def _asset_job(self, job: JobRow) -> dict[str, Any]:
        prompt = job.prompt

        async def planning() -> tuple[None, dict[str, Any]]:
            return None, {**await self._pool(lambda: _plan_asset(prompt)), **_pipeline_report(job.options)}

        async def geometry() -> tuple[AssetModel, dict[str, Any]]:
            model = await self._artifacts.build(prompt)
            return model, _geometry_summary(model)

        async def articulation() -> tuple[None, dict[str, Any]]:
            return None, await self._pool(lambda: _articulation_summary(model))

        async def validation() -> tuple[None, dict[str, Any]]:
            self._check_simulated_failure(job)
            return None, await self._pool(lambda: _physics_check(model))

        await self._stage(job, ASSET_STAGES, "planning", planning)
        model = await self._stage(job, ASSET_STAGES, "geometry", geometry)
        await self._stage(job, ASSET_STAGES, "articulation", articulation)
        await self._stage(job, ASSET_STAGES, "validation", validation)
        placed = [(await self._artifacts.build(a.prompt), a.position) for a in self._store.scene_assets(job.scene_id)]
        position = next_slot(placed, model)
        name = job.options.get("name") or _default_name(prompt)
        self._check_still_wanted(job)  # the builds above awaited: still ours to finish?
        asset = self._save_asset(job, name, prompt, position)
        self._bus.emit(
            job.id, "asset_ready", {"asset_id": asset.id, "scene_id": job.scene_id, "name": name, "index": 1, "count": 1}
        )
        return _result(job, [asset])

    async def _scene_job(self, job: JobRow) -> dict[str, Any]:
        plan: list[PlannedAsset] = []
        made: list[tuple[AssetModel, AssetRow]] = []
        kept: list[tuple[AssetModel, AssetRow]] = []  # an edit keeps what the scene already holds
        if job.options.get("edit"):
            for asset in self._store.scene_assets(job.scene_id):
                if asset.job_id != job.id:
                    kept.append((await self._artifacts.build(asset.prompt), asset))

        async def planning() -> tuple[None, dict[str, Any]]:
            plan.extend(await self._pool(lambda: plan_scene(job.prompt)))
            return None, {"assets": len(plan), "items": [p.name for p in plan], **_pipeline_report(job.options)}

        async def geometry() -> tuple[None, dict[str, Any]]:
            for i, item in enumerate(plan):
                model = await self._artifacts.build(item.prompt)
                self._check_still_wanted(job)
                asset = self._save_asset(job, item.name, item.prompt, (0.0, 0.0, 0.0))
                made.append((model, asset))
                self._bus.emit(
                    job.id, "asset_ready",
                    {"asset_id": asset.id, "scene_id": job.scene_id, "name": item.name, "index": i + 1, "count": len(plan)},
                )  # fmt: skip
            return None, {"assets": len(made), "links": sum(len(m.links) for m, _ in made)}

        def floor_plan() -> list[tuple[float, float, float]]:
            if not kept:
                return row_layout([m for m, _ in made])
            placed: list[tuple[AssetModel, tuple[float, float, float]]] = [(m, a.position) for m, a in kept]
            for model, _ in made:  # new assets join the end of the existing row; nothing moves
                placed.append((model, next_slot(placed, model)))
            return [xyz for _, xyz in placed[len(kept):]]

        async def layout() -> tuple[None, dict[str, Any]]:
            positions = await self._pool(floor_plan)
            for (_, asset), xyz in zip(made, positions, strict=True):
                self._store.set_asset_position(asset.id, xyz)
            made[:] = [(m, replace(a, position=xyz)) for (m, a), xyz in zip(made, positions, strict=True)]
            return None, {"placements": [{"asset_id": a.id, "position": list(a.position)} for _, a in made]}

        async def articulation() -> tuple[AssetModel, dict[str, Any]]:
            composed = await self._pool(lambda: scene_model(f"scene_{job.scene_id}", kept + made))
            return composed, _articulation_summary(composed)

        await self._stage(job, SCENE_STAGES, "planning", planning)
        await self._stage(job, SCENE_STAGES, "geometry", geometry)
        await self._stage(job, SCENE_STAGES, "layout", layout)
        composed = await self._stage(job, SCENE_STAGES, "articulation", articulation)

        async def validation() -> tuple[None, dict[str, Any]]:
            self._check_simulated_failure(job)
            return None, await self._pool(lambda: _physics_check(composed))

        await self._stage(job, SCENE_STAGES, "validation", validation)
        self._store.touch_scene(job.scene_id)
        return _result(job, [a for _, a in made])

    def _save_asset(self, job: JobRow, name: str, prompt: str, position: tuple[float, float, float]) -> AssetRow:
        """The new asset, stored in its scene unless the job asked not to persist anything."""
        tags = tuple(job.options.get("tags") or ()) if job.mode == "asset" else ()
        asset = AssetRow(
            id=new_id("ast"), owner=job.owner, scene_id=job.scene_id, job_id=job.id, name=name, prompt=prompt,
            position=position, rotation=IDENTITY_ROTATION, created_at=now(), tags=tags,
        )  # fmt: skip
        if _persists(job):
            if not self._store.insert_asset(asset, runner=self.instance):
                raise _FinishedElsewhere  # taken over (or cancelled) since the last check
            self._store.touch_scene(job.scene_id)
        return asset


def _persists(job: JobRow) -> bool:
    return bool(job.options.get("persist", True))


def _result(job: JobRow, assets: list[AssetRow]) -> dict[str, Any]:
    """The job's result: the asset ids; with ``persist: false`` also the (unstored) assets themselves."""
    ids = [a.id for a in assets]
    result: dict[str, Any] = {"asset_id": ids[0] if ids else None, "asset_ids": ids, "scene_id": job.scene_id}
    if not _persists(job):
        result.update(persisted=False, assets=[asset_json(a) for a in assets])
    return result


def _default_name(prompt: str) -> str:
    from gizmo_notebook.local.validation import default_name

    return default_name(prompt)
