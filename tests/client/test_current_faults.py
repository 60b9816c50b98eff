"""Current-API faults a real server cannot produce on demand, through ``httpx.MockTransport``.

A stream cut mid-event, a server that ignores ``after``, no stream at all, 402, 422, a 429 that
only carries ``X-RateLimit-Reset``, a ZIP cut short, job results in every shape seen in the wild,
and the version detection's decisions.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any

import httpx
import pytest

from gizmo_notebook.client import (
    DownloadError,
    GenerationFailedError,
    InsufficientCreditsError,
    JobEvent,
    RateLimitError,
    UnprocessableEntityError,
)
from gizmo_notebook.client._job import Job

JOB = "job_a1b2c3d4"
EVENTS = f"/v1/jobs/{JOB}/events"


def sse(seq: int | None, kind: str, data: Any) -> bytes:
    head = f"id: {seq}\n" if seq is not None else ""
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"{head}event: {kind}\ndata: {payload}\n\n".encode()


STAGES = [
    sse(1, "stage_start", {"stage": "planning", "step": 1, "total": 2}),
    b": keep-alive comment\n\n",
    sse(None, "ping", {"t": 1}),
    sse(2, "stage_complete", {"stage": "planning", "step": 1, "total": 2}),
    sse(3, "stage_start", {"stage": "geometry", "step": 2, "total": 2}),
    sse(4, "stage_complete", "plain text, not JSON"),
    sse(5, "asset_ready", {"asset_id": "ast_9"}),
    sse(6, "done", {"status": "succeeded"}),
]


class CutStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Yields ``chunks`` and then, if ``cut``, fails like a dropped connection."""

    def __init__(self, chunks: list[bytes], cut: bool) -> None:
        self.chunks, self.cut = chunks, cut

    def __iter__(self):
        yield from self.chunks
        if self.cut:
            raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self):
        for chunk in self.chunks:
            yield chunk
        if self.cut:
            raise httpx.ReadError("connection reset by peer")


def stream_response(chunks: list[bytes], *, cut: bool = False) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=CutStream(chunks, cut))


def job_json(status: str = "succeeded", **extra: Any) -> dict[str, Any]:
    return {"ok": True, "job": {"id": JOB, "status": status, "created_at": 1717800000, **extra}}


def serve_events(api, *batches: tuple[list[bytes], bool], honour_after: bool = True) -> list[httpx.Request]:
    """Each connection gets the next batch (``(chunks, cut)``); with ``honour_after`` a batch starts
    after the requested seq, as a real server would."""
    queue = list(batches)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        chunks, cut = queue.pop(0) if len(queue) > 1 else queue[0]
        after = int(request.url.params.get("after", 0))
        if honour_after:
            chunks = [c for c in chunks if not c.startswith(b"id: ") or int(c.split(b"\n")[0][4:]) > after]
        return stream_response(chunks, cut=cut)

    api.add("GET", EVENTS, handler)
    return seen


def test_cut_stream_resumes_after_the_last_seq_without_repeats(api, make_client):
    seen = serve_events(api, (STAGES[:4], True), (STAGES, False))
    client = make_client(api_version="current")
    events = list(client.jobs.events(JOB))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e.type for e in events][-1] == "done" and "ping" not in {e.type for e in events}
    assert events[3] == JobEvent(4, "stage_complete", "plain text, not JSON")
    assert seen[1].url.params["after"] == "2" and seen[1].headers["last-event-id"] == "2"
    assert "after" not in seen[0].url.params


def test_server_that_ignores_after_still_gives_each_event_once(api, make_client):
    serve_events(api, (STAGES[:5], True), (STAGES, False), honour_after=False)
    events = list(make_client(api_version="current").jobs.events(JOB))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]


async def test_async_iterator_resumes_a_cut_stream(api, make_async_client):
    serve_events(api, (STAGES[:5], True), (STAGES, False))
    client = make_async_client(api_version="current")
    try:
        events = [event async for event in client.jobs.events(JOB)]
    finally:
        await client.close()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]


def test_reconnects_are_bounded_then_it_polls(api, make_client, fake_time):
    seen = serve_events(api, ([], True))  # every connection drops at once
    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(200, json=job_json("running")), httpx.Response(200, json=job_json()))
    client = make_client(api_version="current", max_retries=2)
    events = list(client.jobs.events(JOB))
    assert len(seen) == 3  # the first try + 2 retries
    assert [e.type for e in events] == ["status", "status", "done"]
    assert all(e.seq is None for e in events) and events[-1].data == {"status": "succeeded"}
    assert fake_time.sleeps[:2] and all(s > 0 for s in fake_time.sleeps)


