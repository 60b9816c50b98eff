"""MJCF materials and textures, read from the compiled ``MjModel`` (so MuJoCo has already
resolved defaults, ``<layer>`` roles, builtin textures and files).

* Texture coordinates: MuJoCo indexes a mesh's UVs separately from its vertices
  (``mesh_facetexcoord``), and stores ``v`` flipped (row 0 of ``tex_data`` is the image's top
  row and sits at ``v = 0``). The model wants one UV per vertex in the OpenGL convention, so
  vertices are split where one position has several UVs and ``v`` is flipped back.
* Images: ``tex_data`` holds decoded pixels (1, 3 or 4 channels); each 2D texture used for
  a material's base colour (role ``rgb`` / ``rgba``, what ``material texture=`` sets) is
  encoded to PNG once.
* What is not drawn is counted for the model's notes: cube and skybox textures, textures on
  primitives (MuJoCo maps those procedurally), ``texrepeat``, and the other PBR maps
  (normal, ORM, ...).
"""

from __future__ import annotations

import numpy as np
import trimesh

from gizmo_notebook._optional import requires
from gizmo_notebook.loaders._images import encode_png
from gizmo_notebook.model import Geometry, Material, Mesh, Texture, uv_visual

with requires("mujoco", "Loading MJCF files"):
    import mujoco

__all__ = ["MjMaterials", "mesh_with_texcoords"]

_ROLE = mujoco.mjtTextureRole
_BASE_ROLES = (int(_ROLE.mjTEXROLE_RGB), int(_ROLE.mjTEXROLE_RGBA))
_OTHER_ROLES = {int(r): r.name.removeprefix("mjTEXROLE_").lower() for r in _ROLE.__members__.values()
                if r.name not in ("mjTEXROLE_USER", "mjTEXROLE_RGB", "mjTEXROLE_RGBA", "mjNTEXROLE")}
_TEX_2D = int(mujoco.mjtTexture.mjTEXTURE_2D)


def mesh_with_texcoords(mj: mujoco.MjModel, mesh_id: int, mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """``mesh`` (mesh ``mesh_id``'s compiled vertices and faces) with per-vertex UVs when the
    file gave texture coordinates; ``mesh`` itself otherwise."""
    tnum = int(mj.mesh_texcoordnum[mesh_id])
    if tnum == 0:
        return mesh
    tadr, fadr = int(mj.mesh_texcoordadr[mesh_id]), int(mj.mesh_faceadr[mesh_id])
    fnum = int(mj.mesh_facenum[mesh_id])
    faces = np.asarray(mesh.faces, dtype=np.int64).ravel()
    tfaces = np.asarray(mj.mesh_facetexcoord[fadr:fadr + fnum], dtype=np.int64).ravel()
    texcoord = np.asarray(mj.mesh_texcoord[tadr:tadr + tnum], dtype=np.float64)
    # one vertex per distinct (position, uv) pair the faces use
    pairs, corners = np.unique(np.stack([faces, tfaces], axis=1), axis=0, return_inverse=True)
    uv = texcoord[pairs[:, 1]].copy()
    uv[:, 1] = 1.0 - uv[:, 1]
    out = trimesh.Trimesh(np.asarray(mesh.vertices)[pairs[:, 0]], corners.reshape(-1, 3), process=False)
    out.visual = uv_visual(uv)
    return out


def _factor(value: float) -> float | None:
    """A material's metallic / roughness: MuJoCo stores -1 for "not given" (float32, rounded)."""
    v = float(value)
    return None if v < 0 else round(v, 6)


class MjMaterials:
    """The :class:`Material` of each visual geom of one ``MjModel``, and what was not drawn."""

    def __init__(self, mj: mujoco.MjModel) -> None:
        self._mj = mj
        self._textures: dict[int, Texture] = {}
        self._skipped: dict[str, int] = {}

    def material(self, g: int, geometry: Geometry, rgba: tuple[float, float, float, float]) -> Material | None:
        """Geom ``g``'s material (its colour ``rgba`` as MuJoCo resolves it), None without one."""
        mj = self._mj
        mat = int(mj.geom_matid[g])
        if mat < 0:
            return None
        texids = np.atleast_1d(mj.mat_texid[mat])
        texture = None
        base = next((int(texids[r]) for r in _BASE_ROLES if r < len(texids) and texids[r] >= 0), -1)
        if base >= 0:
            texture = self._geom_texture(base, geometry, mat)
        for role, name in _OTHER_ROLES.items():
            if role < len(texids) and texids[role] >= 0:
                self._skip(f"{{n}} material(s) have a {name} map, not drawn (base colour and its texture are)")
        return Material(color=rgba, texture=texture, metallic=_factor(mj.mat_metallic[mat]),
                        roughness=_factor(mj.mat_roughness[mat]), name=self._name(mujoco.mjtObj.mjOBJ_MATERIAL, mat))

    def notes(self) -> list[str]:
        """Sentences for the model's notes: what the file declares that is not drawn."""
        skyboxes = int(np.sum(np.asarray(self._mj.tex_type) == int(mujoco.mjtTexture.mjTEXTURE_SKYBOX)))
        sky = [f"{skyboxes} skybox texture(s) (the scene's background) not drawn"] if skyboxes else []
        return [what.format(n=count) for what, count in self._skipped.items()] + sky

    def _geom_texture(self, tex: int, geometry: Geometry, mat: int) -> Texture | None:
        mj = self._mj
        if int(mj.tex_type[tex]) != _TEX_2D:
            self._skip("{n} geom(s) use a cube or skybox texture, not drawn (drawn in their colour)")
            return None
        if not isinstance(geometry, Mesh) or geometry.uv is None:
            self._skip("{n} textured geom(s) have no texture coordinates (primitives: MuJoCo maps those itself), "
                       "so their texture is not drawn (drawn in their colour)")
            return None
        if not np.allclose(mj.mat_texrepeat[mat], 1.0):
            self._skip("{n} textured geom(s) have a material texrepeat, not applied (the texture is drawn once across the UVs)")
        if tex not in self._textures:
            self._textures[tex] = self._image(tex)
        return self._textures[tex]

    def _image(self, tex: int) -> Texture:
        mj = self._mj
        w, h, c = int(mj.tex_width[tex]), int(mj.tex_height[tex]), int(mj.tex_nchannel[tex])
        adr = int(mj.tex_adr[tex])
        pixels = np.asarray(mj.tex_data[adr:adr + w * h * c], dtype=np.uint8).reshape(h, w, c)
        return Texture(encode_png(pixels), name=self._name(mujoco.mjtObj.mjOBJ_TEXTURE, tex) or f"texture{tex}")

    def _skip(self, what: str) -> None:
        self._skipped[what] = self._skipped.get(what, 0) + 1

    def _name(self, kind: mujoco.mjtObj, index: int) -> str:
        return mujoco.mj_id2name(self._mj, kind, index) or ""
