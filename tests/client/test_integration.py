"""The client against the real offline server over 127.0.0.1 (no mocks): every format, sync and async."""

from __future__ import annotations

import asyncio
import logging
import zipfile
from pathlib import Path

import pytest

from gizmo_notebook.client import (
    AssetStatus,
    AsyncGizmoClient,
    AuthenticationError,
    BadRequestError,
    GenerationFailedError,
    GizmoClient,
    JobStatus,
    NotFoundError,
    RateLimitError,
)
from gizmo_notebook.formats import EXPORT_FORMATS

PROMPT = "A 6-DOF industrial robotic arm with a parallel jaw gripper"


@pytest.fixture
def local_server(api_server):
    """Every test here runs against both contracts (``api_version``); alpha-only ones say so."""
    return api_server


@pytest.fixture
def make_local_server(make_api_server):
    return make_api_server


def alpha_only(account) -> None:
    if account.api != "alpha":
        pytest.skip("alpha contract only (tests/client/test_current_integration.py covers current)")


def check_export_file(path: Path, fmt: str) -> None:
    """Cheap sanity checks of what arrived; the exporters' own tests load them in the simulators."""
    if path.is_dir():  # a current-API ZIP, unpacked
        check_placed(path, path.parent, fmt)
        return
    assert path.is_file() and path.stat().st_size > 0
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
            names = zf.namelist()
        main = {"isaac_sim_urdf": ".urdf", "mujoco_mjcf": ".xml", "isaac_sim_usd": ".usd"}[fmt]
        assert any(n.endswith(main) or (fmt == "isaac_sim_usd" and ".usd" in n) for n in names), names
        return
    head = path.read_bytes()[:200]
    if fmt == "mujoco_mjcf":
        assert b"<mujoco" in head
    elif fmt == "isaac_sim_urdf":
        assert b"<robot" in head
    else:
        assert head.startswith(b"#usda") or head.startswith(b"PXR-USDC") or path.suffix == ".usdz"


def check_placed(placed: Path, dest: Path, fmt: str) -> None:
    assert placed.parent == dest
    if placed.is_dir():  # an unpacked archive: the main file sits at the top
        suffixes = {p.suffix for p in placed.iterdir()}
        assert suffixes & {".urdf", ".xml", ".usd", ".usda", ".usdc"}, sorted(p.name for p in placed.iterdir())
    else:
        check_export_file(placed, fmt)


def test_sync_create_wait_export_download_every_format(local_server, tmp_path):
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path / "c") as client:
        assert client.is_local
        created = client.assets.create(PROMPT, name="Arm v1", tags=["arm", "6dof"])
        assert created.name == "Arm v1" and created.tags == ("arm", "6dof")
        asset = client.assets.wait(created.id, timeout=60, progress=False)
        assert asset.status is AssetStatus.READY
        wire = set(EXPORT_FORMATS) if local_server.api == "alpha" else {"mjcf", "usd", "sdf"}
        assert set(asset.formats_available) == wire
        for fmt in EXPORT_FORMATS:  # the alpha names work on both (URDF converted locally on current)
            if local_server.api == "alpha":  # current answers exports with the file, no URL
                export = client.assets.export(asset.id, fmt)
                assert export.download_url.startswith(local_server.base_url.rsplit("/v1", 1)[0])
                assert export.expires_at is not None and not export.is_expired()
            cached = client.assets.download(asset.id, fmt)
            check_export_file(cached, fmt)
            mtime = cached.stat().st_mtime_ns
            assert client.assets.download(asset.id, fmt) == cached
            assert cached.stat().st_mtime_ns == mtime  # reused, not fetched again
            placed = client.assets.download(asset.id, fmt, dest=tmp_path / "out")
            check_placed(placed, tmp_path / "out", fmt)
        assert not [p for p in (tmp_path / "c").rglob(".*") if p.is_file()]


