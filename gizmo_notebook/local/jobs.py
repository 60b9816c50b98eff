"""The generation lifecycle: ``pending`` -> ``processing`` -> ``ready`` or ``failed``.

Each new asset gets an asyncio task that waits a quarter of the simulated latency in
``pending``, builds the model in the worker pool while ``processing``, pads to the full latency
and then records the outcome. The simulated latency exists so a notebook user can *see* the
poller work; tests set it to 0. A failure is decided when the asset is created (a seeded RNG
drawing against ``fail_rate``) and stored with it, so a restart does not change the outcome;
real generator errors fail the asset too, with the error as the reason.

Assets still unfinished when the server stopped are picked up again on start.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time

from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.store import AssetRecord, Store

__all__ = ["Lifecycle"]

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
    ) -> None:
        self._store = store
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

    def start(self, record: AssetRecord) -> None:
        task = asyncio.get_running_loop().create_task(self._run(record), name=f"generate {record.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def resume(self) -> int:
        """Restart the jobs a previous server left unfinished; returns how many."""
        unfinished = self._store.unfinished_assets()
        for record in unfinished:
            self.start(record)
        return len(unfinished)

    async def close(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, record: AssetRecord) -> None:
        started = time.monotonic()
        if record.status == "pending":
            await asyncio.sleep(self.latency * 0.25)
            self._store.set_status(record.id, "processing")
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
        if reason is None:
            self._store.set_status(record.id, "ready")
        else:
            self._store.set_status(record.id, "failed", reason)
