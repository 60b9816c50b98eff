"""USD ``UsdPreviewSurface`` materials: diffuse colour, metallic, roughness and a diffuse
texture (``UsdUVTexture`` fed by a ``UsdPrimvarReader_float2``, usually ``primvars:st``).

The colour itself is read by the USD loader (``_color``, which also knows display colours);
this adds the texture and the PBR numbers. A texture needs texture coordinates on the mesh:
USD keeps them as a primvar, per point (``vertex``) or per face corner (``faceVarying``),
so a textured mesh is rebuilt with one vertex per distinct (point, UV) pair. USD's ``st``
has ``t = 0`` at the image's bottom row, the model's convention, so nothing flips. What
cannot be drawn goes into the model's notes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh
from pxr import Ar, Sdf, Usd, UsdGeom, UsdShade

from gizmo_notebook.loaders._materials import TEXTURE_ERRORS, texture_from_bytes
from gizmo_notebook.model import Geometry, Material, Mesh, Texture, uv_visual

__all__ = ["UsdMaterials"]

_PER_POINT = ("vertex", "varying")


class UsdMaterials:
    """Materials and texture coordinates of one stage's gprims; notes go to ``notes``."""

    def __init__(self, notes: list[str]) -> None:
        self._notes = notes
        self._textures: dict[str, Texture | None] = {}

    def mesh_with_texcoords(self, prim: Usd.Prim, mesh: trimesh.Trimesh) -> trimesh.Trimesh:
        """``mesh`` (the triangulated ``UsdGeom.Mesh`` ``prim``) with per-vertex UVs when a
        texture is bound to it and the UV primvar it reads exists; ``mesh`` otherwise."""
        found = _diffuse_texture_shader(prim)
        if found is None:
            return mesh
        _, varname = found
        primvar = UsdGeom.PrimvarsAPI(prim).GetPrimvar(varname)
        if not primvar or not primvar.HasValue():
            self._note(f"mesh {str(prim.GetPath())!r} has a texture but no {varname!r} primvar: drawn in its colour")
            return mesh
        st = primvar.ComputeFlattened()
        interpolation = primvar.GetInterpolation()
        geom = UsdGeom.Mesh(prim)
        counts = np.asarray(geom.GetFaceVertexCountsAttr().Get(), dtype=np.int64)
        indices = np.asarray(geom.GetFaceVertexIndicesAttr().Get(), dtype=np.int64)
        st = np.asarray(st, dtype=np.float64).reshape(-1, 2) if st is not None else np.zeros((0, 2))
        corners = _fan_corners(counts)  # (m, 3) positions in faceVertexIndices, Hydra's fan
        if geom.GetOrientationAttr().Get() == UsdGeom.Tokens.leftHanded:
            corners = corners[:, ::-1]
        if interpolation == "faceVarying" and len(st) == len(indices):
            uv_ids = corners
        elif interpolation in _PER_POINT and len(st) == len(mesh.vertices):
            uv_ids = indices[corners]
        else:
            self._note(f"mesh {str(prim.GetPath())!r}: its {varname!r} primvar ({interpolation}, {len(st)} values) "
                       "does not fit its points or face corners, so its texture is not drawn")
            return mesh
        points = indices[corners].ravel()
        uvs = st[uv_ids.ravel()]
        keys = np.concatenate([points[:, None].astype(np.float64), uvs], axis=1)
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        out = trimesh.Trimesh(np.asarray(mesh.vertices)[unique[:, 0].astype(np.int64)],
                              np.asarray(inverse).reshape(-1, 3), process=False)
        out.visual = uv_visual(unique[:, 1:])
        return out

    def material(self, prim: Usd.Prim, geometry: Geometry) -> Material | None:
        """The bound ``UsdPreviewSurface``'s texture and PBR numbers (the colour is the visual's)."""
        material, _ = UsdShade.MaterialBindingAPI(prim).ComputeBoundMaterial()
        if not material:
            return None
        shader = material.ComputeSurfaceSource()[0]
        if not shader:
            return None
        texture = None
        found = _diffuse_texture_shader(prim)
        if found is not None:
            if isinstance(geometry, Mesh) and geometry.uv is not None:
                texture = self._texture(found[0])
            elif not prim.IsA(UsdGeom.Mesh):  # (a mesh without its primvar was noted when read)
                self._note(f"{prim.GetTypeName()} {str(prim.GetPath())!r} has a texture but, being a primitive, "
                           "no texture coordinates: drawn in its colour")
        # a texture is multiplied by the colour: white unless the file gives one (see _color)
        return Material(color=(1.0, 1.0, 1.0, 1.0) if texture is not None else None, texture=texture,
                        metallic=_number(shader, "metallic"),
                        roughness=_number(shader, "roughness"), name=material.GetPrim().GetName())

    def _texture(self, texture_shader: UsdShade.Shader) -> Texture | None:
        file_input = texture_shader.GetInput("file")
        asset = file_input.Get() if file_input else None
        if not isinstance(asset, Sdf.AssetPath) or not asset.path:
            return None
        key = asset.resolvedPath or asset.path
        if key not in self._textures:
            self._textures[key] = self._read_texture(asset, texture_shader)
        return self._textures[key]

    def _read_texture(self, asset: Sdf.AssetPath, shader: UsdShade.Shader) -> Texture | None:
        name = Path(asset.path).stem
        data = None
        if asset.resolvedPath:  # also reads from inside a .usdz package
            found = Ar.GetResolver().OpenAsset(Ar.ResolvedPath(asset.resolvedPath))
            if found:
                data = bytes(memoryview(found.GetBuffer())[: found.GetSize()])
        if data is None:
            self._note(f"texture {asset.path!r} of {str(shader.GetPath())!r} is not drawn: the file does not exist")
            return None
        try:
            return texture_from_bytes(data, name)
        except TEXTURE_ERRORS as exc:
            self._note(f"texture {asset.path!r} is not drawn: {exc}")
            return None

    def _note(self, text: str) -> None:
        if text not in self._notes:
            self._notes.append(text)


