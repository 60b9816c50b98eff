"""Materials the files declare: MJCF materials and textures (incl. MuJoCo 3 ``<layer>``), URDF
colours and textures, mesh textures (OBJ+MTL, GLB, COLLADA), USD ``UsdPreviewSurface``; what
cannot be drawn is in the notes. Textured files are written here with a generated image whose
top half is red and bottom half blue, so a flipped ``v`` shows."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import trimesh
from PIL import Image

from gizmo_notebook import load
from gizmo_notebook.model import AssetModel, Mesh, Visual

RED, BLUE = (255, 0, 0), (0, 0, 255)

PYRAMID_OBJ = """mtllib m.mtl
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
v 0.5 0.5 -1
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vt 0.5 0.25
usemtl mat
f 1/1 2/2 3/3
f 1/1 3/3 4/4
f 1/1 5/5 2/2
f 2/2 5/5 3/3
f 3/3 5/5 4/4
f 4/4 5/5 1/1
"""


@pytest.fixture
def textured(tmp_path: Path) -> Path:
    """A folder with tex.png (top red, bottom blue), m.obj (UVs) and m.mtl naming the image."""
    image = Image.new("RGB", (8, 8), BLUE)
    image.paste(RED, (0, 0, 8, 4))
    image.save(tmp_path / "tex.png")
    (tmp_path / "m.obj").write_text(PYRAMID_OBJ)
    (tmp_path / "m.mtl").write_text("newmtl mat\nKd 1 1 1\nmap_Kd tex.png\n")
    return tmp_path


def _visuals(model: AssetModel) -> list[Visual]:
    return [v for link in model.links for v in link.visuals]


def _pixel_at(visual: Visual, uv: tuple[float, float]) -> tuple[int, ...]:
    """The texel a UV (OpenGL convention: v = 0 at the bottom row) lands on."""
    assert visual.texture is not None
    image = Image.open(io.BytesIO(visual.texture.data)).convert("RGB")
    x = min(int(uv[0] * image.width), image.width - 1)
    y = min(int((1.0 - uv[1]) * image.height), image.height - 1)
    return image.getpixel((x, y))


def _check_pyramid_uvs(visual: Visual, points: np.ndarray) -> None:
    """Each OBJ corner keeps its ``vt``: the apex (0.5, 0.25) samples blue, the corner with
    vt (0, 1) samples red, whatever the loader's vertex order and frame (``points`` are the
    geometry's positions of the OBJ's vertices 1..5, in its own frame)."""
    assert isinstance(visual.geometry, Mesh)
    uv = visual.geometry.uv
    assert uv is not None and len(uv) == len(visual.geometry.mesh.vertices)
    vertices = np.asarray(visual.geometry.mesh.vertices)
    expected = {0: (0, 0), 1: (1, 0), 2: (1, 1), 3: (0, 1), 4: (0.5, 0.25)}
    for i, vt in expected.items():
        at = np.linalg.norm(vertices - points[i], axis=1) < 1e-6
        assert at.any()
        np.testing.assert_allclose(uv[at], np.broadcast_to(vt, (int(at.sum()), 2)), atol=1e-6)
    assert _near(_pixel_at(visual, (0.5, 0.25)), BLUE)  # near: a decoded mesh's image may be re-encoded as JPEG
    assert _near(_pixel_at(visual, (0.0, 0.99)), RED)


def _near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) <= 24 for x, y in zip(a, b, strict=True))


def test_obj_with_mtl_texture(textured: Path) -> None:
    (visual,) = _visuals(load(textured / "m.obj"))
    assert visual.texture is not None and visual.texture.mime == "image/png"
    assert visual.color == (1.0, 1.0, 1.0, 1.0)
    points = np.asarray(trimesh.load(textured / "m.obj", force="mesh", process=False).vertices)
    _check_pyramid_uvs(visual, points)


def test_glb_with_pbr_texture(textured: Path) -> None:
    mesh = trimesh.load(textured / "m.obj", force="mesh")
    mesh.visual.material = mesh.visual.material.to_pbr()
    mesh.visual.material.metallicFactor, mesh.visual.material.roughnessFactor = 0.25, 0.75
    mesh.export(textured / "m.glb")
    (visual,) = _visuals(load(textured / "m.glb"))
    assert visual.material is not None
    assert (visual.material.metallic, visual.material.roughness) == (0.25, 0.75)
    # glTF is Y-up: the loader keeps the file's frame, so compare in it
    _check_pyramid_uvs(visual, np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 0.5, -1]]))


MJCF = """<mujoco>
  <asset>
    <texture name="tex" type="2d" file="tex.png"/>
    <texture name="bumps" type="2d" file="tex.png"/>
    <texture name="sky" type="skybox" builtin="gradient" width="8" height="8"/>
    <material name="skin" rgba="1 1 1 1" metallic="0.3" roughness="0.6">
      <layer texture="tex" role="rgb"/>
      <layer texture="bumps" role="normal"/>
    </material>
    <material name="painted_box" texture="tex" rgba="0 1 0 1"/>
    <mesh name="pyramid" file="m.obj"/>
  </asset>
  <worldbody>
    <body name="b">
      <geom name="shell" type="mesh" mesh="pyramid" material="skin"/>
      <geom name="box" type="box" size=".1 .1 .1" pos="2 0 0" material="painted_box"/>
    </body>
  </worldbody>
