"""MJCF files, compiled by MuJoCo itself and read back from the compiled ``MjModel``.

Letting MuJoCo compile the file means default classes, ``childclass``, ``<include>``,
``fromto``, ``meshdir``, degree/radian settings and mesh re-centering are resolved exactly as
the simulator resolves them; the loader only maps the result onto links and joints.

Mapping (MuJoCo -> :class:`~gizmo_notebook.model.AssetModel`):

* the world body is the root link (named as MuJoCo names it, ``world``); every other body is
  a link with its name from the file (``body<N>`` when unnamed);
* hinge -> ``revolute`` (``continuous`` when unlimited), slide -> ``prismatic``, ball ->
  ``ball``, free -> ``floating``; a body with no joint is attached by a ``fixed`` joint named
  ``<body>_fixed``;
* a body with several joints is kept a tree by chaining them through massless intermediate
  links named ``<body>__<joint>``: joint *i* moves link ``<body>__<joint i>``, the last
  joint moves the body's own link, which carries the geoms and the inertia;
* a link's frame sits on its (last) joint's anchor, so the joint origin and axis read the way
  URDF expects and the geoms are offset to match;
* joint values are measured from ``qpos0`` (the joint's ``ref``), which is where MuJoCo places
  the model when nothing moves; limits are shifted by ``ref`` accordingly;
* a geom is a visual when it is not fully transparent and its group is one of MuJoCo's viewer's
  six (0-5): the visual keeps its group, and groups 3-5 start hidden as in MuJoCo's viewer
  (``model.notes`` says so); a geom is a collision when ``contype`` or ``conaffinity`` is set;
* a skin is a mesh visual in its rest pose, fixed to the bone body that holds most of it
  (see :func:`_add_skins`; links are rigid here);
  planes and height fields are ground, not robot, and are skipped;
* ``<equality>`` ``connect`` and ``weld`` constraints close kinematic loops on the body tree:
  each is a :class:`~gizmo_notebook.model.LoopClosure` (``ball`` / ``fixed``) on the model.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import trimesh

from gizmo_notebook._names import claim_unique
from gizmo_notebook._optional import requires
from gizmo_notebook.loaders._errors import LoadError
from gizmo_notebook.loaders._loops import loop_note
from gizmo_notebook.loaders._mj_materials import MjMaterials, mesh_with_texcoords
from gizmo_notebook.loaders._xml import read_xml
from gizmo_notebook.model import (
    GROUPS,
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
    Material,
    Mesh,
    ModelError,
    Pose,
    Sphere,
    Visual,
    quaternion_to_matrix,
)

with requires("mujoco", "Loading MJCF files"):
    import mujoco

_G = mujoco.mjtGeom
_J = mujoco.mjtJoint
_OBJ = mujoco.mjtObj
_EQ = mujoco.mjtEq
_DEFAULT_RGBA = np.array([0.5, 0.5, 0.5, 1.0], dtype=np.float32)
MAX_INCLUDE_DEPTH = 16
_log = logging.getLogger(__name__)


def load_mjcf(path: Path) -> AssetModel:
    said: list[str] = []
    mj = compile_mjcf(path, warnings=said)
    model = model_from_mujoco(mj, name=_model_name(mj) or path.stem, source=str(path))
    model.notes.extend(f"MuJoCo: {text}" for text in said)
    return model


def compile_mjcf(path: Path, *, warnings: list[str] | None = None) -> mujoco.MjModel:
    """The ``MjModel`` MuJoCo compiles from ``path``, after the same safety pass as loading
    (every included file through defusedxml); compile errors become :class:`LoadError`.

    MuJoCo's compiler warnings (a deprecated attribute, say) go to ``warnings`` when given
    (the loader shows them as the model's notes, under the view, not as red log lines in the
    notebook), else to logging."""
    _check_safe(path, path, depth=0)
    previous = mujoco.get_mju_user_warning()

    def warning(text: str) -> None:
        if "NaN" in text:  # that one becomes _check_finite's LoadError, naming the element
            return
        if warnings is not None:
            warnings.append(text.strip())
        else:
            _log.warning("%s: %s", path.name, text.strip())

    # MuJoCo's default warning handler appends to MUJOCO_LOG.TXT in the working directory;
    # route compiler warnings (deprecated attributes...) to logging instead.
    mujoco.set_mju_user_warning(warning)
    try:
        mj = mujoco.MjModel.from_xml_path(str(path))
    except Exception as exc:  # MuJoCo reports XML and compile errors as ValueError
        raise LoadError(_mujoco_message(exc), path=path) from None
    finally:
        mujoco.set_mju_user_warning(previous)
    _check_finite(mj, path)
    return mj


# The compiled arrays the model is built from, by the element they belong to. MuJoCo compiles
# a NaN (with a warning) or an infinity (silently) in them, and it would then poison poses,
# bounds and the JSON the viewer sends, far from the attribute that holds it.
_FINITE_FIELDS = (
    ("body", _OBJ.mjOBJ_BODY, ("body_pos", "body_quat", "body_ipos", "body_iquat", "body_mass", "body_inertia")),
    ("joint", _OBJ.mjOBJ_JOINT, ("jnt_pos", "jnt_axis", "jnt_range")),
    ("geom", _OBJ.mjOBJ_GEOM, ("geom_pos", "geom_quat", "geom_size")),
)


def _check_finite(mj: mujoco.MjModel, path: Path) -> None:
    """A LoadError naming the first element whose compiled numbers are not all finite."""
    for tag, objtype, fields in _FINITE_FIELDS:
        for field in fields:
            values = np.asarray(getattr(mj, field))
            if values.size == 0:
                continue
            bad = ~np.isfinite(values.reshape(len(values), -1)).all(axis=1)
            if bad.any():
                i = int(np.argmax(bad))
                name = mujoco.mj_id2name(mj, objtype, i)
                element = f"<{tag} name='{name}'>" if name else f"<{tag}> number {i + 1} (unnamed)"
                attribute = field.split("_", 1)[1]  # compiled (radians, normalized): not the file's own numbers
                raise LoadError(f"{element}: its {attribute} holds a NaN or an infinity: give every number a "
                                "real value", path=path)


def _check_safe(path: Path, top: Path, depth: int) -> None:
    """defusedxml-parse the file and every file it ``<include>``s."""
    if depth > MAX_INCLUDE_DEPTH:
        raise LoadError("<include> nesting is too deep (a cycle?)", path=top)
    _, root = read_xml(path)
    if depth == 0 and root.tag != "mujoco":
        raise LoadError(f"root element is <{root.tag}>, expected <mujoco>", path=path)
    for inc in root.iter("include"):
        name = inc.get("file")
        if not name:
            continue
        for base in (path.parent, top.parent):
            child = (base / name).resolve()
            if child.is_file():
                _check_safe(child, top, depth + 1)
                break


def _model_name(mj: mujoco.MjModel) -> str:
    """``<mujoco model="...">``: MuJoCo stores it as the first entry of its names buffer."""
    raw = bytes(mj.names[: int(mj.name_bodyadr[0])]) if mj.nbody else b""
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def _mujoco_message(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[len("XML Error: ") :] if text.startswith("XML Error: ") else text


def model_from_mujoco(mj: mujoco.MjModel, *, name: str, source: str | None = None) -> AssetModel:
    """Map a compiled ``MjModel`` onto an :class:`AssetModel` (see the module docstring)."""
    body_names = body_link_names(mj)
    jnames = joint_names(mj)
    anchor = np.zeros((mj.nbody, 3))  # each body's link-frame offset in its body frame
    links: list[Link] = []
    joints: list[Joint] = []
    joint_names_used: set[str] = set()
    link_by_body: dict[int, Link] = {}

    for b in range(mj.nbody):
        link = Link(name=body_names[b])
        link_by_body[b] = link
        if b == 0:
            links.append(link)
            continue
        parent = int(mj.body_parentid[b])
        body_pose = _matrix(mj.body_pos[b], mj.body_quat[b])
        offset_parent = _translation(-anchor[parent])
        jids = list(range(int(mj.body_jntadr[b]), int(mj.body_jntadr[b]) + int(mj.body_jntnum[b])))
        if not jids:
            fixed = claim_unique(f"{body_names[b]}_fixed", joint_names_used)
            joints.append(
                Joint(fixed, "fixed", body_names[parent], link.name, origin=Pose.from_matrix(offset_parent @ body_pose))
            )
            links.append(link)
            continue
        prev_link = body_names[parent]
        prev_anchor: np.ndarray | None = None
        for k, j in enumerate(jids):
            jname = jnames[j]
            joint_names_used.add(jname)
            jtype = int(mj.jnt_type[j])
            p = np.zeros(3) if jtype == _J.mjJNT_FREE else np.asarray(mj.jnt_pos[j], dtype=float)
            origin = offset_parent @ body_pose @ _translation(p) if prev_anchor is None else _translation(p - prev_anchor)
            last = k == len(jids) - 1
            child = link if last else Link(name=f"{body_names[b]}__{jname}")
            if not last:
                links.append(child)
            joints.append(_joint(mj, j, jname, prev_link, child.name, Pose.from_matrix(origin)))
            prev_link, prev_anchor = child.name, p
        anchor[b] = link_anchor(mj, b)  # == prev_anchor: the last joint's
        links.append(link)

    for b in range(mj.nbody):
        link = link_by_body[b]
        to_link = _translation(-anchor[b])
        if b > 0 and mj.body_mass[b] > 0:
            inertia = mj.body_inertia[b]
            link.inertial = Inertial(
                mass=float(mj.body_mass[b]),
                origin=Pose.from_matrix(to_link @ _matrix(mj.body_ipos[b], mj.body_iquat[b])),
                inertia=(float(inertia[0]), float(inertia[1]), float(inertia[2]), 0.0, 0.0, 0.0),
            )
    meshes: dict[int, Mesh] = {}
    materials = MjMaterials(mj)
    hidden: dict[str, int] = {}
    for g in range(mj.ngeom):
        b = int(mj.geom_bodyid[g])
        geometry, pre = _geometry(mj, g, meshes, body_names)
        if geometry is None:
            kind = _G(int(mj.geom_type[g])).name.removeprefix("mjGEOM_").lower()
            key = f"{kind} geoms (ground or implicit surfaces, not robot parts)"
            hidden[key] = hidden.get(key, 0) + 1
            continue
        origin = Pose.from_matrix(_translation(-anchor[b]) @ _matrix(mj.geom_pos[g], mj.geom_quat[g]) @ pre)
        gname = _name(mj, _OBJ.mjOBJ_GEOM, g) or None
        rgba = _rgba(mj, g)
        link = link_by_body[b]
        color = tuple(float(c) for c in rgba)
        material = materials.material(g, geometry, color) if rgba[3] > 0 else None  # type: ignore[arg-type]
        visual = _grouped_visual(geometry, origin, rgba, gname, int(mj.geom_group[g]), hidden, material)
        if visual is not None:
            link.visuals.append(visual)
        if mj.geom_contype[g] or mj.geom_conaffinity[g]:
            link.collisions.append(Collision(geometry, origin, gname))

    loops = _loop_closures(mj, body_names)
    notes = [f"{count} {what} are not drawn" for what, count in hidden.items()] + materials.notes()
    notes += _group_notes(links)
    notes += _add_skins(mj, link_by_body, anchor)
    if getattr(mj, "nflex", 0):
        notes.append(f"{mj.nflex} flex object(s) (deformable bodies) are not drawn")
    model = AssetModel(name=name, links=links, joints=joints, source=source, loop_closures=loops,
                       notes=notes + [loop_note(loop) for loop in loops])
    try:
        model.validate()
    except ModelError as exc:
        raise LoadError(str(exc), path=source) from None
    return model


def _grouped_visual(
    geometry: Geometry, origin: Pose, rgba: np.ndarray, name: str | None, group: int, hidden: dict[str, int],
    material: Material | None = None,
) -> Visual | None:
    """The visual a geom makes, in its MuJoCo group (the groups 3-5 MuJoCo's viewer hides
    by default are kept, marked, and hidden the same way); ``None`` for what no viewer draws:
    fully transparent geoms and groups outside 0-5 (counted in ``hidden`` for the notes)."""
    if rgba[3] <= 0:
        hidden["fully transparent geoms"] = hidden.get("fully transparent geoms", 0) + 1
        return None
    if group not in GROUPS:
        key = f"geoms in groups outside 0-{GROUPS[-1]}, which MuJoCo's viewer never shows,"
        hidden[key] = hidden.get(key, 0) + 1
        return None
    return Visual(geometry, origin, tuple(float(c) for c in rgba), name, group=group, material=material)  # type: ignore[arg-type]


def _group_notes(links: list[Link]) -> list[str]:
    """Say which groups start hidden, and why, so the viewer can tell the user."""
    counts: dict[int, int] = {}
    for link in links:
        for v in link.visuals:
            if not v.shown_by_default and v.group is not None:
                counts[v.group] = counts.get(v.group, 0) + 1
    return [
        f"{counts[g]} geom(s) in group {g} are hidden, as MuJoCo's viewer hides groups 3-5 by default: "
        f"turn group {g} on to see them"
        for g in sorted(counts)
    ]


def _add_skins(mj: mujoco.MjModel, link_by_body: dict[int, Link], anchor: np.ndarray) -> list[str]:
    """Each skin as a mesh visual on its dominant bone's link, and the notes that say so.

    A skin is a surface whose vertices follow several bodies (bones) by weight; this model
    has rigid links only. So the skin is drawn as MuJoCo draws it with every joint at ``qpos0``
    (its rest pose), fixed to the bone with the largest total weight: it follows that body
    and does not deform with the others.
    """
    if not mj.nskin:
        return []
    data = mujoco.MjData(mj)
    mujoco.mj_kinematics(mj, data)
    notes = []
    for s in range(mj.nskin):
        world = _skin_vertices(mj, data, s)
        fadr, fnum = int(mj.skin_faceadr[s]), int(mj.skin_facenum[s])
        faces = np.array(mj.skin_face[fadr : fadr + fnum], dtype=np.int64)
        name = _name(mj, _OBJ.mjOBJ_SKIN, s) or f"skin{s}"
        bones = range(int(mj.skin_boneadr[s]), int(mj.skin_boneadr[s]) + int(mj.skin_bonenum[s]))
        if not len(world) or not len(faces) or not bones:
            notes.append(f"skin {name!r} has no vertices, faces or bones: not drawn")
            continue
        weight: dict[int, float] = {}
        for bone in bones:
            adr, num = int(mj.skin_bonevertadr[bone]), int(mj.skin_bonevertnum[bone])
            b = int(mj.skin_bonebodyid[bone])
            weight[b] = weight.get(b, 0.0) + float(np.sum(mj.skin_bonevertweight[adr : adr + num]))
        body = max(weight, key=lambda b: weight[b])
        link_frame = _matrix(data.xpos[body], data.xquat[body]) @ _translation(anchor[body])
        local = trimesh.transform_points(world, np.linalg.inv(link_frame))
        tm = trimesh.Trimesh(vertices=local, faces=faces, process=False)
        if float(mj.skin_inflate[s]):  # MuJoCo pushes each vertex out along its normal
            tm = trimesh.Trimesh(vertices=local + tm.vertex_normals * float(mj.skin_inflate[s]), faces=faces, process=False)
        rgba = np.asarray(mj.skin_rgba[s], dtype=np.float32)
        mat = int(mj.skin_matid[s])
        if mat >= 0 and np.allclose(rgba, _DEFAULT_RGBA):
            rgba = np.asarray(mj.mat_rgba[mat], dtype=np.float32)
        hidden: dict[str, int] = {}
        visual = _grouped_visual(Mesh(tm, name=name), Pose(), rgba, name, int(mj.skin_group[s]), hidden)
        link = link_by_body[body]
        if visual is None:
            notes.append(f"skin {name!r} is not drawn: it is fully transparent or outside groups 0-5")
            continue
        link.visuals.append(visual)
        others = len(weight) - 1
        notes.append(
            f"skin {name!r} is drawn in its rest pose, fixed to link {link.name!r}"
            + (f": it does not deform with its {others} other bone(s)" if others else "")
        )
    return notes


def _skin_vertices(mj: mujoco.MjModel, data: mujoco.MjData, s: int) -> np.ndarray:
    """Skin ``s``'s vertices in the world at the pose of ``data``, by MuJoCo's own rule: each
    bone moves its vertices from its bind pose to its body's pose, blended by weight."""
    vadr, vnum = int(mj.skin_vertadr[s]), int(mj.skin_vertnum[s])
    vert = np.array(mj.skin_vert[vadr : vadr + vnum], dtype=np.float64)
    out = np.zeros_like(vert)
    total = np.zeros(vnum)
    for bone in range(int(mj.skin_boneadr[s]), int(mj.skin_boneadr[s]) + int(mj.skin_bonenum[s])):
        b = int(mj.skin_bonebodyid[bone])
        bind = _matrix(mj.skin_bonebindpos[bone], mj.skin_bonebindquat[bone])
        move = _matrix(data.xpos[b], data.xquat[b]) @ np.linalg.inv(bind)
        adr, num = int(mj.skin_bonevertadr[bone]), int(mj.skin_bonevertnum[bone])
        ids = np.asarray(mj.skin_bonevertid[adr : adr + num], dtype=np.int64)
        w = np.asarray(mj.skin_bonevertweight[adr : adr + num], dtype=np.float64)
        np.add.at(out, ids, w[:, None] * trimesh.transform_points(vert[ids], move))
        np.add.at(total, ids, w)
    bound = total > 0
    out[bound] /= total[bound][:, None]
    out[~bound] = vert[~bound]  # a vertex no bone holds stays where the file puts it
    return out


