"""``download``: cache, atomic files, expired URLs, cut-off transfers, size caps, safe unpacking.

The download host is faked here because the faults under test (a lying Content-Length, a
connection dropped mid-body, a 410 from a CDN) are exactly what a well-behaved server never does.
"""

from __future__ import annotations

import io
import stat
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from gizmo_notebook.client import DownloadError

from .conftest import KEY

CDN = "https://cdn.example.test"
PAYLOAD = b"<mujoco model='arm'>" + b"x" * 5000 + b"</mujoco>"


def export_json(url: str, expires_in: float | None = 3600) -> httpx.Response:
    expires = None if expires_in is None else (datetime.now(timezone.utc) + timedelta(seconds=expires_in)).isoformat()
    return httpx.Response(200, json={"download_url": url, "expires_at": expires})


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Sends some bytes, then the connection drops."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self):
        yield self.data
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    async def __aiter__(self):
        yield self.data
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def visible_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def assert_no_partial_files(root: Path) -> None:
    leftovers = [p for p in visible_files(root) if p.name.startswith(".")]
    assert leftovers == []


def test_download_streams_into_the_cache_without_sending_the_key(api, make_client, tmp_path):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/exports/ast_1/arm.xml?token=abc"))
    api.add("GET", "/exports/ast_1/arm.xml", httpx.Response(200, content=PAYLOAD))
    path = make_client().assets.download("ast_1", "mujoco_mjcf")
    assert path.read_bytes() == PAYLOAD and path.name == "arm.xml"
    assert (tmp_path / "cache") in path.parents
    assert_no_partial_files(tmp_path / "cache")
    export_call, cdn_call = api.requests
    assert export_call.headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in cdn_call.headers
    assert KEY not in str(cdn_call.url) and KEY.encode() not in b"".join(v for _, v in cdn_call.headers.raw)


def test_same_host_download_url_still_gets_no_key(api, make_client):
    api.add("POST", "/v1/assets/ast_1/export", export_json("/v1/downloads/tok123/arm.xml"))
    api.add("GET", "/v1/downloads/tok123/arm.xml", httpx.Response(200, content=PAYLOAD))
    make_client().assets.download("ast_1", "mujoco_mjcf")
    cdn_call = api.requests[-1]
    assert str(cdn_call.url).startswith("https://api.example.test/v1/downloads/")
    assert "authorization" not in cdn_call.headers


def test_redirects_on_the_download_host_are_followed_without_the_key(api, make_client):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", httpx.Response(302, headers={"Location": "https://mirror.example.test/b.xml"}))
    api.add("GET", "/b.xml", httpx.Response(200, content=PAYLOAD))
    assert make_client().assets.download("ast_1", "mujoco_mjcf").read_bytes() == PAYLOAD
    assert all("authorization" not in r.headers for r in api.requests[1:])


def test_cached_file_is_reused_for_the_same_asset_and_format(api, make_client):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", httpx.Response(200, content=PAYLOAD))
    client = make_client()
    first = client.assets.download("ast_1", "mujoco_mjcf")
    n = len(api.requests)
    assert client.assets.download("ast_1", "mujoco_mjcf") == first
    assert len(api.requests) == n
    # another format is another download
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.urdf"))
    api.add("GET", "/a.urdf", httpx.Response(200, content=b"<robot/>"))
    api.routes[("POST", "/v1/assets/ast_1/export")] = [export_json(f"{CDN}/a.urdf")]
    assert client.assets.download("ast_1", "isaac_sim_urdf").read_bytes() == b"<robot/>"


def test_export_expired_by_expires_at_is_requested_again(api, make_client):
    api.add(
        "POST",
        "/v1/assets/ast_1/export",
        export_json(f"{CDN}/old.xml", expires_in=-60),
        export_json(f"{CDN}/new.xml"),
    )
    api.add("GET", "/old.xml", httpx.Response(200, content=b"stale"))
    api.add("GET", "/new.xml", httpx.Response(200, content=PAYLOAD))
    path = make_client().assets.download("ast_1", "mujoco_mjcf")
    assert path.read_bytes() == PAYLOAD
    assert len(api.calls("POST")) == 2 and api.calls("GET", "/old.xml") == []


