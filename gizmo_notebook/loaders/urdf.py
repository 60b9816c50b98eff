"""URDF files, parsed by yourdfpy after a defusedxml safety pass and a structural check.

yourdfpy reads the values faithfully but reports a broken document with a bare
``AttributeError`` or a log line; the structural check here runs first so the user is told
which element is wrong (``arm.urdf: <joint name='j2'>: parent link 'base2' does not
exist``). Mesh files are read with trimesh; ``package://name/...`` is resolved by walking up
from the URDF's folder to a directory called ``name`` (the ROS layout), then through
``ROS_PACKAGE_PATH``, so descriptions work where they were unpacked without a ROS install.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import trimesh

from gizmo_notebook._optional import requires
from gizmo_notebook.loaders._errors import LoadError, element_label
from gizmo_notebook.loaders._materials import maps_not_drawn, maps_note, trimesh_material
from gizmo_notebook.loaders._packages import PackageDirs, find_package_file
from gizmo_notebook.loaders._urdf_materials import urdf_material
from gizmo_notebook.loaders._xml import parse_xml, read_xml
from gizmo_notebook.loaders.mesh import read_mesh_file
from gizmo_notebook.model import (
    AssetModel,
    Box,
    Collision,
    Cylinder,
    Geometry,
    Inertial,
    Joint,
    JointLimits,
    Link,
    Material,
    Mesh,
    ModelError,
    Pose,
    Sphere,
    Visual,
)

with requires("urdf", "Loading URDF files"):
    import yourdfpy

_NUMERIC_ELEMENTS = frozenset({"origin", "axis", "box", "cylinder", "sphere", "capsule", "mesh", "limit", "mass",
                               "inertia", "color", "dynamics", "mimic", "safety_controller", "calibration"})
_JOINT_TYPES = ("revolute", "continuous", "prismatic", "fixed", "floating", "planar")


def load_urdf(path: Path, *, data: bytes | None = None, package_dirs: PackageDirs | None = None) -> AssetModel:
    """Read the URDF at ``path``, or the URDF text ``data`` as if it were that file (what
    xacro expanded), resolving ``package://`` through ``package_dirs`` first."""
    expanded = data is not None
    if data is None:
        data, root = read_xml(path)
    else:
        root = parse_xml(data, path)
    if is_xacro(root):
        if expanded:
            raise LoadError("xacro left xacro elements it could not expand", path=path)
        from gizmo_notebook.loaders.xacro import load_xacro

        return load_xacro(path, package_dirs=package_dirs)
    _check_structure(root, path)
    try:
        parsed = yourdfpy.URDF.load(
            io.BytesIO(_xml_version_1(data)), build_scene_graph=False, load_meshes=False,
            build_collision_scene_graph=False,
        )
    except Exception as exc:  # yourdfpy surfaces malformed numbers as assorted errors
        raise LoadError(f"cannot parse URDF: {exc}", path=path) from None
    return _to_model(parsed.robot, path, package_dirs)


_XML_VERSION = re.compile(rb"""^(\s*<\?xml\s+version\s*=\s*["'])([^"']*)(["'])""")


def _xml_version_1(data: bytes) -> bytes:
    """``data`` with its XML declaration saying version 1.0. Many URDFs (pybullet_data's among
    them) declare ``version="0.0"``: Python's parser reads them, lxml (inside yourdfpy) refuses
    and falls back to a recovering parse, logging two ERROR lines that a notebook shows in red
    for a file that loads fine. The encoding the declaration names is kept."""
    match = _XML_VERSION.match(data)
    if match is None or match.group(2) in (b"1.0", b"1.1"):
        return data
    return data[:match.start(2)] + b"1.0" + data[match.end(2):]


def is_xacro(root: ET.Element) -> bool:
    """Whether the document still holds xacro elements (``xmlns:xacro`` macros, includes...)."""
    return any(el.tag.startswith("{") and "xacro" in el.tag for el in root.iter())


# --------------------------------------------------------------------------- checks


