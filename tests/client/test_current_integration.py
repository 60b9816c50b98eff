"""The client against the real offline server in current mode (``LocalServer(api="current")``).

Every happy path of the current contract — detection, jobs and their event stream, generate,
wait on the placeholder the old quickstart code passes, ZIP exports in both vocabularies, local
URDF conversion, scenes from a prompt, whoami, rate limits, 402 and failed/cancelled jobs — runs
here over real HTTP on 127.0.0.1, with the same calls against the alpha server where both exist.
"""

from __future__ import annotations

import asyncio
import zipfile

import httpx
import pytest

import gizmo_notebook as gn
from gizmo_notebook.client import (
    AsyncGizmoClient,
    GenerationCancelledError,
    GenerationFailedError,
    GizmoClient,
    InsufficientCreditsError,
    JobStatus,
    UnsupportedByAPIVersionError,
)

PROMPT = "a 6-DOF robotic arm with a parallel jaw gripper"


@pytest.fixture
def current(current_server):
    return current_server


def client_for(account, tmp_path, **options):
    """A client on ``account`` (a key on a running server; see tests/conftest.py), version auto."""
    options.setdefault("cache_dir", tmp_path / "cache")
    return GizmoClient(api_key=account.api_key, base_url=account.base_url, **options)


def test_auto_detects_current_without_creating_anything(current, tmp_path):
    with client_for(current, tmp_path) as client:
        assert client.api_version == "current"
        assert client.assets.list().total == 0  # detection made nothing


def test_auto_detects_alpha_on_the_alpha_server(local_server, tmp_path):
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path) as client:
        assert client.api_version == "alpha"
        asset = client.assets.generate(PROMPT, name="arm", progress=False)
        assert asset.status is gn.AssetStatus.READY and asset.name == "arm"


def test_quickstart_code_unchanged_create_then_wait(current, tmp_path):
    with client_for(current, tmp_path) as client:
        placeholder = client.assets.create(PROMPT, name="arm", tags=["demo"])
        assert placeholder.status is gn.AssetStatus.PENDING and placeholder.job_id == placeholder.id
        asset = client.assets.wait(placeholder.id, progress=False)
        assert asset.status is gn.AssetStatus.READY and asset.id != placeholder.id and asset.name == "arm"
        assert asset.job_id == placeholder.job_id
        # the placeholder id keeps working for get/wait; the real asset id works for wait too
        assert client.assets.get(placeholder.id).id == asset.id
        assert client.assets.wait(asset.id, progress=False).id == asset.id
        job = client.jobs.get(placeholder.job_id, include_result=True)
        assert job.status is JobStatus.SUCCEEDED and job.asset_id == asset.id
        assert job.created_at is not None and job.created_at.tzinfo is not None


def test_generate_follows_the_event_stream_and_shows_stages(current, tmp_path, monkeypatch):
    from gizmo_notebook.client import _follow

    seen: list[str] = []
    original = _follow.StageProgress.refresh

    def record(self):
        seen.append(self.text)
        original(self)

    monkeypatch.setattr(_follow.StageProgress, "refresh", record)
    with client_for(current, tmp_path) as client:
        asset = client.assets.generate(PROMPT, progress=False)
        assert asset.status is gn.AssetStatus.READY
        assert any(text.endswith("articulation 3/4") for text in seen), seen
        events = list(client.jobs.events(asset.job_id))
    seqs = [e.seq for e in events]
    assert seqs == sorted(set(seqs)) and events[-1].type == "done"
    assert "ping" not in {e.type for e in events}
    assert [e.data["stage"] for e in events if e.type == "stage_start"] == [
        "planning", "geometry", "articulation", "validation"
    ]


def test_events_resume_after_a_sequence_number(current, tmp_path):
    with client_for(current, tmp_path) as client:
        asset = client.assets.generate(PROMPT, progress=False)
        every = list(client.jobs.events(asset.job_id))
        rest = list(client.jobs.events(asset.job_id, after=every[3].seq))
    assert rest == every[4:]


async def test_async_client_generates_and_iterates_events(current, tmp_path):
    async with AsyncGizmoClient(api_key=current.api_key, base_url=current.base_url, cache_dir=tmp_path) as client:
        assets = await asyncio.gather(*(client.assets.generate(p, progress=False) for p in (PROMPT, "a pan-tilt head")))
        assert len({a.id for a in assets}) == 2
        events = [event async for event in client.jobs.events(assets[0].job_id)]
        assert events[-1].type == "done" and client.api_version == "current"
        path = await client.assets.download(assets[1].id, "usd")
        assert path.is_dir() and any(p.suffix == ".usda" for p in path.iterdir())


