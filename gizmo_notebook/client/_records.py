"""Typed, immutable views of API responses.

The API is alpha, so parsing is tolerant on purpose: unknown fields are kept in ``.raw``, a
missing optional field becomes ``None`` or an empty tuple, an unparsable timestamp becomes
``None`` and a status string we have never seen becomes :attr:`AssetStatus.UNKNOWN` instead of
an exception. Only a body that lacks what the client cannot work without (an asset without
``id``, an export without ``download_url``) is rejected with
:class:`~gizmo_notebook.client.APIResponseValidationError`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from gizmo_notebook.client._errors import APIResponseValidationError

__all__ = [
    "Asset",
    "Interpretation",
    "AssetPage",
    "AssetStatus",
    "Export",
    "Placement",
    "Scene",
    "ScenePage",
]


T = TypeVar("T")


class AssetStatus(str, Enum):
    """Lifecycle of a generation job; ``UNKNOWN`` stands for any status this client does not know."""

    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> AssetStatus:
        return cls.UNKNOWN

    def __str__(self) -> str:
        return self.value

    @property
    def is_terminal(self) -> bool:
        return self in (AssetStatus.READY, AssetStatus.FAILED)


def _frozen_raw(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(copy.deepcopy(dict(data)))


def _require_mapping(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise APIResponseValidationError(
            f"expected a JSON object for {what}, got {type(data).__name__}", body=data
        )
    return data


def _require_str(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise APIResponseValidationError(f"{what} response has no {key!r} string", body=dict(data))
    return value


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _opt_id(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def unwrap(data: object, key: str) -> object:
    """``{"ok": true, "<key>": {...}}`` (the current API's wrapping) -> the inner object; else ``data``."""
    if isinstance(data, Mapping) and "id" not in data and isinstance(data.get(key), Mapping):
        return data[key]
    return data


def _str_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _opt_int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


#: A number above this is epoch *milliseconds* (year 2286 in seconds), below it epoch seconds.
_EPOCH_MS_THRESHOLD = 1e11


def _from_epoch(value: float) -> datetime | None:
    if not math.isfinite(value) or value < 0:
        return None
    if value > _EPOCH_MS_THRESHOLD:
        value /= 1000.0
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def parse_datetime(value: object) -> datetime | None:
    """ISO 8601 (``Z`` suffix included) or Unix seconds (the current API's job times) to an aware
    datetime; anything unparsable to ``None``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(float(value))
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _failure_reason(data: Mapping[str, Any]) -> str | None:
    for key in ("failure_reason", "reason", "error_message", "error", "message"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping) and isinstance(value.get("message"), str):
            return value["message"]
    return None


@dataclass(frozen=True)
class Interpretation:
    """What the server's generator understood in the prompt (an extension field, ``interpretation``).

    ``family`` is what was built ("cartesian", "lamp", "generic"...), ``understood`` the prompt
    phrases it acted on, ``ignored`` the words it did not use, ``notes`` approximations and
    left-out parts, and ``fallback`` is true when nothing was recognised.
    """

    family: str
    understood: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    fallback: bool = False

    @classmethod
    def from_raw(cls, value: object) -> Interpretation | None:
        """Parse tolerantly: ``None`` when absent or without a family, junk list items dropped."""
        if not isinstance(value, Mapping):
            return None
        family = value.get("family")
        if not isinstance(family, str) or not family:
            return None
        return cls(
            family=family,
            understood=_str_tuple(value.get("understood")),
            ignored=_str_tuple(value.get("ignored")),
            notes=_str_tuple(value.get("notes")),
            fallback=value.get("fallback") is True,
        )


@dataclass(frozen=True)
class Asset:
    """One generated 3D asset. ``raw`` keeps the full response, unknown fields included."""

    id: str
    status: AssetStatus
    name: str | None = None
    prompt: str | None = None
    created_at: datetime | None = None
    formats_available: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    #: Current API: the job generating this asset (while pending, ``id`` is that job's id too).
    job_id: str | None = None
    #: Current API: the scene the asset belongs to.
    scene_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: object, *, default_status: AssetStatus | None = None) -> Asset:
        """Parse an asset; ``default_status`` stands in when the body has no ``status`` at all."""
        body = _require_mapping(unwrap(data, "asset"), "an asset")
        status = body.get("status")
        return cls(
            id=_require_str(body, "id", "asset"),
            status=default_status if status is None and default_status is not None else AssetStatus(status),
            name=_opt_str(body.get("name")),
            prompt=_opt_str(body.get("prompt")),
            created_at=parse_datetime(body.get("created_at")),
            formats_available=_str_tuple(body.get("formats_available", body.get("formats"))),
            tags=_str_tuple(body.get("tags")),
            job_id=_opt_id(body.get("job_id")),
            scene_id=_opt_id(body.get("scene_id")),
            raw=_frozen_raw(body),
        )

    @classmethod
    def pending_job(cls, created: Mapping[str, Any], *, prompt: str, name: str | None, tags: Sequence[str]) -> Asset:
        """The placeholder ``assets.create`` returns on the current API, where ``POST /assets`` answers
        ``{ok, scene_id, job_id, status}`` and the asset id exists only once the job is done: its ``id``
        is the job id, which ``assets.wait`` accepts."""
        job = created.get("job")
        if "job_id" not in created and isinstance(job, Mapping):  # {"ok": true, "job": {"id": ...}}
            created = {**created, "job_id": job.get("id"), "scene_id": created.get("scene_id", job.get("scene_id"))}
        job_id = _require_str(created, "job_id", "POST /assets")
        return cls(
            id=job_id,
            status=AssetStatus.PENDING,
            name=name,
            prompt=prompt,
            tags=tuple(tags),
            job_id=job_id,
            scene_id=_opt_id(created.get("scene_id")),
            raw=_frozen_raw(created),
        )

    @property
    def status_text(self) -> str:
        """The status exactly as the server sent it (useful when ``status`` is ``UNKNOWN``)."""
        value = self.raw.get("status")
        return value if isinstance(value, str) else self.status.value

    @property
    def failure_reason(self) -> str | None:
        """Why generation failed, when the server says (only meaningful for ``FAILED``)."""
        return _failure_reason(self.raw) if self.status is AssetStatus.FAILED else None

    @property
    def interpretation(self) -> Interpretation | None:
        """What the generator understood, if the server says (the local server does once ready)."""
        return Interpretation.from_raw(self.raw.get("interpretation"))

    @property
    def progress(self) -> float | None:
        """Fraction done in 0..1 if the server reports one (an extension; the docs do not)."""
        value = self.raw.get("progress")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return min(max(float(value), 0.0), 1.0)
        return None


def _page_parts(
    data: object, key: str, parse: Callable[[object], T], *, limit: int, offset: int
) -> tuple[tuple[T, ...], int, int, int, Mapping[str, Any]]:
    """Items, total, limit, offset and raw of a documented list envelope; defaults from the request."""
    body = _require_mapping(data, f"a {key} list")
    items = body.get(key)
    if not isinstance(items, list):
        raise APIResponseValidationError(f"list response has no {key!r} array", body=dict(body))
    parsed = tuple(parse(item) for item in items)
    return (
        parsed,
        _opt_int(body.get("total"), offset + len(parsed)),
        _opt_int(body.get("limit"), limit),
        _opt_int(body.get("offset"), offset),
        _frozen_raw(body),
    )


class _Page(Generic[T]):
    """Iteration and ``len`` over a page's items, whatever the list is called in the envelope."""

    @property
    def items(self) -> tuple[T, ...]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class AssetPage(_Page[Asset]):
    """One page of ``GET /assets``."""

    assets: tuple[Asset, ...]
    total: int
    limit: int
    offset: int
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: object, *, limit: int, offset: int) -> AssetPage:
        return cls(*_page_parts(data, "assets", Asset.from_dict, limit=limit, offset=offset))

    @property
    def items(self) -> tuple[Asset, ...]:
        return self.assets


