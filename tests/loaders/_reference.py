"""Independent reference numbers: what each format's own library computes."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import mujoco
import numpy as np

SITE = Path(sysconfig.get_paths()["purelib"])
PYBULLET_DATA = SITE / "pybullet_data"
EXAMPLE_ROBOTS = SITE / "cmeel.prefix" / "share" / "example-robot-data" / "robots"
GYM_MUJOCO = SITE / "gymnasium" / "envs" / "mujoco" / "assets"
GYM_ROBOTICS = SITE / "gymnasium_robotics" / "envs" / "assets"

_G = mujoco.mjtGeom


def mujoco_visible_bounds(mj: mujoco.MjModel, qpos: np.ndarray | None = None) -> np.ndarray:
    """Exact world AABB of the geoms MuJoCo's viewer shows (groups 0-2, not transparent).

    Positions come from MuJoCo's own ``mj_forward``; extents are analytic per primitive
    (no tessellation), so the loader's triangulated primitives must come within tessellation
    error of it.
    """
    data = mujoco.MjData(mj)
    if qpos is not None:
        data.qpos[:] = qpos
    mujoco.mj_forward(mj, data)
    lo, hi = [], []
    for g in range(mj.ngeom):
        gtype, size = int(mj.geom_type[g]), mj.geom_size[g]
        pos, rot = data.geom_xpos[g].copy(), data.geom_xmat[g].reshape(3, 3)
        mat = int(mj.geom_matid[g])
        rgba = mj.mat_rgba[mat] if mat >= 0 and np.allclose(mj.geom_rgba[g], [0.5, 0.5, 0.5, 1]) else mj.geom_rgba[g]
        if mj.geom_group[g] > 2 or rgba[3] == 0:
            continue
        if gtype == _G.mjGEOM_SPHERE:
            ext = np.full(3, size[0])
        elif gtype == _G.mjGEOM_CAPSULE:
            ext = np.abs(rot[:, 2]) * size[1] + size[0]
        elif gtype == _G.mjGEOM_CYLINDER:
            a = rot[:, 2]
            ext = np.abs(a) * size[1] + size[0] * np.sqrt(np.clip(1 - a**2, 0, 1))
        elif gtype == _G.mjGEOM_BOX:
            ext = np.abs(rot) @ size
        elif gtype == _G.mjGEOM_ELLIPSOID:
            ext = np.sqrt((rot * size) ** 2 @ np.ones(3))
        elif gtype == _G.mjGEOM_MESH:
            m = int(mj.geom_dataid[g])
            start = int(mj.mesh_vertadr[m])
            verts = mj.mesh_vert[start : start + int(mj.mesh_vertnum[m])] @ rot.T + pos
            lo.append(verts.min(0))
            hi.append(verts.max(0))
            continue
        else:  # planes / height fields: ground, not part of the robot
            continue
        lo.append(pos - ext)
        hi.append(pos + ext)
    return np.array([np.min(lo, axis=0), np.max(hi, axis=0)])


def largest_round_radius(mj: mujoco.MjModel) -> float:
    """Tessellated spheres/capsules/cylinders deviate by a fraction of their radius."""
    round_types = {int(_G.mjGEOM_SPHERE), int(_G.mjGEOM_CAPSULE), int(_G.mjGEOM_CYLINDER), int(_G.mjGEOM_ELLIPSOID)}
    radii = [float(mj.geom_size[g].max()) for g in range(mj.ngeom) if int(mj.geom_type[g]) in round_types]
    return max(radii, default=0.0)
