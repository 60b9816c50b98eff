"""The articulated model: the one representation of a robot asset in this package.

The generator builds an :class:`AssetModel`, the exporters write one, the loaders read files
into one and the viewer shows one. Keeping a single type means a joint, a link colour or an
inertia tensor survives every hop (prompt -> file -> notebook) without translation tables.

Conventions (the same as URDF, so the common case needs no conversion):

* lengths in metres, angles in radians, masses in kilograms;
* a link frame is placed by the joint whose ``child`` it is: ``T(child) = T(parent) @
  joint.origin @ motion(q)``; the root link sits at the world origin;
* primitive geometry is centred on its own frame; cylinders and capsules run along local +Z.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Literal, Union, cast

import numpy as np
import trimesh

from gizmo_notebook.errors import GizmoError

__all__ = [
    "AssetModel",
    "Box",
    "Capsule",
    "Collision",
    "Cylinder",
    "DEFAULT_GROUPS",
    "Geometry",
    "Inertial",
    "Joint",
    "JointLimits",
    "JointPosition",
    "JointType",
    "Link",
    "LoopClosure",
    "Material",
    "Mesh",
    "ModelError",
    "Pose",
    "Sphere",
    "Texture",
    "Visual",
    "compose_placed",
    "plane_axes",
    "prefixed",
    "sound_triangles",
]

JointType = Literal["revolute", "continuous", "prismatic", "fixed", "floating", "planar", "ball"]
JointPosition = float | Sequence[float]  # a number, or several for ball / floating / planar joints
MOVABLE_JOINT_TYPES: frozenset[str] = frozenset({"revolute", "continuous", "prismatic"})
MULTI_DOF_JOINT_TYPES: frozenset[str] = frozenset({"ball", "floating", "planar"})  # positions of several numbers
_JOINT_TYPES: frozenset[str] = frozenset(JointType.__args__)  # type: ignore[attr-defined]
# the geom groups (MJCF ``group``, 0-5) MuJoCo's viewer draws until told otherwise
DEFAULT_GROUPS: frozenset[int] = frozenset({0, 1, 2})
GROUPS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)

Vec3 = tuple[float, float, float]
RGBA = tuple[float, float, float, float]


class ModelError(GizmoError, ValueError):
    """An articulated model is inconsistent (dangling joint, cycle, duplicate name...)."""


# --------------------------------------------------------------------------- poses


def _vec3(values: Iterable[float], what: str) -> Vec3:
    out = tuple(float(v) for v in values)
    if len(out) != 3 or not all(math.isfinite(v) for v in out):
        raise ModelError(f"{what} must be three finite numbers, got {out!r}")
    return out  # type: ignore[return-value]


@dataclass(frozen=True)
class Pose:
    """A rigid transform as translation ``xyz`` and fixed-axis roll/pitch/yaw ``rpy``."""

    xyz: Vec3 = (0.0, 0.0, 0.0)
    rpy: Vec3 = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "xyz", _vec3(self.xyz, "Pose.xyz"))
        object.__setattr__(self, "rpy", _vec3(self.rpy, "Pose.rpy"))

    @property
    def is_identity(self) -> bool:
        return not any(self.xyz) and not any(self.rpy)

    def matrix(self) -> np.ndarray:
        """The 4x4 homogeneous matrix (R = Rz(yaw) @ Ry(pitch) @ Rx(roll), as URDF); a fresh
        copy, the pose being immutable and computed once."""
        return self._matrix.copy()

    @cached_property
    def _matrix(self) -> np.ndarray:
        m = np.eye(4)
        m[:3, :3] = rpy_to_matrix(self.rpy)
        m[:3, 3] = self.xyz
        return m

    def quaternion(self) -> tuple[float, float, float, float]:
        """The rotation as a unit quaternion ``(w, x, y, z)`` (MJCF / USD order)."""
        return matrix_to_quaternion(rpy_to_matrix(self.rpy))

    @classmethod
    def from_matrix(cls, m: np.ndarray) -> Pose:
        m = np.asarray(m, dtype=float)
        return cls(cast(Vec3, tuple(m[:3, 3])), matrix_to_rpy(m[:3, :3]))

    @classmethod
    def from_quaternion(cls, xyz: Iterable[float], wxyz: Sequence[float]) -> Pose:
        return cls(cast(Vec3, tuple(xyz)), matrix_to_rpy(quaternion_to_matrix(wxyz)))


def rpy_to_matrix(rpy: Sequence[float] | np.ndarray) -> np.ndarray:
    r, p, y = (float(v) for v in rpy)
    cr, sr, cp, sp, cy, sy = math.cos(r), math.sin(r), math.cos(p), math.sin(p), math.cos(y), math.sin(y)
    return np.array(
        [
            [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
            [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
            [-sp, cp * sr, cp * cr],
        ]
    )


def matrix_to_rpy(m: np.ndarray) -> Vec3:
    m = np.asarray(m, dtype=float)
    sp = -m[2, 0]
    if abs(sp) >= 1.0 - 1e-12:  # gimbal lock: roll and yaw share an axis, put it all in yaw
        pitch = math.copysign(math.pi / 2, sp)
        return (0.0, pitch, math.atan2(-m[0, 1], m[1, 1]))
    return (math.atan2(m[2, 1], m[2, 2]), math.asin(sp), math.atan2(m[1, 0], m[0, 0]))


def quaternion_to_matrix(wxyz: Sequence[float] | np.ndarray) -> np.ndarray:
    w, x, y, z = (float(v) for v in wxyz)
    n = math.sqrt(w * w + x * x + y * y + z * z)
    if n == 0.0:
        raise ModelError("quaternion has zero length")
    w, x, y, z = w / n, x / n, y / n, z / n
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def matrix_to_quaternion(m: np.ndarray) -> tuple[float, float, float, float]:
    m = np.asarray(m, dtype=float)
    t = m[0, 0] + m[1, 1] + m[2, 2]
    if t > 0:
        s = math.sqrt(t + 1.0) * 2
        q = (0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s)
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = math.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2
        q = ((m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s)
    elif m[1, 1] > m[2, 2]:
        s = math.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2
        q = ((m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s)
    else:
        s = math.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2
        q = ((m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s)
    if q[0] < 0:  # canonical sign keeps exports deterministic
        q = tuple(-v for v in q)  # type: ignore[assignment]
    return q  # type: ignore[return-value]


def axis_angle_matrix(axis: Sequence[float] | np.ndarray, angle: float) -> np.ndarray:
    """4x4 rotation about ``axis`` (normalised here) through the origin, by Rodrigues' formula
    written out: forward kinematics calls this once per joint per pose."""
    x, y, z = (float(v) for v in axis)
    n = math.sqrt(x * x + y * y + z * z)
    x, y, z = x / n, y / n, z / n
    c, s = math.cos(angle), math.sin(angle)
    t = 1.0 - c
    return np.array(
        [
            [c + x * x * t, x * y * t - z * s, x * z * t + y * s, 0.0],
            [y * x * t + z * s, c + y * y * t, y * z * t - x * s, 0.0],
            [z * x * t - y * s, z * y * t + x * s, c + z * z * t, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )


# --------------------------------------------------------------------------- geometry


class _Primitive:
    """What the primitive shapes share: their triangles, built once per distinct shape.

    ``trimesh.creation`` takes 0.5-1.5 ms a shape, and a robot description lists dozens of
    equal ones (TIAGo++: 62 boxes, each drawn as a visual and again as a collision shape), so
    the viewer's encode spent ~50 ms building the same boxes. ``to_trimesh`` still hands out a
    copy each call: callers move the vertices.
    """

    def _build(self) -> trimesh.Trimesh:
        raise NotImplementedError

    def _template(self) -> trimesh.Trimesh:
        try:
            hash(self)
        except TypeError:  # a field given as a list: nothing to key a cache on
            return self._build()
        return _primitive_template(self)

    def to_trimesh(self) -> trimesh.Trimesh:
        template = self._template()
        return trimesh.Trimesh(vertices=template.vertices.copy(), faces=template.faces.copy(), process=False)

    @property
    def triangle_count(self) -> int:
        """How many triangles :meth:`to_trimesh` gives, without a copy."""
        return len(self._template().faces)


@lru_cache(maxsize=512)
def _primitive_template(shape: _Primitive) -> trimesh.Trimesh:
    return shape._build()


@dataclass(frozen=True)
class Box(_Primitive):
    size: Vec3  # full extents along x, y, z

    def _build(self) -> trimesh.Trimesh:
        return trimesh.creation.box(extents=self.size)


@dataclass(frozen=True)
class Cylinder(_Primitive):
    radius: float
    length: float  # along local +Z, centred

    def _build(self) -> trimesh.Trimesh:
        return trimesh.creation.cylinder(radius=self.radius, height=self.length, sections=32)


@dataclass(frozen=True)
class Sphere(_Primitive):
    radius: float

    def _build(self) -> trimesh.Trimesh:
        if self.radius <= 0:  # nothing to draw (pybullet's laikago has them); trimesh's would be all NaN
            return trimesh.Trimesh()
        return trimesh.creation.icosphere(subdivisions=2, radius=self.radius)


@dataclass(frozen=True)
class Capsule(_Primitive):
    radius: float
    length: float  # length of the cylindrical part, along local +Z

    def _build(self) -> trimesh.Trimesh:
        return trimesh.creation.capsule(height=self.length, radius=self.radius, count=[24, 12])


@dataclass(frozen=True, eq=False)
class Mesh:
    """Triangle mesh geometry.

    ``mesh`` holds the triangles in the geometry frame *after* ``scale``; ``name`` is the
    stem exporters use for the file they write (``meshes/<name>.stl``). ``source`` records
    the file it came from when loaded, for error messages only.
    """

    mesh: trimesh.Trimesh
    name: str = "mesh"
    source: str | None = None

    def to_trimesh(self) -> trimesh.Trimesh:
        return self.mesh.copy()

    @property
    def uv(self) -> np.ndarray | None:
        """Per-vertex texture coordinates, (n, 2), or None.

        They live on the trimesh's ``TextureVisuals`` (where trimesh's loaders put them), so they
        follow the vertices through ``copy`` and ``apply_transform``. OpenGL convention, as OBJ
        and trimesh: ``v = 0`` is the bottom row of the image.
        """
        return mesh_uv(self.mesh)


def _shape_copy(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """A copy of ``mesh`` to transform and draw. A textured mesh is copied without its
    material: trimesh would copy the decoded image too (~0.1 s for 2048x2048), and what draws
    the texture is the visual's :class:`Material`; the UVs stay with the vertices."""
    uv = mesh_uv(mesh)
    if uv is None:
        return mesh.copy()
    out = trimesh.Trimesh(np.array(mesh.vertices), np.array(mesh.faces), process=False)
    out.visual = uv_visual(uv.copy())
    return out