def test_a_stream_that_only_ever_replays_old_events_ends_in_polling(api, make_client):
    seen = serve_events(api, (STAGES[:4], True), honour_after=False)  # 1, 2 then a drop, every time
    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(200, json=job_json()))
    events = list(make_client(api_version="current", max_retries=3).jobs.events(JOB))
    assert [(e.seq, e.type) for e in events] == [(1, "stage_start"), (2, "stage_complete"), (None, "status"),
                                                 (None, "done")]
    assert len(seen) == 4  # the first connection (progress) + 3 that brought nothing new


@pytest.mark.parametrize(
    "unavailable",
    [
        httpx.Response(404, json={"error": {"code": "not_found", "message": "no stream", "status": 404}}),
        httpx.Response(405),
        httpx.Response(200, json={"not": "a stream"}),
    ],
)
def test_no_stream_falls_back_to_polling(api, make_client, unavailable):
    api.add("GET", EVENTS, unavailable)
    api.add(
        "GET",
        f"/v1/jobs/{JOB}",
        httpx.Response(200, json=job_json("queued")),
        httpx.Response(200, json=job_json("running", stage={"name": "geometry", "step": 2, "total": 4})),
        httpx.Response(200, json=job_json("succeeded", result={"asset": {"id": "ast_7"}})),
    )
    api.add("GET", "/v1/assets/ast_7", httpx.Response(200, json={"id": "ast_7", "name": "Arm"}))
    client = make_client(api_version="current")
    job = client.jobs.wait(JOB, progress=False)
    assert job.asset_id == "ast_7"
    asset = client.assets.wait(JOB, progress=False)
    assert asset.id == "ast_7" and asset.status.value == "ready"  # no status field: ready once its job is


@pytest.mark.parametrize(
    "job_extra",
    [
        {"result": {"asset_id": "ast_7"}},
        {"result": {"asset": {"id": "ast_7"}}},
        {"result": {"asset_ids": ["ast_7", "ast_8"]}},
        {"result": {"assets": [{"id": "ast_7"}]}},
        {"result": {"assets": ["ast_7"]}},
        {"asset_id": "ast_7"},
        {"result": {"output": {"asset_id": "ast_7"}}},
    ],
)
def test_asset_id_is_found_wherever_the_result_puts_it(job_extra):
    assert Job.from_dict(job_json(**job_extra)).asset_id == "ast_7"


def test_asset_id_from_the_asset_ready_event_when_the_record_has_none(api, make_client):
    serve_events(api, (STAGES, False))
    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(200, json=job_json()))
    api.add("GET", "/v1/assets/ast_9", httpx.Response(200, json={"id": "ast_9", "status": "ready"}))
    asset = make_client(api_version="current").assets.wait(JOB, progress=False)
    assert asset.id == "ast_9"
    assert api.calls("GET", f"/v1/jobs/{JOB}")[-1].url.params["include_result"] == "true"


def test_failed_job_reason_comes_from_the_error_event_if_the_record_has_none(api, make_client):
    serve_events(api, ([sse(1, "error", {"code": "x", "message": "mesh self-intersects"}), sse(2, "done", {})], False))
    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(200, json=job_json("failed")))
    with pytest.raises(GenerationFailedError, match="mesh self-intersects"):
        make_client(api_version="current").jobs.wait(JOB, progress=False)


def test_402_nested_envelope_is_never_retried(api, make_client):
    body = {"error": {"code": "insufficient_credits", "message": "No credits left", "status": 402}}
    api.add("POST", "/v1/assets", httpx.Response(402, json=body, headers={"X-RateLimit-Remaining": "9"}))
    with pytest.raises(InsufficientCreditsError) as info:
        make_client(api_version="current").assets.create("an arm")
    assert len(api.calls("POST", "/v1/assets")) == 1
    err = info.value
    assert (err.code, err.status_code) == ("insufficient_credits", 402) and "No credits left" in str(err)
    assert err.headers["x-ratelimit-remaining"] == "9" and err.retry_after is None


