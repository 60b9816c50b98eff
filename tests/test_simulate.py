"""simulate(): a plain MuJoCo run of the file, equal to the user's own mj_step loop."""

from __future__ import annotations

import math
from pathlib import Path

import mujoco
import numpy as np
import pytest

import gizmo_notebook as gn
from gizmo_notebook import LoadError, ModelError, Trajectory, load, simulate

# a damped double pendulum whose hinges sit off their body origins (link frames != body frames),
# a motor on each hinge, a ball joint, and a free box that falls onto a floor and collides
_MJCF = """<mujoco model="rig">
  <option timestep="0.004"/>
  <worldbody>
    <geom name="floor" type="plane" size="2 2 0.1"/>
    <body name="upper" pos="0 0 1.5">
      <joint name="shoulder" type="hinge" axis="0 1 0" pos="0 0 0.1" damping="0.05"/>
      <geom type="capsule" fromto="0 0 0.1 0.4 0 0.1" size="0.03"/>
      <body name="lower" pos="0.4 0 0.1" euler="0 0 30">
        <joint name="elbow" type="hinge" axis="0 1 0" pos="0.05 0 0" range="-90 90"/>
        <geom type="box" size="0.2 0.02 0.02" pos="0.2 0 0"/>
        <body name="wrist" pos="0.4 0 0">
          <joint name="wrist" type="ball"/>
          <geom type="sphere" size="0.04" pos="0 0 -0.1"/>
        </body>
      </body>
    </body>
    <body name="box" pos="0.8 0.5 0.4" euler="10 20 30">
      <freejoint name="drop"/>
      <geom type="box" size="0.05 0.06 0.07"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="shoulder_motor" joint="shoulder" gear="2"/>
    <motor name="elbow_motor" joint="elbow"/>
  </actuator>
</mujoco>
"""


@pytest.fixture
def rig(tmp_path: Path) -> Path:
    path = tmp_path / "rig.xml"
    path.write_text(_MJCF)
    return path


def _mujoco_loop(path: Path, steps: int, timestep: float | None = None, ctrl=None) -> tuple[np.ndarray, np.ndarray]:
    """The reference: the loop a MuJoCo user writes, on MuJoCo's own compile of the file."""
    m = mujoco.MjModel.from_xml_path(str(path))
    if timestep is not None:
        m.opt.timestep = timestep
    d = mujoco.MjData(m)
    times, qpos = [d.time], [d.qpos.copy()]
    for k in range(steps):
        if ctrl is not None:
            d.ctrl[:] = ctrl(k, d)
        mujoco.mj_step(m, d)
        times.append(d.time)
        qpos.append(d.qpos.copy())
    return np.array(times), np.array(qpos)


def _stacked(traj: Trajectory, m: mujoco.MjModel) -> np.ndarray:
    """The trajectory's per-joint qpos put back into MuJoCo's qpos layout."""
    out = np.empty((len(traj), m.nq))
    for j in range(m.njnt):
        adr = m.jnt_qposadr[j]
        value = traj.qpos[mujoco.mj_id2name(m, mujoco.mjtObj.mjOBJ_JOINT, j)]
        out[:, adr : adr + (value.shape[1] if value.ndim == 2 else 1)] = value.reshape(len(traj), -1)
    return out


def test_no_control_equals_mujocos_own_loop_exactly(rig: Path) -> None:
    traj = simulate(rig, seconds=0.6, timestep=0.002)
    assert len(traj) == 301 and traj.timestep == 0.002
    times, qpos = _mujoco_loop(rig, 300, timestep=0.002)
    assert np.array_equal(traj.times, times)
    m = mujoco.MjModel.from_xml_path(str(rig))
    assert np.array_equal(_stacked(traj, m), qpos)
    assert traj.qpos["wrist"].shape == (301, 4) and traj.qpos["drop"].shape == (301, 7)
    # things moved: the pendulum swings, the box fell and came to rest on the floor
    assert abs(traj.qpos["shoulder"][-1]) > 0.1
    assert traj.qpos["drop"][-1, 2] < 0.1


