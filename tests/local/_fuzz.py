"""Hypothesis strategies and helpers shared by the fuzz suites of both servers (alpha and current).

Bodies are built by hand (``json.dumps(..., allow_nan=True)`` with ASCII escapes), so they can carry
what a strict encoder refuses but real clients send: lone UTF-16 surrogates (``"\\ud83d"``), NaN and
Infinity, integers of hundreds of digits, nesting thousands deep, wrong types in every field.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

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


#: what ``str.isdigit`` says yes to but ``int()`` refuses or reads unexpectedly, and near-numbers
_NUMBERISH = st.sampled_from(["\u00b2", "\u0664\u0662", "\uff11", "-1", "1e3", "0x10", " 7", "9" * 19])
_SEGMENT = st.one_of(st.text(max_size=20), _SURROGATES, st.text(min_size=200, max_size=300), _NUMBERISH)


def _raw_segment(text: str) -> str:
    """Percent-encode arbitrary text, lone surrogates included (as the invalid UTF-8 they would be)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="") or "x"


