"""encode_model / transport: what the browser receives, checked by decoding it in Python."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import trimesh
from scipy.spatial import cKDTree

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.model import (
    AssetModel,
    Box,
    Cylinder,
    Joint,
    JointLimits,
    Link,
    Mesh,
    Pose,
    Sphere,
    Visual,
)
from gizmo_notebook.viewer import Viewer, transport, view
from gizmo_notebook.viewer.encode import decode_geometry, encode_mesh, encode_model


def _noisy_sphere(subdivisions: int = 4, seed: int = 0) -> trimesh.Trimesh:
    rng = np.random.default_rng(seed)
    m = trimesh.creation.icosphere(subdivisions=subdivisions, radius=0.37)
    v = m.vertices * (1 + 0.05 * rng.standard_normal((len(m.vertices), 1))) + [1.5, -2.0, 0.25]
    return trimesh.Trimesh(v, m.faces, process=False)


def _arm() -> AssetModel:
    return AssetModel("arm", links=[
        Link("base", visuals=[Visual(Box((0.3, 0.3, 0.1)), color=(0.2, 0.4, 0.8, 1.0))]),
        Link("upper", visuals=[Visual(Cylinder(0.04, 0.5), origin=Pose((0, 0, 0.25)))]),
    ], joints=[
        Joint("shoulder", "revolute", "base", "upper", origin=Pose((0, 0, 0.05)), axis=(0, 1, 0),
              limits=JointLimits(-1.5, 1.5)),
    ])


def test_quantized_positions_within_half_a_step_of_the_source() -> None:
    mesh = _noisy_sphere(5)  # 20k triangles: above the crease-split size, vertices kept shared
    mesh = trimesh.Trimesh(mesh.vertices, mesh.faces, process=False)
    model = AssetModel("ball", links=[Link("ball", visuals=[Visual(Mesh(mesh))])])
    meta, buffers = encode_model(model)
    (geom,) = meta["geometries"].values()
    positions, faces = decode_geometry(geom, buffers)
    assert len(faces) == len(mesh.faces)
    step = np.asarray(geom["scale"])  # one quantization step per axis
    dist, _ = cKDTree(mesh.vertices).query(positions)
    bound = float(np.linalg.norm(step / 2))
    assert dist.max() <= bound + 1e-12
    # "no visible precision lost": ~1/65000 of the part's size, while a pixel of a full-screen
    # view spans ~1/1000 of it
    assert dist.max() < 2e-5 * float(np.ptp(mesh.vertices, axis=0).max())
    assert trimesh.Trimesh(positions, faces).area == pytest.approx(mesh.area, rel=1e-4)


def test_round_trip_keeps_every_triangle_of_every_link_and_the_tree() -> None:
    model = _arm()
    meta, buffers = encode_model(model)
    json.dumps(meta)  # JSON-able, no bytes inside
    assert all(isinstance(b, bytes) for b in buffers)
    assert [link["name"] for link in meta["links"]] == ["base", "upper"]
    (joint,) = meta["joints"]
    assert joint["limits"] == {"lower": -1.5, "upper": 1.5}
    assert np.allclose(np.asarray(joint["origin"]).reshape(4, 4).T, model.joint("shoulder").origin.matrix())
    for link in model.links:
        ((source, _, _),) = model.link_meshes(link)
        (visual,) = next(x for x in meta["links"] if x["name"] == link.name)["visuals"]
        positions, faces = decode_geometry(meta["geometries"][visual["geometry"]], buffers)
        decoded = trimesh.Trimesh(positions, faces, process=False)
        assert np.allclose(decoded.bounds, source.bounds, atol=1e-5)
        assert decoded.area == pytest.approx(source.area, rel=1e-4)
    assert meta["links"][0]["visuals"][0]["color"] == [0.2, 0.4, 0.8, 1.0]
    assert meta["triangles"]["decimated"] is False


def test_payload_is_much_smaller_than_float32_plus_uint32() -> None:
    mesh = _noisy_sphere(6)  # 82k triangles
    enc = encode_mesh(mesh)
    raw = len(mesh.vertices) * 12 + len(mesh.faces) * 12
    assert sum(len(part) for part in enc.parts) / raw < 0.45


def test_over_budget_is_decimated_for_display_and_says_so() -> None:
    mesh = _noisy_sphere(5)
    model = AssetModel("ball", links=[Link("ball", visuals=[Visual(Mesh(mesh))])])
    meta, buffers = encode_model(model, triangle_budget=2000)
    t = meta["triangles"]
    assert t["decimated"] is True and t["source"] == len(mesh.faces)
    assert t["shown"] <= 2200
    (geom,) = meta["geometries"].values()
    positions, faces = decode_geometry(geom, buffers)
    assert len(faces) == t["shown"]
    assert np.allclose(trimesh.Trimesh(positions, faces).bounds, mesh.bounds, atol=0.05)
    assert len(model.link("ball").visuals[0].geometry.mesh.faces) == len(mesh.faces)  # model untouched


def test_non_finite_corners_never_reach_the_browser() -> None:
    """The page's JSON cannot carry NaN: a zero-radius sphere (pybullet's laikago_toes has four;
    trimesh makes them all NaN) draws nothing, and a NaN corner that got into a model anyway
    drops its triangles, not the view."""
    torn = trimesh.Trimesh([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [np.nan, 0, 0]],
                           [[0, 1, 2], [1, 3, 2], [0, 1, 4]], process=False)
    enc = encode_mesh(torn)
    assert enc.index_count == 6 and np.isfinite([*enc.offset, *enc.scale]).all()
    model = AssetModel(name="m", links=[Link("base", visuals=[
        Visual(Box((0.1, 0.1, 0.1))), Visual(Sphere(0.0)), Visual(Mesh(mesh=torn, name="torn"))])])
    meta, _ = encode_model(model)
    json.dumps(meta, allow_nan=False)
    np.testing.assert_allclose(meta["bounds"], [[-0.05, -0.05, -0.05], [1.0, 1.0, 0.05]])
    assert meta["triangles"]["shown"] == 12 + 0 + 2


def test_bad_budget_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="triangle_budget"):
        encode_model(_arm(), triangle_budget=0)


def test_resending_the_same_model_reuses_the_chunks_already_in_the_page() -> None:
    first = Viewer(_arm())
    first._push()
    created = dict(transport._blobs)
    second = Viewer(_arm())
    second._push()
    assert [b.model_id for b in second._blobs] == [b.model_id for b in first._blobs]
    assert dict(transport._blobs) == created  # not one new chunk widget, so nothing re-sent


def test_big_buffers_are_chunked() -> None:
    parts = transport.chunk_buffers([b"x" * (transport.CHUNK_SIZE * 2 + 5), b""])
    assert [len(p) for p in parts] == [3, 1]
    assert [n for _, n, _ in parts[0]] == [transport.CHUNK_SIZE, transport.CHUNK_SIZE, 5]


def test_every_viewer_shares_one_bundle_and_a_tiny_esm() -> None:
    a, b = Viewer(_arm()), Viewer(_arm())
    assert a._bundle is b._bundle
    assert len(a._esm) < 2000
    import gzip

    assert len(gzip.decompress(a._bundle.gz)) > 3 * len(a._bundle.gz) > 100_000


def test_pose_clamps_and_rejects_unknown_joints() -> None:
    v = view(_arm())
    v.pose({"shoulder": 9})
    assert v.joint_values == {"shoulder": 1.5}
    with pytest.raises(KeyError, match="shoulder"):
        v.pose({"knee": 0.1})


def test_view_accepts_trimesh_and_rejects_unknown_renderer() -> None:
    v = view(_noisy_sphere(2))
    assert v.meta["triangles"]["source"] == 320
    with pytest.raises(InvalidValueError, match="renderer"):
        view(_arm(), renderer="vtk")


def test_view_backend_is_a_deprecated_alias_of_renderer() -> None:
    with pytest.warns(DeprecationWarning, match="renderer="):
        v = view(_arm(), backend="three")
    assert isinstance(v, Viewer)  # the three.js Viewer, as renderer="three" gives
    with pytest.warns(DeprecationWarning), pytest.raises(InvalidValueError, match="vtk"):
        view(_arm(), backend="vtk")
    with pytest.warns(DeprecationWarning), pytest.raises(InvalidValueError, match="disagree"):
        view(_arm(), renderer="pythreejs", backend="three")


def test_a_broken_model_fails_before_anything_is_displayed() -> None:
    from gizmo_notebook.model import ModelError

    two_roots = AssetModel("x", links=[Link("a"), Link("b")])
    with pytest.raises(ModelError, match="root"):
        view(two_roots)
    with pytest.raises(ValueError, match="triangle_budget"):
        view(_arm(), triangle_budget=0)


def test_small_meshes_split_at_creases_only() -> None:
    """A box's six sides each get their own corners (flat normals); a smooth sphere stays shared."""
    meta, buffers = encode_model(AssetModel("box", links=[Link("b", visuals=[Visual(Box((1, 2, 3)))])]))
    (g,) = meta["geometries"].values()
    positions, faces = decode_geometry(g, buffers)
    assert g["vertexCount"] == 24 and len(faces) == 12
    # every triangle of the split box lies on one side: its corners share one coordinate
    tri = positions[faces]
    assert all(np.any(np.ptp(t, axis=0) < 1e-6) for t in tri)

    smooth = trimesh.creation.icosphere(subdivisions=3)
    enc = encode_mesh(smooth)
    assert enc.vertex_count == len(smooth.vertices)


