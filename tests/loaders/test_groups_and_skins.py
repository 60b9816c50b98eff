"""MJCF geom groups are kept with their number (3-5 start hidden, as in MuJoCo's viewer) and
skins are drawn as meshes in their rest pose, the notes saying what that leaves out."""

from __future__ import annotations

from pathlib import Path

import mujoco
import numpy as np
import pytest

from gizmo_notebook import load
from gizmo_notebook.model import ModelError, Sphere, Visual

GROUPS = """<mujoco><worldbody>
  <body name="arm" pos="0 0 0.5"><joint name="j" type="hinge"/>
    <geom name="g0" type="sphere" size="0.1"/>
    <geom name="g2" type="sphere" size="0.1" pos="0.2 0 0" group="2"/>
    <geom name="g3" type="box" size="0.5 0.5 0.5" group="3"/>
    <geom name="g5" type="sphere" size="0.1" pos="0 0 2" group="5" contype="0" conaffinity="0"/>
    <geom name="g7" type="sphere" size="0.1" group="7"/>
  </body></worldbody></mujoco>"""


def test_groups_are_kept_with_their_number_and_3_to_5_start_hidden(tmp_path: Path) -> None:
    path = tmp_path / "groups.xml"
    path.write_text(GROUPS)
    model = load(path)
    arm = model.link("arm")
    assert [(v.name, v.group) for v in arm.visuals] == [("g0", 0), ("g2", 2), ("g3", 3), ("g5", 5)]
    assert [v.shown_by_default for v in arm.visuals] == [True, True, False, False]
    # the default picture is MuJoCo's: groups 0-2 only (the 1 m box of group 3 would widen it)
    assert np.allclose(model.bounds(), [[-0.1, -0.1, 0.4], [0.3, 0.1, 0.6]], atol=1e-6)
    everything = model.pose(groups=range(6))
    assert np.allclose(everything.bounds, [[-0.5, -0.5, 0.0], [0.5, 0.5, 2.6]], atol=1e-6)
    assert len(model.pose(groups={3}).geometry) == 1
    assert any("group 3 are hidden" in n for n in model.notes)
    assert any("group 5 are hidden" in n for n in model.notes)
    assert "1 geoms in groups outside 0-5, which MuJoCo's viewer never shows, are not drawn" in model.notes


def test_a_visual_group_outside_0_to_5_is_refused() -> None:
    with pytest.raises(ModelError, match="group must be one of"):
        Visual(Sphere(0.1), group=6)


def test_visuals_only_in_hidden_groups_show_the_collision_geometry(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xml"
    path.write_text("""<mujoco><worldbody><body name="b"><freejoint/>
      <geom type="box" size="0.1 0.1 0.1" group="3"/></body></worldbody></mujoco>""")
    model = load(path)
    assert np.allclose(model.bounds(), [[-0.1, -0.1, -0.1], [0.1, 0.1, 0.1]])
    assert any("collision geometries are shown" in n for n in model.notes)


SKIN = """<mujoco model="skinned">
  <worldbody>
    <body name="torso" pos="0 0 1"><freejoint/>
      <geom type="box" size="0.05 0.05 0.05"/>
      <body name="tail" pos="0.3 0 0"><joint name="wag" type="hinge" axis="0 0 1"/>
        <geom type="capsule" fromto="0 0 0 0.2 0 0" size="0.02"/>
      </body>
    </body>
  </worldbody>
  <deformable>
    <skin name="fur" rgba="0.6 0.4 0.2 1"
          vertex="-0.2 -0.2 0.8  0.2 -0.2 0.8  0.2 0.2 0.8  -0.2 0.2 0.8  0 0 1.3  0.5 0 1"
          face="0 1 4  1 2 4  2 3 4  3 0 4  1 5 2">
      <bone body="torso" bindpos="0 0 1" bindquat="1 0 0 0" vertid="0 1 2 3 4" vertweight="1 1 1 1 1"/>
      <bone body="tail" bindpos="0.3 0 1" bindquat="1 0 0 0" vertid="5" vertweight="1"/>
    </skin>
  </deformable>
</mujoco>"""


def test_a_skin_is_a_mesh_in_its_rest_pose_on_its_main_bone(tmp_path: Path) -> None:
    path = tmp_path / "skin.xml"
    path.write_text(SKIN)
    model = load(path)
    fur = next(v for v in model.link("torso").visuals if v.name == "fur")
    assert fur.group == 0 and fur.color == pytest.approx((0.6, 0.4, 0.2, 1.0))
    world = model.link_transforms()["torso"]
    vertices = fur.geometry.mesh.vertices @ world[:3, :3].T + world[:3, 3]
    # where MuJoCo draws the skin at qpos0: here bind poses are the bodies' own, so as written
    mj = mujoco.MjModel.from_xml_path(str(path))
    assert np.allclose(vertices, np.asarray(mj.skin_vert, dtype=float), atol=1e-6)
    assert len(fur.geometry.mesh.faces) == 5
    assert "skin 'fur' is drawn in its rest pose, fixed to link 'torso': it does not deform with its 1 other bone(s)" in model.notes
    assert not any("not drawn" in n for n in model.notes)
    # it follows its bone: a pose of the free joint carries it
    moved = model.pose({}).bounds
    assert moved[1][2] == pytest.approx(1.3, abs=1e-6)


def test_a_skin_bound_away_from_its_body_is_moved_by_the_bind_pose(tmp_path: Path) -> None:
    """Bind poses that differ from the bodies' poses move the skin, as MuJoCo draws it."""
    path = tmp_path / "offset.xml"
    path.write_text(SKIN.replace('bindpos="0 0 1"', 'bindpos="0 0 0.5"').replace('bindpos="0.3 0 1"', 'bindpos="0.3 0 0.5"'))
    model = load(path)
    fur = next(v for v in model.link("torso").visuals if v.name == "fur")
    world = model.link_transforms()["torso"]
    vertices = fur.geometry.mesh.vertices @ world[:3, :3].T + world[:3, 3]
    mj = mujoco.MjModel.from_xml_path(str(path))
    assert np.allclose(vertices, np.asarray(mj.skin_vert, dtype=float) + [0, 0, 0.5], atol=1e-6)


def test_exports_of_a_loaded_mjcf_write_only_the_visuals_drawn_by_default(tmp_path: Path) -> None:
    """MJCF exports put collision shapes in group 3: converted to URDF they must not become visuals."""
    import io
    import zipfile

    from gizmo_notebook.local.exporters import export_bytes

    path = tmp_path / "exported.xml"
    path.write_text("""<mujoco><worldbody><body name="b"><freejoint/>
      <geom name="shell" type="box" size="0.1 0.1 0.1" group="2" contype="0" conaffinity="0"/>
      <geom name="hull" type="box" size="0.12 0.12 0.12" group="3"/></body></worldbody></mujoco>""")
    model = load(path)
    assert len(model.link("b").visuals) == 2
    with zipfile.ZipFile(io.BytesIO(export_bytes(model, "isaac_sim_urdf", "bot"))) as z:
        urdf = z.read("bot.urdf").decode()
    assert urdf.count("<visual") == 1 and urdf.count("<collision") == 1
    mjcf = export_bytes(model, "mujoco_mjcf").decode()
    assert '<geom name="shell" class="visual"' in mjcf and 'class="visual" type="box" size="0.12' not in mjcf
    assert len(model.link("b").visuals) == 2  # the model itself is untouched
