"""xacro files (``.xacro``, ``.urdf.xacro``), expanded with the ``xacro`` package.

ROS descriptions are mostly xacro: macros, ``<xacro:include>``, ``<xacro:arg>`` and
``$(find pkg)``. The ``xacro`` package (ROS's own, on PyPI) does the expansion; what it
cannot do without a ROS install is ``$(find pkg)``, which asks ament for the package's share
folder (nor does it read ``<xacro:include filename="package://...">``). Here both are answered
the way :mod:`._packages` resolves ``package://``: from ``package_dirs``, then from the folders
above the file. The expanded document is then read
by the URDF loader as if it were the file itself, so relative mesh paths still work.

xacro evaluates ``${...}`` expressions with Python's ``eval`` (builtins removed), like the
ROS tool does: load xacro files you would also run through ROS.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from gizmo_notebook.errors import GizmoError
from gizmo_notebook.loaders._errors import LoadError
from gizmo_notebook.loaders._packages import PackageDirs, find_package
from gizmo_notebook.loaders._xml import parse_xml, read_xml
from gizmo_notebook.model import AssetModel

_LOCK = threading.Lock()  # xacro keeps its state in module globals: one expansion at a time


class _PackageNotFound(GizmoError):
    def __init__(self, package: str) -> None:
        super().__init__(package)
        self.package = package


def expand_xacro(
    path: Path, *, package_dirs: PackageDirs | None = None, args: Mapping[str, str] | None = None
) -> bytes:
    """The XML text xacro produces from ``path`` with ``args`` (``<xacro:arg>`` values)."""
    read_xml(path)  # the defusedxml safety pass, as for every XML file
    from gizmo_notebook._optional import requires

    with requires("urdf", "Expanding xacro files"):
        import xacro
        from xacro import substitution_args

    def find(package: str) -> str:
        root = find_package(package, path.parent, package_dirs)
        if root is None:
            raise _PackageNotFound(package)
        return str(root)

    plain_filename = xacro.abs_filename_spec

    def filename(spec: str) -> str:  # <xacro:include filename="package://pkg/..."> too
        if spec.startswith("package://"):
            package, _, inner = spec[len("package://") :].partition("/")
            return str(Path(find(package)) / inner)
        return plain_filename(spec)

    with _LOCK:
        saved = substitution_args._eval_find, substitution_args._eval_dict.get("find")
        substitution_args._eval_find = find
        substitution_args._eval_dict["find"] = find
        xacro.abs_filename_spec = filename
        try:
            doc = xacro.process_file(str(path), mappings={str(k): str(v) for k, v in (args or {}).items()})
        except _PackageNotFound as exc:
            raise LoadError(_not_found(exc.package, path), path=path) from None
        except Exception as exc:  # XacroException, SubstitutionException, ArgException, XML errors...
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, _PackageNotFound):
                raise LoadError(_not_found(cause.package, path), path=path) from None
            raise LoadError(f"xacro cannot expand it: {' '.join(str(exc).split()) or type(exc).__name__}", path=path) from None
        finally:
            substitution_args._eval_find, substitution_args._eval_dict["find"] = saved
            xacro.abs_filename_spec = plain_filename
    return doc.toxml(encoding="utf-8")


def _not_found(package: str, path: Path) -> str:
    return (
        f"$(find {package}): no folder named {package!r} above the file or beside one of its parent "
        f"folders; pass load(..., package_dirs={{{package!r}: '/path/to/{package}'}})"
    )


def load_xacro(
    path: Path, *, package_dirs: PackageDirs | None = None, args: Mapping[str, str] | None = None
) -> AssetModel:
    data = expand_xacro(path, package_dirs=package_dirs, args=args)
    root = parse_xml(data, path)
    if root.tag == "robot":
        from gizmo_notebook.loaders.urdf import load_urdf

        return load_urdf(path, data=data, package_dirs=package_dirs)
    if root.tag == "sdf":
        from gizmo_notebook.loaders.sdf import load_sdf

        return load_sdf(path, data=data, package_dirs=package_dirs)
    raise LoadError(f"xacro expanded it to a <{root.tag}> document; expected <robot> (URDF) or <sdf>", path=path)