@pytest.mark.parametrize("optimizer", ["fifo", "wheel"])
def test_big_meshes_go_in_parts_that_keep_every_triangle(monkeypatch: pytest.MonkeyPatch, optimizer: str) -> None:
    """Above the split size a mesh is encoded part by part (on two threads, each streamed in
    order as it is done, each with its own vertices); decoded together they are the source
    mesh, triangle for triangle. With the compiled binding's FIFO cache optimizer (the
    ``decimate`` extra) and with the core wheel's alone."""
    from gizmo_notebook.viewer import encode

    if optimizer == "fifo":
        pytest.importorskip("meshoptimizer")
        assert encode._fifo_cache_optimizer() is not None
    else:
        monkeypatch.setattr(encode, "_fifo_cache_optimizer", lambda: None)  # as if the extra were not installed
    mesh = _noisy_sphere(5)  # 20k triangles; thresholds lowered so 7 parts (the last partial) run
    monkeypatch.setattr(encode, "_SPLIT_FACES", 1_000)
    monkeypatch.setattr(encode, "_PART_FACES", 3_000)
    streamed: list[bytes] = []
    enc = encode_mesh(mesh, on_part=streamed.append)
    assert enc.flat and len(enc.parts) == 7 and list(enc.parts) == streamed
    meta = {"parts": list(range(len(enc.parts))), "offset": enc.offset, "scale": enc.scale}
    positions, faces = decode_geometry(meta, list(enc.parts))
    assert len(faces) == len(mesh.faces) == enc.index_count // 3
    for part in enc.parts:  # every part is whole on its own, with indices local to it
        q, idx = encode.decode_part(part)
        assert idx.max() < len(q) <= 65536
    # each source triangle is found among the decoded ones (matched by nearest corners)
    nearest = cKDTree(positions).query(mesh.vertices)[1]
    decoded = {tuple(sorted(f)) for f in nearest[cKDTree(mesh.vertices).query(positions)[1]][faces].tolist()}
    source = {tuple(sorted(f)) for f in nearest[mesh.faces].tolist()}
    assert decoded == source
    raw = len(mesh.vertices) * 12 + len(mesh.faces) * 12
    assert sum(len(p) for p in enc.parts) / raw < 0.47  # border vertices are stored twice
    assert (encode._fifo_cache_optimizer() is None) == (optimizer == "wheel")


