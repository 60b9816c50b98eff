"""ROS-style package lookup without a ROS install: ``package://pkg/...`` and ``$(find pkg)``.

A robot description names its files relative to *packages*. Unpacked from a repository or an
archive, a package is simply a folder: the file sits inside a folder named ``pkg`` or beside
one (``robots/pkg/urdf/robot.urdf`` refers to ``package://pkg/meshes/...``). So candidates are,
in order: what the caller passed in ``package_dirs``, every folder above the file that is named
``pkg`` or holds a folder ``pkg``, folders near the file whose ``package.xml`` names
``pkg`` (a clone named ``pkg-main``), then ``ROS_PACKAGE_PATH`` entries and ament's
``AMENT_PREFIX_PATH`` ``share/`` folders for users who do have ROS, and Gazebo's model paths
(``GZ_SIM_RESOURCE_PATH``...) for SDF's ``model://name/...``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

PackageDirs = Mapping[str, "str | os.PathLike[str]"]
_MANIFEST_DEPTH = 4  # ancestors whose package.xml (and their subfolders') are read
_MANIFESTS: dict[tuple[Path, int], dict[str, tuple[Path, ...]]] = {}
_NAME = re.compile(r"<name>\s*([^<]+?)\s*</name>")
_MODEL_PATHS = ("GZ_SIM_RESOURCE_PATH", "IGN_GAZEBO_RESOURCE_PATH", "GAZEBO_MODEL_PATH", "SDF_PATH")


def package_roots(package: str, base: Path, package_dirs: PackageDirs | None = None) -> Iterator[Path]:
    """Candidate root folders of ``package`` for a file in folder ``base``, best first."""
    if package_dirs and package in package_dirs:
        yield Path(package_dirs[package]).expanduser()
    ancestors = (base, *base.parents)
    for directory in ancestors:
        if directory.name == package:
            yield directory
        if (directory / package).is_dir():
            yield directory / package
    # a package whose folder is named otherwise (ur_description-main/): its package.xml says
    for directory in ancestors[:_MANIFEST_DEPTH]:
        yield from _manifests(directory).get(package, ())
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


def _manifests(directory: Path) -> dict[str, tuple[Path, ...]]:
    """Package name -> folders, for ``directory`` and its subfolders holding a ``package.xml``;
    cached per folder state, since every mesh of a robot asks again."""
    try:
        key = (directory, directory.stat().st_mtime_ns)
    except OSError:
        return {}
    found = _MANIFESTS.get(key)
    if found is None:
        try:
            folders = [directory, *sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))]
        except OSError:
            folders = [directory]
        named: dict[str, list[Path]] = {}
        for folder in folders:
            name = _manifest_name(folder)
            if name:
                named.setdefault(name, []).append(folder)
        found = {name: tuple(paths) for name, paths in named.items()}
        if len(_MANIFESTS) > 256:
            _MANIFESTS.clear()
        _MANIFESTS[key] = found
    return found


def _manifest_name(folder: Path) -> str | None:
    """The ``<name>`` in ``folder/package.xml`` (a ROS package manifest), if there is one."""
    manifest = folder / "package.xml"
    if not manifest.is_file():
        return None
    try:
        text = manifest.read_text(errors="replace")[:65536]
    except OSError:
        return None
    match = _NAME.search(text)
    return match.group(1).strip() if match else None


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
