"""Decoding what a server sends: any JSON text into plain values, or a ``ValueError`` — nothing else.

A server (or a proxy in front of it) is not trusted to send sane JSON. Three things in valid
JSON make Python's decoder, or the code after it, raise something other than ``ValueError``:

* nesting thousands deep: ``RecursionError`` in the decoder, or later in any recursive walk
  (redaction, ``repr``); refused here past :data:`MAX_DEPTH` levels;
* an integer too large for a float (a 401-digit "timestamp"): ``OverflowError`` from ``float()``,
  ``math.isfinite`` and ``datetime``; decoded as ``inf`` instead, which every numeric check
  already treats as "not a usable number";
* an integer of more than 4300 digits: Python refuses to convert it (a ``ValueError``, so fine).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_DEPTH", "ascii_int", "loads_untrusted"]

#: No documented body nests past a handful of levels; this leaves room for extensions.
MAX_DEPTH = 64
#: Digits a float can hold the magnitude of (1.8e308); longer integers overflow ``float()``.
_FLOAT_DIGITS = 308


def _parse_int(text: str) -> int | float:
    digits = len(text) - text.startswith("-")
    return int(text) if digits <= _FLOAT_DIGITS else float(text)  # float("1" + "0" * 400) is inf


def loads_untrusted(data: str | bytes | bytearray) -> Any:
    """``json.loads`` for server answers: a ``ValueError`` (``json.JSONDecodeError``, as ``json.loads``
    raises for bad syntax) for anything unusable, deep nesting included."""
    try:
        value = json.loads(data, parse_int=_parse_int)
    except RecursionError:
        raise _too_deep() from None
    _check_depth(value)
    return value


def _too_deep() -> json.JSONDecodeError:
    return json.JSONDecodeError(f"JSON nested more than {MAX_DEPTH} levels deep", "", 0)


def _check_depth(value: Any) -> None:
    """Iterative, so checking a deep value cannot itself run out of stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        stack.extend((child, depth + 1) for child in children)


def ascii_int(text: str) -> int | None:
    """A header or event id such as ``"42"`` as an int; ``None`` for anything else (``"²"``, 5000 digits, ``"x"``).

    ``str.isdigit`` alone accepts superscripts and 5000-digit strings, on which ``int()`` raises.
    """
    text = text.strip()
    body = text[1:] if text.startswith("-") else text
    if not body or len(body) > 18 or not body.isascii() or not body.isdigit():
        return None
    return int(text)
