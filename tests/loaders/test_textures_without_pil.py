"""Textures reach the viewer in a core install, which has no PIL (pillow is the ``textures`` extra).

trimesh reads images with PIL only; without it a GLB's or an OBJ's textures vanished silently.
The files are written here (with PIL, in this process) and loaded in a child interpreter where
``import PIL`` fails as it does in a core install; the child encodes each model for the viewer
and hands back the texture bytes of the payload, which must be the image files' own bytes
(PNG and JPEG: the browser decodes them) on the right visual. A format that needs converting
(TGA, BMP) is named in the model's notes with the ``pip install`` to run.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import trimesh
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
RED, BLUE = (255, 0, 0), (0, 0, 255)
INSTALL = "pip install 'gizmo-notebook[textures]'"

# a pyramid with UVs (a solid: MuJoCo refuses a flat mesh)
PYRAMID_OBJ = ("mtllib {mtl}\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0.5 0.5 -1\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n"
               "vt 0.5 0.25\nusemtl {material}\nf 1/1 2/2 3/3\nf 1/1 3/3 4/4\nf 1/1 5/5 2/2\nf 2/2 5/5 3/3\n"
               "f 3/3 5/5 4/4\nf 4/4 5/5 1/1\n")

# MuJoCo decodes the PNG itself; its pixels are encoded back to PNG for the viewer (no PIL either)
MJCF = """<mujoco><asset>
  <texture name="wood" type="2d" file="wood.png"/>
  <material name="skin" texture="wood"/>
  <mesh name="pyramid" file="png.obj"/>
