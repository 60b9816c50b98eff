"""Turn an :class:`AssetModel` into what a browser needs to draw and pose it, compactly.

Interface (shared with the Studio widget)::

    meta, buffers = encode_model(model, triangle_budget=2_000_000)

``meta`` is JSON-able; ``buffers`` is a list of ``bytes``. Nothing geometric goes into JSON:
the browser gets binary buffers only. Layout of ``meta``:

* ``name``, ``root``: model and root link names;
* ``links``: ``[{"name", "visuals": [{"name", "geometry": <key>, "color": [r,g,b,a] | None, "group",
  "material": {"texture": <texture key> | None, "metallic": float | None, "roughness": float |
  None} | None}],
  "collisions": [{"name", "geometry": <key>}], "inertial": {"mass", "com": [3], "inertia": [6]}
  | None}]`` with each visual's and collision's geometry already in its link frame (its origin
  is baked in; collision geometry uses the same part encoding, drawn by the inspect overlay);
* ``joints``: parent-before-child, ``[{"name", "type", "parent", "child", "origin": [16 floats,
  column-major as three.js' Matrix4.fromArray wants], "axis": [x,y,z], "limits": {"lower",
  "upper"} | None}]``; forward kinematics is ``T(child) = T(parent) @ origin @ motion(q)``;
* ``geometries``: ``{key: {"vertexCount", "indexCount", "parts": [i, ...], "offset": [3],
  "scale": [3], "smooth": bool, "flat": bool, "uv": bool, "closed": bool}}`` where each ``i``
  indexes ``buffers`` and ``closed`` says the surface is closed and wound outward (the browser
  culls a big one's back faces);
* ``textures``: ``{key: {"buffer": i, "mime": "image/png" | "image/jpeg"}}``: the image file's
  own bytes as one buffer, listed once per distinct image (the key is its sha256 prefix) however
  many visuals use it. Colour is sRGB; the image is multiplied by the visual's colour;
* ``buffers``: ``[{"hash", "size"}]`` (sha256 of each buffer, so a page never fetches a buffer
  it already holds). Each buffer is one *part* of a geometry, self-describing: a 24-byte header
  (``b"GZP1"``, vertex count, index count, vertex-codec bytes, index-codec bytes, flags; uint32
  little-endian; flag 1 = part of a big, flat-shaded mesh; flag 2 = the part carries UVs; flag 4
  = the part carries its dequantization) then, with flag 2 only, one more uint32 (UV-codec
  bytes), with flag 4 only, six float64 (the geometry's offset and scale: a small mesh's one part
  can be built the moment it arrives), then the vertex and index codec streams
  and, with flag 2, the UV stream: float32 (u, v) per vertex in the part's vertex order, through
  the same vertex codec (OpenGL convention: v = 0 is the image's bottom row). A part's indices
  are local to the part; parts of up to 65,535 vertices decode to 16-bit indices. Only textured
  visuals' meshes carry UVs, so untextured models cost what they did;
* ``triangles``: ``{"source", "shown", "budget", "decimated"}``; ``bounds``: ``[[min], [max]]``
  of what the first view draws (visuals in MJCF groups 3-5 are sent but start hidden);
* ``notes``: ``model.notes``, shown under the view (what the loader hid or could not draw, and
  why); ``groups``: the MJCF groups the visuals use (a visual's ``"group"`` is its group or
  None); ``loops``: ``[{"name", "type", "parent", "child", "parentAnchor": [3], "childAnchor":
  [3]}]``, each anchor in its own link's frame; a link's ``inertial`` also has ``"box": {"size":
  [3], "origin": [16]}``, its equivalent inertia box (:meth:`Inertial.equivalent_box`).

Encoding, chosen by measurement (see ``benchmarks/bench_viewer.py``):

* positions are quantized to int16 per geometry (per-axis bounds -> [-32767, 32767]); the
  error is below ``extent / 65534`` per axis, a ten-thousandth of a millimetre on a 1 m part.
  Stored as xyzw int16 (w = 0) since the codec wants 4-byte strides;
* triangles are reordered for the vertex cache and the vertices for fetch order, then both
  go through meshoptimizer's vertex / index codecs (the ``meshopt`` wheel: no compiler, and it
  releases the GIL; the compiled ``meshoptimizer`` binding's faster FIFO cache optimizer when
  the ``decimate`` extra is installed), decoded in the browser by the same library's WASM decoder. At 1M
  triangles this is ~0.19x of float32 + uint32 whatever the triangle order (delta + zlib
  reached ~0.36x);
* meshes above ``_SPLIT_FACES`` triangles (drawn flat-shaded, see js/src/viewer/decode.js) are
  spatially sorted, then go in parts of ~100k triangles, each at most ``MAX_PART_BYTES``, encoded on
  two threads: the widget sends a part while the next are encoded and the browser decodes each on arrival, so encoding, transfer and
  decoding overlap instead of adding up (and each part draws with 16-bit indices);
* normals are not sent; the browser computes them. Meshes up to 20k triangles are split at sharp creases
  first so a box looks like a box rather than a blob; big meshes (scans) stay smooth.

Above ``triangle_budget`` triangles in total, each mesh is simplified (for display only,
never the exported file) and ``meta["triangles"]["decimated"]`` says so.
"""

from __future__ import annotations

import functools
import hashlib
import os
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import meshopt
import numpy as np
import trimesh

from gizmo_notebook._optional import requires
from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.model import (
    DEFAULT_GROUPS,
    GROUPS,
    AssetModel,
    Link,
    Mesh,
    Visual,
    mesh_uv,
    sound_triangles,
)

__all__ = [
    "DEFAULT_TRIANGLE_BUDGET",
    "decode_part_uv",
    "decode_uv",
    "EncodedGeometry",
    "decode_geometry",
    "check_triangle_budget",
    "decode_part",
    "encode_mesh",
    "encode_model",
    "shown_triangles",
]

