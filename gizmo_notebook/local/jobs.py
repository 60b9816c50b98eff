"""The generation lifecycle: ``pending`` -> ``processing`` -> ``ready`` or ``failed``.

Each new asset gets an asyncio task that waits a quarter of the simulated latency in
``pending``, builds the model in the worker pool while ``processing``, pads to the full latency
and then records the outcome. The simulated latency exists so a notebook user can *see* the
poller work; tests set it to 0. A failure is decided when the asset is created (a seeded RNG
drawing against ``fail_rate``) and stored with it, so a restart does not change the outcome;
real generator errors fail the asset too, with the error as the reason.

Several servers may share one data dir (two notebooks, ``gizmo-notebook serve`` next to a
kernel), so each job has an *owner* — one :class:`Lifecycle`, i.e. one server — holding a lease
that it renews every ``lease / 3`` seconds while it runs. A server resumes only jobs without a
live owner: never leased (older versions), released at a clean shutdown, or whose lease ran out
because the owner died. Taking a job over is one conditional UPDATE, so two servers never both
win; status updates are conditional on still owning the job, and ``ready``/``failed`` are final
in the database itself (a trigger), so an asset never moves backwards.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import threading
import time

from gizmo_notebook.local._sqlite import DEFAULT_JOB_LEASE
from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.store import AssetRecord, Store

__all__ = ["DEFAULT_JOB_LEASE", "Lifecycle"]

_log = logging.getLogger("gizmo_notebook.local")

_SIMULATED_REASONS = (
    "the generated part had self-intersecting collision geometry",
    "the joint chain could not be made kinematically consistent",
    "the prompt asked for more articulated parts than one generation job allows",
)


class Lifecycle:
    def __init__(
        self,
        store: Store,
        artifacts: Artifacts,
        *,
        latency: float,
        fail_rate: float,
        seed: int | None,
        lease: float = DEFAULT_JOB_LEASE,
    ) -> None:
        self._store = store
        self.owner = f"job_{secrets.token_hex(8)}"
        self.lease = lease
        self._heartbeat: asyncio.Task[None] | None = None
        self._artifacts = artifacts
        self.latency = latency
        self.fail_rate = fail_rate
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    def plan_failure(self) -> bool:
        """Whether the next new asset will fail (deterministic sequence for a given seed)."""
        if self.fail_rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < self.fail_rate

    def insert_and_start(self, record: AssetRecord) -> None:
        """Store a new asset with this server as its job's owner, and start generating it."""
        self._store.insert_asset(record, self.owner, time.time() + self.lease)
        self._start(record)

    def _start(self, record: AssetRecord) -> None:
        task = asyncio.get_running_loop().create_task(self._run(record), name=f"generate {record.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def resume(self) -> int:
        """Take over the unfinished jobs no live server owns, and keep our leases fresh; returns how many."""
        if self._heartbeat is None:
            self._heartbeat = asyncio.get_running_loop().create_task(self._renew_forever(), name="job leases")
        return self._take_over()

    def _take_over(self) -> int:
        now = time.time()
        taken = 0
        for record in self._store.claimable_assets(now):
            if self._store.claim_job(record.id, self.owner, now, now + self.lease):
                self._start(record)
                taken += 1
        return taken

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                self._store.renew_leases(self.owner, time.time() + self.lease)
                taken = self._take_over()  # a server that died meanwhile left its jobs to us
            except Exception:  # a locked or vanished database must not end the renewals for good
                _log.warning("renewing generation job leases failed", exc_info=True)
                continue
            if taken:
                _log.info("took over %d generation job(s) of a server that stopped", taken)

    async def close(self) -> None:
        tasks = [*self._tasks, *([self._heartbeat] if self._heartbeat else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._heartbeat = None
        self._store.release_jobs(self.owner)

    async def _run(self, record: AssetRecord) -> None:
        started = time.monotonic()
        if record.status == "pending":
            await asyncio.sleep(self.latency * 0.25)
            if not self._store.set_status(record.id, "processing", self.owner):
                return  # finished or taken over elsewhere: not ours to move on any more
        reason: str | None = None
        try:
            if record.simulate_failure:
                reason = "Simulated failure (server fail_rate): " + _SIMULATED_REASONS[
                    sum(map(ord, record.id)) % len(_SIMULATED_REASONS)
                ]
            else:
                await self._artifacts.build(record.prompt)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the generator rejected this prompt: a failed asset, not a crash
            _log.info("generation of %s failed", record.id, exc_info=True)
            reason = f"Generation failed: {type(exc).__name__}: {exc}"[:500]
        remaining = self.latency - (time.monotonic() - started)
        if remaining > 0:
            await asyncio.sleep(remaining)
        if not self._store.set_status(record.id, "ready" if reason is None else "failed", self.owner, reason):
            _log.info("generation of %s finished after another server took the job over", record.id)
