"""The Studio's preview is a Viewer (one payload, one transport), and Drop in physics plays in it.

Driven as the browser would (custom messages through the comm), against the real local
server, on both contracts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gizmo_notebook.loaders._asset import PREFERRED_FORMATS, preferred_formats
from gizmo_notebook.viewer import Viewer

from .conftest import async_client, drain, eventually, frontend


def _ready_asset(studio: Any, prompt: str = "a two link arm") -> Any:
    drain(studio)
    studio.generate(prompt)
    studio.wait_idle(60)
    [asset] = studio.assets
    assert str(asset.status) == "ready"
    return asset


def _hide_mujoco(monkeypatch: pytest.MonkeyPatch, *, loaders: bool) -> None:
    """Make ``import mujoco`` fail as on a core install; forget the modules that imported it."""
    monkeypatch.setitem(sys.modules, "mujoco", None)
    prefixes = ("gizmo_notebook.sim", "gizmo_notebook.loaders.mjcf") if loaders else ("gizmo_notebook.sim",)
    for name in list(sys.modules):
        if name.startswith(prefixes):
            monkeypatch.delitem(sys.modules, name)


def test_the_preview_is_a_child_viewer_whose_chunks_are_saved_with_the_notebook(make_studio: Any) -> None:
    from ipywidgets.embed import embed_data

    studio = make_studio()
    asset = _ready_asset(studio)
    frontend(studio, {"type": "open_preview", "id": asset.id})
    drain(studio, 120)
    viewer = studio.preview
    assert isinstance(viewer, Viewer) and studio.preview_info == {"id": asset.id, "state": "ready", "message": ""}
    # the Studio's synced state names the Viewer (a child widget), not geometry of its own
    assert studio.get_state()["preview"] == f"IPY_MODEL_{viewer.model_id}"
    # the geometry is the Viewer's: content-addressed chunks, every one the metadata names sent
    needed = {c["digest"] for b in viewer._meta["buffers"] for c in b["chunks"]}
    sent = {b.digest for b in viewer._blobs}
    assert needed and needed <= sent
    # saved with the notebook: the Studio's widget state carries the Viewer and all its chunks
    state = embed_data(views=[studio])["manager_state"]["state"]
    assert viewer.model_id in state
    saved = {s["state"].get("digest") for s in state.values() if s["model_name"] == "ImageModel"}
    assert needed <= saved
    # no geometry travelled as an ad hoc message (the old "geometry" reply)
    assert not [m for m in studio.comm.sent if (m["data"] or {}).get("content", {}).get("type") == "geometry"]
    # closing empties the area; reopening reuses the same Viewer (nothing is loaded or sent again)
    frontend(studio, {"type": "close_preview"})
    drain(studio)
    assert studio.preview is None and studio.preview_info == {}
    assert studio.open_preview(asset.id) is viewer


def test_the_preview_reads_the_export_in_the_one_preference_order_from_the_clients_cache(make_studio: Any) -> None:
    studio = make_studio()
    asset = _ready_asset(studio)
    studio.open_preview(asset.id)
    loaded = studio._geometry._models[asset.id]
    assert loaded.format == preferred_formats(asset.formats_available)[0]
    assert loaded.format in ("mujoco_mjcf", "mjcf") and PREFERRED_FORMATS[0] == "mujoco_mjcf"
    # the file is the client's cached download, not a copy in the Studio's cache
    assert not (studio._geometry.root / "assets").exists()
    assert loaded.path.exists() and studio._geometry.root not in loaded.path.parents


def test_without_mujoco_the_preview_falls_back_to_the_next_format(
    make_studio: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = make_studio()
    asset = _ready_asset(studio)
    _hide_mujoco(monkeypatch, loaders=True)
    viewer = studio.open_preview(asset.id)
    loaded = studio._geometry._models[asset.id]
    order = preferred_formats(asset.formats_available)
    assert loaded.format == order[1] and loaded.format not in ("mujoco_mjcf", "mjcf"), (loaded.format, order)
    assert viewer.model.links and viewer._meta["buffers"]


def test_a_preview_of_an_unready_asset_says_so_in_the_preview_area(make_studio: Any, make_local_server: Any) -> None:
    slow = make_local_server(latency=600.0)
    studio = make_studio(async_client(slow))
    drain(studio)
    asset = studio.generate("a two link arm")
    frontend(studio, {"type": "open_preview", "id": asset.id})
    drain(studio)
    assert studio.preview is None
    info = studio.preview_info
    assert info["id"] == asset.id and info["state"] == "error" and "ready" in info["message"]


def test_drop_in_physics_simulates_off_the_kernel_thread_and_plays_in_the_preview(make_studio: Any) -> None:
    studio = make_studio()
    asset = _ready_asset(studio, "a four legged robot dog")  # a free base: it settles onto the floor
    viewer = studio.open_preview(asset.id)
    started = time.monotonic()
    future = studio._on_frontend_msg(studio, {"type": "physics"}, [])
    assert time.monotonic() - started < 0.5  # the kernel's handler returns at once
    assert future is not None
    eventually(lambda: studio.physics.get("state") == "running" or future.done())
    trajectory = future.result(120)
    assert studio.physics["state"] == "playing" and studio.physics["id"] == asset.id
    assert trajectory.times[-1] == pytest.approx(3.0, abs=trajectory.timestep * 1.5)
    # the links moved (the dog settles under gravity) and the preview plays exactly this trajectory
    poses = trajectory.link_poses_array
    assert np.abs(poses[-1] - poses[0]).max() > 1e-4
    assert viewer._playback and viewer._playback["loop"] is True and viewer.playback_bytes > 0
    assert set(viewer._playback["links"]) <= {link.name for link in viewer.model.links}
    # a new preview (or closing it) stops what played
    studio.close_preview()
    assert not viewer._playback and studio.physics == {}


def test_drop_in_physics_without_mujoco_says_what_to_install(make_studio: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    studio = make_studio()
    asset = _ready_asset(studio)
    viewer = studio.open_preview(asset.id)
    _hide_mujoco(monkeypatch, loaders=False)
    frontend(studio, {"type": "physics"})
    drain(studio, 60)
    physics = studio.physics
    assert physics["state"] == "error" and physics["id"] == asset.id
    assert "MuJoCo" in physics["message"] and "pip install 'gizmo-notebook[mujoco]'" in physics["hint"]
    assert not viewer._playback and studio.preview is viewer  # the preview itself is untouched


def test_drop_in_physics_with_nothing_previewed_is_a_plain_message(make_studio: Any) -> None:
    studio = make_studio()
    drain(studio)
    frontend(studio, {"type": "physics"})
    drain(studio)
    assert studio.physics["state"] == "error" and "open preview" in studio.physics["message"]


def test_a_failing_simulation_is_reported_inline(make_studio: Any, tmp_path: Path) -> None:
    studio = make_studio()
    asset = _ready_asset(studio)
    studio.open_preview(asset.id)
    loaded = studio._geometry._models[asset.id]
    broken = tmp_path / "broken.xml"
    broken.write_text("<mujoco><worldbody><body><geom type='sphere' size='-1'/></body></worldbody></mujoco>")
    studio._geometry._models[asset.id] = type(loaded)(loaded.model, broken, loaded.format)
    studio._preview_area._viewers[asset.id] = (studio.preview, studio._geometry._models[asset.id])
    with pytest.raises(Exception):  # noqa: B017 - whatever MuJoCo raises, the Studio says it inline
        studio.drop_in_physics(1.0)
    assert studio.physics["state"] == "error" and "MuJoCo could not simulate" in studio.physics["message"]
    assert json.dumps(studio.physics)  # plain JSON for the page


def test_load_of_an_asset_closes_the_client_it_made_and_refuses_an_async_one(
    local_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gizmo_notebook import load
    from gizmo_notebook.client import GizmoClient
    from gizmo_notebook.loaders import LoadError

    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url, api_version=local_server.api) as client:
        asset = client.assets.wait(client.assets.create("a two link arm").id, progress=False)
    monkeypatch.setenv("GIZMO_API_KEY", local_server.api_key)
    monkeypatch.setenv("GIZMO_BASE_URL", local_server.base_url)
    made: list[GizmoClient] = []
    closed: list[GizmoClient] = []
    real_init, real_close = GizmoClient.__init__, GizmoClient.close

    def spy_init(self: GizmoClient, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        real_init(self, *args, **kwargs)

    def spy_close(self: GizmoClient) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(GizmoClient, "__init__", spy_init)
    monkeypatch.setattr(GizmoClient, "close", spy_close)
    model = load(asset)
    assert model.links and len(made) == 1 and closed == made
    with pytest.raises(LoadError, match="blocking client"):
        load(asset, client=async_client(local_server))