DEFAULT_TRIANGLE_BUDGET = 2_000_000
_QMAX = 32767
_CREASE_SPLIT_MAX_FACES = 20_000  # above this, keep vertices shared (smooth shading): splitting
# a noisy scan at creases can multiply its vertex count, which costs bytes, not looks
_SPLIT_FACES = 200_000  # above this: spatial sort, parts, flat shading in the browser
_PART_FACES = 98_304  # triangles per part: ~50k vertices on a surface mesh, so 16-bit indices
MAX_PART_BYTES = 1 << 20  # a part fits one websocket message (transport.CHUNK_SIZE)
_ENCODE_THREADS = max(1, min(2, os.cpu_count() or 1))  # more left the kernel no time to send (2 cores here)
PART_MAGIC = b"GZP1"
_PART_HEADER = struct.Struct("<4sIIIII")  # magic, vertex count, index count, vertex bytes, index bytes, flags
_FLAT = 1  # flags: the part belongs to a big mesh, drawn quantized and flat-shaded
_UV = 2  # flags: a UV stream follows the index stream; its length is the uint32 after the header
_UV_LENGTH = struct.Struct("<I")
_DEQUANTIZE = 4  # flags: the part's own offset and scale follow (after the UV length, if any)
_DEQUANTIZE_VALUES = struct.Struct("<6d")  # offset x, y, z, scale x, y, z: position = offset + q * scale


@dataclass(frozen=True)
class EncodedGeometry:
    """One mesh, ready for the browser: its parts (see the module doc) and how to dequantize them."""

    parts: tuple[bytes, ...]
    vertex_count: int
    index_count: int
    offset: tuple[float, float, float]
    scale: tuple[float, float, float]
    smooth: bool
    flat: bool
    source_triangles: int
    uv: bool = False
    closed: bool = False  # a closed surface wound outward: the browser may cull its back faces

    @property
    def key(self) -> str:
        # The int16 positions are relative to the mesh's own bounds, so two meshes of the same
        # shape but different size or place (every cylinder of an arm) share the bytes: the
        # dequantization belongs in the identity too.
        transform = np.asarray(self.offset + self.scale, dtype="<f8").tobytes()
        return _sha(b"".join(self.parts) + transform)[:24]

    @property
    def nbytes(self) -> int:
        """The parts' size: what this mesh costs in the encode cache and on the wire."""
        return sum(len(p) for p in self.parts)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- one mesh


_CREASE_ANGLE = np.radians(20)  # faces meeting at a sharper angle than this get their own vertices


