"""The SDFormat 1.9 exporter, checked by libsdformat (Gazebo's parser) and by the format's rules.

With the reference parser available every generated family, a composed mobile manipulator
and a scene are loaded with warnings and unknown elements promoted to errors; each link's
pose as the parser resolves it through the ``relative_to`` graph must equal the model's own
forward kinematics, and each joint axis must point the same way. Without the parser the
structural rules (one namespace, reserved names, required ``<limit>``, every mesh shipped)
still run.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from gizmo_notebook.local.exporters import ExportError
from gizmo_notebook.local.exporters.sdf import write_sdf_zip
from gizmo_notebook.local.generator import WORLD_LINK, compose_scene, generate, is_world_anchored
from gizmo_notebook.model import (
    AssetModel,
    Box,
    Inertial,
    Joint,
    JointLimits,
    Link,
    LoopClosure,
    Pose,
    Visual,
    quaternion_to_matrix,
)

PROMPTS = [
    "A 6-DOF industrial robotic arm with a parallel jaw gripper",
    "SCARA robot with a suction gripper",
    "three finger gripper",
    "A compact differential drive mobile robot base with two wheels",
    "mecanum platform",
    "quadruped robot",
    "pan-tilt camera head",
    "lidar sensor housing",
    "4-tier shelf",
    "2 m long conveyor belt",
    "mobile manipulator: 6-DOF arm with gripper on a mobile base",
]


def _scene() -> AssetModel:
    return compose_scene(
        "workcell",
        [(generate("robot arm with gripper"), Pose((0.0, 0.0, 0.0))), (generate("table"), Pose((1.2, 0.3, 0.0), (0, 0, 1.2)))],
    )


def _unpack(model: AssetModel, tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    write_sdf_zip(model, buffer, description="test")
    with zipfile.ZipFile(buffer) as archive:
        archive.extractall(tmp_path)
    return tmp_path / "model.sdf"


def _models() -> list[tuple[str, AssetModel]]:
    return [(p, generate(p)) for p in PROMPTS] + [("scene", _scene())]


@pytest.mark.parametrize(("label", "model"), _models(), ids=[*PROMPTS, "scene"])
def test_structure_follows_sdformat_1_9_rules(label: str, model: AssetModel, tmp_path: Path) -> None:
    path = _unpack(model, tmp_path)
    root = ET.parse(path).getroot()
    assert root.tag == "sdf" and root.get("version") == "1.9"
    (element,) = root.findall("model")
    frame_names = [e.get("name") for e in element if e.tag in ("link", "joint", "frame", "model")]
    assert len(frame_names) == len(set(frame_names)), "links and joints share one namespace in SDF 1.9"
    assert WORLD_LINK not in frame_names and not any(n.startswith("__") for n in frame_names)
    for link in element.findall("link"):
        assert float(link.findtext("inertial/mass")) > 0
        children = [c.get("name") for c in link if c.tag in ("visual", "collision")]
        assert all(children)
    links = {link.get("name") for link in element.findall("link")}
    for joint in element.findall("joint"):
        assert joint.findtext("child") in links
        assert joint.findtext("parent") in links | {WORLD_LINK}
        if joint.get("type") in ("revolute", "prismatic", "continuous"):
            assert joint.find("axis/limit/lower") is not None and joint.find("axis/limit/upper") is not None
    for uri in element.iter("uri"):
        assert (tmp_path / uri.text).is_file(), uri.text
    config = ET.parse(tmp_path / "model.config").getroot()
    assert config.find("sdf").text == "model.sdf" and config.find("sdf").get("version") == "1.9"
    # a fixed-base model hangs off the world through joints, never through a link named world
    assert is_world_anchored(model) == any(j.findtext("parent") == WORLD_LINK for j in element.findall("joint"))


@pytest.mark.parametrize(("label", "model"), _models(), ids=[*PROMPTS, "scene"])
def test_libsdformat_accepts_and_resolves_the_same_kinematics(
    label: str, model: AssetModel, tmp_path: Path, sdf_checker
) -> None:
    parsed = sdf_checker(_unpack(model, tmp_path))
    assert parsed["version"] == "1.9"
    transforms = model.link_transforms()
    expected = [link for link in model.links if not (is_world_anchored(model) and link.name == WORLD_LINK)]
    for link in expected:
        got = parsed["links"][link.name]
        want = transforms[link.name]
        np.testing.assert_allclose(got["xyz"], want[:3, 3], atol=1e-6, err_msg=link.name)
        np.testing.assert_allclose(quaternion_to_matrix(got["quat_wxyz"]), want[:3, :3], atol=1e-6, err_msg=link.name)
        assert got["visuals"] == len(link.visuals) and got["collisions"] == len(link.collisions)
    for joint in model.joints:
        if joint.type in ("revolute", "prismatic", "continuous"):
            got = parsed["joints"][joint.name]
            axis = transforms[joint.child][:3, :3] @ np.asarray(joint.axis)
            np.testing.assert_allclose(got["axis_model"], axis, atol=1e-6, err_msg=joint.name)
            assert got["parent"] == (joint.parent if joint.parent != WORLD_LINK else "world")
            if joint.type != "continuous" and joint.limits is not None:
                assert (got["lower"], got["upper"]) == pytest.approx((joint.limits.lower, joint.limits.upper))


def test_name_clash_between_a_link_and_a_joint_is_resolved(tmp_path: Path, sdf_checker) -> None:
    box = Box((0.1, 0.1, 0.1))
    model = AssetModel(
        "clash",
        [Link("base"), Link("arm"), Link("world_like")],
        [Joint("arm", "revolute", "base", "arm", Pose((0, 0, 0.2))), Joint("j2", "floating", "arm", "world_like", Pose((0.1, 0, 0)))],
    )
    model.links[0].visuals.append(Visual(box))
    parsed = sdf_checker(_unpack(model, tmp_path))
    assert set(parsed["links"]) == {"base", "arm", "world_like"}
    assert set(parsed["joints"]) == {"arm_2"}  # the floating joint is a free link, not a joint
    np.testing.assert_allclose(parsed["links"]["world_like"]["xyz"], [0.1, 0, 0.2], atol=1e-9)


def test_planar_joint_is_refused_with_a_reason() -> None:
    model = AssetModel("p", [Link("a"), Link("b")], [Joint("slide", "planar", "a", "b")])
    with pytest.raises(ExportError, match="planar"):
        write_sdf_zip(model, io.BytesIO())


@pytest.mark.parametrize(("label", "model"), _models(), ids=[*PROMPTS, "scene"])
def test_the_package_sdf_loader_reads_back_the_same_kinematics(label: str, model: AssetModel, tmp_path: Path) -> None:
    from gizmo_notebook.loaders.sdf import load_sdf

    loaded = load_sdf(_unpack(model, tmp_path))
    want, got = model.link_transforms(), loaded.link_transforms()
    for link in model.links:
        if link.name == WORLD_LINK:
            continue
        np.testing.assert_allclose(got[link.name], want[link.name], atol=1e-6, err_msg=link.name)
    movable = {j.name: (j.type, j.parent, j.child) for j in model.joints if j.is_movable}
    assert {j.name: (j.type, j.parent, j.child) for j in loaded.joints if j.is_movable} == movable
    q = {name: 0.3 for name, (kind, _, _) in movable.items() if kind in ("revolute", "continuous")}
    moved_want, moved_got = model.link_transforms(q), loaded.link_transforms(q)
    for name in moved_want:
        if name != WORLD_LINK:
            np.testing.assert_allclose(moved_got[name], moved_want[name], atol=1e-6, err_msg=name)


def _four_bar() -> AssetModel:
    """Ground, crank, coupler, rocker: the tree plus the rocker's pivot on the ground as a loop closure."""
    box = Visual(Box((0.05, 0.05, 0.05)))
    links = [Link(name, [box], inertial=Inertial(0.1)) for name in ("ground", "crank", "coupler", "rocker")]
    joints = [
        Joint("j_crank", "revolute", "ground", "crank", Pose((0.0, 0.0, 0.0)), limits=JointLimits(-3, 3)),
        Joint("j_coupler", "revolute", "crank", "coupler", Pose((0.0, 0.2, 0.0)), limits=JointLimits(-3, 3)),
        Joint("j_rocker", "revolute", "coupler", "rocker", Pose((0.4, 0.0, 0.0)), limits=JointLimits(-3, 3)),
    ]
    loop = LoopClosure("j_ground", "revolute", "ground", "rocker", Pose((0.4, 0.0, 0.0)), Pose((0.0, -0.2, 0.0)))
    return AssetModel("four_bar", links, joints, loop_closures=[loop]).validate()


