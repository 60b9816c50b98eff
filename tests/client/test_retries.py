"""Retry rules: what is retried, how long we wait, and that a retry never creates a second asset."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from gizmo_notebook.client import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)
from gizmo_notebook.client._retry import RetryPolicy, parse_retry_after

from .conftest import asset_json, envelope

OK_ASSET = httpx.Response(200, json=asset_json())
CREATED = httpx.Response(201, json=asset_json(status="pending"))


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_never_retried(api, make_client, fake_time, status):
    api.add("GET", "/v1/assets/ast_1", envelope(status), OK_ASSET)
    with pytest.raises(Exception):  # noqa: B017 - the class is checked in test_errors
        make_client(max_retries=5).assets.get("ast_1")
    assert len(api.calls()) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_get_is_retried_on_429_and_5xx(api, make_client, fake_time, status):
    api.add("GET", "/v1/assets/ast_1", envelope(status), envelope(status), OK_ASSET)
    asset = make_client(max_retries=4).assets.get("ast_1")
    assert asset.id == "ast_1"
    assert len(api.calls()) == 3
    assert len(fake_time.sleeps) == 2


def test_retries_give_up_after_max_retries(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", envelope(503))
    with pytest.raises(InternalServerError):
        make_client(max_retries=3).assets.get("ast_1")
    assert len(api.calls()) == 4
    assert len(fake_time.sleeps) == 3


def test_max_retries_zero_turns_retries_off(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", envelope(429, **{"Retry-After": "1"}), OK_ASSET)
    with pytest.raises(RateLimitError):
        make_client(max_retries=0).assets.get("ast_1")
    assert len(api.calls()) == 1 and fake_time.sleeps == []


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    policy = RetryPolicy(max_retries=10, initial_delay=0.5, max_delay=8.0, jitter=lambda: 0.0)
    assert [policy.backoff(i) for i in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    jittery = RetryPolicy(max_retries=10, jitter=lambda: 1.0)
    assert jittery.backoff(2) == pytest.approx(2.0 * 0.75)


def test_backoff_delays_are_used_between_attempts(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", envelope(500), envelope(500), envelope(500), OK_ASSET)
    make_client(max_retries=4).assets.get("ast_1")
    assert len(fake_time.sleeps) == 3
    for attempt, slept in enumerate(fake_time.sleeps):
        base = min(0.5 * 2**attempt, 8.0)
        assert 0.75 * base <= slept <= base


def test_retry_after_seconds_is_honoured(api, make_client, fake_time):
    api.add("GET", "/v1/assets", envelope(429, **{"Retry-After": "7"}), httpx.Response(200, json={"assets": [], "total": 0}))
    make_client().assets.list()
    assert fake_time.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(api, make_client, fake_time):
    when = datetime.now(timezone.utc) + timedelta(seconds=12)
    api.add(
        "GET",
        "/v1/assets",
        envelope(503, **{"Retry-After": format_datetime(when, usegmt=True)}),
        httpx.Response(200, json={"assets": [], "total": 0}),
    )
    make_client().assets.list()
    assert len(fake_time.sleeps) == 1
    assert 9.0 <= fake_time.sleeps[0] <= 12.0


def test_retry_after_is_capped(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", envelope(429, **{"Retry-After": "86400"}), OK_ASSET)
    make_client().assets.get("ast_1")
    assert fake_time.sleeps == [60.0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0", 0.0), ("-5", None), ("-0.5", None), ("2.5", 2.5), ("soon", None), ("", None), (None, None),
     ("nan", None)],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header) == expected


def test_parse_retry_after_date_in_the_past_is_unusable():
    past = datetime(2001, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after(format_datetime(past, usegmt=True)) is None


@pytest.mark.parametrize("header", ["-5", format_datetime(datetime(2001, 1, 1, tzinfo=timezone.utc), usegmt=True)])
def test_negative_or_past_retry_after_falls_back_to_backoff(api, make_client, fake_time, header):
    api.add("GET", "/v1/assets/ast_1", envelope(429, **{"Retry-After": header}),
            envelope(503, **{"Retry-After": header}), OK_ASSET)
    make_client().assets.get("ast_1")
    assert len(fake_time.sleeps) == 2
    assert 0.375 <= fake_time.sleeps[0] <= 0.5 and 0.75 <= fake_time.sleeps[1] <= 1.0  # not 0: no tight loop


def test_unusable_retry_after_falls_back_to_backoff(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", envelope(429, **{"Retry-After": "whenever"}), OK_ASSET)
    make_client().assets.get("ast_1")
    assert 0.375 <= fake_time.sleeps[0] <= 0.5


# ---------------------------------------------------------------- POST /assets: never a second asset


def test_create_is_resent_after_429(api, make_client, fake_time):
    api.add("POST", "/v1/assets", envelope(429, **{"Retry-After": "2"}), CREATED)
    asset = make_client().assets.create("a gripper")
    assert asset.status == "pending"
    assert len(api.calls("POST", "/v1/assets")) == 2
    assert fake_time.sleeps == [2.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_create_is_not_resent_after_5xx(api, make_client, fake_time, status):
    api.add("POST", "/v1/assets", envelope(status), CREATED)
    with pytest.raises(InternalServerError, match="may have been carried out"):
        make_client(max_retries=4).assets.create("a gripper")
    assert len(api.calls("POST", "/v1/assets")) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("read"), httpx.RemoteProtocolError("server hung up"), httpx.ReadError("reset")])
def test_create_is_not_resent_after_the_request_may_have_arrived(api, make_client, fake_time, exc):
    api.add("POST", "/v1/assets", exc, CREATED)
    with pytest.raises(APIConnectionError, match="may have reached the server"):
        make_client(max_retries=4).assets.create("a gripper")
    assert len(api.calls("POST", "/v1/assets")) == 1


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("pool")])
def test_create_is_resent_when_the_request_never_left(api, make_client, fake_time, exc):
    api.add("POST", "/v1/assets", exc, CREATED)
    asset = make_client().assets.create("a gripper")
    assert asset.id == "ast_1"
    assert len(api.calls("POST", "/v1/assets")) == 2
    assert len(fake_time.sleeps) == 1


def test_scene_create_follows_the_same_rule(api, make_client):
    api.add("POST", "/v1/scenes", envelope(500), httpx.Response(201, json={"id": "scn_1"}))
    with pytest.raises(InternalServerError):
        make_client().scenes.create("s", [{"asset_id": "ast_1"}])
    assert len(api.calls("POST", "/v1/scenes")) == 1


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("read"), httpx.ConnectError("refused"), httpx.RemoteProtocolError("eof")])
def test_idempotent_requests_retry_transport_errors(api, make_client, fake_time, exc):
    api.add("GET", "/v1/assets/ast_1", exc, OK_ASSET)
    assert make_client().assets.get("ast_1").id == "ast_1"
    assert len(api.calls()) == 2


def test_export_is_retried_on_5xx(api, make_client):
    export = httpx.Response(200, json={"download_url": "https://cdn.example.test/a.xml", "expires_at": None})
    api.add("POST", "/v1/assets/ast_1/export", envelope(502), export)
    assert make_client().assets.export("ast_1", "mujoco_mjcf").download_url.endswith("a.xml")


def test_timeout_exhausts_retries(api, make_client, fake_time):
    api.add("GET", "/v1/assets/ast_1", httpx.ReadTimeout("read timed out"))
    with pytest.raises(APITimeoutError):
        make_client(max_retries=2).assets.get("ast_1")
    assert len(api.calls()) == 3


async def test_async_client_retries_the_same_way(api, make_async_client, fake_time):
    api.add("POST", "/v1/assets", envelope(429, **{"Retry-After": "1"}), CREATED)
    api.add("GET", "/v1/assets/ast_1", envelope(503), OK_ASSET)
    async with make_async_client() as client:
        await client.assets.create("a gripper")
        await client.assets.get("ast_1")
    assert len(api.calls()) == 4
    assert fake_time.sleeps[0] == 1.0