def test_failed_job_raises_with_the_servers_reason(make_local_server, tmp_path):
    server = make_local_server(api="current", fail_rate=1.0)
    with client_for(server, tmp_path) as client, pytest.raises(GenerationFailedError) as info:
        client.assets.generate(PROMPT, progress=False)
    assert not isinstance(info.value, GenerationCancelledError)
    assert "Simulated failure" in str(info.value) and info.value.job.status is JobStatus.FAILED


def test_cancelled_job_raises_generation_cancelled(make_local_server, tmp_path):
    server = make_local_server(api="current", latency=30.0)
    with client_for(server, tmp_path) as client:
        placeholder = client.assets.create(PROMPT)
        cancelled = client.jobs.cancel(placeholder.job_id)
        assert cancelled.status is JobStatus.CANCELLED
        with pytest.raises(GenerationCancelledError) as info:
            client.jobs.wait(placeholder.job_id, progress=False)
        assert isinstance(info.value, GenerationFailedError)


def test_402_is_typed_and_not_retried(make_local_server, tmp_path):
    server = make_local_server(api="current", credits=1)
    with client_for(server, tmp_path) as client:
        client.assets.generate(PROMPT, progress=False)
        with pytest.raises(InsufficientCreditsError) as info:
            client.assets.create(PROMPT)
        assert info.value.status_code == 402 and info.value.code == "insufficient_credits"
        assert "x-ratelimit-limit" in {k.lower() for k in info.value.headers}
        assert client.assets.list().total == 1


def test_keyless_client_asked_for_current_starts_the_embedded_server_in_current_mode(tmp_path):
    with GizmoClient(api_version="current", cache_dir=tmp_path) as client:
        assert client.is_local and client.api_version == "current"
        asset = client.assets.generate(PROMPT, progress=False)
        assert asset.job_id and client.jobs.get(asset.job_id).status is JobStatus.SUCCEEDED
    with GizmoClient(cache_dir=tmp_path) as default:  # the key-less default stays alpha
        assert default.api_version == "alpha" and default.base_url != client.base_url


@pytest.mark.parametrize("fmt", ["mjcf", "mujoco_mjcf", "usd", "sdf"])
def test_zip_exports_unpack_and_load(current, tmp_path, fmt):
    with client_for(current, tmp_path) as client:
        asset = client.assets.generate(PROMPT, progress=False)
        folder = client.assets.download(asset.id, fmt)
        assert folder.is_dir() and not list(folder.parent.glob(".partial-*"))
        assert client.assets.download(asset.id, fmt) == folder  # cached
        placed = client.assets.download(asset.id, fmt, dest=tmp_path / "out")
        assert placed.is_dir() and placed.parent == tmp_path / "out"
        if fmt != "sdf":
            model = gn.load(placed)
            assert model.joints and gn.load(folder).name == model.name


def test_urdf_on_current_is_converted_locally_from_mjcf(current, tmp_path, caplog):
    with client_for(current, tmp_path) as client:
        asset = client.assets.generate(PROMPT, progress=False)
        with caplog.at_level("INFO", logger="gizmo_notebook.client"):
            path = client.assets.download(asset.id, "isaac_sim_urdf")
    assert "URDF locally" in caplog.text
    assert path.suffix == ".zip" and any(n.endswith(".urdf") for n in zipfile.ZipFile(path).namelist())
    mjcf = gn.load(client_for(current, tmp_path).assets.download(asset.id, "mjcf"))
    urdf = gn.load(path)
    assert {j.name for j in urdf.joints if j.type != "fixed"} == {j.name for j in mjcf.joints if j.type != "fixed"}


def test_load_accepts_a_current_asset_with_its_client(current, tmp_path):
    with client_for(current, tmp_path) as client:
        asset = client.assets.generate(PROMPT, progress=False)
        assert gn.load(asset, client=client).joints


def test_scenes_generate_and_download_on_current(current, tmp_path):
    with client_for(current, tmp_path) as client:
        scene = client.scenes.generate("a table with a robot arm", progress=False, timeout=120)
        assert scene.status is gn.AssetStatus.READY and scene.placements
        folder = client.scenes.download(scene.id, "mujoco_mjcf")
        assert gn.load(folder).joints
        urdf = client.scenes.download(scene.id, "isaac_sim_urdf", dest=tmp_path / "urdf")
        assert urdf.is_dir() and any(p.suffix == ".urdf" for p in urdf.iterdir())
        with pytest.raises(UnsupportedByAPIVersionError, match="scenes.generate"):
            client.scenes.create("cell")
        with pytest.raises(UnsupportedByAPIVersionError, match="current"):
            client.scenes.add_asset(scene.id, scene.placements[0].asset_id)