def _loop_closures(mj: mujoco.MjModel, body_names: list[str]) -> list[LoopClosure]:
    """``<equality><connect>`` and ``<weld>`` constraints: the loops MJCF closes on its body tree.

    MuJoCo stores a connect as its anchor in body1 then the same point in body2, and a weld as
    its anchor on body2, that anchor in body1 and body2's orientation in body1 (``eq_data``).
    """
    out: list[LoopClosure] = []
    used: set[str] = set()
    for e in range(mj.neq):
        kind = int(mj.eq_type[e])
        if kind not in (_EQ.mjEQ_CONNECT, _EQ.mjEQ_WELD):
            continue  # joint / tendon couplings and flex constraints close no kinematic loop
        by_site = int(getattr(mj, "eq_objtype", [_OBJ.mjOBJ_BODY] * mj.neq)[e]) == _OBJ.mjOBJ_SITE  # MuJoCo >= 3.1.2
        ends = []
        for obj in (int(mj.eq_obj1id[e]), int(mj.eq_obj2id[e])):
            if by_site:
                ends.append((int(mj.site_bodyid[obj]), _matrix(mj.site_pos[obj], mj.site_quat[obj])))
            else:
                ends.append((obj, np.eye(4)))
        (b1, site1), (b2, site2) = ends
        data = np.asarray(mj.eq_data[e], dtype=float)
        if by_site:  # the sites are the two frames that meet
            first, second = site1, site2
        elif kind == _EQ.mjEQ_CONNECT:
            first, second = _translation(data[0:3]), _translation(data[3:6])
        else:
            first, second = _matrix(data[3:6], data[6:10]), _translation(data[0:3])
        name = claim_unique(_name(mj, _OBJ.mjOBJ_EQUALITY, e) or f"{'connect' if kind == _EQ.mjEQ_CONNECT else 'weld'}{e}", used)
        out.append(LoopClosure(
            name, "ball" if kind == _EQ.mjEQ_CONNECT else "fixed", body_names[b1], body_names[b2],
            Pose.from_matrix(_translation(-link_anchor(mj, b1)) @ first),
            Pose.from_matrix(_translation(-link_anchor(mj, b2)) @ second),
        ))  # fmt: skip
    return out