def _split_creases(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``vertices`` (float64) and ``faces`` (int64) with vertices duplicated across edges sharper than the crease angle,
    and for each new vertex the index of the one it copies (so UVs can follow).

    Small CAD-like meshes (boxes, cylinders, STL parts) need this for per-vertex normals that
    read as flat faces. Faces joined by smooth edges form patches (connected components of
    the face graph); each patch gets its own copy of the vertices it uses. The same patches as
    trimesh's ``smooth_shaded``, vectorised: that builds one submesh per patch, which took
    0.4 s on a noisy 10k-triangle scan (3,000 patches) against ~10 ms here.
    """
    smooth_pairs = _smooth_neighbours(vertices, faces)
    patch = _components(len(faces), smooth_pairs)
    corner_keys = np.repeat(patch.astype(np.int64), 3) * len(vertices) + faces.ravel()
    keys, new_faces = np.unique(corner_keys, return_inverse=True)
    source = keys % len(vertices)
    return vertices[source], new_faces.reshape(-1, 3), source


def _smooth_neighbours(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Pairs of faces (k, 2) that share an edge and meet at less than the crease angle.

    What trimesh's ``face_adjacency`` + ``face_adjacency_angles`` give, computed directly:
    trimesh re-validates its cache on every property of a fresh mesh, which made this step
    0.3 s of TALOS' 0.6 s encode (77 small meshes). An edge shared by more than two faces
    joins them in sorted order (a chain: the same patch); degenerate faces (no normal) are
    nobody's smooth neighbour.
    """
    if len(faces) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    corners = vertices[faces]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    length = np.linalg.norm(normals, axis=1)
    normals = normals / np.where(length > 0, length, 1.0)[:, None]
    ends = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)  # each face's edges, in order
    # min/max rather than np.sort(axis=1): a sort per two-element row was half this function's time
    keys = np.minimum(ends[:, 0], ends[:, 1]) * (int(faces.max()) + 1) + np.maximum(ends[:, 0], ends[:, 1])
    order = np.argsort(keys, kind="stable")
    same = keys[order[1:]] == keys[order[:-1]]
    a, b = order[:-1][same] // 3, order[1:][same] // 3
    keep = (a != b) & (np.einsum("ij,ij->i", normals[a], normals[b]) > np.cos(_CREASE_ANGLE))
    return np.stack([a[keep], b[keep]], axis=1)


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes joined by the edges ``pairs`` (k, 2):
    the smallest node of its component.

    Numpy only, by hooking trees and pointer jumping (as Shiloach and Vishkin's parallel
    algorithm does): each round, for every edge whose ends are in two trees, the larger root
    is hooked under the smaller one, then every node jumps to its root; edges inside one tree
    are dropped. Labels only ever point at smaller nodes, so the root left is the smallest
    node of its component, and trees merge in a few rounds (hooking nodes instead of roots
    took one round per step of a patch's diameter: many, on a long smooth tube). As fast as
    scipy's ``connected_components`` on TIAGo++'s and TALOS' ~150k faces at once (~12 ms), and
    scipy stays out of the core install.
    """
    label = np.arange(n, dtype=np.int64)
    a = np.asarray(pairs[:, 0], dtype=np.int64)
    b = np.asarray(pairs[:, 1], dtype=np.int64)
    while True:
        root_a, root_b = label[a], label[b]  # every node points at its root here
        apart = root_a != root_b
        if not apart.any():
            return label
        a, b, root_a, root_b = a[apart], b[apart], root_a[apart], root_b[apart]
        np.minimum.at(label, np.maximum(root_a, root_b), np.minimum(root_a, root_b))
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped


_SLOPPY_ABOVE = 4_000_000  # source triangles above which decimation clusters instead of collapsing edges
_SLOPPY_TOLERANCE = 0.1  # aim: the budget within 10 % (the promise is 15 %)
_SLOPPY_PASSES = 5
_DECIMATE_FEATURE = "showing a mesh above the viewer's triangle budget (decimating it for display)"


def _sloppy(mo: object, dest: np.ndarray, indices: np.ndarray, pos: np.ndarray, target_faces: int) -> np.ndarray:
    """``simplify_sloppy`` steered to ``target_faces`` triangles.

    The clusterer picks its grid from an estimate that counts triangles before duplicates are
    merged, so one call lands well under the target on big meshes (0.68M triangles for a 2M
    budget at 10M; asking for 4M gives 2.5M). So the request is searched: scaled by
    ``target / got`` until one request lands under the target and one over, then bisected
    (geometrically) between them, up to ``_SLOPPY_PASSES`` calls (~4 s each at 10M triangles
    on a quiet machine), keeping the closest result.
    """
    request, best = target_faces, np.zeros(0, dtype=np.uint32)
    under = over = 0  # requests known to land under / over the target
    for _ in range(_SLOPPY_PASSES):
        want = int(min(len(indices), 3 * request))
        n = mo.simplify_sloppy(dest, indices, pos, len(indices), len(pos), 12, want, 1.0)  # type: ignore[attr-defined]
        got = n // 3
        if abs(got - target_faces) < abs(len(best) // 3 - target_faces):
            best = dest[:n].copy()
        if abs(got - target_faces) <= _SLOPPY_TOLERANCE * target_faces or got == 0:
            break
        if got < target_faces:
            if want == len(indices):
                break  # the whole mesh is asked for already
            under = request
        else:
            over = request
        nxt = int(np.sqrt(under * over)) if under and over else int(request * target_faces / got)
        if nxt in (under, over, request):
            break
        request = max(1, nxt)
    return best


def _simplify(vertices: np.ndarray, faces: np.ndarray, target_faces: int) -> np.ndarray:
    """Faces of a simplified mesh with about ``target_faces`` triangles (same vertex array).

    Up to ``_SLOPPY_ABOVE`` triangles: meshoptimizer's edge-collapse simplifier (keeps the
    topology, the better look). Above it, that simplifier costs minutes (82 s for 10M -> 2M
    triangles on a loaded 2-core machine) while the kernel waits, so the mesh is clustered with
    ``simplify_sloppy`` (4 s, 20x faster), steered to the target (:func:`_sloppy`): a decimated
    preview of a 10M-triangle scan is for looking at, and the exported file is never touched.

    The simplifier is the ``decimate`` extra (the ``meshoptimizer`` binding, built from source):
    the core install's ``meshopt`` wheel has the codecs but no simplifier.
    """
    with requires("decimate", _DECIMATE_FEATURE):
        import meshoptimizer as mo
    indices = faces.astype(np.uint32).ravel()
    dest = np.zeros_like(indices)
    pos = np.ascontiguousarray(vertices, dtype=np.float32)
    if len(faces) > _SLOPPY_ABOVE:
        return _sloppy(mo, dest, indices, pos, target_faces).reshape(-1, 3).astype(np.int64)
    n = mo.simplify(dest, indices, pos, len(indices), len(pos), 12, target_faces * 3, 0.05)
    if n == 0 or n > 0.9 * len(indices):  # topology resists: cluster aggressively instead
        return _sloppy(mo, dest, indices, pos, target_faces).reshape(-1, 3).astype(np.int64)
    return dest[:n].reshape(-1, 3).astype(np.int64)


def _finite_only(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sound triangles (:func:`~gizmo_notebook.model.sound_triangles`), over vertices where
    the non-finite ones are moved onto a finite one (so the vertex count, and any UVs with it,
    stay as they are).

    The loaders refuse such numbers and :func:`~gizmo_notebook.loaders.from_trimesh` leaves such
    triangles out; this is the last line before the browser, whose JSON cannot carry a NaN
    bound or offset (one NaN and the view would never get its metadata)."""
    keep = sound_triangles(vertices, faces)
    if keep is None:
        return vertices, faces
    finite = np.isfinite(vertices).all(axis=1)
    if not finite.any():
        return np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64)
    vertices = np.where(finite[:, None], vertices, vertices[np.argmax(finite)])
    return vertices, faces[keep]