async def test_async_concurrent_cycles_every_format(local_server, tmp_path):
    async with AsyncGizmoClient(
        api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path / "c"
    ) as client:
        prompts = [PROMPT, "a differential drive mobile robot base", "a quadruped robot"]
        created = await asyncio.gather(*(client.assets.create(p) for p in prompts))
        ready = await asyncio.gather(*(client.assets.wait(a.id, timeout=60, progress=False) for a in created))
        assert all(a.status is AssetStatus.READY for a in ready)
        paths = await asyncio.gather(
            *(client.assets.download(a.id, fmt, dest=tmp_path / "out" / a.id) for a in ready for fmt in EXPORT_FORMATS)
        )
        assert len(paths) == 9
        for path, fmt in zip(paths, [f for _ in ready for f in EXPORT_FORMATS], strict=True):
            check_placed(path, path.parent, fmt)
        listed = [a.id async for a in client.assets.iter(page_size=2)]
        assert sorted(listed) == sorted(a.id for a in ready)


def test_list_and_iter_across_pages(local_server, tmp_path):
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path) as client:
        # wait: on the current API an asset is listed once its job is done
        ids = {client.assets.wait(client.assets.create(f"a pan-tilt head number {i}").id, progress=False).id for i in range(5)}
        page = client.assets.list(limit=2, offset=1)
        assert (page.total, page.limit, page.offset, len(page.assets)) == (5, 2, 1, 2)
        assert {a.id for a in client.assets.iter(page_size=2)} == ids
        assert len(list(client.assets.iter(page_size=2))) == 5


def test_real_server_errors_are_typed(local_server, make_local_server, tmp_path):
    with GizmoClient(api_key="wrong-key", base_url=local_server.base_url, cache_dir=tmp_path) as client:
        with pytest.raises(AuthenticationError) as info:
            client.assets.list()
        assert info.value.status_code == 401 and info.value.code
    client = GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path)
    with client, pytest.raises(NotFoundError):
        client.assets.get("ast_doesnotexist")
    if local_server.api != "alpha":
        return  # exporting an unready asset: alpha's 400 (current assets exist only once ready)
    slow = make_local_server(latency=30.0)
    with GizmoClient(api_key=slow.api_key, base_url=slow.base_url, cache_dir=tmp_path) as client:
        asset = client.assets.create(PROMPT)
        with pytest.raises(BadRequestError) as info:
            client.assets.export(asset.id, "mujoco_mjcf")
        assert info.value.status_code == 400


def test_failed_generation_against_the_real_server(make_local_server, tmp_path):
    server = make_local_server(fail_rate=1.0)
    with GizmoClient(api_key=server.api_key, base_url=server.base_url, cache_dir=tmp_path) as client:
        asset = client.assets.create(PROMPT)
        with pytest.raises(GenerationFailedError) as info:
            client.assets.wait(asset.id, timeout=60, progress=False)
        failed = info.value.asset.status if server.api == "alpha" else info.value.job.status
        assert failed in (AssetStatus.FAILED, JobStatus.FAILED) and info.value.reason


def test_rate_limit_retry_after_from_the_real_server(make_local_server, tmp_path):
    server = make_local_server(rate_limit=2)
    alpha_only(server)  # current: X-RateLimit pacing, covered in test_current_faults.py
    slept: list[float] = []
    with GizmoClient(
        api_key=server.api_key, base_url=server.base_url, cache_dir=tmp_path, max_retries=1, _sleep=slept.append
    ) as client:
        client.assets.list()
        client.assets.list()
        with pytest.raises(RateLimitError) as info:
            client.assets.list()
    assert info.value.status_code == 429
    assert len(slept) == 1 and 1 <= slept[0] <= 60  # the server's Retry-After (whole seconds), honoured


def test_scenes_against_the_real_server(local_server, tmp_path):
    alpha_only(local_server)  # scenes from placements: alpha (current builds them from a prompt)
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path / "c") as client:
        arm = client.assets.wait(client.assets.create(PROMPT).id, progress=False)
        table = client.assets.wait(client.assets.create("a table 1.2 m long").id, progress=False)
        scene = client.scenes.create(
            "cell",
            [
                {"asset_id": table.id, "position": [0, 0, 0]},
                {"asset_id": arm.id, "position": [0.5, 0, 0.75], "rpy": [0, 0, 1.57]},
            ],
        )
        assert scene.name == "cell" and len(scene.placements) == 2
        assert len(scene.placements[1].orientation) == 4
        assert client.scenes.get(scene.id) == scene
        assert [s.id for s in client.scenes.iter()] == [scene.id]
        assert client.scenes.list().total == 1
        for fmt in EXPORT_FORMATS:
            check_export_file(client.scenes.download(scene.id, fmt), fmt)
        placed = client.scenes.download(scene.id, "mujoco_mjcf", dest=tmp_path / "out")
        check_placed(placed, tmp_path / "out", "mujoco_mjcf")
        with pytest.raises(NotFoundError):
            client.scenes.create("bad", [{"asset_id": "ast_nope"}])


