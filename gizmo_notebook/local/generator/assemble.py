"""From a :class:`Spec` to one finished model: choose sizes, build families, stack them.

The stacking rules are the ones a robotics user means by everyday phrases:

* a gripper goes on an arm's tool flange ("arm with a gripper");
* an arm goes on a platform — a wheeled or legged base, or a table ("... on a mobile base");
* a pan-tilt head or sensor housing rides on a mobile platform (in front of an arm if both);
* anything else stands alone; with several unrelated families the first one named wins.
"""

from __future__ import annotations

from dataclasses import replace

from ...model import AssetModel, Pose
from . import arm, generic, gripper
from ._builder import Built, Payload
from .compose import anchor, attach
from .spec import Spec

__all__ = ["assemble", "describe"]

_PLATFORMS = ("wheeled", "legged", "table")
_HEADS = ("pan_tilt", "sensor_housing")


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def _arm_reach(spec: Spec, default: float) -> float:
    if spec.reach:
        return spec.reach
    if spec.height and spec.primary == "arm":
        return spec.height / arm.HEIGHT_PER_REACH
    if spec.size and spec.primary == "arm":
        return spec.size
    return default * spec.scale


def _build_arm(spec: Spec, on_platform: bool) -> Built:
    default = 0.5 if on_platform else 0.8
    if spec.scara:
        return arm.build_scara(_arm_reach(spec, 0.5), spec.dof or 4)
    return arm.build_arm(spec.dof or 6, _arm_reach(spec, default))


def _build_gripper(spec: Spec, arm_reach: float | None) -> Built:
    if arm_reach is not None:
        width = _clamp(arm_reach * 0.12, 0.03, 0.22)
    else:
        width = spec.width or spec.size or 0.1 * spec.scale
    return gripper.build_gripper(spec.gripper, width)


def _builders() -> dict[str, object]:
    # Imported lazily so a family module's import cost is only paid when it is used.
    from . import fixtures, head, legged, wheeled

    return {
        "wheeled": wheeled.build_from_spec,
        "legged": legged.build_from_spec,
        "table": fixtures.table_from_spec,
        "pan_tilt": head.pan_tilt_from_spec,
        "sensor_housing": head.sensor_housing_from_spec,
        "mount": fixtures.bracket_from_spec,
        "enclosure": fixtures.enclosure_from_spec,
        "shelf": fixtures.shelf_from_spec,
        "conveyor": fixtures.conveyor_from_spec,
    }


def _family(spec: Spec, name: str, **kwargs: object) -> Built:
    return _builders()[name](spec, **kwargs)  # type: ignore[operator]


def assemble(spec: Spec, name: str) -> AssetModel:
    """Build the model ``spec`` asks for and name it ``name``."""
    families = spec.families
    platform = next((f for f in families if f in _PLATFORMS), None)
    head_kind = next((f for f in families if f in _HEADS), None)
    has_arm = "arm" in families
    has_gripper = "gripper" in families

    if not (has_arm or platform or head_kind or has_gripper):
        others = [f for f in families if f not in ("arm", "gripper")]
        if others:
            return anchor(_family(spec, others[0]), name)
        return anchor(generic.build_generic(spec), name)

    manipulator: Built | None = None
    if has_arm:
        manipulator = _build_arm(spec, on_platform=platform is not None)
        if has_gripper:
            reach = _arm_reach(spec, 0.5 if platform else 0.8)
            manipulator = attach(manipulator, _build_gripper(spec, reach), "tool", "tool_to_gripper")
    elif has_gripper and not platform:
        manipulator = _build_gripper(spec, None)
    if manipulator is not None and spec.payload:
        link, pose = manipulator.mounts.get("tcp") or manipulator.mounts["tool"]
        manipulator = replace(manipulator, payload=Payload(link, spec.payload, pose))

    if platform is None:
        if manipulator is None:
            assert head_kind is not None
            return anchor(_family(spec, head_kind), name)
        return anchor(manipulator, name)

    base = _family(spec, platform, carrying=manipulator is not None)
    if head_kind is not None:
        head_built = _family(spec, head_kind, small=True)
        offset = Pose((0.6 * _mount_radius(base), 0.0, 0.0)) if manipulator is not None else Pose()
        base = attach(base, head_built, "top", "platform_to_head", offset)
    if manipulator is not None:
        offset = Pose((-0.25 * _mount_radius(base), 0.0, 0.0)) if head_kind is not None else Pose()
        base = attach(base, manipulator, "top", "platform_to_arm", offset)
    return anchor(base, name)


def _mount_radius(base: Built) -> float:
    """Half the platform's footprint, from its root link's collision extents (for spacing)."""
    link_name, _ = base.mounts["top"]
    link = base.model.link(link_name)
    for collision in link.collisions:
        extents = getattr(collision.geometry, "size", None)
        if extents is not None:
            return max(min(extents[0], extents[1]) / 2, 0.05)
    return 0.3


def describe(spec: Spec) -> str:
    """A short snake_case name for the model, from what was understood (not the raw prompt)."""
    words: list[str] = []
    if spec.scale < 0.9:
        words.append("compact")
    elif spec.scale > 1.4:
        words.append("large")
    fams = spec.families or ["generic_part"]
    for family in fams:
        if family == "arm":
            words.append("scara_arm" if spec.scara else f"{spec.dof or 6}dof_arm")
        elif family == "gripper":
            words.append(f"{spec.gripper}_gripper")
        elif family == "wheeled":
            words.append(f"{spec.drive}_base")
        elif family == "legged":
            words.append("hexapod" if spec.legs == 6 else "quadruped")
        else:
            words.append(family)
    return "_".join(dict.fromkeys(words))