def _check_structure(root: ET.Element, path: Path) -> None:
    if root.tag != "robot":
        raise LoadError(f"root element is <{root.tag}>, expected <robot>", path=path)
    links: set[str] = set()
    for el in root.findall("link"):
        name = el.get("name")
        if not name:
            raise LoadError("a <link> has no 'name' attribute", path=path, element="<link>")
        if name in links:
            raise LoadError("link name is used twice", path=path, element=element_label("link", name))
        links.add(name)
        for kind in ("visual", "collision"):
            for item in el.findall(kind):
                _check_geometry(item, kind, name, path)
        for inertial in el.findall("inertial"):  # a NaN mass reaches the viewer's inspect overlay
            _check_numbers(inertial, path, f"{element_label('link', name)} <inertial>")
    if not links:
        raise LoadError("the robot has no <link>", path=path, element=element_label("robot", root.get("name")))
    joints: set[str] = set()
    parent_of: dict[str, str] = {}
    for el in root.findall("joint"):
        name = el.get("name")
        label = element_label("joint", name)
        if not name:
            raise LoadError("a <joint> has no 'name' attribute", path=path, element="<joint>")
        if name in joints:
            raise LoadError("joint name is used twice", path=path, element=label)
        joints.add(name)
        jtype = el.get("type")
        if jtype not in _JOINT_TYPES:
            raise LoadError(f"type {jtype!r} is not one of {', '.join(_JOINT_TYPES)}", path=path, element=label)
        for end in ("parent", "child"):
            sub = el.find(end)
            target = sub.get("link") if sub is not None else None
            if not target:
                raise LoadError(f"missing <{end} link='...'/>", path=path, element=label)
            if target not in links:
                raise LoadError(f"{end} link {target!r} does not exist", path=path, element=label)
        child = el.find("child").get("link", "")  # type: ignore[union-attr]  # checked above
        if child in parent_of:
            raise LoadError(
                f"link {child!r} is already the child of joint {parent_of[child]!r}", path=path, element=label
            )
        parent_of[child] = name
        _check_numbers(el, path, label)


def _check_geometry(item: ET.Element, kind: str, link: str, path: Path) -> None:
    label = f"{element_label('link', link)} <{kind}>"
    geometry = item.find("geometry")
    if geometry is None or len(geometry) == 0:
        raise LoadError("has no <geometry> shape", path=path, element=label)
    shape = geometry[0]
    if shape.tag not in ("box", "cylinder", "sphere", "mesh"):
        raise LoadError(f"unknown geometry <{shape.tag}> (use box, cylinder, sphere or mesh)", path=path, element=label)
    if shape.tag == "mesh" and not shape.get("filename"):
        raise LoadError("<mesh> has no 'filename'", path=path, element=label)
    required = {"box": ("size",), "cylinder": ("radius", "length"), "sphere": ("radius",)}.get(shape.tag, ())
    for attr in required:
        if shape.get(attr) is None:
            raise LoadError(f"<{shape.tag}> has no '{attr}'", path=path, element=label)
    _check_numbers(item, path, label)


def _check_numbers(el: ET.Element, path: Path, label: str) -> None:
    """Every numeric attribute parses and is finite: NaN origins poison the whole scene."""
    numeric = {"xyz", "rpy", "size", "radius", "length", "scale", "lower", "upper", "effort", "velocity",
               "value", "rgba", "damping", "friction", "ixx", "ixy", "ixz", "iyy", "iyz", "izz"}
    for sub in el.iter():
        if sub.tag not in _NUMERIC_ELEMENTS:  # extensions (<gazebo>, <verbose value="Yes">) are not URDF's
            continue
        for attr, text in sub.attrib.items():
            if attr not in numeric:
                continue
            try:
                values = [float(v) for v in text.replace(",", " ").split()]
            except ValueError:
                raise LoadError(f"<{sub.tag} {attr}={text!r}> is not a number list", path=path, element=label) from None
            if not all(math.isfinite(v) for v in values):
                raise LoadError(f"<{sub.tag} {attr}={text!r}> is not finite", path=path, element=label)


# --------------------------------------------------------------------------- mapping


