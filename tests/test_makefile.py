"""`make lab` must start JupyterLab for root too (containers run as root; Jupyter refuses it unless told)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_allows_root_exactly_when_run_as_root() -> None:
    dry = subprocess.run(["make", "-n", "lab"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    [lab] = [line for line in dry.splitlines() if "jupyter lab" in line]
    assert ("--allow-root" in lab) == (os.geteuid() == 0), lab
