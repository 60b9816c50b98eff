"""Request parsing: tolerant about how a value arrives, strict about what it may be.

Tolerant: ``Content-Type`` parameters (``; charset=utf-8``), ``application/*+json``, a missing
``Content-Type`` on a JSON body, ``null`` for an optional field, unknown extra fields (the API
may grow). Strict: every documented constraint is checked, and each failure is a 400 whose
``code`` names the problem and whose ``message`` says how to fix it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from gizmo_notebook.formats import EXPORT_FORMATS
from gizmo_notebook.local.errors import HTTPProblem

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_NAME_CHARS",
    "MAX_PROMPT_CHARS",
    "MAX_TAGS",
    "MAX_TAG_CHARS",
    "default_name",
    "optional_name",
    "pagination",
    "read_json_object",
    "required_format",
    "required_prompt",
    "tags",
]

MAX_BODY_BYTES = 256 * 1024
MAX_PROMPT_CHARS = 2000
MAX_NAME_CHARS = 200
MAX_TAGS = 20
MAX_TAG_CHARS = 64
#: Deeper JSON than this is refused before any field is looked at (no documented body nests past 3).
MAX_JSON_DEPTH = 32
_DEFAULT_NAME_CHARS = 60
_DIGITS = re.compile(r"[0-9]{1,18}")


def _bad(code: str, message: str) -> HTTPProblem:
    return HTTPProblem(400, code, message)


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says why it is not one."""
    content_type = request.headers.get("content-type")
    if content_type is not None and not _is_json_type(content_type):
        raise _bad(
            "UNSUPPORTED_CONTENT_TYPE",
            f"Request bodies must be JSON: send 'Content-Type: application/json' (got {content_type[:80]!r}).",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _bad("BODY_TOO_LARGE", f"The request body must be at most {MAX_BODY_BYTES} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _bad("BODY_TOO_LARGE", f"The request body must be at most {MAX_BODY_BYTES} bytes.")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise _bad("INVALID_JSON", "The request body is empty; send a JSON object.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad("INVALID_JSON", "The request body is not valid UTF-8; send JSON encoded as UTF-8.") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _bad("INVALID_JSON", f"The request body is not valid JSON ({exc.msg}).") from None
    except RecursionError:
        raise _nested_too_deeply() from None
    except ValueError as exc:  # NaN/Infinity, or an integer with thousands of digits
        raise _bad("INVALID_JSON", f"The request body is not valid JSON ({str(exc)[:120]}).") from None
    if not isinstance(value, dict):
        raise _bad("INVALID_JSON", f"The request body must be a JSON object, not a JSON {_json_type(value)}.")
    _check_tree(value)
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number; send a finite number or null")


def _nested_too_deeply() -> HTTPProblem:
    return _bad("INVALID_JSON", f"The request body nests arrays/objects more than {MAX_JSON_DEPTH} levels deep.")


def _check_tree(body: dict[str, Any]) -> None:
    """Refuse deep nesting and text that cannot be stored or sent back, wherever it is in the body.

    JSON may carry a lone UTF-16 surrogate (``"\\ud83d"``: JavaScript cuts strings between the two
    halves of an emoji). Python decodes it into a ``str`` that UTF-8 cannot encode, so it would fail
    later — in SQLite, or while rendering the response after the row was committed. Checked once,
    here, for every string and key, so no field can be forgotten. Iterative: no recursion limit.
    """
    stack: list[tuple[Any, str, int]] = [(body, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _nested_too_deeply()
        if isinstance(value, str):
            _check_text(value, where or "the body")
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, f"a key in {where or 'the body'}")
                stack.append((item, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        shown = where.encode("ascii", "backslashreplace").decode("ascii")[:80]
        raise _bad(
            "INVALID_TEXT",
            f"'{shown}' holds text that is not valid Unicode (a lone UTF-16 surrogate at character "
            f"{exc.start}, e.g. a string cut in the middle of an emoji); send complete characters.",
        ) from None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _text(body: Mapping[str, Any], field: str, *, required: bool, max_chars: int, what: str) -> str | None:
    value = body.get(field)
    if value is None:
        if required:
            raise _bad("MISSING_REQUIRED_FIELD", f"The '{field}' field is required {what}.")
        return None
    if not isinstance(value, str):
        raise _bad("INVALID_FIELD_TYPE", f"The '{field}' field must be a string, not a JSON {_json_type(value)}.")
    if not value.strip():
        raise _bad("BLANK_FIELD", f"The '{field}' field must not be blank.")
    if len(value) > max_chars:
        raise _bad(
            "FIELD_TOO_LONG", f"The '{field}' field must be at most {max_chars} characters (got {len(value)})."
        )
    return value


def required_prompt(body: Mapping[str, Any]) -> str:
    prompt = _text(
        body, "prompt", required=True, max_chars=MAX_PROMPT_CHARS, what="when generating a new asset"
    )
    assert prompt is not None
    return prompt


def optional_name(body: Mapping[str, Any], *, required: bool = False, what: str = "") -> str | None:
    return _text(body, "name", required=required, max_chars=MAX_NAME_CHARS, what=what)


MAX_DESCRIPTION_CHARS = 2000


def optional_description(body: Mapping[str, Any]) -> str | None:
    """A scene's free-text ``description`` (the alpha Scenes page): a string, or absent / null."""
    value = body.get("description")
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad("INVALID_FIELD_TYPE", f"The 'description' field must be a string, not a JSON {_json_type(value)}.")
    if len(value) > MAX_DESCRIPTION_CHARS:
        raise _bad("FIELD_TOO_LONG", f"The 'description' field must be at most {MAX_DESCRIPTION_CHARS} characters.")
    return value


def default_name(prompt: str) -> str:
    """The prompt shortened on a word boundary, as the docs say a missing name defaults to."""
    text = " ".join(prompt.split())
    if len(text) <= _DEFAULT_NAME_CHARS:
        return text
    cut = text[: _DEFAULT_NAME_CHARS - 1]
    space = cut.rfind(" ")
    if space > _DEFAULT_NAME_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def tags(body: Mapping[str, Any]) -> list[str]:
    value = body.get("tags")
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(
            "INVALID_TAGS", f"'tags' must be an array of strings, not a JSON {_json_type(value)}."
        )
    if len(value) > MAX_TAGS:
        raise _bad("INVALID_TAGS", f"'tags' may hold at most {MAX_TAGS} tags (got {len(value)}).")
    for i, tag in enumerate(value):
        if not isinstance(tag, str):
            raise _bad("INVALID_TAGS", f"tags[{i}] must be a string, not a JSON {_json_type(tag)}.")
        if not tag.strip():
            raise _bad("INVALID_TAGS", f"tags[{i}] must not be blank.")
        if len(tag) > MAX_TAG_CHARS:
            raise _bad("INVALID_TAGS", f"tags[{i}] must be at most {MAX_TAG_CHARS} characters (got {len(tag)}).")
    return list(value)


def required_format(body: Mapping[str, Any]) -> str:
    value = body.get("format")
    valid = ", ".join(EXPORT_FORMATS)
    if value is None:
        raise _bad("MISSING_REQUIRED_FIELD", f"The 'format' field is required: one of {valid}.")
    if value not in EXPORT_FORMATS:
        shown = value[:60] if isinstance(value, str) else _json_type(value)
        raise _bad("INVALID_FORMAT", f"Unsupported export format {shown!r}: must be one of {valid}.")
    return value


def _query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not _DIGITS.fullmatch(raw):
        shown = raw[:40]
        raise _bad(
            "INVALID_QUERY_PARAMETER", f"'{name}' must be a non-negative integer, got {shown!r}."
        )
    return int(raw)


def pagination(request: Request) -> tuple[int, int]:
    """``limit`` (1..100, default 20) and ``offset`` (>= 0, default 0) from the query string."""
    limit = _query_int(request, "limit", 20)
    if not 1 <= limit <= 100:
        raise _bad("INVALID_QUERY_PARAMETER", f"'limit' must be between 1 and 100, got {limit}.")
    offset = _query_int(request, "offset", 0)
    return limit, offset


def finite_vector(value: Any, length: int, where: str, *, max_abs: float = 1e4) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != length:
        raise _bad("INVALID_PLACEMENT", f"{where} must be an array of {length} numbers.")
    out = []
    for v in value:
        # ``abs(v) <= max_abs`` first: an int compares with a float exactly, while math.isfinite and
        # float() raise OverflowError on an integer too large for a float (e.g. 401 digits).
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not abs(v) <= max_abs:
            raise _bad("INVALID_PLACEMENT", f"{where} must hold {length} finite numbers within ±{max_abs:g}.")
        out.append(float(v))
    return tuple(out)