def _axis_bounds(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-axis min and max of an (n, 3) array, column by column.

    ``vertices.min(axis=0)`` reduces across a 3-wide row-major array, which numpy does ~25x
    slower than three contiguous column reductions (25 ms vs 1 ms at 500k vertices); the
    viewer needs these bounds twice on its way to the first frame.
    """
    cols = np.asarray(vertices, dtype=np.float64).T
    return (np.array([c.min() for c in cols]), np.array([c.max() for c in cols]))


def _quantize(vertices: np.ndarray, offset: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """int16 xyzw (w = 0) with ``vertices ~= offset + q * scale``; one column at a time,
    which keeps the temporaries small (2.5x faster than the whole-array expression)."""
    q = np.zeros((len(vertices), 4), dtype=np.int16)
    for axis in range(3):
        col = vertices[:, axis] - offset[axis]
        col *= 1.0 / scale[axis]
        np.rint(col, out=col)
        np.clip(col, -_QMAX, _QMAX, out=col)
        q[:, axis] = col
    return q


_HASH_MUL = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9))
_CLOSED_MIN_VOLUME = 1e-6 * 6 * (2 * _QMAX) ** 3  # of six times the volume, in quantized units


def _point_hash(q: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """A 64-bit pseudo-random number per corner (splitmix64's finaliser) of the point it sits
    on, keyed by the quantized position, not the vertex id: seams that repeat a vertex (UV or
    normal seams, unmerged STL soups) still count as one point."""
    x = np.take(np.ascontiguousarray(q).view(np.uint64).ravel(), ids)  # xyzw int16 = one uint64
    x *= _HASH_MUL[0]
    x ^= x >> np.uint64(31)
    x *= _HASH_MUL[1]
    x ^= x >> np.uint64(29)
    return x


def _closure(q: np.ndarray, tris: np.ndarray) -> tuple[int, float]:
    """What :func:`_closed` needs of the triangles ``tris`` (k, 3) over the int16 points ``q``,
    as sums that add up over the parts of a mesh: (edge balance mod 2**64, six times the signed
    volume in quantized units).

    A surface is closed and consistently wound exactly when its directed edges, as a multiset,
    equal their reverses. Weighting edge (u, v) by h(u) * h(v)^2 and subtracting its reverse,
    every matched pair cancels; an edge without its reverse (a hole, a flipped triangle) leaves
    a pseudo-random 64-bit remainder, zero by chance once in 2^64. ~5 ms per 100k triangles,
    on the encode threads.
    """
    if len(tris) == 0:
        return 0, 0.0
    x = _point_hash(q, tris)
    g = x * x
    a, b, c = x[:, 0], x[:, 1], x[:, 2]
    ga, gb, gc = g[:, 0], g[:, 1], g[:, 2]
    balance = (a * gb + b * gc + c * ga - b * ga - c * gb - a * gc).sum(dtype=np.uint64)
    p = np.take(q, tris, axis=0)  # (k, 3, 4) int16
    (x0, y0, z0), (x1, y1, z1), (x2, y2, z2) = [[p[:, i, axis].astype(np.float64) for axis in range(3)] for i in range(3)]
    volume6 = (x0 * (y1 * z2 - z1 * y2) + y0 * (z1 * x2 - x1 * z2) + z0 * (x1 * y2 - y1 * x2)).sum()
    return int(balance), float(volume6)


def _closed(sums: list[tuple[int, float]]) -> bool:
    """Whether the parts' :func:`_closure` sums describe a closed surface wound outward (so its
    back faces can never be seen from outside and the browser may skip drawing them: ~14 % of
    a 1M-triangle frame in software WebGL, see js/src/viewer/scene.js). Flat or inside-out
    shells, and open ones (a scan with a hole, a truncated sphere) are drawn double-sided.

    The volume is the whole mesh's: a mesh of several closed shells where a smaller one alone
    is wound inward passes, and that shell then shows its inside. Telling shells apart would
    take a connected-components pass over the whole mesh (~0.1 s at 1M triangles) before the
    first part could go."""
    balance = sum(b for b, _ in sums) % (1 << 64)
    return balance == 0 and sum(v for _, v in sums) > _CLOSED_MIN_VOLUME


@functools.cache
def _fifo_cache_optimizer() -> Callable[[np.ndarray], np.ndarray] | None:
    """meshoptimizer's FIFO vertex-cache optimizer (``optimizeVertexCacheFifo``) when the compiled
    ``meshoptimizer`` binding is installed (the ``decimate`` extra), else None.

    Measured on 1M-triangle meshes (icosphere, two interleaved halves, shuffled): ~4x faster
    than the ``meshopt`` wheel's ``optimizeVertexCache`` (85 ms vs 440 ms for the 11 parts),
    and within 3 % of its size after the codecs (0.192x vs 0.187x raw). The wheel's optimizer
    stays the fallback, so a core install encodes the same format, only slower.
    """
    try:
        import meshoptimizer  # the optional fast path: without it, meshopt's optimizer
    except ImportError:
        return None

    def fifo(indices: np.ndarray) -> np.ndarray:
        out = np.empty_like(indices)
        meshoptimizer.optimize_vertex_cache_fifo(out, indices, len(indices), int(indices.max()) + 1, 16)
        return out

    return fifo


def _reordered(
    q: np.ndarray, indices: np.ndarray, uv: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Triangles in vertex-cache order and the vertices they use (with their ``uv``, when
    given) in first-use (fetch) order: ``(q, uv, indices)``.

    A vertex-cache optimizer (:func:`_fifo_cache_optimizer`, or meshoptimizer's
    ``optimizeVertexCache`` from the ``meshopt`` wheel), then ``optimizeVertexFetchRemap``: the
    vertex and index codecs compress what this order makes regular. Vertices no index uses are
    dropped; a UV follows its vertex through the remap. The vertices are gathered by the
    indices (each new vertex's source index), so a part of a big mesh costs its own size, not
    the whole mesh's vertex count.
    """
    if len(indices) == 0:
        return q[:0], None if uv is None else uv[:0], indices
    fifo = _fifo_cache_optimizer()
    ordered = fifo(indices) if fifo is not None else indices
    remapped, remap, unique = meshopt.reorder_mesh(ordered, triangles=fifo is None, optsize=False)
    source = np.empty(unique, dtype=np.intp)
    source[remap[indices]] = indices  # every corner of a vertex writes the same source
    fetched = q[source]
    fetched_uv = None if uv is None else np.ascontiguousarray(uv[source], dtype="<f4")
    return fetched, fetched_uv, np.ascontiguousarray(remapped, dtype=np.uint32)


def _pack_part(q: np.ndarray, indices: np.ndarray, *, flat: bool = False, uv: np.ndarray | None = None,
               dequantize: tuple[np.ndarray, np.ndarray] | None = None) -> bytes:
    """Header + meshoptimizer vertex and index streams for vertices ``q`` (int16 xyzw) and
    ``indices`` (uint32, into ``q``), plus the UV stream when ``uv`` (float32, one per vertex) is given.

    ``dequantize`` (offset, scale) goes into the header of a small mesh's part: the browser then
    builds its geometry (float positions, normals) the moment the part arrives, and uploads it
    while the kernel is still encoding the rest, instead of after the metadata that comes last.
    A flat part draws its int16 positions as they are, so it needs none."""
    vertex_bytes = meshopt.encode_vertex_buffer(np.ascontiguousarray(q)) if len(q) else b""
    index_bytes = meshopt.encode_index_buffer(indices) if len(indices) else b""
    flags = _FLAT if flat else 0
    uv_bytes = b""
    if uv is not None:
        flags |= _UV
        uv_bytes = bytes(meshopt.encode_vertex_buffer(np.ascontiguousarray(uv, dtype="<f4"))) if len(uv) else b""
    if dequantize is not None:
        flags |= _DEQUANTIZE
    header = _PART_HEADER.pack(PART_MAGIC, len(q), len(indices), len(vertex_bytes), len(index_bytes), flags)
    if uv is not None:
        header += _UV_LENGTH.pack(len(uv_bytes))
    if dequantize is not None:
        header += _DEQUANTIZE_VALUES.pack(*(float(v) for v in dequantize[0]), *(float(v) for v in dequantize[1]))
    return header + bytes(vertex_bytes) + bytes(index_bytes) + uv_bytes


def _spatial_order(q: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """A permutation of the triangles ``tris`` (k, 3) that puts neighbours in space next to each
    other: meshoptimizer's spatial sort (``spatialSortRemap``, a Morton order) of the vertices,
    then the triangles by the place of their first corner.

    Big meshes are cut into parts by triangle range, and each part is vertex-cache optimized on
    its own. That only works when a range of triangles is a compact patch of surface: meshes
    from scanners, CAD tessellators and other tools often list triangles far apart (two
    interleaved halves, or no order at all), and then every part touches the whole mesh, its
    vertices are stored by many parts and its indices compress badly (0.36x and 0.74x of raw
    instead of 0.19x at 1M triangles). Sorting first makes every part a compact patch whatever
    the input order.

    All of this comes before the first part can go, so it is kept short: sorting the vertices
    (half as many as triangles) and then the triangles by a 16-bit key (numpy's radix sort;
    buckets of at most 2^-16 of the vertices, far finer than a part of ~100k triangles) takes
    ~45 ms at 1M triangles, where sorting the triangles' corners took 60-80 ms, for the same
    size after the codecs. Each part gathers its own triangles on an encode thread.
    """
    place = meshopt.reorder_points(q[:, :3].astype(np.float32))  # each vertex's place in Morton order
    bucket = np.take(place, tris[:, 0]) >> max(0, len(place).bit_length() - 16)
    return np.argsort(bucket.astype(np.uint16), kind="stable")


def _big_mesh_parts(q: np.ndarray, indices: np.ndarray, on_part: Callable[[bytes], object] | None,
                    uv: np.ndarray | None = None) -> tuple[list[bytes], bool]:
    """Encode a big mesh as parts of ``_PART_FACES`` triangles (halved until one fits
    ``MAX_PART_BYTES``), handing each to ``on_part`` in order as soon as it and those before
    it exist; and whether the mesh is closed (:func:`_closed`, summed over the parts).

    Triangles are taken in spatial order (:func:`_spatial_order`), so each part is a compact
    patch whatever order the input came in. Per part: vertex-cache reorder, then the vertices it
    uses, in fetch order (:func:`_reordered`; vertices on a border are stored by both parts: ~1 %
    more bytes on a sphere). Parts are encoded on ``_ENCODE_THREADS`` threads: the codecs and
    optimizers release the GIL (1M triangles: 0.52 s on one thread, 0.33 s on two), and
    ipykernel's IOPub thread sends each finished part meanwhile (``time.sleep(0)`` lets it
    start). ``on_part`` runs on the calling thread.
    """
    tris = indices.reshape(-1, 3)
    order = _spatial_order(q, tris)

    def encode(part_tris: np.ndarray) -> list[bytes]:
        part_q, part_uv, part = _reordered(q, part_tris.ravel(), uv)
        data = _pack_part(part_q, part, flat=True, uv=part_uv)
        if len(data) > MAX_PART_BYTES and len(part_tris) > 1:
            mid = len(part_tris) // 2
            return encode(part_tris[:mid]) + encode(part_tris[mid:])
        return [data]

    def job(lo: int, hi: int) -> tuple[list[bytes], tuple[int, float]]:
        part_tris = np.take(tris, order[lo:hi], axis=0)
        return encode(part_tris), _closure(q, part_tris)

    ranges = [(start, min(start + _PART_FACES, len(tris))) for start in range(0, len(tris), _PART_FACES)]
    parts: list[bytes] = []
    sums: list[tuple[int, float]] = []
    with ThreadPoolExecutor(max_workers=_ENCODE_THREADS, thread_name_prefix="gizmo-encode") as pool:
        for done in [pool.submit(job, lo, hi) for lo, hi in ranges]:
            encoded, closure = done.result()
            sums.append(closure)
            for data in encoded:
                parts.append(data)
                if on_part is not None:
                    on_part(data)
                time.sleep(0)
    return parts, _closed(sums)


def encode_mesh(mesh: trimesh.Trimesh, *, max_triangles: int | None = None,
                on_part: Callable[[bytes], object] | None = None, uv: np.ndarray | None = None) -> EncodedGeometry:
    """Quantize and compress one mesh (optionally simplified to ``max_triangles``).

    ``on_part(bytes)`` is called with each part as soon as it is encoded (big meshes come in
    several), so a caller can send it while the rest is still being encoded. ``uv`` (one (u, v)
    per vertex of ``mesh``) is sent with the positions, for a textured visual.
    """
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    if uv is not None:
        uv = np.asarray(uv, dtype=np.float32).reshape(-1, 2)
        if len(uv) != len(vertices):
            raise InvalidValueError(f"uv must hold one (u, v) per vertex: {len(uv)} for {len(vertices)} vertices")
    vertices, faces = _finite_only(vertices, faces)
    source_triangles = len(faces)
    if max_triangles is not None and len(faces) > max_triangles:
        faces = _simplify(vertices, faces, max(max_triangles, 4))
    smooth = len(faces) > _CREASE_SPLIT_MAX_FACES
    if not smooth and len(faces):
        vertices, faces, source = _split_creases(vertices, faces)
        if uv is not None:
            uv = uv[source]
    if len(faces) == 0 or len(vertices) == 0:
        vertices = np.zeros((0, 3))
        faces = np.zeros((0, 3), dtype=np.int64)
        uv = None if uv is None else np.zeros((0, 2), dtype=np.float32)

    lo, hi = _axis_bounds(vertices) if len(vertices) else (np.zeros(3), np.zeros(3))
    offset = (lo + hi) / 2.0
    half = np.maximum((hi - lo) / 2.0, 1e-12)
    scale = half / _QMAX  # position = offset + q * scale
    q = _quantize(vertices, offset, scale)
    indices = np.ascontiguousarray(faces, dtype=np.uint32).ravel()

    flat = len(faces) > _SPLIT_FACES
    if flat:
        parts, closed = _big_mesh_parts(q, indices, on_part, uv)
    else:
        closed = _closed([_closure(q, indices.reshape(-1, 3))])
        q, uv, indices = _reordered(q, indices, uv)
        parts = [_pack_part(q, indices, uv=uv, dequantize=(offset, scale))]
        if on_part is not None:
            on_part(parts[0])
    vertex_count = sum(_PART_HEADER.unpack_from(p)[1] for p in parts)
    return EncodedGeometry(
        parts=tuple(parts),
        vertex_count=int(vertex_count),
        index_count=int(len(indices)),
        offset=tuple(float(v) for v in offset),  # type: ignore[arg-type]
        scale=tuple(float(v) for v in scale),  # type: ignore[arg-type]
        smooth=bool(smooth),
        flat=bool(flat),
        source_triangles=int(source_triangles),
        uv=uv is not None,
        closed=closed,
    )


def _part_layout(data: bytes) -> tuple[int, int, int, int, int, int]:
    """(vertex count, index count, vertex bytes, index bytes, UV bytes or -1, body start) of a
    part, checked against its length."""
    if len(data) < _PART_HEADER.size:
        raise InvalidValueError("not a geometry part (shorter than its header)")
    magic, n, m, vlen, ilen, flags = _PART_HEADER.unpack_from(data)
    start, uvlen = _PART_HEADER.size, -1
    if flags & _UV and len(data) >= start + _UV_LENGTH.size:
        (uvlen,) = _UV_LENGTH.unpack_from(data, start)
        start += _UV_LENGTH.size
    if flags & _DEQUANTIZE:
        start += _DEQUANTIZE_VALUES.size
    if magic != PART_MAGIC or len(data) != start + vlen + ilen + max(uvlen, 0):
        raise InvalidValueError("not a geometry part (bad header or length)")
    return n, m, vlen, ilen, uvlen, start


def decode_part(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """One part's int16 xyzw vertices and its (local) uint32 indices."""
    n, m, vlen, ilen, _uvlen, start = _part_layout(data)
    body = memoryview(data)[start:]
    if n == 0 or m == 0:
        return np.zeros((0, 4), dtype=np.int16), np.zeros(0, dtype=np.uint32)
    q = meshopt.decode_vertex_buffer(bytes(body[:vlen]), n, 8)
    idx = meshopt.decode_index_buffer(bytes(body[vlen:vlen + ilen]), m, 4)
    return np.ascontiguousarray(q).view(np.int16).reshape(n, 4), np.asarray(idx, dtype=np.uint32)


def decode_part_uv(data: bytes) -> np.ndarray | None:
    """One part's float32 (u, v) per vertex (in :func:`decode_part`'s vertex order), or None
    when the part carries no UVs."""
    n, m, vlen, ilen, uvlen, start = _part_layout(data)
    if uvlen < 0:
        return None
    if n == 0 or m == 0:
        return np.zeros((0, 2), dtype=np.float32)
    body = memoryview(data)[start + vlen + ilen:]
    uv = meshopt.decode_vertex_buffer(bytes(body), n, 8)
    return np.ascontiguousarray(uv).view("<f4").reshape(n, 2)


def decode_uv(meta: dict, buffers: list[bytes]) -> np.ndarray | None:
    """The UVs of one ``meta["geometries"][key]`` entry, aligned with :func:`decode_geometry`'s
    positions; None when the geometry carries none."""
    if not meta.get("uv"):
        return None
    uvs = [decode_part_uv(buffers[i]) for i in meta["parts"]]
    return np.concatenate([u for u in uvs if u is not None]) if uvs else np.zeros((0, 2), dtype=np.float32)


def decode_geometry(meta: dict, buffers: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of :func:`encode_mesh` for one ``meta["geometries"][key]`` entry.

    What the browser does, in Python: used by tests to bound the quantization error and by
    anyone who wants to check a payload without a browser. Parts are joined into one mesh
    (a vertex on a part border appears once per part).
    """
    positions, faces, base = [], [], 0
    for i in meta["parts"]:
        q, idx = decode_part(buffers[i])
        positions.append(np.asarray(meta["offset"]) + q[:, :3].astype(np.float64) * np.asarray(meta["scale"]))
        faces.append(idx.reshape(-1, 3).astype(np.int64) + base)
        base += len(q)
    if not positions:
        return np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64)
    return np.concatenate(positions), np.concatenate(faces)


# --------------------------------------------------------------------------- the model

# Encoding a 1M-triangle mesh takes ~0.3 s; re-viewing the same model (a slider cell re-run,
# the Studio showing a result again) should not pay it twice.
_CACHE: OrderedDict[tuple, EncodedGeometry] = OrderedDict()
_CACHE_LOCK = threading.Lock()
# Bounded by bytes, not by entries: a robot is ~70-130 meshes (TIAGo++ ~66 encoded, TALOS 78),
# and with room for fewer than a model holds, least-recently-used eviction dropped each mesh
# just before the next display asked for it again (64 entries: a re-run cell re-encoded them
# all). Only small meshes are kept (big ones skip the cache); a robot's come to ~1 MB.
_CACHE_BYTES = 64 * 1024 * 1024
_cached_bytes = 0  # the parts' bytes _CACHE holds; under _CACHE_LOCK


def _clear_cache() -> None:
    """Forget every encoded mesh (tests: a cold encode)."""
    global _cached_bytes
    with _CACHE_LOCK:
        _CACHE.clear()
        _cached_bytes = 0


def _mesh_fingerprint(mesh: trimesh.Trimesh, max_triangles: int | None, uv: np.ndarray | None = None) -> tuple:
    v = np.ascontiguousarray(mesh.vertices, dtype=np.float64)
    f = np.ascontiguousarray(mesh.faces, dtype=np.int64)
    t = None if uv is None else hashlib.sha1(np.ascontiguousarray(uv, dtype=np.float32).tobytes()).hexdigest()
    return (hashlib.sha1(v.tobytes()).hexdigest(), hashlib.sha1(f.tobytes()).hexdigest(), max_triangles, t)


def _encode_cached(mesh: trimesh.Trimesh, max_triangles: int | None,
                   on_part: Callable[[bytes], object] | None = None, uv: np.ndarray | None = None) -> EncodedGeometry:
    if len(mesh.faces) > _SPLIT_FACES:
        # hashing a big mesh's arrays costs ~40 ms of the first frame; big meshes are rarely
        # shown twice, so they skip the cache
        return encode_mesh(mesh, max_triangles=max_triangles, on_part=on_part, uv=uv)
    key = _mesh_fingerprint(mesh, max_triangles, uv)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
    if hit is not None:
        if on_part is not None:  # outside the lock: on_part may send, or encode in turn
            for part in hit.parts:
                on_part(part)
        return hit
    enc = encode_mesh(mesh, max_triangles=max_triangles, on_part=on_part, uv=uv)
    global _cached_bytes
    with _CACHE_LOCK:
        if key not in _CACHE:  # (another thread may have encoded the same mesh meanwhile)
            _CACHE[key] = enc
            _cached_bytes += enc.nbytes
        while _cached_bytes > _CACHE_BYTES and len(_CACHE) > 1:
            _, dropped = _CACHE.popitem(last=False)
            _cached_bytes -= dropped.nbytes
    return enc


def _column_major(m: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(m, dtype=float).T.ravel()]


def _rgba(color: tuple[float, ...] | None) -> list[float] | None:
    return None if color is None else [float(c) for c in color]


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def _link_meshes(model: AssetModel, link: Link) -> list[tuple[trimesh.Trimesh, tuple | None, str, int | None]]:
    """Every visual of ``link`` as (mesh in the link frame, colour, name, MJCF group), in the
    order of ``link.visuals``, the groups MuJoCo hides by default included: the viewer's group
    toggles show them.

    Big meshes that need no transform are not copied: encoding only reads the arrays, and
    copying a 1M-triangle mesh costs ~60 ms of the time to first frame.
    """
    if all(isinstance(v.geometry, Mesh) and v.origin.is_identity for v in link.visuals):
        return [(v.geometry.mesh, v.color, v.name or f"{link.name}_visual_{i}", v.group)  # type: ignore[union-attr]
                for i, v in enumerate(link.visuals)]
    meshes = model.link_meshes(link, groups=GROUPS)  # every visual, in order
    return [(mesh, color, name, v.group) for (mesh, color, name), v in zip(meshes, link.visuals, strict=True)]


def _collision_meshes(link: Link) -> list[tuple[trimesh.Trimesh, str]]:
    """Each collision geometry of ``link`` in the link frame, with its name (for the
    inspect overlay: the browser draws them translucent, or alone)."""
    out = []
    for i, c in enumerate(link.collisions):
        mesh = c.geometry.mesh if isinstance(c.geometry, Mesh) and c.origin.is_identity else c.geometry.to_trimesh()
        if not c.origin.is_identity:
            mesh.apply_transform(c.origin.matrix())
        out.append((mesh, c.name or f"{link.name}_collision_{i}"))
    return out


def _inertial_meta(link: Link) -> dict | None:
    """Mass, centre of mass (link frame) and the equivalent inertia box of ``link``, for the
    centre-of-mass and inertia overlays."""
    inertial = link.inertial
    if inertial is None:
        return None
    size, pose = inertial.equivalent_box()
    return {"mass": float(inertial.mass), "com": [float(v) for v in inertial.origin.xyz],
            "inertia": [float(v) for v in inertial.inertia],
            "box": {"size": [float(v) for v in size], "origin": _column_major(pose)}}


def _loops_meta(model: AssetModel) -> list[dict]:
    """Each loop closure's two anchor points, each in its own link's frame: the overlay joins
    them with a line (a point when the loop is closed)."""
    return [{"name": loop.name, "type": loop.type, "parent": loop.parent, "child": loop.child,
             "parentAnchor": [float(v) for v in loop.parent_anchor.xyz],
             "childAnchor": [float(v) for v in loop.child_anchor.xyz]} for loop in model.loop_closures]


def _default_shown(group: int | None) -> bool:
    return group is None or group in DEFAULT_GROUPS


def _zero_pose_bounds(model: AssetModel, per_link: list) -> np.ndarray:
    """Axis-aligned bounds at the zero pose (unclamped, as the browser first shows it)."""
    if not model.links:
        return np.zeros((2, 3))
    transforms = model.link_transforms(clamp=False)
    corners = []
    for link, items in per_link:
        for mesh, _, _, group in items:
            if len(mesh.vertices) == 0 or not _default_shown(group):  # what the first view shows
                continue
            vertices, _ = _finite_only(np.asarray(mesh.vertices), np.asarray(mesh.faces))  # as encode_mesh draws
            if not len(vertices):
                continue
            box = trimesh.bounds.corners(np.stack(_axis_bounds(vertices)))
            corners.append(trimesh.transform_points(box, transforms[link.name]))
    if not corners:
        return np.zeros((2, 3))
    pts = np.concatenate(corners)
    return np.stack([pts.min(axis=0), pts.max(axis=0)])


def check_triangle_budget(triangle_budget: int) -> None:
    """A ValueError saying what to fix unless ``triangle_budget`` is a positive triangle count."""
    if triangle_budget < 1:
        raise InvalidValueError(f"triangle_budget must be a positive number of triangles, got {triangle_budget}")


def shown_triangles(model: AssetModel, triangle_budget: int = DEFAULT_TRIANGLE_BUDGET) -> int:
    """About how many triangles :func:`encode_model` will send (for progress before it is done)."""
    total = 0
    for link in model.links:
        for visual in link.visuals:  # counted, not copied
            g = visual.geometry
            total += len(g.mesh.faces) if isinstance(g, Mesh) else g.triangle_count
    return int(min(total, triangle_budget))


def encode_model(
    model: AssetModel, *, triangle_budget: int = DEFAULT_TRIANGLE_BUDGET,
    on_buffer: Callable[[bytes, str], None] | None = None,
) -> tuple[dict, list[bytes]]:
    """Metadata + binary buffers describing ``model`` for the browser (see the module doc).

    ``on_buffer(bytes, sha256)`` sees each new buffer as soon as it is encoded, before the metadata
    exists: the viewer streams them (see :class:`~gizmo_notebook.viewer.widget.Viewer`).
    """
    check_triangle_budget(triangle_budget)
    per_link = [(link, _link_meshes(model, link)) for link in model.links]
    total = sum(len(mesh.faces) for _, items in per_link for mesh, _, _, _ in items)
    ratio = min(1.0, triangle_budget / total) if total else 1.0

    def limit_of(mesh: trimesh.Trimesh) -> int | None:
        """The triangles ``mesh`` may keep under the budget (None: all of them)."""
        return None if ratio >= 1.0 else max(4, int(len(mesh.faces) * ratio))

    buffers: list[bytes] = []
    hashes: list[str] = []
    buffer_index: dict[str, int] = {}

    added: dict[int, int] = {}  # id(bytes) -> buffer index: each part is streamed, then listed

    def add(data: bytes) -> int:
        if id(data) in added and buffers[added[id(data)]] is data:
            return added[id(data)]
        h = _sha(data)
        if h not in buffer_index:
            buffer_index[h] = len(buffers)
            buffers.append(data)
            hashes.append(h)
            if on_buffer is not None:
                on_buffer(data, h)
        added[id(data)] = buffer_index[h]
        return buffer_index[h]

    geometries: dict[str, dict] = {}

    def geometry_entry(enc: EncodedGeometry) -> str:
        """List ``enc`` under ``geometries`` (once) and return its key."""
        if enc.key not in geometries:
            geometries[enc.key] = {
                "vertexCount": enc.vertex_count,
                "indexCount": enc.index_count,
                "parts": [add(p) for p in enc.parts],
                "offset": list(enc.offset),
                "scale": list(enc.scale),
                "smooth": enc.smooth,
                "flat": enc.flat,
                "sourceTriangles": enc.source_triangles,
                "uv": enc.uv,
                "closed": enc.closed,
            }
        return enc.key

    textures: dict[str, dict] = {}

    def material_entry(visual: Visual, mesh: trimesh.Trimesh) -> dict | None:
        """The visual's material for the browser, its texture image listed once (by content)."""
        material = visual.material
        if material is None:
            return None
        texture_key = None
        if visual.texture is not None and mesh_uv(mesh) is not None:
            data = visual.texture.data
            i = add(data)
            texture_key = hashes[i][:24]
            textures.setdefault(texture_key, {"buffer": i, "mime": visual.texture.mime})
        return {"texture": texture_key, "metallic": _number(material.metallic),
                "roughness": _number(material.roughness)}

    links_meta = []
    shown = 0
    collision_triangles = 0
    by_mesh: dict[tuple[int, int | None], EncodedGeometry] = {}  # meshes held by the model: ids stay valid
    for link, items in per_link:
        visuals = []
        for visual, (mesh, color, vname, group) in zip(link.visuals, items, strict=True):
            limit = limit_of(mesh)
            uv = mesh_uv(mesh) if visual.texture is not None else None  # untextured: positions only
            enc = _encode_cached(mesh, limit, add, uv)  # each part is streamed as soon as it exists
            by_mesh[id(mesh), limit] = enc
            key = geometry_entry(enc)
            shown += enc.index_count // 3
            visuals.append({"name": vname, "geometry": key, "color": _rgba(color), "group": group,
                            "material": material_entry(visual, mesh)})
        collisions = []
        for mesh, cname in _collision_meshes(link):
            limit = limit_of(mesh)
            # a collision mesh that is a visual's own mesh (collision-only files, scans) is not encoded twice
            enc = by_mesh.get((id(mesh), limit)) or _encode_cached(mesh, limit, add)
            collisions.append({"name": cname, "geometry": geometry_entry(enc)})
            collision_triangles += len(mesh.faces) if limit is None else min(limit, len(mesh.faces))
        links_meta.append({"name": link.name, "visuals": visuals, "collisions": collisions,
                           "inertial": _inertial_meta(link)})

    joints_meta = []
    for j in model.ordered_joints() if model.links else []:
        limits = None
        if j.limits is not None and j.type in ("revolute", "prismatic"):
            limits = {"lower": float(j.limits.lower), "upper": float(j.limits.upper)}
        joints_meta.append({
            "name": j.name, "type": j.type, "parent": j.parent, "child": j.child,
            "origin": _column_major(j.origin.matrix()), "axis": [float(a) for a in j.axis],
            "limits": limits,
        })

    bounds = _zero_pose_bounds(model, per_link)
    meta = {
        "name": model.name,
        "root": model.root.name if model.links else None,
        "links": links_meta,
        "joints": joints_meta,
        "geometries": geometries,
        "textures": textures,
        "buffers": [{"hash": h, "size": len(b)} for h, b in zip(hashes, buffers, strict=True)],
        "triangles": {"source": int(total), "shown": int(shown), "budget": int(triangle_budget),
                      "decimated": bool(ratio < 1.0), "collision": int(collision_triangles)},
        "bounds": np.asarray(bounds, dtype=float).tolist(),
        "notes": list(model.notes),
        "groups": sorted({v.group for link in model.links for v in link.visuals if v.group is not None}),
        "loops": _loops_meta(model),
    }
    return meta, buffers