def uv_visual(uv: np.ndarray) -> trimesh.visual.TextureVisuals:
    """A visual holding UVs only, with an explicitly empty material: trimesh's default one is
    a 2x2 PIL image, and without PIL (the core install) a placeholder that raises when the
    mesh is copied."""
    return trimesh.visual.TextureVisuals(uv=uv, material=trimesh.visual.material.SimpleMaterial())


def mesh_uv(mesh: trimesh.Trimesh) -> np.ndarray | None:
    """The per-vertex UVs of a trimesh (see :attr:`Mesh.uv`), or None when it has none."""
    uv = getattr(mesh.visual, "uv", None)
    if uv is None or len(uv) != len(mesh.vertices):
        return None
    return np.asarray(uv, dtype=np.float64)


def sound_triangles(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray | None:
    """Which rows of ``faces`` can be drawn, exported and simulated: each corner an index into
    ``vertices`` whose coordinates are all finite. ``None`` when every one can, the usual case,
    told without a per-triangle mask (~2 ms at 1M triangles). Meshes built with
    ``process=False`` may hold either fault; a NaN bound cannot travel in the viewer's JSON."""
    if len(faces) == 0 or (faces.min() >= 0 and faces.max() < len(vertices) and np.isfinite(vertices).all()):
        return None
    keep = np.asarray(((faces >= 0) & (faces < len(vertices))).all(axis=1))
    finite = np.isfinite(vertices).all(axis=1)
    keep[keep] = finite[faces[keep]].all(axis=1)
    return keep


Geometry = Union[Box, Cylinder, Sphere, Capsule, Mesh]


_IMAGE_MIME = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True, eq=False)
class Texture:
    """An image a visual is painted with: PNG or JPEG bytes, as a file or an exporter holds them.

    Kept encoded (not as pixels) because that is what the browser decodes and what exporters
    write; ``name`` is the stem exporters use (``textures/<name>.png``).
    """

    data: bytes = field(repr=False)
    name: str = "texture"

    def __repr__(self) -> str:
        return f"Texture(name={self.name!r}, {self.mime}, {len(self.data)} bytes)"

    def __post_init__(self) -> None:
        if self.mime is None:
            raise ModelError(f"texture {self.name!r}: only PNG or JPEG images can be drawn (got {bytes(self.data[:8])!r}...)")

    @property
    def mime(self) -> str | None:
        for magic, mime in _IMAGE_MIME.items():
            if self.data.startswith(magic):
                return mime
        return None

    @property
    def suffix(self) -> str:
        return ".png" if self.mime == "image/png" else ".jpg"