def test_a_part_never_exceeds_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Incompressible parts are halved until each fits one websocket message."""
    from gizmo_notebook.viewer import encode

    rng = np.random.default_rng(1)
    soup = trimesh.Trimesh(rng.random((30_000, 3)), rng.integers(0, 30_000, (20_000, 3)), process=False)
    monkeypatch.setattr(encode, "_SPLIT_FACES", 1_000)
    monkeypatch.setattr(encode, "MAX_PART_BYTES", 40_000)
    enc = encode_mesh(soup)
    assert sum(len(p) for p in enc.parts) > 4 * 40_000  # so the split was needed, several times
    assert max(len(p) for p in enc.parts) <= 40_000
    positions, faces = decode_geometry({"parts": list(range(len(enc.parts))), "offset": enc.offset,
                                        "scale": enc.scale}, list(enc.parts))
    assert len(faces) == 20_000
    np.testing.assert_allclose(positions[faces].mean(axis=(0, 1)), soup.vertices[soup.faces].mean(axis=(0, 1)),
                               atol=1e-4)


def test_a_malformed_part_is_refused() -> None:
    from gizmo_notebook.viewer.encode import decode_part

    part = encode_mesh(_noisy_sphere(2)).parts[0]
    with pytest.raises(ValueError, match="part"):
        decode_part(part[:-1])
    with pytest.raises(ValueError, match="part"):
        decode_part(b"XXXX" + part[4:])


def test_the_viewer_streams_parts_before_the_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each part is sent (a chunk widget, listed in _blobs) while later ones are still being
    encoded; the metadata, which names them all, is set last. (Parts this small would travel
    packed together: packing is off here, as real parts are far over PACK_BELOW.)"""
    from gizmo_notebook.viewer import encode, transport, widget

    monkeypatch.setattr(transport, "PACK_BELOW", 1)

    monkeypatch.setattr(encode, "_SPLIT_FACES", 1_000)
    monkeypatch.setattr(encode, "_PART_FACES", 3_000)
    monkeypatch.setattr(widget, "_BLOBS_EVERY", 1)
    v = view(_noisy_sphere(5, seed=7))
    events: list[tuple[str, int]] = []
    v.observe(lambda change: events.append(("blobs", len(change["new"]))), names="_blobs")
    v.observe(lambda change: events.append(("meta", len(change["new"]["buffers"]))), names="_meta")
    v._push()
    assert v._expected_triangles == 20_480
    blobs = [n for kind, n in events if kind == "blobs"]
    assert blobs == list(range(1, 8)) and events[-1] == ("meta", 7)
    needed = {c["digest"] for b in v._meta["buffers"] for c in b["chunks"]}
    assert needed == {b.digest for b in v._blobs}


