"""The documented request options of ``POST /v1/assets`` / ``POST /v1/scenes`` on the real current server.

``tags`` are kept on the asset (an extension, as on alpha); ``model`` and ``asset_pipeline`` are
recorded on the job and the planning stage says what ran instead; ``persist: false`` keeps nothing.
"""

from __future__ import annotations

import pytest
from _current_api import generate_asset, read_events, wait_job


def test_tags_are_kept_on_the_asset_and_in_lists(current_server) -> None:
    client = current_server.client()
    asset_id, _ = generate_asset(client, "workbench table", tags=["cell", "v2"])
    assert client.get(f"assets/{asset_id}").json()["asset"]["tags"] == ["cell", "v2"]
    listed = {a["id"]: a for a in client.get("assets").json()["assets"]}
    assert listed[asset_id]["tags"] == ["cell", "v2"]
    plain, _ = generate_asset(client, "4-tier shelf")
    assert client.get(f"assets/{plain}").json()["asset"]["tags"] == []


@pytest.mark.parametrize(
    ("tags", "msg"),
    [("cell", "array of strings"), ([1], "tags[0] must be a string"), ([" "], "must not be blank"), (["x"] * 21, "at most 20")],
)
def test_bad_tags_are_a_422_on_the_field_and_make_nothing(current_server, tags, msg) -> None:
    client = current_server.client()
    before = client.get("assets").json()["total"]
    response = client.post("assets", json={"prompt": "workbench table", "tags": tags})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"]["code"] == "validation_error" and msg in body["error"]["message"]
    assert body["detail"][0]["loc"] == ["body", "tags"]
    assert client.get("assets").json()["total"] == before


def test_model_and_pipeline_are_recorded_and_reported_as_what_ran(current_server) -> None:
    client = current_server.client()
    created = client.post("assets", json={"prompt": "robot gripper", "model": "planner-xl", "asset_pipeline": "cad"})
    assert created.status_code == 202 and set(created.json()) == {"ok", "scene_id", "job_id", "status"}
    job_id = created.json()["job_id"]
    job = wait_job(client, job_id)
    assert job["status"] == "succeeded"
    assert (job["model"], job["asset_pipeline"], job["persist"]) == ("planner-xl", "cad", True)
    planning = next(e["data"] for e in read_events(client, job_id) if e["type"] == "stage_complete")
    assert planning["stage"] == "planning"
    assert planning["requested_model"] == "planner-xl" and planning["requested_asset_pipeline"] == "cad"
    assert planning["asset_pipeline"] == "gizmo" and planning["model"] != "planner-xl"
    notes = " ".join(planning["pipeline_notes"])
    assert "planner-xl" in notes and "cad (B-rep)" in notes and "not available offline" in notes

    default_id, default_job = generate_asset(client, "robot gripper")
    assert (default_job["model"], default_job["asset_pipeline"], default_job["persist"]) == (None, "auto", True)
    plain = next(e["data"] for e in read_events(client, default_job["id"]) if e["type"] == "stage_complete")
    assert "pipeline_notes" not in plain and plain["requested_asset_pipeline"] == "auto"


@pytest.mark.parametrize(("field", "value"), [("asset_pipeline", "brep"), ("persist", "no"), ("model", 3)])
def test_bad_options_are_a_422_naming_the_field(current_server, field, value) -> None:
    response = current_server.client().post("assets", json={"prompt": "robot gripper", field: value})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_asset_not_persisted_is_in_the_result_only(current_server) -> None:
    client = current_server.client()
    before = client.get("assets").json()["total"]
    created = client.post("assets", json={"prompt": "workbench table", "persist": False, "tags": ["tmp"]})
    assert created.status_code == 202
    job = wait_job(client, created.json()["job_id"])
    assert job["status"] == "succeeded" and job["persist"] is False
    result = job["result"]
    assert result["persisted"] is False and [a["id"] for a in result["assets"]] == [result["asset_id"]]
    inline = result["assets"][0]
    assert inline["prompt"] == "workbench table" and inline["tags"] == ["tmp"] and inline["status"] == "ready"
    missing = client.get(f"assets/{result['asset_id']}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "asset_not_found"
    assert client.get("assets").json()["total"] == before
    scene = client.get(f"scenes/{result['scene_id']}").json()["scene"]
    assert result["asset_id"] not in scene["asset_ids"]


def test_scene_not_persisted_leaves_no_scene_and_no_assets(current_server) -> None:
    client = current_server.client()
    scenes_before = client.get("scenes").json()["total"]
    assets_before = client.get("assets").json()["total"]
    created = client.post("scenes", json={"prompt": "a workbench table and a shelf", "persist": False})
    assert created.status_code == 202
    scene_id = created.json()["scene_id"]
    job = wait_job(client, created.json()["job_id"])
    assert job["status"] == "succeeded", job
    result = job["result"]
    assert result["persisted"] is False and len(result["assets"]) == len(result["asset_ids"]) == 2
    assert all(a["scene_id"] == scene_id for a in result["assets"])
    assert client.get(f"scenes/{scene_id}").status_code == 404
    assert client.get("scenes").json()["total"] == scenes_before
    assert client.get("assets").json()["total"] == assets_before