def body_link_names(mj: mujoco.MjModel) -> list[str]:
    """The link name of each body: its name in the file, ``world`` for body 0, else ``body<N>``."""
    return [_name(mj, _OBJ.mjOBJ_BODY, b) or ("world" if b == 0 else f"body{b}") for b in range(mj.nbody)]


def joint_names(mj: mujoco.MjModel) -> list[str]:
    """The name of each MuJoCo joint as the loaded model names it (``joint<N>`` when unnamed)."""
    return [_name(mj, _OBJ.mjOBJ_JOINT, j) or f"joint{j}" for j in range(mj.njnt)]


def link_anchor(mj: mujoco.MjModel, b: int) -> np.ndarray:
    """Where body ``b``'s link frame sits in its body frame: on its last joint's anchor (the
    origin for a free joint or no joint), as :func:`model_from_mujoco` places it."""
    count = int(mj.body_jntnum[b])
    if b == 0 or count == 0:
        return np.zeros(3)
    j = int(mj.body_jntadr[b]) + count - 1
    return np.zeros(3) if int(mj.jnt_type[j]) == _J.mjJNT_FREE else np.asarray(mj.jnt_pos[j], dtype=float)


def _joint(mj: mujoco.MjModel, j: int, name: str, parent: str, child: str, origin: Pose) -> Joint:
    jtype = int(mj.jnt_type[j])
    axis = tuple(float(v) for v in mj.jnt_axis[j])
    qpos0 = float(mj.qpos0[mj.jnt_qposadr[j]])
    dof = int(mj.jnt_dofadr[j])
    damping, friction = float(mj.dof_damping[dof]), float(mj.dof_frictionloss[dof])
    if jtype == _J.mjJNT_FREE:
        return Joint(name, "floating", parent, child, origin)
    if jtype == _J.mjJNT_BALL:
        return Joint(name, "ball", parent, child, origin, damping=damping, friction=friction)
    kind = "revolute" if jtype == _J.mjJNT_HINGE else "prismatic"
    limits = None
    if bool(mj.jnt_limited[j]):
        lo, hi = (float(v) - qpos0 for v in mj.jnt_range[j])
        effort = JointLimits.effort
        if bool(mj.jnt_actfrclimited[j]):
            effort = float(max(abs(v) for v in mj.jnt_actfrcrange[j]))
        limits = JointLimits(lower=lo, upper=hi, effort=effort)
    elif kind == "revolute":
        kind = "continuous"
    return Joint(name, kind, parent, child, origin, axis, limits, damping=damping, friction=friction)  # type: ignore[arg-type]