def test_displaying_a_viewer_does_not_wait_for_encoding() -> None:
    """display() asks for the mime bundle (and its text/plain repr) before the view is sent;
    encoding there would hold the browser's bundle load back until the kernel is done."""
    v = view(_noisy_sphere(3))
    bundle = v._repr_mimebundle_()
    assert "Viewer(" in str(bundle)
    assert v._pending is None  # nothing encoded yet
    v._push()
    assert v._pending == [] and "triangles=1280" in repr(v)


def test_same_shape_at_different_sizes_and_places_stays_two_geometries() -> None:
    """Quantized bytes are bounds-relative: two cylinders of one topology must not be merged."""
    model = AssetModel(
        "two tubes",
        [
            Link(
                "base",
                [
                    Visual(Cylinder(0.08, 0.02), Pose((0, 0, 0.01))),
                    Visual(Cylinder(0.03, 0.40), Pose((0, 0, 0.30))),
                ],
            )
        ],
    )
    meta, buffers = encode_model(model)
    keys = [v["geometry"] for v in meta["links"][0]["visuals"]]
    assert keys[0] != keys[1]
    tube, _ = decode_geometry(meta["geometries"][keys[1]], buffers)
    np.testing.assert_allclose(tube.min(0), [-0.03, -0.03, 0.10], atol=1e-3)
    np.testing.assert_allclose(tube.max(0), [0.03, 0.03, 0.50], atol=1e-3)


