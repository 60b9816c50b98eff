"""Scenes generated from a prompt, and ZIP exports, on the real current-contract server.

Every archive is unpacked and loaded by the tool its format is for: MuJoCo compiles the MJCF,
usd-core opens the USD layer and finds the articulation, libsdformat parses the SDF (when
installed; see ``conftest.sdf_checker``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import mujoco
import pytest
from _current_api import generate_asset, read_events, wait_job
from pxr import Usd, UsdPhysics

SCENE_STAGES = ["planning", "geometry", "layout", "articulation", "validation"]
PROMPT = "A workshop with two robot arms, a conveyor belt and a 4-tier shelf"


def _unzip(response, dest: Path) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.content[:2] == b"PK"
    assert "attachment" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        archive.extractall(dest)
        return sorted(archive.namelist())


def _generate_scene(client, prompt: str = PROMPT) -> tuple[str, dict]:
    created = client.post("scenes", json={"prompt": prompt})
    assert created.status_code == 202, created.text
    body = created.json()
    assert body["ok"] is True and body["status"] == "queued" and body["job_id"].startswith("job_")
    job = wait_job(client, body["job_id"])
    assert job["status"] == "succeeded" and job["mode"] == "scene", job
    return body["scene_id"], job


def test_scene_from_a_prompt(current_server) -> None:
    client = current_server.client()
    scene_id, job = _generate_scene(client)
    events = read_events(client, job["id"])
    stages = [e["data"]["stage"] for e in events if e["type"] == "stage_complete"]
    assert stages == SCENE_STAGES
    assert {e["data"]["total"] for e in events if e["type"].startswith("stage_")} == {5}
    ready = [e["data"] for e in events if e["type"] == "asset_ready"]
    assert [r["name"] for r in ready] == ["robot arms 1", "robot arms 2", "conveyor belt", "4-tier shelf"]
    assert [r["index"] for r in ready] == [1, 2, 3, 4] and {r["count"] for r in ready} == {4}
    assert job["result"]["asset_ids"] == [r["asset_id"] for r in ready] and job["result"]["scene_id"] == scene_id

    scene = client.get(f"scenes/{scene_id}").json()["scene"]
    assert scene["status"] == "ready" and scene["prompt"] == PROMPT and scene["asset_ids"] == job["result"]["asset_ids"]
    xs = [a["position"]["x"] for a in scene["assets"]]
    assert xs == sorted(xs) and len(set(xs)) == 4, "laid out in a row, side by side"
    assert all(a["rotation"] == {"x": 0.0, "y": 0.0, "z": 0.0, "w": 1.0} for a in scene["assets"])
    assert isinstance(scene["created_at"], int)
    status = client.get(f"scenes/{scene_id}/status").json()
    assert status["pipeline_status"] == "ready" and status["job_id"] == job["id"] and status["error"] is None
    assert [(s["name"], s["status"]) for s in status["pipeline_stages"]] == [(n, "completed") for n in SCENE_STAGES]
    assert client.get("assets", params={"scene_id": scene_id}).json()["total"] == 4
    assert [s["id"] for s in client.get("scenes").json()["scenes"]] == [scene_id]


def test_scene_patch_and_delete(current_server) -> None:
    client = current_server.client()
    scene_id, job = _generate_scene(client, "a table and a shelf")
    patched = client.patch(f"scenes/{scene_id}", json={"name": "Cell A", "description": "pick and place"})
    assert patched.status_code == 200
    assert (patched.json()["scene"]["name"], patched.json()["scene"]["description"]) == ("Cell A", "pick and place")
    assert client.get(f"scenes/{scene_id}").json()["scene"]["name"] == "Cell A"
    bad = client.patch(f"scenes/{scene_id}", json={"name": ""})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "name"]
    assert client.patch(f"scenes/{scene_id}", json={}).status_code == 422
    deleted = client.delete(f"scenes/{scene_id}")
    assert deleted.json() == {"ok": True, "id": scene_id, "deleted": True}
    gone = client.get(f"scenes/{scene_id}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "scene_not_found"
    assert client.get(f"assets/{job['result']['asset_ids'][0]}").status_code == 404
    assert client.post(f"scenes/{scene_id}/export", json={"format": "mjcf"}).status_code == 404


def test_asset_exports_load_in_their_simulators(current_server, tmp_path: Path, sdf_checker) -> None:
    client = current_server.client()
    asset_id, _ = generate_asset(client, "A 6-DOF robot arm with a suction gripper")

    names = _unzip(client.post(f"assets/{asset_id}/export", json={"format": "mjcf"}), tmp_path / "mjcf")
    (xml,) = names
    compiled = mujoco.MjModel.from_xml_path(str(tmp_path / "mjcf" / xml))
    assert compiled.nu >= 6

    names = _unzip(client.post(f"assets/{asset_id}/export", params={"format": "usd"}), tmp_path / "usd")
    (usda,) = names
    stage = Usd.Stage.Open(str(tmp_path / "usd" / usda))
    assert stage.GetDefaultPrim().HasAPI(UsdPhysics.ArticulationRootAPI)
    assert sum(1 for p in stage.Traverse() if p.IsA(UsdPhysics.RevoluteJoint)) >= 6

    names = _unzip(client.post(f"assets/{asset_id}/export", json={"format": "sdf"}), tmp_path / "sdf")
    assert {"model.sdf", "model.config"} <= set(names)
    assert any(n.startswith("meshes/") and n.endswith(".stl") for n in names)  # the suction cup is a mesh
    parsed = sdf_checker(tmp_path / "sdf" / "model.sdf")
    assert len(parsed["joints"]) >= 7  # world mount + 6 arm joints (+ gripper)

    # the alpha format names still work; the same request gives the same bytes (cached, deterministic)
    again = client.post(f"assets/{asset_id}/export", json={"format": "mujoco_mjcf"})
    assert again.content == client.post(f"assets/{asset_id}/export", json={"format": "mjcf"}).content


def test_scene_exports_hold_every_asset(current_server, tmp_path: Path, sdf_checker) -> None:
    client = current_server.client()
    scene_id, job = _generate_scene(client, "a robot arm and a workbench table")
    _unzip(client.post(f"scenes/{scene_id}/export", json={"format": "mjcf"}), tmp_path / "mjcf")
    (xml,) = list((tmp_path / "mjcf").glob("*.xml"))
    compiled = mujoco.MjModel.from_xml_path(str(xml))
    bodies = {compiled.body(i).name for i in range(compiled.nbody)}
    assert any(b.startswith("a0_") for b in bodies) and any(b.startswith("a1_") for b in bodies)
    data = mujoco.MjData(compiled)
    mujoco.mj_step(compiled, data, 100)

    _unzip(client.post(f"scenes/{scene_id}/export", json={"format": "usd"}), tmp_path / "usd")
    (usda,) = list((tmp_path / "usd").glob("*.usda"))
    assert Usd.Stage.Open(str(usda)).GetDefaultPrim().IsValid()

    _unzip(client.post(f"scenes/{scene_id}/export", json={"format": "sdf"}), tmp_path / "sdf")
    parsed = sdf_checker(tmp_path / "sdf" / "model.sdf")
    assert "ground" in parsed["links"] and any(name.startswith("a1_") for name in parsed["links"])

    # adding an asset to the scene changes the export (never a stale cached archive)
    before = client.post(f"scenes/{scene_id}/export", json={"format": "mjcf"}).content
    generate_asset(client, "lidar sensor housing", scene_id=scene_id)
    after = client.post(f"scenes/{scene_id}/export", json={"format": "mjcf"}).content
    assert after != before and b"a2_" in zipfile.ZipFile(io.BytesIO(after)).read(zipfile.ZipFile(io.BytesIO(after)).namelist()[0])


@pytest.mark.parametrize(
    ("body", "params", "loc"),
    [
        ({}, None, ["body", "format"]),
        ({"format": "isaac_sim_urdf"}, None, ["body", "format"]),
        ({"format": 3}, None, ["body", "format"]),
        (None, {"format": "obj"}, ["query", "format"]),
    ],
)
def test_export_format_errors_are_422_naming_the_field(current_server, body, params, loc) -> None:
    client = current_server.client()
    asset_id, _ = generate_asset(client, "table")
    response = client.post(f"assets/{asset_id}/export", json=body, params=params)
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"]["code"] == "validation_error" and payload["error"]["status"] == 422
    assert payload["detail"][0]["loc"] == loc and "mjcf, usd, sdf" in payload["detail"][0]["msg"]
    if body and body.get("format") == "isaac_sim_urdf":
        assert "URDF is not offered" in payload["error"]["message"]


def test_scene_export_waits_for_its_job(make_local_server) -> None:
    server = make_local_server(api="current", latency=3.0)
    client = server.client()
    created = client.post("scenes", json={"prompt": "two shelves"}).json()
    busy = client.post(f"scenes/{created['scene_id']}/export", json={"format": "sdf"})
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "scene_not_ready"
    running = client.get(f"scenes/{created['scene_id']}/status").json()
    assert running["pipeline_status"] in ("queued", "running")
    assert [s["status"] for s in running["pipeline_stages"]][-1] == "pending"
    client.post(f"jobs/{created['job_id']}/cancel")
    cancelled = client.get(f"scenes/{created['scene_id']}/status").json()
    assert cancelled["pipeline_status"] == "cancelled" and cancelled["error"] == "Cancelled by the client."


def test_edit_adds_to_a_scene_without_moving_what_is_there(current_server) -> None:
    client = current_server.client()
    scene_id, job = _generate_scene(client, "a table and a shelf")
    before = {a["asset_id"]: a["position"] for a in client.get(f"scenes/{scene_id}").json()["scene"]["assets"]}
    edited = client.post(f"scenes/{scene_id}/edit", json={"prompt": "add a robot arm"})
    assert edited.status_code == 202 and edited.json()["scene_id"] == scene_id
    edit_job = wait_job(client, edited.json()["job_id"])
    assert edit_job["status"] == "succeeded" and edit_job["mode"] == "scene"
    (new_id,) = edit_job["result"]["asset_ids"]
    scene = client.get(f"scenes/{scene_id}").json()["scene"]
    after = {a["asset_id"]: a["position"] for a in scene["assets"]}
    assert {k: after[k] for k in before} == before and after[new_id]["x"] > max(p["x"] for p in before.values())
    composed = read_events(client, edit_job["id"])
    articulation = next(e["data"] for e in composed if e["type"] == "stage_complete" and e["data"]["stage"] == "articulation")
    assert any(name.startswith("a2_") for name in articulation["movable_joints"])  # the whole scene was composed
    assert client.post(f"scenes/{scene_id}/edit", json={}).status_code == 422
    assert client.post("scenes/0000000000000000/edit", json={"prompt": "arm"}).status_code == 404