@dataclass(frozen=True)
class Material:
    """How a visual looks beyond its shape: a base colour, optionally a base-colour texture
    (drawn through the mesh's UVs, :attr:`Mesh.uv`, multiplied by the colour as in glTF and
    MuJoCo) and the PBR numbers a file may give (``None``: the file does not say).

    A texture on geometry without UVs (primitives) cannot be placed; loaders say so in the
    model's notes.
    """

    color: RGBA | None = None
    texture: Texture | None = None
    metallic: float | None = None
    roughness: float | None = None
    name: str | None = None


@dataclass(frozen=True)
class Visual:
    """What is drawn of a link. ``color`` is its base colour; ``material`` carries the rest
    (texture, PBR numbers) when the file declares it, and a material's colour fills ``color``
    when that is not given, so code that only knows colours keeps working. ``group`` is the
    MJCF geom group (0-5) it came from, ``None`` for formats without groups: like MuJoCo's
    viewer, ``scene`` / ``pose`` and the viewer draw groups 0-2 and hide 3-5 until asked
    (:data:`DEFAULT_GROUPS`), so a file's helper geometry is kept without cluttering its picture."""

    geometry: Geometry
    origin: Pose = Pose()
    color: RGBA | None = None
    name: str | None = None
    group: int | None = None
    material: Material | None = None

    def __post_init__(self) -> None:
        if self.group is not None and self.group not in GROUPS:
            raise ModelError(f"visual {self.name!r}: group must be one of {list(GROUPS)} or None, got {self.group!r}")
        if self.color is None and self.material is not None and self.material.color is not None:
            object.__setattr__(self, "color", self.material.color)

    @property
    def shown_by_default(self) -> bool:
        return self.group is None or self.group in DEFAULT_GROUPS

    @property
    def texture(self) -> Texture | None:
        """The base-colour texture, when there is one and the geometry has UVs to place it."""
        if self.material is None or self.material.texture is None:
            return None
        if not isinstance(self.geometry, Mesh) or self.geometry.uv is None:
            return None
        return self.material.texture