def test_a_loop_closure_is_a_joint_whose_child_already_has_a_parent(tmp_path: Path) -> None:
    from gizmo_notebook.loaders.sdf import load_sdf

    model = _four_bar()
    assert model.loop_closures[0].gap(model.link_transforms()) < 1e-12
    path = _unpack(model, tmp_path)
    closing = [j for j in ET.parse(path).getroot().iter("joint") if j.get("name") == "j_ground"]
    assert len(closing) == 1 and closing[0].findtext("child") == "rocker"
    (loop,) = load_sdf(path).loop_closures
    assert (loop.name, loop.parent, loop.child) == ("j_ground", "ground", "rocker")
    assert loop.type in ("revolute", "continuous")  # an unbounded revolute reads back as continuous
    assert loop.gap(load_sdf(path).link_transforms()) < 1e-9


def test_libsdformat_accepts_the_four_bar(tmp_path: Path, sdf_checker) -> None:
    parsed = sdf_checker(_unpack(_four_bar(), tmp_path))
    assert set(parsed["joints"]) == {"j_crank", "j_coupler", "j_rocker", "j_ground"}
    assert parsed["joints"]["j_ground"]["child"] == "rocker"


def test_visuals_sharing_a_name_get_the_shared_unique_suffix(tmp_path: Path) -> None:
    """Names are made unique by the package's one rule (``_names.claim_unique``: ``x``, ``x_2``...)."""
    box = Box((0.1, 0.1, 0.1))
    link = Link("base", visuals=[Visual(box, name="shell"), Visual(box, Pose((0.2, 0, 0)), name="shell")],
                inertial=Inertial(1.0))
    sdf = ET.parse(_unpack(AssetModel("twins", [link], []), tmp_path)).getroot()
    assert [v.get("name") for v in sdf.iter("visual")] == ["shell", "shell_2"]
