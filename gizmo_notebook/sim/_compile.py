"""Turn whatever :func:`~gizmo_notebook.simulate` is given into a compiled ``MjModel``.

An MJCF file is compiled as it is (MuJoCo's own reading of it is the reference a user
compares with); every other source (URDF, USD, SDF, xacro, a generated ``AssetModel``...) is
loaded and written through the package's MJCF exporter, so the simulated robot is the one the
``mujoco_mjcf`` export would hold. Alongside the model this keeps the names the rest of the
package uses: the link each body is, with its frame offset, and each joint's name.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gizmo_notebook._optional import requires
from gizmo_notebook.loaders import LoadError, load
from gizmo_notebook.loaders._asset import download_asset
from gizmo_notebook.loaders._xml import read_xml
from gizmo_notebook.loaders.archive import extract_zip, find_main_file
from gizmo_notebook.loaders.mjcf import body_link_names, compile_mjcf, joint_names, link_anchor
from gizmo_notebook.model import AssetModel, ModelError

with requires("mujoco", "gizmo_notebook.simulate"):
    import mujoco

_OBJ = mujoco.mjtObj


@dataclass
class Compiled:
    mj: mujoco.MjModel
    links: list[tuple[int, str, np.ndarray]]  # (body id, link name, link-frame offset in the body frame)
    joints: dict[int, str]  # MuJoCo joint id -> the joint's name in the loaded model
    label: str
    added: frozenset[str] = frozenset()  # joints the export added (a free base): not in the model


def compile_source(source: Any, *, client: Any = None) -> Compiled:
    if isinstance(source, mujoco.MjModel):
        return _from_mujoco(source, "MjModel")
    if isinstance(source, AssetModel):
        return _from_model(source)
    if isinstance(source, (str, os.PathLike)):
        return _from_path(Path(source).expanduser())
    if hasattr(source, "id") and hasattr(source, "formats_available"):
        path, _ = download_asset(source, client=client)
        return _from_path(path)
    return _from_model(load(source))


def _from_path(path: Path) -> Compiled:
    if not path.exists():
        raise LoadError(f"file does not exist ({str(path)!r})", path=path)
    if path.is_dir():
        return _from_path(find_main_file(path))
    if path.suffix.lower() == ".zip":
        return _from_path(find_main_file(extract_zip(path), archive=path))
    if path.suffix.lower() == ".xml" and read_xml(path)[1].tag == "mujoco":
        return _from_mujoco(compile_mjcf(path), str(path))
    return _from_model(load(path))


def _from_mujoco(mj: mujoco.MjModel, label: str) -> Compiled:
    names = body_link_names(mj)
    links = [(b, names[b], link_anchor(mj, b)) for b in range(mj.nbody)]
    return Compiled(mj, links, dict(enumerate(joint_names(mj))), label)


def _from_model(model: AssetModel) -> Compiled:
    from gizmo_notebook.local.exporters import ExportError
    from gizmo_notebook.local.exporters._common import unique_identifiers
    from gizmo_notebook.local.exporters.mjcf import link_identifiers, write_mjcf

    buffer = io.BytesIO()
    try:
        write_mjcf(model, buffer)
    except ExportError as exc:
        raise ModelError(f"cannot simulate model {model.name!r}: {exc}") from None
    try:
        mj = mujoco.MjModel.from_xml_string(buffer.getvalue().decode("utf-8"))
    except ValueError as exc:
        raise ModelError(f"MuJoCo cannot compile model {model.name!r}: {' '.join(str(exc).split())}") from None
    # the exporter names bodies and joints with these identifiers, and puts each body's frame
    # on its link's frame (joints at the body origin): no offsets
    links = []
    root = model.root.name
    for name, ident in link_identifiers(model).items():
        b = mujoco.mj_name2id(mj, _OBJ.mjOBJ_BODY, ident)
        if b >= 0 or name == root:  # a fixed base's geometry sits in the world body
            links.append((max(b, 0), name, np.zeros(3)))
    joints = dict(enumerate(joint_names(mj)))
    ours = set()
    for name, ident in unique_identifiers(j.name for j in model.joints).items():
        j = mujoco.mj_name2id(mj, _OBJ.mjOBJ_JOINT, ident)
        if j >= 0:
            joints[j] = name
            ours.add(j)
    added = frozenset(name for j, name in joints.items() if j not in ours)
    return Compiled(mj, links, joints, model.source or model.name, added)
