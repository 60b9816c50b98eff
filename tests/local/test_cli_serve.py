"""``gizmo-notebook serve`` run as a real subprocess."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from gizmo_notebook.local.cli import build_parser


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--log-level", "warning", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _banner(process: subprocess.Popen[str], stream: IO[str] | None = None) -> dict[str, str]:
    """The four banner lines printed when no --api-key is given, as {label: value}."""
    stream = stream or process.stdout
    assert stream is not None
    lines: dict[str, str] = {}
    for _ in range(4):
        line = stream.readline().strip()
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


def _start_on_terminal(*args: str) -> tuple[subprocess.Popen[str], IO[str]]:
    """``serve`` with its stdout on a pseudo-terminal, as when started by hand; returns the terminal's reader."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--log-level", "warning", *args],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    os.close(slave)
    return process, os.fdopen(master, "r", encoding="utf-8", errors="replace")


def test_serve_prints_a_key_that_works_and_stops_cleanly_on_sigint(tmp_path: Path, processes) -> None:
    process, terminal = _start_on_terminal("--data-dir", str(tmp_path), "--latency", "0")
    processes.append(process)
    banner = _banner(process, terminal)
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
    _, err = process.communicate(timeout=30)
    terminal.close()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    # the key was the data dir's default key: a second run reuses it and sees the asset; with its
    # output going to a pipe (a log file, a supervisor) it names the key file instead of the key
    again = _start("--data-dir", str(tmp_path), "--latency", "0")
    processes.append(again)
    banner2 = _banner(again)
    key_file = tmp_path.resolve() / "local_api_key"
    assert banner2["API key"] == f"in {key_file} (not printed: output is not a terminal)"
    assert key_file.read_text().strip() == key
    assert f'GIZMO_API_KEY="$(cat {key_file})"' in banner2["export"]
    _wait_for(banner2["Gizmo local server"] + "/assets")
    listing = httpx.get(banner2["Gizmo local server"] + "/assets", headers=headers).json()
    assert [a["id"] for a in listing["assets"]] == [created.json()["id"]]
    again.send_signal(signal.SIGINT)
    out, err = again.communicate(timeout=30)
    assert again.returncode == 0 and "stopped" in out
    assert key not in out + err + "".join(banner2.values())


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
        (["--port", "\u0668\u0660"], "port number"),  # Arabic-Indic "80": was taken as port 80
        (["--credits", "\u00b2"], "whole number of credits"),  # was argparse's "invalid _count value"
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


def test_keys_from_a_file_and_the_environment_never_appear_on_the_command_line(tmp_path: Path, processes) -> None:
    key_file = tmp_path / "keys.txt"
    key_file.write_text("# keys for the lab\nfile-secret-one\n\n  file-secret-two  \n")
    env = dict(os.environ, GIZMO_SERVE_API_KEYS="env-secret-one, env-secret-two")
    process = _start("--data-dir", str(tmp_path / "data"), "--api-key-file", str(key_file), "--latency", "0", env=env)
    processes.append(process)
    assert process.stdout is not None
    base_url = process.stdout.readline().strip().split(": ", 1)[1]
    _wait_for(base_url + "/assets")
    cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
    answers = {
        key: httpx.get(base_url + "/assets", headers={"Authorization": f"Bearer {key}"}).status_code
        for key in ("file-secret-one", "file-secret-two", "env-secret-one", "env-secret-two", "# keys for the lab")
    }
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert answers == {"file-secret-one": 200, "file-secret-two": 200, "env-secret-one": 200,
                       "env-secret-two": 200, "# keys for the lab": 401}
    assert "secret" not in cmdline and "secret" not in out + err
    assert not (tmp_path / "data" / "local_api_key").exists()


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data dir's parent should be")
    targets = [blocker / "data"]
    if os.geteuid() != 0:  # root writes through permissions, so only a non-root run can test them
        read_only = tmp_path / "read-only"
        read_only.mkdir()
        read_only.chmod(0o500)
        targets.append(read_only)
    for target in targets:
        for extra in ([], ["--api-key", "some-key"]):  # the key file is written first, or the database
            done = subprocess.run(
                [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--data-dir", str(target),
                 *extra],
                capture_output=True, text=True, timeout=60, check=False,
            )
            assert done.returncode == 2, done.stderr
            assert "Traceback" not in done.stderr
            assert f"cannot write its data dir {target}" in done.stderr and "writable" in done.stderr


