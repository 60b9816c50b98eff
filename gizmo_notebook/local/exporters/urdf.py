"""URDF for Isaac Sim's URDF importer (and any URDF tool): always a ``.zip``.

The archive holds ``<stem>.urdf`` at its top level and ``meshes/<name>.stl`` (binary STL,
metres) beside it; mesh filenames in the URDF are relative (``meshes/x.stl``), which both
Isaac's importer and yourdfpy resolve against the URDF's own directory. The format is a zip
even when a model happens to have no meshes, so clients can rely on one shape per format.

URDF has no capsule: a capsule is written as a cylinder plus two end spheres (three
``<visual>``/``<collision>`` elements), which is exactly the same solid. Nor has it a ball
joint: one becomes three hinges (:func:`_ball_chain`). Fixed-base models
keep their massless ``world`` root link, the URDF convention for "bolted down"; Isaac's
importer "Fix Base Link" option does the same for floating ones if the user wants it.
"""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from typing import IO

from ...model import AssetModel, Box, Capsule, Cylinder, Geometry, Inertial, Joint, Link, Mesh, Pose, Sphere
from ._common import MeshTable, effort_of, fmt, is_passive, velocity_of, zip_entry

__all__ = ["MESH_DIR", "urdf_document", "write_urdf_zip"]

MESH_DIR = "meshes"


def write_urdf_zip(model: AssetModel, fh: IO[bytes], stem: str) -> None:
    """Write a zip with ``<stem>.urdf`` and its meshes to the binary stream ``fh``."""
    meshes = MeshTable()
    xml = urdf_document(model, meshes)
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(zip_entry(f"{stem}.urdf"), xml)
        for name, mesh in meshes.items():
            buffer = io.BytesIO()
            mesh.mesh.export(buffer, file_type="stl")
            archive.writestr(zip_entry(f"{MESH_DIR}/{name}.stl"), buffer.getvalue())


def urdf_document(model: AssetModel, meshes: MeshTable) -> bytes:
    """The URDF XML for ``model``; mesh geometry is registered in ``meshes`` for the caller to write."""
    model.validate()
    robot = ET.Element("robot", name=model.name)
    for link in model.links:
        robot.append(_link(link, meshes))
    taken = {link.name for link in model.links} | {joint.name for joint in model.joints}
    for joint in model.ordered_joints():
        for element in _ball_chain(joint, taken, meshes) if joint.type == "ball" else [_joint(joint)]:
            robot.append(element)
    ET.indent(robot)
    return ET.tostring(robot, encoding="utf-8", xml_declaration=True)


def _origin(parent: ET.Element, pose: Pose) -> None:
    if not pose.is_identity:
        ET.SubElement(parent, "origin", xyz=fmt(pose.xyz), rpy=fmt(pose.rpy))


def _shapes(geometry: Geometry, origin: Pose) -> list[tuple[ET.Element, Pose]]:
    """(``<geometry>`` element, origin) pairs; more than one only for capsules."""
    geom = ET.Element("geometry")
    if isinstance(geometry, Box):
        ET.SubElement(geom, "box", size=fmt(geometry.size))
    elif isinstance(geometry, Cylinder):
        ET.SubElement(geom, "cylinder", radius=fmt([geometry.radius]), length=fmt([geometry.length]))
    elif isinstance(geometry, Sphere):
        ET.SubElement(geom, "sphere", radius=fmt([geometry.radius]))
    elif isinstance(geometry, Capsule):
        out = _shapes(Cylinder(geometry.radius, geometry.length), origin)
        for sign in (1.0, -1.0):
            end = Pose.from_matrix(origin.matrix() @ Pose((0, 0, sign * geometry.length / 2)).matrix())
            out += _shapes(Sphere(geometry.radius), end)
        return out
    elif isinstance(geometry, Mesh):
        raise AssertionError("meshes are handled by the caller")
    return [(geom, origin)]


