"""From a :class:`Spec` to one finished model: choose sizes, build families, stack them.

The stacking rules are the ones a robotics user means by everyday phrases:

* a gripper goes on a manipulator's tool — an arm's flange, a gantry's quill, a delta's
  effector, both hands of a humanoid — or on a linear axis ("actuator with a gripper");
* a manipulator (arm, humanoid, delta, gantry) goes on a platform — a wheeled or legged
  base, a table, a linear rail or a turntable ("arm on a linear rail");
* a pan-tilt head or sensor housing rides on a platform (in front of an arm if both);
* anything else stands alone; with several unrelated families the first one named wins.

:func:`plan` makes these decisions once; the builder and the interpretation both read it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...model import AssetModel, Pose
from . import arm, generic, gripper
from ._builder import Built, Payload
from .compose import anchor, attach
from .spec import Spec

__all__ = ["Plan", "assemble", "describe", "plan"]

_MANIPULATORS = ("humanoid", "arm", "delta", "cartesian")
_PLATFORMS = ("wheeled", "legged", "table", "linear_axis", "turntable")
# Platforms that are only a platform when something rides on them; otherwise they are one
# more stand-alone object ("a conveyor with guide rails" is a conveyor, not a linear rail).
_CARRIERS_ONLY = ("linear_axis", "turntable")
_HEADS = ("pan_tilt", "sensor_housing")
# Where a gripper goes when there is no manipulator: alone, or on a linear axis's tool mount.
_GRIPPER_HOSTS = (None, "linear_axis")


@dataclass(frozen=True)
class Plan:
    """Which recognised families :func:`assemble` builds, in which role, and which it leaves out.

    One function decides this for both the builder and the interpretation shown to users, so
    what the asset says it understood is exactly what was built.
    """

    family: str  # the headline: the manipulator, else the platform, head or standalone piece
    manipulator: str | None = None
    gripper: bool = False
    platform: str | None = None
    head: str | None = None
    standalone: str | None = None
    left_out: tuple[tuple[str, str], ...] = ()  # (family, why it was not built)

    @property
    def built(self) -> tuple[str, ...]:
        roles = (self.platform, self.head, self.manipulator, "gripper" if self.gripper else None, self.standalone)
        return tuple(f for f in roles if f is not None)


def plan(spec: Spec) -> Plan:
    """Decide the assembly for ``spec`` (see the stacking rules in the module docstring)."""
    families = spec.families
    manipulator = next((f for f in families if f in _MANIPULATORS), None)
    platform = next((f for f in families if f in _PLATFORMS), None)
    head = next((f for f in families if f in _HEADS), None)
    has_gripper = "gripper" in families
    gripper = has_gripper and (manipulator is not None or platform in _GRIPPER_HOSTS)
    if manipulator is not None and platform is None:
        head = None  # a head beside a fixed manipulator has nothing to stand on
    if platform in _CARRIERS_ONLY and not (manipulator or head or has_gripper):
        platform = None
    standalone = None
    if not (manipulator or platform or head or has_gripper):
        standalone = next((f for f in families), None)
    chosen = Plan("", manipulator, gripper, platform, head, standalone)
    left_out = tuple((f, _why_left_out(f, chosen)) for f in families if f not in chosen.built)
    family = manipulator or platform or ("gripper" if gripper else None) or head or standalone or "generic"
    return replace(chosen, family=family, left_out=left_out)


def _why_left_out(family: str, chosen: Plan) -> str:
    if family == "gripper":
        return "a gripper needs an arm, gantry, delta robot or linear axis to hold it"
    if family in _MANIPULATORS:
        return f"one manipulator per asset: built the {chosen.manipulator} only"
    if family in _HEADS:
        return "a sensor head is built on a mobile base, a table or on its own, not beside a fixed robot"
    if family in _PLATFORMS and chosen.platform is not None:
        return f"one base per asset: built the {chosen.platform} only"
    return "only the first-named of unrelated objects is built; generate the others separately"


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def _arm_reach(spec: Spec, default: float) -> float:
    if spec.reach:
        return spec.reach
    if spec.height and spec.primary == "arm":
        return spec.height / (arm.PLANAR_HEIGHT_PER_REACH if spec.planar and not spec.scara else arm.HEIGHT_PER_REACH)
    if spec.size and spec.primary == "arm":
        return spec.size
    return default * spec.scale


def _build_arm(spec: Spec, on_platform: bool) -> Built:
    default = 0.5 if on_platform else 0.8
    if spec.scara:
        return arm.build_scara(_arm_reach(spec, 0.5), spec.dof or 4)
    return arm.build_arm(spec.dof or 6, _arm_reach(spec, default), planar=spec.planar)


def _build_gripper(spec: Spec, arm_reach: float | None, prefix: str = "gripper_", *, on_tool: bool = False) -> Built:
    if arm_reach is not None:
        width = _clamp(arm_reach * 0.12, 0.03, 0.22)
    elif on_tool:
        width = 0.08 * spec.scale  # on a gantry, delta, humanoid hand or actuator: its sizes are not the gripper's
    else:
        width = spec.width or spec.size or 0.1 * spec.scale
    return gripper.build_gripper(spec.gripper, width, prefix=prefix)


def _builders() -> dict[str, object]:
    # Imported lazily so a family module's import cost is only paid when it is used.
    from . import delta, fixtures, furniture, head, humanoid, legged, stages, wheeled

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
        "cartesian": stages.cartesian_from_spec,
        "linear_axis": stages.linear_axis_from_spec,
        "turntable": stages.turntable_from_spec,
        "delta": delta.delta_from_spec,
        "humanoid": humanoid.humanoid_from_spec,
        "lamp": furniture.lamp_from_spec,
        "folding": furniture.folding_from_spec,
        "cabinet": furniture.cabinet_from_spec,
        "door": furniture.door_from_spec,
    }


def _family(spec: Spec, name: str, **kwargs: object) -> Built:
    return _builders()[name](spec, **kwargs)  # type: ignore[operator]


def _build_manipulator(spec: Spec, chosen: Plan) -> Built:
    kind = chosen.manipulator
    on_platform = chosen.platform is not None
    if kind == "arm":
        built = _build_arm(spec, on_platform)
        if chosen.gripper:
            reach = _arm_reach(spec, 0.5 if on_platform else 0.8)
            built = attach(built, _build_gripper(spec, reach), "tool", "tool_to_gripper")
        return built
    assert kind is not None
    built = _family(spec, kind)
    if chosen.gripper and kind == "humanoid":
        for side in ("left", "right"):
            hand = _build_gripper(spec, None, f"{side}_gripper_", on_tool=True)
            built = attach(built, hand, f"{side}_hand", f"{side}_hand_to_gripper")
    elif chosen.gripper:
        built = attach(built, _build_gripper(spec, None, on_tool=True), "tool", "tool_to_gripper")
    return built


def assemble(spec: Spec, name: str) -> AssetModel:
    """Build the model ``spec`` asks for and name it ``name``."""
    chosen = plan(spec)
    if not (chosen.manipulator or chosen.platform or chosen.head or chosen.gripper):
        if chosen.standalone:
            return anchor(_family(spec, chosen.standalone), name)
        return anchor(generic.build_generic(spec), name)

    manipulator: Built | None = None
    if chosen.manipulator is not None:
        manipulator = _build_manipulator(spec, chosen)
    elif chosen.gripper and chosen.platform is None:
        manipulator = _build_gripper(spec, None)
    if manipulator is not None and spec.payload:
        held = manipulator.mounts.get("tcp") or manipulator.mounts.get("tool") or manipulator.mounts.get("right_hand")
        if held is not None:
            manipulator = replace(manipulator, payload=Payload(held[0], spec.payload, held[1]))

    if chosen.platform is None:
        if manipulator is None:
            assert chosen.head is not None
            return anchor(_family(spec, chosen.head), name)
        return anchor(manipulator, name)

    base = _family(spec, chosen.platform, carrying=manipulator is not None)
    if chosen.gripper and chosen.manipulator is None:  # a gripper on a linear axis's tool mount
        base = attach(base, _build_gripper(spec, None, on_tool=True), "tool", "tool_to_gripper")
    if chosen.head is not None:
        head_built = _family(spec, chosen.head, small=True)
        offset = Pose((0.6 * _mount_radius(base), 0.0, 0.0)) if manipulator is not None else Pose()
        base = attach(base, head_built, "top", "platform_to_head", offset)
    if manipulator is not None:
        offset = Pose((-0.25 * _mount_radius(base), 0.0, 0.0)) if chosen.head is not None else Pose()
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
    built = plan(spec).built  # prompt order, only what was built
    fams = [f for f in spec.families if f in built] or ["generic_part"]
    for family in fams:
        if family == "arm":
            words.append("scara_arm" if spec.scara else f"{spec.dof or 6}dof_{'planar_' if spec.planar else ''}arm")
        elif family == "gripper":
            words.append(f"{spec.gripper}_gripper")
        elif family == "wheeled":
            words.append(f"{spec.drive}_base")
        elif family == "legged":
            words.append("hexapod" if spec.legs == 6 else "quadruped")
        elif family == "cartesian":
            from .stages import cartesian_axes

            linear, rotary = cartesian_axes(spec)
            words.append(f"{linear + rotary}axis_gantry")
        elif family == "lamp":
            words.append(f"{spec.count('hinges', 2)}_hinge_lamp")
        else:
            words.append(family)
    return "_".join(dict.fromkeys(words))