</mujoco>
"""


def test_mjcf_layer_texture_on_a_mesh(textured: Path) -> None:
    (textured / "robot.xml").write_text(MJCF)
    model = load(textured / "robot.xml")
    shell, box = _visuals(model)
    assert shell.material is not None and shell.texture is not None
    assert (shell.material.metallic, shell.material.roughness) == (0.3, 0.6)
    # MuJoCo recentres meshes: find the OBJ's points through the same offset
    import mujoco

    mj = mujoco.MjModel.from_xml_path(str(textured / "robot.xml"))
    obj = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 0.5, -1]], dtype=float)
    r = trimesh.transformations.quaternion_matrix(mj.mesh_quat[0])[:3, :3]
    points = (obj - mj.mesh_pos[0]) @ r
    _check_pyramid_uvs(shell, points)
    # the box's texture cannot be placed (no UVs): drawn in its colour, and said so
    assert box.texture is None and box.color == (0.0, 1.0, 0.0, 1.0)
    notes = " ".join(model.notes)
    assert "normal map" in notes and "no texture coordinates" in notes and "skybox" in notes


URDF = """<robot name="r">
  <material name="shared"><color rgba="0 1 0 1"/><texture filename="tex.png"/></material>
  <link name="a">
    <visual><geometry><mesh filename="m.obj"/></geometry><material name="shared"/></visual>
    <visual><geometry><box size="1 1 1"/></geometry>
      <material name="boxy"><color rgba="1 0 0 1"/><texture filename="tex.png"/></material></visual>
    <visual><geometry><mesh filename="m.obj"/></geometry></visual>
    <visual><geometry><mesh filename="m.obj"/></geometry>
      <material name="gone"><texture filename="missing.png"/></material></visual>
  </link>
