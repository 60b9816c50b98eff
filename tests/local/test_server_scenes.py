"""/v1/scenes: placing ready assets on a ground plane and exporting the lot as one file."""

from __future__ import annotations

import io
import math
import re
import time
import zipfile
from typing import Any

import httpx
import pytest

from gizmo_notebook.formats import EXPORT_FORMATS

SCENE_ID = re.compile(r"scn_[0-9a-hjkmnp-tv-z]{14}")


def ready_asset(client: httpx.Client, prompt: str) -> str:
    asset_id = client.post("assets", json={"prompt": prompt}).json()["id"]
    deadline = time.monotonic() + 30
    while client.get(f"assets/{asset_id}").json()["status"] != "ready":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return asset_id


@pytest.fixture
def two_assets(local_server) -> tuple[Any, str, str]:
    with local_server.client() as client:
        arm = ready_asset(client, "A compact 4-DOF arm with a two finger gripper")
        table = ready_asset(client, "A 1.2 m wide table")
    return local_server, arm, table


def test_create_get_and_list_scenes(two_assets) -> None:
    account, arm, table = two_assets
    body = {
        "name": "Work cell",
        "placements": [
            {"asset_id": table, "position": [0, 0, 0]},
            {"asset_id": arm, "position": [0.2, -0.1, 0.75], "orientation": [2, 0, 0, 0]},
            {"asset_id": arm, "position": [-0.3, 0, 0.75], "rpy": [0, 0, math.pi / 2]},
        ],
    }
    with account.client() as client:
        created = client.post("scenes", json=body)
        assert created.status_code == 201, created.text
        scene = created.json()
        fetched = client.get(f"scenes/{scene['id']}").json()
        second = client.post("scenes", json={"placements": [{"asset_id": table}]}).json()
        listing = client.get("scenes", params={"limit": 1}).json()
        full = client.get("scenes").json()
    assert SCENE_ID.fullmatch(scene["id"])
    assert scene == fetched
    assert scene["status"] == "ready" and scene["name"] == "Work cell"
    assert sorted(scene["formats_available"]) == sorted(EXPORT_FORMATS)
    placements = scene["placements"]
    assert placements[0] == {"asset_id": table, "position": [0.0, 0.0, 0.0], "orientation": [1.0, 0.0, 0.0, 0.0]}
    assert placements[1]["orientation"] == [1.0, 0.0, 0.0, 0.0]  # normalised
    w, x, y, z = placements[2]["orientation"]
    assert (w, z) == pytest.approx((math.cos(math.pi / 4), math.sin(math.pi / 4)))  # rpy -> quaternion
    assert second["name"] == "Scene with 1 asset"
    assert [s["id"] for s in listing["scenes"]] == [second["id"]]
    assert (listing["total"], listing["limit"], listing["offset"]) == (2, 1, 0)
    assert [s["id"] for s in full["scenes"]] == [second["id"], scene["id"]]


def test_scene_exports_load_in_mujoco_and_ship_every_asset(two_assets) -> None:
    import mujoco

    account, arm, table = two_assets
    with account.client() as client:
        scene = client.post("scenes", json={"name": "Cell", "placements": [
            {"asset_id": table}, {"asset_id": arm, "position": [0, 0, 0.75]}]}).json()
        urls = {fmt: client.post(f"scenes/{scene['id']}/export", json={"format": fmt}).json()["download_url"]
                for fmt in EXPORT_FORMATS}
        arm_alone = client.post(f"assets/{arm}/export", json={"format": "mujoco_mjcf"}).json()["download_url"]
    files = {fmt: httpx.get(url) for fmt, url in urls.items()}
    assert {r.status_code for r in files.values()} == {200}
    assert "/exports/" + scene["id"] + "/" in urls["mujoco_mjcf"]
    scene_model = mujoco.MjModel.from_xml_string(files["mujoco_mjcf"].text)
    arm_model = mujoco.MjModel.from_xml_string(httpx.get(arm_alone).text)
    assert scene_model.njnt >= arm_model.njnt > 0  # the arm's joints made it into the scene
    assert scene_model.nbody > arm_model.nbody
    with zipfile.ZipFile(io.BytesIO(files["isaac_sim_urdf"].content)) as archive:
        urdf = [n for n in archive.namelist() if n.endswith(".urdf")]
        assert urdf == ["cell.urdf"]
        text = archive.read(urdf[0]).decode()
    assert "a0_" in text and "a1_" in text
    assert b"UsdPhysics" in files["isaac_sim_usd"].content or b"Physics" in files["isaac_sim_usd"].content


