"""Bad input gives a LoadError naming the file, the element and the problem; archives are
extracted safely; meshes and trimesh objects load as one-link models."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
import trimesh

from gizmo_notebook import LoadError, load
from gizmo_notebook.loaders.archive import extract_zip

ARM = """<robot name="arm">
  <link name="base"><visual><geometry><box size="0.2 0.2 0.1"/></geometry></visual></link>
  <link name="upper"><visual><origin xyz="0 0 0.25"/><geometry><cylinder radius="0.05" length="0.5"/></geometry>
    <material name="red"><color rgba="1 0 0 1"/></material></visual></link>
  <joint name="j1" type="revolute"><parent link="{parent}"/><child link="upper"/>
    <origin xyz="0 0 0.05"/><axis xyz="0 1 0"/><limit lower="-1" upper="1" effort="10" velocity="1"/></joint>
</robot>"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_dangling_parent_names_file_joint_and_link(tmp_path: Path) -> None:
    path = _write(tmp_path / "arm.urdf", ARM.format(parent="base2"))
    with pytest.raises(LoadError) as info:
        load(path)
    assert str(info.value) == "arm.urdf: <joint name='j1'>: parent link 'base2' does not exist"


def test_valid_urdf_maps_origin_axis_limits_colour(tmp_path: Path) -> None:
    model = load(_write(tmp_path / "arm.urdf", ARM.format(parent="base")))
    joint = model.joint("j1")
    assert (joint.type, joint.parent, joint.child, joint.axis) == ("revolute", "base", "upper", (0.0, 1.0, 0.0))
    assert (joint.limits.lower, joint.limits.upper, joint.limits.effort) == (-1.0, 1.0, 10.0)
    assert model.link("upper").visuals[0].color == (1.0, 0.0, 0.0, 1.0)
    np.testing.assert_allclose(model.scene.bounds, [[-0.1, -0.1, -0.05], [0.1, 0.1, 0.55]], atol=1e-9)
    tip = model.pose({"j1": 1.0}).bounds
    assert tip[1, 0] > 0.3  # the cylinder swung towards +x around +y


def test_missing_mesh_is_named(tmp_path: Path) -> None:
    text = ARM.format(parent="base").replace('<box size="0.2 0.2 0.1"/>', '<mesh filename="meshes/base.stl"/>')
    with pytest.raises(LoadError, match=r"arm\.urdf: <link name='base'> <visual>: mesh file 'meshes/base\.stl'"):
        load(_write(tmp_path / "arm.urdf", text))


_INERTIAL = '<inertial><mass value="1"/><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial>'


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("where,good,element", [
    ('<box size="0.2 0.2 0.1"/>', '<box size="{} 0.2 0.1"/>', "<link name='base'> <visual>: <box size="),
    ('<origin xyz="0 0 0.25"/>', '<origin xyz="0 {} 0.25"/>', "<link name='upper'> <visual>: <origin xyz="),
    ('<axis xyz="0 1 0"/>', '<axis xyz="0 1 {}"/>', "<joint name='j1'>: <axis xyz="),
    ('lower="-1"', 'lower="{}"', "<joint name='j1'>: <limit lower="),
    ('<mass value="1"/>', '<mass value="{}"/>', "<link name='base'> <inertial>: <mass value="),
    ('ixx="1"', 'ixx="{}"', "<link name='base'> <inertial>: <inertia ixx="),
])
def test_a_number_that_is_not_finite_is_named(tmp_path: Path, bad: str, where: str, good: str, element: str) -> None:
    """NaN or infinity anywhere poisons poses, bounds and the JSON the viewer sends: refused where it is."""
    text = ARM.format(parent="base").replace('<link name="base">', f'<link name="base">{_INERTIAL}')
    assert where in text
    with pytest.raises(LoadError) as info:
        load(_write(tmp_path / "arm.urdf", text.replace(where, good.format(bad))))
    assert f"arm.urdf: {element}" in str(info.value) and str(info.value).endswith("is not finite"), str(info.value)


