"""A mesh far above the triangle budget: decimated for display, said so, without holding the kernel.

10M triangles is too slow to build in a unit test on this machine; the mechanisms are the same
at smaller sizes with the thresholds lowered (``benchmarks/bench_decimate.py`` times the real 10M).
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import trimesh

from gizmo_notebook.model import AssetModel, Link, Mesh, Visual
from gizmo_notebook.viewer import encode, view, widget


def _sphere(subdivisions: int, seed: int = 0) -> trimesh.Trimesh:
    rng = np.random.default_rng(seed)
    m = trimesh.creation.icosphere(subdivisions=subdivisions)
    return trimesh.Trimesh(m.vertices * (1 + 0.01 * rng.standard_normal((len(m.vertices), 1))), m.faces, process=False)


def test_above_the_sloppy_size_the_mesh_is_clustered_to_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clustered, and steered to the budget: one ``simplify_sloppy`` call lands well under it (16.8k
    of 20k triangles here; 0.68M of 2M at 10M triangles), so the view would show less than it could."""
    meshoptimizer = pytest.importorskip("meshoptimizer")
    mesh = _sphere(7)  # 327,680 triangles
    monkeypatch.setattr(encode, "_SLOPPY_ABOVE", 50_000)
    calls: list[str] = []
    for name in ("simplify", "simplify_sloppy"):
        real = getattr(meshoptimizer, name)
        monkeypatch.setattr(meshoptimizer, name, lambda *a, _r=real, _n=name: calls.append(_n) or _r(*a))
    model = AssetModel("scan", links=[Link("scan", visuals=[Visual(Mesh(mesh))])])
    budget = 20_000
    meta, buffers = encode.encode_model(model, triangle_budget=budget)
    t = meta["triangles"]
    assert set(calls) == {"simplify_sloppy"}  # not the (20x slower at 10M) edge-collapse simplifier
    assert len(calls) <= encode._SLOPPY_PASSES
    assert t["decimated"] is True and t["source"] == 327_680
    assert 0.9 * budget <= t["shown"] <= 1.1 * budget, t
    (geom,) = meta["geometries"].values()
    positions, faces = encode.decode_geometry(geom, buffers)
    assert len(faces) == t["shown"]
    assert np.allclose(trimesh.Trimesh(positions, faces).bounds, mesh.bounds, atol=0.05)


def test_a_decimated_view_encodes_off_the_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The display returns while the model is still being decimated: the next cell can run."""
    started, release = threading.Event(), threading.Event()
    real = widget.encode_model

    def slow(*args, **kwargs):
        started.set()
        assert threading.current_thread() is not threading.main_thread()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(widget, "encode_model", slow)
    v = view(_sphere(5), triangle_budget=2_000)  # 20,480 triangles, budget 2,000
    v._ipython_display_()
    assert started.wait(30)
    assert v._worker is not None and v._worker.is_alive()  # encoding, and the "kernel" is free
    v._push()  # a second request while it works ("need" from the page) does not start another
    release.set()
    t = v.meta["triangles"]  # waits for the worker
    shown_part = {k: t[k] for k in ("source", "shown", "budget", "decimated")}  # (+ "collision", counted apart)
    assert shown_part == {"source": 20_480, "shown": t["shown"], "budget": 2_000, "decimated": True}
    assert t["shown"] <= 2_000
    assert "(decimated)" in repr(v)
    needed = {c["digest"] for b in v._meta["buffers"] for c in b["chunks"]}
    assert needed <= {b.digest for b in v._blobs}  # every part was sent


def test_a_model_within_budget_stays_on_the_main_thread() -> None:
    v = view(_sphere(3))
    v._ipython_display_()
    assert v._worker is None and v.meta["triangles"]["decimated"] is False


def test_a_failed_background_encode_surfaces_on_meta(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise MemoryError("out of memory while decimating")

    monkeypatch.setattr(widget, "encode_model", broken)
    v = view(_sphere(4), triangle_budget=100)
    v._ipython_display_()
    with pytest.raises(MemoryError):
        _ = v.meta
    monkeypatch.undo()
    v._push()  # not remembered: the next request encodes again
    v._worker.join()
    assert v.meta["triangles"]["decimated"] is True
