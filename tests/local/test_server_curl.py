"""The curl examples from the API docs, run verbatim by the real ``curl`` against the local server.

Only three substitutions are made, exactly what a reader of the docs would do: the base URL,
``YOUR_API_KEY`` and the example asset id.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl binary")

DOCS_BASE = "https://api.gizmo.antimlabs.com/v1"
DOCS_ID = "ast_01hx9z3k2n8f7q"

# copied character for character from shared/api/assets.md
CREATE = """curl --request POST \\
  --url https://api.gizmo.antimlabs.com/v1/assets \\
  --header "Authorization: Bearer YOUR_API_KEY" \\
  --header "Content-Type: application/json" \\
  --data '{
    "prompt": "A 6-DOF industrial robotic arm with a parallel jaw gripper",
    "name": "Industrial Arm v1",
    "tags": ["arm", "6dof", "gripper"]
  }'"""

GET = """curl --request GET \\
  --url https://api.gizmo.antimlabs.com/v1/assets/ast_01hx9z3k2n8f7q \\
  --header "Authorization: Bearer YOUR_API_KEY\""""

LIST = """curl --request GET \\
  --url "https://api.gizmo.antimlabs.com/v1/assets?limit=10&offset=0" \\
  --header "Authorization: Bearer YOUR_API_KEY\""""

EXPORT = """curl --request POST \\
  --url https://api.gizmo.antimlabs.com/v1/assets/ast_01hx9z3k2n8f7q/export \\
  --header "Authorization: Bearer YOUR_API_KEY" \\
  --header "Content-Type: application/json" \\
  --data '{
    "format": "mujoco_mjcf"
  }'"""


def run(command: str, base_url: str, key: str, asset_id: str = DOCS_ID, cwd: Path | None = None) -> str:
    script = command.replace(DOCS_BASE, base_url).replace("YOUR_API_KEY", key).replace(DOCS_ID, asset_id)
    done = subprocess.run(
        ["bash", "-c", script + " --silent --show-error --write-out '\\n%{http_code}'"],
        capture_output=True, text=True, timeout=60, cwd=cwd, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def split(output: str) -> tuple[dict, int]:
    body, _, status = output.rpartition("\n")
    return json.loads(body), int(status)


def test_the_documented_curl_examples_work_verbatim(local_server, tmp_path: Path) -> None:
    docs = Path("/work/shared/api/assets.md")
    if docs.exists():  # guard the copies above against drift from the docs
        text = docs.read_text()
        for example in (CREATE, GET, LIST, EXPORT):
            assert example in text

    created, status = split(run(CREATE, local_server.base_url, local_server.api_key))
    assert status == 201
    assert created["name"] == "Industrial Arm v1" and created["tags"] == ["arm", "6dof", "gripper"]
    asset_id = created["id"]

    deadline = time.monotonic() + 30
    while True:
        asset, status = split(run(GET, local_server.base_url, local_server.api_key, asset_id))
        assert status == 200
        if asset["status"] == "ready":
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert asset["formats_available"]

    listing, status = split(run(LIST, local_server.base_url, local_server.api_key))
    assert status == 200
    assert (listing["total"], listing["limit"], listing["offset"]) == (1, 10, 0)
    assert listing["assets"][0]["id"] == asset_id

    export, status = split(run(EXPORT, local_server.base_url, local_server.api_key, asset_id))
    assert status == 200 and set(export) == {"download_url", "expires_at"}

    done = subprocess.run(
        ["curl", "--silent", "--show-error", "--fail", "--remote-name", "--remote-header-name", export["download_url"]],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False,
    )
    assert done.returncode == 0, done.stderr
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == ["industrial_arm_v1.xml"]
    assert "<mujoco" in files[0].read_text()


def test_curl_with_a_wrong_key_gets_the_401_envelope(local_server) -> None:
    body, status = split(run(GET, local_server.base_url, "not-a-key"))
    assert status == 401
    assert set(body) == {"error", "code", "message"}