def test_scenes_submit_returns_the_queued_job_to_follow(current, tmp_path):
    with client_for(current, tmp_path) as client:
        job = client.scenes.submit("a workbench table and a gripper")
        assert job.mode == "scene" and job.scene_id and job.status.value in ("queued", "running")
        done = client.jobs.wait(job.id, progress=False)
        assert done.scene_id == job.scene_id
        assert len(client.scenes.get(job.scene_id).placements) == 2
        with pytest.raises(gn.InvalidValueError, match="prompt is empty"):
            client.scenes.submit("   ")


def test_asset_into_an_existing_scene(current, tmp_path):
    with client_for(current, tmp_path) as client:
        first = client.assets.generate(PROMPT, progress=False)
        second = client.assets.generate("a gripper", scene_id=first.scene_id, progress=False)
        assert second.scene_id == first.scene_id
        assert second.id in {p.asset_id for p in client.scenes.get(first.scene_id).placements}


def test_whoami_and_rate_limit(current, tmp_path):
    with client_for(current, tmp_path) as client:
        assert client.rate_limit is None
        me = client.whoami()
        assert isinstance(me, dict) and me
        limit = client.rate_limit
        assert limit is not None and limit.limit and limit.remaining is not None and limit.reset.tzinfo


def test_alpha_only_and_current_only_methods_say_what_to_use(current, local_server, tmp_path):
    with client_for(current, tmp_path) as client, pytest.raises(UnsupportedByAPIVersionError, match="download"):
        client.assets.export("ast_x", "mjcf")
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path) as alpha:
        with pytest.raises(UnsupportedByAPIVersionError, match="assets.wait"):
            alpha.jobs.get("job_1")
        with pytest.raises(UnsupportedByAPIVersionError, match="add_asset"):
            alpha.scenes.generate("a cell")
        with pytest.raises(UnsupportedByAPIVersionError, match="submit"):
            alpha.scenes.submit("a cell")
        with pytest.raises(UnsupportedByAPIVersionError, match="alpha"):
            alpha.whoami()
        with pytest.raises(UnsupportedByAPIVersionError, match="sdf"):
            alpha.assets.download("ast_x", "sdf")


class CountingTransport(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)


async def test_concurrent_first_calls_share_one_version_probe(current, tmp_path):
    transport = CountingTransport()
    async with AsyncGizmoClient(
        api_key=current.api_key, base_url=current.base_url, cache_dir=tmp_path, transport=transport
    ) as client:
        assert client.api_version == "auto"
        results = await asyncio.gather(*(client.whoami() for _ in range(3)))
        assert client.api_version == "current" and all(results)
    assert transport.paths.count("/v1/openapi.json") == 1 and "/v1/whoami" in transport.paths


def test_leaving_an_event_iterator_early_leaves_the_client_usable(make_local_server, tmp_path):
    server = make_local_server(api="current", latency=30.0)
    one_connection = httpx.HTTPTransport(limits=httpx.Limits(max_connections=1))
    with client_for(server, tmp_path, timeout=5.0, max_retries=0, transport=one_connection) as client:
        placeholder = client.assets.create(PROMPT)
        for _ in range(3):  # on one connection: each early exit must give it back for the next request
            events = client.jobs.events(placeholder.job_id)
            first = next(events)
            events.close()
            assert first.type == "stage_start" and first.seq == 1
        assert client.jobs.cancel(placeholder.job_id).status is JobStatus.CANCELLED


async def test_async_event_iterator_closes_cleanly(make_local_server, tmp_path):
    server = make_local_server(api="current", latency=30.0)
    async with AsyncGizmoClient(api_key=server.api_key, base_url=server.base_url, cache_dir=tmp_path) as client:
        placeholder = await client.assets.create(PROMPT)
        events = client.jobs.events(placeholder.job_id)
        first = await events.__anext__()
        await events.aclose()
        assert first.seq == 1
        assert (await client.jobs.cancel(placeholder.job_id)).status is JobStatus.CANCELLED


def test_current_format_names_work_on_the_alpha_server(local_server, tmp_path):
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path) as client:
        asset = client.assets.generate(PROMPT, progress=False)
        xml = client.assets.download(asset.id, "mjcf")
        usd = client.assets.download(asset.id, "usd")
        assert xml.suffix == ".xml" and xml == client.assets.download(asset.id, "mujoco_mjcf")
    assert usd.suffix in (".usda", ".usd", ".usdc")