@pytest.mark.parametrize("status", [403, 410])
def test_download_host_refusal_requests_a_fresh_export(api, make_client, status):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/old.xml"), export_json(f"{CDN}/new.xml"))
    api.add("GET", "/old.xml", httpx.Response(status, text="<Error>Request has expired</Error>"))
    api.add("GET", "/new.xml", httpx.Response(200, content=PAYLOAD))
    assert make_client().assets.download("ast_1", "mujoco_mjcf").read_bytes() == PAYLOAD
    assert len(api.calls("POST")) == 2


def test_persistent_refusal_gives_up_with_download_error(api, make_client, tmp_path):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", httpx.Response(403))
    with pytest.raises(DownloadError, match="403"):
        make_client().assets.download("ast_1", "mujoco_mjcf")
    assert len(api.calls("POST")) == 4  # the first export + 3 refreshes
    assert visible_files(tmp_path / "cache") == [] if (tmp_path / "cache").exists() else True


def test_truncated_transfer_is_retried_and_never_visible(api, make_client, fake_time, tmp_path):
    cut = httpx.Response(200, headers={"Content-Length": str(len(PAYLOAD))}, content=PAYLOAD[:100])
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", cut, httpx.Response(200, content=PAYLOAD))
    path = make_client().assets.download("ast_1", "mujoco_mjcf")
    assert path.read_bytes() == PAYLOAD
    assert len(api.calls("GET")) == 2 and len(fake_time.sleeps) == 1
    assert_no_partial_files(tmp_path / "cache")


def test_truncated_every_time_raises_and_leaves_nothing(api, make_client, tmp_path):
    cut = httpx.Response(200, headers={"Content-Length": str(len(PAYLOAD))}, content=PAYLOAD[:100])
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", cut)
    with pytest.raises(DownloadError, match=f"cut off after 100 of {len(PAYLOAD)} bytes"):
        make_client(max_retries=2).assets.download("ast_1", "mujoco_mjcf")
    assert len(api.calls("GET")) == 3
    assert visible_files(tmp_path / "cache") == []


def test_connection_dropped_mid_body_is_retried(api, make_client, tmp_path):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", lambda r: httpx.Response(200, stream=BrokenStream(PAYLOAD[:10])))
    api.routes[("GET", "/a.xml")].append(httpx.Response(200, content=PAYLOAD))
    assert make_client().assets.download("ast_1", "mujoco_mjcf").read_bytes() == PAYLOAD
    assert_no_partial_files(tmp_path / "cache")


def test_download_host_5xx_is_retried_and_404_is_not(api, make_client, fake_time):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", httpx.Response(503, headers={"Retry-After": "3"}), httpx.Response(200, content=PAYLOAD))
    assert make_client().assets.download("ast_1", "mujoco_mjcf").read_bytes() == PAYLOAD
    assert fake_time.sleeps == [3.0]

    api.add("POST", "/v1/assets/ast_2/export", export_json(f"{CDN}/gone.xml"))
    api.add("GET", "/gone.xml", httpx.Response(404))
    with pytest.raises(DownloadError, match="404"):
        make_client().assets.download("ast_2", "mujoco_mjcf")
    assert len(api.calls("GET", "/gone.xml")) == 1


def test_size_cap_by_content_length_refuses_before_reading(api, make_client, tmp_path):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", httpx.Response(200, content=PAYLOAD))
    with pytest.raises(DownloadError, match="over the 1000-byte cap"):
        make_client(max_download_bytes=1000).assets.download("ast_1", "mujoco_mjcf")
    assert len(api.calls("GET")) == 1  # not retried
    assert visible_files(tmp_path / "cache") == [] if (tmp_path / "cache").exists() else True