@dataclass(frozen=True)
class Collision:
    geometry: Geometry
    origin: Pose = Pose()
    name: str | None = None


@dataclass(frozen=True)
class Inertial:
    """Mass properties; ``inertia`` is (ixx, iyy, izz, ixy, ixz, iyz) about ``origin``."""

    mass: float
    origin: Pose = Pose()
    inertia: tuple[float, float, float, float, float, float] = (1e-4, 1e-4, 1e-4, 0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        # like Pose: a NaN here would reach the simulator and the viewer's JSON, far from its source
        if not (math.isfinite(self.mass) and len(self.inertia) == 6 and all(math.isfinite(v) for v in self.inertia)):
            raise ModelError(f"Inertial mass and inertia must be finite numbers, got {self.mass!r} and {self.inertia!r}")

    def tensor(self) -> np.ndarray:
        ixx, iyy, izz, ixy, ixz, iyz = self.inertia
        return np.array([[ixx, ixy, ixz], [ixy, iyy, iyz], [ixz, iyz, izz]])

    def equivalent_box(self) -> tuple[Vec3, np.ndarray]:
        """The box of uniform density with this mass and these principal moments, as MuJoCo's
        viewer draws inertia: its full extents and its 4x4 pose in the link frame (centred on
        the centre of mass, edges along the principal axes). A box has ``I1 = m (b² + c²) / 12``
        and so on, so each squared extent is ``6 (I2 + I3 - I1) / m``; moments that break the
        triangle inequality (a measured tensor's rounding) give a flat side, never a NaN."""
        moments, axes = np.linalg.eigh(self.tensor())
        if np.linalg.det(axes) < 0:  # a proper rotation: flip one principal axis
            axes[:, 2] = -axes[:, 2]
        mass = self.mass if self.mass > 0 else 1.0
        i1, i2, i3 = (float(v) for v in moments)
        size = tuple(math.sqrt(max(0.0, 6.0 * v / mass)) for v in (i2 + i3 - i1, i1 + i3 - i2, i1 + i2 - i3))
        pose = self.origin.matrix()
        pose[:3, :3] = pose[:3, :3] @ axes
        return size, pose  # type: ignore[return-value]


@dataclass
class Link:
    name: str
    visuals: list[Visual] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    inertial: Inertial | None = None


@dataclass(frozen=True)
class JointLimits:
    lower: float
    upper: float
    effort: float = 100.0
    velocity: float = 2.0

    def clamp(self, value: float) -> float:
        return min(max(value, self.lower), self.upper)


@dataclass
class Joint:
    name: str
    type: str
    parent: str
    child: str
    origin: Pose = Pose()
    axis: Vec3 = (0.0, 0.0, 1.0)
    limits: JointLimits | None = None
    damping: float = 0.0
    friction: float = 0.0

    def __post_init__(self) -> None:
        if self.type not in _JOINT_TYPES:
            raise ModelError(
                f"joint {self.name!r}: type {self.type!r} is not one of {sorted(_JOINT_TYPES)}"
            )
        axis = np.asarray(_vec3(self.axis, f"joint {self.name!r} axis"))
        norm = float(np.linalg.norm(axis))
        if self.type in MOVABLE_JOINT_TYPES and norm == 0.0:
            raise ModelError(f"joint {self.name!r}: axis must not be zero")
        self.axis = tuple(axis / norm) if norm else (0.0, 0.0, 1.0)  # type: ignore[assignment]

    @property
    def is_movable(self) -> bool:
        return self.type in MOVABLE_JOINT_TYPES

    def motion(self, q: JointPosition) -> np.ndarray:
        """The 4x4 transform this joint adds at position ``q`` (after its origin).

        Revolute, continuous and prismatic joints take a number (radians / metres). The
        others take a sequence, in the conventions of MuJoCo's ``qpos``: a ``ball`` joint its
        orientation as a quaternion ``(w, x, y, z)`` (or a rotation vector ``(x, y, z)``,
        axis times angle); a ``floating`` joint its position then orientation ``(x, y, z, w,
        qx, qy, qz)`` (or position then rotation vector, 6 numbers); a ``planar`` joint
        ``(x, y, theta)`` in the plane normal to its axis (see :func:`plane_axes`). A ``fixed``
        joint does not move. Like every joint's, these are displacements from the joint's rest
        frame (its ``origin``): MuJoCo's ``qpos`` for a free joint is the body's absolute pose,
        which is the same thing only for a body whose rest pose is the world origin.
        """
        m = np.eye(4)
        if self.type in ("revolute", "continuous"):
            return axis_angle_matrix(self.axis, self._number(q))
        if self.type == "prismatic":
            m[:3, 3] = np.asarray(self.axis) * self._number(q)
        elif self.type == "ball":
            m[:3, :3] = _orientation(self._numbers(q, (4, 3), "a quaternion (w, x, y, z) or a rotation vector"))
        elif self.type == "floating":
            v = self._numbers(q, (7, 6), "a position then a quaternion (x, y, z, w, qx, qy, qz), or then a rotation vector")
            m[:3, 3] = v[:3]
            m[:3, :3] = _orientation(v[3:])
        elif self.type == "planar":
            x, y, theta = self._numbers(q, (3,), "(x, y, theta) in the plane normal to its axis")
            u, w = plane_axes(self.axis)
            m = axis_angle_matrix(self.axis, theta)
            m[:3, 3] = u * x + w * y
        return m

    def clamp_position(self, value: float) -> float:
        """``value`` clamped into the joint's limits, for the joints whose limits bound their
        position (revolute, prismatic); others pass it through. What sliders and ``pose`` do."""
        if self.limits is not None and self.type in ("revolute", "prismatic"):
            return self.limits.clamp(value)
        return value

    def _number(self, q: JointPosition) -> float:
        if np.ndim(q) == 0:  # a number, a numpy / JAX / torch scalar, a 0-d array
            try:
                return float(q)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                pass
        raise ModelError(f"joint {self.name!r} is {self.type}: its position is one number, got {q!r}")

    def _numbers(self, q: JointPosition, sizes: tuple[int, ...], what: str) -> np.ndarray:
        try:
            v = np.asarray(q, dtype=float).ravel() if np.ndim(q) == 1 else None
        except (TypeError, ValueError):
            v = None
        if v is None or len(v) not in sizes or not np.all(np.isfinite(v)):
            counts = " or ".join(str(n) for n in sizes)
            raise ModelError(f"joint {self.name!r} is {self.type}: its position is {counts} numbers, {what}; got {q!r}")
        return v


@dataclass(frozen=True)
class LoopClosure:
    """A joint that closes a kinematic loop (a four-bar linkage, MJCF ``equality connect`` or
    ``weld``): it is not part of the link tree, so forward kinematics does not follow it.

    It ties a frame on ``parent`` to a frame on ``child``: ``parent_anchor`` and
    ``child_anchor`` are that same frame expressed in each link's frame, and they coincide
    when the loop is closed. ``type`` says what the two frames may still do relative to each
    other: ``ball`` (only their origins coincide: MJCF ``connect``), ``fixed`` (``weld``),
    ``revolute`` / ``prismatic`` about / along ``axis`` (in the closing frame).
    """

    name: str
    type: str
    parent: str
    child: str
    parent_anchor: Pose = Pose()
    child_anchor: Pose = Pose()
    axis: Vec3 = (0.0, 0.0, 1.0)

    def __post_init__(self) -> None:
        if self.type not in _JOINT_TYPES:
            raise ModelError(f"loop closure {self.name!r}: type {self.type!r} is not one of {sorted(_JOINT_TYPES)}")

    def gap(self, transforms: Mapping[str, np.ndarray]) -> float:
        """How far apart (metres) the two anchors are for these link transforms: 0 when the
        loop is closed (a pose of the tree alone usually opens it)."""
        a = transforms[self.parent] @ self.parent_anchor.matrix()
        b = transforms[self.child] @ self.child_anchor.matrix()
        return float(np.linalg.norm(a[:3, 3] - b[:3, 3]))

    def residual(self, transforms: Mapping[str, np.ndarray]) -> np.ndarray:
        """What keeps the loop open, as numbers that are all 0 when it is closed: the anchors'
        offset, plus what the closure's type forbids of their relative rotation (a hinge keeps
        its axes aligned, a weld keeps the frames equal, a ball allows any rotation)."""
        a = transforms[self.parent] @ self.parent_anchor.matrix()
        b = transforms[self.child] @ self.child_anchor.matrix()
        offset = a[:3, 3] - b[:3, 3]
        if self.type == "ball":
            return offset
        axis_a, axis_b = a[:3, :3] @ np.asarray(self.axis), b[:3, :3] @ np.asarray(self.axis)
        if self.type in ("revolute", "continuous"):
            return np.concatenate([offset, np.cross(axis_a, axis_b)])
        turn = _rotation_vector(a[:3, :3].T @ b[:3, :3])
        if self.type == "prismatic":
            return np.concatenate([offset - np.dot(offset, axis_a) * axis_a, turn])
        return np.concatenate([offset, turn])


def _rotation_vector(r: np.ndarray) -> np.ndarray:
    """Axis times angle of the rotation matrix ``r``."""
    angle = math.acos(max(-1.0, min(1.0, (float(np.trace(r)) - 1.0) / 2.0)))
    if angle < 1e-12:
        return np.zeros(3)
    w = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]])
    if math.pi - angle < 1e-6:  # near a half turn the skew part vanishes: use the symmetric part
        axis = np.sqrt(np.clip((np.diag(r) + 1.0) / 2.0, 0.0, None))
        return axis * angle
    return w / (2.0 * math.sin(angle)) * angle


