"""Fuzz every route and field of the current-API server: never a 5xx, every error its nested envelope.

The same hostile values as the alpha suite (:mod:`_fuzz`: lone surrogates, NaN/Infinity, integers
of hundreds of digits, nesting thousands deep, wrong types), sent one field at a time into every
body the current contract takes, as whole bodies of any shape, and as path segments and query
values of every GET. Whatever is accepted must still list afterwards. Derandomized and bounded.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from _current_api import generate_asset, wait_job
from _fuzz import _HOSTILE, _JSON, _SEGMENT, SETTINGS, _encode, _raw_segment, _replace
from hypothesis import given, settings
from hypothesis import strategies as st


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.headers.get("content-type", "").startswith(("text/event-stream", "application/zip")):
        assert response.status_code == 200  # an event stream, or an export's archive
        return
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    if response.status_code >= 400:
        error = body["error"]
        assert set(error) == {"code", "message", "status"} and error["status"] == response.status_code, body
        assert isinstance(error["code"], str) and isinstance(error["message"], str)


@pytest.fixture(scope="module")
def world(_shared_current_server) -> dict[str, Any]:
    """One key with a finished asset job and a finished scene (module-wide: the suite only reads them)."""
    key = _shared_current_server.create_key()
    client = httpx.Client(base_url=_shared_current_server.base_url + "/", headers={"Authorization": f"Bearer {key}"},
                          timeout=30)
    asset_id, job = generate_asset(client, "a two finger gripper")
    scene = client.post("scenes", json={"prompt": "a table"}).json()
    wait_job(client, scene["job_id"])
    yield {"http": client, "asset": asset_id, "job": job["id"], "scene": scene["scene_id"]}
    client.close()


def _send(http: httpx.Client, method: str, path: str, body: dict[str, Any], depth: int) -> httpx.Response:
    return http.request(method, path, content=_encode(body, depth), headers={"Content-Type": "application/json"})


_GENERATION = {"prompt": "a gripper", "model": "m", "asset_pipeline": "auto", "persist": False}
_ROUTES = {
    "create asset": ("POST", "assets", {**_GENERATION, "name": "g", "tags": ["a", "b"]},
                     ["prompt", "name", "tags", ("tags", 0), ("tags", 2), "model", "asset_pipeline", "persist",
                      "scene_id", "extra"]),
    "create scene": ("POST", "scenes", {**_GENERATION, "name": "cell", "description": "d"},
                     ["prompt", "name", "description", "model", "asset_pipeline", "persist", "extra"]),
    "edit scene": ("POST", "scenes/{scene}/edit", dict(_GENERATION),
                   ["prompt", "model", "asset_pipeline", "persist", "extra"]),
    "patch scene": ("PATCH", "scenes/{scene}", {"name": "cell", "description": "d"}, ["name", "description", "extra"]),
    "export asset": ("POST", "assets/{asset}/export", {"format": "mjcf"}, ["format", "extra"]),
    "export scene": ("POST", "scenes/{scene}/export", {"format": "mjcf"}, ["format", "extra"]),
    "cancel job": ("POST", "jobs/{job}/cancel", {}, ["reason"]),
}
_FIELDS = [(route, field) for route, (_, _, _, fields) in _ROUTES.items() for field in fields]


@settings(SETTINGS, max_examples=150)
@given(target=st.sampled_from(_FIELDS), value=_HOSTILE, depth=st.integers(1, 3000))
def test_fuzz_every_body_one_field_at_a_time(world, target, value, depth) -> None:
    route, field = target
    method, path, body, _ = _ROUTES[route]
    path = path.format(**world)
    with_persist = {**body, "persist": False} if "persist" in body else body  # keep the data dir small
    _check(_send(world["http"], method, path, _replace(with_persist, field if isinstance(field, tuple) else (field,),
                                                       value), depth))
    _check(world["http"].get("assets"))  # whatever was accepted must still list
    _check(world["http"].get("scenes"))


@SETTINGS
@given(body=st.one_of(_JSON, st.binary(max_size=200)), route=st.sampled_from(sorted(_ROUTES)))
def test_fuzz_whole_bodies_of_any_shape(world, body, route) -> None:
    method, path, _, _ = _ROUTES[route]
    content = body if isinstance(body, bytes) else json.dumps(body, allow_nan=True).encode()
    _check(world["http"].request(method, path.format(**world), content=content,
                                 headers={"Content-Type": "application/json"}))


@SETTINGS
@given(segment=_SEGMENT, value=_SEGMENT, number=st.one_of(_SEGMENT, st.integers().map(str), st.just("9" * 400)))
def test_fuzz_paths_and_queries(world, segment, value, number) -> None:
    http, seg, raw, num = world["http"], _raw_segment(segment), _raw_segment(value), _raw_segment(number)
    for path in ("assets/{}", "scenes/{}", "jobs/{}", "scenes/{}/status"):
        _check(http.get(path.format(seg)))
    for path in ("assets/{}/export", "scenes/{}/export", "jobs/{}/cancel"):
        _check(http.post(path.format(seg), json={"format": "mjcf"}))
    _check(http.get(f"jobs/{seg}/events"))
    _check(http.get(f"assets?limit={num}&offset={raw}&scene_id={raw}"))
    _check(http.get(f"scenes?limit={raw}&offset={num}"))
    _check(http.get(f"assets/{world['asset']}?include_record={raw}"))
    _check(http.get(f"scenes/{world['scene']}?include_record={raw}"))
    _check(http.get(f"jobs/{world['job']}?include_result={raw}"))
    _check(http.post(f"assets/{world['asset']}/export?format={raw}"))
    with http.stream("GET", f"jobs/{world['job']}/events?after={num}") as stream:  # a finished job: it ends
        stream.read()
        _check(stream)
