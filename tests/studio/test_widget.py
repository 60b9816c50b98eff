"""Drive the Studio widget model as the browser would, against the real local server.

Every test runs against both contracts (``api_version`` in tests/conftest.py). On the current
API a new row is first keyed by its job id and becomes the asset once the job is done;
``_resolved`` follows that swap so the same assertions hold for both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from gizmo_notebook.client import AsyncGizmoClient, GizmoClient
from gizmo_notebook.studio import _runtime
from gizmo_notebook.studio._protocol import FORMAT_LABELS
from gizmo_notebook.studio.lineage import LineageStore

from .conftest import (
    async_client,
    custom_messages,
    drain,
    eventually,
    everything_sent,
    frontend,
    frontend_set,
)


def _resolved(studio: Any, row_id: str) -> str:
    """The asset id a row id stands for now (a finished job's id -> the asset it made)."""
    return studio._jobs.assets.get(row_id, row_id)


def _item(studio: Any, asset_id: str) -> dict[str, Any]:
    asset_id = _resolved(studio, asset_id)
    return next(i for i in studio.items if i["id"] == asset_id)


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((_longest_string(v) for v in value.values()), default=0)
    if isinstance(value, (list, tuple)):
        return max((_longest_string(v) for v in value), default=0)
    return 0


def _status(studio: Any, asset_id: str) -> str | None:
    asset_id = _resolved(studio, asset_id)
    for i in studio.items:
        if i["id"] == asset_id:
            return i["status"]
    return None


def test_generate_from_the_prompt_box_goes_live_to_ready(make_studio: Any) -> None:
    studio = make_studio()
    drain(studio)
    assert studio.items == [] and studio.total == 0 and studio.listed  # an empty account, loaded
    frontend(studio, {"type": "generate", "prompt": "  a two-link planar arm  ", "name": "Arm A", "tags": "arm, v1 ,arm"})
    drain(studio)
    [item] = studio.items
    assert item["name"] == "Arm A" and item["prompt"] == "a two-link planar arm"
    assert item["tags"] == ["arm", "v1"] and item["created_at"]
    eventually(lambda: _status(studio, item["id"]) == "ready")
    ready = _item(studio, item["id"])
    assert ready["name"] == "Arm A" and ready["tags"] == ["arm", "v1"] and ready["stage"] == ""
    assert {"mujoco_mjcf", "isaac_sim_usd"} <= {_alpha_name(f) for f in ready["formats"]}
    assert set(ready["formats"]) <= set(FORMAT_LABELS)  # the row's export menu names each one
    eventually(lambda: not studio.polling)  # nothing pending: the poller stopped
    assert studio.visible == [ready["id"]] and studio.notices == []


def _alpha_name(fmt: str) -> str:
    return {"mjcf": "mujoco_mjcf", "usd": "isaac_sim_usd", "urdf": "isaac_sim_urdf"}.get(fmt, fmt)


def test_blank_prompt_shows_a_message_and_sends_nothing(make_studio: Any, local_server: Any) -> None:
    studio = make_studio()
    drain(studio)
    for prompt in ["", "   \n ", None]:
        frontend(studio, {"type": "generate", "prompt": prompt})
        drain(studio)
    assert [n["kind"] for n in studio.notices] == ["validation"]
    assert "prompt is empty" in studio.notices[0]["text"]
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        assert c.assets.list(limit=10, offset=0).total == 0  # no request reached the server
    with pytest.raises(ValueError, match="prompt is empty"):
        studio.generate("  ")
    # ... and the widget still works afterwards; the stale message goes away.
    studio.generate("a gripper with two fingers")
    assert studio.notices == []


def test_python_api_generate_assets_selected_on_ready(make_studio: Any) -> None:
    studio = make_studio()
    drain(studio)
    ready: list[Any] = []
    studio.on_ready(ready.append)
    asset = studio.generate("a three link arm", name="py", tags=["x"])
    assert str(asset.status) in ("pending", "processing", "ready")
    studio.wait_idle(30)
    assert [a.id for a in ready] == [_resolved(studio, asset.id)] and str(ready[0].status) == "ready"
    assert [a.id for a in studio.assets] == [ready[0].id]
    frontend_set(studio, selected=[ready[0].id])
    assert studio.selected == [ready[0].id]


def test_pagination_filters_and_search(make_studio: Any, local_server: Any) -> None:
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        made = [c.assets.create(f"arm number {i}", tags=["even" if i % 2 == 0 else "odd"]) for i in range(25)]
        # Current API: an asset is listed once its job is done.
        made = [c.assets.wait(a.id, timeout=60, progress=False) for a in made]
        server_order = [a.id for a in c.assets.list(limit=100, offset=0).assets]
    studio = make_studio(page_size=10)
    drain(studio)
    assert len(studio.items) == 10 and studio.total == 25 and studio.has_more
    frontend(studio, {"type": "load_more"})
    drain(studio)
    frontend(studio, {"type": "load_more"})
    drain(studio)
    ids = [i["id"] for i in studio.items]
    assert len(ids) == 25 == len(set(ids)) and not studio.has_more
    assert set(ids) == {a.id for a in made}
    assert ids == server_order  # newest first, as the service lists them
    eventually(lambda: all(i["status"] == "ready" for i in studio.items))
    # Both offline servers keep tags (on the current contract an extension, like ``name``).
    assert studio.tag_options == ["even", "odd"]
    frontend_set(studio, filter_tag="odd")
    eventually(lambda: len(studio.visible) == 12)
    frontend_set(studio, search="NUMBER 1")  # case-insensitive, on name/prompt/id/tags
    eventually(lambda: sorted(_item(studio, i)["prompt"] for i in studio.visible) == [f"arm number {n}" for n in (1, 11, 13, 15, 17, 19)])
    frontend_set(studio, filter_tag="", search="", filter_status="failed")
    eventually(lambda: studio.visible == [])
    assert studio.tag_options == ["even", "odd"]


def test_iterate_records_lineage_that_survives_a_new_studio(make_studio: Any, local_server: Any, tmp_path: Path) -> None:
    store = LineageStore(tmp_path / "lineage.json")
    studio = make_studio(lineage=store)
    drain(studio)
    job_or_asset = studio.generate("a two link arm", tags="arm").id
    studio.wait_idle(30)
    parent = studio.assets[0]
    frontend(studio, {"type": "generate", "prompt": "a two link arm, longer links", "tags": "arm", "parent": job_or_asset})
    drain(studio)
    studio.wait_idle(30)
    child = next(i for i in studio.items if i["id"] != parent.id)
    assert child["parent"] == parent.id and child["tags"] == ["arm"]  # bookkeeping tag hidden
    studio.close()
    assert _runtime.task_count() == 0  # closing left no task behind
    assert json.loads((tmp_path / "lineage.json").read_text())["parents"] == {child["id"]: parent.id}
    if local_server.api == "alpha":  # the current API keeps no tags: lineage lives in the file only
        with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
            assert f"parent:{parent.id}" in c.assets.get(child["id"]).tags  # on the server too
    again = make_studio(lineage=LineageStore(tmp_path / "lineage.json"))
    drain(again)
    assert {i["id"] for i in again.items} == {parent.id, child["id"]}
    assert _item(again, child["id"])["parent"] == parent.id
    assert again.lineage(child["id"]) == [parent.id]
    if local_server.api == "current":
        return
    # Lineage also survives losing the local file (the tag is on the server)...
    (tmp_path / "lineage.json").unlink()
    third = make_studio(lineage=LineageStore(tmp_path / "lineage.json"))
    drain(third)
    assert _item(third, child["id"])["parent"] == parent.id


def test_export_preview_and_thumbnail_travel_as_files_and_binary_buffers(make_studio: Any, tmp_path: Path) -> None:
    studio = make_studio(export_dir=tmp_path / "gizmo-exports")
    drain(studio)
    studio.generate("a two link arm")
    studio.wait_idle(30)
    [asset] = studio.assets
    frontend(studio, {"type": "export", "id": asset.id, "format": "mujoco_mjcf"})
    drain(studio)
    shown = studio.exports[asset.id]["mujoco_mjcf"]
    path = Path(shown) if Path(shown).is_absolute() else Path.cwd() / shown
    assert path.exists() and tmp_path in path.resolve().parents
    assert any(p.suffix == ".xml" and p.stat().st_size > 0 for p in ([path] if path.is_file() else path.rglob("*")))
    frontend(studio, {"type": "preview", "id": asset.id, "req": "r1"})
    drain(studio, 120)
    [(msg, buffers)] = [(m, b) for m, b in custom_messages(studio) if m.get("req") == "r1"]
    assert msg["type"] == "geometry" and msg["id"] == asset.id, msg
    assert buffers and all(isinstance(b, bytes) and len(b) > 0 for b in buffers)
    # the geometry is in the buffers, not base64 in the JSON (the loader's notes are sentences)
    assert _longest_string({**msg, "meta": {k: v for k, v in msg["meta"].items() if k != "notes"}}) < 100
    # Thumbnail: first geometry (rendered by the browser), then the PNG it sends back is reused.
    frontend(studio, {"type": "thumb", "id": asset.id, "req": "t1"})
    drain(studio, 120)
    [(thumb, _)] = [(m, b) for m, b in custom_messages(studio) if m.get("req") == "t1"]
    assert thumb["type"] == "geometry" and thumb["purpose"] == "thumb"
    png = b"\x89PNG\r\n\x1a\n" + b"fake-but-signed"
    frontend(studio, {"type": "thumb_png", "id": asset.id}, [png])
    drain(studio)
    frontend(studio, {"type": "thumb", "id": asset.id, "req": "t2"})
    drain(studio)
    [(cached, cbufs)] = [(m, b) for m, b in custom_messages(studio) if m.get("req") == "t2"]
    assert cached["type"] == "thumb" and cbufs == [png]


def test_preview_of_an_unready_asset_is_a_plain_error(make_studio: Any, make_local_server: Any) -> None:
    slow = make_local_server(latency=600.0)
    studio = make_studio(async_client(slow))
    drain(studio)
    asset = studio.generate("a two link arm")
    frontend(studio, {"type": "preview", "id": asset.id, "req": "p"})
    drain(studio)
    [(msg, _)] = [(m, b) for m, b in custom_messages(studio) if m.get("req") == "p"]
    assert msg["type"] == "geometry_error" and "ready" in msg["notice"]["text"]


def test_batch_generates_concurrently_with_progress(make_studio: Any) -> None:
    studio = make_studio(batch_concurrency=3)
    drain(studio)
    frontend(studio, {"type": "batch", "prompts": ["a two link arm", "", "a gripper", "a three link arm"], "tags": "b1"})
    drain(studio, 60)
    assert studio.batch["total"] == 3 and studio.batch["submitted"] == 3 and studio.batch["failed"] == 0
    assert not studio.batch["running"] and len(studio.batch["ids"]) == 3
    eventually(lambda: all(_status(studio, i) == "ready" for i in studio.batch["ids"]))
    assert all(_item(studio, i)["tags"] == ["b1"] for i in studio.batch["ids"])


def test_closing_leaves_no_task_and_a_new_studio_resumes_polling(make_studio: Any, make_local_server: Any) -> None:
    slow = make_local_server(latency=2.0)
    client = async_client(slow)
    studio = make_studio(client)
    drain(studio)
    asset = studio.generate("a two link arm")
    assert studio.polling and (studio._poller.running or studio._jobs.running)
    studio.close()
    assert _runtime.task_count() == 0 and not studio._poller.running and not studio._jobs.running
    again = make_studio(client)
    drain(again)
    # (Current API: the running job is not in GET /assets; the Studio remembered it and follows it.)
    assert _status(again, asset.id) in ("pending", "processing")  # shown from the server...
    eventually(lambda: _status(again, asset.id) == "ready")  # ...and polled to ready again


def test_the_api_key_never_reaches_the_front_end(make_studio: Any, local_server: Any, tmp_path: Path) -> None:
    studio = make_studio(export_dir=tmp_path / "gizmo-exports")
    drain(studio)
    asset = studio.generate("a two link arm", tags="secret-check")
    studio.wait_idle(30)
    frontend(studio, {"type": "preview", "id": asset.id, "req": "k"})
    frontend(studio, {"type": "export", "id": asset.id, "format": "isaac_sim_urdf"})
    frontend(studio, {"type": "generate", "prompt": ""})
    drain(studio, 120)
    key = local_server.api_key
    assert key not in everything_sent(studio)
    assert key not in json.dumps(studio.get_state(), default=str)
    assert key not in repr(studio)
    from ipywidgets.embed import embed_data

    assert key not in json.dumps(embed_data(views=[studio])["manager_state"], default=str)
    assert not any("key" in name.lower() for name in studio.keys)


def test_studio_state_carries_no_bundle_only_a_ref_to_the_shared_one(make_studio: Any) -> None:
    import trimesh

    from gizmo_notebook.viewer import view
    from gizmo_notebook.viewer.transport import BUNDLE_PATH, Bundle

    first, second = make_studio(_load=False), make_studio(_load=False)
    viewer = view(trimesh.creation.box())
    source = BUNDLE_PATH.read_text()
    assert len(source) > 100_000  # what used to travel with every Studio
    for studio in (first, second):
        [opened] = [m for m in studio.comm.sent if m["msg_type"] == "comm_open"]
        state = opened["data"]["state"]
        assert len(state["_esm"]) < 2000
        assert state["_bundle"] == f"IPY_MODEL_{viewer._bundle.model_id}"  # one Bundle model per kernel
        assert isinstance(studio._bundle, Bundle) and studio._bundle is viewer._bundle
        assert _longest_string(state) < 2000 and not any(len(b) > 2000 for b in opened["buffers"])
        assert source[-300:] not in everything_sent(studio)


# --------------------------------------------------------------------------- faults


def test_wrong_key_401_is_explained_and_the_widget_keeps_working(make_studio: Any, local_server: Any) -> None:
    studio = make_studio(
        AsyncGizmoClient(api_key="gz_wrong_key_123", base_url=local_server.base_url, api_version=local_server.api)
    )
    drain(studio)
    [notice] = studio.notices
    assert notice["kind"] == "auth" and "401" in notice["text"] and "GIZMO_API_KEY" in notice["hint"]
    assert studio.listed is False  # the counter says "not loaded", not "0 of 0 (0 in account)"
    frontend(studio, {"type": "generate", "prompt": "a two link arm"})
    drain(studio)
    assert [n["kind"] for n in studio.notices] == ["auth"]  # same message, not a pile of them
    assert "gz_wrong_key_123" not in everything_sent(studio)
    frontend(studio, {"type": "generate", "prompt": ""})
    drain(studio)
    assert {n["kind"] for n in studio.notices} == {"auth", "validation"}


def test_generation_failure_is_shown_per_asset(make_studio: Any, make_local_server: Any) -> None:
    failing = make_local_server(fail_rate=1.0)
    studio = make_studio(async_client(failing))
    drain(studio)
    asset = studio.generate("a two link arm")
    eventually(lambda: _status(studio, asset.id) == "failed")
    notice = eventually(lambda: next((n for n in studio.notices if n["kind"] == "failed"), None))
    assert notice["asset"] == asset.id and "Rephrase" in notice["hint"]
    assert not studio.polling or eventually(lambda: not studio.polling)


class Outage:
    """A transport that can 'pull the cable' (ConnectError) or answer 429, else forwards to the real server."""

    def __init__(self) -> None:
        self.down = False
        self.throttle = 0
        self.requests = 0
        self._real = httpx.AsyncHTTPTransport()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.throttle:
            self.throttle -= 1
            return httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "rate_limited", "code": "RATE_LIMITED", "message": "slow down"})
        response = await self._real.handle_async_request(request)
        await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


