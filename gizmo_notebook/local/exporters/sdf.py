"""SDFormat 1.9 for Gazebo: a ``.zip`` shaped like a Gazebo model directory.

The archive holds ``model.sdf`` (one ``<model>``), ``model.config`` (the model database
manifest Gazebo's resource paths look for) and ``meshes/<name>.stl`` (binary STL, metres),
referenced from the SDF by relative URIs (``meshes/x.stl``), which Gazebo resolves against the
SDF file's own directory.

Mapping choices, each one checked by libsdformat's parser in the tests:

* SDF 1.9 keeps links, joints and frames in one namespace per model and reserves ``world``
  and ``__*__`` names, so link and joint names are made unique together and never ``world``.
* Poses follow the model's tree instead of being flattened: a joint's frame is placed
  ``relative_to`` its parent link (URDF's ``<origin>``) and its child link sits at that
  joint's frame (``relative_to`` the joint). A joint hanging off the world link is placed
  relative to ``__model__``.
* Fixed-base models (root link ``world``, see the generator) attach their first links with
  joints whose ``<parent>`` is ``world`` — SDF's own idiom for "bolted to the world". If the
  world link carries geometry (a scene's ground plane), it becomes a link named ``ground``
  fixed to the world the same way.
* Floating joints have no SDF joint type: the child is a free link, placed at the joint's
  origin. Planar joints have no equivalent and raise :class:`ExportError`.
* Every link gets an explicit ``<inertial>`` (massless links a small stand-in, as MJCF),
  since SDF would otherwise give them 1 kg. The tensor is written in the link frame, with
  the centre of mass as the inertial pose.
* Loop closures (a four-bar's last joint) are ordinary SDF joints whose child already has a
  parent — how SDF spells a closed loop — placed at the closing frame (``child_anchor``,
  relative to the child link, SDF's default for joints). Their axes are unbounded.
* Every movable axis carries ``<limit>`` (SDF requires it): revolute and prismatic limits as
  the model says, continuous ones unbounded (``±1e16``, SDF's "no limit").
"""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
import zipfile
from typing import IO

from ..._names import claim_unique
from ...model import (
    AssetModel,
    Box,
    Capsule,
    Cylinder,
    Geometry,
    Joint,
    Link,
    LoopClosure,
    Mesh,
    Pose,
    Sphere,
)
from ._common import (
    WORLD_LINK,
    ExportError,
    MeshTable,
    default_inertia,
    effort_of,
    fmt,
    is_passive,
    is_world_anchored,
    velocity_of,
    zip_entry,
)

__all__ = ["MESH_DIR", "SDF_VERSION", "model_config", "sdf_document", "write_sdf_zip"]

SDF_VERSION = "1.9"
MESH_DIR = "meshes"
_GROUND_LINK = "ground"
_UNBOUNDED = 1e16
_SDF_JOINT_TYPES = {"revolute": "revolute", "continuous": "continuous", "prismatic": "prismatic",
                    "fixed": "fixed", "ball": "ball"}  # fmt: skip


def write_sdf_zip(model: AssetModel, fh: IO[bytes], description: str = "") -> None:
    """Write ``model.sdf``, ``model.config`` and the meshes as a zip to the binary stream ``fh``."""
    meshes = MeshTable()
    sdf = sdf_document(model, meshes)
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(zip_entry("model.sdf"), sdf)
        archive.writestr(zip_entry("model.config"), model_config(model.name, description))
        for name, mesh in meshes.items():
            buffer = io.BytesIO()
            mesh.mesh.export(buffer, file_type="stl")
            archive.writestr(zip_entry(f"{MESH_DIR}/{name}.stl"), buffer.getvalue())


def model_config(name: str, description: str = "") -> bytes:
    """The ``model.config`` manifest that makes the folder a Gazebo model."""
    root = ET.Element("model")
    ET.SubElement(root, "name").text = name
    ET.SubElement(root, "version").text = "1.0"
    ET.SubElement(root, "sdf", version=SDF_VERSION).text = "model.sdf"
    author = ET.SubElement(root, "author")
    ET.SubElement(author, "name").text = "gizmo-notebook"
    ET.SubElement(root, "description").text = description or name
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class _Names:
    """One namespace for links and joints (SDF 1.9 frame semantics); ``world`` stays reserved."""

    def __init__(self) -> None:
        self._used = {WORLD_LINK, "__model__"}
        self._map: dict[tuple[str, str], str] = {}

    def get(self, kind: str, name: str) -> str:
        key = (kind, name)
        if key not in self._map:
            self._map[key] = claim_unique(_identifier(name), self._used)
        return self._map[key]