def test_a_mesh_scale_of_four_numbers_is_named(tmp_path: Path) -> None:
    trimesh.creation.box().export(tmp_path / "base.stl")
    text = ARM.format(parent="base").replace('<box size="0.2 0.2 0.1"/>', '<mesh filename="base.stl" scale="1 1 1 1"/>')
    with pytest.raises(LoadError) as info:
        load(_write(tmp_path / "arm.urdf", text))
    assert str(info.value) == ("arm.urdf: <link name='base'> <visual>: <mesh filename='base.stl' scale='1 1 1 1'>: "
                               "a scale is one number or three (x y z)")
    load(_write(tmp_path / "arm.urdf", text.replace('scale="1 1 1 1"', 'scale="2 2 2"')))  # three load


def test_an_xml_declaration_of_version_0_loads_without_error_lines(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """pybullet_data's URDFs say ``<?xml version="0.0" ?>``: they load, and nothing is logged as an error."""
    text = '<?xml version="0.0" encoding="ISO-8859-1"?>\n' + ARM.format(parent="base").replace('name="red"', 'name="rouge \xe9"')
    (tmp_path / "arm.urdf").write_bytes(text.encode("latin-1"))
    with caplog.at_level("WARNING"):
        model = load(tmp_path / "arm.urdf")
    assert [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []
    assert model.joint("j1").parent == "base" and model.link("upper").visuals[0].color == (1.0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize("suffix,root", [(".urdf", "robot"), (".xml", "mujoco")])
def test_entity_bombs_are_refused(tmp_path: Path, suffix: str, root: str) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<{root} name="&b;"/>'
    )
    with pytest.raises(LoadError, match="entities"):
        load(_write(tmp_path / f"bomb{suffix}", bomb))


def test_malformed_xml_reports_line(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"broken\.urdf: not well-formed XML: line 3, column 2: mismatched tag"):
        load(_write(tmp_path / "broken.urdf", '<robot name="x">\n<link name="a">\n</robot>'))


def test_mjcf_compiler_errors_name_file_and_element(tmp_path: Path) -> None:
    text = '<mujoco><worldbody><body name="b"><joint type="hinge" bogus="1"/><geom size="0.1"/></body></worldbody></mujoco>'
    with pytest.raises(LoadError) as info:
        load(_write(tmp_path / "bad.xml", text))
    message = str(info.value)
    assert message.startswith("bad.xml: ") and "bogus" in message and "joint" in message


_MJCF = ('<mujoco><worldbody><body name="b" pos="0 0 0"><inertial pos="0 0 0" mass="1" diaginertia="1 1 1"/>'
         '<geom type="box" size="0.1 0.1 0.1"/><body name="c" pos="0 0 1"><joint name="j" type="hinge" axis="0 0 1" '
         'range="-1 1"/><geom name="ball" type="sphere" size="0.1"/></body></body></worldbody></mujoco>')


@pytest.mark.parametrize("bad", ["nan", "inf"])
@pytest.mark.parametrize("where,good,element", [
    ('name="b" pos="0 0 0"', 'name="b" pos="0 {} 0"', "<body name='b'>: its pos"),
    ('mass="1"', 'mass="{}"', "<body name='b'>: its mass"),
    ('axis="0 0 1"', 'axis="0 {} 1"', "<joint name='j'>: its axis"),
    ('range="-1 1"', 'range="-1 {}"', "<joint name='j'>: its range"),
    ('size="0.1 0.1 0.1"', 'size="0.1 {} 0.1"', "<geom> number 1 (unnamed): its size"),
])
def test_mjcf_numbers_that_are_not_finite_are_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, bad: str, where: str, good: str, element: str
) -> None:
    """MuJoCo compiles a NaN with only a warning, and an infinity silently: refused where it is."""
    assert where in _MJCF
    load(_write(tmp_path / "ok.xml", _MJCF))
    with caplog.at_level("WARNING"), pytest.raises(LoadError) as info:
        load(_write(tmp_path / "bad.xml", _MJCF.replace(where, good.format(bad))))
    message = str(info.value)
    if bad == "nan" and "size" in where:  # MuJoCo's compiler refuses this one itself
        assert message.startswith("bad.xml: ") and "nan size in geom" in message, message
    else:
        assert message == f"bad.xml: {element} holds a NaN or an infinity: give every number a real value", message
    assert not any("NaN" in r.getMessage() for r in caplog.records)  # said once, in the error


def test_mujoco_compiler_warnings_are_notes_of_the_model_not_log_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gymnasium's half_cheetah uses the deprecated ``settotalmass``: loading it printed a red
    warning line in the notebook; it is now one of the notes shown under the view."""
    monkeypatch.chdir(tmp_path)  # had MuJoCo's own handler run, it would write ./MUJOCO_LOG.TXT
    text = _MJCF.replace("<mujoco>", '<mujoco><compiler settotalmass="2"/>')
    with caplog.at_level("WARNING"):
        model = load(_write(tmp_path / "old.xml", text))
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []
    assert any(n.startswith("MuJoCo: compiler attribute 'settotalmass' is deprecated") for n in model.notes), model.notes
    assert not (tmp_path / "MUJOCO_LOG.TXT").exists()


def test_mjcf_missing_mesh_is_named(tmp_path: Path) -> None:
    text = ('<mujoco><asset><mesh name="m" file="gone.stl"/></asset><worldbody><body><geom type="mesh" mesh="m"/>'
            "</body></worldbody></mujoco>")
    with pytest.raises(LoadError, match=r"nomesh\.xml: .*gone\.stl"):
        load(_write(tmp_path / "nomesh.xml", text))


def test_unknown_extension_lists_supported(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"notes\.txt: unsupported file type '\.txt'; supported: \.urdf, \.xml"):
        load(_write(tmp_path / "notes.txt", "hi"))


def test_missing_file_and_wrong_object() -> None:
    with pytest.raises(LoadError, match="does not exist"):
        load("/nonexistent/robot.urdf")
    with pytest.raises(LoadError, match="cannot load a int"):
        load(42)


# --------------------------------------------------------------------------- meshes


@pytest.mark.parametrize("suffix", [".stl", ".obj", ".ply", ".glb"])
def test_plain_mesh_is_one_link_with_same_bounds(tmp_path: Path, suffix: str) -> None:
    mesh = trimesh.creation.annulus(r_min=0.1, r_max=0.3, height=0.2)
    mesh.apply_translation((1.0, 2.0, 3.0))
    path = tmp_path / f"part{suffix}"
    mesh.export(path)
    model = load(path)
    assert [link.name for link in model.links] == ["part"] and model.joints == []
    np.testing.assert_allclose(model.scene.bounds, mesh.bounds, atol=1e-5)


def test_trimesh_scene_keeps_node_transforms() -> None:
    scene = trimesh.Scene()
    scene.add_geometry(trimesh.creation.box((1, 1, 1)), transform=trimesh.transformations.translation_matrix((5, 0, 0)))
    scene.add_geometry(trimesh.creation.icosphere(radius=0.5))
    model = load(scene)
    assert len(model.links[0].visuals) == 2
    np.testing.assert_allclose(model.scene.bounds, scene.bounds, atol=1e-9)
    assert len(load(trimesh.creation.box()).links) == 1


def _broken_mesh() -> trimesh.Trimesh:
    """Two good triangles, one with a NaN corner, one with an index past the 5 vertices, each
    its own colour: what ``process=False`` keeps (trimesh's default processing drops NaN
    corners itself, and raises on the index)."""
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [np.nan, 0, 0]], dtype=float)
    faces = np.array([[0, 1, 2], [1, 3, 2], [0, 1, 4], [0, 1, 9]])
    mesh = trimesh.Trimesh(vertices, faces, process=False)
    mesh.visual.face_colors = [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [9, 9, 9, 255]]
    return mesh


@pytest.mark.parametrize("wrap", ["mesh", "scene"])
def test_triangles_with_a_nan_corner_or_a_bad_index_are_left_out_and_said(wrap: str) -> None:
    import json

    from gizmo_notebook.viewer import encode_model

    source = _broken_mesh() if wrap == "mesh" else trimesh.Scene({"part": _broken_mesh(), "box": trimesh.creation.box()})
    model = load(source)
    mesh = model.links[0].visuals[0].geometry.mesh
    assert mesh.faces.tolist() == [[0, 1, 2], [1, 3, 2]] and len(mesh.vertices) == 4
    assert mesh.visual.face_colors[:, :3].tolist() == [[255, 0, 0], [0, 255, 0]]  # each kept its colour
    assert len(model.notes) == 1 and "2 triangle(s) with a NaN or infinite corner" in model.notes[0], model.notes
    meta, _ = encode_model(model)
    json.dumps(meta, allow_nan=False)  # bounds and all: JSON the browser can read
    assert np.isfinite(meta["bounds"]).all() and meta["notes"] == model.notes


def test_a_sound_mesh_is_shared_not_cleaned() -> None:
    mesh = trimesh.creation.icosphere()
    model = load(mesh)
    assert np.shares_memory(model.links[0].visuals[0].geometry.mesh.vertices, mesh.vertices) and model.notes == []


# --------------------------------------------------------------------------- archives


def _zip(path: Path, members: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def test_zip_export_loads_main_file(tmp_path: Path) -> None:
    mesh = trimesh.creation.box((0.2, 0.2, 0.1))
    urdf = ARM.format(parent="base").replace('<box size="0.2 0.2 0.1"/>', '<mesh filename="meshes/base.stl"/>')
    archive = _zip(tmp_path / "arm.zip", {"arm/arm.urdf": urdf.encode(), "arm/meshes/base.stl": mesh.export(file_type="stl")})
    model = load(archive)
    assert model.joint("j1").parent == "base"
    np.testing.assert_allclose(model.scene.bounds[0], [-0.1, -0.1, -0.05], atol=1e-6)
    assert load(archive).name == model.name  # second load reuses the extracted copy


@pytest.mark.parametrize(
    "members,symlink,match",
    [
        ({"../evil.urdf": b"<robot/>"}, None, "outside the archive folder"),
        ({"/abs/evil.urdf": b"<robot/>"}, None, "absolute"),
        ({"ok.urdf": b"<robot/>"}, "link.urdf", "symbolic links"),
    ],
)
def test_unsafe_archives_are_refused_and_leave_nothing(tmp_path, members, symlink, match) -> None:
    archive = _zip(tmp_path / "bad.zip", members, symlink=symlink)
    dest = tmp_path / "cache"
    with pytest.raises(LoadError, match=match):
        extract_zip(archive, dest)
    assert not dest.exists() or os.listdir(dest) == []
    assert not (tmp_path / "evil.urdf").exists()


def test_size_and_count_caps(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "big.zip", {"a.urdf": b"0" * 10_000, "b.bin": b"1" * 10_000})
    with pytest.raises(LoadError, match="expands to more than"):
        extract_zip(archive, tmp_path / "c1", max_total_bytes=15_000)
    assert [p for p in (tmp_path / "c1").iterdir()] == []  # the staging folder is gone
    with pytest.raises(LoadError, match="more than the 1 allowed"):
        extract_zip(archive, tmp_path / "c2", max_files=1)


def test_ambiguous_archive_is_reported(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "two.zip", {"a.urdf": b"<robot name='a'/>", "b.urdf": b"<robot name='b'/>"})
    with pytest.raises(LoadError, match=r"two\.zip: several model files at the top level \(a\.urdf, b\.urdf\)"):
        load(archive)
