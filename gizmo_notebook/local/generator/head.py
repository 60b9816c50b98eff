"""Sensor heads: a pan-tilt unit carrying a camera, and a fixed sensor housing on a bracket.

Both camera bodies are housings with a bored lens window (a trimesh boolean), collided as a
plain box: the window matters to the eye, not to contact. The lens looks along +X.
"""

from __future__ import annotations

import math

from ...model import Box, Cylinder, Pose
from . import _meshes
from ._builder import DENSITY_LIGHT, Builder, Built, Part, at
from .spec import Spec

__all__ = ["build_pan_tilt", "build_sensor_housing", "pan_tilt_from_spec", "sensor_housing_from_spec"]

_BODY = (0.15, 0.15, 0.17, 1.0)
_YOKE = (0.6, 0.62, 0.66, 1.0)
_GLASS = (0.1, 0.3, 0.5, 0.8)


def pan_tilt_from_spec(spec: Spec, *, small: bool = False) -> Built:
    size = spec.size or spec.width or spec.height or (0.12 if small else 0.15) * spec.scale
    return build_pan_tilt(size, sensors=tuple(spec.sensors))


def sensor_housing_from_spec(spec: Spec, *, small: bool = False) -> Built:
    size = spec.size or spec.width or spec.length or (0.1 if small else 0.14) * spec.scale
    lidar = "lidar" in spec.prompt.lower()
    return build_sensor_housing(size, lidar=lidar)


def _camera_parts(size: float) -> list[Part]:
    body = (size, size * 0.7, size * 0.55)
    return [
        Part(_meshes.housing_with_hole(body, size * 0.18), Pose(), _BODY, collision=Box(body)),
        Part(Cylinder(size * 0.15, size * 0.05), at((size * 0.3, 0, 0), "x"), _GLASS, collision=False, massless=True),
    ]


def _tilt_payload(size: float, sensors: tuple[str, ...]) -> list[Part]:
    """What rides on the tilt axis: a camera (the default), a rangefinder tube, a lidar's base.

    A lidar is a puck with its own spinning rotor, so only its base is a part here; the rotor
    is a link of its own (see :func:`build_pan_tilt`).
    """
    parts: list[Part] = []
    if not sensors or "camera" in sensors:
        parts += _camera_parts(size)
    if "rangefinder" in sensors:
        y = size * 0.45 if parts else 0.0
        parts.append(Part(Cylinder(size * 0.12, size * 0.8), at((0, y, 0), "x"), _BODY))
        parts.append(Part(Cylinder(size * 0.1, size * 0.02), at((size * 0.41, y, 0), "x"), _GLASS, collision=False, massless=True))
    if "lidar" in sensors and not parts:
        parts.append(Part(Box((size * 0.6, size * 0.6, size * 0.1)), Pose(), _BODY))
    return parts


def build_pan_tilt(size: float = 0.15, *, sensors: tuple[str, ...] = (), prefix: str = "head_") -> Built:
    """A pan (yaw) / tilt (pitch) unit about ``size`` metres wide carrying ``sensors`` on the tilt axis.

    No sensors named means a camera. A lidar sits on top of the tilt stage with its rotor
    (a continuous joint) spinning about the stage's +Z.
    """
    size = max(0.03, float(size))
    b = Builder(prefix, color=_YOKE, density=DENSITY_LIGHT * 2)
    base_h = size * 0.3
    base = b.link("base", [Part(Cylinder(size * 0.4, base_h), Pose((0, 0, base_h / 2)), _BODY)])
    arm_h = size * 0.55
    gap = size * 0.75
    yoke = b.link(
        "pan",
        [
            Part(Box((size * 0.3, gap + size * 0.1, size * 0.06)), Pose((0, 0, size * 0.03))),
            Part(Box((size * 0.3, size * 0.05, arm_h)), Pose((0, gap / 2 + size * 0.025, arm_h / 2))),
            Part(Box((size * 0.3, size * 0.05, arm_h)), Pose((0, -gap / 2 - size * 0.025, arm_h / 2))),
        ],
    )
    b.joint("pan_joint", "revolute", base, yoke, Pose((0, 0, base_h)), (0.0, 0.0, 1.0),
            lower=-math.radians(170), upper=math.radians(170), velocity=3.0)  # fmt: skip
    camera = b.link("tilt", _tilt_payload(size * 0.7, sensors))
    b.joint("tilt_joint", "revolute", yoke, camera, Pose((0, 0, arm_h * 0.75)), (0.0, 1.0, 0.0),
            lower=-math.radians(60), upper=math.radians(90), velocity=3.0)  # fmt: skip
    top = (camera, Pose((0, 0, size * 0.2)))
    if "lidar" in sensors:
        h = size * 0.3
        puck = b.link("lidar", [Part(Cylinder(size * 0.22, h), Pose((0, 0, h / 2)), _BODY),
                                Part(Cylinder(size * 0.225, h * 0.3), Pose((0, 0, h * 0.6)), _GLASS, collision=False, massless=True)])  # fmt: skip
        b.joint("lidar_mount", "fixed", camera, puck, Pose((0, 0, size * 0.2)))
        rotor = b.link("lidar_rotor", [Part(Cylinder(size * 0.16, h * 0.25), Pose((0, 0, h * 0.125)), _BODY)])
        b.joint("lidar_rotor_joint", "continuous", puck, rotor, Pose((0, 0, h)), (0.0, 0.0, 1.0), effort=0.5, velocity=60.0)
        top = (rotor, Pose((0, 0, h * 0.25)))
    return b.built("pan_tilt_head", {"top": top}, fixed_base=True)


def build_sensor_housing(size: float = 0.14, *, lidar: bool = False, prefix: str = "sensor_") -> Built:
    """A sensor in a housing with a window, on an L bracket (lidar: a puck with a band window)."""
    size = max(0.03, float(size))
    b = Builder(prefix, color=_YOKE, density=DENSITY_LIGHT * 2)
    t = size * 0.06
    bracket = b.link("bracket", [Part(_meshes.l_bracket(size * 0.8, size * 0.8, size * 0.7, t, size * 0.04), Pose((-size * 0.4, 0, 0)))])
    if lidar:
        h = size * 0.6
        parts = [
            Part(Cylinder(size * 0.4, h), Pose((0, 0, h / 2)), _BODY),
            Part(Cylinder(size * 0.41, h * 0.3), Pose((0, 0, h * 0.6)), _GLASS, collision=False, massless=True),
        ]
        sensor = b.link("lidar", parts)
        # The rotor is the one moving part of a spinning lidar.
        b.joint("mount_joint", "fixed", bracket, sensor, Pose((size * 0.05, 0, t)))
        rotor = b.link("rotor", [Part(Cylinder(size * 0.3, h * 0.2), Pose((0, 0, h * 0.1)), _BODY)])
        b.joint("rotor_joint", "continuous", sensor, rotor, Pose((0, 0, h)), (0.0, 0.0, 1.0), effort=0.5, velocity=60.0)
        top = (rotor, Pose((0, 0, h * 0.2)))
        name = "lidar_housing"
    else:
        sensor = b.link("housing", _camera_parts(size))
        b.joint("mount_joint", "fixed", bracket, sensor, Pose((size * 0.05, 0, t + size * 0.3)))
        top = (sensor, Pose((0, 0, size * 0.28)))
        name = "sensor_housing"
    return b.built(name, {"top": top}, fixed_base=True)
