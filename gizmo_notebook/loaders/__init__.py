"""Read robot descriptions and meshes into :class:`~gizmo_notebook.model.AssetModel`.

``load`` is the one entry point: it looks at what it was given (a path, an ``Asset`` from
the client, a trimesh object) and hands it to the reader for that format. Each reader lives
in its own module and leans on the field's own library: yourdfpy for URDF, MuJoCo's compiler
for MJCF, usd-core for USD, trimesh for meshes. All of them raise :class:`LoadError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from gizmo_notebook.loaders._errors import LoadError
from gizmo_notebook.loaders._shown import show_collision_when_no_visual
from gizmo_notebook.loaders.archive import DESCRIPTION_SUFFIXES, extract_zip, find_main_file
from gizmo_notebook.loaders.mesh import MESH_SUFFIXES, from_trimesh, load_mesh
from gizmo_notebook.model import AssetModel

__all__ = ["LoadError", "SUPPORTED_SUFFIXES", "load"]

USD_SUFFIXES: tuple[str, ...] = (".usd", ".usda", ".usdc", ".usdz")
SUPPORTED_SUFFIXES: tuple[str, ...] = (".urdf", ".xml", ".xacro", ".sdf", *USD_SUFFIXES, ".zip", *MESH_SUFFIXES)


def load(
    source: Any,
    *,
    format: str | None = None,
    client: Any = None,
    package_dirs: Mapping[str, str | os.PathLike[str]] | None = None,
    xacro_args: Mapping[str, str] | None = None,
) -> AssetModel:
    """Read ``source`` into an :class:`AssetModel`.

    ``source`` may be a path to a URDF, a xacro file (``.xacro``, ``.urdf.xacro``), an SDFormat
    model (``.sdf``), an MJCF ``.xml``, a USD layer, a ``.zip`` export, a plain mesh (``.glb .gltf .obj .stl .ply .dae``),
    a folder holding one of those, an ``Asset`` from :class:`~gizmo_notebook.GizmoClient`
    (downloaded with ``client``, or a default client; ``format`` picks the export, else MJCF,
    then URDF, then USD), or a ``trimesh.Trimesh``/``trimesh.Scene``. Raises
    :class:`LoadError` naming the file, the element and what is wrong when it cannot.

    ``package://pkg/...`` and ``$(find pkg)`` are resolved ROS-style from the folders above
    the file (a folder named ``pkg``, or one holding it), SDF's ``model://name/...`` alike;
    ``package_dirs={"pkg": path}`` names
    the others. ``xacro_args`` gives xacro's ``<xacro:arg>`` values (``name:=value``).
    What the model cannot show is listed in its ``notes``.
    """
    if isinstance(source, AssetModel):
        return source
    if isinstance(source, (str, os.PathLike)):
        return _load_path(Path(source), _Options(package_dirs, xacro_args))
    if hasattr(source, "id") and hasattr(source, "formats_available"):
        from gizmo_notebook.loaders._asset import load_asset

        return load_asset(source, format=format, client=client)
    import trimesh

    if isinstance(source, (trimesh.Trimesh, trimesh.Scene)):
        return from_trimesh(source, name=str(source.metadata.get("name") or "mesh"))
    raise LoadError(
        f"cannot load a {type(source).__name__}: pass a file path, a gizmo_notebook Asset, "
        "or a trimesh.Trimesh / trimesh.Scene"
    )


class _Options(NamedTuple):
    package_dirs: Mapping[str, str | os.PathLike[str]] | None = None
    xacro_args: Mapping[str, str] | None = None


def _load_path(path: Path, options: _Options = _Options()) -> AssetModel:
    return show_collision_when_no_visual(_read_path(path, options))


def _read_path(path: Path, options: _Options) -> AssetModel:
    path = path.expanduser()
    if not path.exists():
        raise LoadError(f"file does not exist ({str(path)!r})", path=path)
    if path.is_dir():
        return _load_path(find_main_file(path), options)
    suffix = path.suffix.lower()
    if suffix == ".urdf":
        from gizmo_notebook.loaders.urdf import load_urdf

        return load_urdf(path, package_dirs=options.package_dirs)
    if suffix == ".xacro":
        from gizmo_notebook.loaders.xacro import load_xacro

        return load_xacro(path, package_dirs=options.package_dirs, args=options.xacro_args)
    if suffix == ".sdf":
        from gizmo_notebook.loaders.sdf import load_sdf

        return load_sdf(path, package_dirs=options.package_dirs)
    if suffix == ".xml":
        return _load_xml(path, options)
    if suffix in USD_SUFFIXES:
        from gizmo_notebook.loaders.usd import load_usd

        return load_usd(path)
    if suffix == ".zip":
        folder = extract_zip(path)
        main = find_main_file(folder, archive=path)
        return _load_path(main, options)
    if suffix in MESH_SUFFIXES:
        return load_mesh(path)
    raise LoadError(
        f"unsupported file type {suffix or '(no extension)'!r}; supported: {', '.join(SUPPORTED_SUFFIXES)}",
        path=path,
    )


def _load_xml(path: Path, options: _Options) -> AssetModel:
    """``.xml`` is MJCF by convention, but URDF files are sometimes saved as ``.xml`` too."""
    from gizmo_notebook.loaders._xml import read_xml

    _, root = read_xml(path)
    if root.tag == "robot":
        from gizmo_notebook.loaders.urdf import load_urdf

        return load_urdf(path, package_dirs=options.package_dirs)
    if root.tag == "sdf":
        from gizmo_notebook.loaders.sdf import load_sdf

        return load_sdf(path, package_dirs=options.package_dirs)
    if root.tag != "mujoco":
        raise LoadError(f"root element is <{root.tag}>: expected <mujoco> (MJCF) or <robot> (URDF)", path=path)
    from gizmo_notebook.loaders.mjcf import load_mjcf

    return load_mjcf(path)


_ = DESCRIPTION_SUFFIXES  # re-exported for callers that list what find_main_file accepts