def test_422_detail_list_is_an_unprocessable_entity_error(api, make_client):
    detail = [{"loc": ["body", "prompt"], "msg": "field required", "type": "missing"}]
    api.add("POST", "/v1/assets", httpx.Response(422, json={"detail": detail}))
    with pytest.raises(UnprocessableEntityError, match=r"body\.prompt: field required") as info:
        make_client(api_version="current").assets.create("an arm")
    assert info.value.errors == detail and len(api.requests) == 1


@pytest.mark.parametrize(("reset", "expected"), [("7", 7.0), (None, 12.0)])
def test_429_with_only_x_ratelimit_reset_waits_for_it(api, make_client, fake_time, reset, expected):
    value = reset if reset is not None else str(int(time.time()) + 12)  # epoch seconds
    limited = httpx.Response(429, json={"error": {"code": "rate_limit_exceeded", "message": "slow down", "status": 429}},
                             headers={"X-RateLimit-Reset": value, "X-RateLimit-Remaining": "0"})
    api.add("GET", f"/v1/jobs/{JOB}", limited, httpx.Response(200, json=job_json()))
    client = make_client(api_version="current")
    assert client.jobs.get(JOB).id == JOB
    assert fake_time.sleeps[0] == pytest.approx(expected, abs=1.5)


def test_exhausted_429_error_carries_retry_after(api, make_client):
    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(429, headers={"X-RateLimit-Reset": "20"}))
    with pytest.raises(RateLimitError) as info:
        make_client(api_version="current", max_retries=1).jobs.get(JOB)
    assert info.value.retry_after == pytest.approx(20.0) and info.value.headers["x-ratelimit-reset"] == "20"


