"""encode_model carries what the inspect overlays draw: collision geometry and mass properties."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from gizmo_notebook.model import AssetModel, Box, Collision, Inertial, Joint, Link, Mesh, Pose, Sphere, Visual
from gizmo_notebook.viewer import Viewer
from gizmo_notebook.viewer.encode import decode_geometry, encode_model


def _robot() -> AssetModel:
    return AssetModel("bot", links=[
        Link("base", visuals=[Visual(Box((0.4, 0.3, 0.1)))],
             collisions=[Collision(Box((0.5, 0.4, 0.2)), origin=Pose((0, 0, 0.1)), name="hull")],
             inertial=Inertial(4.0, origin=Pose((0.01, 0.0, 0.05)))),
        Link("head", visuals=[Visual(Sphere(0.1))],
             collisions=[Collision(Sphere(0.12))], inertial=Inertial(0.5)),
        Link("tag"),  # no collision, no inertial
    ], joints=[
        Joint("neck", "revolute", "base", "head", origin=Pose((0, 0, 0.3))),
        Joint("fix", "fixed", "base", "tag"),
    ])


def test_collisions_travel_as_binary_parts_in_the_link_frame() -> None:
    meta, buffers = encode_model(_robot())
    json.dumps(meta)
    base, head, tag = meta["links"]
    (hull,) = base["collisions"]
    assert hull["name"] == "hull"
    positions, faces = decode_geometry(meta["geometries"][hull["geometry"]], buffers)
    lo, hi = positions.min(axis=0), positions.max(axis=0)
    assert np.allclose(lo, [-0.25, -0.2, 0.0], atol=1e-5) and np.allclose(hi, [0.25, 0.2, 0.2], atol=1e-5)  # origin baked in
    assert len(faces) == 12
    (ball,) = head["collisions"]
    positions, _ = decode_geometry(meta["geometries"][ball["geometry"]], buffers)
    assert np.linalg.norm(positions, axis=1).max() == pytest.approx(0.12, rel=1e-3)
    assert tag["collisions"] == [] and tag["inertial"] is None
    assert meta["triangles"]["collision"] == 12 + len(Sphere(0.12).to_trimesh().faces)
    # the visuals are what they were
    assert meta["triangles"]["shown"] == 12 + len(Sphere(0.1).to_trimesh().faces)


def test_inertials_give_mass_and_centre_of_mass() -> None:
    meta, _ = encode_model(_robot())
    base, head, _ = meta["links"]
    assert base["inertial"]["mass"] == 4.0 and base["inertial"]["com"] == [0.01, 0.0, 0.05]
    assert head["inertial"]["mass"] == 0.5 and len(head["inertial"]["inertia"]) == 6


def test_a_collision_mesh_shared_with_a_visual_is_encoded_once() -> None:
    mesh = trimesh.creation.icosphere(subdivisions=3, radius=0.2)
    geometry = Mesh(mesh, name="shell")
    model = AssetModel("one", links=[Link("only", visuals=[Visual(geometry)], collisions=[Collision(geometry)])])
    meta, buffers = encode_model(model)
    (link,) = meta["links"]
    assert link["collisions"][0]["geometry"] == link["visuals"][0]["geometry"]
    assert len(meta["geometries"]) == 1


def test_show_sets_the_layers_and_refuses_unknown_ones() -> None:
    viewer = Viewer(_robot())
    assert viewer.layers == {"visual": True, "collision": False, "frames": False, "com": False}
    assert viewer.show(collision=True, com=True) is viewer
    assert viewer.layers == {"visual": True, "collision": True, "frames": False, "com": True}
    viewer.show(visual=False)
    assert viewer.layers["visual"] is False and viewer.layers["collision"] is True
    with pytest.raises(TypeError):
        viewer.show(inertia_boxes=True)
    with pytest.raises(TypeError, match="True or False"):
        viewer.show(frames="yes")


def test_units_are_degrees_or_radians() -> None:
    import traitlets

    viewer = Viewer(_robot())
    assert viewer.units == "degrees"
    viewer.units = "radians"
    with pytest.raises(traitlets.TraitError):
        viewer.units = "gradians"
