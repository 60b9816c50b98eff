"""A small helper that assembles an :class:`AssetModel` link by link with physical mass properties.

Every family builder (arm, gripper, wheeled base...) describes a link as a list of
:class:`Part` (a primitive or mesh, where it sits, its colour) and lets the builder derive
mass, centre of mass and the inertia tensor *from that geometry*. Computing inertia here,
rather than guessing numbers per family, is what keeps every link's tensor positive-definite
and satisfying the triangle inequality — simulators (MuJoCo in particular) reject anything else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...model import (
    RGBA,
    AssetModel,
    Box,
    Capsule,
    Collision,
    Cylinder,
    Geometry,
    Inertial,
    Joint,
    JointLimits,
    Link,
    Mesh,
    Pose,
    Sphere,
    Visual,
)

GRAVITY = 9.81

# Effective densities (kg/m^3) of *hollow* robot structure, not of the raw material: an
# aluminium arm tube is mostly air, so solid-aluminium density would make arms 5x too heavy.
DENSITY_STRUCTURE = 1200.0
DENSITY_LIGHT = 600.0  # printed housings, covers, furniture panels
DENSITY_RUBBER = 1100.0
DENSITY_STEEL_FRAME = 2000.0
DENSITY_WOOD = 650.0


@dataclass(frozen=True)
class Part:
    """One piece of a link: ``geometry`` at ``origin`` in the link frame.

    ``collision`` may be a simpler stand-in (e.g. a box for a housing mesh with a hole) or
    ``False`` for decoration that should not collide; ``density`` overrides the link default.
    """

    geometry: Geometry
    origin: Pose = Pose()
    color: RGBA | None = None
    collision: Geometry | bool = True
    density: float | None = None
    massless: bool = False  # decoration that adds no mass (labels, thin covers)


def _unit_inertia(geometry: Geometry) -> tuple[float, np.ndarray, np.ndarray]:
    """Volume, centre (own frame) and inertia tensor about that centre at density 1."""
    if isinstance(geometry, Box):
        x, y, z = geometry.size
        v = x * y * z
        return v, np.zeros(3), np.diag([y * y + z * z, x * x + z * z, x * x + y * y]) * v / 12.0
    if isinstance(geometry, Cylinder):
        r, h = geometry.radius, geometry.length
        v = math.pi * r * r * h
        ixx = v * (3 * r * r + h * h) / 12.0
        return v, np.zeros(3), np.diag([ixx, ixx, v * r * r / 2.0])
    if isinstance(geometry, Sphere):
        r = geometry.radius
        v = 4.0 / 3.0 * math.pi * r**3
        return v, np.zeros(3), np.eye(3) * 0.4 * v * r * r
    if isinstance(geometry, Capsule):
        r, h = geometry.radius, geometry.length
        vc = math.pi * r * r * h
        vs = 4.0 / 3.0 * math.pi * r**3
        izz = vc * r * r / 2.0 + vs * 0.4 * r * r
        ixx = vc * (h * h / 12.0 + r * r / 4.0) + vs * (0.4 * r * r + h * h / 4.0 + 3.0 * h * r / 8.0)
        return vc + vs, np.zeros(3), np.diag([ixx, ixx, izz])
    if isinstance(geometry, Mesh):
        mesh = geometry.mesh
        if mesh.is_volume:
            v = float(mesh.volume)
            return v, np.asarray(mesh.center_mass, dtype=float), np.asarray(mesh.moment_inertia, dtype=float)
        try:
            hull = mesh.convex_hull  # open/non-manifold mesh: its hull is a fair mass estimate
        except ImportError:
            # the core install has no scipy (qhull): the axis-aligned bounding box, also an
            # upper bound on the solid, keeps the tensor physical (MuJoCo accepts it)
            v, _, inertia = _unit_inertia(Box((float(mesh.extents[0]), float(mesh.extents[1]), float(mesh.extents[2]))))
            return v, np.asarray(mesh.bounds, dtype=float).mean(axis=0), inertia
        return float(hull.volume), np.asarray(hull.center_mass), np.asarray(hull.moment_inertia)
    raise TypeError(f"unsupported geometry {geometry!r}")


def mass_properties(parts: Sequence[tuple[Geometry, Pose, float]]) -> Inertial:
    """Combine (geometry, origin, density) pieces into one :class:`Inertial` about the COM."""
    masses: list[float] = []
    centres: list[np.ndarray] = []
    tensors: list[np.ndarray] = []
    for geometry, origin, density in parts:
        v, c, inertia = _unit_inertia(geometry)
        frame = origin.matrix()
        rot = frame[:3, :3]
        masses.append(v * density)
        centres.append(rot @ c + frame[:3, 3])
        tensors.append(rot @ (inertia * density) @ rot.T)
    total = float(sum(masses))
    if total <= 0.0:
        raise ValueError("a link needs at least one part with volume to have mass")
    com = np.asarray(sum(m * c for m, c in zip(masses, centres, strict=True))) / total
    tensor = np.zeros((3, 3))
    for m, c, inertia in zip(masses, centres, tensors, strict=True):
        d = c - com
        tensor += inertia + m * (float(d @ d) * np.eye(3) - np.outer(d, d))
    tensor = (tensor + tensor.T) / 2.0
    # Thin plates are exactly on the triangle-inequality boundary; a hair of isotropic
    # inertia keeps float rounding from tipping a simulator's check over it.
    tensor += np.eye(3) * max(float(np.trace(tensor)) * 1e-6, 1e-9)
    return Inertial(
        mass=round(total, 6),
        origin=Pose((round(float(com[0]), 6), round(float(com[1]), 6), round(float(com[2]), 6))),
        inertia=(
            float(tensor[0, 0]),
            float(tensor[1, 1]),
            float(tensor[2, 2]),
            float(tensor[0, 1]),
            float(tensor[0, 2]),
            float(tensor[1, 2]),
        ),
    )


@dataclass
class _PendingJoint:
    joint: Joint
    velocity: float


class Builder:
    """Collects links and joints for one model; names are prefixed so assemblies stay unique."""

    def __init__(self, prefix: str = "", *, color: RGBA = (0.7, 0.7, 0.72, 1.0), density: float = DENSITY_STRUCTURE):
        self.prefix = prefix
        self.color = color
        self.density = density
        self.links: list[Link] = []
        self.joints: list[Joint] = []
        self._auto_effort: list[_PendingJoint] = []

    def name(self, short: str) -> str:
        return f"{self.prefix}{short}"

    def link(self, short: str, parts: Sequence[Part], *, mass: float | None = None) -> str:
        """Add a link made of ``parts``; ``mass`` rescales the geometric mass to a known figure."""
        name = self.name(short)
        visuals: list[Visual] = []
        collisions: list[Collision] = []
        massive: list[tuple[Geometry, Pose, float]] = []
        for i, part in enumerate(parts):
            visuals.append(
                Visual(part.geometry, part.origin, part.color or self.color, name=f"{name}_v{i}")
            )
            if part.collision is not False:
                geom = part.geometry if part.collision is True else part.collision
                collisions.append(Collision(geom, part.origin, name=f"{name}_c{i}"))
            if not part.massless:
                massive.append((part.geometry, part.origin, part.density or self.density))
        inertial = mass_properties(massive)
        if mass is not None:
            k = mass / inertial.mass
            inertial = Inertial(mass, inertial.origin, tuple(v * k for v in inertial.inertia))  # type: ignore[arg-type]
        self.links.append(Link(name, visuals, collisions, inertial))
        return name

    def joint(
        self,
        short: str,
        kind: str,
        parent: str,
        child: str,
        origin: Pose = Pose(),
        axis: tuple[float, float, float] = (0.0, 0.0, 1.0),
        *,
        lower: float = 0.0,
        upper: float = 0.0,
        effort: float | None = None,
        velocity: float = 2.0,
        damping: float | None = None,
        friction: float = 0.0,
    ) -> str:
        """Add a joint. ``effort=None`` means "size the motor from the load it carries" at build
        time; ``effort=0`` marks a passive, unpowered joint (exporters give it no motor)."""
        name = self.name(short)
        limits = None
        if kind in ("revolute", "prismatic", "continuous"):
            limits = JointLimits(lower, upper, effort if effort is not None else 0.0, velocity)
        joint = Joint(name, kind, parent, child, origin, axis, limits, damping or 0.0, friction)
        self.joints.append(joint)
        if limits is not None and effort is None:
            self._auto_effort.append(_PendingJoint(joint, velocity))
        elif limits is not None and damping is None:
            joint.damping = _damping_for(limits.effort, kind)
        return name

    def total_mass(self) -> float:
        return sum(link.inertial.mass for link in self.links if link.inertial is not None)

    def build(self, name: str) -> AssetModel:
        model = AssetModel(name=name, links=list(self.links), joints=list(self.joints))
        size_efforts(model, [p.joint for p in self._auto_effort])
        return model.validate()

    def built(self, name: str, mounts: dict[str, tuple[str, Pose]], *, fixed_base: bool) -> Built:
        """:meth:`build` wrapped as a :class:`Built`, remembering which efforts were load-sized."""
        model = self.build(name)
        return Built(model, mounts, fixed_base, tuple(p.joint.name for p in self._auto_effort))


def _damping_for(effort: float, kind: str) -> float:
    """Viscous joint damping proportional to motor size: big gearboxes drag more."""
    scale = 0.02 if kind != "prismatic" else 0.5
    return round(max(effort * scale, 0.005), 4)


def size_efforts(model: AssetModel, joints: Sequence[Joint], payload: Payload | None = None) -> None:
    """Give each joint the torque/force to hold its subtree at the worst (horizontal) pose, x2.

    Revolute: g * sum(m_i * |r_i|) over the links it carries (|r_i| from the joint to each
    COM, the lever when the chain is stretched sideways). Prismatic: the subtree's weight.
    A rated ``payload`` counts as one more point mass wherever it is held.
    """
    if not joints:
        return
    transforms = model.link_transforms()
    points: list[tuple[str, float, np.ndarray]] = []
    for link in model.links:
        if link.inertial is not None:
            com = (transforms[link.name] @ np.append(link.inertial.origin.xyz, 1.0))[:3]
            points.append((link.name, link.inertial.mass, com))
    if payload is not None and payload.mass > 0:
        where = (transforms[payload.link] @ payload.pose.matrix())[:3, 3]
        points.append((payload.link, payload.mass, where))
    for joint in joints:
        subtree = set(_subtree(model, joint.child))
        carried = [(m, p) for name, m, p in points if name in subtree]
        pivot = (transforms[joint.parent] @ joint.origin.matrix())[:3, 3]
        if joint.type == "prismatic":
            load = GRAVITY * sum(m for m, _ in carried) * 2.0 + 5.0
        else:
            load = GRAVITY * sum(m * float(np.linalg.norm(p - pivot)) for m, p in carried)
            load = load * 2.0 + 0.5
        effort = _round_up(load)
        assert joint.limits is not None
        joint.limits = JointLimits(joint.limits.lower, joint.limits.upper, effort, joint.limits.velocity)
        if joint.damping == 0.0:
            joint.damping = _damping_for(effort, joint.type)


def _subtree(model: AssetModel, link: str) -> list[str]:
    out = [link]
    stack = [link]
    while stack:
        for j in model.children(stack.pop()):
            out.append(j.child)
            stack.append(j.child)
    return out


def _round_up(value: float) -> float:
    """Round to two significant figures upwards, like a catalogue motor rating."""
    if value <= 0:
        return 1.0
    digits = 1 - int(math.floor(math.log10(value)))
    step = 10.0 ** (-digits)
    return round(math.ceil(value / step) * step, max(digits, 0))


def rot_y_to(axis: str) -> Pose:
    """Orientation that turns a local-Z primitive (cylinder/capsule) to lie along ``axis``."""
    return {
        "x": Pose((0, 0, 0), (0.0, math.pi / 2, 0.0)),
        "y": Pose((0, 0, 0), (math.pi / 2, 0.0, 0.0)),
        "z": Pose(),
    }[axis]


def at(xyz: Sequence[float], along: str = "z") -> Pose:
    """Pose at ``xyz`` with a Z-primitive turned to lie along ``along``."""
    return Pose(tuple(xyz), rot_y_to(along).rpy)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Payload:
    """A rated load (kg) held at ``pose`` in ``link`` — the "5 kg payload" of a prompt."""

    link: str
    mass: float
    pose: Pose = Pose()


@dataclass
class Built:
    """A family builder's result: the model, where other parts may attach, how it stands.

    ``mounts`` maps a mount name ("tool", "top"...) to (link name, pose in that link) —
    the pose's +Z is the direction an attached part should point. ``fixed_base`` says the
    asset is bolted to the world (arms, tables) rather than free to move (wheeled, legged).
    """

    model: AssetModel
    mounts: dict[str, tuple[str, Pose]]
    fixed_base: bool
    auto_effort: tuple[str, ...] = ()  # joints to re-size once more load is attached
    payload: Payload | None = None
