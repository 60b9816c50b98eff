"""Helpers shared by the current-contract server tests: read a job's event stream, wait for a job."""

from __future__ import annotations

import json
from typing import Any

import httpx
from httpx_sse import connect_sse


def read_events(
    client: httpx.Client, job_id: str, *, after: int | None = None, headers: dict[str, str] | None = None,
    limit: int | None = None, keep_pings: bool = False,
) -> list[dict[str, Any]]:
    """The events of one connection to ``/jobs/{id}/events`` (until it closes or ``limit`` are read)."""
    params = {"after": str(after)} if after is not None else None
    out: list[dict[str, Any]] = []
    with connect_sse(client, "GET", f"jobs/{job_id}/events", params=params, headers=dict(headers or {})) as source:
        assert source.response.status_code == 200, source.response.read()
        assert source.response.headers["content-type"].startswith("text/event-stream")
        for sse in source.iter_sse():
            if sse.event == "ping" and not keep_pings:
                continue
            out.append({"id": sse.id, "type": sse.event, "data": json.loads(sse.data)})
            if limit is not None and len(out) >= limit:
                break
    return out


def wait_job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    """Follow the event stream to its end, then the job with its result."""
    events = read_events(client, job_id)
    assert events and events[-1]["type"] == "done", events
    response = client.get(f"jobs/{job_id}", params={"include_result": "true"})
    assert response.status_code == 200
    return response.json()["job"]


def generate_asset(client: httpx.Client, prompt: str, **body: Any) -> tuple[str, dict[str, Any]]:
    """(asset id, finished job) for one prompt."""
    response = client.post("assets", json={"prompt": prompt, **body})
    assert response.status_code == 202, response.text
    job = wait_job(client, response.json()["job_id"])
    assert job["status"] == "succeeded", job
    return job["result"]["asset_id"], job