def _client_with(transport: Any, account: Any) -> AsyncGizmoClient:
    return AsyncGizmoClient(
        api_key=account.api_key,
        base_url=account.base_url,
        transport=httpx.MockTransport(transport),
        max_retries=0,
        api_version=account.api,  # no version probe: the throttled request must be the one under test
    )


def test_network_down_then_back(make_studio: Any, local_server: Any) -> None:
    outage = Outage()
    studio = make_studio(_client_with(outage, local_server))
    drain(studio)
    outage.down = True
    frontend(studio, {"type": "generate", "prompt": "a two link arm"})
    drain(studio)
    [notice] = studio.notices
    assert notice["kind"] == "network" and "cannot reach" in notice["text"]
    outage.down = False
    frontend(studio, {"type": "generate", "prompt": "a two link arm"})
    drain(studio)
    assert studio.notices == [] and len(studio.items) == 1
    eventually(lambda: studio.items[0]["status"] == "ready")


def test_network_drop_while_polling_backs_off_and_recovers(make_studio: Any, make_local_server: Any) -> None:
    slow = make_local_server(latency=1.5)
    outage = Outage()
    studio = make_studio(_client_with(outage, slow), poll_interval=0.1)
    drain(studio)
    asset = studio.generate("a two link arm")
    outage.down = True
    notice = eventually(lambda: next((n for n in studio.notices if n["kind"] == "network"), None))
    assert "Next check in" in notice["hint"]
    assert studio._poller.delay > 0.1 or studio._jobs.retries  # backing off
    outage.down = False
    eventually(lambda: _status(studio, asset.id) == "ready", timeout=30)
    assert not any(n["kind"] == "network" for n in studio.notices)


