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
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gizmo_notebook.formats import EXPORT_FORMATS

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_SURROGATES = st.sampled_from(["\ud83d", "\udc00", "a\ud800b", "\udfff\ud800", "x" * 63 + "\ud83d"])
_TEXT = st.one_of(
    st.text(max_size=30),
    _SURROGATES,
    st.builds(lambda a, b: a + b, st.text(max_size=10), _SURROGATES),
    st.text(min_size=1990, max_size=2100),
)
_NUMBER = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([10**401, -(10**401), 2**1024, 1e308, -0.0]),
)
_SCALAR = st.one_of(st.none(), st.booleans(), _NUMBER, _TEXT)
_JSON = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=12,
)
#: replaced in the encoded body by nesting deeper than any parser limit
_DEEP = "__deep_nesting__"
#: one_of draws its branches about evenly: each kind of attack gets a fair share of the examples
_HOSTILE = st.one_of(
    _SURROGATES,
    st.builds(lambda a, b: a + b, st.text(min_size=1, max_size=10), _SURROGATES),
    st.sampled_from([10**401, -(10**401), float("nan"), float("inf"), 1e308]),
    _JSON,
    st.just(_DEEP),
)


def _field(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly hostile, sometimes valid (so later checks get reached), sometimes absent."""
    return st.one_of(valid, _HOSTILE, st.just(_MISSING))


_MISSING = object()


def _encode(body: dict[str, Any], depth: int) -> bytes:
    text = json.dumps({k: v for k, v in body.items() if v is not _MISSING}, allow_nan=True)  # ASCII escapes
    return text.replace(json.dumps(_DEEP), "[" * depth + "]" * depth).encode()


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


def _replace(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """``body`` (deep-copied) with the item at ``path`` set to ``value``; one hostile field, the rest valid."""
    body = json.loads(json.dumps(body))
    target = body
    for key in path[:-1]:
        target = target[key]
    if isinstance(target, list) and path[-1] >= len(target):
        target.append(value)
    else:
        target[path[-1]] = value
    return body


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


_SEGMENT = st.one_of(st.text(max_size=20), _SURROGATES, st.text(min_size=200, max_size=300))


def _raw_segment(text: str) -> str:
    """Percent-encode arbitrary text, lone surrogates included (as the invalid UTF-8 they would be)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="") or "x"


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
