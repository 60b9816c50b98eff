"""Texture images of glTF/GLB and OBJ+MTL files, as their encoded bytes, when trimesh cannot read them.

trimesh decodes texture images with PIL, which the core install does not have (pillow is the
``textures`` extra): without it, it reads a GLB's or an OBJ's meshes, UVs and material colours
but leaves every image out, silently. The viewer takes PNG and JPEG as they are, so nothing
needs decoding: :func:`load_trimesh` reads the images the file points at itself and hangs
them on trimesh's materials as :class:`EncodedImage` (``baseColorTexture`` of a glTF
material, ``image`` of an MTL one), where :func:`~._materials.trimesh_material` finds them.

glTF materials are matched to trimesh's by index, never by name (names are optional and
repeat): the file is handed to trimesh with each material renamed to a tag holding its index,
and the original names are put back afterwards. With PIL installed, trimesh reads the images
itself and none of this runs.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import trimesh

from gizmo_notebook._optional import MissingDependencyError, requires

__all__ = ["EncodedImage", "encode_png", "have_pil", "load_trimesh"]


@dataclass(frozen=True)
class EncodedImage:
    """An image file's bytes standing where trimesh would hold a PIL image (``name``: the
    file's, for messages)."""

    data: bytes
    name: str

    def copy(self) -> EncodedImage:
        """trimesh's material ``copy()`` calls this; the bytes are immutable, so share them."""
        return self


def have_pil() -> bool:
    """Whether trimesh can decode images itself (the ``textures`` extra is installed)."""
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        return False
    return True


def load_trimesh(path: Path, notes: list[str] | None = None, **kwargs: Any) -> Any:
    """``trimesh.load(path, **kwargs)``, with the texture images trimesh left out (no PIL)
    attached to its materials as :class:`EncodedImage`; the textures that still cannot be
    drawn without PIL (COLLADA's, or a glTF's merged into one mesh) are named in ``notes``."""
    suffix = path.suffix.lower()
    if suffix == ".dae":  # trimesh reads COLLADA with pycollada, the 'collada' extra
        with requires("collada", "Reading COLLADA (.dae) meshes"):
            import collada  # noqa: F401
    if have_pil() or suffix not in (".glb", ".gltf", ".obj", ".dae"):
        return trimesh.load(str(path), **kwargs)
    if suffix == ".dae":
        if _DAE_IMAGE.search(path.read_bytes()) and notes is not None:
            notes.append(_not_drawn(path, "COLLADA textures are read"))
        return trimesh.load(str(path), **kwargs)  # its materials are PBR ones: no placeholder image
    if suffix == ".obj":
        loaded = trimesh.load(str(path), **kwargs)
        _drop_placeholders(loaded)
        _attach_mtl_images(loaded, path)
        return loaded
    loaded, lost = _load_gltf(path, **kwargs)
    if lost and notes is not None:
        notes.append(_not_drawn(path, f"merging its {lost} textured materials into one mesh is done"))
    return loaded


_DAE_IMAGE = re.compile(rb"<init_from>[^<]+\.(?:png|jpe?g|tga|bmp|gif)\s*</init_from>", re.I)


def _not_drawn(path: Path, why: str) -> str:
    """The note for textures of ``path`` that only PIL could read, naming the install."""
    error = MissingDependencyError("textures", f"drawing them ({why} with PIL)", "PIL")
    return f"the textures of {path.name!r} are not drawn: {error}"


def _drop_placeholders(loaded: object) -> None:
    """Without PIL, trimesh gives a mesh with UVs but no image (an OBJ without ``map_Kd``) a
    default material whose image is a placeholder that raises when touched (even by
    ``mesh.copy()``): no image it is."""
    for material in _materials(loaded):
        if isinstance(getattr(material, "image", None), trimesh.exceptions.ExceptionWrapper):
            material.image = None


