"""MuJoCo MJCF: one self-contained ``.xml`` (meshes inlined as ``vertex``/``face`` assets).

Mapping choices, each made so the file loads and simulates sensibly as-is:

* Links become nested ``<body>`` elements; a movable joint becomes ``hinge``/``slide``
  (``continuous`` -> unlimited hinge), a fixed joint simply nests the body.
* Fixed-base models (root link ``world``, see the generator, or a root link of zero mass, as
  pybullet and Gazebo files mark a fixed base) put the world link's geometry
  in ``<worldbody>`` and weld their first body to it. Floating models (wheeled, legged) get
  a ``<freejoint>``, are lifted so their lowest collision geometry rests on z = 0, and a
  ground plane named ``floor`` is added for them to stand on.
* Every revolute/prismatic joint gets a ``<position>`` servo (rated effort as force limit),
  every continuous joint a ``<velocity>`` motor; names are ``<joint>_act``. Passive joints
  (rated effort 0: caster swivels, idlers) get no actuator. Joint armature
  is sized to the servo stiffness so the explicit spring stays stable at the 2 ms step.
* Visual geoms are group 2 and never collide; collision geoms are group 3 and collide with
  the floor/world only (contype 2, conaffinity 1): generated links overlap at their joints,
  and self-collision there would only inject contact forces at rest.
* Explicit ``<inertial>`` on every body, so MuJoCo never infers mass from visual meshes.
* Loop closures (a four-bar's last joint) become ``<equality>`` constraints between sites
  placed on the closing frame of each body (``connect``, ``weld``, or two ``connect`` for a
  hinge), so the simulated linkage stays closed.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import IO

import numpy as np

from ..._names import claim_unique
from ...model import AssetModel, Box, Capsule, Cylinder, Geometry, Joint, Link, Mesh, Pose, Sphere
from ._common import (
    ExportError,
    MeshTable,
    default_inertia,
    drive_gains,
    effort_of,
    fmt,
    is_passive,
    is_world_anchored,
    unique_identifiers,
    velocity_of,
)

__all__ = ["TIMESTEP", "link_identifiers", "write_mjcf"]

TIMESTEP = 0.002
_ARMATURE_MARGIN = 4.0  # armature >= margin * kp * dt^2 keeps omega*dt <= 0.5


def write_mjcf(model: AssetModel, fh: IO[bytes]) -> None:
    """Serialise ``model`` as MJCF to the binary stream ``fh``."""
    fh.write(ET.tostring(_document(model), encoding="utf-8", xml_declaration=True))


def _document(model: AssetModel) -> ET.Element:
    model.validate()
    names = _Names(model)
    meshes = MeshTable()
    root = ET.Element("mujoco", model=model.name)
    ET.SubElement(root, "compiler", angle="radian", autolimits="true", balanceinertia="true")
    ET.SubElement(root, "option", timestep=str(TIMESTEP), integrator="implicitfast")
    default = ET.SubElement(root, "default")
    visual_cls = ET.SubElement(default, "default", {"class": "visual"})
    ET.SubElement(visual_cls, "geom", contype="0", conaffinity="0", group="2", density="0")
    collision_cls = ET.SubElement(default, "default", {"class": "collision"})
    ET.SubElement(collision_cls, "geom", contype="2", conaffinity="1", group="3", friction="1 0.01 0.001")
    asset = ET.SubElement(root, "asset")
    world = ET.SubElement(root, "worldbody")
    ET.SubElement(world, "light", name="sun", pos="0 0 4", dir="0 0 -1", directional="true")
    actuators: list[ET.Element] = []

    root_link = model.root
    anchored = is_world_anchored(model) or _massless(root_link)
    if anchored:
        _add_geoms(world, root_link, names, meshes, world_geom=True)
        for joint in model.children(root_link.name):
            _add_body(world, model, joint, names, meshes, actuators)
    else:
        ET.SubElement(
            world, "geom", name=names.unique_geom("floor"), type="plane", size="0 0 0.05",
            rgba="0.5 0.52 0.55 1", contype="1", conaffinity="1", group="0",
        )  # fmt: skip
        body = ET.SubElement(world, "body", name=names.link[root_link.name], pos=fmt((0, 0, _rest_height(model))))
        ET.SubElement(body, "freejoint", name=names.unique_joint(f"{root_link.name}_free"))
        _fill_body(body, model, root_link, names, meshes, actuators)

    _add_loop_closures(root, world, model, names)
    for stem, mesh in meshes.items():
        element = ET.SubElement(
            asset,
            "mesh",
            name=stem,
            vertex=" ".join(f"{v:.6g}" for v in np.asarray(mesh.mesh.vertices).ravel()),
            face=" ".join(str(int(i)) for i in np.asarray(mesh.mesh.faces).ravel()),
        )
        if _is_flat(mesh.mesh):  # a floor or a cloth: MuJoCo refuses its zero volume unless it is a shell
            element.set("inertia", "shell")
    if actuators:
        block = ET.SubElement(root, "actuator")
        block.extend(actuators)
    return root


def link_identifiers(model: AssetModel) -> dict[str, str]:
    """Each link's body name in the export (what the simulator looks bodies up by). "world" is
    MuJoCo's own world body: a link of that name with mass (an SDF's, say) gets another."""
    return unique_identifiers((link.name for link in model.links), reserved=("world",))


class _Names:
    """MJCF names must be unique per element kind; keep the model's names where possible."""

    def __init__(self, model: AssetModel):
        self.link = link_identifiers(model)
        self.joint = unique_identifiers(j.name for j in model.joints)
        self._joints_used = set(self.joint.values())
        self._geoms: set[str] = set()

    def unique_geom(self, wanted: str) -> str:
        return claim_unique(wanted, self._geoms)

    def unique_joint(self, wanted: str) -> str:
        return claim_unique(wanted, self._joints_used)


