"""The ``control`` argument of :func:`~gizmo_notebook.simulate`, as one per-step function.

Users think in several shapes: a constant, a recorded array, a function of time, a feedback
law reading the state, values per actuator name. Each is checked once against the model's
actuators (a wrong length is an error naming them, not an index error mid-run) and becomes a
function that writes ``data.ctrl`` before step ``k``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from gizmo_notebook._optional import requires
from gizmo_notebook.model import ModelError

with requires("mujoco", "gizmo_notebook.simulate"):
    import mujoco

Setter = Callable[[int, mujoco.MjData], None]
_OBJ = mujoco.mjtObj


def control_setter(control: Any, mj: mujoco.MjModel, steps: int, joint_names: dict[int, str]) -> Setter | None:
    """``None`` for no control (``ctrl`` stays zero, as MuJoCo leaves it), else a setter."""
    if control is None:
        return None
    names = _Names(mj, joint_names)
    if mj.nu == 0:
        raise ModelError("control was given but the model has no actuators")
    if callable(control):
        with_state = _takes_state(control)

        def call(k: int, data: mujoco.MjData) -> None:
            value = control(data.time, data) if with_state else control(data.time)
            data.ctrl[:] = names.vector(value, f"control(t={data.time:g}) returned")

        return call
    if isinstance(control, Mapping):
        return _table(names.table(control, steps))
    return _table(names.as_table(control, steps, "control"))


def _table(values: np.ndarray) -> Setter:
    def set_row(k: int, data: mujoco.MjData) -> None:
        data.ctrl[:] = values[k]

    return set_row


def _takes_state(fn: Callable[..., Any]) -> bool:
    """``f(t)`` or ``f(t, state)``: two required positional parameters (or ``*args``) mean the latter."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: call with time only
        return False
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return True
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in params if p.kind in positional and p.default is p.empty]
    return len(required) >= 2


class _Names:
    """Actuator names, and joint names that one actuator drives, to ctrl indices."""

    def __init__(self, mj: mujoco.MjModel, joint_names: dict[int, str]) -> None:
        self.nu = int(mj.nu)
        self.actuators = [mujoco.mj_id2name(mj, _OBJ.mjOBJ_ACTUATOR, a) or f"actuator{a}" for a in range(mj.nu)]
        self.index = {name: a for a, name in enumerate(self.actuators)}
        by_joint: dict[str, list[int]] = {}
        for a in range(mj.nu):
            if int(mj.actuator_trntype[a]) == mujoco.mjtTrn.mjTRN_JOINT:
                j = int(mj.actuator_trnid[a, 0])
                by_joint.setdefault(joint_names.get(j, f"joint{j}"), []).append(a)
        for joint, actuators in by_joint.items():
            if len(actuators) == 1:
                self.index.setdefault(joint, actuators[0])

    def _where(self, name: str) -> int:
        try:
            return self.index[name]
        except KeyError:
            raise ModelError(
                f"control names {name!r}, which is neither an actuator nor a joint driven by one; "
                f"actuators: {', '.join(self.actuators)}"
            ) from None

    def vector(self, value: Any, what: str) -> np.ndarray:
        if isinstance(value, Mapping):
            out = np.zeros(self.nu)
            for name, v in value.items():
                out[self._where(str(name))] = float(v)
        else:
            out = np.asarray(value, dtype=float).reshape(-1)
            if out.shape != (self.nu,):
                raise ModelError(f"{what} {out.size} values; the model has {self.nu} actuators ({', '.join(self.actuators)})")
        if not np.all(np.isfinite(out)):
            raise ModelError(f"{what} a value that is not finite")
        return out

    def as_table(self, control: Any, steps: int, what: str) -> np.ndarray:
        """A constant (``nu`` values) or one row per step (``steps x nu``; ``steps`` for one actuator)."""
        try:
            values = np.asarray(control, dtype=float)
        except (TypeError, ValueError):
            raise ModelError(f"{what} must be a function, a mapping or numbers, got {type(control).__name__}") from None
        if values.ndim <= 1 and values.size == self.nu:
            return np.broadcast_to(self.vector(values, what + " has"), (steps, self.nu))
        if values.ndim == 1 and self.nu == 1 and len(values) == steps:
            values = values[:, None]
        if values.ndim == 2 and values.shape == (steps, self.nu):
            if not np.all(np.isfinite(values)):
                raise ModelError(f"{what} holds a value that is not finite")
            return values
        raise ModelError(
            f"{what} has shape {values.shape}: give {self.nu} values (one per actuator: "
            f"{', '.join(self.actuators)}) or one row of them per step ({steps} x {self.nu})"
        )

    def table(self, control: Mapping[str, Any], steps: int) -> np.ndarray:
        """Per name a constant or one value per step; actuators not named get 0."""
        out = np.zeros((steps, self.nu))
        for name, v in control.items():
            column = np.asarray(v, dtype=float).reshape(-1)
            if column.size not in (1, steps):
                raise ModelError(f"control[{name!r}] has {column.size} values: give one, or one per step ({steps})")
            if not np.all(np.isfinite(column)):
                raise ModelError(f"control[{name!r}] holds a value that is not finite")
            out[:, self._where(str(name))] = column
        return out
