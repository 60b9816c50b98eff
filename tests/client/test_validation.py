"""Bad arguments fail fast with a message saying what to pass, and no request is sent."""

from __future__ import annotations

import pytest

from gizmo_notebook.formats import EXPORT_FORMATS


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda c: c.assets.create(""), ValueError, "prompt is empty"),
        (lambda c: c.assets.create("   \n\t"), ValueError, "prompt is empty"),
        (lambda c: c.assets.create(None), TypeError, "prompt must be a string"),
        (lambda c: c.assets.create("ok", name="  "), ValueError, "name is blank"),
        (lambda c: c.assets.create("ok", tags="arm"), TypeError, "list of strings"),
        (lambda c: c.assets.create("ok", tags=["arm", ""]), ValueError, "non-empty string"),
        (lambda c: c.assets.create("ok", tags=["arm", 3]), ValueError, "non-empty string"),
        (lambda c: c.assets.list(limit=0), ValueError, "between 1 and 100"),
        (lambda c: c.assets.list(limit=101), ValueError, "between 1 and 100"),
        (lambda c: c.assets.list(limit=True), TypeError, "integer"),
        (lambda c: c.assets.list(limit=2.5), TypeError, "integer"),
        (lambda c: c.assets.list(offset=-1), ValueError, "offset must be 0 or more"),
        (lambda c: c.assets.iter(page_size=0), ValueError, "page_size"),
        (lambda c: c.assets.iter(page_size=500), ValueError, "page_size"),
        (lambda c: c.assets.get(""), ValueError, "asset_id"),
        (lambda c: c.assets.get(" ast_1"), ValueError, "asset_id"),
        (lambda c: c.assets.get(".."), ValueError, "asset_id"),
        (lambda c: c.assets.get(7), TypeError, "asset_id"),
        (lambda c: c.assets.export("ast_1", "obj"), ValueError, "use one of"),
        (lambda c: c.assets.export("ast_1", "MUJOCO_MJCF"), ValueError, "use one of"),
        (lambda c: c.assets.download("ast_1", "stl"), ValueError, "use one of"),
        (lambda c: c.assets.wait("ast_1", timeout=0), ValueError, "timeout"),
        (lambda c: c.assets.wait("ast_1", timeout=float("inf")), ValueError, "timeout"),
        (lambda c: c.assets.wait("ast_1", poll_interval=-1), ValueError, "poll_interval"),
        (lambda c: c.assets.wait("ast_1", timeout=10**401), ValueError, "timeout"),
        (lambda c: c.assets.wait("ast_1", poll_interval=float("nan")), ValueError, "poll_interval"),
        (lambda c: c.scenes.create("s", []), ValueError, "placements is empty"),
        (lambda c: c.scenes.create("s", [{"position": [0, 0, 0]}]), TypeError, "asset_id"),
        (lambda c: c.scenes.create("s", [{"asset_id": "a", "position": [0, 0]}]), ValueError, "3 finite numbers"),
        (lambda c: c.scenes.create("s", [{"asset_id": "a", "position": [0, 0, float("nan")]}]), ValueError, "finite"),
        (lambda c: c.scenes.create("s", [{"asset_id": "a", "orientation": [0, 0, 0, 0]}]), ValueError, "non-zero"),
        (lambda c: c.scenes.create("s", [{"asset_id": "a", "orientation": [1, 0, 0, 0], "rpy": [0, 0, 0]}]), ValueError, "not both"),
        (lambda c: c.scenes.create("s", [{"asset_id": "a", "pos": [0, 0, 0]}]), ValueError, "unknown keys"),
        (lambda c: c.scenes.create("s", {"asset_id": "a"}), TypeError, "list"),
        (lambda c: c.scenes.list(limit=1000), ValueError, "between 1 and 100"),
        (lambda c: c.scenes.export("scn_1", "fbx"), ValueError, "use one of"),
        # a lone UTF-16 surrogate (half an emoji) in any text: a ValueError naming the field
        (lambda c: c.assets.create("arm \ud83d"), ValueError, "prompt holds a lone UTF-16 surrogate"),
        (lambda c: c.assets.create("arm", name="\udc00x"), ValueError, "name holds a lone"),
        (lambda c: c.assets.create("arm", tags=["ok", "x\ud83d"]), ValueError, r"tags\[1\] holds a lone"),
        (lambda c: c.assets.get("ast_\ud83d"), ValueError, "asset_id holds a lone"),
        (lambda c: c.assets.download("ast_\ud83d", "mujoco_mjcf"), ValueError, "asset_id holds a lone"),
        (lambda c: c.scenes.create("\ud83d", [{"asset_id": "a"}]), ValueError, "name holds a lone"),
        (lambda c: c.scenes.create("s", [{"asset_id": "a\ud83d"}]), ValueError, r"placements\[0\]\['asset_id'\] holds"),
        (lambda c: c.scenes.get("scn_\ud83d"), ValueError, "holds a lone"),
        (lambda c: c.scenes.create("s", [{"asset_id": "a", "position": [10**401, 0, 0]}]), ValueError, "finite"),
        (lambda c: c.scenes.create("s", [{"asset_id": "a", "rpy": [0, -(10**400), 0]}]), ValueError, "finite"),
        (lambda c: c.scenes.create("s", "a description \ud83d"), ValueError, "description holds a lone"),
        (lambda c: c.assets.create("ok", tags={"arm": 1}), TypeError, "list of strings"),
        (lambda c: c.assets.download("ast_1", "mujoco_mjcf", dest="out-\ud83d"), ValueError, "dest holds a lone"),
        # the current API's own calls check the same way
        (lambda c: c.scenes.generate("cell \ud83d", progress=False), ValueError, "prompt holds a lone"),
        (lambda c: c.scenes.submit("\udc00"), ValueError, "prompt holds a lone"),
        (lambda c: c.jobs.get("job_\ud83d"), ValueError, "job_id holds a lone"),
        (lambda c: c.jobs.wait("job_\ud83d", progress=False), ValueError, "job_id holds a lone"),
        (lambda c: c.jobs.cancel("job_\ud83d"), ValueError, "job_id holds a lone"),
        (lambda c: list(c.jobs.events("job_\ud83d")), ValueError, "job_id holds a lone"),
        (lambda c: c.jobs.wait("job_1", timeout=10**401), ValueError, "timeout"),
        (lambda c: list(c.jobs.events("job_1", after=-1)), ValueError, "after"),
        (lambda c: c.assets.generate("arm", scene_id="scn_\ud83d", progress=False), ValueError, "scene_id holds"),
    ],
)
def test_bad_input_raises_before_any_request(api, make_client, call, error, match):
    client = make_client()
    with pytest.raises(error, match=match):
        call(client)
    assert api.requests == []


