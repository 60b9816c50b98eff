"""USD for Isaac Sim: one self-contained ``.usda`` (meshes inlined as ``UsdGeom.Mesh``).

Layout, following what Isaac Sim's own URDF importer produces:

* ``/<Robot>`` — the default prim, an ``Xform`` with ``PhysicsArticulationRootAPI``;
  stage is Z-up, ``metersPerUnit = 1``, ``kilogramsPerUnit = 1``.
* ``/<Robot>/<link>`` — one ``Xform`` per link, *siblings* (never nested: nested rigid
  bodies are a USD physics error), placed at its world pose for q = 0, with
  ``PhysicsRigidBodyAPI`` + ``PhysicsMassAPI`` (mass, centre of mass, principal moments and
  axes from the model's full tensor). Its ``visuals`` and ``collisions`` scopes hold the
  geometry; colliders carry ``PhysicsCollisionAPI`` (meshes: convex hull) and purpose
  ``guide`` so they don't render.
* ``/<Robot>/joints/<joint>`` — ``PhysicsRevoluteJoint`` / ``PrismaticJoint`` /
  ``FixedJoint`` with ``body0``/``body1`` targeting the link prims. USD joints turn about a
  principal axis (X/Y/Z), so an arbitrary model axis is handled by rotating the joint
  frame (``localRot0/1``). Revolute limits are in degrees (UsdPhysics convention); movable
  joints (except passive ones, rated effort 0) get a ``PhysicsDriveAPI`` servo (stiffness in N·m/deg for angular drives).
* The massless ``world`` root of a fixed-base model becomes a static ``Xform`` (no rigid
  body), so its joints fix the robot in place — what Isaac calls a fixed-base articulation.
"""

from __future__ import annotations

import math
from typing import IO

import numpy as np

from ..._optional import requires
from ...model import AssetModel, Box, Capsule, Cylinder, Geometry, Joint, Link, Mesh, Pose, Sphere
from ._common import (
    ExportError,
    default_inertia,
    drive_gains,
    effort_of,
    is_passive,
    is_world_anchored,
    unique_identifiers,
)

__all__ = ["build_stage", "write_usd"]


def write_usd(model: AssetModel, fh: IO[bytes]) -> None:
    """Serialise ``model`` as USDA text to the binary stream ``fh``."""
    stage = build_stage(model)
    fh.write(stage.GetRootLayer().ExportToString().encode("utf-8"))


def build_stage(model: AssetModel):  # -> pxr.Usd.Stage
    """An in-memory stage holding ``model`` with UsdPhysics articulation data."""
    with requires("usd", "Exporting USD (isaac_sim_usd)"):
        from pxr import Sdf, Usd, UsdGeom, UsdPhysics

    model.validate()
    stage = Usd.Stage.CreateInMemory()
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    UsdPhysics.SetStageKilogramsPerUnit(stage, 1.0)

    robot_name = unique_identifiers([model.name])[model.name]
    robot_path = Sdf.Path(f"/{robot_name}")
    robot = UsdGeom.Xform.Define(stage, robot_path)
    stage.SetDefaultPrim(robot.GetPrim())
    UsdPhysics.ArticulationRootAPI.Apply(robot.GetPrim())

    ids = unique_identifiers([link.name for link in model.links] + ["joints"])
    link_paths = {link.name: robot_path.AppendChild(ids[link.name]) for link in model.links}
    transforms = model.link_transforms()
    anchored = is_world_anchored(model)
    root_name = model.root.name

    for link in model.links:
        static = anchored and link.name == root_name
        _define_link(stage, link, link_paths[link.name], transforms[link.name], static=static)

    joints_path = robot_path.AppendChild(ids["joints"])
    UsdGeom.Scope.Define(stage, joints_path)
    joint_ids = unique_identifiers(j.name for j in model.joints)
    for joint in model.ordered_joints():
        _define_joint(stage, joint, joints_path.AppendChild(joint_ids[joint.name]), link_paths)
    return stage


def _set_pose(xformable, matrix: np.ndarray) -> None:  # noqa: ANN001 - pxr types
    from pxr import Gf

    pose = Pose.from_matrix(matrix)
    w, x, y, z = pose.quaternion()
    if any(pose.xyz):
        xformable.AddTranslateOp().Set(Gf.Vec3d(*pose.xyz))
    if any(pose.rpy):
        xformable.AddOrientOp().Set(Gf.Quatf(w, x, y, z))


