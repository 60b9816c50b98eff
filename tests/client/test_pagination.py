"""``iter`` walks every page exactly once, even when the collection changes underneath it."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from .conftest import asset_json


def pages_from(server_view: Callable[[int, int, int], tuple[list[str], int]]):
    """A handler serving ``GET /assets`` from ``server_view(call_index, limit, offset) -> (ids, total)``."""
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        ids, total = server_view(calls["n"], limit, offset)
        calls["n"] += 1
        return httpx.Response(
            200, json={"assets": [asset_json(i) for i in ids], "total": total, "limit": limit, "offset": offset}
        )

    return handler


def static(ids: list[str]):
    return pages_from(lambda n, limit, offset: (ids[offset : offset + limit], len(ids)))


@pytest.mark.parametrize(("count", "page_size"), [(0, 10), (1, 10), (10, 10), (11, 10), (25, 7), (100, 100)])
def test_every_asset_once_across_full_and_partial_pages(api, make_client, count, page_size):
    ids = [f"ast_{i}" for i in range(count)]
    api.add("GET", "/v1/assets", static(ids))
    assert [a.id for a in make_client().assets.iter(page_size=page_size)] == ids
    expected_requests = max(1, -(-count // page_size))
    assert len(api.calls()) == expected_requests
    assert [int(r.url.params["offset"]) for r in api.calls()] == [page_size * i for i in range(expected_requests)]


def test_iter_is_lazy(api, make_client):
    api.add("GET", "/v1/assets", static([f"ast_{i}" for i in range(30)]))
    it = make_client().assets.iter(page_size=10)
    assert api.requests == []
    assert next(it).id == "ast_0"
    assert len(api.requests) == 1


def test_empty_page_before_total_stops(api, make_client):
    # The server claims 50 but runs dry after 15 (e.g. deletions): stop instead of looping.
    ids = [f"ast_{i}" for i in range(15)]
    api.add("GET", "/v1/assets", pages_from(lambda n, limit, offset: (ids[offset : offset + limit], 50)))
    assert [a.id for a in make_client().assets.iter(page_size=10)] == ids
    assert len(api.calls()) == 3


def test_total_growing_mid_iteration_is_followed(api, make_client):
    ids = [f"ast_{i}" for i in range(12)]

    def view(n, limit, offset):
        visible = ids if n > 0 else ids[:10]  # two more assets appear after the first page
        return visible[offset : offset + limit], len(visible)

    api.add("GET", "/v1/assets", pages_from(view))
    assert [a.id for a in make_client().assets.iter(page_size=5)] == ids


def test_total_shrinking_mid_iteration_stops_early(api, make_client):
    ids = [f"ast_{i}" for i in range(20)]

    def view(n, limit, offset):
        visible = ids if n == 0 else ids[:8]
        return visible[offset : offset + limit], len(visible)

    api.add("GET", "/v1/assets", pages_from(view))
    assert [a.id for a in make_client().assets.iter(page_size=5)] == ids[:8]


def test_newest_first_insertions_do_not_yield_duplicates(api, make_client):
    # Newest first: a creation during iteration shifts every later item down by one.
    base = [f"ast_{i}" for i in range(9)]

    def view(n, limit, offset):
        visible = (["ast_new"] + base) if n > 0 else base
        return visible[offset : offset + limit], len(visible)

    api.add("GET", "/v1/assets", pages_from(view))
    got = [a.id for a in make_client().assets.iter(page_size=3)]
    assert len(got) == len(set(got))
    assert set(base) <= set(got)


def test_short_pages_in_the_middle_advance_by_what_came_back(api, make_client):
    # A server that caps pages at 4 whatever the limit says.
    ids = [f"ast_{i}" for i in range(10)]
    api.add("GET", "/v1/assets", pages_from(lambda n, limit, offset: (ids[offset : offset + min(limit, 4)], 10)))
    assert [a.id for a in make_client().assets.iter(page_size=100)] == ids
    assert [int(r.url.params["offset"]) for r in api.calls()] == [0, 4, 8]


def test_server_ignoring_offset_does_not_loop_forever(api, make_client):
    ids = [f"ast_{i}" for i in range(5)]
    api.add("GET", "/v1/assets", pages_from(lambda n, limit, offset: (ids[:limit], 100)))
    assert [a.id for a in make_client().assets.iter(page_size=5)] == ids
    assert len(api.calls()) == 2


async def test_async_iter_pages_the_same(api, make_async_client):
    ids = [f"ast_{i}" for i in range(23)]
    api.add("GET", "/v1/assets", static(ids))
    async with make_async_client() as client:
        got = [a.id async for a in client.assets.iter(page_size=10)]
    assert got == ids and len(api.calls()) == 3


def test_scenes_iter(api, make_client):
    def handler(request):
        offset = int(request.url.params["offset"])
        items = [{"id": f"scn_{i}"} for i in range(offset, min(offset + 2, 3))]
        return httpx.Response(200, json={"scenes": items, "total": 3})

    api.add("GET", "/v1/scenes", handler)
    assert [s.id for s in make_client().scenes.iter(page_size=2)] == ["scn_0", "scn_1", "scn_2"]
