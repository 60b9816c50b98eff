"""What :func:`~gizmo_notebook.simulate` returns: joint positions and link poses over time.

Link poses are stored as one block (frames x links x 7: position, then the orientation as a
unit quaternion ``w, x, y, z``), in the link frames of the model that :func:`~gizmo_notebook.load`
gives for the same source, so a viewer can place its meshes with them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gizmo_notebook.model import quaternion_to_matrix

__all__ = ["Trajectory"]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A simulated motion, sampled once per physics step (``times[0]`` is the start state).

    * ``times``: seconds, shape ``(T,)``;
    * ``qpos``: joint name -> MuJoCo's ``qpos`` of that joint, shape ``(T,)`` for hinge and
      slide joints, ``(T, 4)`` for ball joints (``w, x, y, z``), ``(T, 7)`` for free joints;
    * ``link_names`` and ``link_poses_array``: the world pose of each link, shape ``(T, L, 7)``
      (``x, y, z, qw, qx, qy, qz``);
    * ``timestep``: the physics step used, seconds;
    * ``positions``: the joint values the loaded model takes (``model.link_transforms(
      {name: traj.positions[name][k] ...})`` reproduces the link poses of sample ``k``): MuJoCo's
      ``qpos`` less ``qpos0`` for hinges and slides (a ``ref``), a free joint's displacement
      from its rest pose; joints the MJCF export added (a free base) are left out.
    """

    times: np.ndarray
    qpos: dict[str, np.ndarray]
    link_names: tuple[str, ...]
    link_poses_array: np.ndarray
    timestep: float
    source: str | None = None
    positions: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.times)

    @property
    def duration(self) -> float:
        return float(self.times[-1] - self.times[0]) if len(self.times) else 0.0

    @property
    def link_poses(self) -> dict[str, np.ndarray]:
        """Link name -> its poses, shape ``(T, 7)`` (``x, y, z, qw, qx, qy, qz``)."""
        return {name: self.link_poses_array[:, i] for i, name in enumerate(self.link_names)}

    def joint_positions(self, frame: int) -> dict[str, float | np.ndarray]:
        """``positions`` at sample ``frame``, ready for ``AssetModel.link_transforms`` / ``pose``."""
        return {name: (float(v[frame]) if v.ndim == 1 else v[frame]) for name, v in self.positions.items()}

    def link_transforms(self, frame: int) -> dict[str, np.ndarray]:
        """Every link's 4x4 world transform at sample ``frame``, as ``AssetModel.link_transforms``
        gives them for a pose (the same keys and frames)."""
        out = {}
        for name, pose in zip(self.link_names, self.link_poses_array[frame], strict=True):
            m = np.eye(4)
            m[:3, :3] = quaternion_to_matrix(pose[3:])
            m[:3, 3] = pose[:3]
            out[name] = m
        return out

    def to_arrays(self, dtype: type = np.float32) -> dict[str, object]:
        """Compact arrays for playback: ``times`` ``(T,)``, ``link_names`` and ``link_poses``
        ``(T, L, 7)`` in ``dtype`` (float32 by default: 28 bytes per link and frame)."""
        return {
            "times": np.ascontiguousarray(self.times, dtype=dtype),
            "link_names": list(self.link_names),
            "link_poses": np.ascontiguousarray(self.link_poses_array, dtype=dtype),
        }

    def __repr__(self) -> str:
        return (
            f"Trajectory({len(self)} samples over {self.duration:.3g} s at dt={self.timestep:g}, "
            f"{len(self.qpos)} joints, {len(self.link_names)} links)"
        )