@pytest.mark.parametrize(
    "prompt",
    ["A 6-DOF robotic arm with a parallel jaw gripper", "a four wheeled rover with a pan tilt head", "a hexapod"],
)
def test_every_visual_decodes_to_its_own_extent(prompt: str) -> None:
    """What the browser draws for each visual spans what the model says (within quantization)."""
    from gizmo_notebook.local.generator import generate

    model = generate(prompt)
    meta, buffers = encode_model(model)
    for link, link_meta in zip(model.links, meta["links"], strict=True):
        expected = model.link_meshes(link)
        assert len(expected) == len(link_meta["visuals"])
        for (mesh, _, _), visual in zip(expected, link_meta["visuals"], strict=True):
            positions, _ = decode_geometry(meta["geometries"][visual["geometry"]], buffers)
            np.testing.assert_allclose(positions.min(0), mesh.bounds[0], atol=1e-4, err_msg=visual["name"])
            np.testing.assert_allclose(positions.max(0), mesh.bounds[1], atol=1e-4, err_msg=visual["name"])


def test_pose_takes_several_numbers_for_ball_joints_and_says_what_is_wrong() -> None:
    from gizmo_notebook.model import ModelError

    rig = AssetModel("rig", links=[Link("a", visuals=[Visual(Box((0.1, 0.1, 0.1)))]), Link("b")],
                     joints=[Joint("ball", "ball", "a", "b")])
    v = view(rig)
    v.pose({"ball": (1, 0, 0, 0)})
    assert v.joint_values == {"ball": [1.0, 0.0, 0.0, 0.0]}
    with pytest.raises(ModelError, match="4 or 3 numbers"):
        v.pose({"ball": 0.3})
    assert v.joint_values == {"ball": [1.0, 0.0, 0.0, 0.0]}  # nothing half-applied


def test_a_failed_encode_is_retried_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    from gizmo_notebook.viewer import widget

    v = view(_arm())
    calls = {"n": 0}
    real = widget.encode_model

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise MemoryError("out of memory while encoding")
        return real(*args, **kwargs)

    monkeypatch.setattr(widget, "encode_model", flaky)
    with pytest.raises(MemoryError):
        v._push()
    v._push()
    assert v._meta["links"] and len(v._blobs) >= 1 and calls["n"] == 2


def test_pose_accepts_numpy_scalars_and_fixed_joints() -> None:
    model = _arm()
    model.joints.append(Joint("bolt", "fixed", "upper", "tool"))
    model.links.append(Link("tool"))
    v = view(model)
    v.pose({"shoulder": np.float32(0.5), "bolt": 0.0})
    assert v.joint_values == {"shoulder": pytest.approx(0.5), "bolt": 0.0}
    np.testing.assert_allclose(model.link_transforms({"shoulder": np.array(0.5)})["upper"],
                               model.link_transforms({"shoulder": 0.5})["upper"])


def test_re_encoding_from_the_cache_can_encode_again_inside_the_callback() -> None:
    """Cached parts are replayed outside the cache lock (a callback may encode, or send)."""
    import threading

    model = _arm()
    encode_model(model)  # fills the cache
    done = threading.Event()

    def run() -> None:
        encode_model(model, on_buffer=lambda data, digest: encode_model(_arm()))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(10), "encode_model deadlocked replaying cached parts"


