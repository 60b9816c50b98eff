"""``view(..., renderer="pythreejs")``: the same trimesh scene drawn with pythreejs.

For users who already build on pythreejs. Two things it gets wrong by default, handled here:

* Lights with shadow state (``DirectionalLight``, ``SpotLight`` and also ``PointLight``, checked
  one by one in headless Chromium) make pythreejs 2.4.2's front end log "Error setting state:
  t.on is not a function" while it deserializes them. We light with two ``HemisphereLight``s
  instead (one from above, one from the front-right side, so faces facing different ways get
  different shades under flat shading); they carry no shadow or target.
* Without its front-end extension (``jupyter-threejs``) pythreejs shows an empty box and a
  console error; we check for the extension and raise a plain error instead.

Geometry goes as float32/uint32 binary buffers (pythreejs serializes numpy arrays as binary),
with flat shading so no normals need to be sent.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from gizmo_notebook.errors import GizmoError
from gizmo_notebook.model import AssetModel

__all__ = ["PythreejsUnavailableError", "pythreejs_extension_installed", "pythreejs_view"]

_EXTENSION = "jupyter-threejs"


class PythreejsUnavailableError(GizmoError, RuntimeError):
    """pythreejs (or its JupyterLab / Notebook front-end extension) is not installed."""


def pythreejs_extension_installed() -> bool:
    """Whether JupyterLab/Notebook 7 can find pythreejs' front end (a prebuilt labextension)."""
    from jupyter_core.paths import jupyter_path

    return any((Path(p) / _EXTENSION / "package.json").exists() for p in jupyter_path("labextensions"))


def _hex(rgba: np.ndarray | None) -> str:
    if rgba is None:
        return "#9aaec6"
    r, g, b = (int(v) for v in np.asarray(rgba).ravel()[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _look_at(eye: np.ndarray, target: np.ndarray) -> tuple[float, float, float, float]:
    """Camera orientation (x, y, z, w) looking from ``eye`` at ``target`` with +Z up.

    Set in the initial state rather than with ``camera.lookAt()``, which is a message that a
    view not yet rendered (or a saved page) never sees.
    """
    from gizmo_notebook.model import matrix_to_quaternion

    z = eye - target
    z = z / np.linalg.norm(z)
    x = np.cross([0.0, 0.0, 1.0], z)
    x = x / (np.linalg.norm(x) or 1.0)
    y = np.cross(z, x)
    w, qx, qy, qz = matrix_to_quaternion(np.column_stack([x, y, z]))
    return (qx, qy, qz, w)


def pythreejs_view(model: AssetModel, *, height: int = 480, width: int = 800):  # -> pythreejs.Renderer
    from gizmo_notebook._optional import requires

    with requires("pythreejs", "renderer='pythreejs' (or use the default renderer='three')"):
        import pythreejs as p3
    if not pythreejs_extension_installed():
        raise PythreejsUnavailableError(
            f"pythreejs is installed in this kernel but its front-end extension ({_EXTENSION}) is not "
            "installed where JupyterLab / Notebook look for extensions, so it would show an empty "
            "widget. Install pythreejs into the environment that runs the Jupyter server, or use "
            "renderer='three'."
        )

    scene = model.scene
    children = []
    for node in scene.graph.nodes_geometry:
        transform, geom_name = scene.graph[node]
        mesh = scene.geometry[geom_name]
        if len(mesh.faces) == 0:
            continue
        colour = None
        if mesh.visual.kind == "face" and len(mesh.visual.face_colors):
            colour = mesh.visual.face_colors[0]
        geometry = p3.BufferGeometry(attributes={
            "position": p3.BufferAttribute(np.ascontiguousarray(mesh.vertices, dtype=np.float32), normalized=False),
            "index": p3.BufferAttribute(np.ascontiguousarray(mesh.faces, dtype=np.uint32).ravel(), normalized=False),
        })
        material = p3.MeshStandardMaterial(color=_hex(colour), roughness=0.65, metalness=0.1,
                                           flatShading=True, side="DoubleSide")
        obj = p3.Mesh(geometry=geometry, material=material, name=str(node))
        obj.matrixAutoUpdate = False
        obj.matrix = tuple(float(v) for v in np.asarray(transform, dtype=float).T.ravel())
        children.append(obj)

    lo, hi = (np.asarray(scene.bounds) if not scene.is_empty else np.array([[-0.5] * 3, [0.5] * 3]))
    center = (lo + hi) / 2
    radius = max(float(np.linalg.norm(hi - lo)) / 2, 1e-3)
    dist = radius / math.sin(math.radians(45 / 2))
    eye = center + dist * np.array([1.0, -1.0, 0.8]) / np.linalg.norm([1.0, -1.0, 0.8])
    camera = p3.PerspectiveCamera(position=tuple(eye), quaternion=_look_at(eye, center), up=(0, 0, 1),
                                  fov=45, aspect=width / height,
                                  near=dist / 1000, far=dist * 100)
    lights = [
        p3.HemisphereLight("#ffffff", "#556677", 0.9, position=(0, 0, 1)),
        p3.HemisphereLight("#ffffff", "#202020", 0.5, position=(1.0, -1.5, 0.7)),
    ]
    world = p3.Scene(children=[*children, camera, *lights], background="#f4f5f7")
    controls = p3.OrbitControls(controlling=camera, target=tuple(center))
    # pythreejs' default (no MSAA), like our viewer: comparable, and far cheaper without a GPU
    return p3.Renderer(camera=camera, scene=world, controls=[controls], width=width, height=height)
