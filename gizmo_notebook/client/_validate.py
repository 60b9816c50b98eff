"""Input checks that run before any request, so a typo costs no round trip and no rate-limit budget.

Every check raises ``ValueError`` (``TypeError`` for a wrong type) whose message says what to pass
instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.formats import check_format

__all__ = [
    "check_format",
    "check_description",
    "check_dest",
    "check_limit_offset",
    "check_name",
    "check_page_size",
    "check_placements",
    "check_prompt",
    "check_resource_id",
    "check_tags",
    "check_wait_args",
]

MAX_PAGE = 100


def _check_text(text: str, what: str) -> str:
    """``text`` if UTF-8 can encode it; else a ValueError naming the field (not a bare UnicodeEncodeError).

    A lone UTF-16 surrogate (``"\\ud83d"``, half an emoji: what slicing a JavaScript string or
    reading JSON from one can produce) is a valid Python ``str`` that no request body can carry.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidValueError(
            f"{what} holds a lone UTF-16 surrogate {text[exc.start]!r} at character {exc.start} "
            "(e.g. a string cut in the middle of an emoji), which cannot be sent; remove or complete it"
        ) from None
    return text


def check_prompt(prompt: object) -> str:
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
    if not prompt.strip():
        raise InvalidValueError(
            "prompt is empty: describe the asset, e.g. 'A 6-DOF industrial robotic arm with a gripper'"
        )
    return _check_text(prompt, "prompt")


def check_name(name: object, *, required: bool = False) -> str | None:
    if name is None and not required:
        return None
    if not isinstance(name, str):
        raise TypeError(f"name must be a string{'' if required else ' or None'}, got {type(name).__name__}")
    if not name.strip():
        raise InvalidValueError("name is blank: pass a short label" + ("" if required else " or leave it out"))
    return _check_text(name, "name")


def check_description(description: object) -> str | None:
    if description is None:
        return None
    if not isinstance(description, str):
        raise TypeError(f"description must be a string or None, got {type(description).__name__}")
    return _check_text(description, "description")


def check_tags(tags: object) -> list[str] | None:
    if tags is None:
        return None
    # a dict iterates its keys, a set in no fixed order: neither is the list of tags meant
    if isinstance(tags, (str, bytes, Mapping, set, frozenset)) or not isinstance(tags, Iterable):
        raise TypeError(f"tags must be a list of strings such as ['gripper', 'v2'], got {tags!r}")
    out = list(tags)
    for i, tag in enumerate(out):
        if not isinstance(tag, str) or not tag.strip():
            raise InvalidValueError(f"every tag must be a non-empty string, got {tag!r} in {out!r}")
        _check_text(tag, f"tags[{i}]")
    return out


def check_resource_id(value: object, what: str = "asset_id") -> str:
    """A non-empty id, returned URL-quoted so it can only ever address one path segment."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string such as 'ast_01hx9z3k2n8f7q', got {type(value).__name__}")
    if not value.strip() or value != value.strip() or value in (".", ".."):
        raise InvalidValueError(f"{what} must be a non-blank id without surrounding spaces, got {value!r}")
    return quote(_check_text(value, what), safe="")


def _check_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer, got {value!r}")
    return value


def check_limit_offset(limit: object, offset: object) -> tuple[int, int]:
    lim = _check_int(limit, "limit")
    off = _check_int(offset, "offset")
    if not 1 <= lim <= MAX_PAGE:
        raise InvalidValueError(f"limit must be between 1 and {MAX_PAGE}, got {lim}")
    if off < 0:
        raise InvalidValueError(f"offset must be 0 or more, got {off}")
    return lim, off


def check_page_size(page_size: object) -> int:
    size = _check_int(page_size, "page_size")
    if not 1 <= size <= MAX_PAGE:
        raise InvalidValueError(f"page_size must be between 1 and {MAX_PAGE}, got {size}")
    return size


def _positive_seconds(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number of seconds, got {value!r}")
    if not 0 < value <= sys.float_info.max:  # NaN, inf and ints too large for a float fail too
        raise InvalidValueError(f"{what} must be a positive, finite number of seconds, got {value!r}")
    return float(value)


def check_wait_args(timeout: object, poll_interval: object) -> tuple[float, float | None]:
    return (
        _positive_seconds(timeout, "timeout"),
        None if poll_interval is None else _positive_seconds(poll_interval, "poll_interval"),
    )


def check_dest(dest: object) -> Path | None:
    if dest is None:
        return None
    if not isinstance(dest, (str, os.PathLike)):
        raise TypeError(f"dest must be a folder path (str or pathlib.Path), got {type(dest).__name__}")
    path = Path(dest).expanduser()
    try:
        os.fsencode(path)
    except UnicodeEncodeError as exc:  # a lone surrogate: no file system can hold the name
        _check_text(str(path), "dest")
        raise InvalidValueError(f"dest {str(path)!r} cannot be a file name on this system") from exc
    if path.exists() and not path.is_dir():
        raise InvalidValueError(f"dest must be a folder (created if missing), but {str(path)!r} is a file")
    return path


def _vector(value: object, size: int, what: str) -> list[float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{what} must be a list of {size} numbers, got {value!r}")
    out = list(value)
    # a bound, not math.isfinite(v): an int too large for a float (401 digits) compares exactly,
    # but makes isfinite() and float() raise OverflowError; NaN and inf fail the comparison
    if len(out) != size or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= sys.float_info.max for v in out
    ):
        shown = repr(out) if len(repr(out)) <= 200 else repr(out)[:200] + "..."
        raise InvalidValueError(f"{what} must be {size} finite numbers, got {shown}")
    return [float(v) for v in out]


def check_placements(placements: object) -> list[dict[str, Any]]:
    """``[{asset_id, position, orientation | rpy}]`` checked and normalised to plain JSON values."""
    if isinstance(placements, (str, bytes, Mapping)) or not isinstance(placements, Iterable):
        raise TypeError(
            "placements must be a list of {'asset_id': ..., 'position': [x, y, z], 'orientation': [w, x, y, z]}"
        )
    out: list[dict[str, Any]] = []
    for i, item in enumerate(placements):
        where = f"placements[{i}]"
        if not isinstance(item, Mapping):
            raise TypeError(f"{where} must be a dict with 'asset_id', got {item!r}")
        unknown = set(item) - {"asset_id", "position", "orientation", "rpy"}
        if unknown:
            raise InvalidValueError(f"{where} has unknown keys {sorted(unknown)}: use asset_id, position, orientation (or rpy)")
        if item.get("orientation") is not None and item.get("rpy") is not None:
            raise InvalidValueError(f"{where}: give 'orientation' [w, x, y, z] or 'rpy' [roll, pitch, yaw], not both")
        check_resource_id(item.get("asset_id"), f"{where}['asset_id']")
        placed: dict[str, Any] = {"asset_id": item["asset_id"]}
        for key, size in (("position", 3), ("orientation", 4), ("rpy", 3)):
            if item.get(key) is not None:
                placed[key] = _vector(item[key], size, f"{where}[{key!r}]")
        if "orientation" in placed and not any(placed["orientation"]):
            raise InvalidValueError(f"{where}['orientation'] must be a non-zero quaternion [w, x, y, z]")
        out.append(placed)
    if not out:
        raise InvalidValueError("placements is empty: a scene needs at least one {'asset_id': ...}")
    return out