def plane_axes(normal: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """The in-plane (x, y) directions of a planar joint with axis ``normal``: x is the world X
    axis projected onto the plane (the world Y axis when the normal is nearly X), y completes a
    right-handed frame. For the usual Z normal they are the world X and Y axes."""
    n = np.asarray(normal, dtype=float)
    n = n / np.linalg.norm(n)
    e = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = e - np.dot(e, n) * n
    u /= np.linalg.norm(u)
    return u, np.cross(n, u)


def _drawn(visual: Visual, groups: Collection[int] | None) -> bool:
    if visual.group is None:
        return True
    return visual.group in (DEFAULT_GROUPS if groups is None else groups)


def _orientation(v: np.ndarray) -> np.ndarray:
    """A 3x3 rotation from a quaternion (w, x, y, z) or a rotation vector (x, y, z)."""
    if len(v) == 4:
        return quaternion_to_matrix(v)
    angle = float(np.linalg.norm(v))
    return axis_angle_matrix(v / angle, angle)[:3, :3] if angle else np.eye(3)


# --------------------------------------------------------------------------- the model


@dataclass
class AssetModel:
    """A tree of links connected by joints.

    ``scene`` and ``pose`` turn it into trimesh scenes for display and measurement; the
    tree queries (``root``, ``children``, ``ordered_joints``) are what exporters walk.

    ``notes`` lists, in plain sentences, what the loader had to change or could not show
    (collision geometry drawn because the file has no visuals, loop-closing joints, elements
    this model cannot express...): nothing a file holds goes missing silently.

    ``loop_closures`` are the joints of closed kinematic loops that the tree leaves out (see
    :class:`LoopClosure`); ``joints`` always form a tree.
    """

    name: str
    links: list[Link] = field(default_factory=list)
    joints: list[Joint] = field(default_factory=list)
    source: str | None = None  # the file or asset it was loaded from, if any
    notes: list[str] = field(default_factory=list)
    loop_closures: list[LoopClosure] = field(default_factory=list)

    # -- lookups -----------------------------------------------------------------
    def link(self, name: str) -> Link:
        for link in self.links:
            if link.name == name:
                return link
        raise KeyError(f"no link named {name!r} in model {self.name!r}")

    def joint(self, name: str) -> Joint:
        for joint in self.joints:
            if joint.name == name:
                return joint
        raise KeyError(f"no joint named {name!r} in model {self.name!r}")

    @property
    def movable_joints(self) -> list[Joint]:
        return [j for j in self.joints if j.is_movable]

    @property
    def root(self) -> Link:
        children = {j.child for j in self.joints}
        roots = [link for link in self.links if link.name not in children]
        if len(roots) != 1:
            raise ModelError(
                f"model {self.name!r} must have exactly one root link, found "
                f"{[r.name for r in roots]}"
            )
        return roots[0]

    def children(self, link_name: str) -> list[Joint]:
        """Joints whose parent is ``link_name``, in declaration order."""
        return [j for j in self.joints if j.parent == link_name]

    def parent_joint(self, link_name: str) -> Joint | None:
        for j in self.joints:
            if j.child == link_name:
                return j
        return None

    def ordered_joints(self) -> list[Joint]:
        """Joints parent-before-child (depth first from the root)."""
        out: list[Joint] = []
        stack = [self.root.name]
        while stack:
            name = stack.pop()
            kids = self.children(name)
            out.extend(kids)
            stack.extend(j.child for j in reversed(kids))
        return out

    def validate(self) -> AssetModel:
        """Raise :class:`ModelError` unless the links and joints form one tree."""
        names = [link.name for link in self.links]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ModelError(f"model {self.name!r}: duplicate link names {sorted(dupes)}")
        jnames = [j.name for j in self.joints]
        jdupes = {n for n in jnames if jnames.count(n) > 1}
        if jdupes:
            raise ModelError(f"model {self.name!r}: duplicate joint names {sorted(jdupes)}")
        known = set(names)
        for j in self.joints:
            for end in (j.parent, j.child):
                if end not in known:
                    raise ModelError(f"joint {j.name!r} refers to unknown link {end!r}")
        child_count: dict[str, int] = {}
        for j in self.joints:
            child_count[j.child] = child_count.get(j.child, 0) + 1
        multi = sorted(n for n, c in child_count.items() if c > 1)
        if multi:
            raise ModelError(f"links {multi} are the child of more than one joint")
        reached = {self.root.name} | {j.child for j in self.ordered_joints()}
        if reached != known:
            raise ModelError(
                f"links {sorted(known - reached)} are not connected to the root (a cycle: list the joint that "
                "closes it in loop_closures)"
            )
        for loop in self.loop_closures:
            for end in (loop.parent, loop.child):
                if end not in known:
                    raise ModelError(f"loop closure {loop.name!r} refers to unknown link {end!r}")
        return self

    # -- kinematics --------------------------------------------------------------
    def link_transforms(
        self, q: Mapping[str, JointPosition] | None = None, *, clamp: bool = True
    ) -> dict[str, np.ndarray]:
        """World transform of every link with joint positions ``q`` (see :meth:`Joint.motion`
        for the values of ball / floating / planar joints).

        A joint missing from ``q`` stays exactly where the unposed model has it (0, or rest for
        multi-DOF joints), never clamped: the zero pose of a real robot often lies outside its
        limits (a knee whose range is [-2.7, -0.9]) and simulators place it there all the same,
        so ``pose({"hip": 0.3})`` moves the hip and nothing else. The values given in ``q`` are
        clamped into their joint's limits, like a slider, unless ``clamp`` is false.
        """
        q = dict(q or {})
        unknown = set(q) - {j.name for j in self.joints}
        if unknown:
            raise KeyError(f"unknown joint(s) {sorted(unknown)} for model {self.name!r}")
        out = {self.root.name: np.eye(4)}
        for j in self.ordered_joints():
            value = q.get(j.name)
            if j.type in MOVABLE_JOINT_TYPES:
                named = value is not None
                value = j._number(value if value is not None else 0.0)
                if clamp and named:
                    value = j.clamp_position(value)
            motion = np.eye(4) if value is None else j.motion(value)  # multi-DOF joints rest at identity
            out[j.child] = out[j.parent] @ j.origin.matrix() @ motion
        return out

    def close_loops(self, q: Mapping[str, JointPosition] | None = None, *, clamp: bool = True) -> dict[str, float]:
        """Joint positions that close every loop in :attr:`loop_closures` with the joints named in
        ``q`` held where ``q`` puts them: the other one-number joints on the loops move, by least
        squares from where they are (0). Returns ``q`` (clamped like :meth:`pose` unless
        ``clamp`` is false) with those joints added; pose the model with it. When the named
        joints leave no way to close a loop, this is the nearest the loop gets
        (:meth:`LoopClosure.gap` tells how near)."""
        from gizmo_notebook._optional import requires

        with requires("scipy", "closing kinematic loops (AssetModel.close_loops)"):
            from gizmo_notebook._loop_solver import close_loops
        return close_loops(self, q, clamp=clamp)

    def link_meshes(
        self, link: Link, *, groups: Collection[int] | None = None
    ) -> list[tuple[trimesh.Trimesh, RGBA | None, str]]:
        """Each visual of ``link`` drawn with ``groups`` (default :data:`DEFAULT_GROUPS`; visuals
        with no group always are) as (mesh in the link frame, colour, visual name)."""
        out = []
        for i, visual in enumerate(v for v in link.visuals if _drawn(v, groups)):
            mesh = _shape_copy(visual.geometry.mesh) if isinstance(visual.geometry, Mesh) else visual.geometry.to_trimesh()
            if not visual.origin.is_identity:
                mesh.apply_transform(visual.origin.matrix())
            out.append((mesh, visual.color, visual.name or f"{link.name}_visual_{i}"))
        return out

    def pose(
        self, q: Mapping[str, JointPosition] | None = None, *, clamp: bool = True,
        groups: Collection[int] | None = None,
    ) -> trimesh.Scene:
        """A new scene of every visual, posed by forward kinematics at ``q`` (joints not named
        in ``q`` stay where :attr:`scene` has them; see :meth:`link_transforms`). Visuals of the
        MJCF groups MuJoCo hides by default (3-5) are left out unless ``groups`` names them."""
        transforms = self.link_transforms(q, clamp=clamp)
        scene = trimesh.Scene()
        for link in self.links:
            for mesh, color, vname in self.link_meshes(link, groups=groups):
                if color is not None:  # a textured mesh's TextureVisuals have no face colours: replaced
                    mesh.visual = trimesh.visual.ColorVisuals(mesh, face_colors=np.array(
                        [int(round(c * 255)) for c in color], dtype=np.uint8))
                scene.add_geometry(
                    mesh,
                    node_name=f"{link.name}/{vname}",
                    geom_name=f"{link.name}/{vname}",
                    transform=transforms[link.name],
                )
        return scene

    @property
    def scene(self) -> trimesh.Scene:
        """Every link's visual geometry at the zero pose (all joints at 0, as a simulator puts it)."""
        return self.pose(clamp=False)

    def bounds(self, q: Mapping[str, JointPosition] | None = None) -> np.ndarray:
        scene = self.pose(q)
        if scene.is_empty:
            return np.zeros((2, 3))
        return np.asarray(scene.bounds)

    def copy(self, **changes: object) -> AssetModel:
        fresh = {"notes": list(self.notes), "loop_closures": list(self.loop_closures)}
        return replace(self, **{**fresh, **changes})  # type: ignore[arg-type]

    def __repr__(self) -> str:
        notes = f", notes={len(self.notes)}" if self.notes else ""
        return (
            f"AssetModel(name={self.name!r}, links={len(self.links)}, "
            f"joints={len(self.joints)} ({len(self.movable_joints)} movable){notes})"
        )


# -- composing -------------------------------------------------------------------
def prefixed(model: AssetModel, prefix: str, *, keep: Iterable[str] = ()) -> AssetModel:
    """A copy of ``model`` with every link, joint, loop closure, visual and collision name prefixed.

    Why: two placed copies of one asset share a composed tree, whose names must be unique.
    Links named in ``keep`` (e.g. a ``world`` anchor) keep their names.
    """
    kept = frozenset(keep)

    def rename(link_name: str) -> str:
        return link_name if link_name in kept else f"{prefix}{link_name}"

    links = [
        Link(
            rename(link.name),
            [replace(v, name=f"{prefix}{v.name}" if v.name else None) for v in link.visuals],
            [replace(c, name=f"{prefix}{c.name}" if c.name else None) for c in link.collisions],
            link.inertial,
        )
        for link in model.links
    ]
    joints = [replace(j, name=f"{prefix}{j.name}", parent=rename(j.parent), child=rename(j.child)) for j in model.joints]
    closures = [
        replace(c, name=f"{prefix}{c.name}", parent=rename(c.parent), child=rename(c.child)) for c in model.loop_closures
    ]
    return AssetModel(model.name, links, joints, model.source, list(model.notes), closures)


def compose_placed(name: str, placements: Sequence[tuple[AssetModel, Pose]], *, root: str = "scene") -> AssetModel:
    """One model of several placed models, for whatever shows or measures a single ``AssetModel``.

    A massless ``root`` link holds each model ``i`` (its names prefixed ``a{i}_``, as in the
    offline backend's scene exports) under a fixed joint ``a{i}_placement`` at its pose, so a
    scene previews, poses and measures like one asset and each part keeps its joints. Notes of
    the parts are kept, each prefixed with the part it came from.
    """
    if not placements:
        raise ModelError(f"scene {name!r} has no placed assets to compose")
    links = [Link(root)]
    joints: list[Joint] = []
    closures: list[LoopClosure] = []
    notes: list[str] = []
    for i, (model, pose) in enumerate(placements):
        part = prefixed(model.validate(), f"a{i}_")
        links += part.links
        joints.append(Joint(f"a{i}_placement", "fixed", root, part.root.name, pose))
        joints += part.joints
        closures += part.loop_closures
        notes += [f"{model.name} (a{i}_): {note}" for note in model.notes]
    return AssetModel(name, links, joints, None, notes, closures).validate()
