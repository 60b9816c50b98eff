"""Materials on the wire: UVs travel in the geometry parts, each texture image once, and the
Python decoder gives back what went in."""

from __future__ import annotations

import io

import numpy as np
import pytest
import trimesh
from PIL import Image

from gizmo_notebook.errors import GizmoError
from gizmo_notebook.model import AssetModel, Link, Material, Mesh, Texture, Visual
from gizmo_notebook.viewer import encode
from gizmo_notebook.viewer.encode import decode_geometry, decode_part, decode_uv, encode_mesh, encode_model


def png(color: tuple[int, int, int], size: int = 4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, format="PNG")
    return out.getvalue()


def textured_box() -> trimesh.Trimesh:
    box = trimesh.creation.box(extents=(1.0, 2.0, 3.0))
    box.unmerge_vertices()  # a UV per face corner, as exported meshes have at seams
    uv = (box.vertices[:, :2] - box.vertices[:, :2].min(axis=0)) / np.ptp(box.vertices[:, :2], axis=0)
    box.visual = trimesh.visual.TextureVisuals(uv=uv)
    return box


def _uv_at(positions: np.ndarray, uv: np.ndarray, mesh: trimesh.Trimesh) -> None:
    """Every decoded vertex carries the UV its source vertex had (a vertex may be shared by
    faces with different UVs only if the source had duplicates, which we match by position+UV)."""
    src = np.asarray(mesh.vertices)
    src_uv = np.asarray(mesh.visual.uv)
    for p, t in zip(positions, uv, strict=True):
        near = np.linalg.norm(src - p, axis=1) < 1e-3
        assert near.any()
        assert np.min(np.abs(src_uv[near] - t).sum(axis=1)) < 1e-6


def test_textured_model_round_trips_uvs_and_sends_each_image_once() -> None:
    box = textured_box()
    red, blue = Texture(png((255, 0, 0)), "red"), Texture(png((0, 0, 255)), "blue")
    geometry = Mesh(box, name="box")
    link = Link("base", visuals=[
        Visual(geometry, material=Material(color=(1, 1, 1, 1), texture=red, metallic=0.2, roughness=0.7)),
        Visual(geometry, material=Material(color=(0.5, 0.5, 0.5, 1), texture=red)),  # same image again
        Visual(geometry, material=Material(texture=blue)),
        Visual(Mesh(trimesh.creation.icosphere()), color=(0, 1, 0, 1)),  # plain: no UVs on the wire
    ])
    meta, buffers = encode_model(AssetModel("m", [link]))

    assert len(meta["textures"]) == 2
    images = [bytes(buffers[t["buffer"]]) for t in meta["textures"].values()]
    assert sorted(images) == sorted([red.data, blue.data])  # the file's own bytes, not pixels in JSON
    assert all(t["mime"] == "image/png" for t in meta["textures"].values())
    visuals = meta["links"][0]["visuals"]
    first = visuals[0]["material"]
    assert meta["textures"][first["texture"]]["buffer"] == buffers.index(red.data)
    assert (first["metallic"], first["roughness"]) == (0.2, 0.7)
    assert visuals[1]["material"]["texture"] == first["texture"]
    assert visuals[0]["color"] == [1.0, 1.0, 1.0, 1.0]
    assert visuals[2]["color"] is None and visuals[2]["material"]["texture"] != first["texture"]
    assert visuals[3]["material"] is None

    g = meta["geometries"][visuals[0]["geometry"]]
    assert g["uv"] is True
    positions, faces = decode_geometry(g, buffers)
    uv = decode_uv(g, buffers)
    assert uv is not None and uv.shape == (len(positions), 2)
    _uv_at(positions, uv, box)
    plain = meta["geometries"][visuals[3]["geometry"]]
    assert plain["uv"] is False and decode_uv(plain, buffers) is None
    assert encode.decode_part_uv(buffers[plain["parts"][0]]) is None


def test_untextured_visual_of_a_uv_mesh_sends_no_uvs() -> None:
    """UVs cost bytes: only a visual that draws a texture sends them."""
    meta, buffers = encode_model(AssetModel("m", [Link("a", visuals=[Visual(Mesh(textured_box()), color=(1, 0, 0, 1))])]))
    g = next(iter(meta["geometries"].values()))
    assert g["uv"] is False and meta["textures"] == {}
    assert meta["links"][0]["visuals"][0]["material"] is None


def test_texture_on_a_primitive_is_not_sent() -> None:
    """A box primitive has no UVs: its texture cannot be placed, so it is not sent."""
    from gizmo_notebook.model import Box

    visual = Visual(Box((1, 1, 1)), material=Material(color=(1, 0, 0, 1), texture=Texture(png((9, 9, 9)))))
    assert visual.texture is None and visual.color == (1, 0, 0, 1)
    meta, _ = encode_model(AssetModel("m", [Link("a", visuals=[visual])]))
    assert meta["textures"] == {} and meta["links"][0]["visuals"][0]["material"]["texture"] is None