def _pose_attrs(pose: Pose) -> dict[str, str]:
    attrs: dict[str, str] = {}
    if any(pose.xyz):
        attrs["pos"] = fmt(pose.xyz)
    if any(pose.rpy):
        attrs["quat"] = fmt(pose.quaternion())
    return attrs


def _add_body(
    parent: ET.Element,
    model: AssetModel,
    joint: Joint,
    names: _Names,
    meshes: MeshTable,
    actuators: list[ET.Element],
) -> None:
    link = model.link(joint.child)
    body = ET.SubElement(parent, "body", {"name": names.link[link.name], **_pose_attrs(joint.origin)})
    _add_joint(body, joint, parent.tag == "worldbody", names, actuators)
    _fill_body(body, model, link, names, meshes, actuators)


def _fill_body(
    body: ET.Element,
    model: AssetModel,
    link: Link,
    names: _Names,
    meshes: MeshTable,
    actuators: list[ET.Element],
) -> None:
    mass, com, tensor = _simulatable(*default_inertia(link))
    ET.SubElement(
        body,
        "inertial",
        pos=fmt(com),
        mass=fmt([mass]),
        fullinertia=fmt([tensor[0, 0], tensor[1, 1], tensor[2, 2], tensor[0, 1], tensor[0, 2], tensor[1, 2]]),
    )
    _add_geoms(body, link, names, meshes, world_geom=False)
    for child in model.children(link.name):
        _add_body(body, model, child, names, meshes, actuators)


def _is_flat(mesh) -> bool:
    """Every vertex in one plane (whatever its orientation): the mesh encloses no volume."""
    vertices = np.asarray(mesh.vertices, dtype=float)
    if len(vertices) < 4:
        return True
    spread = np.linalg.svd(vertices - vertices.mean(axis=0), compute_uv=False)
    return bool(spread[-1] <= 1e-9 * max(float(spread[0]), 1e-12))


def _massless(link: Link) -> bool:
    """A root link without mass cannot float (MuJoCo refuses it); files written for pybullet
    and Gazebo mean such a base to be fixed, so it is bolted to the world like ``world``."""
    return link.inertial is not None and link.inertial.mass <= 0


_MIN_MASS = 1e-9
_MIN_INERTIA = 1e-9  # the smallest value fmt() writes (9 decimals)