def _geometry(
    mj: mujoco.MjModel, g: int, meshes: dict[int, Mesh], body_names: list[str]
) -> tuple[Geometry | None, np.ndarray]:
    """The geometry of geom ``g`` and a transform to apply before it (identity so far)."""
    gtype = int(mj.geom_type[g])
    size = [float(v) for v in mj.geom_size[g]]
    eye = np.eye(4)
    if gtype == _G.mjGEOM_SPHERE:
        return Sphere(size[0]), eye
    if gtype == _G.mjGEOM_CAPSULE:
        return Capsule(size[0], 2 * size[1]), eye
    if gtype == _G.mjGEOM_CYLINDER:
        return Cylinder(size[0], 2 * size[1]), eye
    if gtype == _G.mjGEOM_BOX:
        return Box((2 * size[0], 2 * size[1], 2 * size[2])), eye
    if gtype == _G.mjGEOM_ELLIPSOID:
        ellipsoid = trimesh.creation.icosphere(subdivisions=3)
        ellipsoid.apply_scale(size)
        return Mesh(ellipsoid, name=f"{body_names[int(mj.geom_bodyid[g])]}_ellipsoid{g}"), eye
    if gtype == _G.mjGEOM_MESH:
        mesh_id = int(mj.geom_dataid[g])
        if mesh_id not in meshes:
            vadr, vnum = int(mj.mesh_vertadr[mesh_id]), int(mj.mesh_vertnum[mesh_id])
            fadr, fnum = int(mj.mesh_faceadr[mesh_id]), int(mj.mesh_facenum[mesh_id])
            tm = trimesh.Trimesh(
                vertices=np.array(mj.mesh_vert[vadr : vadr + vnum], dtype=np.float64),
                faces=np.array(mj.mesh_face[fadr : fadr + fnum], dtype=np.int64),
                process=False,
            )
            tm = mesh_with_texcoords(mj, mesh_id, tm)
            mesh_name = _name(mj, _OBJ.mjOBJ_MESH, mesh_id) or f"mesh{mesh_id}"
            meshes[mesh_id] = Mesh(tm, name=mesh_name)
        return meshes[mesh_id], eye
    return None, eye  # plane, hfield, sdf: ground or implicit surfaces, not robot parts


def _rgba(mj: mujoco.MjModel, g: int) -> np.ndarray:
    """MuJoCo's rule: a material's colour applies unless the geom sets its own rgba."""
    rgba = np.asarray(mj.geom_rgba[g], dtype=np.float32)
    mat = int(mj.geom_matid[g])
    if mat >= 0 and np.allclose(rgba, _DEFAULT_RGBA):
        return np.asarray(mj.mat_rgba[mat], dtype=np.float32)
    return rgba


def _name(mj: mujoco.MjModel, kind: mujoco.mjtObj, index: int) -> str:
    return mujoco.mj_id2name(mj, kind, index) or ""


def _translation(p: np.ndarray) -> np.ndarray:
    m = np.eye(4)
    m[:3, 3] = p
    return m


def _matrix(pos: np.ndarray, quat: np.ndarray) -> np.ndarray:
    m = np.eye(4)
    m[:3, :3] = quaternion_to_matrix(quat)
    m[:3, 3] = pos
    return m