def _define_link(stage, link: Link, path, world: np.ndarray, *, static: bool) -> None:  # noqa: ANN001
    from pxr import Gf, UsdGeom, UsdPhysics

    xform = UsdGeom.Xform.Define(stage, path)
    _set_pose(xform, world)
    prim = xform.GetPrim()
    if not static:
        UsdPhysics.RigidBodyAPI.Apply(prim)
        mass_api = UsdPhysics.MassAPI.Apply(prim)
        mass, com, tensor = default_inertia(link)
        moments, axes = np.linalg.eigh(tensor)
        if np.linalg.det(axes) < 0:
            axes[:, 2] *= -1.0
        w, x, y, z = Pose.from_matrix(_rot4(axes)).quaternion()
        mass_api.CreateMassAttr(float(mass))
        mass_api.CreateCenterOfMassAttr(Gf.Vec3f(*(float(v) for v in com)))
        mass_api.CreateDiagonalInertiaAttr(Gf.Vec3f(*(float(max(m, 1e-12)) for m in moments)))
        mass_api.CreatePrincipalAxesAttr(Gf.Quatf(w, Gf.Vec3f(x, y, z)))
    if link.visuals:
        vis_path = path.AppendChild("visuals")
        UsdGeom.Scope.Define(stage, vis_path)
        for i, visual in enumerate(link.visuals):
            gprim = _define_geometry(stage, vis_path.AppendChild(f"v{i}"), visual.geometry, visual.origin)
            if visual.color is not None:
                gprim.CreateDisplayColorAttr([Gf.Vec3f(*visual.color[:3])])
                if visual.color[3] < 1.0:
                    gprim.CreateDisplayOpacityAttr([float(visual.color[3])])
    if link.collisions:
        col_path = path.AppendChild("collisions")
        UsdGeom.Scope.Define(stage, col_path)
        for i, collision in enumerate(link.collisions):
            gprim = _define_geometry(stage, col_path.AppendChild(f"c{i}"), collision.geometry, collision.origin)
            gprim.CreatePurposeAttr(UsdGeom.Tokens.guide)
            UsdPhysics.CollisionAPI.Apply(gprim.GetPrim())
            if isinstance(collision.geometry, Mesh):
                UsdPhysics.MeshCollisionAPI.Apply(gprim.GetPrim()).CreateApproximationAttr(
                    UsdPhysics.Tokens.convexHull
                )


def _rot4(rot: np.ndarray) -> np.ndarray:
    m = np.eye(4)
    m[:3, :3] = rot
    return m


def _define_geometry(stage, path, geometry: Geometry, origin: Pose):  # noqa: ANN001, ANN201
    from pxr import Gf, UsdGeom, Vt

    if isinstance(geometry, Box):
        gprim = UsdGeom.Cube.Define(stage, path)
        gprim.CreateSizeAttr(1.0)
        _set_pose(gprim, origin.matrix())
        gprim.AddScaleOp().Set(Gf.Vec3f(*geometry.size))
        gprim.CreateExtentAttr([Gf.Vec3f(-0.5, -0.5, -0.5), Gf.Vec3f(0.5, 0.5, 0.5)])
        return gprim
    if isinstance(geometry, Cylinder):
        gprim = UsdGeom.Cylinder.Define(stage, path)
        gprim.CreateRadiusAttr(float(geometry.radius))
        gprim.CreateHeightAttr(float(geometry.length))
        gprim.CreateAxisAttr(UsdGeom.Tokens.z)
        r, h = geometry.radius, geometry.length / 2
        gprim.CreateExtentAttr([Gf.Vec3f(-r, -r, -h), Gf.Vec3f(r, r, h)])
    elif isinstance(geometry, Sphere):
        gprim = UsdGeom.Sphere.Define(stage, path)
        gprim.CreateRadiusAttr(float(geometry.radius))
        r = geometry.radius
        gprim.CreateExtentAttr([Gf.Vec3f(-r, -r, -r), Gf.Vec3f(r, r, r)])
    elif isinstance(geometry, Capsule):
        gprim = UsdGeom.Capsule.Define(stage, path)
        gprim.CreateRadiusAttr(float(geometry.radius))
        gprim.CreateHeightAttr(float(geometry.length))
        gprim.CreateAxisAttr(UsdGeom.Tokens.z)
        r, h = geometry.radius, geometry.length / 2 + geometry.radius
        gprim.CreateExtentAttr([Gf.Vec3f(-r, -r, -h), Gf.Vec3f(r, r, h)])
    elif isinstance(geometry, Mesh):
        gprim = UsdGeom.Mesh.Define(stage, path)
        vertices = np.asarray(geometry.mesh.vertices, dtype=np.float32)
        faces = np.asarray(geometry.mesh.faces, dtype=np.int32)
        gprim.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(vertices))
        gprim.CreateFaceVertexCountsAttr(Vt.IntArray.FromNumpy(np.full(len(faces), 3, dtype=np.int32)))
        gprim.CreateFaceVertexIndicesAttr(Vt.IntArray.FromNumpy(faces.ravel()))
        gprim.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)
        lo, hi = vertices.min(axis=0), vertices.max(axis=0)
        gprim.CreateExtentAttr([Gf.Vec3f(*map(float, lo)), Gf.Vec3f(*map(float, hi))])
    else:
        raise ExportError(f"unsupported geometry {type(geometry).__name__}")
    _set_pose(gprim, origin.matrix())
    return gprim