def test_rate_limit_reflects_the_last_response(api, make_client):
    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(200, json=job_json(), headers={
        "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "42", "X-RateLimit-Reset": "30"}))
    client = make_client(api_version="current")
    assert client.rate_limit is None
    client.jobs.get(JOB)
    limit = client.rate_limit
    assert (limit.limit, limit.remaining) == (100, 42)
    assert 25 < (limit.reset.timestamp() - time.time()) <= 31


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("model/model.sdf", "<sdf version='1.9'/>" * 200)
        zf.writestr("model/meshes/a.stl", b"solid a\nendsolid a\n" * 200)
    return buffer.getvalue()


def test_zip_cut_short_is_retried_and_never_left_behind(api, make_client, tmp_path):
    whole = zip_bytes()
    cut = httpx.Response(200, headers={"content-type": "application/octet-stream"}, content=whole[: len(whole) // 2])
    good = httpx.Response(200, headers={"content-type": "application/zip",
                                        "content-disposition": 'attachment; filename="arm_sdf.zip"'}, content=whole)
    api.add("POST", "/v1/assets/ast_1/export", cut, good)
    folder = make_client(api_version="current").assets.download("ast_1", "sdf")
    assert folder.name == "arm_sdf" and (folder / "model" / "model.sdf").is_file()
    assert len(api.calls("POST", "/v1/assets/ast_1/export")) == 2
    assert not [p for p in (tmp_path / "cache").rglob(".partial-*")]


def test_zip_always_cut_short_is_a_download_error(api, make_client, tmp_path):
    whole = zip_bytes()
    api.add("POST", "/v1/assets/ast_1/export", httpx.Response(200, content=whole[:-40]))
    with pytest.raises(DownloadError, match="cut short|damaged"):
        make_client(api_version="current", max_retries=1).assets.download("ast_1", "mjcf")
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_a_json_download_url_on_current_still_works(api, make_client):
    api.add("POST", "/v1/assets/ast_1/export",
            httpx.Response(200, json={"download_url": "https://cdn.example.test/a.zip", "expires_at": None}))
    api.add("GET", "/a.zip", httpx.Response(200, content=zip_bytes()))
    folder = make_client(api_version="current").assets.download("ast_1", "usd")
    assert (folder / "model" / "model.sdf").is_file()
    export_call = api.calls("POST", "/v1/assets/ast_1/export")[0]
    assert json.loads(export_call.content) == {"format": "usd"} and export_call.url.params["format"] == "usd"


# ----------------------------------------------------------------------------- detection


def test_auto_picks_current_from_openapi_paths(api, make_client):
    api.add("GET", "/v1/openapi.json", httpx.Response(200, json={"paths": {"/v1/jobs/{job_id}": {}}}))
    client = make_client(api_version="auto")
    assert client.api_version == "current" and client.api_version == "current"
    assert [r.url.path for r in api.requests] == ["/v1/openapi.json"]


def test_auto_picks_alpha_when_there_is_no_spec_and_no_whoami(api, make_client):
    client = make_client(api_version="auto")  # FakeAPI answers 404 (flat envelope) to unknown routes
    assert client.api_version == "alpha"


def test_auto_picks_current_from_whoami(api, make_client):
    api.add("GET", "/v1/whoami", httpx.Response(200, json={"key": {"id": "key_1"}}))
    assert make_client(api_version="auto").api_version == "current"


def test_undecided_auto_settles_from_the_first_create_and_creates_once(api, make_client):
    denied = httpx.Response(401, text="no")
    api.add("GET", "/v1/openapi.json", denied)
    api.add("GET", "/v1/whoami", denied)
    api.add("POST", "/v1/assets", httpx.Response(202, json={"ok": True, "scene_id": "s1", "job_id": JOB, "status": "queued"}))
    client = make_client(api_version="auto")
    placeholder = client.assets.create("an arm")
    assert placeholder.id == JOB and placeholder.scene_id == "s1"
    assert client.api_version == "current" and len(api.calls("POST", "/v1/assets")) == 1


def test_api_version_from_environment_and_validation(monkeypatch, api, make_client):
    monkeypatch.setenv("GIZMO_API_VERSION", "current")
    assert make_client(api_version=None).api_version == "current"
    monkeypatch.setenv("GIZMO_API_VERSION", "v2")
    with pytest.raises(ValueError, match="GIZMO_API_VERSION"):
        make_client(api_version=None)
    assert not api.requests


def test_job_timestamps_are_aware_datetimes_from_unix_seconds():
    job = Job.from_dict(job_json(started_at="2024-06-07T22:40:01Z", finished_at=1717800002.5))
    assert job.created_at.timestamp() == 1717800000 and job.created_at.tzinfo is not None
    assert job.started_at.timestamp() == 1717800001 and job.finished_at.timestamp() == 1717800002.5


def test_requests_pace_themselves_when_the_window_is_used_up(api, make_client, fake_time):
    spent = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "6"}
    plenty = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "99", "X-RateLimit-Reset": "60"}
    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(200, json=job_json(), headers=spent),
            httpx.Response(200, json=job_json(), headers=plenty))
    client = make_client(api_version="current")
    client.jobs.get(JOB)
    assert fake_time.sleeps == []
    client.jobs.get(JOB)  # nothing remains: wait for the reset instead of provoking a 429
    assert fake_time.sleeps == [pytest.approx(6.0, abs=1.0)]
    client.jobs.get(JOB)
    assert len(fake_time.sleeps) == 1


def test_a_sync_wait_inside_a_running_loop_polls_instead_of_blocking_on_the_stream(api, make_client):
    import asyncio

    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(200, json=job_json("running")),
            httpx.Response(200, json=job_json("succeeded", result={"asset_id": "ast_7"})))
    client = make_client(api_version="current")

    async def cell():  # a notebook cell calling the sync client
        return client.jobs.wait(JOB, progress=False)

    assert asyncio.run(cell()).asset_id == "ast_7"
    assert not api.calls("GET", EVENTS)


def test_name_and_tags_refused_by_a_strict_server_are_dropped_and_sent_once_more(api, make_client):
    refused = httpx.Response(422, json={"detail": [{"loc": ["body", "name"], "msg": "Extra inputs are not permitted",
                                                    "type": "extra_forbidden"}]})
    accepted = httpx.Response(202, json={"ok": True, "scene_id": "s1", "job_id": JOB, "status": "queued"})
    api.add("POST", "/v1/assets", refused, accepted)
    placeholder = make_client(api_version="current").assets.create("an arm", name="arm", tags=["x"])
    first, second = api.calls("POST", "/v1/assets")
    assert api.body(first) == {"prompt": "an arm", "name": "arm", "tags": ["x"]}
    assert api.body(second) == {"prompt": "an arm"}
    assert placeholder.id == JOB and placeholder.name == "arm"


def test_a_422_about_something_else_is_not_resent(api, make_client):
    api.add("POST", "/v1/assets", httpx.Response(422, json={"detail": [{"loc": ["body", "prompt"], "msg": "too long"}]}))
    with pytest.raises(UnprocessableEntityError):
        make_client(api_version="current").assets.create("an arm", name="arm")
    assert len(api.requests) == 1


