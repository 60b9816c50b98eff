"""Request checks of the current contract: each failure is a 422 naming the field (``loc``).

The body itself is read by the alpha server's :func:`~gizmo_notebook.local.validation.read_json_object`
(size limit, JSON content type, one object), whose 400s become 422s in :mod:`.errors`;
bodies are optional where the docs allow none (cancel, export with ``?format=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from gizmo_notebook.local import validation as shared
from gizmo_notebook.local.current.errors import ValidationFailed
from gizmo_notebook.local.errors import HTTPProblem

__all__ = [
    "ASSET_PIPELINES",
    "FORMATS",
    "export_format",
    "is_count",
    "optional_body",
    "optional_text",
    "pagination",
    "prompt",
    "read_body",
    "tags",
]

ASSET_PIPELINES = ("auto", "gizmo", "cad")
FORMATS = ("mjcf", "usd", "sdf")
# the alpha names (and the obvious synonyms) of the same formats, accepted so old code keeps working
_FORMAT_ALIASES = {"mujoco_mjcf": "mjcf", "mujoco": "mjcf", "isaac_sim_usd": "usd", "usda": "usd", "gazebo": "sdf"}


async def read_body(request: Request) -> dict[str, Any]:
    return await shared.read_json_object(request)


async def optional_body(request: Request) -> dict[str, Any]:
    """The JSON object body, or ``{}`` when the request has none (no length, or length 0)."""
    length = request.headers.get("content-length")
    if (length is None and "transfer-encoding" not in request.headers) or length == "0":
        return {}
    return await shared.read_json_object(request)


def prompt(body: Mapping[str, Any]) -> str:
    value = body.get("prompt")
    if value is None:
        raise ValidationFailed(["body", "prompt"], "Field required", "missing")
    if not isinstance(value, str):
        raise ValidationFailed(["body", "prompt"], "Input should be a valid string", "string_type")
    value = value.strip()
    if not value:
        raise ValidationFailed(["body", "prompt"], "must not be empty: describe what to generate", "string_too_short")
    if len(value) > shared.MAX_PROMPT_CHARS:
        raise ValidationFailed(
            ["body", "prompt"], f"must be at most {shared.MAX_PROMPT_CHARS} characters", "string_too_long"
        )
    return value


def optional_text(body: Mapping[str, Any], field: str, max_chars: int, *, allow_empty: bool = False) -> str | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(["body", field], "Input should be a valid string", "string_type")
    value = value.strip()
    if not value and not allow_empty:
        raise ValidationFailed(["body", field], "must not be empty", "string_too_short")
    if len(value) > max_chars:
        raise ValidationFailed(["body", field], f"must be at most {max_chars} characters", "string_too_long")
    return value


def tags(body: Mapping[str, Any]) -> list[str]:
    """``tags`` (an extension, as on alpha assets): the alpha server's rules, answered as a 422 on the field."""
    try:
        return shared.tags(body)
    except HTTPProblem as exc:
        raise ValidationFailed(["body", "tags"], exc.message, "list_type") from None


def choice(body: Mapping[str, Any], field: str, options: tuple[str, ...], default: str) -> str:
    value = body.get(field)
    if value is None:
        return default
    if value not in options:
        raise ValidationFailed(["body", field], f"must be one of {', '.join(options)}; got {str(value)[:40]!r}", "enum")
    return value


def flag(body: Mapping[str, Any], field: str, default: bool) -> bool:
    value = body.get(field)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationFailed(["body", field], "Input should be a valid boolean", "bool_type")
    return value


def query_flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValidationFailed(["query", name], f"must be true or false, got {raw[:20]!r}", "bool_parsing")


def is_count(raw: str) -> bool:
    """1 to 18 ASCII digits: ``str.isdigit`` alone also takes "²" (on which ``int()`` raises) and
    other scripts' digits, and ``int()`` of thousands of digits is slow or refused."""
    return 0 < len(raw) <= 18 and raw.isascii() and raw.isdigit()


def _query_int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    raw = raw.strip()
    if not is_count(raw) or not lo <= int(raw) <= hi:
        raise ValidationFailed(["query", name], f"must be an integer from {lo} to {hi}, got {raw[:20]!r}", "int_parsing")
    return int(raw)


def pagination(request: Request) -> tuple[int, int]:
    return _query_int(request, "limit", 20, 1, 100), _query_int(request, "offset", 0, 0, 10**12)


def export_format(request: Request, body: Mapping[str, Any]) -> str:
    """``format`` from the JSON body, else from ``?format=`` (sources disagree; both work)."""
    value, loc = body.get("format"), ["body", "format"]
    if value is None:
        value, loc = request.query_params.get("format"), ["query", "format"]
    if value is None:
        raise ValidationFailed(["body", "format"], f"Field required: one of {', '.join(FORMATS)}", "missing")
    if isinstance(value, str):
        name = value.strip().lower()
        name = _FORMAT_ALIASES.get(name, name)
        if name in FORMATS:
            return name
    hint = " (URDF is not offered by the current API; export mjcf and convert)" if "urdf" in str(value).lower() else ""
    raise ValidationFailed(loc, f"must be one of {', '.join(FORMATS)}; got {str(value)[:40]!r}{hint}", "enum")
