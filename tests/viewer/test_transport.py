"""Chunk widgets: plain ipywidgets models whose bytes survive a JupyterLab save.

A chunk must (1) carry its bytes as a binary buffer, (2) be a model class whose front end
serializes that buffer when JupyterLab saves widget state (ipywidgets' ImageModel does, for
``value``), and (3) run no front-end code: anywidget gives each of its models two seconds to
load its ESM, and chunks created in a burst while the page draws a gallery missed it
("[anywidget] Failed to initialize model."; see tests/browser/test_notebooks.py, 04-batch).
"""

from __future__ import annotations

import hashlib

import anywidget
import numpy as np
from ipywidgets.widgets.widget import _remove_buffers

from gizmo_notebook.viewer import transport


def test_a_chunk_is_a_core_image_model_with_its_bytes_as_a_binary_buffer() -> None:
    data = bytes(range(256)) * 5
    blob = transport.blob_for(data)
    assert not isinstance(blob, anywidget.AnyWidget)
    state, paths, buffers = _remove_buffers(blob.get_state())
    assert (state["_model_module"], state["_model_name"]) == ("@jupyter-widgets/controls", "ImageModel")
    assert "_esm" not in state and state["layout"] is None
    assert state["digest"] == hashlib.sha256(data).hexdigest()
    assert paths == [["value"]] and bytes(buffers[0]) == data


def test_the_same_bytes_reuse_the_chunk_already_sent() -> None:
    a = transport.blob_for(b"same bytes")
    assert transport.blob_for(b"same bytes") is a
    assert transport.blob_for(b"other bytes") is not a


def test_a_chunk_whose_comm_was_closed_is_sent_again() -> None:
    """marimo closes a re-run cell's comms but leaves ``widget.comm`` set: reusing that chunk
    would point the new view at a model the page has dropped ("Model not found")."""
    a = transport.blob_for(b"closed by a re-run")
    a.comm.close()
    assert a.comm is not None
    b = transport.blob_for(b"closed by a re-run")
    assert b is not a and not b.comm._closed
    assert transport.blob_for(b"closed by a re-run") is b


def test_chunks_and_the_bundle_are_not_shared_between_sessions(monkeypatch) -> None:
    """``marimo run`` serves every browser session from one process (a thread each): a widget
    sent to one session's page does not exist in another's."""

    class Session:  # stands in for a marimo session's output stream
        pass

    one, two = Session(), Session()
    monkeypatch.setattr(transport, "_scope", lambda: one)
    a, bundle_a = transport.blob_for(b"per session"), transport.bundle_ref()
    assert transport.blob_for(b"per session") is a and transport.bundle_ref() is bundle_a
    monkeypatch.setattr(transport, "_scope", lambda: two)
    b, bundle_b = transport.blob_for(b"per session"), transport.bundle_ref()
    assert b is not a and bundle_b is not bundle_a
    assert transport.blob_for(b"per session") is b and transport.bundle_ref() is bundle_b


def test_scope_is_none_outside_marimo_and_the_session_stream_inside(monkeypatch) -> None:
    import sys
    import types

    monkeypatch.delitem(sys.modules, "marimo._runtime.context", raising=False)
    assert transport._scope() is None
    stream = object()
    fake = types.SimpleNamespace(safe_get_context=lambda: types.SimpleNamespace(stream=stream))
    monkeypatch.setitem(sys.modules, "marimo._runtime.context", fake)
    assert transport._scope() is stream
    monkeypatch.setitem(sys.modules, "marimo._runtime.context", types.SimpleNamespace(safe_get_context=lambda: None))
    assert transport._scope() is None


def _buffers_back(refs: list[list[dict]], sent: dict[str, bytes]) -> list[bytes]:
    """What the page rebuilds from the chunk references (index.js: chunkSlice + concatChunks)."""
    out = []
    for chunks in refs:
        pieces = []
        for c in chunks:
            data = sent[c["digest"]]
            start = c.get("offset", 0)
            pieces.append(data[start : start + c["size"]] if "offset" in c else data)
        out.append(b"".join(pieces))
    return out


def test_small_buffers_travel_packed_and_come_back_exactly() -> None:
    from gizmo_notebook.viewer.transport import CHUNK_SIZE, PACK_BELOW, PACK_BYTES, ChunkPacker

    rng = np.random.default_rng(3)
    sizes = [5, 1000, PACK_BELOW - 1, 17, PACK_BELOW, 40_000, 2 * CHUNK_SIZE + 3, 1] + [30_000] * 40
    buffers = [rng.integers(0, 256, n, dtype=np.uint8).tobytes() for n in sizes]
    sent: dict[str, bytes] = {}
    order: list[str] = []

    def emit(digest: str, data: bytes) -> None:
        assert hashlib.sha256(data).hexdigest() == digest
        sent[digest] = data
        order.append(digest)

    packer = ChunkPacker(emit)
    for b in buffers:
        packer.add(b)
    refs = packer.close()
    assert _buffers_back(refs, sent) == buffers
    small = [i for i, n in enumerate(sizes) if n < PACK_BELOW]
    assert all("offset" in refs[i][0] and refs[i][0]["offset"] % 16 == 0 for i in small)
    assert all("offset" not in c for i, n in enumerate(sizes) if n >= PACK_BELOW for c in refs[i])
    assert len(refs[sizes.index(2 * CHUNK_SIZE + 3)]) == 3, "a buffer over a chunk is split as before"
    # 44 small buffers (1.3 MB) go in a few packs of about PACK_BYTES, not 44 messages
    packs = {refs[i][0]["digest"] for i in small}
    assert 2 <= len(packs) <= -(-sum(sizes[i] for i in small) // PACK_BYTES) + 1
    assert all(len(sent[d]) < PACK_BYTES + PACK_BELOW for d in packs)


def test_packs_are_deterministic_so_a_model_shown_again_sends_nothing_new() -> None:
    from gizmo_notebook.viewer.transport import ChunkPacker

    runs = []
    for _ in range(2):
        got: list[str] = []
        packer = ChunkPacker(lambda d, _data, got=got: got.append(d))
        for n in (10, 20, 30_000, 70_000):
            packer.add(bytes([n % 251]) * n)
        runs.append((got, packer.close()))
    assert runs[0] == runs[1]


def test_a_viewer_names_every_chunk_it_sends_and_its_buffers_rebuild_from_them() -> None:
    import trimesh

    from gizmo_notebook.model import AssetModel, Link, Mesh, Visual
    from gizmo_notebook.viewer.encode import encode_model
    from gizmo_notebook.viewer.widget import Viewer

    parts = [trimesh.creation.icosphere(subdivisions=s) for s in (1, 2, 2, 3)]
    for i, p in enumerate(parts):
        p.apply_translation((i, 0, 0))
    model = AssetModel("packed", links=[Link("base", visuals=[Visual(Mesh(p, name=f"m{i}")) for i, p in enumerate(parts)])])
    v = Viewer(model)
    v._push()
    sent = {b.digest: bytes(b.value) for b in v._blobs}
    _, buffers = encode_model(model)
    assert _buffers_back([b["chunks"] for b in v._meta["buffers"]], sent) == buffers
    assert len(sent) < len(buffers), "small buffers share chunks"
