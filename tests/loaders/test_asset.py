"""An Asset from the client loads through the real local server: MJCF is preferred, any
available format can be asked for, and an asset that is not ready says so."""

from __future__ import annotations

import numpy as np
import pytest

from gizmo_notebook import GizmoClient, LoadError, load
from gizmo_notebook.local.generator import generate

PROMPT = "a parallel jaw gripper"


@pytest.fixture
def client(local_server) -> GizmoClient:
    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


def test_ready_asset_loads_each_format(client: GizmoClient) -> None:
    asset = client.assets.wait(client.assets.create(PROMPT).id, timeout=60, poll_interval=0.05, progress=False)
    expected = generate(PROMPT)
    default = load(asset, client=client)
    assert "mujoco_mjcf" in default.source
    for fmt in ("mujoco_mjcf", "isaac_sim_urdf", "isaac_sim_usd"):
        model = load(asset, client=client, format=fmt)
        assert fmt in model.source and model.name == asset.name
        assert {link.name for link in model.links} == {link.name for link in expected.links}
        assert {j.name for j in model.movable_joints} == {j.name for j in expected.movable_joints}
        np.testing.assert_allclose(model.scene.bounds, expected.scene.bounds, atol=1e-4)


def test_unready_or_unknown_format_is_a_load_error(client: GizmoClient) -> None:
    asset = client.assets.create(PROMPT)
    if asset.formats_available:
        pytest.skip("the server finished before we looked")
    with pytest.raises(LoadError, match="has no export formats available"):
        load(asset, client=client)
    ready = client.assets.wait(asset.id, timeout=60, poll_interval=0.05, progress=False)
    with pytest.raises(LoadError, match="no 'obj' export"):
        load(ready, client=client, format="obj")
