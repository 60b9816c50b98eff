"""``gizmo-notebook serve`` run as a real subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gizmo_notebook.local.cli import build_parser


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--log-level", "warning", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _banner(process: subprocess.Popen[str]) -> dict[str, str]:
    """The four banner lines printed when no --api-key is given, as {label: value}."""
    assert process.stdout is not None
    lines: dict[str, str] = {}
    for _ in range(4):
        line = process.stdout.readline().strip()
        if line.startswith("export "):
            lines["export"] = line
        else:
            label, _, value = line.partition(": ")
            lines[label.strip()] = value.strip()
    return lines


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} never answered"
            time.sleep(0.05)


def test_serve_prints_a_key_that_works_and_stops_cleanly_on_sigint(tmp_path: Path, processes) -> None:
    process = _start("--data-dir", str(tmp_path), "--latency", "0")
    processes.append(process)
    banner = _banner(process)
    base_url = banner["Gizmo local server"]
    key = banner["API key"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", base_url)
    assert banner["data dir"] == str(tmp_path.resolve())
    assert banner["export"] == f"export GIZMO_BASE_URL={base_url} GIZMO_API_KEY={key}"
    _wait_for(base_url + "/assets")
    headers = {"Authorization": f"Bearer {key}"}
    created = httpx.post(base_url + "/assets", json={"prompt": "A pan-tilt camera head"}, headers=headers)
    assert created.status_code == 201
    assert httpx.get(base_url + "/assets", headers={"Authorization": "Bearer wrong"}).status_code == 401
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "stopped" in out
    # the key was the data dir's default key: a second run reuses it and sees the asset
    again = _start("--data-dir", str(tmp_path), "--latency", "0")
    processes.append(again)
    banner2 = _banner(again)
    assert banner2["API key"] == key
    _wait_for(banner2["Gizmo local server"] + "/assets")
    listing = httpx.get(banner2["Gizmo local server"] + "/assets", headers=headers).json()
    assert [a["id"] for a in listing["assets"]] == [created.json()["id"]]
    again.send_signal(signal.SIGINT)
    assert again.wait(30) == 0


def test_serve_with_explicit_keys_does_not_print_them(tmp_path: Path, processes) -> None:
    process = _start("--data-dir", str(tmp_path), "--api-key", "first-secret-key", "--api-key", "second-secret-key",
                     "--latency", "0", "--rate-limit", "2/min")
    processes.append(process)
    assert process.stdout is not None
    header = process.stdout.readline().strip()
    data_line = process.stdout.readline().strip()
    base_url = header.split(": ", 1)[1]
    _wait_for(base_url + "/assets")
    first = httpx.get(base_url + "/assets", headers={"Authorization": "Bearer first-secret-key"})
    second = httpx.get(base_url + "/assets", headers={"Authorization": "Bearer second-secret-key"})
    limited = [httpx.get(base_url + "/assets", headers={"Authorization": "Bearer first-secret-key"}).status_code
               for _ in range(2)]
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert first.status_code == 200 and second.status_code == 200
    assert limited == [200, 429]
    assert data_line.startswith("data dir:")
    assert "secret-key" not in header + data_line + out + err
    assert not (tmp_path / "local_api_key").exists()


def test_port_in_use_is_a_clear_error(tmp_path: Path, processes) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=60, check=False,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--latency", "-1"], "non-negative"),
        (["--latency", "soon"], "non-negative"),
        (["--fail-rate", "1.5"], "between 0 and 1"),
        (["--rate-limit", "lots"], "rate limit"),
        (["--port", "70000"], "port number"),
        (["--url-ttl", "0"], "positive"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["serve", *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("gizmo-notebook")
    if not script.exists():
        pytest.skip("package not installed with its console script")
    done = subprocess.run([str(script), "serve", "--help"], capture_output=True, text=True, timeout=60,
                          env={**os.environ}, check=False)
    assert done.returncode == 0 and "--api-key" in done.stdout and "--latency" in done.stdout
