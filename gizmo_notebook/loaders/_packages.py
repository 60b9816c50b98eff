"""ROS-style package lookup without a ROS install: ``package://pkg/...`` and ``$(find pkg)``.

A robot description names its files relative to *packages*. Unpacked from a repository or an
archive, a package is simply a folder: the file sits inside a folder named ``pkg`` or beside
one (``robots/pkg/urdf/robot.urdf`` refers to ``package://pkg/meshes/...``). So candidates are,
in order: what the caller passed in ``package_dirs``, every folder above the file that is named
``pkg`` or holds a folder ``pkg``, then ``ROS_PACKAGE_PATH`` entries and ament's
``AMENT_PREFIX_PATH`` ``share/`` folders for users who do have ROS, and Gazebo's model paths
(``GZ_SIM_RESOURCE_PATH``...) for SDF's ``model://name/...``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

PackageDirs = Mapping[str, "str | os.PathLike[str]"]
_MODEL_PATHS = ("GZ_SIM_RESOURCE_PATH", "IGN_GAZEBO_RESOURCE_PATH", "GAZEBO_MODEL_PATH", "SDF_PATH")


def package_roots(package: str, base: Path, package_dirs: PackageDirs | None = None) -> Iterator[Path]:
    """Candidate root folders of ``package`` for a file in folder ``base``, best first."""
    if package_dirs and package in package_dirs:
        yield Path(package_dirs[package]).expanduser()
    for directory in (base, *base.parents):
        if directory.name == package:
            yield directory
        if (directory / package).is_dir():
            yield directory / package
    for entry in os.environ.get("ROS_PACKAGE_PATH", "").split(os.pathsep):
        if entry and (Path(entry) / package).is_dir():
            yield Path(entry) / package
    for entry in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep):
        if entry and (Path(entry) / "share" / package).is_dir():
            yield Path(entry) / "share" / package
    for variable in _MODEL_PATHS:  # Gazebo's model:// search paths
        for entry in os.environ.get(variable, "").split(os.pathsep):
            if entry and (Path(entry) / package).is_dir():
                yield Path(entry) / package


def find_package(package: str, base: Path, package_dirs: PackageDirs | None = None) -> Path | None:
    """The root folder of ``package`` (``$(find package)``), or ``None``."""
    return next((p for p in package_roots(package, base, package_dirs) if p.is_dir()), None)


def find_package_file(package: str, inner: str, base: Path, package_dirs: PackageDirs | None = None) -> Path | None:
    """The file ``package://package/inner`` names, or ``None``.

    The first candidate root that holds ``inner`` wins; exports that flattened the package
    (``meshes/foo.stl`` beside the description) are found too.
    """
    for root in package_roots(package, base, package_dirs):
        if (root / inner).is_file():
            return root / inner
    for directory in (base, *base.parents)[:3]:
        if (directory / inner).is_file():
            return directory / inner
    return None
