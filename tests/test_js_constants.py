"""The constants the front end shares with Python (gizmo_notebook/studio/_protocol.py).

js/src/generated/constants.js is generated from them; these tests fail while it is stale, while
a label or a joint type is missing, or while the page may send a message the kernel does not
handle.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import textwrap
from typing import get_args

from gizmo_notebook.client import AssetStatus
from gizmo_notebook.client._formats import ALL_FORMATS, CURRENT_FORMATS
from gizmo_notebook.formats import EXPORT_FORMATS
from gizmo_notebook.model import JointType
from gizmo_notebook.studio import _protocol
from gizmo_notebook.studio.widget import Studio
from gizmo_notebook.viewer import _protocol as viewer_protocol
from gizmo_notebook.viewer.widget import Viewer


def test_generated_js_is_up_to_date() -> None:
    assert _protocol.JS_PATH.read_text(encoding="utf-8") == _protocol.constants_js(), (
        "js/src/generated/constants.js is stale: run python -m gizmo_notebook.studio._protocol"
    )


def test_check_mode_reports_a_stale_file(tmp_path, monkeypatch) -> None:
    stale = tmp_path / "constants.js"
    stale.write_text("// @ts-check\nexport const STATUS = {};\n", encoding="utf-8")
    monkeypatch.setattr(_protocol, "JS_PATH", stale)
    assert _protocol.main(["--check"]) == 1
    assert _protocol.main([]) == 0  # writes it
    assert _protocol.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == _protocol.constants_js()


def test_the_module_runs_as_a_script_in_check_mode() -> None:
    out = subprocess.run([sys.executable, "-m", "gizmo_notebook.studio._protocol", "--check"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_constants_follow_the_python_definitions() -> None:
    assert set(_protocol.ASSET_STATUSES) >= {s.value for s in AssetStatus} - {"unknown"}
    assert set(_protocol.RUNNING_STATUSES) < set(_protocol.ASSET_STATUSES)
    assert set(_protocol.FORMAT_LABELS) == set(ALL_FORMATS) > set(EXPORT_FORMATS)
    assert get_args(JointType) == viewer_protocol.JOINT_TYPES
    assert set(viewer_protocol.JOINT_DOF) == set(viewer_protocol.JOINT_TYPES)
    assert viewer_protocol.SINGLE_DOF_JOINT_TYPES == ("revolute", "continuous", "prismatic")


def test_a_format_has_one_label_whichever_contract_names_it() -> None:
    """A current-API row's menu offers mjcf / usd / sdf: it shows them as an alpha row shows
    mujoco_mjcf / isaac_sim_usd, not as the raw names (the option still sends the name)."""
    labels = _protocol.FORMAT_LABELS
    assert labels["mjcf"] == labels["mujoco_mjcf"] == "MJCF (MuJoCo)"
    assert labels["usd"] == labels["isaac_sim_usd"] == "USD (Isaac Sim)"
    assert labels["urdf"] == labels["isaac_sim_urdf"] == "URDF (Isaac Sim)"
    assert labels["sdf"] == "SDF (Gazebo)"
    assert {labels[f] for f in CURRENT_FORMATS}.isdisjoint(CURRENT_FORMATS)


def _compared_names(func: object) -> set[str]:
    """String constants ``kind`` is compared with (``kind == "x"``, ``kind in ("x", "y")``) in ``func``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))  # type: ignore[arg-type]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "kind":
            for right in node.comparators:
                items = right.elts if isinstance(right, (ast.Tuple, ast.List, ast.Set)) else [right]
                names |= {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
    return names


def test_every_request_the_page_sends_is_handled_by_the_kernel() -> None:
    assert set(_protocol.STUDIO_REQUESTS.values()) <= _compared_names(Studio._dispatch)
    assert set(viewer_protocol.VIEWER_MESSAGES.values()) <= _compared_names(Viewer._on_custom)
