"""In a real ipykernel: the list keeps updating while other cells run, block or await."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel


@pytest.fixture
def kernel(tmp_path: Any) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIZMO_")}
    env.update(
        GIZMO_DATA_DIR=str(tmp_path / "data"),
        GIZMO_CACHE_DIR=str(tmp_path / "cache"),
        GIZMO_LOCAL_LATENCY="1.5",
    )
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path), extra_arguments=[])
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _execute(kc: Any, code: str, timeout: float = 60) -> list[tuple[float, dict[str, Any]]]:
    """Run ``code``; return every iopub message (with arrival time) until the kernel is idle."""
    msg_id = kc.execute(code)
    out = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=timeout)
        out.append((time.monotonic(), msg))
        parent = msg.get("parent_header", {}).get("msg_id")
        if msg["msg_type"] == "error" and parent == msg_id:
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "status" and parent == msg_id and msg["content"]["execution_state"] == "idle":
            return out
    raise AssertionError("cell did not finish")


def _statuses(msgs: list[tuple[float, dict[str, Any]]], asset_id: str) -> list[str]:
    """The statuses of ``asset_id`` the widget pushed to the front end during these messages."""
    found = []
    for _, m in msgs:
        if m["msg_type"] == "comm_msg":
            state = m["content"]["data"].get("state") or {}
            for item in state.get("items") or []:
                if item["id"] == asset_id:
                    found.append(item["status"])
    return found


def _stdout(msgs: list[tuple[float, dict[str, Any]]]) -> str:
    return "".join(m["content"].get("text", "") for _, m in msgs if m["msg_type"] == "stream").strip()


@pytest.mark.timeout(120)
def test_polling_continues_while_a_cell_blocks_and_while_one_awaits(kernel: Any) -> None:
    assert sys.executable  # the kernel runs this venv's python (jupyter_client kernelspec)
    _execute(kernel, "from gizmo_notebook.studio import Studio\ns = Studio(poll_interval=0.2)\ns.refresh()")
    a = _stdout(_execute(kernel, "a = s.generate('a two link arm'); print(a.id)"))
    # A cell that blocks the kernel's main thread outright: updates must still flow.
    during = _execute(kernel, "import time; time.sleep(4)")
    assert "ready" in _statuses(during, a), _statuses(during, a)
    b = _stdout(_execute(kernel, "b = s.generate('a small gripper'); print(b.id)"))
    # A cell that awaits on the kernel's own loop, with another task on it: neither is starved.
    during = _execute(
        kernel,
        "import asyncio\n"
        "ticks = []\n"
        "async def other():\n"
        "    for _ in range(20):\n"
        "        ticks.append(1); await asyncio.sleep(0.1)\n"
        "t = asyncio.ensure_future(other())\n"
        "await asyncio.sleep(3.5)\n"
        "assert len(ticks) >= 15, ticks\n",
    )
    assert "ready" in _statuses(during, b)
    done = _execute(kernel, "from gizmo_notebook.studio import _runtime\ns.close()\nprint(_runtime.task_count(), [x.status.value for x in s.assets])")
    assert _stdout(done) == "0 ['ready', 'ready']"