def _identifier(name: str) -> str:
    ident = "".join(c if c.isalnum() or c in "_-." else "_" for c in name) or "_"
    if ident.startswith("__") and ident.endswith("__"):
        ident = f"x{ident}"
    return ident


def sdf_document(model: AssetModel, meshes: MeshTable) -> bytes:
    """The SDF XML for ``model``; mesh geometry is registered in ``meshes`` for the caller to write."""
    model.validate()
    names = _Names()
    sdf = ET.Element("sdf", version=SDF_VERSION)
    element = ET.SubElement(sdf, "model", name=model.name or "model")
    anchored = is_world_anchored(model)
    root = model.root
    floating_parent: dict[str, Joint] = {}
    links: list[ET.Element] = []
    joints: list[ET.Element] = []

    for link in model.links:  # links first: they keep their names, joints yield on a clash
        if not (anchored and link is root):
            names.get("link", link.name)
    if anchored and (root.visuals or root.collisions):
        ground = names.get("link", _GROUND_LINK)
        links.append(_link(Link(ground, root.visuals, root.collisions), ground, None, meshes))
        joints.append(_fixed_to_world(names.get("joint", f"{_GROUND_LINK}_fixed"), ground))

    for joint in model.ordered_joints():
        if joint.type == "planar":
            raise ExportError(f"joint {joint.name!r}: SDFormat has no planar joint; use two prismatic joints and a revolute")
        if joint.type == "floating":
            floating_parent[joint.child] = joint

    for link in model.links:
        if anchored and link is root:
            continue
        parent = model.parent_joint(link.name)
        if parent is None:
            pose_frame = None  # the model's root: at the model frame
        elif parent.type == "floating":
            pose_frame = (_frame_of(parent.parent, anchored, names), parent.origin)
        else:
            pose_frame = (names.get("joint", parent.name), Pose())
        links.append(_link(link, names.get("link", link.name), pose_frame, meshes))

    for joint in model.ordered_joints():
        if joint.type == "floating":
            continue
        joints.append(_joint(joint, anchored, names))
    for loop in model.loop_closures:
        joints.append(_loop_joint(loop, anchored, names))

    element.extend(links)
    element.extend(joints)
    ET.indent(sdf)
    return ET.tostring(sdf, encoding="utf-8", xml_declaration=True)


def _frame_of(link_name: str, anchored: bool, names: _Names) -> str:
    if anchored and link_name == WORLD_LINK:
        return "__model__"
    return names.get("link", link_name)


def _pose(parent: ET.Element, pose: Pose, relative_to: str | None = None) -> None:
    if relative_to is None and pose.is_identity:
        return
    attrs = {"relative_to": relative_to} if relative_to else {}
    ET.SubElement(parent, "pose", attrs).text = fmt([*pose.xyz, *pose.rpy]) if not pose.is_identity else "0 0 0 0 0 0"


def _fixed_to_world(name: str, child: str) -> ET.Element:
    joint = ET.Element("joint", name=name, type="fixed")
    ET.SubElement(joint, "parent").text = WORLD_LINK
    ET.SubElement(joint, "child").text = child
    return joint


def _link(link: Link, name: str, pose_frame: tuple[str, Pose] | None, meshes: MeshTable) -> ET.Element:
    element = ET.Element("link", name=name)
    if pose_frame is not None:
        _pose(element, pose_frame[1], pose_frame[0])
    mass, com, tensor = default_inertia(link)
    inertial = ET.SubElement(element, "inertial")
    _pose(inertial, Pose(tuple(float(c) for c in com)))  # type: ignore[arg-type]
    ET.SubElement(inertial, "mass").text = fmt([mass])
    inertia = ET.SubElement(inertial, "inertia")
    for tag, value in (("ixx", tensor[0, 0]), ("ixy", tensor[0, 1]), ("ixz", tensor[0, 2]),
                       ("iyy", tensor[1, 1]), ("iyz", tensor[1, 2]), ("izz", tensor[2, 2])):  # fmt: skip
        ET.SubElement(inertia, tag).text = fmt([value])
    used: set[str] = set()
    for i, visual in enumerate(link.visuals):
        v = ET.SubElement(element, "visual", name=claim_unique(_identifier(visual.name or f"visual_{i}"), used))
        _pose(v, visual.origin)
        v.append(_geometry(visual.geometry, meshes))
        if visual.color is not None:
            material = ET.SubElement(v, "material")
            r, g, b, a = visual.color
            ET.SubElement(material, "ambient").text = fmt([r, g, b, a])
            ET.SubElement(material, "diffuse").text = fmt([r, g, b, a])
            if a < 1.0:
                ET.SubElement(v, "transparency").text = fmt([1.0 - a])
    for i, collision in enumerate(link.collisions):
        c = ET.SubElement(element, "collision", name=claim_unique(_identifier(collision.name or f"collision_{i}"), used))
        _pose(c, collision.origin)
        c.append(_geometry(collision.geometry, meshes))
    return element


