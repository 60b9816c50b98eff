"""The Studio's scene mode on the real local server, both contracts (the ``api_version`` fixture).

Current API: one prompt -> a scene job followed like an asset job (live stage, Cancel), a scene
row, a preview that is ONE composed model of every placed asset, exports via ``scenes.download``.
Alpha: the switch is disabled with the reason, and a scene request is refused inline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gizmo_notebook as gn
from gizmo_notebook.model import AssetModel, Joint, Link, Pose
from gizmo_notebook.studio._scenes import ALPHA_REASON

from .conftest import async_client, custom_messages, drain, eventually, frontend

PROMPT = "a workbench table, a two link arm and a 4-tier shelf"


def _row(studio: Any, row_id: str) -> dict[str, Any] | None:
    return next((i for i in studio.items if i["id"] == row_id), None)


def test_scene_mode_switch_says_which_api_allows_it(make_studio: Any, api_version: str) -> None:
    studio = make_studio()
    drain(studio)
    eventually(lambda: studio.scene_mode.get("checked"))
    if api_version == "current":
        assert studio.scene_mode["available"] is True and studio.scene_mode["reason"] == ""
    else:
        assert studio.scene_mode["available"] is False and studio.scene_mode["reason"] == ALPHA_REASON
        assert "current Gizmo API" in ALPHA_REASON


def test_alpha_refuses_a_scene_inline_and_makes_nothing(make_studio: Any, api_version: str) -> None:
    if api_version != "alpha":
        pytest.skip("the alpha API has no prompt-to-scene")
    studio = make_studio()
    drain(studio)
    frontend(studio, {"type": "generate", "mode": "scene", "prompt": PROMPT, "req": "s1"})
    drain(studio)
    [reply] = [m for m, _ in custom_messages(studio) if m.get("req") == "s1"]
    assert reply["type"] == "submitted" and reply["ok"] is False
    [notice] = studio.notices
    assert "alpha" in notice["text"] and "Traceback" not in notice["text"]
    assert studio.items == [] and studio.scenes == []


def test_scene_from_one_prompt_row_preview_and_export(
    make_studio: Any, make_local_server: Any, api_version: str, tmp_path: Path
) -> None:
    if api_version != "current":
        pytest.skip("scenes from a prompt are a current-API feature")
    # a job that takes a second, so its stages can be seen (with none it could finish between
    # two looks, and the row never showed a stage: a flake on a busy machine)
    studio = make_studio(async_client(make_local_server(latency=1.0)), export_dir=tmp_path / "exports")
    drain(studio)
    placeholder = studio.generate_scene(PROMPT)
    row = _row(studio, placeholder.id)
    assert row is not None and row["kind"] == "scene" and row["job"] == placeholder.id
    staged = eventually(lambda: (r := _row(studio, placeholder.id)) and "/5" in r["stage"] and r)
    assert staged["stage"].split()[0] in ("planning", "geometry", "layout", "articulation", "validation")
    studio.wait_idle(60)
    [scene] = studio.scenes
    assert studio.asset_id(placeholder.id) == scene.id and studio.assets == []
    row = _row(studio, scene.id)
    assert row is not None and row["kind"] == "scene" and row["status"] == "ready" and row["parts"] == 3
    assert row["prompt"] == PROMPT and _row(studio, placeholder.id) is None

    frontend(studio, {"type": "preview", "id": placeholder.id, "req": "p1"})  # by job id: it maps to the scene
    drain(studio, 120)
    [(msg, buffers)] = [(m, b) for m, b in custom_messages(studio) if m.get("req") == "p1"]
    assert msg["type"] == "geometry" and msg["id"] == scene.id, msg
    meta = msg["meta"]
    assert meta["scene_parts"] == 3 and buffers
    mounts = [j for j in meta["joints"] if j["name"].endswith("_placement")]
    assert [j["name"] for j in mounts] == ["a0_placement", "a1_placement", "a2_placement"]
    assert all(j["type"] == "fixed" and j["parent"] == meta["root"] for j in mounts)
    xs = [j["origin"][12] for j in mounts]  # column-major 4x4: translation x at index 12
    assert xs == sorted(xs) and len(set(xs)) == 3, "each part at its own place in the row"
    assert len({link["name"].split("_", 1)[0] for link in meta["links"] if link["name"] != meta["root"]}) == 3

    frontend(studio, {"type": "export", "id": scene.id, "format": "mujoco_mjcf"})
    drain(studio, 120)
    path = Path(studio.exports[scene.id]["mujoco_mjcf"])
    xml = [p for p in ([path] if path.is_file() else path.rglob("*.xml"))]
    assert xml and "a2_" in xml[0].read_text(encoding="utf-8")
    # the row offers the current API's names (mjcf, usd, sdf): those export too
    assert row["formats"] == ["mjcf", "usd", "sdf"]
    frontend(studio, {"type": "export", "id": scene.id, "format": "sdf"})
    drain(studio, 120)
    sdf = Path(studio.exports[scene.id]["sdf"])
    assert any(sdf.rglob("model.sdf")) and not [n for n in studio.notices if n["kind"] != "info"]


def test_a_failed_scene_job_says_why_and_retries_as_a_scene(make_studio: Any, make_local_server: Any, api_version: str) -> None:
    if api_version != "current":
        pytest.skip("scenes from a prompt are a current-API feature")
    flaky = make_local_server(fail_rate=1.0)
    studio = make_studio(async_client(flaky))
    drain(studio)
    placeholder = studio.generate_scene(PROMPT)
    studio.wait_idle(60)
    row = _row(studio, placeholder.id)
    assert row is not None and row["status"] == "failed" and "Simulated failure" in row["failure_reason"]
    assert [n["kind"] for n in studio.notices] == ["failed"]
    frontend(studio, {"type": "retry", "id": placeholder.id, "req": "r1"})
    drain(studio)
    [reply] = [m for m, _ in custom_messages(studio) if m.get("req") == "r1"]
    assert reply["ok"] is True
    rows = [i for i in studio.items if i["kind"] == "scene"]
    assert len(rows) == 2 and all(i["prompt"] == PROMPT for i in rows)


def test_compose_placed_hangs_each_model_under_a_fixed_joint_at_its_pose() -> None:
    arm = AssetModel("arm", [Link("base"), Link("tip")], [Joint("elbow", "revolute", "base", "tip")])
    composed = gn.compose_placed("cell", [(arm, Pose((1.0, 0.0, 0.0))), (arm, Pose((0.0, 2.0, 0.5), (0.0, 0.0, 1.0)))])
    assert composed.root.name == "scene"
    assert [j.name for j in composed.joints] == ["a0_placement", "a0_elbow", "a1_placement", "a1_elbow"]
    assert [j.name for j in composed.movable_joints] == ["a0_elbow", "a1_elbow"]
    placed = composed.link_transforms()
    assert placed["a0_base"][:3, 3].tolist() == [1.0, 0.0, 0.0]
    assert placed["a1_base"][:3, 3].tolist() == [0.0, 2.0, 0.5]
    with pytest.raises(ValueError, match="no placed assets"):
        gn.compose_placed("empty", [])


def test_a_later_studio_lists_the_ready_scenes_and_resumes_a_building_one_once(make_studio: Any, api_version: str) -> None:
    """A restarted kernel's Studio shows the scenes an earlier Studio made, as it shows assets;
    a scene still being built comes back through its job only (one row, not two)."""
    if api_version != "current":
        pytest.skip("scenes from a prompt are a current-API feature")
    first = make_studio()
    drain(first)
    first.generate_scene(PROMPT)
    first.wait_idle(60)
    [made] = first.scenes
    building = first.generate_scene("a low bench and a lamp")  # left running when `first` goes
    first.close()

    later = make_studio()
    drain(later)
    eventually(lambda: later.scene_mode.get("checked"))
    ids = [i["id"] for i in later.items]
    assert made.id in ids and len(ids) == len(set(ids)), ids
    row = _row(later, made.id)
    assert row is not None and row["kind"] == "scene" and row["status"] == "ready" and row["parts"] == 3
    assert row["prompt"] == PROMPT
    later.wait_idle(60)
    scenes = later.scenes
    assert sorted(s.id for s in scenes) == sorted({made.id, later.asset_id(building.id)}), scenes
    # one row per scene (the resumed job's placeholder became the scene's row), none twice; the
    # scenes' parts are the service's assets too and are listed as such
    assert len(later.items) == len({i["id"] for i in later.items})
    assert sorted(i["id"] for i in later.items if i["kind"] == "scene") == sorted(s.id for s in scenes)


def test_a_scene_list_that_fails_keeps_the_assets_and_says_what_failed(
    make_studio: Any, api_version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if api_version != "current":
        pytest.skip("only the current API lists scenes")
    from gizmo_notebook.studio._client_adapter import ClientAdapter

    first = make_studio()
    drain(first)
    asset = first.generate("a two link arm")
    first.wait_idle(60)
    ready = first.assets[0].id
    first.close()

    async def refused(self: Any, limit: int) -> Any:
        raise gn.client.APIConnectionError("connection reset while listing scenes")

    monkeypatch.setattr(ClientAdapter, "list_scenes", refused)
    later = make_studio()
    drain(later)
    eventually(lambda: later.notices)
    assert [i["id"] for i in later.items] == [ready], (asset, later.items)
    [notice] = later.notices
    assert notice["text"].startswith("listing the scenes:") and "asset list" not in notice["text"], notice