def _to_model(robot: yourdfpy.Robot, path: Path, package_dirs: PackageDirs | None) -> AssetModel:
    materials = {m.name: m for m in robot.materials if m is not None and m.name}
    meshes = MeshCache(path, package_dirs)
    notes: list[str] = []
    links = []
    for ulink in robot.links:
        link = Link(name=ulink.name)
        for i, uvis in enumerate(ulink.visuals):
            label = f"{element_label('link', ulink.name)} <visual>"
            geometry = _geometry(uvis.geometry, meshes, label)
            color = _color(uvis.material, materials)
            material = urdf_material(uvis.material, materials, color, geometry, meshes, label, notes)
            link.visuals.append(
                Visual(
                    geometry=geometry,
                    origin=_pose(uvis.origin),
                    color=color if material is None or material.texture is None else material.color,
                    name=uvis.name or (f"{ulink.name}_visual_{i}" if len(ulink.visuals) > 1 else None),
                    material=material,
                )
            )
        for ucol in ulink.collisions:
            label = f"{element_label('link', ulink.name)} <collision>"
            link.collisions.append(
                Collision(geometry=_geometry(ucol.geometry, meshes, label), origin=_pose(ucol.origin), name=ucol.name)
            )
        link.inertial = _inertial(ulink.inertial)
        links.append(link)
    joints = [_joint(j) for j in robot.joints]
    model = AssetModel(name=robot.name or path.stem, links=links, joints=joints, source=str(path),
                       notes=notes + meshes.maps_note())
    try:
        model.validate()
    except ModelError as exc:
        raise LoadError(str(exc), path=path, element=element_label("robot", robot.name)) from None
    return model


def _pose(matrix: np.ndarray | None) -> Pose:
    return Pose() if matrix is None else Pose.from_matrix(matrix)


def _joint(uj: yourdfpy.Joint) -> Joint:
    limits = None
    # continuous joints keep effort/velocity (lower = upper = 0 there, and FK never clamps them)
    if uj.limit is not None and uj.type in ("revolute", "prismatic", "continuous"):
        lower = uj.limit.lower if uj.limit.lower is not None else 0.0
        upper = uj.limit.upper if uj.limit.upper is not None else 0.0
        limits = JointLimits(
            lower=float(lower),
            upper=float(upper),
            effort=float(uj.limit.effort) if uj.limit.effort is not None else JointLimits.effort,
            velocity=float(uj.limit.velocity) if uj.limit.velocity is not None else JointLimits.velocity,
        )
    axis = tuple(float(v) for v in uj.axis) if uj.axis is not None else (1.0, 0.0, 0.0)  # URDF default
    dynamics = uj.dynamics
    return Joint(
        name=uj.name,
        type=uj.type,
        parent=uj.parent,
        child=uj.child,
        origin=_pose(uj.origin),
        axis=axis,  # type: ignore[arg-type]
        limits=limits,
        damping=float(dynamics.damping or 0.0) if dynamics else 0.0,
        friction=float(dynamics.friction or 0.0) if dynamics else 0.0,
    )


def _inertial(ui: yourdfpy.Inertial | None) -> Inertial | None:
    if ui is None or ui.mass is None:
        return None
    t = np.asarray(ui.inertia if ui.inertia is not None else np.zeros((3, 3)), dtype=float)
    return Inertial(
        mass=float(ui.mass),
        origin=_pose(ui.origin),
        inertia=(t[0, 0], t[1, 1], t[2, 2], t[0, 1], t[0, 2], t[1, 2]),
    )


def _color(material: yourdfpy.Material | None, named: dict[str, yourdfpy.Material]):
    """The visual's own colour, else the robot-level material it names (URDF allows both)."""
    if material is None:
        return None
    if material.color is None and material.name in named:
        material = named[material.name]
    if material.color is None:
        return None
    return tuple(float(c) for c in material.color.rgba)


def _geometry(geometry: yourdfpy.Geometry, meshes: MeshCache, label: str) -> Geometry:
    if geometry.box is not None:
        return Box(size=tuple(float(v) for v in geometry.box.size))  # type: ignore[arg-type]
    if geometry.cylinder is not None:
        return Cylinder(radius=float(geometry.cylinder.radius), length=float(geometry.cylinder.length))
    if geometry.sphere is not None:
        return Sphere(radius=float(geometry.sphere.radius))
    assert geometry.mesh is not None  # _check_geometry guarantees one of the four
    return meshes.get(geometry.mesh.filename, geometry.mesh.scale, label)