def _materials(loaded: object) -> list[Any]:
    """The material of every mesh trimesh returned (a Trimesh or each geometry of a Scene)."""
    meshes = loaded.geometry.values() if isinstance(loaded, trimesh.Scene) else [loaded]
    found = (getattr(getattr(m, "visual", None), "material", None) for m in meshes)
    return [m for m in found if m is not None]


_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> grey, grey+alpha, RGB, RGBA


def encode_png(pixels: np.ndarray) -> bytes:
    """An (h, w) or (h, w, 1-4) uint8 array as a PNG file (fast deflate, no filters): what
    MuJoCo's decoded textures need to reach the browser, without PIL."""
    rows = np.ascontiguousarray(pixels, dtype=np.uint8)
    if rows.ndim == 2:
        rows = rows[:, :, None]
    height, width, channels = rows.shape
    raw = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # filter byte 0 per row
    raw[:, 1:] = rows.reshape(height, -1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), 1))
            + chunk(b"IEND", b""))


# --- glTF / GLB -------------------------------------------------------------------------------

_TAG = "gizmo-notebook-material:"
_JSON_CHUNK, _BIN_CHUNK = 0x4E4F534A, 0x004E4942
# glTF material texture slots -> trimesh PBRMaterial attributes
_SLOTS = {"baseColorTexture": "baseColorTexture", "metallicRoughnessTexture": "metallicRoughnessTexture",
          "normalTexture": "normalTexture", "occlusionTexture": "occlusionTexture",
          "emissiveTexture": "emissiveTexture"}


def _load_gltf(path: Path, **kwargs: Any) -> tuple[Any, int]:
    """The glTF/GLB read by trimesh with its materials' images attached, and how many textured
    materials did not survive (``force="mesh"`` merges materials into one, which needs PIL)."""
    data = path.read_bytes()
    is_glb = data[:4] == b"glTF"
    header, binary = _split_glb(data) if is_glb else (json.loads(data), None)
    materials = header.get("materials") or []
    names = [m.get("name") for m in materials]
    images = [_material_images(header, binary, path, m) for m in materials]
    for i, material in enumerate(materials):
        material["name"] = f"{_TAG}{i}"
    text = json.dumps(header).encode()
    tagged = _join_glb(text, binary) if is_glb else text
    resolver = trimesh.resolvers.FilePathResolver(str(path))
    loaded = trimesh.load(io.BytesIO(tagged), file_type="glb" if is_glb else "gltf", resolver=resolver, **kwargs)
    found = set()
    for material in _materials(loaded):
        tag = getattr(material, "name", None)
        if not (isinstance(tag, str) and tag.startswith(_TAG)):
            continue
        index = int(tag[len(_TAG):])
        found.add(index)
        material.name = names[index]  # None drops it, as trimesh does for a nameless material
        for attr, image in images[index].items():
            setattr(material, attr, image)
    used = {p["material"] for m in header.get("meshes") or [] for p in m.get("primitives") or [] if "material" in p}
    lost = [i for i in used - found if i < len(images) and "baseColorTexture" in images[i]]
    return loaded, len(lost)


def _split_glb(data: bytes) -> tuple[dict[str, Any], bytes | None]:
    """(JSON header, BIN chunk) of a GLB container."""
    header: dict[str, Any] | None = None
    binary = None
    offset = 12
    while offset + 8 <= len(data):
        length, kind = struct.unpack_from("<II", data, offset)
        chunk = data[offset + 8: offset + 8 + length]
        if kind == _JSON_CHUNK and header is None:
            header = json.loads(chunk)
        elif kind == _BIN_CHUNK and binary is None:
            binary = chunk
        offset += 8 + length
    return header or {}, binary


def _join_glb(text: bytes, binary: bytes | None) -> bytes:
    """A GLB container of ``text`` (the JSON chunk) and ``binary`` (the BIN chunk), 4-byte aligned."""
    text += b" " * (-len(text) % 4)
    chunks = struct.pack("<II", len(text), _JSON_CHUNK) + text
    if binary is not None:
        binary += b"\0" * (-len(binary) % 4)
        chunks += struct.pack("<II", len(binary), _BIN_CHUNK) + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks


def _material_images(header: dict[str, Any], binary: bytes | None, path: Path,
                     material: dict[str, Any]) -> dict[str, EncodedImage]:
    """trimesh attribute -> image bytes, for every texture slot of a glTF ``material``."""
    slots = {**material, **(material.get("pbrMetallicRoughness") or {})}
    found = {}
    for slot, attr in _SLOTS.items():
        ref = slots.get(slot)
        if not isinstance(ref, dict) or "index" not in ref:
            continue
        image = _texture_image(header, binary, path, ref["index"])
        if image is not None:
            found[attr] = image
    return found


def _texture_image(header: dict[str, Any], binary: bytes | None, path: Path, texture: int) -> EncodedImage | None:
    try:
        spec = header["textures"][texture]
        source = spec.get("source")
        if source is None:  # EXT_texture_webp and friends name their image in an extension
            source = next((ext["source"] for ext in (spec.get("extensions") or {}).values()
                           if isinstance(ext, dict) and "source" in ext), None)
        image = header["images"][source]
        name = image.get("name") or Path(unquote(image.get("uri", ""))).name or f"image {source}"
        if "bufferView" in image:
            view = header["bufferViews"][image["bufferView"]]
            buffer = _buffer(header, binary, path, view["buffer"])
            start = view.get("byteOffset", 0)
            return EncodedImage(buffer[start:start + view["byteLength"]], name)
        return EncodedImage(_uri_bytes(image["uri"], path), name)
    except (KeyError, IndexError, TypeError, ValueError, OSError):
        return None  # a broken reference: trimesh's own reading would have dropped it too


def _buffer(header: dict[str, Any], binary: bytes | None, path: Path, index: int) -> bytes:
    uri = header["buffers"][index].get("uri")
    if uri is None:
        if binary is None:
            raise KeyError(f"buffer {index} has neither a uri nor a BIN chunk")
        return binary
    return _uri_bytes(uri, path)


def _uri_bytes(uri: str, path: Path) -> bytes:
    """A glTF URI's bytes: a base64 ``data:`` URI or a file next to ``path``."""
    if uri.startswith("data:"):
        return base64.b64decode(uri.partition(",")[2])
    return (path.parent / unquote(uri)).read_bytes()


# --- OBJ + MTL --------------------------------------------------------------------------------

_MTLLIB = re.compile(rb"^[ \t]*mtllib[ \t]+(.+?)[ \t]*\r?$", re.M)


def _attach_mtl_images(loaded: object, path: Path) -> None:
    """Give each MTL material trimesh read without its ``map_Kd`` image that image's bytes."""
    missing = [m for m in _materials(loaded) if getattr(m, "image", "absent") is None]
    if not missing:
        return
    maps = _mtl_diffuse_maps(path)
    for material in missing:
        file = maps.get(material.name)
        if file is not None:
            material.image = EncodedImage(file.read_bytes(), file.name)


def _mtl_diffuse_maps(obj: Path) -> dict[str, Path]:
    """material name -> the existing image file its ``map_Kd`` names, over the OBJ's MTL files."""
    maps: dict[str, Path] = {}
    for raw in _MTLLIB.findall(obj.read_bytes()):
        mtl = _existing(obj.parent, raw.decode(errors="replace"))
        if mtl is None:
            continue
        current = None
        for line in mtl.read_text(errors="replace").splitlines():
            key, _, rest = line.strip().partition(" ")
            if key == "newmtl":
                current = rest.strip()
            elif key.lower() == "map_kd" and current is not None:
                image = _existing(mtl.parent, rest.strip())
                if image is not None:
                    maps[current] = image
    return maps


def _existing(folder: Path, name: str) -> Path | None:
    """The file ``name`` refers to under ``folder``: the whole text, else its last word (MTL
    options such as ``-s 1 1 1`` come before the file name)."""
    for candidate in (name, name.split()[-1] if name.split() else name):
        path = folder / candidate.replace("\\", "/")
        if candidate and path.is_file():
            return path
    return None