def _diffuse_texture_shader(prim: Usd.Prim) -> tuple[UsdShade.Shader, str] | None:
    """The ``UsdUVTexture`` feeding the bound surface's ``diffuseColor`` and the name of the
    UV primvar it reads (``st`` when its reader does not say), or None."""
    material, _ = UsdShade.MaterialBindingAPI(prim).ComputeBoundMaterial()
    if not material:
        return None
    surface = material.ComputeSurfaceSource()[0]
    diffuse = surface.GetInput("diffuseColor") if surface else None
    if not diffuse or not diffuse.HasConnectedSource():
        return None
    source = UsdShade.Shader(diffuse.GetConnectedSource()[0].GetPrim())
    if source.GetIdAttr().Get() != "UsdUVTexture":
        return None
    varname = "st"
    st = source.GetInput("st")
    if st and st.HasConnectedSource():
        reader = UsdShade.Shader(st.GetConnectedSource()[0].GetPrim())
        name_input = reader.GetInput("varname")
        value = name_input.Get() if name_input else None
        if value:
            varname = str(value)
    return source, varname


def _fan_corners(counts: np.ndarray) -> np.ndarray:
    """Positions in ``faceVertexIndices`` of each triangle's corners, fan-triangulating every
    polygon from its first corner (Hydra's rule for convex polygons); faces of < 3 corners skipped."""
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    out = [np.zeros((0, 3), dtype=np.int64)]
    for n in np.unique(counts):
        first = starts[counts == n]
        out.extend(np.stack([first, first + k, first + k + 1], axis=1) for k in range(1, int(n) - 1))
    return np.concatenate(out)


def _number(shader: UsdShade.Shader, name: str) -> float | None:
    found = shader.GetInput(name)
    value = found.Get() if found else None
    return None if value is None else float(value)