def test_size_cap_while_streaming_without_content_length(api, make_client, tmp_path):
    def chunked(request):
        return httpx.Response(200, content=iter([b"x" * 600, b"x" * 600, b"x" * 600]))

    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", chunked)
    with pytest.raises(DownloadError, match="exceeded the 1000-byte cap"):
        make_client(max_download_bytes=1000).assets.download("ast_1", "mujoco_mjcf")
    assert visible_files(tmp_path / "cache") == []


def test_filename_from_content_disposition_is_sanitised(api, make_client):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/blob"))
    api.add(
        "GET",
        "/blob",
        httpx.Response(200, content=PAYLOAD, headers={"Content-Disposition": 'attachment; filename="../../evil arm.xml"'}),
    )
    path = make_client().assets.download("ast_1", "mujoco_mjcf")
    assert path.name == "evil_arm.xml"


def test_dest_copies_a_single_file(api, make_client, tmp_path):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/arm.urdf"))
    api.add("GET", "/arm.urdf", httpx.Response(200, content=b"<robot name='arm'/>"))
    dest = tmp_path / "out" / "nested"
    path = make_client().assets.download("ast_1", "isaac_sim_urdf", dest=dest)
    assert path == dest / "arm.urdf" and path.read_bytes() == b"<robot name='arm'/>"
    assert sorted(p.name for p in dest.iterdir()) == ["arm.urdf"]