def test_429_on_generate_and_on_polling(make_studio: Any, local_server: Any) -> None:
    outage = Outage()
    studio = make_studio(_client_with(outage, local_server), poll_interval=0.1)
    drain(studio)
    outage.throttle = 1
    frontend(studio, {"type": "generate", "prompt": "a two link arm"})
    drain(studio)
    [notice] = studio.notices
    assert notice["kind"] == "rate_limit" and "429" in notice["text"]
    asset = studio.generate("a two link arm")  # keeps working
    outage.throttle = 2  # the next two status checks are throttled
    eventually(lambda: _status(studio, asset.id) == "ready", timeout=30)
    assert studio._poller.stats.rate_limited >= 1 or studio._jobs.retries >= 1


def test_batch_rides_out_a_429(make_studio: Any, local_server: Any) -> None:
    outage = Outage()
    studio = make_studio(_client_with(outage, local_server), batch_concurrency=2)
    drain(studio)
    outage.throttle = 2
    created = studio.generate_batch(["a two link arm", "a gripper", "a three link arm"])
    assert len(created) == 3 and studio.batch["submitted"] == 3 and studio.batch["failed"] == 0


# --------------------------------------------------------------------------- current API only


@pytest.fixture
def current_only(api_version: str) -> None:
    if api_version != "current":
        pytest.skip("a current-API behaviour (credits, jobs, rate-limit headers)")