@pytest.mark.parametrize(
    ("placement", "status", "code"),
    [
        ({"position": [0, 0, 0]}, 400, "MISSING_REQUIRED_FIELD"),
        ({"asset_id": 5}, 400, "MISSING_REQUIRED_FIELD"),
        ({"asset_id": "ast_zzzzzzzzzzzzzz"}, 404, "ASSET_NOT_FOUND"),
        ({"asset_id": "{arm}", "position": [0, 0]}, 400, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "position": [0, 0, "1"]}, 400, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "position": [0, 0, 1e9]}, 400, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "position": [0, True, 0]}, 400, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "orientation": [0, 0, 0, 0]}, 400, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "orientation": [1, 0, 0]}, 400, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "orientation": [1, 0, 0, 0], "rpy": [0, 0, 0]}, 400, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "rpy": [0, 0, 1e300]}, 400, "INVALID_PLACEMENT"),
        ("not an object", 400, "INVALID_PLACEMENT"),
    ],
)
def test_bad_placements(two_assets, placement: Any, status: int, code: str) -> None:
    account, arm, _ = two_assets
    if isinstance(placement, dict) and placement.get("asset_id") == "{arm}":
        placement = {**placement, "asset_id": arm}
    with account.client() as client:
        response = client.post("scenes", json={"placements": [placement]})
        total = client.get("scenes").json()["total"]
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert set(response.json()) == {"error", "code", "message"}
    assert "placements[0]" in response.json()["message"]
    assert total == 0


@pytest.mark.parametrize("placements", [None, [], "x", [{}] * 51])
def test_placements_must_be_a_short_nonempty_list(local_server, placements: Any) -> None:
    with local_server.client() as client:
        response = client.post("scenes", json={} if placements is None else {"placements": placements})
    assert response.status_code == 400
    assert response.json()["code"] in {"MISSING_REQUIRED_FIELD", "INVALID_PLACEMENT"}


def test_scene_of_an_unready_asset_is_400(make_local_server) -> None:
    account = make_local_server(latency=30.0)
    with account.client() as client:
        asset = client.post("assets", json={"prompt": "A shelf"}).json()
        response = client.post("scenes", json={"placements": [{"asset_id": asset["id"]}]})
    assert response.status_code == 400 and response.json()["code"] == "ASSET_NOT_READY"


def test_scenes_are_scoped_to_the_key(two_assets) -> None:
    account, arm, _ = two_assets
    other = account.server.create_key()
    with account.client() as client, account.client(api_key=other) as stranger:
        scene = client.post("scenes", json={"placements": [{"asset_id": arm}]}).json()
        get = stranger.get(f"scenes/{scene['id']}")
        export = stranger.post(f"scenes/{scene['id']}/export", json={"format": "mujoco_mjcf"})
        borrow = stranger.post("scenes", json={"placements": [{"asset_id": arm}]})
        bad_format = client.post(f"scenes/{scene['id']}/export", json={"format": "fbx"})
        listing = stranger.get("scenes").json()
    assert get.status_code == 404 and get.json()["code"] == "SCENE_NOT_FOUND"
    assert export.status_code == 404 and export.json()["code"] == "SCENE_NOT_FOUND"
    assert borrow.status_code == 404 and borrow.json()["code"] == "ASSET_NOT_FOUND"
    assert bad_format.status_code == 400 and "mujoco_mjcf" in bad_format.json()["message"]
    assert listing["total"] == 0


