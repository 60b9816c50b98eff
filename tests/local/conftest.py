"""Fixtures for the local-server tests: the SDFormat reference parser, built on demand.

``sdf_checker`` compiles ``sdf_check.cc`` against libsdformat12 (Debian ``libsdformat-dev``,
the SDFormat 1.9 parser Gazebo uses) once per session. Where the library or a C++ compiler
is missing the tests that need it skip and say how to install it; the structural checks of
the SDF exporter run everywhere.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_SOURCE = Path(__file__).with_name("sdf_check.cc")


@pytest.fixture(scope="session")
def sdf_checker(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], dict[str, Any]]:
    """``check(path)`` -> what libsdformat parsed (raises AssertionError with its errors if rejected)."""
    compiler = shutil.which("g++")
    pkg_config = shutil.which("pkg-config")
    if compiler is None or pkg_config is None:
        pytest.skip("needs g++ and pkg-config to build the libsdformat checker")
    flags = subprocess.run([pkg_config, "--cflags", "--libs", "sdformat12"], capture_output=True, text=True)
    if flags.returncode != 0:
        pytest.skip("libsdformat12 not installed (apt-get install libsdformat-dev) - SDF parser check skipped")
    binary = tmp_path_factory.mktemp("sdf-check") / "sdf_check"
    build = subprocess.run(
        [compiler, "-O0", "-o", str(binary), str(_SOURCE), *flags.stdout.split()], capture_output=True, text=True
    )
    assert build.returncode == 0, build.stderr[-3000:]

    def check(path: Path) -> dict[str, Any]:
        result = subprocess.run([str(binary), str(path)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"libsdformat rejected {path.name}:\n{result.stderr}"
        return json.loads(result.stdout)

    return check