def make_zip(entries: dict[str, bytes], symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def serve_zip(api, data: bytes, asset: str = "ast_1") -> None:
    api.add("POST", f"/v1/assets/{asset}/export", export_json(f"{CDN}/{asset}/arm_urdf.zip"))
    api.add("GET", f"/{asset}/arm_urdf.zip", httpx.Response(200, content=data))


def test_dest_unpacks_a_zip_into_a_folder(api, make_client, tmp_path):
    serve_zip(api, make_zip({"arm.urdf": b"<robot/>", "meshes/base.stl": b"solid", "meshes/": b""}))
    client = make_client()
    folder = client.assets.download("ast_1", "isaac_sim_urdf", dest=tmp_path / "out")
    assert folder == tmp_path / "out" / "arm_urdf" and folder.is_dir()
    assert (folder / "arm.urdf").read_bytes() == b"<robot/>"
    assert (folder / "meshes" / "base.stl").read_bytes() == b"solid"
    # again: replaces the folder cleanly, from the cache
    (folder / "stray.txt").write_text("old")
    n = len(api.requests)
    again = client.assets.download("ast_1", "isaac_sim_urdf", dest=tmp_path / "out")
    assert again == folder and not (folder / "stray.txt").exists() and len(api.requests) == n
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["arm_urdf"]
    # without dest the archive itself is returned
    assert client.assets.download("ast_1", "isaac_sim_urdf").suffix == ".zip"


@pytest.mark.parametrize(
    ("entries", "symlink", "match"),
    [
        ({"../escape.txt": b"x"}, None, "outside the archive folder"),
        ({"ok/../../escape.txt": b"x"}, None, "outside the archive folder"),
        ({"/etc/evil": b"x"}, None, "outside the archive folder"),
        ({"C:/evil": b"x"}, None, "outside the archive folder"),
        ({"arm.urdf": b"x"}, "link", "symbolic link"),
    ],
)
def test_unsafe_archives_are_refused(api, make_client, tmp_path, entries, symlink, match):
    serve_zip(api, make_zip(entries, symlink))
    out = tmp_path / "out"
    with pytest.raises(DownloadError, match=match):
        make_client().assets.download("ast_1", "isaac_sim_urdf", dest=out)
    assert not (tmp_path / "escape.txt").exists()
    assert [p.name for p in out.iterdir()] == []  # no half-unpacked folder, no staging leftovers


def test_zip_bomb_is_stopped_by_the_size_cap(api, make_client, tmp_path):
    bomb = make_zip({"big.bin": b"\0" * 200_000})  # compresses to a few hundred bytes
    assert len(bomb) < 5_000
    serve_zip(api, bomb)
    out = tmp_path / "out"
    with pytest.raises(DownloadError, match="expands to more than"):
        make_client(max_download_bytes=50_000).assets.download("ast_1", "isaac_sim_urdf", dest=out)
    assert list(out.iterdir()) == []


def test_corrupt_zip_is_a_download_error(api, make_client, tmp_path):
    serve_zip(api, b"PK\x03\x04 this is not really a zip")
    with pytest.raises(DownloadError, match="not a valid zip"):
        make_client().assets.download("ast_1", "isaac_sim_urdf", dest=tmp_path / "out")


def test_cache_is_separate_per_base_url(api, make_client, tmp_path):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml"))
    api.add("GET", "/a.xml", httpx.Response(200, content=PAYLOAD))
    one = make_client().assets.download("ast_1", "mujoco_mjcf")
    two = make_client(base_url="https://other.example.test/v1").assets.download("ast_1", "mujoco_mjcf")
    assert one != two and len(api.calls("POST")) == 2


def test_scene_download(api, make_client):
    api.add("POST", "/v1/scenes/scn_1/export", export_json(f"{CDN}/scene.xml"))
    api.add("GET", "/scene.xml", httpx.Response(200, content=PAYLOAD))
    path = make_client().scenes.download("scn_1", "mujoco_mjcf")
    assert path.read_bytes() == PAYLOAD and "scenes" in path.parts


async def test_async_download_with_retry_and_refresh(api, make_async_client, tmp_path):
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/old.xml"), export_json(f"{CDN}/new.xml"))
    api.add("GET", "/old.xml", httpx.Response(410))
    api.add("GET", "/new.xml", lambda r: httpx.Response(200, stream=BrokenStream(b"abc")))
    api.routes[("GET", "/new.xml")].append(httpx.Response(200, content=PAYLOAD))
    async with make_async_client() as client:
        path = await client.assets.download("ast_1", "mujoco_mjcf", dest=tmp_path / "out")
    assert path.read_bytes() == PAYLOAD and path.parent == tmp_path / "out"
    assert all("authorization" not in r.headers for r in api.calls("GET"))
    assert_no_partial_files(tmp_path / "cache")


def test_clock_skew_every_export_looks_expired_then_the_url_is_tried_anyway(api, make_client):
    """A machine clock hours ahead makes every fresh URL look expired; the download host decides."""
    api.add("POST", "/v1/assets/ast_1/export", export_json(f"{CDN}/a.xml", expires_in=-7200))
    api.add("GET", "/a.xml", httpx.Response(200, content=PAYLOAD))
    assert make_client().assets.download("ast_1", "mujoco_mjcf").read_bytes() == PAYLOAD
    assert len(api.calls("POST")) == 4 and len(api.calls("GET")) == 1


def test_ids_that_sanitize_alike_never_share_a_cache_folder(api, make_client):
    """The cache folder is named after the id made file-system safe; two ids that differ only in
    what that replaces ("a/b", "a_b") must not read each other's downloads."""
    api.add("POST", "/v1/assets/a_b/export", export_json(f"{CDN}/exports/1/arm.xml?token=abc"))
    api.add("GET", "/exports/1/arm.xml", httpx.Response(200, content=b"<mujoco model='one'/>"))
    client = make_client()
    first = client.assets.download("a_b", "mujoco_mjcf")
    api.add("POST", "/v1/assets/a%2Fb/export", export_json(f"{CDN}/exports/2/arm.xml?token=abc"))
    api.add("POST", "/v1/assets/a/b/export", export_json(f"{CDN}/exports/2/arm.xml?token=abc"))
    api.add("GET", "/exports/2/arm.xml", httpx.Response(200, content=b"<mujoco model='two'/>"))
    second = client.assets.download("a/b", "mujoco_mjcf")
    assert first.read_bytes() == b"<mujoco model='one'/>"
    assert second.read_bytes() == b"<mujoco model='two'/>" and first.parent != second.parent
