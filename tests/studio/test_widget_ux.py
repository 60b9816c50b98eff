"""Kernel side of the Studio's issue-#11 features: retry, download, submit replies, row fields."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from gizmo_notebook.client import AsyncGizmoClient
from gizmo_notebook.studio.widget import _interpretation

from .conftest import custom_messages, drain, eventually, frontend


def _reply(studio: Any, req: str) -> tuple[dict[str, Any], list[bytes]]:
    return eventually(lambda: next(((m, b) for m, b in custom_messages(studio) if m.get("req") == req), None))


def _status(studio: Any, asset_id: str) -> str | None:
    return next((i["status"] for i in studio.items if i["id"] == asset_id), None)


def test_failed_item_carries_its_reason_and_retry_resubmits_prompt_name_tags_and_parent(
    make_studio: Any, make_local_server: Any
) -> None:
    failing = make_local_server(fail_rate=1.0)
    studio = make_studio(AsyncGizmoClient(api_key=failing.api_key, base_url=failing.base_url))
    drain(studio)
    asset = studio.generate("a banana", name="fruit", tags="a, b", parent="asset_parent0")
    eventually(lambda: _status(studio, asset.id) == "failed")
    item = next(i for i in studio.items if i["id"] == asset.id)
    assert item["failure_reason"].startswith("Simulated failure")
    assert any(n["kind"] == "failed" and n["asset"] == asset.id for n in studio.notices)

    frontend(studio, {"type": "retry", "id": asset.id})
    drain(studio)
    twin = next(a for a in studio.assets if a.id != asset.id)
    assert (twin.prompt, twin.name) == ("a banana", "fruit")
    assert next(i for i in studio.items if i["id"] == twin.id)["tags"] == ["a", "b"]
    assert studio.lineage(twin.id)[0] == "asset_parent0"
    # the old failure's banner goes: the row keeps the reason, the retry is the answer to it
    assert not any(n["kind"] == "failed" and n["asset"] == asset.id for n in studio.notices)
    assert _status(studio, asset.id) == "failed"  # the failed asset stays as it was


def test_ready_item_has_no_failure_reason(make_studio: Any) -> None:
    studio = make_studio()
    drain(studio)
    asset = studio.generate("a two link arm")
    studio.wait_idle(30)
    item = next(i for i in studio.items if i["id"] == studio.asset_id(asset.id))
    assert item["failure_reason"] == "" and item["status"] == "ready"


def test_a_generated_row_says_what_the_generator_understood_and_ignored(make_studio: Any) -> None:
    """End to end on the offline backend: the issue's own prompts reach the row with their
    interpretation (the banana as a fallback, with what was ignored), not as a bare "ready"."""
    studio = make_studio()
    drain(studio)
    banana = studio.generate("a banana")
    lamp = studio.generate("a desk lamp with two hinges")
    studio.wait_idle(60)
    items = {i["id"]: i for i in studio.items}
    fruit = items[studio.asset_id(banana.id)]["interpretation"]
    assert fruit is not None and fruit["fallback"] is True and fruit["ignored"] == ["banana"] and fruit["notes"], fruit
    furniture = items[studio.asset_id(lamp.id)]["interpretation"]
    assert furniture is not None and furniture["family"] == "lamp" and not furniture["fallback"], furniture
    assert "two hinges" in furniture["understood"], furniture


def test_generate_message_is_answered_so_the_box_can_clear_or_restore(make_studio: Any) -> None:
    studio = make_studio()
    drain(studio)
    frontend(studio, {"type": "generate", "prompt": "a two link arm", "name": "", "tags": "", "req": "g1"})
    frontend(studio, {"type": "generate", "prompt": "x" * 5000, "name": "", "tags": "", "req": "g2"})
    frontend(studio, {"type": "batch", "prompts": ["", " "], "tags": "", "req": "g3"})
    drain(studio)
    assert _reply(studio, "g1")[0] == {"type": "submitted", "req": "g1", "ok": True}
    assert _reply(studio, "g2")[0] == {"type": "submitted", "req": "g2", "ok": False}
    assert _reply(studio, "g3")[0] == {"type": "submitted", "req": "g3", "ok": False}


def test_export_path_is_absolute_and_download_sends_the_file_or_a_zip(make_studio: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    studio = make_studio(export_dir="gizmo-exports")  # relative to the kernel's folder
    drain(studio)
    asset = studio.generate("a two link arm")
    studio.wait_idle(30)
    asset = next(a for a in studio.assets if a.id == studio.asset_id(asset.id))  # current: job -> asset
    for fmt in ("mujoco_mjcf", "isaac_sim_urdf"):
        frontend(studio, {"type": "export", "id": asset.id, "format": fmt})
        drain(studio)
        shown = Path(studio.exports[asset.id][fmt])
        assert shown.is_absolute() and shown.exists() and tmp_path.resolve() in shown.parents
        frontend(studio, {"type": "download", "id": asset.id, "format": fmt, "req": f"d-{fmt}"})
        drain(studio)
        msg, [data] = _reply(studio, f"d-{fmt}")
        assert msg["type"] == "download"
        if shown.is_file():
            assert msg["name"] == shown.name and data == shown.read_bytes()
        else:
            assert msg["name"] == f"{shown.name}.zip"
            files = sorted(p for p in shown.rglob("*") if p.is_file())
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                assert sorted(zf.namelist()) == sorted(p.relative_to(shown).as_posix() for p in files)


def test_download_before_export_is_a_plain_error(make_studio: Any) -> None:
    studio = make_studio()
    drain(studio)
    frontend(studio, {"type": "download", "id": "asset_nope", "format": "mujoco_mjcf", "req": "d1"})
    drain(studio)
    msg, _ = _reply(studio, "d1")
    assert msg["type"] == "geometry_error" and "click Export first" in msg["notice"]["text"]
    assert "MJCF (MuJoCo)" in msg["notice"]["text"], "the format as the export menu names it"


def test_a_failed_export_names_the_format_as_the_menu_does(make_studio: Any) -> None:
    studio = make_studio()
    drain(studio)
    frontend(studio, {"type": "export", "id": "asset_nope", "format": "isaac_sim_usd"})
    drain(studio)
    texts = [n["text"] for n in studio.notices]
    assert any("USD (Isaac Sim)" in t for t in texts) and not any("isaac_sim_usd" in t for t in texts), texts


def test_interpretation_of_a_real_asset_record_reaches_the_row() -> None:
    """The client's ``Asset`` parses ``interpretation`` into a dataclass: the row gets all of it,
    fallback and notes included (a banana must not read as a plain "ready")."""
    from gizmo_notebook.client import Asset

    banana = {"family": "generic", "understood": [], "ignored": ["banana"],
              "notes": ["nothing matched, so this is the fallback: a generic housing"], "fallback": True}
    asset = Asset.from_dict({"id": "ast_1", "status": "ready", "prompt": "a banana", "interpretation": banana})
    assert _interpretation(asset) == banana
    lamp = Asset.from_dict({"id": "ast_2", "status": "ready", "interpretation": {
        "family": "lamp", "understood": ["desk lamp", "two hinges"], "ignored": []}})
    assert _interpretation(lamp) == {"family": "lamp", "understood": ["desk lamp", "two hinges"], "ignored": [],
                                     "notes": [], "fallback": False}
    # older backends say nothing; malformed ones are tolerated, junk items dropped
    assert _interpretation(Asset.from_dict({"id": "ast_3", "status": "ready"})) is None
    assert _interpretation(Asset.from_dict({"id": "ast_4", "status": "ready", "interpretation": "arm"})) is None
    odd = Asset.from_dict({"id": "ast_5", "status": "ready",
                           "interpretation": {"family": "arm", "understood": "arm", "ignored": ["x", {"y": 1}, 2]}})
    assert _interpretation(odd) == {"family": "arm", "understood": [], "ignored": ["x"], "notes": [], "fallback": False}
    # a record that only has the raw body (a scene's placeholder, a stub) is read the same way
    assert _interpretation(SimpleNamespace(raw={"interpretation": banana})) == banana
    assert _interpretation(SimpleNamespace()) is None


def test_preview_meta_carries_the_total_mass_for_compare(make_studio: Any) -> None:
    from gizmo_notebook import load

    studio = make_studio()
    drain(studio)
    asset = studio.generate("a two link arm")
    studio.wait_idle(30)
    frontend(studio, {"type": "preview", "id": asset.id, "req": "p1"})
    drain(studio, 120)
    msg, _ = _reply(studio, "p1")
    path = studio.export(asset.id, "mujoco_mjcf")
    model = load(path)
    expected = sum(link.inertial.mass for link in model.links if link.inertial is not None)
    assert expected > 0 and abs(msg["meta"]["total_mass"] - expected) < 1e-6 * expected


def test_retry_in_a_gizmo_cell_follows_the_new_asset(make_studio: Any, make_local_server: Any) -> None:
    failing = make_local_server(fail_rate=1.0)
    studio = make_studio(AsyncGizmoClient(api_key=failing.api_key, base_url=failing.base_url), _mode="job")
    drain(studio)
    asset = studio.generate("a banana")
    studio.focus = asset.id
    eventually(lambda: _status(studio, asset.id) == "failed")
    frontend(studio, {"type": "retry", "id": asset.id, "req": "r1"})
    drain(studio)
    msg, _ = _reply(studio, "r1")
    assert msg["ok"] is True and msg["id"] != asset.id
    assert studio.focus == msg["id"]  # the cell now shows the retry, not the failure


def test_retry_of_an_unknown_asset_is_a_plain_notice(make_studio: Any) -> None:
    studio = make_studio()
    drain(studio)
    frontend(studio, {"type": "retry", "id": "asset_nope", "req": "r2"})
    drain(studio)
    assert any("unknown asset 'asset_nope'" in n["text"] for n in studio.notices)