@dataclass(frozen=True)
class Export:
    """A pre-signed, time-limited download URL for one format of an asset or scene."""

    download_url: str
    expires_at: datetime | None
    format: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: object, *, format: str) -> Export:
        body = _require_mapping(data, "an export")
        return cls(
            download_url=_require_str(body, "download_url", "export"),
            expires_at=parse_datetime(body.get("expires_at")),
            format=_opt_str(body.get("format")) or format,
            raw=_frozen_raw(body),
        )

    def is_expired(self, now: datetime | None = None, margin: float = 0.0) -> bool:
        """True once ``expires_at`` (less ``margin`` seconds) has passed; unknown expiry never expires."""
        if self.expires_at is None:
            return False
        now = now or datetime.now(timezone.utc)
        return now >= self.expires_at - timedelta(seconds=margin)


@dataclass(frozen=True)
class Placement:
    """Where one asset sits in a scene: ``position`` in metres, ``orientation`` a (w, x, y, z) quaternion.

    Read from either shape: our extension's ``position: [x, y, z]`` / ``orientation: [w, x, y, z]``
    or the alpha Scenes page's ``position: {x, y, z}`` / ``rotation: {x, y, z, w}``.
    """

    asset_id: str
    position: tuple[float, ...] = (0.0, 0.0, 0.0)
    orientation: tuple[float, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: object) -> Placement:
        body = _require_mapping(data, "a placement")
        if "asset_id" not in body and isinstance(body.get("asset"), Mapping):
            body = {**body, "asset_id": body["asset"].get("id")}
        orientation = _num_tuple(body.get("orientation"))
        rotation = body.get("rotation")
        if not orientation and isinstance(rotation, Mapping):
            xyzw = _num_tuple([rotation.get(k) for k in ("x", "y", "z", "w")])
            orientation = (xyzw[3], *xyzw[:3]) if len(xyzw) == 4 else ()
        return cls(
            asset_id=_require_str(body, "asset_id", "placement"),
            position=_num_tuple(_xyz(body.get("position"))),
            orientation=orientation,
            raw=_frozen_raw(body),
        )

    @property
    def rotation(self) -> tuple[float, ...]:
        """The orientation in the alpha Scenes page's (x, y, z, w) order (empty when unknown)."""
        return (*self.orientation[1:], self.orientation[0]) if len(self.orientation) == 4 else ()