def test_the_files_own_timestep_is_the_default(rig: Path) -> None:
    traj = simulate(rig, seconds=0.2)
    assert traj.timestep == 0.004 and len(traj) == 51
    times, qpos = _mujoco_loop(rig, 50)
    m = mujoco.MjModel.from_xml_path(str(rig))
    assert np.array_equal(traj.times, times) and np.array_equal(_stacked(traj, m), qpos)


def test_link_poses_are_the_loaded_models_link_frames(rig: Path) -> None:
    """At every sample, the recorded link poses are what AssetModel forward kinematics gives for
    the recorded joint values: the viewer can place the loaded model's meshes with them."""
    traj = simulate(rig, seconds=0.3)
    model = load(rig)
    assert set(traj.link_names) == {"world", "upper", "lower", "wrist", "box"}
    for frame in (0, 40, len(traj) - 1):
        q = {name: traj.qpos[name][frame] for name in ("shoulder", "elbow", "wrist")}
        expected = model.link_transforms(q, clamp=False)
        got = traj.link_transforms(frame)
        for link in ("upper", "lower", "wrist"):
            np.testing.assert_allclose(got[link], expected[link], atol=1e-9)
    # the free body: MuJoCo's qpos is its absolute pose
    last = traj.link_poses["box"][-1]
    np.testing.assert_allclose(last, traj.qpos["drop"][-1], atol=1e-12)


def test_a_function_of_time_drives_the_actuators_like_a_manual_loop(rig: Path) -> None:
    def wave(t: float) -> list[float]:
        return [math.sin(4 * t), -0.5]

    traj = simulate(rig, seconds=0.3, control=wave)
    _, qpos = _mujoco_loop(rig, 75, ctrl=lambda k, d: wave(d.time))
    m = mujoco.MjModel.from_xml_path(str(rig))
    assert np.array_equal(_stacked(traj, m), qpos)
    assert not np.allclose(traj.qpos["shoulder"], simulate(rig, seconds=0.3).qpos["shoulder"])


def test_a_feedback_law_of_time_and_state_and_names_for_actuators(rig: Path) -> None:
    def hold_level(t: float, state: mujoco.MjData) -> dict[str, float]:
        return {"shoulder_motor": -20 * state.qpos[0] - 2 * state.qvel[0], "elbow": 0.1}  # by actuator or joint

    traj = simulate(rig, seconds=0.4, control=hold_level)
    _, qpos = _mujoco_loop(rig, 100, ctrl=lambda k, d: [-20 * d.qpos[0] - 2 * d.qvel[0], 0.1])
    m = mujoco.MjModel.from_xml_path(str(rig))
    assert np.array_equal(_stacked(traj, m), qpos)
    assert abs(traj.qpos["shoulder"][-1]) < abs(simulate(rig, seconds=0.4).qpos["shoulder"][-1])


def test_arrays_of_ctrl_constant_or_per_step(rig: Path) -> None:
    m = mujoco.MjModel.from_xml_path(str(rig))
    constant = simulate(rig, seconds=0.2, control=[0.3, -0.2])
    _, qpos = _mujoco_loop(rig, 50, ctrl=lambda k, d: [0.3, -0.2])
    assert np.array_equal(_stacked(constant, m), qpos)
    table = np.column_stack([np.linspace(-1, 1, 50), np.zeros(50)])
    per_step = simulate(rig, seconds=0.2, control=table)
    _, qpos = _mujoco_loop(rig, 50, ctrl=lambda k, d: table[k])
    assert np.array_equal(_stacked(per_step, m), qpos)
    by_name = simulate(rig, seconds=0.2, control={"shoulder_motor": table[:, 0]})
    assert np.array_equal(_stacked(by_name, m), qpos)