def _geometry(geometry: Geometry, meshes: MeshTable) -> ET.Element:
    geom = ET.Element("geometry")
    if isinstance(geometry, Box):
        ET.SubElement(ET.SubElement(geom, "box"), "size").text = fmt(geometry.size)
    elif isinstance(geometry, (Cylinder, Capsule)):
        shape = ET.SubElement(geom, "cylinder" if isinstance(geometry, Cylinder) else "capsule")
        ET.SubElement(shape, "radius").text = fmt([geometry.radius])
        ET.SubElement(shape, "length").text = fmt([geometry.length])
    elif isinstance(geometry, Sphere):
        ET.SubElement(ET.SubElement(geom, "sphere"), "radius").text = fmt([geometry.radius])
    elif isinstance(geometry, Mesh):
        ET.SubElement(ET.SubElement(geom, "mesh"), "uri").text = f"{MESH_DIR}/{meshes.name(geometry)}.stl"
    else:
        raise ExportError(f"unsupported geometry {type(geometry).__name__}")
    return geom


def _loop_joint(loop: LoopClosure, anchored: bool, names: _Names) -> ET.Element:
    kind = {"continuous": "revolute"}.get(loop.type, loop.type)
    if kind not in ("revolute", "prismatic", "fixed", "ball"):
        raise ExportError(f"loop closure {loop.name!r}: a {loop.type} joint has no SDFormat equivalent")
    element = ET.Element("joint", name=names.get("joint", loop.name), type=kind)
    _pose(element, loop.child_anchor)  # a joint's pose is relative to its child link by default
    ET.SubElement(element, "parent").text = (
        WORLD_LINK if anchored and loop.parent == WORLD_LINK else names.get("link", loop.parent)
    )
    ET.SubElement(element, "child").text = names.get("link", loop.child)
    if kind in ("revolute", "prismatic"):
        axis = ET.SubElement(element, "axis")
        ET.SubElement(axis, "xyz").text = fmt(loop.axis)
        limit = ET.SubElement(axis, "limit")
        ET.SubElement(limit, "lower").text = fmt([-_UNBOUNDED])
        ET.SubElement(limit, "upper").text = fmt([_UNBOUNDED])
    return element


def _joint(joint: Joint, anchored: bool, names: _Names) -> ET.Element:
    kind = _SDF_JOINT_TYPES.get(joint.type)
    if kind is None:  # pragma: no cover - planar/floating are handled by the caller
        raise ExportError(f"joint {joint.name!r}: type {joint.type!r} has no SDFormat equivalent")
    element = ET.Element("joint", name=names.get("joint", joint.name), type=kind)
    parent = _frame_of(joint.parent, anchored, names)
    _pose(element, joint.origin, parent)
    ET.SubElement(element, "parent").text = WORLD_LINK if parent == "__model__" else parent
    ET.SubElement(element, "child").text = names.get("link", joint.child)
    if joint.type in ("revolute", "continuous", "prismatic"):
        axis = ET.SubElement(element, "axis")
        ET.SubElement(axis, "xyz").text = fmt(joint.axis)
        if joint.damping or joint.friction:
            dynamics = ET.SubElement(axis, "dynamics")
            ET.SubElement(dynamics, "damping").text = fmt([joint.damping])
            ET.SubElement(dynamics, "friction").text = fmt([joint.friction])
            ET.SubElement(dynamics, "spring_reference").text = "0"
            ET.SubElement(dynamics, "spring_stiffness").text = "0"
        limit = ET.SubElement(axis, "limit")
        limits = joint.limits
        if joint.type == "continuous":
            lower, upper = -_UNBOUNDED, _UNBOUNDED
        elif limits is not None:
            lower, upper = limits.lower, limits.upper
        else:
            lower, upper = (-math.pi, math.pi) if joint.type == "revolute" else (-1.0, 1.0)
        ET.SubElement(limit, "lower").text = fmt([lower])
        ET.SubElement(limit, "upper").text = fmt([upper])
        ET.SubElement(limit, "effort").text = fmt([0.0 if is_passive(joint) else effort_of(joint)])
        ET.SubElement(limit, "velocity").text = fmt([velocity_of(joint)])
    return element
