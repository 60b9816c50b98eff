"""The Studio's own asyncio loop, on a daemon thread of the kernel process.

Why not the kernel's loop? ipykernel runs cells on the main thread's loop, so a cell that
blocks (``time.sleep``, a long simulation, a synchronous download) would freeze every task
scheduled there and the asset list would stop updating exactly when the user is busy. A
private loop on a daemon thread keeps polling through blocking cells, needs no
``nest_asyncio`` patching of the kernel's loop (cells that ``await`` or call
``asyncio.run`` are untouched) and dies with the process, so a kernel restart cannot leave a
task behind. Widget state set from this thread reaches the browser through ipykernel's
thread-safe IOPub pipe.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def _serve(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
    asyncio.set_event_loop(loop)
    ready.set()
    try:
        loop.run_forever()
    finally:
        loop.close()


def get_loop() -> asyncio.AbstractEventLoop:
    """The shared background loop, started on first use."""
    global _loop, _thread
    with _lock:
        if _loop is None or _thread is None or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            ready = threading.Event()
            thread = threading.Thread(
                target=_serve, args=(loop, ready), name="gizmo-studio-loop", daemon=True
            )
            thread.start()
            ready.wait()
            _loop, _thread = loop, thread
        return _loop


def in_loop_thread() -> bool:
    """True when called from the background loop's own thread (blocking there would deadlock)."""
    return _thread is not None and threading.current_thread() is _thread


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule ``coro`` on the background loop from any thread."""
    return asyncio.run_coroutine_threadsafe(coro, get_loop())


def run_sync(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on the background loop and wait for its result (not from that loop's thread)."""
    if in_loop_thread():
        coro.close()
        raise RuntimeError(
            "this Studio method blocks; from a callback or coroutine on the Studio's loop use the "
            "async variant (e.g. `await studio.agenerate(...)`)"
        )
    return submit(coro).result(timeout)


def call_soon(callback: Any, *args: Any) -> None:
    """Run a plain callable on the background loop (thread-safe, fire and forget)."""
    get_loop().call_soon_threadsafe(callback, *args)


def task_count() -> int:
    """Unfinished tasks on the background loop: what tests use to prove nothing was left behind."""
    loop = _loop
    if loop is None or loop.is_closed():
        return 0

    async def _count() -> int:
        me = asyncio.current_task()
        return sum(1 for t in asyncio.all_tasks() if t is not me and not t.done())

    return asyncio.run_coroutine_threadsafe(_count(), loop).result(5)


def _shutdown() -> None:
    loop = _loop
    if loop is not None and loop.is_running():
        loop.call_soon_threadsafe(loop.stop)


atexit.register(_shutdown)
