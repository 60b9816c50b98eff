"""One rule for unique names (``name``, ``name_2``, ``name_3``...), in the loaders and the exporters alike."""

from __future__ import annotations

from gizmo_notebook import load
from gizmo_notebook._names import claim_unique
from gizmo_notebook.local.exporters._common import unique_identifiers


def test_claim_unique_keeps_a_free_name_and_numbers_the_rest():
    used: set[str] = {"arm"}
    assert [claim_unique(n, used) for n in ("base", "arm", "arm", "base")] == ["base", "arm_2", "arm_3", "base_2"]
    assert used == {"arm", "arm_2", "arm_3", "base", "base_2"}
    # a suffixed name that is itself taken is skipped, not reused
    assert claim_unique("arm", used) == "arm_4"


def test_exporter_identifiers_follow_the_same_rule():
    assert unique_identifiers(["a-b", "a b", "a_b", "9x"]) == {"a-b": "a_b", "a b": "a_b_2", "a_b": "a_b_3", "9x": "_9x"}


def test_mjcf_loader_names_a_colliding_fixed_joint_by_the_same_rule(tmp_path):
    """A jointless body gets a synthetic ``<body>_fixed`` joint; if the file already uses that name, ``_2``."""
    path = tmp_path / "clash.xml"
    path.write_text(
        "<mujoco><worldbody>"
        "<body name='base'><joint name='a_fixed' type='hinge'/><geom size='0.1'/>"
        "<body name='a' pos='0 0 0.3'><geom size='0.1'/></body>"
        "</body></worldbody></mujoco>"
    )
    names = {j.name for j in load(path).joints}
    assert {"a_fixed", "a_fixed_2"} <= names