</robot>
"""


def test_urdf_material_texture_and_mesh_texture(textured: Path) -> None:
    (textured / "r.urdf").write_text(URDF)
    model = load(textured / "r.urdf")
    named, box, mesh_own, missing = _visuals(model)
    assert named.texture is not None and named.color == (0.0, 1.0, 0.0, 1.0)  # URDF texture x URDF colour
    assert box.texture is None and box.color == (1.0, 0.0, 0.0, 1.0)
    assert mesh_own.texture is not None and mesh_own.color == (1.0, 1.0, 1.0, 1.0)  # the MTL's
    assert missing.texture is not None  # the mesh's own texture still shows
    notes = " ".join(model.notes)
    assert "on a primitive" in notes and "'missing.png'" in notes and "does not exist" in notes


USDA = """#usda 1.0
(
    metersPerUnit = 1
    upAxis = "Z"
)
def Xform "World"
{
    def Mesh "quad" (prepend apiSchemas = ["MaterialBindingAPI"])
    {
        int[] faceVertexCounts = [4, 3]
        int[] faceVertexIndices = [0, 1, 2, 3, 0, 4, 1]
        point3f[] points = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0.5, 0.5, -1)]
        texCoord2f[] primvars:uv = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0), (0.5, 0.25), (1, 0)] (
            interpolation = "faceVarying"
        )
        rel material:binding = </World/Looks/tex>
    }
    def Cube "box" (prepend apiSchemas = ["MaterialBindingAPI"])
    {
        double size = 0.2
        double3 xformOp:translate = (3, 0, 0)
        uniform token[] xformOpOrder = ["xformOp:translate"]
        rel material:binding = </World/Looks/tex>
    }
    def Scope "Looks"
    {
        def Material "tex"
        {
            token outputs:surface.connect = </World/Looks/tex/pbr.outputs:surface>
            def Shader "pbr"
            {
                uniform token info:id = "UsdPreviewSurface"
                color3f inputs:diffuseColor.connect = </World/Looks/tex/image.outputs:rgb>
                float inputs:metallic = 0.25
                float inputs:roughness = 0.5
                token outputs:surface
            }
            def Shader "image"
            {
                uniform token info:id = "UsdUVTexture"
                asset inputs:file = @tex.png@
                float2 inputs:st.connect = </World/Looks/tex/reader.outputs:result>
                float3 outputs:rgb
            }
            def Shader "reader"
            {
                uniform token info:id = "UsdPrimvarReader_float2"
                token inputs:varname = "uv"
                float2 outputs:result
            }
        }
    }
}
"""


def test_usd_preview_surface_texture(textured: Path) -> None:
    pytest.importorskip("pxr")
    (textured / "t.usda").write_text(USDA)
    model = load(textured / "t.usda")
    quad, box = _visuals(model)
    assert quad.texture is not None and quad.color == (1.0, 1.0, 1.0, 1.0)
    assert quad.material is not None and (quad.material.metallic, quad.material.roughness) == (0.25, 0.5)
    _check_pyramid_uvs(quad, np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 0.5, -1]]))
    assert box.texture is None
    assert any("'/World/box'" in note and "no texture coordinates" in note for note in model.notes)



def _anymal() -> Path | None:
    import sys

    for base in sys.path:
        found = Path(base) / "cmeel.prefix/share/example-robot-data/robots/anymal_c_simple_description/urdf/anymal.urdf"
        if found.is_file():
            return found
    return None


def test_real_urdf_with_collada_jpeg_textures() -> None:
    """ANYmal C (example-robot-data): COLLADA meshes, each painted with a JPEG."""
    path = _anymal()
    if path is None:
        pytest.skip("example-robot-data is not installed")
    visuals = _visuals(load(path))
    textured = [v for v in visuals if v.texture is not None]
    assert len(textured) >= 40
    assert {v.texture.mime for v in textured} <= {"image/jpeg", "image/png"}  # type: ignore[union-attr]
    # the files' 2048x2048 images (a mesh of several textured parts gets trimesh's packed atlas)
    assert min(min(Image.open(io.BytesIO(v.texture.data)).size) for v in textured) == 2048  # type: ignore[union-attr]
    assert all(v.geometry.uv is not None for v in textured)  # type: ignore[union-attr]


def test_real_mjcf_cube_and_skybox_textures_are_named() -> None:
    """Gymnasium's humanoid: every body geom uses a material with a cube texture, and the scene
    a skybox; both are named in the notes, and the geoms keep their material colour."""
    gym = pytest.importorskip("gymnasium_robotics")
    path = Path(gym.__file__).parent / "envs/mujoco/assets/humanoid.xml"
    if not path.is_file():
        pytest.skip("gymnasium-robotics ships no humanoid.xml here")
    model = load(path)
    visuals = _visuals(model)
    assert visuals and all(v.material is not None and v.texture is None for v in visuals)
    assert all(v.color is not None and v.color[3] == 1.0 for v in visuals)
    assert any(note.startswith(f"{len(visuals)} geom(s) use a cube or skybox texture") for note in model.notes)
    assert "1 skybox texture(s) (the scene's background) not drawn" in model.notes


SDF = """<?xml version="1.0"?>
<sdf version="1.9">
  <model name="m">
    <link name="a">
      <visual name="own"><geometry><mesh><uri>m.obj</uri></mesh></geometry></visual>
      <visual name="albedo">
        <geometry><mesh><uri>m.obj</uri></mesh></geometry>
        <material><diffuse>0 1 0 1</diffuse><pbr><metal><albedo_map>tex.png</albedo_map></metal></pbr></material>
      </visual>
      <visual name="box">
        <geometry><box><size>1 1 1</size></box></geometry>
        <material><diffuse>1 0 0 1</diffuse><pbr><metal><albedo_map>tex.png</albedo_map></metal></pbr></material>
      </visual>
    </link>
  </model>
</sdf>
"""


def test_sdf_albedo_map_and_mesh_texture(textured: Path) -> None:
    (textured / "m.sdf").write_text(SDF)
    model = load(textured / "m.sdf")
    own, albedo, box = _visuals(model)
    assert own.texture is not None and own.color == (1.0, 1.0, 1.0, 1.0)
    assert albedo.texture is not None and albedo.color == (0.0, 1.0, 0.0, 1.0)
    assert box.texture is None and box.color == (1.0, 0.0, 0.0, 1.0)
    assert any("'tex.png'" in note and "primitive" in note for note in model.notes)


def test_pbr_maps_beyond_base_colour_are_named(textured: Path) -> None:
    """A glTF's normal and metallic-roughness maps (what the service's exports carry) are not
    drawn: the notes say so, for a GLB loaded alone and one a URDF points at."""
    mesh = trimesh.load(textured / "m.obj", force="mesh")
    pbr = mesh.visual.material.to_pbr()
    bumps = Image.new("RGB", (4, 4), (128, 128, 255))
    pbr.normalTexture, pbr.metallicRoughnessTexture = bumps, Image.new("RGB", (4, 4), (0, 200, 0))
    mesh.visual.material = pbr
    mesh.export(textured / "pbr.glb")
    expected = "PBR maps not drawn (base colour and its texture are): normal (1 mesh), metallic-roughness (1 mesh)"
    alone = load(textured / "pbr.glb")
    assert expected in alone.notes and _visuals(alone)[0].texture is not None
    (textured / "r.urdf").write_text('<robot name="r"><link name="a"><visual><geometry><mesh filename="pbr.glb"/>'
                                     "</geometry></visual></link></robot>")
    assert expected in load(textured / "r.urdf").notes
