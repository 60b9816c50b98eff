"""SDFormat ``model`` files (``.sdf``, versions 1.6 to 1.10), read after a defusedxml pass.

Why not a parser from the field: ``python-sdformat`` (last release 2022) pins ``lxml<5`` and
``numpy<2``, which this package's other dependencies exclude, and stops at SDFormat 1.8;
Gazebo's own ``sdformat`` Python bindings ship only with Gazebo's apt repositories (Debian's
``libsdformat`` has none), and the one PyPI wheel of them is an unofficial CPython 3.11 build
that needs that system library. So this module reads the elements a robot model uses, with
the spec's frame semantics:

* every ``<pose>`` may be ``relative_to`` a frame (1.7+; 1.6's ``frame`` attribute is read
  the same way), in ``euler_rpy`` (radians, or ``degrees="true"``) or ``quat_xyzw`` form;
  a link's pose defaults to the model frame, a joint's to its child link, a ``<frame>``'s to
  what it is ``attached_to``, a visual's / collision's / inertial's to its link;
* a joint axis is ``expressed_in`` a frame (default the joint frame; 1.6's
  ``use_parent_model_frame`` means the model frame);
* ``model://name/...`` and ``package://`` mesh URIs resolve like ROS packages, plus
  ``GZ_SIM_RESOURCE_PATH``-style model paths and ``load(..., package_dirs=...)``.

Mapping onto :class:`~gizmo_notebook.model.AssetModel`: a link moved by a revolute / prismatic
/ continuous / ball joint gets the joint's frame as its link frame (the model's convention,
as URDF), its geometry re-expressed in it. The model frame is placed at the model's ``<pose>``;
a single root link takes the world frame (its pose stays in its geometry's origins, so the model
is where the file puts it). A joint to ``world``, a ``<static>`` model and
links with no joint (each floats, as in Gazebo) hang from a ``world`` root link. A joint that
closes a kinematic loop (its child already has a parent) is a ``LoopClosure``. A ``<world>``
of one model loads that model; of several, all of them, held by one ``world`` link, each fixed
where the world puts it (a world's ground is usually an ``<include>``, which is not loaded: free
models would fall forever in a simulation). What cannot
be expressed (nested models, ``<include>``, planes and height maps, universal / screw /
gearbox joints) is named in the model's ``notes``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gizmo_notebook.loaders._errors import LoadError, element_label
from gizmo_notebook.loaders._loops import loop_note, tree_joints
from gizmo_notebook.loaders._packages import PackageDirs
from gizmo_notebook.loaders._urdf_materials import file_material
from gizmo_notebook.loaders._xml import parse_xml, read_xml
from gizmo_notebook.loaders.urdf import MeshCache
from gizmo_notebook.model import (
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
    LoopClosure,
    Mesh,
    ModelError,
    Pose,
    Sphere,
    Visual,
    compose_placed,
    quaternion_to_matrix,
    rpy_to_matrix,
)

MODEL_FRAME = "__model__"
WORLD = "world"
_MOVING = {"revolute": "revolute", "prismatic": "prismatic", "continuous": "continuous", "ball": "ball"}
_COUPLINGS = frozenset({"gearbox"})
_UNLIMITED = 1e15  # SDF's default limits are +-1e16: no limit


def load_sdf(path: Path, *, data: bytes | None = None, package_dirs: PackageDirs | None = None) -> AssetModel:
    root = read_xml(path)[1] if data is None else parse_xml(data, path)
    if root.tag != "sdf":
        raise LoadError(f"root element is <{root.tag}>, expected <sdf>", path=path)
    model_el = root.find("model")
    notes = []
    world = root.find("world")
    if model_el is None and world is not None:  # a world holding the one model (pybullet's SDFs)
        models = world.findall("model")
        if len(models) == 1:
            model_el = models[0]
            notes.append(f"loaded the one <model> of <world name={world.get('name')!r}>; the world itself is not")
        elif models:
            return _world_of_models(path, world, models, root.get("version", ""), package_dirs)
    if model_el is None:
        hint = " (a world file: load the model file it includes)" if world is not None else ""
        raise LoadError(f"no <model> element{hint}", path=path)
    reader = _Reader(path, model_el, root.get("version", ""), package_dirs)
    reader.notes.extend(notes)
    return reader.read()


def _world_of_models(path: Path, world: ET.Element, models: list[ET.Element], version: str,
                     package_dirs: PackageDirs | None) -> AssetModel:
    """A ``<world>`` of several models (a Gazebo or pybullet scene) as one model: each read as a
    model file would be, at its own ``<pose>`` in the world, then held by a ``world`` link
    (:func:`~gizmo_notebook.model.compose_placed`: names prefixed ``a0_``, ``a1_``... since two
    models may share one, as pybullet's two-iiwa world does)."""
    parts = []
    for element in models:
        reader = _Reader(path, element, version, package_dirs)
        parts.append(reader.read())
    name = world.get("name") or path.stem
    try:
        composed = compose_placed(name, [(part, Pose()) for part in parts], root=WORLD)
    except ModelError as exc:
        raise LoadError(str(exc), path=path) from None
    which = ", ".join(f"a{i}_ = {part.name!r}" for i, part in enumerate(parts))
    composed.notes.insert(0, f"the {len(parts)} models of <world name={name!r}> are loaded as one, each fixed "
                             f"where the world places it ({which}); the world itself (lights, physics) is not")
    return composed


@dataclass
class _Frame:
    """A named frame of the model's frame graph: its pose relative to another frame."""

    pose: np.ndarray
    relative_to: str
    label: str


class _Reader:
    def __init__(self, path: Path, model: ET.Element, version: str, package_dirs: PackageDirs | None) -> None:
        self.path = path
        self.el = model
        self.version = _version(version)
        self.meshes = MeshCache(path, package_dirs)
        self.notes: list[str] = []
        self.frames: dict[str, _Frame] = {}
        self._resolved: dict[str, np.ndarray] = {MODEL_FRAME: np.eye(4)}

    # -- frame graph ---------------------------------------------------------------
    def _pose(self, owner: ET.Element, default_frame: str, label: str) -> tuple[np.ndarray, str]:
        """The ``<pose>`` child of ``owner`` as a matrix, and the frame it is relative to."""
        el = owner.find("pose")
        if el is None:
            return np.eye(4), default_frame
        frame = el.get("relative_to") or el.get("frame") or default_frame
        return _parse_pose(el, self.path, label), frame

    def resolve(self, frame: str, label: str, seen: tuple[str, ...] = ()) -> np.ndarray:
        """The pose of ``frame`` in the model frame."""
        if frame in self._resolved:
            return self._resolved[frame]
        if frame == WORLD:
            return np.eye(4)
        if frame in seen:
            raise LoadError(f"frames {' -> '.join((*seen, frame))} form a cycle", path=self.path, element=label)
        known = self.frames.get(frame)
        if known is None:
            raise LoadError(f"refers to frame {frame!r}, which the model does not define", path=self.path, element=label)
        pose = self.resolve(known.relative_to, known.label, (*seen, frame)) @ known.pose
        self._resolved[frame] = pose
        return pose

    def in_model(self, owner: ET.Element, default_frame: str, label: str) -> np.ndarray:
        pose, frame = self._pose(owner, default_frame, label)
        return self.resolve(frame, label) @ pose

    # -- reading -------------------------------------------------------------------
    def read(self) -> AssetModel:
        name = self.el.get("name") or self.path.stem
        # the model frame sits at the model's own <pose> in the world, as a simulator spawns it
        self._resolved[MODEL_FRAME] = self._pose(self.el, WORLD, element_label("model", name))[0]
        links = self.el.findall("link")
        joints = self.el.findall("joint")
        for tag in ("model", "include"):
            for el in self.el.findall(tag):
                what = el.get("name") or (el.findtext("uri") or "").strip() or "?"
                self.notes.append(f"nested <{tag}> {what!r} is not loaded (only the top-level model's links are)")
        if not links:
            raise LoadError("the model has no <link>", path=self.path, element=element_label("model", name))
        for el in links:
            link_name = el.get("name")
            if not link_name:
                raise LoadError("a <link> has no 'name' attribute", path=self.path, element="<link>")
            if link_name in self.frames:
                raise LoadError("name is used twice", path=self.path, element=element_label("link", link_name))
            pose, frame = self._pose(el, MODEL_FRAME, element_label("link", link_name))
            self.frames[link_name] = _Frame(pose, frame, element_label("link", link_name))
        link_names = {el.get("name") for el in links}
        for el in joints:
            jname = el.get("name") or ""
            label = element_label("joint", jname)
            child = (el.findtext("child") or "").strip()
            parent = (el.findtext("parent") or "").strip()
            if not jname:
                raise LoadError("a <joint> has no 'name' attribute", path=self.path, element="<joint>")
            for end, target in (("child", child), ("parent", parent)):
                if target not in link_names and not (end == "parent" and target == WORLD):
                    raise LoadError(f"{end} link {target!r} does not exist", path=self.path, element=label)
            pose, frame = self._pose(el, child, label)
            self.frames[jname] = _Frame(pose, frame, label)
        for el in self.el.findall("frame"):
            fname = el.get("name") or ""
            attached = el.get("attached_to") or MODEL_FRAME
            pose, frame = self._pose(el, attached, element_label("frame", fname))
            self.frames[fname] = _Frame(pose, frame, element_label("frame", fname))
        return self._build(name, links, joints)

    def _build(self, name: str, link_els: list[ET.Element], joint_els: list[ET.Element]) -> AssetModel:
        static = (self.el.findtext("static") or "").strip().lower() in ("1", "true")
        frame_of: dict[str, np.ndarray] = {}  # our link frame, in model coordinates
        joints: list[Joint] = []
        # a gearbox couples two joints' motions, it is not how its child hangs: the child's own
        # joint (declared anywhere in the file) goes into the tree first
        joint_els = sorted(joint_els, key=lambda el: (el.get("type") or "").strip() in _COUPLINGS)
        ends = [((el.findtext("parent") or "").strip(), (el.findtext("child") or "").strip()) for el in joint_els]
        keep = tree_joints([(None if parent == WORLD else parent, child) for parent, child in ends])
        closing = [el for el, k in zip(joint_els, keep, strict=True) if not k]
        joint_els = [el for el, k in zip(joint_els, keep, strict=True) if k]
        children = {(el.findtext("child") or "").strip() for el in joint_els}
        to_world = any(parent == WORLD for parent, _ in ends)
        has_world = any(el.get("name", "") == WORLD for el in link_els)  # pybullet's SDFs declare one
        roots = [el.get("name", "") for el in link_els if el.get("name", "") not in children and el.get("name", "") != WORLD]
        needs_world = to_world or static or has_world or len(roots) != 1
        for el in link_els:
            frame_of[el.get("name", "")] = self.resolve(el.get("name", ""), element_label("link", el.get("name", "")))
        moving = {}
        for el in joint_els:
            kind = _MOVING.get((el.get("type") or "").strip())
            if kind is not None:
                moving[el.get("name", "")] = kind
                frame_of[(el.findtext("child") or "").strip()] = self.resolve(el.get("name", ""), element_label("joint", el.get("name", "")))
        if needs_world:
            frame_of[WORLD] = np.eye(4)
        else:  # the root link's frame is the world frame: its placement stays in its geometry
            frame_of[roots[0]] = np.eye(4)
        for el in joint_els:
            joints.append(self._joint(el, moving.get(el.get("name", "")), frame_of))
        world_links: list[Link] = []
        if needs_world:
            if not has_world:
                world_links.append(Link(WORLD))
            for root in roots:
                kind = "fixed" if static else "floating"
                joints.append(Joint(f"{root}_{kind}", kind, WORLD, root, Pose.from_matrix(frame_of[root])))
        links = world_links + [self._link(el, frame_of[el.get("name", "")]) for el in link_els]
        for el in closing:
            if (el.get("type") or "").strip() in _COUPLINGS:
                self.notes.append(f"{el.get('type')} joint {el.get('name')!r} couples two joints' motions; "
                                  "the coupling is not modelled")
        closing = [el for el in closing if (el.get("type") or "").strip() not in _COUPLINGS]
        loops = [self._loop_closure(el, frame_of) for el in closing]
        self.notes.extend(loop_note(loop) for loop in loops)
        model = AssetModel(name=name, links=links, joints=joints, source=str(self.path),
                           notes=self.notes + self.meshes.maps_note(), loop_closures=loops)
        try:
            model.validate()
        except ModelError as exc:
            raise LoadError(str(exc), path=self.path, element=element_label("model", name)) from None
        return model

    def _joint(self, el: ET.Element, kind: str | None, frame_of: dict[str, np.ndarray]) -> Joint:
        jname, jtype = el.get("name", ""), (el.get("type") or "").strip()
        label = element_label("joint", jname)
        parent, child = (el.findtext("parent") or "").strip(), (el.findtext("child") or "").strip()
        origin = np.linalg.inv(frame_of[parent]) @ frame_of[child]
        if kind is None:
            if jtype != "fixed":
                self.notes.append(f"joint {jname!r} is {jtype!r}, which this model cannot express: loaded as fixed")
            return Joint(jname, "fixed", parent, child, Pose.from_matrix(origin))
        axis_el = el.find("axis")
        axis = np.array([0.0, 0.0, 1.0])
        limits = None
        damping = friction = 0.0
        if axis_el is not None and kind != "ball":
            axis = _floats(axis_el.findtext("xyz") or "0 0 1", 3, self.path, label)
            xyz_el = axis_el.find("xyz")
            expressed = xyz_el.get("expressed_in") if xyz_el is not None else None
            if self.version < (1, 7) and (axis_el.findtext("use_parent_model_frame") or "").strip() in ("1", "true"):
                expressed = MODEL_FRAME
            if expressed:
                rotation = self.resolve(jname, label)[:3, :3].T @ self.resolve(expressed, label)[:3, :3]
                axis = rotation @ axis
            limits, kind = self._limits(axis_el.find("limit"), kind, label)
            dynamics = axis_el.find("dynamics")
            if dynamics is not None:
                damping = _float(dynamics.findtext("damping"), 0.0, self.path, label)
                friction = _float(dynamics.findtext("friction"), 0.0, self.path, label)
        try:
            return Joint(jname, kind, parent, child, Pose.from_matrix(origin), tuple(axis), limits, damping, friction)  # type: ignore[arg-type]
        except ModelError as exc:
            raise LoadError(str(exc), path=self.path, element=label) from None

    def _loop_closure(self, el: ET.Element, frame_of: dict[str, np.ndarray]) -> LoopClosure:
        """A joint that closes a loop: the joint frame, expressed in its parent's and child's frames."""
        joint = self._joint(el, _MOVING.get((el.get("type") or "").strip()), frame_of)
        frame = self.resolve(joint.name, element_label("joint", joint.name))
        return LoopClosure(
            joint.name, joint.type, joint.parent, joint.child,
            Pose.from_matrix(np.linalg.inv(frame_of[joint.parent]) @ frame),
            Pose.from_matrix(np.linalg.inv(frame_of[joint.child]) @ frame), joint.axis,
        )  # fmt: skip

    def _limits(self, el: ET.Element | None, kind: str, label: str) -> tuple[JointLimits | None, str]:
        if el is None:
            return None, "continuous" if kind == "revolute" else kind
        lower = _float(el.findtext("lower"), -1e16, self.path, label)
        upper = _float(el.findtext("upper"), 1e16, self.path, label)
        effort = _float(el.findtext("effort"), -1.0, self.path, label)
        velocity = _float(el.findtext("velocity"), -1.0, self.path, label)
        effort = effort if effort > 0 else JointLimits.effort
        velocity = velocity if velocity > 0 else JointLimits.velocity
        if kind in ("revolute", "prismatic") and (abs(lower) >= _UNLIMITED or abs(upper) >= _UNLIMITED):
            if kind == "revolute":
                return JointLimits(0.0, 0.0, effort, velocity), "continuous"
            return None, kind
        if upper < lower:
            raise LoadError(f"limit lower {lower} is above upper {upper}", path=self.path, element=label)
        if kind == "continuous":
            return JointLimits(0.0, 0.0, effort, velocity), kind
        return JointLimits(lower, upper, effort, velocity), kind

    def _link(self, el: ET.Element, frame: np.ndarray) -> Link:
        name = el.get("name", "")
        link = Link(name)
        inverse = np.linalg.inv(frame)
        for kind in ("visual", "collision"):
            for i, item in enumerate(el.findall(kind)):
                label = f"{element_label('link', name)} {element_label(kind, item.get('name'))}"
                geometry = self._geometry(item, label)
                if geometry is None:
                    continue
                origin = Pose.from_matrix(inverse @ self.in_model(item, name, label))
                item_name = item.get("name") or f"{name}_{kind}_{i}"
                if kind == "visual":
                    color = _color(item, self.path, label)
                    material = file_material(_albedo_map(item), color, geometry, self.meshes, label, self.notes)
                    if material is not None and material.texture is not None:
                        color = material.color
                    link.visuals.append(Visual(geometry, origin, color, item_name, material=material))
                else:
                    link.collisions.append(Collision(geometry, origin, item_name))
        inertial = el.find("inertial")
        if inertial is not None:
            label = f"{element_label('link', name)} <inertial>"
            mass = _float(inertial.findtext("mass"), 1.0, self.path, label)
            tensor = inertial.find("inertia")
            values = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]  # SDF's defaults
            if tensor is not None:
                for k, key in enumerate(("ixx", "iyy", "izz", "ixy", "ixz", "iyz")):
                    values[k] = _float(tensor.findtext(key), values[k], self.path, label)
            origin = Pose.from_matrix(inverse @ self.in_model(inertial, name, label))
            link.inertial = Inertial(mass, origin, tuple(values))  # type: ignore[arg-type]
        return link

    def _geometry(self, item: ET.Element, label: str) -> Geometry | None:
        geometry = item.find("geometry")
        shape = geometry[0] if geometry is not None and len(geometry) else None
        if shape is None:
            raise LoadError("has no <geometry> shape", path=self.path, element=label)
        tag = shape.tag
        if tag == "box":
            return Box(tuple(_floats(shape.findtext("size") or "1 1 1", 3, self.path, label)))  # type: ignore[arg-type]
        if tag == "sphere":
            return Sphere(_float(shape.findtext("radius"), 1.0, self.path, label))
        if tag in ("cylinder", "capsule"):
            radius = _float(shape.findtext("radius"), 1.0 if tag == "cylinder" else 0.5, self.path, label)
            length = _float(shape.findtext("length"), 1.0, self.path, label)
            return Cylinder(radius, length) if tag == "cylinder" else Capsule(radius, length)
        if tag == "ellipsoid":
            import trimesh

            radii = _floats(shape.findtext("radii") or "1 1 1", 3, self.path, label)
            mesh = trimesh.creation.icosphere(subdivisions=3)
            mesh.apply_scale(radii)
            return Mesh(mesh, name=f"{item.get('name') or 'ellipsoid'}_ellipsoid")
        if tag == "mesh":
            uri = (shape.findtext("uri") or "").strip()
            if not uri:
                raise LoadError("<mesh> has no <uri>", path=self.path, element=label)
            if uri.startswith(("http://", "https://")):
                raise LoadError(f"mesh {uri!r} is on the web; download the model and use a model:// or file path",
                                path=self.path, element=label)
            scale = _floats(shape.findtext("scale") or "1 1 1", 3, self.path, label)
            if shape.find("submesh") is not None:
                self.notes.append(f"{label}: <submesh> is ignored; the whole mesh {uri!r} is shown")
            return self.meshes.get(uri, scale, label)
        self.notes.append(f"{label}: <{tag}> geometry is not shown (only box, sphere, cylinder, capsule, ellipsoid, mesh)")
        return None