def _xyz(value: object) -> object:
    if isinstance(value, Mapping):
        return [value.get(k) for k in ("x", "y", "z")]
    return value


def _num_tuple(value: object) -> tuple[float, ...]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(float(v) for v in value if isinstance(v, (int, float)) and not isinstance(v, bool))
    return ()


#: Current-API scene pipeline states that mean "done and usable".
_SCENE_DONE = {"ready", "succeeded", "completed", "complete", "done"}


@dataclass(frozen=True)
class Scene:
    """Several placed assets composed into one environment that exports as a whole."""

    id: str
    name: str | None = None
    status: AssetStatus = AssetStatus.UNKNOWN
    placements: tuple[Placement, ...] = ()
    created_at: datetime | None = None
    formats_available: tuple[str, ...] = ()
    description: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: object) -> Scene:
        body = _require_mapping(unwrap(data, "scene"), "a scene")
        items = body.get("placements")
        if not isinstance(items, list):
            items = body.get("assets")  # the alpha Scenes page's name for the placed assets
        placements = tuple(
            Placement.from_dict(p)
            for p in (items if isinstance(items, list) else ())
            if isinstance(p, Mapping) and ("asset_id" in p or isinstance(p.get("asset"), Mapping))
        )
        status = body.get("status", body.get("pipeline_status"))
        if isinstance(status, str) and status.lower() in _SCENE_DONE:
            status = "ready"
        return cls(
            id=_require_str(body, "id", "scene"),
            name=_opt_str(body.get("name")),
            status=AssetStatus(status),
            placements=placements,
            created_at=parse_datetime(body.get("created_at")),
            formats_available=_str_tuple(body.get("formats_available", body.get("formats"))),
            description=_opt_str(body.get("description")),
            raw=_frozen_raw(body),
        )


@dataclass(frozen=True)
class ScenePage(_Page["Scene"]):
    """One page of ``GET /scenes``."""

    scenes: tuple[Scene, ...]
    total: int
    limit: int
    offset: int
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: object, *, limit: int, offset: int) -> ScenePage:
        return cls(*_page_parts(data, "scenes", Scene.from_dict, limit=limit, offset=offset))

    @property
    def items(self) -> tuple[Scene, ...]:
        return self.scenes