def _link(link: Link, meshes: MeshTable) -> ET.Element:
    element = ET.Element("link", name=link.name)
    if link.inertial is not None:
        inertial = ET.SubElement(element, "inertial")
        _origin(inertial, link.inertial.origin)
        ET.SubElement(inertial, "mass", value=fmt([link.inertial.mass]))
        ixx, iyy, izz, ixy, ixz, iyz = link.inertial.inertia
        ET.SubElement(
            inertial, "inertia", ixx=fmt([ixx]), ixy=fmt([ixy]), ixz=fmt([ixz]), iyy=fmt([iyy]), iyz=fmt([iyz]), izz=fmt([izz])
        )
    for i, visual in enumerate(link.visuals):
        for k, (geom, origin) in enumerate(_geometries(visual.geometry, visual.origin, meshes)):
            name = visual.name or f"{link.name}_visual_{i}"
            v = ET.SubElement(element, "visual", name=name if k == 0 else f"{name}_{k}")
            _origin(v, origin)
            v.append(geom)
            if visual.color is not None:
                material = ET.SubElement(v, "material", name=f"{name}_{k}_material")
                ET.SubElement(material, "color", rgba=fmt(visual.color))
    for i, collision in enumerate(link.collisions):
        for k, (geom, origin) in enumerate(_geometries(collision.geometry, collision.origin, meshes)):
            name = collision.name or f"{link.name}_collision_{i}"
            c = ET.SubElement(element, "collision", name=name if k == 0 else f"{name}_{k}")
            _origin(c, origin)
            c.append(geom)
    return element


def _geometries(geometry: Geometry, origin: Pose, meshes: MeshTable) -> list[tuple[ET.Element, Pose]]:
    if isinstance(geometry, Mesh):
        geom = ET.Element("geometry")
        ET.SubElement(geom, "mesh", filename=f"{MESH_DIR}/{meshes.name(geometry)}.stl")
        return [(geom, origin)]
    return _shapes(geometry, origin)


# The two links between the three hinges of a ball joint: light enough not to matter, heavy
# enough that simulators which drop massless links (Gazebo) keep them.
_BALL_LINK_INERTIAL = Inertial(mass=1e-3, inertia=(1e-6, 1e-6, 1e-6, 0.0, 0.0, 0.0))


def _ball_chain(joint: Joint, taken: set[str], meshes: MeshTable) -> list[ET.Element]:
    """A ``ball`` joint as URDF can say it: three ``continuous`` joints about the joint frame's
    x, y and z axes (``<name>_x``, ``_y``, ``_z``), through two small links (``<name>_x_link``,
    ``_y_link``). URDF has no spherical joint, and a ``type="ball"`` it does not know makes
    every URDF reader refuse the file; the chain reaches every orientation the ball did
    (Rx·Ry·Rz, the usual stand-in). A MuJoCo ball's cone limit has no URDF form and is dropped."""

    def fresh(name: str) -> str:
        while name in taken:
            name += "_"
        taken.add(name)
        return name

    names = [fresh(f"{joint.name}_{axis}") for axis in "xyz"]
    links = [fresh(f"{joint.name}_{axis}_link") for axis in "xy"]
    chain = [joint.parent, *links, joint.child]
    hinges = [
        replace(joint, name=name, type="continuous", parent=chain[k], child=chain[k + 1], axis=axis,
                origin=joint.origin if k == 0 else Pose())
        for k, (name, axis) in enumerate(zip(names, ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)), strict=True))
    ]
    return [_link(Link(name, inertial=_BALL_LINK_INERTIAL), meshes) for name in links] + [_joint(h) for h in hinges]


def _joint(joint: Joint) -> ET.Element:
    element = ET.Element("joint", name=joint.name, type=joint.type)
    _origin(element, joint.origin)
    ET.SubElement(element, "parent", link=joint.parent)
    ET.SubElement(element, "child", link=joint.child)
    if joint.type in ("revolute", "continuous", "prismatic", "planar"):
        ET.SubElement(element, "axis", xyz=fmt(joint.axis))
    if joint.type in ("revolute", "prismatic"):
        limits = joint.limits
        lower, upper = (limits.lower, limits.upper) if limits is not None else (-math.pi, math.pi)
        ET.SubElement(
            element, "limit", lower=fmt([lower]), upper=fmt([upper]),
            effort=fmt([0.0 if is_passive(joint) else effort_of(joint)]), velocity=fmt([velocity_of(joint)]),
        )  # fmt: skip
    elif joint.type == "continuous":
        ET.SubElement(element, "limit", effort=fmt([0.0 if is_passive(joint) else effort_of(joint)]), velocity=fmt([velocity_of(joint)]))
    if joint.is_movable and (joint.damping or joint.friction):
        ET.SubElement(element, "dynamics", damping=fmt([joint.damping]), friction=fmt([joint.friction]))
    return element
