"""encode_model carries what the inspect overlays draw: collision geometry and mass properties."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.model import (
    AssetModel,
    Box,
    Collision,
    Inertial,
    Joint,
    Link,
    LoopClosure,
    Mesh,
    Pose,
    Sphere,
    Visual,
)
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


GROUP_DEFAULTS = {"group0": True, "group1": True, "group2": True, "group3": False, "group4": False, "group5": False}


def test_show_sets_the_layers_and_refuses_unknown_ones() -> None:
    viewer = Viewer(_robot())
    assert viewer.layers == {"visual": True, "collision": False, "frames": False, "com": False,
                             "inertia": False, "loops": False, **GROUP_DEFAULTS}
    assert viewer.show(collision=True, com=True) is viewer
    assert viewer.layers == {"visual": True, "collision": True, "frames": False, "com": True,
                             "inertia": False, "loops": False, **GROUP_DEFAULTS}
    viewer.show(visual=False)
    assert viewer.layers["visual"] is False and viewer.layers["collision"] is True
    viewer.show(inertia=True, loops=True, groups={3: True, 0: False})
    assert viewer.layers["inertia"] is True and viewer.layers["loops"] is True
    assert viewer.layers["group3"] is True and viewer.layers["group0"] is False and viewer.layers["group4"] is False
    with pytest.raises(TypeError):
        viewer.show(inertia_boxes=True)
    with pytest.raises(TypeError, match="True or False"):
        viewer.show(frames="yes")
    with pytest.raises(InvalidValueError, match="not an MJCF geom group"):
        viewer.show(groups={6: True})
    with pytest.raises(TypeError, match="True or False"):
        viewer.show(groups={3: "on"})
    with pytest.raises(TypeError, match="map MJCF group numbers"):
        viewer.show(groups=[3])
    assert viewer.layers["group3"] is True  # a refused call changes nothing


def test_hidden_groups_are_sent_marked_and_left_out_of_the_first_bounds() -> None:
    model = AssetModel("grouped", links=[Link("body", visuals=[
        Visual(Box((0.2, 0.2, 0.2)), group=0, name="shell"),
        Visual(Box((2.0, 2.0, 2.0)), group=3, name="hull"),
        Visual(Sphere(0.05), name="plain"),
    ])], notes=["1 geom(s) in group 3 are hidden"])
    meta, buffers = encode_model(model)
    (body,) = meta["links"]
    assert [(v["name"], v["group"]) for v in body["visuals"]] == [("shell", 0), ("hull", 3), ("plain", None)]
    positions, _ = decode_geometry(meta["geometries"][body["visuals"][1]["geometry"]], buffers)
    assert np.allclose(positions.max(axis=0), [1.0, 1.0, 1.0], atol=1e-4)
    assert np.allclose(meta["bounds"], [[-0.1, -0.1, -0.1], [0.1, 0.1, 0.1]], atol=1e-6)  # the 2 m hull starts hidden
    assert meta["groups"] == [0, 3]
    assert meta["notes"] == ["1 geom(s) in group 3 are hidden"]


def test_inertia_boxes_have_the_mass_and_principal_moments() -> None:
    size, pose = (0.4, 0.2, 0.1), Pose((0.1, 0.2, 0.3), (0.3, -0.2, 0.5))
    m = 3.0
    a, b, c = size
    principal = np.diag([m * (b * b + c * c) / 12, m * (a * a + c * c) / 12, m * (a * a + b * b) / 12])
    r = pose.matrix()[:3, :3]
    tensor = r @ principal @ r.T  # the same box turned: the link-frame tensor a file would declare
    inertial = Inertial(m, origin=Pose(pose.xyz), inertia=(tensor[0, 0], tensor[1, 1], tensor[2, 2],
                                                            tensor[0, 1], tensor[0, 2], tensor[1, 2]))
    model = AssetModel("boxed", links=[Link("body", visuals=[Visual(Box(size), origin=pose)], inertial=inertial)])
    meta, _ = encode_model(model)
    box = meta["links"][0]["inertial"]["box"]
    assert sorted(box["size"]) == pytest.approx(sorted(size), rel=1e-9)
    frame = np.asarray(box["origin"]).reshape(4, 4).T  # column-major
    assert np.allclose(frame[:3, 3], pose.xyz)
    assert np.allclose(frame[:3, :3].T @ frame[:3, :3], np.eye(3)) and np.linalg.det(frame[:3, :3]) == pytest.approx(1.0)
    # the box in that frame has the declared tensor
    half = np.asarray(box["size"])
    mine = np.diag([m * (half[1] ** 2 + half[2] ** 2) / 12, m * (half[0] ** 2 + half[2] ** 2) / 12,
                    m * (half[0] ** 2 + half[1] ** 2) / 12])
    assert np.allclose(frame[:3, :3] @ mine @ frame[:3, :3].T, tensor, atol=1e-12)


def test_a_flat_tensor_gives_a_flat_box_not_nan() -> None:
    size, _ = Inertial(1.0, inertia=(1.0, 1.0, 3.0, 0.0, 0.0, 0.0)).equivalent_box()
    assert all(np.isfinite(size)) and min(size) == 0.0


def test_loops_travel_with_their_anchors() -> None:
    model = AssetModel("loop", links=[Link("a"), Link("b")],
                       joints=[Joint("hinge", "revolute", "a", "b", origin=Pose((0, 0, 1)))],
                       loop_closures=[LoopClosure("tie", "ball", "a", "b", Pose((0.5, 0, 0)), Pose((0, 0.5, 0)))])
    meta, _ = encode_model(model)
    assert meta["loops"] == [{"name": "tie", "type": "ball", "parent": "a", "child": "b",
                              "parentAnchor": [0.5, 0.0, 0.0], "childAnchor": [0.0, 0.5, 0.0]}]


def test_units_are_degrees_or_radians() -> None:
    import traitlets

    viewer = Viewer(_robot())
    assert viewer.units == "degrees"
    viewer.units = "radians"
    with pytest.raises(traitlets.TraitError):
        viewer.units = "gradians"