def test_access_log_has_paths_without_download_tokens(tmp_path: Path, processes) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--log-level", "info",
         "--data-dir", str(tmp_path), "--api-key", "log-test-key", "--latency", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    processes.append(process)
    assert process.stdout is not None
    base_url = process.stdout.readline().strip().split(": ", 1)[1]
    _wait_for(base_url + "/assets")
    with httpx.Client(base_url=base_url + "/", headers={"Authorization": "Bearer log-test-key"}) as http:
        asset = http.post("assets", json={"prompt": "a gripper"}).json()
        while http.get(f"assets/{asset['id']}").json()["status"] != "ready":
            time.sleep(0.05)
        url = http.post(f"assets/{asset['id']}/export", json={"format": "mujoco_mjcf"}).json()["download_url"]
        assert httpx.get(url).status_code == 200
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    log = out + err  # uvicorn's access log goes to stdout
    token = url.split("token=", 1)[1]
    path = url.split("?", 1)[0].split("/v1/", 1)[1]
    assert f"GET /v1/{path} HTTP/1.1" in log  # the download is logged...
    assert token not in log and "token=" not in log  # ...without its credential


def test_the_printed_url_answers_at_once(tmp_path: Path, processes) -> None:
    # Scripts read the banner and connect straight away; the socket must already be listening
    # (it used to be bound only, so the first request was refused while the app started).
    process = _start("--data-dir", str(tmp_path), "--api-key", "a-key-for-the-banner-test", "--latency", "0")
    processes.append(process)
    assert process.stdout is not None
    base_url = process.stdout.readline().strip().split(": ", 1)[1]
    answer = httpx.get(base_url + "/assets", headers={"Authorization": "Bearer a-key-for-the-banner-test"}, timeout=30)
    assert answer.status_code == 200


def test_read_only_keys_from_a_file_and_the_environment_never_appear_on_the_command_line(
    tmp_path: Path, processes
) -> None:
    key_file = tmp_path / "read-only-keys.txt"
    key_file.write_text("# viewers\nro-file-secret-one\n\nro-file-secret-two\n")
    env = dict(os.environ, GIZMO_SERVE_API_KEYS="full-env-secret", GIZMO_SERVE_READ_ONLY_KEYS="ro-env-secret-a,ro-env-secret-b")
    process = _start("--data-dir", str(tmp_path / "data"), "--read-only-key-file", str(key_file), "--latency", "0",
                     env=env)
    processes.append(process)
    assert process.stdout is not None
    base_url = process.stdout.readline().strip().split(": ", 1)[1]
    _wait_for(base_url + "/assets")
    cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
    keys = ("full-env-secret", "ro-file-secret-one", "ro-file-secret-two", "ro-env-secret-a", "ro-env-secret-b")
    listed = {key: httpx.get(base_url + "/assets", headers={"Authorization": f"Bearer {key}"}).status_code
              for key in keys}
    created = {key: httpx.post(base_url + "/assets", json={"prompt": "a gripper"},
                               headers={"Authorization": f"Bearer {key}"}).status_code for key in keys}
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert listed == dict.fromkeys(keys, 200)
    assert created == {"full-env-secret": 201, "ro-file-secret-one": 403, "ro-file-secret-two": 403,
                       "ro-env-secret-a": 403, "ro-env-secret-b": 403}
    assert "secret" not in cmdline and "secret" not in out + err


def test_help_names_every_way_to_give_keys(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in ("--api-key-file", "GIZMO_SERVE_API_KEYS", "--read-only-key-file", "GIZMO_SERVE_READ_ONLY_KEYS"):
        assert name in text


@pytest.mark.parametrize("option", ["--api-key-file", "--read-only-key-file"])
@pytest.mark.parametrize("content", [None, "# only a comment\n\n", b"\xffnot-utf8-secret-key\n"])
def test_unusable_key_file_is_a_clear_error(tmp_path: Path, option: str, content: str | bytes | None) -> None:
    key_file = tmp_path / "keys.txt"
    if isinstance(content, bytes):
        key_file.write_bytes(content)
    elif content is not None:
        key_file.write_text(content)
    done = subprocess.run(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--data-dir", str(tmp_path),
         option, str(key_file)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{option} {key_file}" in done.stderr
    assert "secret" not in done.stderr


def test_a_key_given_with_two_scopes_is_refused(tmp_path: Path) -> None:
    env = dict(os.environ, GIZMO_SERVE_API_KEYS="both-scopes-key", GIZMO_SERVE_READ_ONLY_KEYS="both-scopes-key")
    done = subprocess.run(
        [sys.executable, "-m", "gizmo_notebook.local.cli", "serve", "--port", "0", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "one scope" in done.stderr and "both-scopes-key" not in done.stderr
