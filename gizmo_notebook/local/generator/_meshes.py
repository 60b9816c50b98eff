"""Triangle meshes for shapes primitives cannot express: tapered fingers, cups, housings with holes.

Each constructor is cached on its (rounded) dimensions, because the same prompt — and most
prompts of a family — ask for the same handful of shapes, and mesh booleans cost milliseconds.
The returned :class:`~gizmo_notebook.model.Mesh` objects are shared: treat them as read-only.

The booleans (a housing's lens bore, a bracket's bolt holes) need manifold3d, the optional
``booleans`` extra (4 MB, kept out of the core install to keep it under 100 MB): without it
the shapes are built without their holes — same outline, size, mass and collision boxes — and
the log says once which install brings them back.
"""

from __future__ import annotations

import functools
import logging
import math

import numpy as np
import trimesh

from ..._optional import install_command
from ...model import Mesh

__all__ = ["finger", "housing_with_hole", "l_bracket", "suction_cup"]

_log = logging.getLogger("gizmo_notebook.local")

# Rotate an XY-extruded (along Z) profile so profile-X -> link Y, profile-Y -> link Z,
# extrusion -> link X. The matrix is a proper rotation (det +1), so normals stay outward.
_PROFILE_TO_LINK = np.array([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=float)


def _r(value: float) -> float:
    return round(float(value), 4)


def _tag(*values: float) -> str:
    return "_".join(f"{round(v * 1000):d}" for v in values)


@functools.lru_cache(maxsize=256)
def _finger(length: float, width: float, thickness: float) -> Mesh:
    # Trapezoid in the (y, z) plane: thick at the knuckle, 60% at the tip, with a
    # flat inner (−y) face so two fingers meet flush.
    t = thickness
    profile = np.array([(-t / 2, 0.0), (t / 2, 0.0), (t / 2 - 0.4 * t, length), (-t / 2, length)])
    # a convex quad: two fan triangles (extrude_polygon would triangulate it with shapely,
    # which is not a dependency: a core install failed every gripper prompt)
    mesh = trimesh.creation.extrude_triangulation(profile, np.array([[0, 1, 2], [0, 2, 3]]), width)
    mesh.apply_translation((0.0, 0.0, -width / 2))
    mesh.apply_transform(_PROFILE_TO_LINK)
    return Mesh(mesh, name=f"finger_{_tag(length, width, thickness)}")


def finger(length: float, width: float, thickness: float) -> Mesh:
    """A tapered gripper jaw running from z=0 to z=``length``; its inner face is at y = -t/2."""
    return _finger(_r(length), _r(width), _r(thickness))


@functools.lru_cache(maxsize=64)
def _suction_cup(radius: float, height: float) -> Mesh:
    neck = radius * 0.35
    profile = np.array(
        [(0.0, 0.0), (neck, 0.0), (neck, height * 0.45), (radius, height * 0.85), (radius, height), (0.0, height)]
    )
    mesh = trimesh.creation.revolve(profile, sections=32)
    return Mesh(mesh, name=f"suction_cup_{_tag(radius, height)}")


def suction_cup(radius: float, height: float) -> Mesh:
    """A flared vacuum cup from z=0 (stem) to z=``height`` (rim), as a closed solid."""
    return _suction_cup(_r(radius), _r(height))


@functools.lru_cache(maxsize=64)
def _housing_with_hole(x: float, y: float, z: float, hole: float) -> Mesh:
    body = trimesh.creation.box(extents=(x, y, z))
    bore = trimesh.creation.cylinder(radius=hole, height=x * 0.9, sections=32)
    # Blind bore from the +X face, 45% deep: a lens or sensor window, not a tunnel.
    bore.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (0, 1, 0)))
    bore.apply_translation((x / 2, 0.0, 0.0))
    mesh = _boolean("difference", [body, bore])
    return Mesh(mesh, name=f"housing_{_tag(x, y, z, hole)}")


def housing_with_hole(size: tuple[float, float, float], hole_radius: float) -> Mesh:
    """A box housing centred on the origin with a round window bored into its +X face."""
    return _housing_with_hole(_r(size[0]), _r(size[1]), _r(size[2]), _r(hole_radius))


@functools.lru_cache(maxsize=64)
def _l_bracket(width: float, depth: float, height: float, thickness: float, hole: float) -> Mesh:
    base = trimesh.creation.box(extents=(depth, width, thickness))
    base.apply_translation((depth / 2, 0.0, thickness / 2))
    upright = trimesh.creation.box(extents=(thickness, width, height))
    upright.apply_translation((thickness / 2, 0.0, height / 2))
    solid = _boolean("union", [base, upright])
    cutters = []
    for sy in (-1, 1):
        down = trimesh.creation.cylinder(radius=hole, height=thickness * 3, sections=24)
        down.apply_translation((depth * 0.65, sy * width * 0.28, thickness / 2))
        side = trimesh.creation.cylinder(radius=hole, height=thickness * 3, sections=24)
        side.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (0, 1, 0)))
        side.apply_translation((thickness / 2, sy * width * 0.28, height * 0.65))
        cutters += [down, side]
    mesh = _boolean("difference", [solid, *cutters])
    return Mesh(mesh, name=f"l_bracket_{_tag(width, depth, height, thickness)}")


def l_bracket(width: float, depth: float, height: float, thickness: float, hole_radius: float) -> Mesh:
    """An L-shaped angle bracket (foot along +X, upright along +Z) with two bolt holes per leg."""
    return _l_bracket(_r(width), _r(depth), _r(height), _r(thickness), _r(hole_radius))



def _boolean(operation: str, meshes: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    """``trimesh.boolean.<operation>`` with manifold3d; without it (a core install) a union is
    the parts side by side (they overlap: the same solid to the eye; the mass estimate counts the
    overlap twice, a few percent for a bracket's thin plates) and a difference is its first
    operand (the holes are left out)."""
    if _have_manifold():
        return getattr(trimesh.boolean, operation)(meshes, engine="manifold")
    if operation == "union":
        joined: trimesh.Trimesh = trimesh.util.concatenate(meshes)  # type: ignore[assignment]  # meshes in, a mesh out
        return joined
    return meshes[0]


@functools.cache
def _have_manifold() -> bool:
    try:
        import manifold3d  # noqa: F401
    except ImportError:
        _log.info("housings and brackets are built without their holes: mesh booleans need manifold3d (%s)",
                  install_command("booleans"))
        return False
    return True