# --------------------------------------------------------------------------- values


def _version(text: str) -> tuple[int, int]:
    try:
        major, minor = text.strip().split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return (1, 10)


def _floats(text: str, count: int, path: Path, label: str) -> np.ndarray:
    try:
        values = np.array([float(v) for v in text.split()], dtype=float)
    except ValueError:
        raise LoadError(f"{text.strip()!r} is not a list of numbers", path=path, element=label) from None
    if len(values) != count or not np.all(np.isfinite(values)):
        raise LoadError(f"{text.strip()!r} must be {count} finite numbers", path=path, element=label)
    return values


def _float(text: str | None, default: float, path: Path, label: str) -> float:
    if text is None or not text.strip():
        return default
    return float(_floats(text, 1, path, label)[0])


def _parse_pose(el: ET.Element, path: Path, label: str) -> np.ndarray:
    """``x y z roll pitch yaw`` (radians, or degrees with ``degrees="true"``) or, with
    ``rotation_format="quat_xyzw"``, ``x y z qx qy qz qw``."""
    text = el.text or ""
    m = np.eye(4)
    if not text.strip():
        return m
    if (el.get("rotation_format") or "euler_rpy") == "quat_xyzw":
        v = _floats(text, 7, path, f"{label} <pose>")
        m[:3, :3] = quaternion_to_matrix((v[6], v[3], v[4], v[5]))
    else:
        v = _floats(text, 6, path, f"{label} <pose>")
        rpy = np.radians(v[3:]) if (el.get("degrees") or "").strip() in ("1", "true") else v[3:]
        m[:3, :3] = rpy_to_matrix(rpy)
    m[:3, 3] = v[:3]
    return m


def _albedo_map(item: ET.Element) -> str | None:
    """The base-colour texture of an SDF visual's PBR material (metal or specular workflow)."""
    for workflow in ("metal", "specular"):
        text = item.findtext(f"material/pbr/{workflow}/albedo_map")
        if text and text.strip():
            return text.strip()
    return None


def _color(item: ET.Element, path: Path, label: str) -> tuple[float, float, float, float] | None:
    material = item.find("material")
    if material is None:
        return None
    for key in ("diffuse", "ambient"):
        text = material.findtext(key)
        if text and text.strip():
            values = [float(v) for v in _floats(text, len(text.split()), path, label)]
            if len(values) == 3:
                values.append(1.0)
            if len(values) == 4:
                return tuple(min(max(v, 0.0), 1.0) for v in values)  # type: ignore[return-value]
    return None

