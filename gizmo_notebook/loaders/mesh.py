"""Plain meshes (and trimesh objects) as a one-link model, plus the mesh-file reader the
format loaders share.

A bare mesh has no joints, so it becomes a single link holding one visual per geometry in
the file. Scene-graph transforms (glTF nodes, DAE scenes) are baked into the vertices
because :class:`~gizmo_notebook.model.Pose` has no scale and node transforms may carry one.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, cast

import numpy as np
import trimesh

from gizmo_notebook._optional import MissingDependencyError
from gizmo_notebook.loaders._errors import LoadError
from gizmo_notebook.loaders._images import load_trimesh
from gizmo_notebook.loaders._materials import maps_not_drawn, maps_note, trimesh_material
from gizmo_notebook.model import AssetModel, Collision, Link, Mesh, Visual, sound_triangles

MESH_SUFFIXES: tuple[str, ...] = (".glb", ".gltf", ".obj", ".stl", ".ply", ".dae", ".off")


def read_mesh_file(path: Path, *, referenced_from: Path | None = None, element: str | None = None,
                   notes: list[str] | None = None) -> trimesh.Trimesh:
    """One triangle mesh from ``path`` (all parts concatenated in the file's own frame).

    ``referenced_from``/``element`` name the description file and element that pointed at
    the mesh, so a missing or broken mesh is reported where the user can fix it; textures
    that cannot be drawn (see :func:`._images.load_trimesh`) are named in ``notes``.
    """
    report = referenced_from if referenced_from is not None else path
    if not path.is_file():
        raise LoadError(f"mesh file {str(path)!r} does not exist", path=report, element=element)
    try:
        loaded = load_trimesh(path, notes, force="mesh")
        if path.suffix.lower() == ".dae" and (not isinstance(loaded, trimesh.Trimesh) or len(loaded.faces) == 0):
            loaded = _dae_without_materials(path)
    except MissingDependencyError:
        raise
    except Exception as exc:  # trimesh raises many types for broken files
        raise LoadError(f"cannot read mesh {path.name!r}: {exc}", path=report, element=element) from None
    if not isinstance(loaded, trimesh.Trimesh) or len(loaded.faces) == 0:
        raise LoadError(f"mesh {path.name!r} contains no triangles", path=report, element=element)
    return loaded


_BIND_MATERIAL = re.compile(rb"<bind_material>.*?</bind_material>", re.S)


def _dae_without_materials(path: Path) -> trimesh.Trimesh:
    """A COLLADA file whose materials point at something missing (ANYmal's feet: a texture
    surface that is not there) makes pycollada drop the whole scene node, geometry and all;
    read it again with the material bindings removed, which keeps the node transforms."""
    data = _BIND_MATERIAL.sub(b"", path.read_bytes())
    return cast(trimesh.Trimesh, trimesh.load(io.BytesIO(data), file_type="dae", force="mesh"))  # force="mesh": one Trimesh


def load_mesh(path: Path) -> AssetModel:
    """A mesh file as a one-link model named after the file."""
    if not path.is_file():
        raise LoadError("file does not exist", path=path)
    try:
        notes: list[str] = []
        loaded = load_trimesh(path, notes)
    except MissingDependencyError:
        raise
    except Exception as exc:
        raise LoadError(f"cannot read mesh: {exc}", path=path) from None
    model = from_trimesh(loaded, name=path.stem, source=str(path))
    model.notes.extend(notes)
    if not model.links[0].visuals:
        raise LoadError("the file contains no triangles", path=path)
    return model


def from_trimesh(obj: object, *, name: str = "mesh", source: str | None = None) -> AssetModel:
    """Wrap a ``trimesh.Trimesh`` or ``trimesh.Scene`` as a one-link model."""
    if isinstance(obj, trimesh.Trimesh):
        mesh, dropped = _drop_bad_triangles(obj)
        parts = [(name, _shared(mesh), dropped)]
    elif isinstance(obj, trimesh.Scene):
        parts = _scene_parts(obj)
    else:
        raise LoadError(
            f"cannot load a {type(obj).__name__}: only triangle meshes (trimesh.Trimesh / trimesh.Scene) "
            "can be shown",
            path=source,
        )
    link = Link(name=name)
    maps: dict[str, int] = {}
    notes: list[str] = []
    for i, (part_name, mesh, dropped) in enumerate(parts):
        if dropped:
            notes.append(f"{part_name}: {dropped} triangle(s) with a NaN or infinite corner, or a vertex index "
                         "past the end of the vertices, were left out")
        if len(mesh.faces) == 0:
            continue
        for found in maps_not_drawn(mesh):
            maps[found] = maps.get(found, 0) + 1
        geometry = Mesh(mesh=mesh, name=_safe_stem(part_name) or f"{name}_{i}", source=source)
        link.visuals.append(Visual(geometry=geometry, color=_uniform_color(mesh), name=part_name,
                                   material=trimesh_material(mesh, geometry.name, notes)))
        link.collisions.append(Collision(geometry=geometry, name=part_name))
    return AssetModel(name=name, links=[link], joints=[], source=source, notes=maps_note(maps) + notes)


def _shared(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """A mesh on the same vertex and face arrays as ``mesh``, read-only on this side.

    ``mesh.copy()`` duplicated a 10M-triangle scan (~360 MB, ~1 s) just to show it. Nothing in
    the package edits a model's arrays in place (transforms assign new arrays), and the views
    are read-only, so an in-place edit through the model raises instead of reaching the
    caller's mesh. The visual (colours) is still copied: it is small, and trimesh mutates it.
    """
    vertices = np.asarray(mesh.vertices).view()
    faces = np.asarray(mesh.faces).view()
    vertices.flags.writeable = False
    faces.flags.writeable = False
    visual = mesh.visual.copy() if mesh.visual is not None else None
    return trimesh.Trimesh(vertices=vertices, faces=faces, visual=visual,
                           metadata=dict(mesh.metadata), process=False, validate=False)


def _drop_bad_triangles(mesh: trimesh.Trimesh) -> tuple[trimesh.Trimesh, int]:
    """``mesh`` without the triangles :func:`~gizmo_notebook.model.sound_triangles` rules out
    (a NaN or infinite corner, an index past the vertices), and how many; ``mesh`` itself,
    uncopied, when every triangle is sound."""
    vertices, faces = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    keep = sound_triangles(vertices, faces)
    if keep is None:
        return mesh, 0
    # built anew: trimesh's copy() of such a mesh may itself fail (face colours turned into
    # vertex colours through the bad indices)
    clean = trimesh.Trimesh(vertices=vertices, faces=faces[keep], process=False, validate=False)
    visual: Any = mesh.visual
    kind = getattr(visual, "kind", None)
    if kind == "face":
        cast(Any, clean.visual).face_colors = np.asarray(visual.face_colors)[keep]
    elif kind == "vertex":
        cast(Any, clean.visual).vertex_colors = np.asarray(visual.vertex_colors)
    elif kind == "texture":
        clean.visual = visual.copy()  # UVs per vertex, like the colours
    clean.metadata.update(mesh.metadata)
    clean.remove_unreferenced_vertices()  # the NaN ones go too, with their colours and UVs
    return clean, int(len(faces) - keep.sum())


def _scene_parts(scene: trimesh.Scene) -> list[tuple[str, trimesh.Trimesh, int]]:
    """Each placed mesh of ``scene`` in the scene's frame, with the triangles it lost
    (:func:`_drop_bad_triangles`)."""
    parts = []
    for node in scene.graph.nodes_geometry:
        transform, geom_name = scene.graph[node]
        geom = scene.geometry.get(geom_name)
        if not isinstance(geom, trimesh.Trimesh):
            continue  # point clouds and paths have no surface to draw
        clean, dropped = _drop_bad_triangles(geom)
        mesh = clean.copy() if clean is geom else clean
        if not np.allclose(transform, np.eye(4)):
            mesh.apply_transform(transform)
        parts.append((str(node), mesh, dropped))
    return parts


def _uniform_color(mesh: trimesh.Trimesh) -> tuple[float, float, float, float] | None:
    """The mesh's colour when it is one flat colour, so the model carries it explicitly."""
    visual = mesh.visual
    if getattr(visual, "kind", None) != "face":
        return None
    colors = np.asarray(visual.face_colors)  # type: ignore[union-attr]  # kind == 'face' above
    if len(colors) == 0 or not (colors == colors[0]).all():
        return None
    return tuple(float(c) / 255.0 for c in colors[0])  # type: ignore[return-value]


def _safe_stem(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_")