@pytest.mark.parametrize("order", ["interleaved-halves", "shuffled"])
def test_big_meshes_compress_as_well_in_any_triangle_order(order: str) -> None:
    """Meshes from scanners and CAD tools often list neighbouring triangles far apart; big meshes
    are cut into parts by index range, so without a spatial order first each part touches the
    whole surface (0.36x / 0.74x of raw at 1M triangles instead of ~0.19x)."""
    mesh = _noisy_sphere(7)  # 327k triangles: above the split size, 4 parts
    faces = np.asarray(mesh.faces)
    if order == "shuffled":
        reordered = faces[np.random.default_rng(3).permutation(len(faces))]
    else:  # even triangles first, then odd ones: every neighbour pair is ~160k triangles apart
        reordered = np.concatenate([faces[0::2], faces[1::2]])
    friendly = encode_mesh(mesh)
    other = encode_mesh(trimesh.Trimesh(mesh.vertices, reordered, process=False))
    assert other.flat and friendly.flat
    size = sum(len(p) for p in other.parts)
    assert size <= 1.1 * sum(len(p) for p in friendly.parts)
    assert other.vertex_count <= 1.05 * friendly.vertex_count  # parts are compact patches
    meta = {"parts": list(range(len(other.parts))), "offset": other.offset, "scale": other.scale}
    _, decoded = decode_geometry(meta, list(other.parts))
    assert len(decoded) == len(faces)


def test_crease_patches_are_the_connected_components_of_the_smooth_face_graph() -> None:
    """``_components`` (numpy only, so the core install needs no scipy) gives scipy's
    partition, labelled by each component's smallest node."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from gizmo_notebook.viewer.encode import _components

    rng = np.random.default_rng(5)
    for n, k in ((50, 1), (2000, 1500), (2000, 2500), (5000, 4000)):
        pairs = rng.integers(0, n, size=(k, 2))
        mine = _components(n, pairs)
        graph = coo_matrix((np.ones(k), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        count, theirs = connected_components(graph, directed=False)
        # the same partition: a one-to-one map between the two labellings
        assert len(set(zip(mine.tolist(), theirs.tolist(), strict=True))) == count == len(set(mine.tolist()))
    assert _components(50, np.zeros((0, 2), dtype=np.int64)).tolist() == list(range(50))
    chain = np.stack([np.arange(9999), np.arange(1, 10000)], 1)[::-1]  # a long path, worst order
    assert set(_components(10000, chain).tolist()) == {0}


def test_a_small_mesh_part_carries_its_dequantization_and_a_big_one_does_not() -> None:
    """The browser builds a small mesh's geometry from its one part on arrival (decode.js
    partGeometry), before the metadata: the part's header holds the same offset and scale."""
    small = encode_mesh(trimesh.creation.box(extents=(0.1, 0.2, 0.3)))
    (part,) = small.parts
    flags = struct.unpack_from("<I", part, 20)[0]
    assert flags & 4
    values = struct.unpack_from("<6d", part, 24)
    assert values == small.offset + small.scale
    big = encode_mesh(_noisy_sphere(7))  # above the flat-part threshold: placed by the mesh's transform
    assert big.flat and all(not struct.unpack_from("<I", p, 20)[0] & 4 for p in big.parts)


def test_a_robot_of_many_meshes_shown_again_is_not_encoded_again(monkeypatch) -> None:
    """A re-run cell (or the Studio showing a result again) finds every mesh of a ~130-mesh
    robot in the cache: an LRU smaller than the model evicted each mesh just before it was
    asked for again."""
    from gizmo_notebook.viewer import encode

    links = [Link(f"l{i}", visuals=[Visual(Box((0.01 * (i + 1), 0.02, 0.03)))]) for i in range(130)]
    joints = [Joint(f"j{i}", "fixed", f"l{i}", f"l{i + 1}") for i in range(129)]
    model = AssetModel("many", links=links, joints=joints)
    encode._clear_cache()
    first_meta, first_buffers = encode_model(model)
    calls: list[int] = []
    real = encode.encode_mesh
    monkeypatch.setattr(encode, "encode_mesh", lambda *a, **k: calls.append(1) or real(*a, **k))
    meta, buffers = encode_model(model)
    assert calls == [], f"{len(calls)} of 130 meshes encoded again"
    assert buffers == first_buffers and meta == first_meta
    assert 0 < encode._cached_bytes < encode._CACHE_BYTES


