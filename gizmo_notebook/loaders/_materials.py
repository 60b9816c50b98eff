"""Materials of meshes read with trimesh (OBJ+MTL, DAE, glTF/GLB), and image files, as the
model's :class:`~gizmo_notebook.model.Material` / :class:`~gizmo_notebook.model.Texture`.

trimesh puts a textured mesh's UVs and material on ``mesh.visual`` (a ``TextureVisuals``
holding a ``SimpleMaterial`` or ``PBRMaterial`` whose image is already decoded by PIL). The
model keeps images *encoded*, because that is what the browser decodes and what exporters
write, so the decoded image is encoded once here: PNG when it has transparency or came from
a PNG (lossless), JPEG otherwise (a 2048x2048 JPEG texture costs ~50 ms as JPEG and ~1 s and
several MB as PNG).

PIL is the optional ``textures`` extra: without it trimesh decodes nothing, and
:mod:`._images` hands the file's own bytes over instead (:class:`~._images.EncodedImage`).
PNG and JPEG need no PIL at all; any other format (TGA, BMP, GIF, WebP...) is converted with
it, and without it the texture is named in the model's notes with the install to run.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import trimesh

from gizmo_notebook._optional import MissingDependencyError, requires
from gizmo_notebook.loaders._images import EncodedImage
from gizmo_notebook.model import Material, ModelError, Texture, mesh_uv

__all__ = ["TEXTURE_ERRORS", "image_texture", "maps_not_drawn", "maps_note", "pil_texture", "texture_from_bytes",
           "trimesh_material"]

# What reading one texture may raise: callers name the texture in the model's notes and draw
# the surface in its colour (a model is never refused for a texture).
TEXTURE_ERRORS = (ModelError, MissingDependencyError)


def pil_texture(image: object, name: str) -> Texture | None:
    """A PIL image as an encoded :class:`Texture` (None when it is not an image PIL can save)."""
    try:
        from PIL import Image
    except ImportError:  # then trimesh made no PIL image either
        return None

    if not isinstance(image, Image.Image):
        return None
    out = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha or getattr(image, "format", None) in ("PNG", "GIF", "BMP", "TGA"):
        image.save(out, format="PNG", compress_level=1)  # fast: the browser, not a disk, reads it
    else:
        image.convert("RGB").save(out, format="JPEG", quality=90)
    return Texture(out.getvalue(), name=name)


def image_texture(path: Path) -> Texture:
    """An image file as a :class:`Texture`: PNG and JPEG files as they are (no re-encoding),
    other formats PIL reads (GIF, TGA, BMP...) converted to PNG.

    Raises :class:`~gizmo_notebook.model.ModelError` when the file is not an image.
    """
    return texture_from_bytes(path.read_bytes(), path.stem)


def texture_from_bytes(data: bytes, name: str) -> Texture:
    """Image bytes as a :class:`Texture`: PNG and JPEG as they are, other formats PIL reads
    converted to PNG; :class:`~gizmo_notebook.model.ModelError` when they are not an image,
    :class:`~gizmo_notebook.MissingDependencyError` (naming the ``textures`` extra) when they
    need converting and PIL is not installed."""
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return Texture(data, name=name)
    with requires("textures", f"Converting {_image_kind(data)} (the viewer takes PNG and JPEG as they are)"):
        from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            texture = pil_texture(image, name)
    except (UnidentifiedImageError, OSError) as exc:
        raise ModelError(f"texture {name!r} is not an image this viewer can read: {exc}") from None
    if texture is None:
        raise ModelError(f"texture {name!r} is not an image this viewer can read")
    return texture


def trimesh_material(mesh: trimesh.Trimesh, name: str, notes: list[str] | None = None) -> Material | None:
    """The material trimesh read with ``mesh`` (None when it has none worth keeping: plain
    per-face or per-vertex colours are handled as the visual's colour elsewhere).

    The texture is kept only when the mesh also has UVs to place it; one that cannot be read
    (not an image, or a format that needs the ``textures`` extra) is named in ``notes``.
    """
    visual = mesh.visual
    material = getattr(visual, "material", None)
    if material is None:
        return None
    if isinstance(material, trimesh.visual.material.PBRMaterial):
        image = material.baseColorTexture
        color = _rgba(material.baseColorFactor)
        metallic, roughness = material.metallicFactor, material.roughnessFactor
    else:  # SimpleMaterial (OBJ/MTL, DAE): Kd and map_Kd
        image = getattr(material, "image", None)
        color = _rgba(getattr(material, "diffuse", None))
        metallic = roughness = None
    texture = None
    if image is not None and mesh_uv(mesh) is not None:
        try:
            texture = _texture(image, name)
        except TEXTURE_ERRORS as exc:
            if notes is not None:
                which = f"{image.name!r} of {name!r}" if isinstance(image, EncodedImage) else f"of {name!r}"
                notes.append(f"texture {which} is not drawn (drawn in its colour): {exc}")
    if texture is None and color is None:
        return None
    return Material(color=color, texture=texture, name=getattr(material, "name", None),
                    metallic=None if metallic is None else float(metallic),
                    roughness=None if roughness is None else float(roughness))


def _texture(image: object, name: str) -> Texture | None:
    """trimesh's image (a PIL image, or the file's bytes when PIL is missing) as a Texture."""
    if isinstance(image, EncodedImage):
        return texture_from_bytes(image.data, name)
    return pil_texture(image, name)


_KINDS = ((b"BM", "a BMP image"), (b"GIF8", "a GIF image"), (b"RIFF", "a WebP image"), (b"II*\0", "a TIFF image"),
          (b"MM\0*", "a TIFF image"), (b"\xabKTX", "a KTX image"), (b"DDS ", "a DDS image"))


def _image_kind(data: bytes) -> str:
    """What an image that is neither PNG nor JPEG is, for the message (TGA has no signature)."""
    found = next((kind for magic, kind in _KINDS if data.startswith(magic)), None)
    if found is None and data[-18:-2] == b"TRUEVISION-XFILE":
        found = "a TGA image"
    return found or "an image that is neither PNG nor JPEG (TGA?)"


_OTHER_MAPS = {"normalTexture": "normal", "metallicRoughnessTexture": "metallic-roughness",
               "occlusionTexture": "occlusion", "emissiveTexture": "emissive"}


def maps_not_drawn(mesh: trimesh.Trimesh) -> list[str]:
    """The PBR maps besides the base colour that ``mesh``'s material carries (glTF exports of
    the Gizmo service ship normal and metallic-roughness maps): the viewer draws base colour
    and its texture only, so loaders name these in the notes."""
    material = getattr(mesh.visual, "material", None)
    return [name for attr, name in _OTHER_MAPS.items() if getattr(material, attr, None) is not None]


def maps_note(counts: dict[str, int]) -> list[str]:
    """One note for the maps :func:`maps_not_drawn` found, over every mesh of a model."""
    if not counts:
        return []
    listed = ", ".join(f"{name} ({n} mesh{'es' if n > 1 else ''})" for name, n in counts.items())
    return [f"PBR maps not drawn (base colour and its texture are): {listed}"]


def _rgba(values: object) -> tuple[float, float, float, float] | None:
    """trimesh colours are uint8 RGBA (sometimes RGB); the model's are floats in [0, 1]."""
    if values is None:
        return None
    c = np.asarray(values, dtype=np.float64).ravel()
    if len(c) not in (3, 4):
        return None
    if c.max() > 1.0:
        c = c / 255.0
    return (float(c[0]), float(c[1]), float(c[2]), float(c[3]) if len(c) == 4 else 1.0)
