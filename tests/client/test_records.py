"""API records are typed, immutable and tolerant of an alpha API that grows fields."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import httpx
import pytest

from gizmo_notebook.client import Asset, AssetPage, AssetStatus, Export, Scene

from .conftest import asset_json


def test_documented_asset_parses_to_types():
    asset = Asset.from_dict(asset_json(tags=["arm", "6dof"]))
    assert asset.status is AssetStatus.READY and asset.status == "ready"
    assert asset.created_at == datetime(2024, 11, 12, 9, 41, tzinfo=timezone.utc)
    assert asset.formats_available == ("isaac_sim_usd", "isaac_sim_urdf", "mujoco_mjcf")
    assert asset.tags == ("arm", "6dof")


def test_unknown_fields_are_kept_in_raw_and_missing_optionals_are_fine():
    asset = Asset.from_dict({"id": "ast_1", "status": "pending", "gpu_seconds": 12.5, "preview": {"url": "x"}})
    assert asset.raw["gpu_seconds"] == 12.5 and asset.raw["preview"] == {"url": "x"}
    assert asset.name is None and asset.prompt is None and asset.created_at is None
    assert asset.formats_available == () and asset.tags == ()


@pytest.mark.parametrize("status", ["queued", "READY?", "", None, 3])
def test_unknown_status_does_not_crash(status):
    asset = Asset.from_dict({"id": "ast_1", "status": status})
    assert asset.status is AssetStatus.UNKNOWN
    if isinstance(status, str):
        assert asset.status_text == status


# Numbers are Unix seconds now (the current API's job times), so a bare 12345 is a valid time.
@pytest.mark.parametrize("created_at", ["yesterday", "2024-13-45T00:00:00Z", [12345], True, -5, float("nan"), ""])
def test_bad_timestamps_become_none(created_at):
    assert Asset.from_dict({"id": "a", "status": "ready", "created_at": created_at}).created_at is None


def test_timestamp_without_zone_is_utc_and_offsets_are_kept():
    naive = Asset.from_dict({"id": "a", "status": "ready", "created_at": "2024-11-12T09:41:00"})
    assert naive.created_at.tzinfo is not None
    offset = Asset.from_dict({"id": "a", "status": "ready", "created_at": "2024-11-12T09:41:00+02:00"})
    assert offset.created_at == datetime(2024, 11, 12, 7, 41, tzinfo=timezone.utc)


def test_records_are_immutable_and_raw_is_read_only():
    source = asset_json(extra={"nested": [1, 2]})
    asset = Asset.from_dict(source)
    with pytest.raises(dataclasses.FrozenInstanceError):
        asset.status = AssetStatus.FAILED  # type: ignore[misc]
    with pytest.raises(TypeError):
        asset.raw["id"] = "other"  # type: ignore[index]
    source["extra"]["nested"].append(3)  # the caller's dict is copied, not shared
    assert asset.raw["extra"]["nested"] == [1, 2]


def test_failure_reason_and_progress():
    failed = Asset.from_dict({"id": "a", "status": "failed", "failure_reason": "prompt too vague"})
    assert failed.failure_reason == "prompt too vague"
    assert Asset.from_dict({"id": "a", "status": "ready", "failure_reason": "x"}).failure_reason is None
    assert Asset.from_dict({"id": "a", "status": "processing", "progress": 0.4}).progress == 0.4
    assert Asset.from_dict({"id": "a", "status": "processing", "progress": 7}).progress == 1.0
    assert Asset.from_dict({"id": "a", "status": "processing", "progress": "half"}).progress is None


def test_page_defaults_when_metadata_is_missing():
    page = AssetPage.from_dict({"assets": [asset_json("a"), asset_json("b")]}, limit=20, offset=40)
    assert (page.total, page.limit, page.offset) == (42, 20, 40)
    assert [a.id for a in page] == ["a", "b"] and len(page) == 2


def test_export_expiry():
    export = Export.from_dict(
        {"download_url": "https://cdn/x", "expires_at": "2024-11-12T11:41:00Z"}, format="mujoco_mjcf"
    )
    assert export.format == "mujoco_mjcf"
    assert export.is_expired(datetime(2024, 11, 12, 11, 41, tzinfo=timezone.utc))
    assert not export.is_expired(datetime(2024, 11, 12, 11, 0, tzinfo=timezone.utc))
    assert export.is_expired(datetime(2024, 11, 12, 11, 40, 55, tzinfo=timezone.utc), margin=10)
    assert not Export.from_dict({"download_url": "https://cdn/x"}, format="mujoco_mjcf").is_expired()


def test_scene_parses_placements():
    scene = Scene.from_dict(
        {
            "id": "scn_1",
            "status": "ready",
            "name": "cell",
            "placements": [{"asset_id": "ast_1", "position": [1, 2, 0], "orientation": [1, 0, 0, 0]}],
            "lighting": "studio",
        }
    )
    assert scene.placements[0].position == (1.0, 2.0, 0.0)
    assert scene.placements[0].orientation == (1.0, 0.0, 0.0, 0.0)
    assert scene.raw["lighting"] == "studio" and scene.status is AssetStatus.READY


def test_client_returns_records_with_raw(api, make_client):
    api.add("GET", "/v1/assets/ast_1", httpx.Response(200, json=asset_json(status="queued", shiny=True)))
    asset = make_client().assets.get("ast_1")
    assert asset.status is AssetStatus.UNKNOWN and asset.raw["shiny"] is True