def test_read_only_key_cannot_create_scenes(two_assets) -> None:
    account, arm, _ = two_assets
    read_only = account.server.create_key(read_only=True)
    with account.client(api_key=read_only) as client:
        response = client.post("scenes", json={"placements": [{"asset_id": arm}]})
    assert response.status_code == 403 and response.json()["code"] == "INSUFFICIENT_PERMISSION"


def test_the_alpha_page_create_then_place(two_assets) -> None:
    """The alpha Scenes page exactly: a named empty scene, then assets placed one by one with
    ``{x, y, z}`` / ``{x, y, z, w}``; the same asset may be placed twice; an export made before a
    placement is not served after it (it would miss the new asset)."""
    account, arm, table = two_assets
    with account.client() as client:
        created = client.post("scenes", json={"name": "Warehouse Workcell Alpha"})
        scene_id = created.json()["id"]
        empty_export = client.post(f"scenes/{scene_id}/export", json={"format": "mujoco_mjcf"})
        first = client.post(f"scenes/{scene_id}/assets", json={"asset_id": table})
        url_one = client.post(f"scenes/{scene_id}/export", json={"format": "mujoco_mjcf"}).json()["download_url"]
        one_body = httpx.get(url_one).text
        placed = client.post(f"scenes/{scene_id}/assets", json={
            "asset_id": arm, "position": {"x": 0.2, "y": -0.1, "z": 0.75}, "rotation": {"x": 0, "y": 0, "z": 1, "w": 1}})
        again = client.post(f"scenes/{scene_id}/assets", json={"asset_id": arm, "position": {"x": -0.3, "y": 0, "z": 0.75}})
        url_three = client.post(f"scenes/{scene_id}/export", json={"format": "mujoco_mjcf"}).json()["download_url"]
        fetched = client.get(f"scenes/{scene_id}").json()
        described = client.post("scenes", json={"name": "Cell", "description": "Assembly cell"}).json()
    assert created.status_code == 201
    assert created.json()["description"] is None and created.json()["assets"] == []
    assert empty_export.status_code == 400 and empty_export.json()["code"] == "SCENE_EMPTY"
    assert f"scenes/{scene_id}/assets" in empty_export.json()["message"]
    assert first.status_code == 201 and len(first.json()["assets"]) == 1
    assert placed.status_code == 201 and again.status_code == 201
    assert [a["asset_id"] for a in fetched["assets"]] == [table, arm, arm]
    assert fetched["assets"][0] == {"asset_id": table, "position": {"x": 0.0, "y": 0.0, "z": 0.0},
                                    "rotation": {"x": 0.0, "y": 0.0, "z": 0.0, "w": 1.0}}
    rotation = fetched["assets"][1]["rotation"]  # normalised
    assert rotation["z"] == pytest.approx(math.sqrt(0.5)) and rotation["w"] == pytest.approx(math.sqrt(0.5))
    assert fetched["assets"][1]["position"] == {"x": 0.2, "y": -0.1, "z": 0.75}
    assert [p["asset_id"] for p in fetched["placements"]] == [table, arm, arm]  # our shape, same content
    three_body = httpx.get(url_three).text
    assert three_body != one_body and three_body.count("<body") > one_body.count("<body")
    assert described["description"] == "Assembly cell"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"description": "no name"}, 400, "MISSING_REQUIRED_FIELD"),
        ({"name": "x", "description": 3}, 400, "INVALID_FIELD_TYPE"),
    ],
)
def test_creating_an_empty_scene_needs_a_name(local_server, body: dict, status: int, code: str) -> None:
    with local_server.client() as client:
        response = client.post("scenes", json=body)
        total = client.get("scenes").json()["total"]
    assert response.status_code == status and response.json()["code"] == code
    assert total == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "MISSING_REQUIRED_FIELD"),
        ({"asset_id": "ast_doesnotexist00"}, "ASSET_NOT_FOUND"),
        ({"asset": "x", "position": {"x": 1}}, "MISSING_REQUIRED_FIELD"),
        ({"asset_id": "{arm}", "position": {"x": 1, "q": 2}}, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "position": {"x": "far"}}, "INVALID_PLACEMENT"),
        ({"asset_id": "{arm}", "rotation": {"x": 0, "y": 0, "z": 0, "w": 0}}, "INVALID_PLACEMENT"),
    ],
)
def test_bad_placements_by_the_alpha_route_change_nothing(two_assets, body: dict, code: str) -> None:
    account, arm, _ = two_assets
    body = {k: (arm if v == "{arm}" else v) for k, v in body.items()}
    with account.client() as client:
        scene_id = client.post("scenes", json={"name": "cell"}).json()["id"]
        response = client.post(f"scenes/{scene_id}/assets", json=body)
        after = client.get(f"scenes/{scene_id}").json()
    assert response.status_code in (400, 404) and response.json()["code"] == code, response.text
    assert after["assets"] == []


