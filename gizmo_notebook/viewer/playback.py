"""Link-pose tracks for ``Viewer.play``: a motion sent to the browser once, as compact binary.

A track is what the browser needs to animate a model without the kernel: for every frame, the
world pose of every link. It is resampled to at most ``fps`` frames per second (a simulation
records every physics step, 500 per second at MuJoCo's default; a screen shows 60) and
quantized, so a 10 s, 60 fps motion of a 40-link robot is ~0.34 MB rather than the 4.8 MB of
float32 at every physics step.

Layout of the buffer (little-endian)::

    b"GZT1", frames: uint32, links: uint32, flags: uint32 (0)   # 16-byte header
    times:       float32[frames]                                # seconds from the first frame
    positions:   int16[frames, links, 3]                        # against the track's bounds
    quaternions: int16[frames, links, 4]                        # w, x, y, z times 32767

A position ``p`` is stored as ``round((p - lo) / (hi - lo) * 65534) - 32767`` per axis (error
below ``(hi - lo) / 65534``: 15 micrometres over a 1 m workspace). Quaternions are unit
quaternions scaled by 32767 (orientation error ~6e-5 rad) with their sign made continuous
from frame to frame, so the browser can interpolate neighbouring frames componentwise.

Two kinds of motion are accepted (:func:`link_track`): a :class:`~gizmo_notebook.sim.Trajectory`
(its link poses are used as they are), or the user's own joint trajectory (a mapping of joint
name -> values plus ``"times"``, or a pandas DataFrame with a time column or index), turned into
link poses here by the model's own forward kinematics, the same function ``AssetModel.pose``
uses — so what plays is exactly what Python computes.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.model import MULTI_DOF_JOINT_TYPES, AssetModel

__all__ = ["TRACK_MAGIC", "LinkTrack", "decode_track", "encode_track", "link_track"]

TRACK_MAGIC = b"GZT1"
_HEADER = struct.Struct("<4sIII")
_QMAX = 32767
_TIME_KEYS = ("times", "time", "t")
MAX_FRAMES = 1_000_000


@dataclass(frozen=True)
class LinkTrack:
    """World poses of named links over time: ``times`` ``(T,)``, ``poses`` ``(T, L, 7)``
    (``x, y, z, qw, qx, qy, qz``), in the link frames of the model being viewed."""

    times: np.ndarray
    link_names: tuple[str, ...]
    poses: np.ndarray

    @property
    def duration(self) -> float:
        return float(self.times[-1] - self.times[0]) if len(self.times) else 0.0


def _matrix_to_quaternion(m: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` -> unit quaternions ``(..., 4)`` (w, x, y, z)."""
    m = np.asarray(m, dtype=float)
    t = np.trace(m, axis1=-2, axis2=-1)
    cands = np.stack([
        np.stack([1 + t, m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0], m[..., 1, 0] - m[..., 0, 1]], -1),
        np.stack([m[..., 2, 1] - m[..., 1, 2], 1 + 2 * m[..., 0, 0] - t, m[..., 0, 1] + m[..., 1, 0], m[..., 0, 2] + m[..., 2, 0]], -1),
        np.stack([m[..., 0, 2] - m[..., 2, 0], m[..., 0, 1] + m[..., 1, 0], 1 + 2 * m[..., 1, 1] - t, m[..., 1, 2] + m[..., 2, 1]], -1),
        np.stack([m[..., 1, 0] - m[..., 0, 1], m[..., 0, 2] + m[..., 2, 0], m[..., 1, 2] + m[..., 2, 1], 1 + 2 * m[..., 2, 2] - t], -1),
    ], -2)  # each row is 4*q*q_k for the k-th largest component: pick the best conditioned
    diag = np.stack([t, m[..., 0, 0], m[..., 1, 1], m[..., 2, 2]], -1)
    best = np.argmax(diag, axis=-1)
    q = np.take_along_axis(cands, best[..., None, None], axis=-2)[..., 0, :]
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def _times_and_columns(motion: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Split a joint trajectory (mapping or DataFrame) into times and joint -> values."""
    if hasattr(motion, "columns") and hasattr(motion, "index"):  # a pandas DataFrame
        columns = {str(c): np.asarray(motion[c]) for c in motion.columns}
        key = next((k for k in _TIME_KEYS if k in columns), None)
        times = columns.pop(key) if key else np.asarray(motion.index)
        return np.asarray(times, dtype=float), columns
    if not isinstance(motion, Mapping):
        raise TypeError(
            "play() takes a Trajectory (from gizmo_notebook.simulate), a dict of joint name -> "
            f"values with a 'times' entry, or a pandas DataFrame; got {type(motion).__name__}"
        )
    columns = dict(motion)
    key = next((k for k in _TIME_KEYS if k in columns), None)
    if key is None:
        raise InvalidValueError(f"a joint trajectory needs its sample times under 'times' (or 'time'/'t'); got keys {sorted(columns)}")
    return np.asarray(columns.pop(key), dtype=float), {str(k): np.asarray(v) for k, v in columns.items()}


def _check_times(times: np.ndarray) -> None:
    if times.ndim != 1 or len(times) == 0:
        raise InvalidValueError(f"times must be a non-empty 1-D array, got shape {times.shape}")
    if len(times) > MAX_FRAMES:
        raise InvalidValueError(f"at most {MAX_FRAMES} samples, got {len(times)}")
    if not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0):
        raise InvalidValueError("times must be finite and non-decreasing")


def _joint_track(model: AssetModel, motion: Any) -> LinkTrack:
    times, columns = _times_and_columns(motion)
    _check_times(times)
    joints = {j.name: j for j in model.joints}
    unknown = sorted(set(columns) - set(joints))
    if unknown:
        raise KeyError(f"unknown joint(s) {unknown}; this model's movable joints are {[j.name for j in model.movable_joints]}")
    for name, values in columns.items():
        ndim = 2 if joints[name].type in MULTI_DOF_JOINT_TYPES else 1
        if values.ndim != ndim or values.shape[0] != len(times):
            raise InvalidValueError(f"joint {name!r}: values of shape {values.shape} for {len(times)} times "
                             f"(expected {'(T, n)' if ndim == 2 else '(T,)'})")
        if not np.all(np.isfinite(values.astype(float))):
            raise InvalidValueError(f"joint {name!r} has non-finite values")
    names = tuple(link.name for link in model.links)
    poses = np.empty((len(times), len(names), 7))
    for k in range(len(times)):
        q = {n: (float(v[k]) if v.ndim == 1 else v[k]) for n, v in columns.items()}
        world = model.link_transforms(q, clamp=False)  # the user's values, as given
        mats = np.stack([world[n] for n in names])
        poses[k, :, :3] = mats[:, :3, 3]
        poses[k, :, 3:] = _matrix_to_quaternion(mats[:, :3, :3])
    return LinkTrack(times - times[0], names, poses)


def link_track(model: AssetModel, motion: Any) -> LinkTrack:
    """The link poses of ``motion`` (a Trajectory or a joint trajectory) for ``model``."""
    from gizmo_notebook.sim.trajectory import Trajectory

    if isinstance(motion, Trajectory):
        times = np.asarray(motion.times, dtype=float)
        _check_times(times)
        known = {link.name for link in model.links}
        keep = [i for i, n in enumerate(motion.link_names) if n in known]
        if not keep:
            raise InvalidValueError(f"the trajectory's links {list(motion.link_names)[:5]} are not links of model {model.name!r}")
        return LinkTrack(times - times[0], tuple(motion.link_names[i] for i in keep),
                         np.asarray(motion.link_poses_array, dtype=float)[:, keep])
    return _joint_track(model, motion)


def _resample(track: LinkTrack, fps: float) -> LinkTrack:
    """At most ``fps`` frames per second of motion: the sample at or just before each frame time."""
    if len(track.times) < 2 or track.duration <= 0:
        return track
    frames = int(np.floor(track.duration * fps + 1e-9)) + 1
    if frames >= len(track.times):
        return track
    at = np.linspace(0.0, track.duration, frames)
    idx = np.clip(np.searchsorted(track.times, at + 1e-12, side="right") - 1, 0, len(track.times) - 1)
    idx[-1] = len(track.times) - 1  # the last state is always shown
    return LinkTrack(track.times[idx], track.link_names, track.poses[idx])


def encode_track(track: LinkTrack, *, fps: float = 60.0) -> tuple[dict, bytes]:
    """``(meta, buffer)`` for the browser (layout in the module docstring)."""
    if not (np.isfinite(fps) and fps > 0):
        raise InvalidValueError(f"fps must be a positive number, got {fps!r}")
    track = _resample(track, fps)
    poses = np.asarray(track.poses, dtype=float)
    if not np.all(np.isfinite(poses)):
        raise InvalidValueError("the link poses contain non-finite values")
    pos = poses[..., :3]
    lo, hi = pos.reshape(-1, 3).min(axis=0), pos.reshape(-1, 3).max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    qpos = np.round((pos - lo) / span * (2 * _QMAX)) - _QMAX
    quat = poses[..., 3:] / np.linalg.norm(poses[..., 3:], axis=-1, keepdims=True)
    # continuous sign along time, so interpolating neighbours never takes the long way round
    for k in range(1, len(quat)):
        flip = np.sum(quat[k] * quat[k - 1], axis=-1) < 0
        quat[k, flip] *= -1
    frames, links = poses.shape[:2]
    buffer = b"".join([
        _HEADER.pack(TRACK_MAGIC, frames, links, 0),
        np.ascontiguousarray(track.times, dtype="<f4").tobytes(),
        np.ascontiguousarray(qpos, dtype="<i2").tobytes(),
        np.ascontiguousarray(np.round(quat * _QMAX), dtype="<i2").tobytes(),
    ])
    meta = {"links": list(track.link_names), "frames": frames, "duration": track.duration,
            "lo": lo.tolist(), "hi": (lo + span).tolist()}
    return meta, buffer


def decode_track(meta: Mapping[str, Any], buffer: bytes) -> LinkTrack:
    """The inverse of :func:`encode_track` (as the browser decodes it), for tests and checks."""
    magic, frames, links, _ = _HEADER.unpack_from(buffer)
    if magic != TRACK_MAGIC:
        raise InvalidValueError("not a link-pose track")
    at = _HEADER.size
    times = np.frombuffer(buffer, "<f4", frames, at).astype(float)
    at += 4 * frames
    q = np.frombuffer(buffer, "<i2", frames * links * 3, at).reshape(frames, links, 3).astype(float)
    at += 6 * frames * links
    r = np.frombuffer(buffer, "<i2", frames * links * 4, at).reshape(frames, links, 4).astype(float) / _QMAX
    lo, hi = np.asarray(meta["lo"]), np.asarray(meta["hi"])
    pos = lo + (q + _QMAX) / (2 * _QMAX) * (hi - lo)
    r /= np.linalg.norm(r, axis=-1, keepdims=True)
    return LinkTrack(times, tuple(meta["links"]), np.concatenate([pos, r], axis=-1))