class MeshCache:
    """Each (file, scale) pair is read once: robot descriptions reuse a mesh for every finger."""

    def __init__(self, urdf_path: Path, package_dirs: PackageDirs | None = None) -> None:
        self._urdf = urdf_path
        self._package_dirs = package_dirs
        self._files: dict[Path, trimesh.Trimesh] = {}
        self._scaled: dict[tuple[Path, tuple[float, float, float]], Mesh] = {}
        self._materials: dict[Path, Material | None] = {}
        self._maps: dict[Path, list[str]] = {}
        self._texture_notes: list[str] = []  # mesh files' textures that cannot be drawn

    def maps_note(self) -> list[str]:
        """The notes naming what the mesh files read carry and the viewer does not draw: PBR maps
        (normal, ...) and textures it cannot read."""
        counts: dict[str, int] = {}
        for found in self._maps.values():
            for name in found:
                counts[name] = counts.get(name, 0) + 1
        return maps_note(counts) + self._texture_notes

    def resolve(self, filename: str) -> Path | None:
        """The file a reference in this URDF points at (a texture, say), or None."""
        return resolve_resource(filename, self._urdf, self._package_dirs)

    def material(self, geometry: Geometry) -> Material | None:
        """The material the mesh file of ``geometry`` declares (MTL, DAE effect, glTF), read once
        per file; None for primitives and plain meshes."""
        if not isinstance(geometry, Mesh) or geometry.source is None:
            return None
        path = Path(geometry.source)
        return self._materials.get(path)

    def get(self, filename: str, scale: float | np.ndarray | None, label: str) -> Mesh:
        path = resolve_resource(filename, self._urdf, self._package_dirs)
        if path is None:
            raise LoadError(f"mesh file {filename!r} does not exist", path=self._urdf, element=label)
        if scale is not None and np.size(scale) not in (1, 3):  # "1 1 1 1" ships in pybullet_data's racecar
            numbers = " ".join(f"{float(v):g}" for v in np.ravel(scale))
            raise LoadError(f"<mesh filename={filename!r} scale='{numbers}'>: a scale is one number or three (x y z)",
                            path=self._urdf, element=label)
        sx, sy, sz = (1.0, 1.0, 1.0) if scale is None else (float(v) for v in np.broadcast_to(scale, (3,)))
        s = (sx, sy, sz)
        key = (path, s)
        if key not in self._scaled:
            if path not in self._files:
                self._files[path] = read_mesh_file(path, referenced_from=self._urdf, element=label,
                                                   notes=self._texture_notes)
                self._materials[path] = trimesh_material(self._files[path], path.stem, self._texture_notes)
                self._maps[path] = maps_not_drawn(self._files[path])
            mesh = self._files[path].copy()
            if s != (1.0, 1.0, 1.0):
                mesh.apply_transform(np.diag([*s, 1.0]))
            self._scaled[key] = Mesh(mesh=mesh, name=path.stem, source=str(path))
        return self._scaled[key]


def resolve_resource(
    filename: str, referenced_from: Path, package_dirs: PackageDirs | None = None
) -> Path | None:
    """The file a URDF/SDF-style reference points at, or ``None`` when nothing matches.

    Handles ``package://pkg/rest`` and ``model://pkg/rest`` (see :mod:`._packages`),
    ``file://`` URLs, absolute paths and paths relative to the referencing file.
    """
    base = referenced_from.parent
    for scheme in ("package://", "model://"):
        if filename.startswith(scheme):
            package, _, inner = filename[len(scheme) :].partition("/")
            return find_package_file(package, inner, base, package_dirs)
    if filename.startswith("file://"):
        filename = unquote(urlparse(filename).path)
    candidate = Path(filename)
    if not candidate.is_absolute():
        candidate = base / candidate
    elif not candidate.is_file() and (base / filename.lstrip("/")).is_file():
        candidate = base / filename.lstrip("/")  # "/meshes/x.stl" meant beside the file (pybullet's SDFs)
    return candidate if candidate.is_file() else None