_PRINCIPAL = {(1.0, 0.0, 0.0): "X", (0.0, 1.0, 0.0): "Y", (0.0, 0.0, 1.0): "Z"}


def _axis_frame(axis: tuple[float, float, float]) -> tuple[str, np.ndarray]:
    """A USD axis token and the rotation (3x3) that makes that token's axis the model axis."""
    key = tuple(round(float(a), 9) + 0.0 for a in axis)
    if key in _PRINCIPAL:
        return _PRINCIPAL[key], np.eye(3)  # type: ignore[index]
    a = np.asarray(axis, dtype=float)
    x = np.array([1.0, 0.0, 0.0])
    v = np.cross(x, a)
    c = float(x @ a)
    if np.linalg.norm(v) < 1e-9:  # -X: half turn about Z
        return "X", np.diag([-1.0, -1.0, 1.0])
    vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return "X", np.eye(3) + vx + vx @ vx * (1.0 / (1.0 + c))


def _define_joint(stage, joint: Joint, path, link_paths: dict) -> None:  # noqa: ANN001
    from pxr import Gf, UsdPhysics

    if joint.type == "fixed":
        usd_joint = UsdPhysics.FixedJoint.Define(stage, path)
        token, frame = "X", np.eye(3)
    elif joint.type in ("revolute", "continuous"):
        usd_joint = UsdPhysics.RevoluteJoint.Define(stage, path)
        token, frame = _axis_frame(joint.axis)
        usd_joint.CreateAxisAttr(token)
        if joint.type == "revolute" and joint.limits is not None:
            usd_joint.CreateLowerLimitAttr(math.degrees(joint.limits.lower))
            usd_joint.CreateUpperLimitAttr(math.degrees(joint.limits.upper))
    elif joint.type == "prismatic":
        usd_joint = UsdPhysics.PrismaticJoint.Define(stage, path)
        token, frame = _axis_frame(joint.axis)
        usd_joint.CreateAxisAttr(token)
        if joint.limits is not None:
            usd_joint.CreateLowerLimitAttr(float(joint.limits.lower))
            usd_joint.CreateUpperLimitAttr(float(joint.limits.upper))
    else:
        raise ExportError(
            f"joint {joint.name!r}: {joint.type} joints have no UsdPhysics equivalent "
            "(use revolute, continuous, prismatic or fixed)"
        )
    usd_joint.CreateBody0Rel().SetTargets([link_paths[joint.parent]])
    usd_joint.CreateBody1Rel().SetTargets([link_paths[joint.child]])
    in_parent = joint.origin.matrix() @ _rot4(frame)
    w0, x0, y0, z0 = Pose.from_matrix(in_parent).quaternion()
    w1, x1, y1, z1 = Pose.from_matrix(_rot4(frame)).quaternion()
    usd_joint.CreateLocalPos0Attr(Gf.Vec3f(*(float(v) for v in joint.origin.xyz)))
    usd_joint.CreateLocalRot0Attr(Gf.Quatf(w0, Gf.Vec3f(x0, y0, z0)))
    usd_joint.CreateLocalPos1Attr(Gf.Vec3f(0.0, 0.0, 0.0))
    usd_joint.CreateLocalRot1Attr(Gf.Quatf(w1, Gf.Vec3f(x1, y1, z1)))
    if joint.is_movable and not is_passive(joint):
        kind = "linear" if joint.type == "prismatic" else "angular"
        drive = UsdPhysics.DriveAPI.Apply(usd_joint.GetPrim(), kind)
        kp, kd = drive_gains(joint)
        per_unit = 1.0 if kind == "linear" else math.pi / 180.0  # angular gains are per degree
        drive.CreateTypeAttr("force")
        drive.CreateTargetPositionAttr(0.0)
        drive.CreateStiffnessAttr(float(kp * per_unit) if joint.type != "continuous" else 0.0)
        drive.CreateDampingAttr(float(kd * per_unit))
        drive.CreateMaxForceAttr(float(effort_of(joint)))
