"""``ensure_local_server``: the embedded default a key-less ``GizmoClient()`` starts."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gizmo_notebook.local import embedded
from gizmo_notebook.local.paths import DEFAULT_KEY_FILE


@pytest.fixture(autouse=True)
def _stop_embedded() -> Iterator[None]:
    yield
    embedded.stop_local_servers()


def test_one_server_per_process_even_under_concurrent_first_use() -> None:
    results = []
    barrier = threading.Barrier(8)

    def call() -> None:
        barrier.wait()
        results.append(embedded.ensure_local_server())

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 8 and len({id(s) for s in results}) == 1
    server = results[0]
    assert server is embedded.ensure_local_server()
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
    assert server.data_dir == Path(os.environ["GIZMO_DATA_DIR"]).resolve()
    response = httpx.get(server.base_url + "/assets", headers={"Authorization": f"Bearer {server.api_key}"})
    assert response.status_code == 200
    assert server.api_key not in repr(server)


def test_key_is_persisted_privately_and_reused_after_a_restart() -> None:
    first = embedded.ensure_local_server()
    key, url = first.api_key, first.base_url
    headers = {"Authorization": f"Bearer {key}"}
    asset = httpx.post(url + "/assets", json={"prompt": "A gripper"}, headers=headers).json()
    key_file = first.data_dir / DEFAULT_KEY_FILE
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    embedded.stop_local_servers()
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/assets", headers=headers)
    second = embedded.ensure_local_server()
    assert second is not first and second.api_key == key
    listing = httpx.get(second.base_url + "/assets", headers=headers).json()
    assert [a["id"] for a in listing["assets"]] == [asset["id"]]


def test_latency_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIZMO_LOCAL_LATENCY", "0.5")
    server = embedded.ensure_local_server()
    headers = {"Authorization": f"Bearer {server.api_key}"}
    asset = httpx.post(server.base_url + "/assets", json={"prompt": "A shelf"}, headers=headers).json()
    assert httpx.get(f"{server.base_url}/assets/{asset['id']}", headers=headers).json()["status"] != "ready"
    monkeypatch.delenv("GIZMO_LOCAL_LATENCY")
    assert embedded._latency() == embedded.DEFAULT_LATENCY == 2.0


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_bad_latency_environment_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("GIZMO_LOCAL_LATENCY", value)
    with pytest.raises(ValueError, match="GIZMO_LOCAL_LATENCY"):
        embedded.ensure_local_server()


def test_server_stops_at_interpreter_exit(tmp_path: Path) -> None:
    """A child process starts the embedded server and exits without stopping it; exit must be quick and clean."""
    code = (
        "import json, sys\n"
        "from gizmo_notebook.local.embedded import ensure_local_server\n"
        "s = ensure_local_server()\n"
        "print(json.dumps({'url': s.base_url}), flush=True)\n"
    )
    env = {**os.environ, "GIZMO_DATA_DIR": str(tmp_path), "GIZMO_LOCAL_LATENCY": "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr
    url = json.loads(done.stdout)["url"]
    assert "Traceback" not in done.stderr
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/assets")