def test_format_error_lists_the_documented_formats(make_client):
    with pytest.raises(ValueError) as info:
        make_client().assets.export("ast_1", "gltf")
    for fmt in EXPORT_FORMATS:
        assert fmt in str(info.value)


def test_dest_that_is_a_file_is_rejected(api, make_client, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        make_client().assets.download("ast_1", "mujoco_mjcf", dest=target)
    assert api.requests == []


async def test_async_validation_happens_before_any_request(api, make_async_client):
    async with make_async_client() as client:
        with pytest.raises(ValueError, match="prompt is empty"):
            await client.assets.create(" ")
        with pytest.raises(ValueError, match="page_size"):
            client.assets.iter(page_size=0)  # raised at call time, not at first iteration
    assert api.requests == []


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"max_download_bytes": 0}, "max_download_bytes"),
        ({"base_url": "ftp://example.test"}, "http"),
        ({"base_url": "not a url"}, "http"),
    ],
)
def test_bad_client_options(make_client, options, match):
    with pytest.raises(ValueError, match=match):
        make_client(**options)


def test_path_segments_are_quoted(api, make_client):
    api.add("GET", "/v1/assets/a/b?c", __import__("httpx").Response(200, json={"id": "a/b?c", "status": "ready"}))
    asset = make_client().assets.get("a/b?c")
    assert asset.id == "a/b?c"
    assert api.requests[0].url.raw_path == b"/v1/assets/a%2Fb%3Fc"