</asset><worldbody><body name="b"><geom type="mesh" mesh="pyramid" material="skin"/></body></worldbody></mujoco>
"""

# a URDF whose mesh is the two-material GLB: one mesh per file, so its materials are merged
URDF = """<robot name="r"><link name="base"><visual><geometry><mesh filename="two.glb"/></geometry></visual></link></robot>
"""


def _dae(folder: Path) -> Path:
    """A COLLADA box that lists a texture image (trimesh reads those with PIL only)."""
    text = trimesh.creation.box().export(file_type="dae").decode()
    head, asset_end, rest = text.partition("</asset>")
    images = '<library_images><image id="wood"><init_from>wood.png</init_from></image></library_images>'
    path = folder / "box.dae"
    path.write_text(head + asset_end + images + rest)
    return path


# Runs in the child: PIL unimportable, then every file loaded and encoded for the viewer.
CHILD = textwrap.dedent("""
    import base64, json, sys

    class NoPIL:
        def find_spec(self, name, path=None, target=None):
            if name == "PIL" or name.startswith("PIL."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    sys.meta_path.insert(0, NoPIL())
    import gizmo_notebook as gn
    from gizmo_notebook.viewer.encode import encode_model

    out = {}
    for path in sys.argv[1:]:
        model = gn.load(path)
        meta, buffers = encode_model(model)
        textures = {key: base64.b64encode(bytes(buffers[t["buffer"]])).decode() for key, t in meta["textures"].items()}
        visuals = [{"name": v["name"], "texture": textures.get((v.get("material") or {}).get("texture"))}
                   for link in meta["links"] for v in link["visuals"]]
        out[path] = {"visuals": visuals, "notes": model.notes}
    assert "PIL" not in sys.modules
    print(json.dumps(out))
""")


def _image(color: tuple[int, int, int], fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(out, format=fmt)
    return out.getvalue()


def _obj(folder: Path, stem: str, image: str, data: bytes) -> Path:
    (folder / image).write_bytes(data)
    (folder / f"{stem}.mtl").write_text(f"newmtl {stem}_mat\nKd 1 1 1\nmap_Kd {image}\n")
    (folder / f"{stem}.obj").write_text(PYRAMID_OBJ.format(mtl=f"{stem}.mtl", material=f"{stem}_mat"))
    return folder / f"{stem}.obj"


def _glb(folder: Path) -> Path:
    """Two meshes, two PBR materials (one nameless, one named): each must get its own image."""
    parts = {}
    for name, color in (("red_box", RED), ("blue_ball", BLUE)):
        mesh = trimesh.creation.box() if name == "red_box" else trimesh.creation.icosphere(subdivisions=1)
        uv = np.random.default_rng(0).random((len(mesh.vertices), 2))
        material = trimesh.visual.material.PBRMaterial(
            name=None if name == "red_box" else "ball", baseColorTexture=Image.new("RGB", (4, 4), color))
        mesh.visual = trimesh.visual.TextureVisuals(uv=uv, material=material)
        parts[name] = mesh
    path = folder / "two.glb"
    trimesh.Scene(parts).export(path)
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("textures")
    files = {
        "glb": _glb(folder),
        "png": _obj(folder, "png", "wood.png", _image(RED, "PNG")),
        "jpeg": _obj(folder, "jpeg", "wood.jpg", _image(BLUE, "JPEG")),
        "tga": _obj(folder, "tga", "wood.tga", _image(RED, "TGA")),
        "bmp": _obj(folder, "bmp", "wood.bmp", _image(RED, "BMP")),
        "mjcf": folder / "robot.xml",
        "uv_only": folder / "uv_only.obj",
        "dae": _dae(folder),
        "urdf_glb": folder / "robot.urdf",
    }
    files["urdf_glb"].write_text(URDF)
    files["uv_only"].write_text(PYRAMID_OBJ.format(mtl="none.mtl", material="none").replace("mtllib none.mtl\n", ""))
    files["mjcf"].write_text(MJCF)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CHILD, *map(str, files.values())], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {kind: {**out[str(path)], "path": path} for kind, path in files.items()}


def _texture(visual: dict) -> bytes | None:
    return None if visual["texture"] is None else base64.b64decode(visual["texture"])


def _color(data: bytes) -> tuple[int, ...]:
    return Image.open(io.BytesIO(data)).convert("RGB").getpixel((1, 1))


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_obj_mtl_texture_reaches_the_viewer_as_the_files_bytes(loaded: dict[str, dict], kind: str) -> None:
    entry = loaded[kind]
    (visual,) = entry["visuals"]
    image = entry["path"].with_name("wood.png" if kind == "png" else "wood.jpg")
    assert _texture(visual) == image.read_bytes()
    assert entry["notes"] == []


def test_glb_textures_reach_the_viewer_on_their_own_meshes(loaded: dict[str, dict]) -> None:
    """Matched by material index, not name (one material has none); the GLB's embedded PNGs."""
    by_name = {v["name"]: _texture(v) for v in loaded["glb"]["visuals"]}
    assert set(by_name) == {"red_box", "blue_ball"}
    for name, color in (("red_box", RED), ("blue_ball", BLUE)):
        data = by_name[name]
        assert data is not None and data.startswith(b"\x89PNG"), name
        assert _color(data) == color, name


@pytest.mark.parametrize(("kind", "what"), [("tga", "TGA"), ("bmp", "BMP")])
def test_a_texture_that_needs_converting_is_named_with_the_install(loaded: dict[str, dict], kind: str,
                                                                    what: str) -> None:
    entry = loaded[kind]
    (visual,) = entry["visuals"]
    assert visual["texture"] is None
    (note,) = entry["notes"]
    assert "'wood." + kind + "'" in note and what in note and INSTALL in note, note


def test_mjcf_texture_reaches_the_viewer(loaded: dict[str, dict]) -> None:
    (visual,) = loaded["mjcf"]["visuals"]
    data = _texture(visual)
    assert data is not None and data.startswith(b"\x89PNG") and _color(data) == RED


def test_obj_with_uvs_and_no_material_loads(loaded: dict[str, dict]) -> None:
    """trimesh's default material for UVs is a placeholder without PIL that raised on ``copy()``."""
    (visual,) = loaded["uv_only"]["visuals"]
    assert visual["texture"] is None and loaded["uv_only"]["notes"] == []


def test_textures_only_pil_can_read_are_named_with_the_install(loaded: dict[str, dict]) -> None:
    """COLLADA textures, and a glTF's textured materials merged into one mesh (a URDF's mesh
    file), need PIL: the model still loads, and its notes say which file and what to install."""
    for kind, file in (("dae", "box.dae"), ("urdf_glb", "two.glb")):
        entry = loaded[kind]
        assert entry["visuals"], kind
        assert any(f"'{file}'" in note and INSTALL in note for note in entry["notes"]), entry["notes"]