@pytest.mark.parametrize(
    ("control", "message"),
    [
        ([1.0, 2.0, 3.0], r"shape \(3,\).*2 values \(one per actuator: shoulder_motor, elbow_motor\)"),
        (np.zeros((7, 2)), r"one row of them per step \(50 x 2\)"),
        ({"knee": 1.0}, "'knee', which is neither an actuator nor a joint"),
        (lambda t: [1.0], "returned 1 values; the model has 2 actuators"),
        (lambda t: [float("nan"), 0.0], "not finite"),
    ],
)
def test_a_control_that_does_not_fit_says_what_the_model_takes(rig: Path, control, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        simulate(rig, seconds=0.2, control=control)


def test_bad_arguments_and_sources_are_typed_errors(rig: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seconds must be a positive number"):
        simulate(rig, seconds=0)
    with pytest.raises(ValueError, match="timestep must be a positive"):
        simulate(rig, timestep=-1.0)
    with pytest.raises(ValueError, match="seconds must be a positive number"):
        simulate(rig, seconds=True)
    assert len(simulate(rig, seconds=np.float32(0.02), timestep=np.float64(0.01))) == 3
    with pytest.raises(LoadError, match="does not exist"):
        simulate(tmp_path / "missing.xml")
    broken = tmp_path / "broken.xml"
    broken.write_text('<mujoco><worldbody><body><joint type="hinge"/></body></worldbody></mujoco>')
    with pytest.raises(LoadError, match="broken.xml"):
        simulate(broken)


_URDF = """<robot name="arm">
  <link name="world"/>
  <link name="base"><inertial><mass value="2"/><inertia ixx="0.01" iyy="0.01" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial>
    <visual><geometry><box size="0.2 0.2 0.1"/></geometry></visual></link>
  <link name="upper"><inertial><origin xyz="0.2 0 0"/><mass value="1"/>
      <inertia ixx="0.001" iyy="0.01" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial>
    <visual><origin xyz="0.2 0 0"/><geometry><box size="0.4 0.04 0.04"/></geometry></visual></link>
  <joint name="mount" type="fixed"><parent link="world"/><child link="base"/></joint>
  <joint name="shoulder" type="revolute"><parent link="base"/><child link="upper"/>
    <origin xyz="0 0 0.1"/><axis xyz="0 1 0"/><limit lower="-2" upper="2" effort="50" velocity="2"/></joint>
</robot>
"""


def test_a_urdf_runs_as_its_mjcf_export(tmp_path: Path) -> None:
    from io import BytesIO

    from gizmo_notebook.local.exporters.mjcf import write_mjcf

    path = tmp_path / "arm.urdf"
    path.write_text(_URDF)
    traj = gn.simulate(path, seconds=0.5)
    buffer = BytesIO()
    write_mjcf(load(path), buffer)
    exported = tmp_path / "arm_export.xml"
    exported.write_bytes(buffer.getvalue())
    times, qpos = _mujoco_loop(exported, len(traj) - 1)
    assert np.array_equal(traj.times, times)
    assert np.array_equal(traj.qpos["shoulder"], qpos[:, 0])
    # the position servo holds the arm near its zero against gravity: it sags a little
    assert 0 < abs(traj.qpos["shoulder"][-1]) < 0.2
    model = load(path)
    for frame in (0, len(traj) - 1):
        expected = model.link_transforms({"shoulder": traj.qpos["shoulder"][frame]}, clamp=False)
        for link, pose in traj.link_transforms(frame).items():
            np.testing.assert_allclose(pose, expected[link], atol=1e-9)
    assert set(traj.link_names) == {"world", "base", "upper"}


def test_compact_arrays_for_playback(rig: Path) -> None:
    traj = simulate(rig, seconds=0.2)
    arrays = traj.to_arrays()
    assert arrays["link_poses"].dtype == np.float32 and arrays["times"].dtype == np.float32
    assert arrays["link_poses"].shape == (51, len(traj.link_names), 7)
    assert arrays["link_names"] == list(traj.link_names)
    np.testing.assert_allclose(arrays["link_poses"], traj.link_poses_array, atol=1e-6)
    assert traj.link_poses["lower"].shape == (51, 7)
    assert "51 samples" in repr(traj)


@pytest.mark.parametrize("prompt", ["a 4-DOF robotic arm", "a four-legged walking robot"])
def test_generated_assets_simulate_as_their_mjcf_export(prompt: str) -> None:
    from gizmo_notebook.local.generator import generate

    model = generate(prompt)
    traj = simulate(model, seconds=0.5)
    assert set(traj.link_names) == {link.name for link in model.links}
    assert {j.name for j in model.movable_joints} <= set(traj.qpos)
    assert np.isfinite(traj.link_poses_array).all()
    # zero control: the servos hold every joint near its zero
    for joint in model.movable_joints:
        assert abs(traj.qpos[joint.name][-1]) < 0.2, joint.name


def test_a_closed_loop_stays_closed_in_simulation(tmp_path: Path) -> None:
    """An SDF four-bar runs with its loop-closing joint as MuJoCo equality constraints: driving
    the crank moves the whole parallelogram instead of tearing the loop open."""
    from tests.loaders.test_loops import _four_bar_sdf

    path = tmp_path / "four_bar.sdf"
    path.write_text(_four_bar_sdf(limits=False, anchored=True))  # continuous joints: velocity motors
    model = load(path)
    (loop,) = model.loop_closures
    traj = simulate(model, seconds=1.0, control={"j_crank": 1.0})
    assert traj.qpos["j_crank"][-1] > 0.2  # the crank turned...
    # ...and the parallelogram followed: coupler counter-turned, rocker turned with the crank
    np.testing.assert_allclose(traj.qpos["j_coupler"][-1], -traj.qpos["j_crank"][-1], atol=0.02)
    np.testing.assert_allclose(traj.qpos["j_rocker"][-1], traj.qpos["j_crank"][-1], atol=0.02)
    gaps = [loop.gap(traj.link_transforms(k)) for k in range(0, len(traj), 50)]
    assert max(gaps) < 0.01  # MuJoCo's constraints are soft: millimetres
    model.loop_closures.clear()  # without the constraint the loop tears open
    torn = simulate(model, seconds=1.0, control={"j_crank": 1.0})
    assert loop.gap(torn.link_transforms(len(torn) - 1)) > 0.1


def test_real_descriptions_with_a_massless_base_or_degenerate_inertia_simulate() -> None:
    """pybullet's iiwa marks its fixed base with zero mass; the UR5's frame-only links have zero
    inertia: MuJoCo refuses both as written, the export makes them a fixed base / negligible."""
    from tests.loaders._reference import EXAMPLE_ROBOTS, PYBULLET_DATA

    iiwa = simulate(PYBULLET_DATA / "kuka_iiwa" / "model.sdf", seconds=0.5)
    base = iiwa.link_poses["lbr_iiwa_link_0"]
    assert np.array_equal(base[0], base[-1])  # bolted down
    link1 = iiwa.link_poses["lbr_iiwa_link_1"]
    np.testing.assert_allclose(link1[0, :3], (0, -2.3, 0.7 + 0.1575), atol=1e-9)  # where the model <pose> puts it
    assert max(abs(v[-1]) for v in iiwa.qpos.values()) < 0.1  # the servos hold the arm up
    ur5 = simulate(EXAMPLE_ROBOTS / "ur_description" / "urdf" / "ur5_robot.urdf", seconds=0.2)
    assert np.isfinite(ur5.link_poses_array).all() and "ee_link" in ur5.link_names


def test_real_descriptions_with_a_heavy_world_link_or_zero_radius_spheres_simulate() -> None:
    """pybullet's free-base WSG-50 gripper names its root link "world" and gives it mass (MuJoCo's
    own world body has that name); laikago_toes has zero-radius spheres (MuJoCo refuses a zero
    size). Both failed to compile; the export renames the one and leaves out the other."""
    from tests.loaders._reference import PYBULLET_DATA

    gripper = simulate(PYBULLET_DATA / "gripper" / "wsg50_one_motor_gripper_free_base.sdf", seconds=0.2)
    assert "world" in gripper.link_names and np.isfinite(gripper.link_poses["world"]).all()
    assert gripper.link_poses["world"][-1, 2] < gripper.link_poses["world"][0, 2]  # free: it falls
    laikago = simulate(PYBULLET_DATA / "laikago" / "laikago_toes_zup.urdf", seconds=0.2)
    assert np.isfinite(laikago.link_poses_array).all() and len(laikago.link_names) == 17


def test_a_flat_mesh_simulates_as_a_shell(tmp_path: Path) -> None:
    """pybullet's plane.urdf draws its floor as a one-sided flat mesh (colliding as a box): MuJoCo
    refuses its zero volume unless the exported mesh is declared a shell; a tilted plane too."""
    import trimesh

    plane = trimesh.Trimesh(vertices=[[0, 0, 0], [1, 0, 1], [1, 1, 1], [0, 1, 0]], faces=[[0, 1, 2], [0, 2, 3]])
    plane.export(tmp_path / "tilted.stl")
    path = tmp_path / "floor.urdf"
    path.write_text('<robot name="floor"><link name="floor"><inertial><mass value="0"/>'
                    '<inertia ixx="0" iyy="0" izz="0" ixy="0" ixz="0" iyz="0"/></inertial>'
                    '<visual><geometry><mesh filename="tilted.stl"/></geometry></visual>'
                    '<collision><geometry><box size="1 1 0.1"/></geometry></collision></link></robot>')
    traj = simulate(path, seconds=0.01)
    assert traj.link_names == ("floor",) and np.array_equal(traj.link_poses["floor"][-1], [0, 0, 0, 1, 0, 0, 0])


def test_an_asset_runs_its_mjcf_export_exactly(local_server, tmp_path: Path) -> None:
    """An Asset from the service runs the MJCF file the service exported, as MuJoCo runs it."""
    from gizmo_notebook import GizmoClient

    with GizmoClient(api_key=local_server.api_key, base_url=local_server.base_url) as client:
        asset = client.assets.wait(client.assets.create("a 3-DOF robotic arm").id, timeout=60,
                                   poll_interval=0.05, progress=False)
        traj = simulate(asset, seconds=0.2, client=client)
        mjcf = client.assets.download(asset.id, "mujoco_mjcf")
    assert str(mjcf) == traj.source
    times, qpos = _mujoco_loop(Path(mjcf), len(traj) - 1)
    m = mujoco.MjModel.from_xml_path(str(mjcf))
    assert np.array_equal(traj.times, times) and np.array_equal(_stacked(traj, m), qpos)


def test_positions_pose_the_loaded_model_like_the_simulation(tmp_path: Path) -> None:
    """traj.positions are the values the loaded AssetModel takes: with a hinge ref (qpos0 != 0)
    and a free body that does not start at the origin, the model posed with them sits where
    MuJoCo put every link, at every sample."""
    path = tmp_path / "ref.xml"
    path.write_text(_MJCF.replace('axis="0 1 0" pos="0 0 0.1" damping="0.05"', 'axis="0 1 0" pos="0 0 0.1" ref="20"'))
    traj = simulate(path, seconds=0.4)
    model = load(path)
    assert traj.qpos["shoulder"][0] == pytest.approx(math.radians(20)) and traj.positions["shoulder"][0] == 0.0
    assert set(traj.positions) == {j.name for j in model.joints if j.type != "fixed"}
    for frame in (0, 37, len(traj) - 1):
        expected = model.link_transforms(traj.joint_positions(frame), clamp=False)
        for link, pose in traj.link_transforms(frame).items():
            np.testing.assert_allclose(pose, expected[link], atol=1e-9, err_msg=f"{link} at sample {frame}")


def test_positions_leave_out_the_free_base_the_export_adds() -> None:
    from gizmo_notebook.local.generator import generate

    model = generate("a four-legged walking robot")
    traj = simulate(model, seconds=0.05)
    assert set(traj.positions) == {j.name for j in model.joints if j.type != "fixed"}
    assert set(traj.qpos) - set(traj.positions)  # the free joint the MJCF export gave the base