def _simulatable(mass: float, com: np.ndarray, tensor: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Mass properties MuJoCo compiles: real files carry zero masses and zero or indefinite
    inertia tensors on frame-only links (a UR5's ``ee_link``); those are raised to a negligible
    positive value, every valid one is written unchanged."""
    tensor = (np.asarray(tensor, dtype=float) + np.asarray(tensor, dtype=float).T) / 2
    lowest = float(np.linalg.eigvalsh(tensor).min())
    if lowest < _MIN_INERTIA:
        tensor = tensor + np.eye(3) * (_MIN_INERTIA - lowest)
    return max(float(mass), _MIN_MASS), com, tensor


def _add_joint(body: ET.Element, joint: Joint, top_level: bool, names: _Names, actuators: list[ET.Element]) -> None:
    name = names.joint[joint.name]
    if joint.type == "fixed":
        return
    if joint.type == "floating":
        if not top_level:
            raise ExportError(f"joint {joint.name!r}: MJCF only allows a floating joint on a top-level body")
        ET.SubElement(body, "freejoint", name=name)
        return
    if joint.type == "planar":
        raise ExportError(f"joint {joint.name!r}: planar joints have no MJCF equivalent; use two slides and a hinge")
    if joint.type == "ball":
        ET.SubElement(body, "joint", name=name, type="ball", damping=fmt([joint.damping]))
        return
    kind = "slide" if joint.type == "prismatic" else "hinge"
    kp, kv = drive_gains(joint)
    attrs = {
        "name": name,
        "type": kind,
        "axis": fmt(joint.axis),
        "damping": fmt([joint.damping]),
        "armature": fmt([_ARMATURE_MARGIN * kp * TIMESTEP**2 if joint.type != "continuous" else 0.001]),
    }
    if joint.friction:
        attrs["frictionloss"] = fmt([joint.friction])
    limits = joint.limits
    if joint.type in ("revolute", "prismatic") and limits is not None and limits.upper > limits.lower:
        attrs["range"] = fmt([limits.lower, limits.upper])
    if is_passive(joint):
        attrs["armature"] = fmt([0.0001])
    ET.SubElement(body, "joint", attrs)
    if is_passive(joint):
        return
    effort = effort_of(joint)
    if joint.type == "continuous":
        velocity = velocity_of(joint)
        actuators.append(
            ET.Element(
                "velocity", name=f"{name}_act", joint=name, kv=fmt([effort / velocity]),
                ctrlrange=fmt([-velocity, velocity]), forcerange=fmt([-effort, effort]),
            )  # fmt: skip
        )
        return
    ctrl = attrs.get("range", fmt([-math.pi, math.pi]) if kind == "hinge" else "-1 1")
    actuators.append(
        ET.Element(
            "position", name=f"{name}_act", joint=name, kp=fmt([kp]), kv=fmt([kv]),
            ctrlrange=ctrl, forcerange=fmt([-effort, effort]),
        )  # fmt: skip
    )


# MuJoCo refuses a geom size of zero. A flat box or a zero-length cylinder is still a surface
# (a plate, a disc): it gets this half-thickness; a zero radius is nothing, and is left out.
_FLAT_HALF_SIZE = 1e-6


def _has_extent(geometry: Geometry) -> bool:
    """False for the primitives that are nothing (zero radius: pybullet's laikago_toes has such spheres)."""
    return not (isinstance(geometry, (Sphere, Cylinder, Capsule)) and geometry.radius <= 0)


def _positive(*sizes: float) -> list[float]:
    return [max(size, _FLAT_HALF_SIZE) for size in sizes]


def _geom_attrs(geometry: Geometry, meshes: MeshTable) -> dict[str, str]:
    if isinstance(geometry, Box):
        return {"type": "box", "size": fmt(_positive(*(s / 2 for s in geometry.size)))}
    if isinstance(geometry, Cylinder):
        return {"type": "cylinder", "size": fmt(_positive(geometry.radius, geometry.length / 2))}
    if isinstance(geometry, Sphere):
        return {"type": "sphere", "size": fmt([geometry.radius])}
    if isinstance(geometry, Capsule):
        if geometry.length <= 0:  # a capsule with no cylinder is a sphere
            return {"type": "sphere", "size": fmt([geometry.radius])}
        return {"type": "capsule", "size": fmt([geometry.radius, geometry.length / 2])}
    if isinstance(geometry, Mesh):
        return {"type": "mesh", "mesh": meshes.name(geometry)}
    raise ExportError(f"unsupported geometry {type(geometry).__name__}")


def _add_geoms(body: ET.Element, link: Link, names: _Names, meshes: MeshTable, *, world_geom: bool) -> None:
    for i, visual in enumerate(link.visuals):
        if not _has_extent(visual.geometry):
            continue
        attrs = {"name": names.unique_geom(visual.name or f"{link.name}_visual_{i}"), "class": "visual"}
        attrs.update(_geom_attrs(visual.geometry, meshes))
        attrs.update(_pose_attrs(visual.origin))
        if visual.color is not None:
            attrs["rgba"] = fmt(visual.color)
        ET.SubElement(body, "geom", attrs)
    for i, collision in enumerate(link.collisions):
        if not _has_extent(collision.geometry):
            continue
        attrs = {"name": names.unique_geom(collision.name or f"{link.name}_collision_{i}"), "class": "collision"}
        if world_geom:  # the ground of a scene: collides with every robot geom
            attrs.update(contype="1", conaffinity="1")
        attrs.update(_geom_attrs(collision.geometry, meshes))
        attrs.update(_pose_attrs(collision.origin))
        ET.SubElement(body, "geom", attrs)


_HINGE_SPAN = 0.05  # metres between the two connect points that hold a revolute loop closure's axis


def _add_loop_closures(root: ET.Element, world: ET.Element, model: AssetModel, names: _Names) -> None:
    """Each loop closure as equality constraints between sites on its two bodies: ``connect``
    for a ball, ``weld`` for a fixed closure, two ``connect``s along the axis for a hinge."""
    if not model.loop_closures:
        return
    bodies = {el.get("name"): el for el in world.iter("body")}

    def body_of(link: str) -> ET.Element:
        return bodies.get(names.link[link], world)  # the world-anchored root's geoms sit in worldbody

    equality = ET.Element("equality")
    for loop in model.loop_closures:
        ident = names.unique_geom(f"{loop.name}_loop")
        points: list[tuple[float, float, float] | None]  # where the two sides are tied; None: a weld
        if loop.type == "fixed":
            points = [None]
        elif loop.type == "ball":
            points = [(0.0, 0.0, 0.0)]
        elif loop.type in ("revolute", "continuous"):
            x, y, z = (_HINGE_SPAN * a for a in loop.axis)
            points = [(0.0, 0.0, 0.0), (x, y, z)]
        else:
            raise ExportError(f"loop closure {loop.name!r}: a {loop.type} loop closure has no MJCF constraint")
        for k, point in enumerate(points):
            sites = []
            for side, link, anchor in (("a", loop.parent, loop.parent_anchor), ("b", loop.child, loop.child_anchor)):
                frame = anchor.matrix()
                if point is not None:
                    frame = frame @ Pose(point).matrix()
                site = f"{ident}{k}_{side}"
                ET.SubElement(body_of(link), "site", {"name": site, "group": "5", **_pose_attrs(Pose.from_matrix(frame))})
                sites.append(site)
            tag = "weld" if point is None else "connect"
            equality.append(ET.Element(tag, name=f"{ident}{k}", site1=sites[0], site2=sites[1]))
    root.append(equality)


def _rest_height(model: AssetModel) -> float:
    """How far to lift a floating model so its lowest collision point touches z = 0."""
    transforms = model.link_transforms()
    lowest = math.inf
    for link in model.links:
        for collision in link.collisions or []:
            mesh = collision.geometry.to_trimesh()
            world = transforms[link.name] @ collision.origin.matrix()
            z = (np.asarray(mesh.vertices) @ world[:3, :3].T + world[:3, 3])[:, 2]
            if len(z):  # a zero-radius sphere has no vertices
                lowest = min(lowest, float(z.min()))
    return 0.0 if not math.isfinite(lowest) else round(-lowest, 6)
