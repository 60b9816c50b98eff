"""``wait``: polling cadence, terminal states, timeouts — on fake time, so it runs in milliseconds."""

from __future__ import annotations

import httpx
import pytest

from gizmo_notebook.client import AssetStatus, GenerationFailedError, WaitTimeoutError

from .conftest import asset_json


def status_sequence(*statuses: str, **extra):
    return [httpx.Response(200, json=asset_json(status=s, **extra)) for s in statuses]


def test_waits_until_ready_polling_every_5s_against_the_service(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending", "processing", "processing", "ready"))
    asset = make_client().assets.wait("ast_1", progress=False)
    assert asset.status is AssetStatus.READY
    assert fake_time.sleeps == [5.0, 5.0, 5.0]


def test_poll_interval_below_5s_is_raised_to_5s_against_the_service(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending", "ready"))
    make_client().assets.wait("ast_1", poll_interval=0.5, progress=False)
    assert fake_time.sleeps == [5.0]


def test_longer_poll_interval_is_respected(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending", "ready"))
    make_client().assets.wait("ast_1", poll_interval=12, progress=False)
    assert fake_time.sleeps == [12.0]


def test_local_backend_is_polled_fast(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending", "processing", "ready"))
    client = make_client(base_url="http://127.0.0.1:9999/v1")
    assert client.is_local
    client.assets.wait("ast_1", progress=False)
    assert len(fake_time.sleeps) == 2 and all(s < 1.0 for s in fake_time.sleeps)
    fake_time.sleeps.clear()
    api.routes.clear()
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending", "ready"))
    client.assets.wait("ast_1", poll_interval=0.05, progress=False)
    assert fake_time.sleeps == [0.05]


def test_failed_generation_raises_with_reason(api, make_client):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("processing", "failed", failure_reason="could not mesh"))
    with pytest.raises(GenerationFailedError, match="could not mesh") as info:
        make_client().assets.wait("ast_1", progress=False)
    assert info.value.asset.status is AssetStatus.FAILED
    assert info.value.reason == "could not mesh"


def test_timeout_raises_after_the_deadline(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("processing"))
    with pytest.raises(WaitTimeoutError, match="still 'processing' after 12 s") as info:
        make_client().assets.wait("ast_1", timeout=12, progress=False)
    assert info.value.asset_id == "ast_1" and info.value.last_status == "processing"
    # polls at t=0, 5, 10 and a last one exactly at the deadline (12), never sleeping past it
    assert fake_time.sleeps == [5.0, 5.0, 2.0]
    assert len(api.calls()) == 4


def test_unknown_status_keeps_waiting(api, make_client):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("queued", "rendering", "ready"))
    assert make_client().assets.wait("ast_1", progress=False).status is AssetStatus.READY
    assert len(api.calls()) == 3


def test_transient_errors_while_polling_are_retried(api, make_client):
    api.add(
        "GET",
        "/v1/assets/ast_1",
        httpx.Response(503, json={"error": "x", "code": "Y", "message": "busy"}),
        *status_sequence("ready"),
    )
    assert make_client().assets.wait("ast_1", progress=False).id == "ast_1"


def test_progress_bar_is_shown_by_default_and_reports_status(api, make_client, capsys):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending", "ready"))
    make_client().assets.wait("ast_1")
    err = capsys.readouterr().err
    assert "ast_1" in err and "100%" in err and "ready" in err


def test_progress_false_prints_nothing(api, make_client, capsys):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending", "ready"))
    make_client().assets.wait("ast_1", progress=False)
    assert capsys.readouterr().err == ""


async def test_async_wait(api, make_async_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending", "processing", "ready"))
    async with make_async_client() as client:
        asset = await client.assets.wait("ast_1", progress=False)
    assert asset.status is AssetStatus.READY
    assert fake_time.sleeps == [5.0, 5.0]


async def test_async_wait_timeout(api, make_async_client):
    api.add("GET", "/v1/assets/ast_1", *status_sequence("pending"))
    async with make_async_client() as client:
        with pytest.raises(WaitTimeoutError):
            await client.assets.wait("ast_1", timeout=7, progress=False)