def test_placing_is_scoped_to_the_key_and_needs_write_access(two_assets) -> None:
    account, arm, _ = two_assets
    other = account.server.create_key()
    read_only = account.server.create_key(read_only=True)
    with account.client() as client, account.client(api_key=other) as stranger, \
            account.client(api_key=read_only) as reader:
        scene_id = client.post("scenes", json={"name": "mine"}).json()["id"]
        theirs = stranger.post(f"scenes/{scene_id}/assets", json={"asset_id": arm})
        own_scene = stranger.post("scenes", json={"name": "theirs"}).json()["id"]
        borrowed = stranger.post(f"scenes/{own_scene}/assets", json={"asset_id": arm})
        read = reader.post(f"scenes/{scene_id}/assets", json={"asset_id": arm})
        after = client.get(f"scenes/{scene_id}").json()
    assert theirs.status_code == 404 and theirs.json()["code"] == "SCENE_NOT_FOUND"
    assert borrowed.status_code == 404 and borrowed.json()["code"] == "ASSET_NOT_FOUND"
    assert read.status_code == 403
    assert after["assets"] == []


def test_every_scene_request_authenticates_once(two_assets, monkeypatch) -> None:
    """One request, one authentication: a second would take a second rate-limit token. Refusals
    (403 read-only, 404 another key's scene, 401 unknown key) are unchanged and also count once."""
    from gizmo_notebook.local.context import ServerContext

    account, arm, _ = two_assets
    other = account.server.create_key()
    read_only = account.server.create_key(read_only=True)
    seen: list[tuple[str, str]] = []
    authenticate = ServerContext.authenticate

    def counting(self: ServerContext, request: Any) -> Any:
        seen.append((request.method, request.url.path.removeprefix("/v1/")))
        return authenticate(self, request)

    monkeypatch.setattr(ServerContext, "authenticate", counting)
    with account.client() as client, account.client(api_key=other) as stranger, \
            account.client(api_key=read_only) as reader, account.client(api_key="gz_not_a_key") as anonymous:
        scene_id = client.post("scenes", json={"name": "cell"}).json()["id"]
        statuses = {
            "place": client.post(f"scenes/{scene_id}/assets", json={"asset_id": arm}).status_code,
            "get": client.get(f"scenes/{scene_id}").status_code,
            "list": client.get("scenes").status_code,
            "export": client.post(f"scenes/{scene_id}/export", json={"format": "mujoco_mjcf"}).status_code,
            "stranger": stranger.post(f"scenes/{scene_id}/assets", json={"asset_id": arm}).status_code,
            "reader": reader.post(f"scenes/{scene_id}/assets", json={"asset_id": arm}).status_code,
            "anonymous": anonymous.post(f"scenes/{scene_id}/assets", json={"asset_id": arm}).status_code,
        }
    assert statuses == {"place": 201, "get": 200, "list": 200, "export": 200,
                        "stranger": 404, "reader": 403, "anonymous": 401}
    place = ("POST", f"scenes/{scene_id}/assets")
    assert seen == [("POST", "scenes"), place, ("GET", f"scenes/{scene_id}"), ("GET", "scenes"),
                    ("POST", f"scenes/{scene_id}/export"), place, place, place]
