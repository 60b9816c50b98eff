"""Fuzz every route and field of the local server: never a 5xx, every error in the JSON envelope.

Hypothesis builds request bodies by hand (``json.dumps(..., allow_nan=True)`` with ASCII escapes),
so they can carry what a strict encoder refuses but real clients send: lone UTF-16 surrogates
(``"\\ud83d"``), NaN and Infinity, integers of hundreds of digits, nesting thousands deep, wrong
types in every field, invalid UTF-8 in path segments. Derandomized and bounded, so it is a fixed,
fast (< 60 s) regression suite rather than a flaky one.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from _fuzz import (
    _HOSTILE,
    _JSON,
    _NUMBER,
    _SEGMENT,
    _TEXT,
    SETTINGS,
    _encode,
    _field,
    _raw_segment,
    _replace,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from gizmo_notebook.formats import EXPORT_FORMATS


def _vector(size: int) -> st.SearchStrategy[Any]:
    return st.lists(_NUMBER, min_size=size, max_size=size)


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"error", "code", "message"}, body
        assert all(isinstance(v, str) for v in body.values())


@pytest.fixture
def http(local_server) -> httpx.Client:
    with local_server.client() as client:
        yield client


@pytest.fixture
def ready_asset(http: httpx.Client) -> str:
    asset = http.post("assets", json={"prompt": "a two finger gripper"}).json()
    while http.get(f"assets/{asset['id']}").json()["status"] != "ready":
        time.sleep(0.02)
    return asset["id"]


def _post(http: httpx.Client, path: str, body: dict[str, Any], depth: int) -> httpx.Response:
    return http.post(path, content=_encode(body, depth), headers={"Content-Type": "application/json"})


_ASSET_BODY = {"prompt": "a two finger gripper", "name": "gripper", "tags": ["demo", "v2"]}
_ASSET_FIELDS = [("prompt",), ("name",), ("tags",), ("tags", 0), ("tags", 1), ("tags", 2), ("extra",)]


@settings(SETTINGS, max_examples=100)
@given(field=st.sampled_from(_ASSET_FIELDS), value=_HOSTILE, depth=st.integers(1, 3000))
def test_fuzz_create_asset_one_field_at_a_time(http, field, value, depth) -> None:
    _check(_post(http, "assets", _replace(_ASSET_BODY, field, value), depth))
    _check(http.get("assets"))  # whatever was accepted must still list


@SETTINGS
@given(
    prompt=_field(st.text(min_size=1, max_size=40)),
    name=_field(st.text(min_size=1, max_size=40)),
    tags=_field(st.lists(_TEXT, max_size=5)),
    depth=st.integers(1, 3000),
)
def test_fuzz_create_asset_all_fields(http, prompt, name, tags, depth) -> None:
    _check(_post(http, "assets", {"prompt": prompt, "name": name, "tags": tags}, depth))
    _check(http.get("assets"))


_SCENE_FIELDS = [
    ("name",), ("placements",), ("placements", 0), ("placements", 1), ("placements", 0, "asset_id"),
    ("placements", 0, "position"), ("placements", 0, "position", 0), ("placements", 0, "position", 2),
    ("placements", 0, "orientation"), ("placements", 0, "orientation", 3), ("placements", 0, "rpy"),
    ("placements", 0, "rpy", 1), ("placements", 0, "extra"),
]


@settings(SETTINGS, max_examples=100)
@given(field=st.sampled_from(_SCENE_FIELDS), value=_HOSTILE, use_rpy=st.booleans(), depth=st.integers(1, 3000))
def test_fuzz_create_scene_one_field_at_a_time(http, ready_asset, field, value, use_rpy, depth) -> None:
    placement: dict[str, Any] = {"asset_id": ready_asset, "position": [0.1, 0.2, 0.0]}
    if field[-2:-1] == ("rpy",) or field[-1] == "rpy" or use_rpy and "orientation" not in field:
        placement["rpy"] = [0.0, 0.0, 1.57]
    else:
        placement["orientation"] = [1.0, 0.0, 0.0, 0.0]
    body = {"name": "cell", "placements": [placement]}
    _check(_post(http, "scenes", _replace(body, field, value), depth))
    _check(http.get("scenes"))


@SETTINGS
@given(fmt=_field(st.sampled_from(EXPORT_FORMATS)), depth=st.integers(1, 3000), kind=st.sampled_from(["assets", "scenes"]))
def test_fuzz_export(http, ready_asset, fmt, depth, kind) -> None:
    target = ready_asset
    if kind == "scenes":
        target = http.post("scenes", json={"placements": [{"asset_id": ready_asset}]}).json()["id"]
    _check(_post(http, f"{kind}/{target}/export", {"format": fmt}, depth))


@SETTINGS
@given(
    segment=_SEGMENT,
    kind=st.sampled_from(["assets", "scenes"]),
    limit=_SEGMENT,
    offset=st.one_of(_SEGMENT, st.integers().map(str), st.just("9" * 400)),
)
def test_fuzz_paths_and_queries(http, segment, kind, limit, offset) -> None:
    seg = _raw_segment(segment)
    _check(http.get(f"{kind}/{seg}"))
    _check(http.post(f"{kind}/{seg}/export", json={"format": "mujoco_mjcf"}))
    _check(http.get(f"{kind}?limit={_raw_segment(limit)}&offset={_raw_segment(offset)}"))
    _check(http.get(f"exports/{seg}/mujoco_mjcf/{seg}?token={_raw_segment(limit)}"))


@SETTINGS
@given(body=st.one_of(_JSON, st.binary(max_size=200)), route=st.sampled_from(
    ["assets", "scenes", "assets/ast_x/export", "scenes/scn_x/export"]))
def test_fuzz_whole_bodies_of_any_shape(http, body, route) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body, allow_nan=True).encode()
    _check(http.post(route, content=content, headers={"Content-Type": "application/json"}))