def test_big_textured_mesh_keeps_uvs_in_every_part() -> None:
    sphere = trimesh.creation.icosphere(subdivisions=7)  # 327k triangles: the parts path
    uv = np.asarray(sphere.vertices[:, :2], dtype=np.float32)
    enc = encode_mesh(sphere, uv=uv)
    assert enc.flat and len(enc.parts) > 1 and enc.uv
    meta = {"parts": list(range(len(enc.parts))), "offset": enc.offset, "scale": enc.scale, "uv": True}
    positions, _ = decode_geometry(meta, list(enc.parts))
    decoded = decode_uv(meta, list(enc.parts))
    assert decoded is not None
    assert np.abs(positions[:, :2] - decoded).max() < 1e-4  # each UV stayed with its vertex
    q, _ = decode_part(enc.parts[0])
    assert len(q) == len(encode.decode_part_uv(enc.parts[0]))


def test_uv_part_with_a_wrong_length_is_refused() -> None:
    enc = encode_mesh(textured_box(), uv=textured_box().visual.uv)
    with pytest.raises(GizmoError, match="not a geometry part"):
        decode_part(enc.parts[0][:-1])
    with pytest.raises(GizmoError, match="one \\(u, v\\) per vertex"):
        encode_mesh(textured_box(), uv=np.zeros((3, 2)))


def test_texture_must_be_png_or_jpeg() -> None:
    with pytest.raises(GizmoError, match="only PNG or JPEG"):
        Texture(b"GIF89a....", "anim")
    jpeg = io.BytesIO()
    Image.new("RGB", (2, 2)).save(jpeg, format="JPEG")
    assert Texture(jpeg.getvalue()).mime == "image/jpeg"


def test_material_colour_fills_the_visual_colour_and_scene_still_builds() -> None:
    visual = Visual(Mesh(textured_box()), material=Material(color=(0.2, 0.4, 0.6, 1.0), texture=Texture(png((1, 2, 3)))))
    assert visual.color == (0.2, 0.4, 0.6, 1.0)
    scene = AssetModel("m", [Link("a", visuals=[visual])]).scene
    (mesh,) = scene.geometry.values()
    assert tuple(mesh.visual.face_colors[0]) == (51, 102, 153, 255)


def test_link_meshes_keep_uvs_but_not_the_decoded_image() -> None:
    """Posing (bounds, scene, the encoder) copies each mesh: a textured one keeps its UVs but
    not trimesh's decoded image, which would cost ~0.1 s per 2048x2048 texture per pose."""
    from gizmo_notebook.model import Pose

    box = textured_box()
    box.visual = trimesh.visual.TextureVisuals(uv=box.visual.uv, image=Image.new("RGB", (64, 64)))
    visual = Visual(Mesh(box), origin=Pose((0, 0, 1)), material=Material(texture=Texture(png((1, 2, 3)))))
    model = AssetModel("m", [Link("a", visuals=[visual])])
    ((mesh, _, _),) = model.link_meshes(model.links[0])
    np.testing.assert_allclose(mesh.visual.uv, box.visual.uv)
    image = getattr(mesh.visual.material, "image", None)
    assert image is None or image.size != (64, 64)  # (trimesh's own 2x2 placeholder at most)
    np.testing.assert_allclose(mesh.vertices, np.asarray(box.vertices) + (0, 0, 1))


def test_a_texture_reaches_the_page_once_across_models_and_big_images_are_chunked() -> None:
    """The image is a content-addressed buffer: a second model painted with the same (big,
    several-chunk) image sends its own geometry but not the image again."""
    from gizmo_notebook.viewer import transport
    from gizmo_notebook.viewer.widget import Viewer

    noise = np.random.default_rng(0).integers(0, 256, (800, 800, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(noise).save(out, format="PNG")
    image = Texture(out.getvalue(), "noise")
    assert len(image.data) > transport.CHUNK_SIZE

    def model(extents: tuple[float, float, float]) -> AssetModel:
        box = trimesh.creation.box(extents=extents)
        box.visual = trimesh.visual.TextureVisuals(uv=box.vertices[:, :2] + 0.5)
        return AssetModel("m", [Link("a", visuals=[Visual(Mesh(box), material=Material(texture=image))])])

    first = Viewer(model((1.0, 1.0, 1.0)))
    first._push()
    image_entry = next(b for b in first._meta["buffers"] if b["size"] == len(image.data))
    assert len(image_entry["chunks"]) == 2
    before = dict(transport._blobs)
    second = Viewer(model((1.0, 2.0, 3.0)))
    second._push()
    new = set(transport._blobs) - set(before)
    image_digests = {c["digest"] for c in image_entry["chunks"]}
    assert new and not (new & image_digests)  # the new box went...
    assert all(transport._blobs[d] is before[d] for d in image_digests)  # ...the image's chunk widgets are reused
