"""URDF ``<material><texture filename=...>`` (and SDF ``albedo_map``) and the materials of the
mesh files a URDF or SDF uses.

URDF materials are a colour and optionally a texture image; the mesh a visual points at may
carry its own material (OBJ+MTL, COLLADA effects, glTF), which is what RViz draws when the
URDF gives no texture. A texture needs texture coordinates, which only a mesh file can hold:
a texture on a primitive, or on a mesh without UVs, is named in the model's notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from gizmo_notebook.loaders._materials import TEXTURE_ERRORS, image_texture
from gizmo_notebook.model import Geometry, Material, Mesh

__all__ = ["file_material", "urdf_material"]


class _Meshes(Protocol):
    """What this needs of the URDF loader's mesh cache."""

    def resolve(self, filename: str) -> Path | None: ...

    def material(self, geometry: Geometry) -> Material | None: ...


def _texture_filename(material: object, named: dict[str, object]) -> str | None:
    """The texture file of a visual's material, else of the robot-level material it names."""
    if material is None:
        return None
    texture = getattr(material, "texture", None)
    if texture is None and getattr(material, "name", None) in named:
        texture = getattr(named[material.name], "texture", None)  # type: ignore[attr-defined]
    filename = getattr(texture, "filename", None)
    return str(filename) if filename else None


def urdf_material(material: object, named: dict, color: tuple[float, ...] | None, geometry: Geometry,
                  meshes: _Meshes, label: str, notes: list[str]) -> Material | None:
    """The :class:`Material` of one URDF visual: the URDF's own texture (with the URDF colour
    ``color``) when it names one and the geometry can place it, else the mesh file's material.
    What cannot be drawn is added to ``notes``."""
    return file_material(_texture_filename(material, named), color, geometry, meshes, label, notes,
                         name=getattr(material, "name", None))


def file_material(filename: str | None, color: tuple[float, ...] | None, geometry: Geometry, meshes: _Meshes,
                  label: str, notes: list[str], *, name: str | None = None) -> Material | None:
    """The :class:`Material` of a visual whose description names texture ``filename`` (or none)
    with colour ``color``: that texture when the geometry can place it, else the mesh file's own
    material (URDF, SDF)."""
    mesh_material = meshes.material(geometry)
    if filename is None:
        return mesh_material
    no_uv = not isinstance(geometry, Mesh) or geometry.uv is None
    if no_uv:
        what = "a primitive" if not isinstance(geometry, Mesh) else f"mesh {geometry.name!r}, which has no texture coordinates"
        notes.append(f"texture {filename!r} of {label} is not drawn: it is on {what}")
        return mesh_material
    path = meshes.resolve(filename)
    if path is None:
        notes.append(f"texture {filename!r} of {label} is not drawn: the file does not exist")
        return mesh_material
    try:
        texture = image_texture(path)
    except TEXTURE_ERRORS as exc:
        notes.append(f"texture {filename!r} of {label} is not drawn: {exc}")
        return mesh_material
    return Material(color=color, texture=texture, name=name)  # type: ignore[arg-type]


