"""``scenes.create(name, description)`` and ``scenes.add_asset`` exactly as the alpha Scenes page has
them (the offline backend implements only our ``placements`` extension, so a scripted fake stands in
for the service here), and the stage text of the progress bar."""

from __future__ import annotations

import httpx
import pytest

from gizmo_notebook.client import Scene
from gizmo_notebook.client._follow import StageProgress
from gizmo_notebook.client._job import Job, JobEvent

SCENE = {"id": "scn_03kz1b5m4q0h9s", "name": "Warehouse Workcell Alpha", "description": None,
         "created_at": "2024-11-12T10:15:00Z", "assets": []}


def test_create_sends_name_and_description_only(api, make_client):
    api.add("POST", "/v1/scenes", httpx.Response(201, json={**SCENE, "description": "cell"}))
    scene = make_client().scenes.create("Warehouse Workcell Alpha", "cell")
    assert api.body(api.requests[0]) == {"name": "Warehouse Workcell Alpha", "description": "cell"}
    assert isinstance(scene, Scene) and scene.description == "cell" and scene.placements == ()


def test_create_requires_a_name_unless_placements_are_given(make_client):
    with pytest.raises(TypeError, match="name must be a string"):
        make_client().scenes.create()


def test_add_asset_sends_xyz_and_xyzw_objects_and_reads_the_scene_back(api, make_client):
    placed = {**SCENE, "assets": [{"asset_id": "ast_1", "position": {"x": 1, "y": 2, "z": 0.5},
                                   "rotation": {"x": 0, "y": 0, "z": 0.7071, "w": 0.7071}}]}
    api.add("POST", f"/v1/scenes/{SCENE['id']}/assets", httpx.Response(201, json={"ok": True}))
    api.add("GET", f"/v1/scenes/{SCENE['id']}", httpx.Response(200, json=placed))
    scene = make_client().scenes.add_asset(SCENE["id"], "ast_1", position=(1, 2, 0.5), rotation=(0, 0, 0.7071, 0.7071))
    assert api.body(api.calls("POST")[0]) == {
        "asset_id": "ast_1",
        "position": {"x": 1.0, "y": 2.0, "z": 0.5},
        "rotation": {"x": 0.0, "y": 0.0, "z": 0.7071, "w": 0.7071},
    }
    (placement,) = scene.placements
    assert placement.position == (1.0, 2.0, 0.5)
    assert placement.orientation == (0.7071, 0.0, 0.0, 0.7071) and placement.rotation == (0.0, 0.0, 0.7071, 0.7071)


def test_add_asset_is_never_re_sent_after_a_5xx(api, make_client):
    api.add("POST", f"/v1/scenes/{SCENE['id']}/assets", httpx.Response(502))
    with pytest.raises(Exception, match="not retried"):
        make_client().scenes.add_asset(SCENE["id"], "ast_1")
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"position": (0, 0)}, ValueError, "position"),
        ({"rotation": (0, 0, 0, 0)}, ValueError, "non-zero quaternion"),
        ({"rotation": "0001"}, TypeError, "rotation"),
    ],
)
def test_add_asset_checks_its_arguments_before_any_request(api, make_client, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_client().scenes.add_asset("scn_1", "ast_1", **kwargs)
    assert not api.requests


def test_stage_progress_shows_stage_and_k_of_n():
    bar = StageProgress("job_1", enabled=False)
    bar.on_event(JobEvent(1, "stage_start", {"stage": "planning", "step": 1, "total": 4}))
    assert bar.text == "job_1 planning 1/4"
    bar.on_event(JobEvent(2, "stage_start", {"name": "articulation", "step": 3, "total": 4}))
    assert bar.text == "job_1 articulation 3/4"
    counted = StageProgress("job_2", enabled=False)  # no step numbers: count stages, total from a list
    counted.on_event(JobEvent(1, "stage_start", {"stage": "a", "stages": ["a", "b", "c"]}))
    counted.on_event(JobEvent(2, "stage_start", "b"))
    assert counted.text == "job_2 b 2/3"


def test_stage_progress_from_polled_job_records():
    bar = StageProgress("job_3", enabled=False)
    bar.on_job(Job.from_dict({"id": "job_3", "status": "queued", "name": "My arm job"}))
    assert bar.text == "job_3 queued"
    bar.on_job(Job.from_dict({"id": "job_3", "status": "running", "name": "My arm job",
                              "stage": {"name": "articulation", "step": 3, "total": 4}}))
    assert bar.text == "job_3 articulation 3/4"
