"""Viewer.play: link poses as a compact quantized binary track, within the wire budget."""

from __future__ import annotations

import numpy as np
import pytest

from gizmo_notebook.model import AssetModel, Box, Joint, JointLimits, Link, Pose, Visual, quaternion_to_matrix
from gizmo_notebook.sim import Trajectory, simulate
from gizmo_notebook.viewer import Viewer
from gizmo_notebook.viewer.playback import _matrix_to_quaternion, decode_track, encode_track, link_track


def _chain(n: int) -> AssetModel:
    links = [Link(f"l{i}", visuals=[Visual(Box((0.05, 0.05, 0.1)), origin=Pose((0, 0, 0.05)))]) for i in range(n)]
    joints = [Joint(f"j{i}", "revolute", f"l{i - 1}", f"l{i}", origin=Pose((0, 0, 0.1)), axis=(0, 1, 0),
                    limits=JointLimits(-1.0, 1.0)) for i in range(1, n)]
    return AssetModel("chain", links=links, joints=joints)


def _trajectory(model: AssetModel, seconds: float, dt: float) -> Trajectory:
    """A motion of every joint as a physics run records it (one sample per step)."""
    times = np.arange(0.0, seconds + dt / 2, dt)
    names = tuple(link.name for link in model.links)
    poses = np.empty((len(times), len(names), 7))
    for k, t in enumerate(times):
        world = model.link_transforms({j.name: 0.3 * np.sin(2 * t + i) for i, j in enumerate(model.movable_joints)})
        mats = np.stack([world[n] for n in names])
        poses[k, :, :3] = mats[:, :3, 3]
        poses[k, :, 3:] = _matrix_to_quaternion(mats[:, :3, :3])
    return Trajectory(times=times, qpos={}, link_names=names, link_poses_array=poses, timestep=dt)


def _rotation_angle(qa: np.ndarray, qb: np.ndarray) -> np.ndarray:
    return 2 * np.arccos(np.clip(np.abs(np.sum(qa * qb, axis=-1)), 0, 1))


def test_forty_links_ten_seconds_at_60_fps_is_under_a_megabyte() -> None:
    model = _chain(40)
    traj = _trajectory(model, seconds=10.0, dt=0.01)  # 1001 samples; 60 fps keeps 601
    raw = traj.to_arrays()["link_poses"].nbytes
    viewer = Viewer(model)
    viewer.play(traj)
    assert viewer._playback["frames"] == 601
    assert viewer.playback_bytes < 1_000_000, viewer.playback_bytes
    assert viewer.playback_bytes < raw / 3  # quantized, resampled: not float lists
    # the page gets exactly those bytes, in content-addressed chunk widgets
    sent = b"".join(bytes(b.value) for b in viewer._playback_blobs)
    assert len(sent) == viewer.playback_bytes
    assert [b.digest for b in viewer._playback_blobs] == [c["digest"] for c in viewer._playback["chunks"]]
    assert viewer._playback["loop"] is True


def test_decoded_poses_match_the_trajectory_within_quantization() -> None:
    model = _chain(6)
    traj = _trajectory(model, seconds=2.0, dt=1 / 60)
    meta, buffer = encode_track(link_track(model, traj), fps=60)
    back = decode_track(meta, buffer)
    assert back.poses.shape == traj.link_poses_array.shape
    extent = np.ptp(traj.link_poses_array[..., :3].reshape(-1, 3), axis=0).max()
    assert np.abs(back.poses[..., :3] - traj.link_poses_array[..., :3]).max() <= extent / 30000
    assert _rotation_angle(back.poses[..., 3:], traj.link_poses_array[..., 3:]).max() < 2e-4
    assert np.allclose(back.times, traj.times - traj.times[0], atol=1e-6)


def test_quaternion_signs_are_continuous_for_interpolation() -> None:
    model = _chain(2)
    traj = _trajectory(model, seconds=1.0, dt=0.1)
    poses = traj.link_poses_array.copy()
    poses[1::2, :, 3:] *= -1  # the same orientations, every other one written as -q
    flipped = Trajectory(times=traj.times, qpos={}, link_names=traj.link_names, link_poses_array=poses, timestep=0.1)
    back = decode_track(*encode_track(link_track(model, flipped)))
    dots = np.sum(back.poses[1:, :, 3:] * back.poses[:-1, :, 3:], axis=-1)
    assert (dots > 0).all()


def test_a_joint_trajectory_plays_by_the_models_forward_kinematics() -> None:
    model = _chain(4)
    times = np.linspace(0, 1, 31)
    motion = {"times": times, "j1": np.sin(times), "j3": -times}
    track = link_track(model, motion)
    k = 17
    world = model.link_transforms({"j1": np.sin(times[k]), "j3": -times[k]}, clamp=False)
    i = track.link_names.index("l3")
    assert np.allclose(track.poses[k, i, :3], world["l3"][:3, 3])
    assert np.allclose(quaternion_to_matrix(track.poses[k, i, 3:]), world["l3"][:3, :3])
    back = decode_track(*encode_track(track))
    assert np.allclose(back.poses[k, i, :3], world["l3"][:3, 3], atol=1e-4)
    assert np.allclose(quaternion_to_matrix(back.poses[k, i, 3:]), world["l3"][:3, :3], atol=1e-3)


def test_a_dataframe_with_a_time_column_plays() -> None:
    pd = pytest.importorskip("pandas")
    model = _chain(3)
    df = pd.DataFrame({"time": np.linspace(0, 1, 11), "j1": np.linspace(0, 0.5, 11)})
    assert link_track(model, df).poses.shape == (11, 3, 7)


def test_a_simulated_trajectory_plays() -> None:
    model = _chain(3)
    traj = simulate(model, seconds=0.5)
    viewer = Viewer(model).play(traj, loop=False, speed=2)
    meta = viewer._playback
    assert meta["loop"] is False and meta["speed"] == 2.0
    assert set(meta["links"]) <= {link.name for link in model.links}
    assert meta["frames"] <= 0.5 * 60 + 1


@pytest.mark.parametrize(("motion", "error", "match"), [
    ({"j1": [0.0, 1.0]}, ValueError, "times"),
    ({"times": [0, 1], "nope": [0.0, 1.0]}, KeyError, "nope"),
    ({"times": [0, 1], "j1": [0.0, 1.0, 2.0]}, ValueError, "j1"),
    ({"times": [1, 0], "j1": [0.0, 1.0]}, ValueError, "non-decreasing"),
    ({"times": [0, 1], "j1": [0.0, float("nan")]}, ValueError, "non-finite"),
    ([1, 2, 3], TypeError, "Trajectory"),
])
def test_bad_motions_are_refused_clearly(motion, error, match) -> None:
    viewer = Viewer(_chain(3))
    with pytest.raises(error, match=match):
        viewer.play(motion)
    assert viewer._playback == {} and viewer._playback_blobs == []  # nothing half-sent


def test_bad_speed_and_fps_are_refused_and_stop_clears() -> None:
    viewer = Viewer(_chain(3))
    motion = {"times": [0, 1], "j1": [0.0, 1.0]}
    with pytest.raises(ValueError, match="speed"):
        viewer.play(motion, speed=0)
    with pytest.raises(ValueError, match="fps"):
        viewer.play(motion, fps=0)
    viewer.play(motion)
    assert viewer.playback_bytes > 0
    viewer.stop()
    assert viewer.playback_bytes == 0 and viewer._playback_blobs == []
