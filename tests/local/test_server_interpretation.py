"""The local server serves the generator's interpretation on ready assets, and the client keeps it."""

from __future__ import annotations

import pytest

from gizmo_notebook.client import GenerationFailedError, GizmoClient, Interpretation

GANTRY = "a gantry robot with three linear axes"


def _client(account, tmp_path) -> GizmoClient:
    return GizmoClient(api_key=account.api_key, base_url=account.base_url, cache_dir=tmp_path)


def test_a_ready_asset_carries_its_interpretation_on_the_wire(local_server, tmp_path) -> None:
    with _client(local_server, tmp_path) as client:
        created = client.assets.create("a banana")
        assert "interpretation" not in created.raw  # pending: nothing has been built yet
        ready = client.assets.wait(created.id, timeout=60, progress=False)
        listed = next(a for a in client.assets.list(limit=5) if a.id == created.id)
    body = dict(ready.raw["interpretation"])
    assert body == {"family": "generic", "understood": [], "ignored": ["banana"], "notes": body["notes"], "fallback": True}
    assert any("fallback" in note for note in body["notes"])
    assert listed.raw["interpretation"] == ready.raw["interpretation"]


def test_failed_assets_have_a_reason_and_no_interpretation(make_local_server, tmp_path) -> None:
    account = make_local_server(fail_rate=1.0)
    with _client(account, tmp_path) as client:
        created = client.assets.create(GANTRY)
        with pytest.raises(GenerationFailedError):
            client.assets.wait(created.id, timeout=60, progress=False)
        failed = client.assets.get(created.id)
    assert failed.failure_reason and "interpretation" not in failed.raw and failed.interpretation is None


def test_the_client_asset_keeps_the_interpretation(local_server, tmp_path) -> None:
    with _client(local_server, tmp_path) as client:
        created = client.assets.create(GANTRY)
        assert created.interpretation is None
        asset = client.assets.wait(created.id, timeout=60, progress=False)
    assert asset.interpretation == Interpretation(
        family="cartesian", understood=("gantry robot", "three linear axes"), ignored=(), notes=(), fallback=False
    )
