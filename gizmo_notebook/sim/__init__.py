"""Physics playback: run MuJoCo on a robot description and record what it does.

``simulate`` is deliberately a plain ``mj_step`` loop: with no control it leaves ``ctrl`` at
zero and touches nothing else, so its joint trajectory equals, number for number, what a
user's own MuJoCo loop on the same file and timestep gives. Link poses are computed on a
second ``MjData`` so recording them cannot perturb the run.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from gizmo_notebook._optional import requires
from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.sim._compile import Compiled, compile_source
from gizmo_notebook.sim._control import control_setter
from gizmo_notebook.sim.trajectory import Trajectory

with requires("mujoco", "gizmo_notebook.simulate"):
    import mujoco

__all__ = ["Trajectory", "simulate"]


def simulate(
    source: Any,
    seconds: float = 2.0,
    *,
    control: Any = None,
    timestep: float | None = None,
    client: Any = None,
) -> Trajectory:
    """Simulate ``source`` with MuJoCo for ``seconds`` and return its :class:`Trajectory`.

    ``source`` is anything :func:`~gizmo_notebook.load` reads. MJCF runs exactly as written;
    URDF, USD, SDF, xacro, archives and generated models run as the package's MJCF export of
    them (fixed base when the root link is ``world``, else a free base dropped onto a floor;
    a position servo per revolute / prismatic joint, whose zero control holds the joint at 0).
    An ``Asset`` runs its ``mujoco_mjcf`` export when it has one (downloaded with ``client``).

    ``timestep`` overrides the model's own (``<option timestep>``). ``control`` sets
    ``data.ctrl`` before every step: ``None`` leaves it at zero; a function ``f(t)`` or
    ``f(t, state)`` (``state`` is MuJoCo's ``MjData``: read it, don't write it) returns the
    controls as numbers or as a mapping of actuator (or joint) name to value; an array gives
    one value per actuator (constant) or one row per step; a mapping gives per name a number
    or one value per step. Raises :class:`~gizmo_notebook.LoadError` for a source that cannot
    be read and :class:`~gizmo_notebook.ModelError` for one that cannot be simulated or a
    control that does not fit its actuators.
    """
    if not _positive(seconds):
        raise InvalidValueError(f"seconds must be a positive number, got {seconds!r}")
    if timestep is not None and not _positive(timestep):
        raise InvalidValueError(f"timestep must be a positive number of seconds, got {timestep!r}")
    compiled = compile_source(source, client=client)
    mj = compiled.mj
    if timestep is not None:
        mj.opt.timestep = float(timestep)
    steps = max(1, round(seconds / mj.opt.timestep))
    setter = control_setter(control, mj, steps, compiled.joints)
    return _run(compiled, steps, setter)


def _positive(value: Any) -> bool:
    """A finite number above 0 (numpy scalars included; not a bool)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and float(value) > 0


def _run(compiled: Compiled, steps: int, setter: Any) -> Trajectory:
    mj = compiled.mj
    data, probe = mujoco.MjData(mj), mujoco.MjData(mj)
    times = np.empty(steps + 1)
    qpos = np.empty((steps + 1, mj.nq))
    bodies = np.array([b for b, _, _ in compiled.links], dtype=int)
    anchors = np.array([a for _, _, a in compiled.links], dtype=float).reshape(-1, 3)
    poses = np.empty((steps + 1, len(bodies), 7))

    def record(k: int) -> None:
        times[k] = data.time
        qpos[k] = data.qpos
        probe.qpos[:] = data.qpos
        probe.mocap_pos[:] = data.mocap_pos
        probe.mocap_quat[:] = data.mocap_quat
        mujoco.mj_kinematics(mj, probe)
        rot = probe.xmat[bodies].reshape(-1, 3, 3)
        poses[k, :, :3] = probe.xpos[bodies] + np.einsum("nij,nj->ni", rot, anchors)
        poses[k, :, 3:] = probe.xquat[bodies]

    record(0)
    for k in range(steps):
        if setter is not None:
            setter(k, data)
        mujoco.mj_step(mj, data)
        record(k + 1)
    per_joint = _per_joint(mj, qpos, compiled.joints)
    return Trajectory(
        times=times,
        qpos=per_joint,
        link_names=tuple(name for _, name, _ in compiled.links),
        link_poses_array=poses,
        timestep=float(mj.opt.timestep),
        source=compiled.label,
        positions=_model_positions(mj, per_joint, compiled),
    )


def _model_positions(mj: mujoco.MjModel, per_joint: dict[str, np.ndarray], compiled: Compiled) -> dict[str, np.ndarray]:
    """The joint values as the loaded model measures them (what ``AssetModel.link_transforms``
    takes): hinges and slides from their ``qpos0`` (``ref``), a free joint as its body's
    displacement from where the file puts it; ball joints are the same as MuJoCo's."""
    out = {}
    for j, name in compiled.joints.items():
        if name in compiled.added:
            continue
        value, kind, adr = per_joint[name], int(mj.jnt_type[j]), int(mj.jnt_qposadr[j])
        if kind in (mujoco.mjtJoint.mjJNT_HINGE, mujoco.mjtJoint.mjJNT_SLIDE):
            out[name] = value - float(mj.qpos0[adr])
        elif kind == mujoco.mjtJoint.mjJNT_FREE:
            out[name] = _displacement(mj.qpos0[adr : adr + 7], value)
        else:
            out[name] = value
    return out


def _displacement(rest: np.ndarray, poses: np.ndarray) -> np.ndarray:
    """Each free-joint pose ``(x, y, z, qw, qx, qy, qz)`` relative to the ``rest`` pose."""
    inverse = np.zeros(4)
    mujoco.mju_negQuat(inverse, np.asarray(rest[3:], dtype=float))
    out = np.empty_like(poses)
    for k, pose in enumerate(poses):
        mujoco.mju_rotVecQuat(out[k, :3], pose[:3] - rest[:3], inverse)
        mujoco.mju_mulQuat(out[k, 3:], inverse, pose[3:])
    return out


_WIDTH = {int(mujoco.mjtJoint.mjJNT_FREE): 7, int(mujoco.mjtJoint.mjJNT_BALL): 4}


def _per_joint(mj: mujoco.MjModel, qpos: np.ndarray, names: dict[int, str]) -> dict[str, np.ndarray]:
    out = {}
    for j in range(mj.njnt):
        adr, width = int(mj.jnt_qposadr[j]), _WIDTH.get(int(mj.jnt_type[j]), 1)
        out[names[j]] = qpos[:, adr] if width == 1 else qpos[:, adr : adr + width]
    return out