def test_a_body_declared_zip_that_is_not_one_is_refused(api, make_client, tmp_path):
    api.add("POST", "/v1/assets/ast_1/export",
            httpx.Response(200, headers={"content-type": "application/zip"}, content=b"<html>gateway</html>"))
    with pytest.raises(DownloadError, match="declared a ZIP"):
        make_client(api_version="current", max_retries=0).assets.download("ast_1", "mjcf")
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_a_non_zip_export_body_is_kept_as_the_file(api, make_client):
    api.add("POST", "/v1/assets/ast_1/export", httpx.Response(
        200, headers={"content-type": "application/xml", "content-disposition": 'attachment; filename="arm.xml"'},
        content=b"<mujoco/>"))
    path = make_client(api_version="current").assets.download("ast_1", "mjcf")
    assert path.name == "arm.xml" and path.read_bytes() == b"<mujoco/>"


@pytest.mark.parametrize(
    "created",
    [
        {"ok": True, "scene_id": "s1", "job_id": JOB, "status": "queued"},
        {"ok": True, "job": {"id": JOB, "status": "queued", "scene_id": "s1"}},
        {"id": JOB, "status": "queued"},  # a bare job record
    ],
)
def test_generate_accepts_every_creation_answer_shape(api, make_client, created):
    api.add("POST", "/v1/assets", httpx.Response(202, json=created))
    api.add("GET", EVENTS, httpx.Response(404))
    api.add("GET", f"/v1/jobs/{JOB}", httpx.Response(200, json=job_json(result={"asset_ids": ["ast_7"]})))
    api.add("GET", "/v1/assets/ast_7", httpx.Response(200, json={"ok": True, "asset": {"id": "ast_7", "status": "ready"}}))
    asset = make_client(api_version="current").assets.generate("an arm", progress=False)
    assert asset.id == "ast_7" and asset.status.value == "ready"
    assert len(api.calls("POST", "/v1/assets")) == 1


class TrackedStream(CutStream):
    closed = False

    def close(self) -> None:
        self.closed = True


def test_closing_the_event_iterator_closes_the_open_stream(api, make_client):
    stream = TrackedStream(STAGES, cut=False)
    api.add("GET", EVENTS, lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                          stream=stream))
    events = make_client(api_version="current").jobs.events(JOB)
    assert next(events).seq == 1 and not stream.closed
    events.close()
    assert stream.closed


def test_a_rate_limited_probe_is_raised_and_probed_again_next_call(api, make_client):
    api.add("GET", "/v1/openapi.json", httpx.Response(429, json={"error": "rate_limited", "code": "RATE_LIMITED",
                                                                  "message": "slow down"}),
            httpx.Response(200, json={"paths": {"/v1/jobs/{job_id}": {}}}))
    client = make_client(api_version="auto", max_retries=0)
    with pytest.raises(RateLimitError):
        client.assets.create("an arm")
    assert not api.calls("POST", "/v1/assets")  # nothing was sent the wrong way meanwhile
    assert client.api_version == "current"


@pytest.mark.parametrize(
    ("status", "retry_after", "reset"),
    [(429, "-5", None), (503, "-5", None), (429, "-5", "past-epoch"), (429, None, "past-epoch"),
     (429, "Mon, 01 Jan 2001 00:00:00 GMT", "past-epoch"), (503, "Mon, 01 Jan 2001 00:00:00 GMT", None)],
)
def test_current_api_negative_or_past_wait_hints_fall_back_to_backoff(
    api, make_client, fake_time, status, retry_after, reset
):
    """A 429/503 of the current API whose Retry-After or X-RateLimit-Reset lies in the past is not
    "retry now" (a tight loop against a server asking us to slow down): the normal backoff applies."""
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    if reset is not None:
        headers["X-RateLimit-Reset"] = str(int(time.time()) - 100)  # epoch seconds, already past
    refused = httpx.Response(status, json={"error": {"code": "busy", "message": "slow down", "status": status}},
                             headers=headers)
    api.add("GET", f"/v1/jobs/{JOB}", refused, refused, httpx.Response(200, json=job_json()))
    assert make_client(api_version="current").jobs.get(JOB).id == JOB
    assert len(fake_time.sleeps) == 2
    assert 0.375 <= fake_time.sleeps[0] <= 0.5 and 0.75 <= fake_time.sleeps[1] <= 1.0