def test_out_of_credits_402_is_explained_inline_and_stops_a_batch(current_only: None, make_studio: Any, make_local_server: Any) -> None:
    poor = make_local_server(credits=2)
    studio = make_studio(async_client(poor))
    drain(studio)
    first = studio.generate("a two link arm")
    studio.wait_idle(30)
    frontend(studio, {"type": "batch", "prompts": ["a gripper", "a three link arm", "a rover", "a crane"]})
    drain(studio, 60)
    # One credit was left: one prompt went through, then 402 ended the batch without a traceback.
    assert studio.batch["submitted"] == 1 and studio.batch["failed"] == 3 and not studio.batch["running"]
    [notice] = [n for n in studio.notices if n["kind"] == "credits"]
    assert "402" in notice["text"] and "credits" in notice["text"] and "remaining prompts were not sent" in notice["text"]
    assert "dashboard" in notice["hint"] and "--credits" in notice["hint"]
    frontend(studio, {"type": "generate", "prompt": "one more arm"})
    drain(studio)
    assert [n["kind"] for n in studio.notices].count("credits") == 1  # one message, not a pile
    studio.wait_idle(30)
    assert _status(studio, first.id) == "ready" and len(studio.items) == 2  # nothing lost, nothing doubled


def test_cancel_from_the_row_ends_the_job_as_cancelled(current_only: None, make_studio: Any, make_local_server: Any) -> None:
    slow = make_local_server(latency=30.0)
    studio = make_studio(async_client(slow))
    drain(studio)
    placeholder = studio.generate("a two link arm", name="to cancel")
    row = eventually(lambda: next((i for i in studio.items if i["stage"] not in ("", "queued", "starting")), None))
    assert row["job"] == placeholder.id and row["status"] == "processing"
    assert row["stage"].split()[0] in ("planning", "geometry", "articulation", "validation") and "/4" in row["stage"]
    frontend(studio, {"type": "cancel", "id": placeholder.id})
    eventually(lambda: _status(studio, placeholder.id) == "cancelled")
    assert [n["kind"] for n in studio.notices] == ["cancelled"] and not studio._jobs.running
    with pytest.raises(ValueError, match="not a running job"):
        studio.cancel(placeholder.id)


