"""The optional per-key rate limit: 429 with Retry-After, per key, and retrying after it works."""

from __future__ import annotations

import time

import pytest

from gizmo_notebook.local.errors import HTTPProblem
from gizmo_notebook.local.ratelimit import RateLimiter, parse_rate


def test_429_with_retry_after_then_recovers(make_local_server) -> None:
    account = make_local_server(rate_limit="30/min")  # bucket of 30, one token back every 2 s
    other = account.server.create_key()
    with account.client() as client, account.client(api_key=other) as other_client:
        ok = 0
        while (response := client.get("assets")).status_code == 200 and ok < 40:
            ok += 1
        assert 30 <= ok <= 31  # 31 only if a refill landed during a very slow burst
        limited = client.post("assets", json={"prompt": "A shelf"})
        other_ok = other_client.get("assets")
        assert response.status_code == limited.status_code == 429
        body = limited.json()
        assert set(body) == {"error", "code", "message"} and body["code"] == "RATE_LIMIT_EXCEEDED"
        assert body["error"] == "rate_limit_exceeded"
        retry_after = int(limited.headers["retry-after"])
        assert 1 <= retry_after <= 2
        assert limited.headers["x-ratelimit-limit"] == "30"
        assert other_ok.status_code == 200  # limits are per key
        time.sleep(retry_after)
        recovered = client.get("assets")
        assert recovered.status_code == 200  # Retry-After was honest
        assert recovered.json()["total"] == 0  # the limited POST created nothing


def test_rate_limit_is_off_by_default(local_server) -> None:
    with local_server.client() as client:
        assert {client.get("assets").status_code for _ in range(150)} == {200}


def test_unauthenticated_requests_are_401_not_429(make_local_server) -> None:
    account = make_local_server(rate_limit=1)
    with account.client() as client, account.client(api_key="nope") as anonymous:
        assert client.get("assets").status_code == 200
        assert client.get("assets").status_code == 429
        assert anonymous.get("assets").status_code == 401


@pytest.mark.parametrize(("text", "per_minute"), [("60/min", 60), ("2/s", 120), ("120/hour", 2), ("5", 5), (7.5, 7.5)])
def test_parse_rate(text, per_minute) -> None:
    assert parse_rate(text) == pytest.approx(per_minute)


@pytest.mark.parametrize("text", ["", "fast", "0/min", "-1/s", "3/fortnight", "nan", "inf/min"])
def test_parse_rate_rejects_nonsense(text) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        parse_rate(text)


def test_token_bucket_refills_at_the_configured_rate() -> None:
    now = [1000.0]
    limiter = RateLimiter(6, clock=lambda: now[0])  # 6/min: one token per 10 s
    for _ in range(6):
        limiter.hit("k")
    with pytest.raises(HTTPProblem) as info:
        limiter.hit("k")
    assert info.value.headers["Retry-After"] == "10"
    now[0] += 9.9
    with pytest.raises(HTTPProblem, match="retry after 1 s"):
        limiter.hit("k")
    now[0] += 0.2
    limiter.hit("k")