def test_the_encode_cache_drops_the_least_recently_used_past_its_bytes(monkeypatch) -> None:
    from gizmo_notebook.viewer import encode

    encode._clear_cache()
    monkeypatch.setattr(encode, "_CACHE_BYTES", 1_000)
    boxes = [trimesh.creation.box(extents=(0.1 * (i + 1), 0.2, 0.3)) for i in range(12)]
    for box in boxes:
        encode._encode_cached(box, None)
    assert encode._cached_bytes <= 1_000 and 1 < len(encode._CACHE) < 12
    assert encode._cached_bytes == sum(len(p) for e in encode._CACHE.values() for p in e.parts)
    calls: list[int] = []
    real = encode.encode_mesh
    monkeypatch.setattr(encode, "encode_mesh", lambda *a, **k: calls.append(1) or real(*a, **k))
    encode._encode_cached(boxes[-1], None)
    assert calls == [], "the most recent stays"
    encode._encode_cached(boxes[0], None)
    assert calls == [1], "the oldest went"
    encode._clear_cache()


def _cube_soup() -> trimesh.Trimesh:
    """A unit cube as 12 separate triangles (36 vertices): an STL-like soup, closed only by position."""
    box = trimesh.creation.box()
    return trimesh.Trimesh(box.triangles.reshape(-1, 3), np.arange(36).reshape(-1, 3), process=False)


@pytest.mark.parametrize(("name", "make", "closed"), [
    ("cube", trimesh.creation.box, True),
    ("cube as a triangle soup", _cube_soup, True),  # seams repeat vertices: matched by position
    ("sphere", lambda: _noisy_sphere(3), True),
    ("cube, one triangle missing", lambda: trimesh.Trimesh(trimesh.creation.box().vertices,
                                                           trimesh.creation.box().faces[:-1], process=False), False),
    ("cube wound inward", lambda: trimesh.Trimesh(trimesh.creation.box().vertices,
                                                  trimesh.creation.box().faces[:, ::-1], process=False), False),
    ("cube, one triangle flipped", lambda: trimesh.Trimesh(
        trimesh.creation.box().vertices,
        np.vstack([trimesh.creation.box().faces[:-1], trimesh.creation.box().faces[-1:, ::-1]]), process=False), False),
    ("double-sided sheet", lambda: trimesh.Trimesh([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2], [0, 2, 1]],
                                                   process=False), False),
    ("two cubes", lambda: trimesh.util.concatenate([
        trimesh.creation.box(), trimesh.creation.box().apply_translation((3, 0, 0))]), True),
])
def test_a_mesh_is_closed_only_if_every_edge_meets_its_reverse_and_it_faces_outward(name, make, closed) -> None:
    """``closed`` lets the browser cull back faces, which hides the inside of anything open or
    inside out: it must hold only for closed surfaces wound outward."""
    enc = encode_mesh(make())
    assert enc.closed is closed, name
    meta, _ = encode_model(AssetModel("m", links=[Link("a", visuals=[Visual(Mesh(make()))])]))
    assert [g["closed"] for g in meta["geometries"].values()] == [closed], name


@pytest.mark.parametrize("order", ["as built", "shuffled"])
def test_a_big_mesh_is_closed_summed_over_its_parts(order: str) -> None:
    """Big meshes are checked part by part on the encode threads: the sums must add up to the
    whole mesh's answer, whatever part each triangle lands in; a hole anywhere opens it."""
    mesh = _noisy_sphere(7)  # 327k triangles, 4 parts
    faces = np.asarray(mesh.faces)
    if order == "shuffled":
        faces = faces[np.random.default_rng(5).permutation(len(faces))]
    whole = encode_mesh(trimesh.Trimesh(mesh.vertices, faces, process=False))
    assert whole.flat and len(whole.parts) > 1 and whole.closed
    holed = encode_mesh(trimesh.Trimesh(mesh.vertices, np.delete(faces, 1000, axis=0), process=False))
    assert holed.flat and not holed.closed