def test_alpha_scenes_page_create_then_place_against_the_real_server(local_server, tmp_path):
    """``scenes.create(name, description)`` + ``scenes.add_asset`` as the alpha page documents them,
    and a download after a new placement carries it (no stale export, here or in the cache)."""
    alpha_only(local_server)
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path / "c") as client:
        table = client.assets.wait(client.assets.create("a table 1.2 m long").id, progress=False)
        arm = client.assets.wait(client.assets.create(PROMPT).id, progress=False)
        scene = client.scenes.create("Workcell", description="a table and an arm")
        assert scene.placements == () and scene.description == "a table and an arm"
        scene = client.scenes.add_asset(scene.id, table.id)
        first = client.scenes.download(scene.id, "mujoco_mjcf", dest=tmp_path / "one")
        scene = client.scenes.add_asset(scene.id, arm.id, position=(0.3, 0, 0.75), rotation=(0, 0, 0.7071, 0.7071))
        assert [p.asset_id for p in scene.placements] == [table.id, arm.id]
        assert scene.placements[1].position == pytest.approx((0.3, 0, 0.75))
        assert scene.placements[1].orientation == pytest.approx((0.7071, 0, 0, 0.7071), abs=1e-3)  # (w, x, y, z)
        second = client.scenes.download(scene.id, "mujoco_mjcf", dest=tmp_path / "two")
        assert client.scenes.get(scene.id) == scene

    def joints(placed: Path) -> int:
        import mujoco

        xml = placed if placed.is_file() else next(placed.rglob("*.xml"))
        return mujoco.MjModel.from_xml_path(str(xml)).njnt

    assert joints(second) > joints(first)  # the arm placed after the first download is in the second


def test_debug_logging_over_real_http_never_shows_the_key(local_server, tmp_path, caplog):
    with caplog.at_level(logging.DEBUG):
        with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path) as client:
            asset = client.assets.wait(client.assets.create(PROMPT).id, progress=False)
            client.assets.download(asset.id, "mujoco_mjcf")
        bad = GizmoClient(api_key="wrong-" + local_server.api_key, base_url=local_server.base_url, cache_dir=tmp_path)
        with bad, pytest.raises(AuthenticationError) as info:
            bad.assets.list()
    assert any(r.name.startswith("httpcore") for r in caplog.records), "httpcore debug logging was not captured"
    assert local_server.api_key not in caplog.text
    assert all(local_server.api_key not in repr(r.args) for r in caplog.records)
    assert local_server.api_key not in str(info.value)


def test_no_key_uses_the_embedded_local_backend(tmp_path, caplog):
    """A new user with no key: ``GizmoClient()`` starts the offline server and says so."""
    import gizmo_notebook.client._config as config
    from gizmo_notebook.local.embedded import stop_local_servers

    config._announced = False
    try:
        with caplog.at_level(logging.WARNING, logger="gizmo_notebook"), GizmoClient() as client:
            assert client.is_local and client.base_url.startswith("http://127.0.0.1:")
            asset = client.assets.wait(client.assets.create(PROMPT).id, timeout=60, progress=False)
            path = client.assets.download(asset.id, "mujoco_mjcf", dest=tmp_path / "out")
            check_placed(path, tmp_path / "out", "mujoco_mjcf")
        announcements = [r.getMessage() for r in caplog.records if "offline local backend" in r.getMessage()]
        assert len(announcements) == 1 and client.base_url in announcements[0]
    finally:
        stop_local_servers()


async def test_async_no_key_uses_the_embedded_local_backend(tmp_path):
    from gizmo_notebook.local.embedded import stop_local_servers

    try:
        async with AsyncGizmoClient() as client:
            assert client.is_local
            asset = await client.assets.wait((await client.assets.create(PROMPT)).id, timeout=60, progress=False)
            check_export_file(await client.assets.download(asset.id, "isaac_sim_usd"), "isaac_sim_usd")
    finally:
        stop_local_servers()
