"""USD layers (``.usd/.usda/.usdc/.usdz``), read with usd-core.

Articulated USD (as Isaac Sim writes it) is rigid-body prims joined by ``UsdPhysics``
joints. Each rigid body (or joint target) becomes a link; each joint prim a joint named as the
prim. A child link's frame is the joint frame on the child side (``body1`` transform times
``localPos1``/``localRot1``) so that axis and origin read as in URDF; the root link sits at the
world origin and keeps its placement in its geometry origins.

Geometry: ``Mesh``, ``Cube``, ``Sphere``, ``Cylinder``, ``Capsule`` and ``Cone`` gprims under
a link (instance proxies included), placed by their composed transforms. Scale is baked into
sizes or vertices (a :class:`~gizmo_notebook.model.Pose` is rigid). A gprim is a visual when
it is visible with purpose ``default``/``render``, and a collision when it has
``PhysicsCollisionAPI``. Colour comes from the bound ``UsdPreviewSurface`` ``diffuseColor``,
else ``primvars:displayColor``/``displayOpacity``.

Units: lengths are scaled by the stage's ``metersPerUnit`` when authored (taken as 1 when it
is not: robot files are in metres far more often than in USD's centimetre default);
revolute limits are authored in degrees and converted to radians. ``upAxis`` is not changed.
Closed loops (a four-bar linkage): the joints are taken in stage order into a spanning tree;
a joint whose body1 already has a parent, or that would close a cycle, becomes a
:class:`~gizmo_notebook.model.LoopClosure` with its frame on both bodies. Rigid bodies without
joints are links of their own, each on a ``floating`` joint to a
``world`` link (a pile of parts stays a pile of parts); a stage with neither joints nor rigid
bodies loads as a single link holding every visible gprim.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import trimesh

from gizmo_notebook._names import claim_unique
from gizmo_notebook._optional import requires
from gizmo_notebook.loaders._errors import LoadError
from gizmo_notebook.loaders._loops import loop_note, tree_joints
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
    quaternion_to_matrix,
)

with requires("usd", "Loading USD files"):
    from pxr import Gf, Usd, UsdGeom, UsdPhysics, UsdShade

    from gizmo_notebook.loaders._usd_materials import UsdMaterials  # reads pxr too

_GPRIMS = (UsdGeom.Mesh, UsdGeom.Cube, UsdGeom.Sphere, UsdGeom.Cylinder, UsdGeom.Capsule, UsdGeom.Cone)
_AXES = {"X": (1.0, 0.0, 0.0), "Y": (0.0, 1.0, 0.0), "Z": (0.0, 0.0, 1.0)}


def load_usd(path: Path) -> AssetModel:
    try:
        stage = Usd.Stage.Open(str(path))
    except Exception as exc:  # pxr raises Tf.ErrorException with a multi-line text
        raise LoadError(f"cannot open USD stage: {' '.join(str(exc).split())}", path=path) from None
    if stage is None:
        raise LoadError("cannot open USD stage", path=path)
    return _Reader(stage, path).read()


class _Reader:
    def __init__(self, stage: Usd.Stage, path: Path) -> None:
        self.stage = stage
        self.path = path
        self.notes: list[str] = []
        self.materials = UsdMaterials(self.notes)
        authored = stage.HasAuthoredMetadata("metersPerUnit")
        self.mpu = float(UsdGeom.GetStageMetersPerUnit(stage)) if authored else 1.0
        self.xforms = UsdGeom.XformCache(Usd.TimeCode.Default())
        self.prims = list(Usd.PrimRange.Stage(stage, Usd.TraverseInstanceProxies()))

    # -- structure ---------------------------------------------------------------
    def read(self) -> AssetModel:
        joint_prims = [p for p in self.prims if p.IsA(UsdPhysics.Joint) and p.IsActive()]
        body_paths: list = []
        for p in self.prims:
            if p.HasAPI(UsdPhysics.RigidBodyAPI) and p.GetPath() not in body_paths:
                body_paths.append(p.GetPath())
        joints_raw = []
        for jp in joint_prims:
            joint = UsdPhysics.Joint(jp)
            b0 = _target(joint.GetBody0Rel())
            b1 = _target(joint.GetBody1Rel())
            if b1 is None:
                raise LoadError("joint has no body1 target", path=self.path, element=_label(jp))
            for b in (b0, b1):
                if b is not None and b not in body_paths:
                    if not self.stage.GetPrimAtPath(b).IsValid():
                        raise LoadError(
                            f"body target {str(b)!r} does not exist", path=self.path, element=_label(jp)
                        )
                    body_paths.append(b)
            joints_raw.append((jp, b0, b1))
        name = self.stage.GetDefaultPrim().GetName() if self.stage.GetDefaultPrim() else self.path.stem
        if not joints_raw and not body_paths:
            link = Link(name=name or self.path.stem)
            self._collect_geometry({}, {None: link}, {None: np.eye(4)})
            return self._finish(name or self.path.stem, [link], [])
        return self._articulated(name or self.path.stem, body_paths, joints_raw)

    def _articulated(self, name: str, body_paths: list, joints_raw: list) -> AssetModel:
        names = _unique_names(body_paths)
        links = {p: Link(name=names[p]) for p in body_paths}
        frames: dict = {}
        joints: list[Joint] = []
        keep = tree_joints([(b0, b1) for _, b0, b1 in joints_raw])
        closing = [raw for raw, k in zip(joints_raw, keep, strict=True) if not k]
        joints_raw = [raw for raw, k in zip(joints_raw, keep, strict=True) if k]
        children = {b1 for _, _, b1 in joints_raw}
        roots = [p for p in body_paths if p not in children]
        needs_world = any(b0 is None for _, b0, _ in joints_raw + closing) or len(roots) != 1
        world = None
        if needs_world:
            world = Link(name=claim_unique("world", set(names.values())))
            frames[None] = np.eye(4)
        else:
            frames[roots[0]] = np.eye(4)
        for jp, _, b1 in joints_raw:
            frames[b1] = self._joint_frame(jp, b1, side=1)
        for p in roots:
            if needs_world and p not in frames:
                frames[p] = _rigid(self._world(self.stage.GetPrimAtPath(p)))
        for jp, b0, b1 in joints_raw:
            joints.append(self._joint(jp, b0, b1, links, world, frames))
        used = {j.name for j in joints}
        if needs_world:
            for p in roots:
                joint_name = claim_unique(f"{names[p]}_floating", used)
                joints.append(
                    Joint(joint_name, "floating", world.name, names[p], Pose.from_matrix(self._to_metres(frames[p])))  # type: ignore[union-attr]
                )
        owners = dict(links)
        if world is not None:
            owners[None] = world
        self._collect_geometry(links, owners, frames)
        for p, link in links.items():
            link.inertial = self._inertial(self.stage.GetPrimAtPath(p), frames[p])
        all_links = ([world] if world is not None else []) + [links[p] for p in body_paths]
        loops = [self._loop_closure(jp, b0, b1, links, world, frames) for jp, b0, b1 in closing]
        return self._finish(name, all_links, joints, loops)

    def _loop_closure(self, jp: Usd.Prim, b0, b1, links: dict, world: Link | None, frames: dict) -> LoopClosure:
        """The joint ``jp`` that closes a loop: its frame on each side, in that link's frame."""
        kind = self._joint(jp, b0, b1, links, world, frames)  # type, axis (in the joint frame)
        sides = [
            self._to_metres(np.linalg.inv(frames[body]) @ self._joint_frame(jp, body, side=side))
            for body, side in ((b0, 0), (b1, 1))
        ]
        return LoopClosure(kind.name, kind.type, kind.parent, kind.child,
                           Pose.from_matrix(sides[0]), Pose.from_matrix(sides[1]), kind.axis)

    def _finish(self, name: str, links: list[Link], joints: list[Joint], loops: list | None = None) -> AssetModel:
        loops = loops or []
        model = AssetModel(name=name, links=links, joints=joints, source=str(self.path), loop_closures=loops,
                           notes=self.notes + [loop_note(loop) for loop in loops])
        try:
            model.validate()
        except ModelError as exc:
            raise LoadError(str(exc), path=self.path) from None
        return model

    def _joint_frame(self, jp: Usd.Prim, body, side: int) -> np.ndarray:
        joint = UsdPhysics.Joint(jp)
        pos = joint.GetLocalPos1Attr().Get() if side == 1 else joint.GetLocalPos0Attr().Get()
        rot = joint.GetLocalRot1Attr().Get() if side == 1 else joint.GetLocalRot0Attr().Get()
        local = np.eye(4)
        if rot is not None:
            local[:3, :3] = quaternion_to_matrix((rot.GetReal(), *rot.GetImaginary()))
        if pos is not None:
            local[:3, 3] = tuple(pos)
        base = self._world(self.stage.GetPrimAtPath(body)) if body is not None else np.eye(4)
        return _rigid(base @ local)

    def _joint(self, jp: Usd.Prim, b0, b1, links: dict, world: Link | None, frames: dict) -> Joint:
        label = f"<{jp.GetTypeName()} name={jp.GetName()!r}>"
        parent = links[b0].name if b0 is not None else world.name  # type: ignore[union-attr]
        origin = self._to_metres(np.linalg.inv(frames[b0]) @ frames[b1])
        axis = (0.0, 0.0, 1.0)
        limits = None
        if jp.IsA(UsdPhysics.RevoluteJoint) or jp.IsA(UsdPhysics.PrismaticJoint):
            typed = UsdPhysics.RevoluteJoint(jp) if jp.IsA(UsdPhysics.RevoluteJoint) else UsdPhysics.PrismaticJoint(jp)
            token = typed.GetAxisAttr().Get() or "X"
            if token not in _AXES:
                raise LoadError(f"axis {token!r} is not X, Y or Z", path=self.path, element=label)
            axis = _AXES[token]
            lo, hi = typed.GetLowerLimitAttr().Get(), typed.GetUpperLimitAttr().Get()
            revolute = jp.IsA(UsdPhysics.RevoluteJoint)
            kind = "revolute" if revolute else "prismatic"
            if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
                factor = math.pi / 180.0 if revolute else self.mpu
                drive = UsdPhysics.DriveAPI(jp, "angular" if revolute else "linear")
                force = drive.GetMaxForceAttr().Get() if drive else None
                effort = float(force) if force is not None and math.isfinite(force) and force > 0 else JointLimits.effort
                if hi < lo:
                    raise LoadError(f"lowerLimit {lo} is above upperLimit {hi}", path=self.path, element=label)
                limits = JointLimits(lower=lo * factor, upper=hi * factor, effort=effort)
            elif revolute:
                kind = "continuous"
        elif jp.IsA(UsdPhysics.SphericalJoint):
            kind = "ball"
        else:  # FixedJoint, and generic/D6 joints, which this model cannot express
            kind = "fixed"
            if not jp.IsA(UsdPhysics.FixedJoint):
                self.notes.append(
                    f"joint {jp.GetName()!r} is a {jp.GetTypeName() or 'generic'} joint, which this model cannot "
                    "express: loaded as fixed"
                )
        return Joint(jp.GetName(), kind, parent, links[b1].name, Pose.from_matrix(origin), axis, limits)

    # -- geometry ----------------------------------------------------------------
    def _collect_geometry(self, links: dict, owners: dict, frames: dict) -> None:
        body_set = set(links)
        for prim in self.prims:
            if not any(prim.IsA(t) for t in _GPRIMS):
                continue
            owner = _owning_body(prim, body_set)
            link = owners.get(owner) or owners.get(None) or next(iter(owners.values()))
            frame = frames.get(owner, frames.get(None, np.eye(4)))
            image = UsdGeom.Imageable(prim)
            visible = image.ComputeVisibility() != UsdGeom.Tokens.invisible and image.ComputePurpose() in (
                UsdGeom.Tokens.default_,
                UsdGeom.Tokens.render,
            )
            collides = prim.HasAPI(UsdPhysics.CollisionAPI)
            if not (visible or collides):
                continue
            relative = np.linalg.inv(frame) @ self._world(prim)
            geometry, origin = self._geometry(prim, relative)
            if geometry is None:
                continue
            if visible:
                link.visuals.append(Visual(geometry, origin, _color(prim), prim.GetName(),
                                           material=self.materials.material(prim, geometry)))
            if collides:
                link.collisions.append(Collision(geometry, origin, prim.GetName()))

    def _geometry(self, prim: Usd.Prim, m: np.ndarray) -> tuple[Geometry | None, Pose]:
        linear = m[:3, :3]
        scale = np.linalg.norm(linear, axis=0)
        if np.any(scale == 0):
            return None, Pose()
        rot = linear / scale
        rigid_ok = np.allclose(rot.T @ rot, np.eye(3), atol=1e-6) and np.linalg.det(rot) > 0
        pose_m = np.eye(4)
        pose_m[:3, :3] = rot
        pose_m[:3, 3] = m[:3, 3] * self.mpu
        s = scale * self.mpu
        if rigid_ok:
            if prim.IsA(UsdGeom.Cube):
                size = float(UsdGeom.Cube(prim).GetSizeAttr().Get())
                return Box(tuple(float(v) for v in size * s)), Pose.from_matrix(pose_m)  # type: ignore[arg-type]
            if prim.IsA(UsdGeom.Sphere) and np.allclose(s, s[0], rtol=1e-6):
                return Sphere(float(UsdGeom.Sphere(prim).GetRadiusAttr().Get()) * float(s[0])), Pose.from_matrix(pose_m)
            if prim.IsA(UsdGeom.Cylinder) or prim.IsA(UsdGeom.Capsule):
                found = self._round_primitive(prim, s, pose_m)
                if found is not None:
                    return found
        mesh = self._as_trimesh(prim)
        if mesh is None:
            return None, Pose()
        if rigid_ok:
            mesh.apply_transform(np.diag([*s, 1.0]))
            return Mesh(mesh, name=prim.GetName(), source=str(self.path)), Pose.from_matrix(pose_m)
        baked = m.copy()
        baked[:3, :] *= self.mpu
        mesh.apply_transform(baked)
        return Mesh(mesh, name=prim.GetName(), source=str(self.path)), Pose()

    def _round_primitive(self, prim: Usd.Prim, s: np.ndarray, pose_m: np.ndarray):
        is_capsule = prim.IsA(UsdGeom.Capsule)
        typed = UsdGeom.Capsule(prim) if is_capsule else UsdGeom.Cylinder(prim)
        axis = typed.GetAxisAttr().Get() or "Z"
        k = "XYZ".index(axis)
        radial = [s[i] for i in range(3) if i != k]
        if not np.isclose(radial[0], radial[1], rtol=1e-6) or (is_capsule and not np.isclose(radial[0], s[k], rtol=1e-6)):
            return None
        radius = float(typed.GetRadiusAttr().Get()) * float(radial[0])
        height = float(typed.GetHeightAttr().Get()) * float(s[k])
        pre = np.eye(4)
        if axis == "X":
            pre[:3, :3] = [[0, 0, 1], [0, 1, 0], [-1, 0, 0]]  # +Z -> +X
        elif axis == "Y":
            pre[:3, :3] = [[1, 0, 0], [0, 0, -1], [0, 1, 0]]  # +Z -> +Y
        geometry = Capsule(radius, height) if is_capsule else Cylinder(radius, height)
        return geometry, Pose.from_matrix(pose_m @ pre)

    def _as_trimesh(self, prim: Usd.Prim) -> trimesh.Trimesh | None:
        if prim.IsA(UsdGeom.Mesh):
            mesh = _mesh_prim(prim, self.path)
            return None if mesh is None else self.materials.mesh_with_texcoords(prim, mesh)
        if prim.IsA(UsdGeom.Cone):
            cone = UsdGeom.Cone(prim)
            mesh = trimesh.creation.cone(radius=cone.GetRadiusAttr().Get(), height=cone.GetHeightAttr().Get())
            mesh.apply_translation((0, 0, -cone.GetHeightAttr().Get() / 2))  # USD cones are centred
            axis = cone.GetAxisAttr().Get() or "Z"
            if axis != "Z":
                target = _AXES[axis]
                mesh.apply_transform(trimesh.geometry.align_vectors((0, 0, 1), target))
            return mesh
        if prim.IsA(UsdGeom.Cube):
            return trimesh.creation.box(extents=[UsdGeom.Cube(prim).GetSizeAttr().Get()] * 3)
        if prim.IsA(UsdGeom.Sphere):
            return trimesh.creation.icosphere(subdivisions=3, radius=UsdGeom.Sphere(prim).GetRadiusAttr().Get())
        typed = UsdGeom.Capsule(prim) if prim.IsA(UsdGeom.Capsule) else UsdGeom.Cylinder(prim)
        r, h = typed.GetRadiusAttr().Get(), typed.GetHeightAttr().Get()
        mesh = (trimesh.creation.capsule(height=h, radius=r) if prim.IsA(UsdGeom.Capsule)
                else trimesh.creation.cylinder(radius=r, height=h))
        axis = typed.GetAxisAttr().Get() or "Z"
        if axis != "Z":
            mesh.apply_transform(trimesh.geometry.align_vectors((0, 0, 1), _AXES[axis]))
        return mesh

    def _inertial(self, prim: Usd.Prim, frame: np.ndarray) -> Inertial | None:
        if not prim.HasAPI(UsdPhysics.MassAPI):
            return None
        api = UsdPhysics.MassAPI(prim)
        mass = api.GetMassAttr().Get()
        if mass is not None and not math.isfinite(mass):
            raise LoadError(f"mass {mass} is not finite", path=self.path, element=_label(prim))
        if mass is None or mass <= 0:
            return None
        com = api.GetCenterOfMassAttr().Get()
        axes = api.GetPrincipalAxesAttr().Get()
        diag = api.GetDiagonalInertiaAttr().Get()
        local = np.eye(4)
        if axes is not None and (axes.GetReal() or any(axes.GetImaginary())):
            local[:3, :3] = quaternion_to_matrix((axes.GetReal(), *axes.GetImaginary()))
        if com is not None and all(math.isfinite(v) for v in com):
            local[:3, 3] = tuple(com)
        origin = self._to_metres(np.linalg.inv(frame) @ _rigid(self._world(prim)) @ local)
        inertia = tuple(float(v) * self.mpu**2 for v in diag) if diag is not None else (0.0, 0.0, 0.0)
        if not all(math.isfinite(v) for v in inertia):
            raise LoadError(f"diagonalInertia {tuple(diag)} is not finite", path=self.path,
                            element=_label(prim))
        return Inertial(mass=float(mass), origin=Pose.from_matrix(origin), inertia=(*inertia, 0.0, 0.0, 0.0))  # type: ignore[arg-type]

    # -- helpers -----------------------------------------------------------------
    def _world(self, prim: Usd.Prim) -> np.ndarray:
        m = np.array(self.xforms.GetLocalToWorldTransform(prim), dtype=float).T
        if not np.isfinite(m).all():  # a NaN xformOp here, or on a parent
            raise LoadError("its transform (or a parent's) holds a NaN or an infinity", path=self.path,
                            element=_label(prim))
        return m

    def _to_metres(self, m: np.ndarray) -> np.ndarray:
        out = m.copy()
        out[:3, 3] *= self.mpu
        return out