def test_a_batch_of_50_paces_itself_under_the_rate_limit(
    current_only: None, make_studio: Any, make_local_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve --rate-limit``: 50 prompts plus their job streams (~200 requests) against 40 requests
    per window never see a 429 (every response is counted at the transport): the Studio waits
    for the window's reset instead. The window is shortened to 4 s so this takes seconds (2 s was
    too short on a loaded machine: requests came too slowly to ever fill a window)."""
    from gizmo_notebook.local.current import ratelimit

    monkeypatch.setattr(ratelimit, "_WINDOW", 4.0)
    limited = make_local_server(rate_limit=40)
    seen: list[int] = []

    class Counting(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            seen.append(response.status_code)
            return response

    studio = make_studio(async_client(limited, transport=Counting()), batch_concurrency=8)
    drain(studio)
    created = studio.generate_batch([f"a two link arm number {i}" for i in range(50)])
    assert len(created) == 50 and studio.batch["failed"] == 0
    studio.wait_idle(180)
    assert all(i["status"] == "ready" for i in studio.items) and len(studio.items) == 50
    assert 429 not in seen, f"{seen.count(429)} responses were 429"
    assert len(seen) > 3 * 40, len(seen)  # the traffic took several windows...
    assert studio._adapter.paced > 0  # ...and the Studio waited for a reset instead of being refused
    assert studio.rate_limit["limit"] == 40 and 0 <= studio.rate_limit["remaining"] < 40


def test_iterating_on_a_running_job_links_the_assets_once_both_exist(
    current_only: None, make_studio: Any, make_local_server: Any, tmp_path: Path
) -> None:
    slow = make_local_server(latency=1.0)
    studio = make_studio(async_client(slow), lineage=LineageStore(tmp_path / "lineage.json"))
    drain(studio)
    parent_job = studio.generate("a two link arm", name="parent").id
    child_job = studio.generate("a two link arm, longer", name="child", parent=parent_job).id  # parent still running
    studio.wait_idle(60)
    parent, child = _resolved(studio, parent_job), _resolved(studio, child_job)
    assert parent.startswith("ast_") and child.startswith("ast_")
    assert studio.lineage(child) == [parent] and _item(studio, child)["parent"] == parent
    assert json.loads((tmp_path / "lineage.json").read_text())["parents"] == {child: parent}