def _label(prim: Usd.Prim) -> str:
    """How an error names a prim: its type and path (``<Xform /robot/base>``)."""
    return f"<{prim.GetTypeName()} {prim.GetPath()}>"


def _mesh_prim(prim: Usd.Prim, path: Path) -> trimesh.Trimesh | None:
    mesh = UsdGeom.Mesh(prim)
    points = mesh.GetPointsAttr().Get()
    counts = mesh.GetFaceVertexCountsAttr().Get()
    indices = mesh.GetFaceVertexIndicesAttr().Get()
    if not points or not counts or indices is None:
        return None
    points = np.asarray(points, dtype=np.float64)
    if not np.isfinite(points).all():
        raise LoadError("points hold a NaN or an infinity", path=path, element=_label(prim))
    counts = np.asarray(counts, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    if counts.sum() != len(indices) or (len(indices) and (indices.max() >= len(points) or indices.min() < 0)):
        raise LoadError("faceVertexIndices do not match points/faceVertexCounts", path=path, element=_label(prim))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    tris = []
    for n in np.unique(counts):
        if n < 3:
            continue
        first = starts[counts == n]
        for k in range(1, n - 1):  # fan triangulation, as Hydra does for convex polygons
            tris.append(np.stack([indices[first], indices[first + k], indices[first + k + 1]], axis=1))
    if not tris:
        return None
    faces = np.concatenate(tris)
    if mesh.GetOrientationAttr().Get() == UsdGeom.Tokens.leftHanded:
        faces = faces[:, ::-1]
    return trimesh.Trimesh(vertices=points, faces=faces, process=False)


def _color(prim: Usd.Prim) -> tuple[float, float, float, float] | None:
    material, _ = UsdShade.MaterialBindingAPI(prim).ComputeBoundMaterial()
    if material:
        shader = material.ComputeSurfaceSource()[0]
        if shader:
            diffuse = shader.GetInput("diffuseColor")
            value = diffuse.Get() if diffuse else None
            if value is not None:
                opacity = shader.GetInput("opacity")
                alpha = opacity.Get() if opacity and opacity.Get() is not None else 1.0
                return (float(value[0]), float(value[1]), float(value[2]), float(alpha))
    gprim = UsdGeom.Gprim(prim)
    colors = gprim.GetDisplayColorPrimvar().Get() if gprim.GetDisplayColorPrimvar() else None
    if colors:
        opacities = gprim.GetDisplayOpacityPrimvar().Get() if gprim.GetDisplayOpacityPrimvar() else None
        alpha = float(opacities[0]) if opacities else 1.0
        c = colors[0]
        return (float(c[0]), float(c[1]), float(c[2]), alpha)
    return None


def _target(rel: Usd.Relationship):
    targets = rel.GetTargets() if rel else []
    return targets[0] if targets else None


def _owning_body(prim: Usd.Prim, bodies: set):
    p = prim
    while p and p.GetPath() != p.GetPath().absoluteRootPath:
        if p.GetPath() in bodies:
            return p.GetPath()
        p = p.GetParent()
    return None


def _rigid(m: np.ndarray) -> np.ndarray:
    """Drop scale (and shear) from a transform: link frames are rigid."""
    out = np.eye(4)
    u, _, vt = np.linalg.svd(m[:3, :3])
    r = u @ vt
    if np.linalg.det(r) < 0:
        u[:, -1] *= -1
        r = u @ vt
    out[:3, :3] = r
    out[:3, 3] = m[:3, 3]
    return out


def _unique_names(paths: list) -> dict:
    names: dict = {}
    used: set[str] = set()
    for p in paths:
        base = p.name
        names[p] = claim_unique(base if base not in used else str(p).strip("/").replace("/", "_"), used)
    return names


_ = Gf  # imported so pxr's Gf types are registered before values are read
