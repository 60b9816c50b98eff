"""Configuration precedence: arguments, then environment, then the documented default."""

from __future__ import annotations

import logging

import pytest

from gizmo_notebook.client import GizmoClient
from gizmo_notebook.client._config import DEFAULT_BASE_URL, default_cache_dir


def test_documented_default_base_url_with_a_key(tmp_path):
    with GizmoClient(api_key="k", cache_dir=tmp_path) as client:
        assert client.base_url == DEFAULT_BASE_URL == "https://api.gizmo.antimlabs.com/v1"
        assert not client.is_local


def test_environment_fallbacks(monkeypatch, tmp_path):
    monkeypatch.setenv("GIZMO_API_KEY", "env-key")
    monkeypatch.setenv("GIZMO_BASE_URL", "https://staging.example.test/v1/")
    with GizmoClient(cache_dir=tmp_path) as client:
        assert client.base_url == "https://staging.example.test/v1"
        assert client._settings.secret.reveal() == "env-key"
    with GizmoClient(api_key="arg-key", base_url="https://arg.example.test/v1", cache_dir=tmp_path) as client:
        assert client.base_url == "https://arg.example.test/v1"
        assert client._settings.secret.reveal() == "arg-key"


def test_no_key_with_a_remote_base_url_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("GIZMO_BASE_URL", "https://api.gizmo.antimlabs.com/v1")
    with pytest.raises(ValueError, match="GIZMO_API_KEY"):
        GizmoClient()


def test_no_key_with_a_loopback_base_url_talks_to_it_without_a_key(tmp_path):
    with GizmoClient(base_url="http://localhost:8765/v1", cache_dir=tmp_path) as client:
        assert client.is_local and client._settings.secret is None


def test_cache_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("GIZMO_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    with GizmoClient(api_key="k") as client:
        assert client.cache_dir == tmp_path / "c"
    monkeypatch.delenv("GIZMO_CACHE_DIR")
    assert "gizmo-notebook" in str(default_cache_dir())


def test_local_backend_is_announced_once(monkeypatch, caplog):
    """No key and no base URL: the embedded server, announced once per process (stubbed here)."""
    import gizmo_notebook.client._config as config
    from gizmo_notebook.local import embedded

    class FakeServer:
        base_url = "http://127.0.0.1:5555/v1"
        api_key = "local-key"
        data_dir = "/tmp/gizmo-data"

    monkeypatch.setattr(embedded, "ensure_local_server", lambda api="alpha": FakeServer())
    monkeypatch.setattr(config, "_announced", False)
    with caplog.at_level(logging.INFO, logger="gizmo_notebook"):
        first = GizmoClient()
        second = GizmoClient()
    lines = [r.getMessage() for r in caplog.records if "offline local backend" in r.getMessage()]
    assert len(lines) == 1
    assert "http://127.0.0.1:5555/v1" in lines[0] and "/tmp/gizmo-data" in lines[0]
    assert "local-key" not in caplog.text
    assert first.is_local and first.base_url == "http://127.0.0.1:5555/v1"
    first.close()
    second.close()


def test_offline_default_is_the_registered_factory(monkeypatch):
    """The client asks the offline port, not the server: whatever the package root (or a test)
    registered is what a key-less client talks to, with that backend's key."""
    import gizmo_notebook.client._config as config
    from gizmo_notebook import _offline

    calls = []

    def fake(api: str) -> _offline.OfflineBackend:
        calls.append(api)
        return _offline.OfflineBackend(base_url="http://127.0.0.1:6543/v1/", api_key="port-key", data_dir=None)

    monkeypatch.setattr(config, "_announced", True)
    previous = _offline.set_offline_factory(fake)
    try:
        with GizmoClient() as client:
            assert client.is_local and client.base_url == "http://127.0.0.1:6543/v1"
            assert client._settings.secret is not None and client._settings.secret.reveal() == "port-key"
        assert calls == ["alpha"]  # the key-less default speaks alpha unless current is asked for
        _offline.set_offline_factory(None)
        with pytest.raises(RuntimeError, match="GIZMO_API_KEY"):
            GizmoClient()
    finally:
        _offline.set_offline_factory(previous)
    assert "port-key" not in repr(_offline.OfflineBackend("http://x", "port-key"))


def test_notice_is_one_stdout_line_in_a_subclassed_kernel_shell(monkeypatch, capsys, caplog):
    """Colab's shell subclasses ipykernel's ZMQInteractiveShell: a cell's output there too, so
    the one calm stdout line, not a logged warning (which a notebook shows as a red block)."""
    import IPython

    import gizmo_notebook.client._config as config

    # ipykernel's class by name, not imported: importing ipykernel.zmqshell into this process
    # turns tqdm.auto into its notebook flavour for every later test (its bars leave stderr)
    ZMQInteractiveShell = type("ZMQInteractiveShell", (), {})

    class Shell(ZMQInteractiveShell):  # what google.colab._shell.Shell is
        pass

    shell = Shell()  # its class is all the check looks at; no kernel needed
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(config, "_announced", False)
    with caplog.at_level(logging.WARNING, logger="gizmo_notebook"):
        config._announce_local("http://127.0.0.1:5555/v1", "/tmp/gizmo-data")
    out = capsys.readouterr()
    assert out.out.count("\n") == 1 and "offline local backend" in out.out and "GIZMO_API_KEY" in out.out
    assert out.err == "" and not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_notice_outside_a_notebook_is_a_logged_warning(monkeypatch, capsys, caplog):
    """A script or a terminal IPython: a log warning (stderr is where scripts look), stdout untouched."""
    import gizmo_notebook.client._config as config

    monkeypatch.setattr(config, "_announced", False)
    with caplog.at_level(logging.WARNING, logger="gizmo_notebook"):
        config._announce_local("http://127.0.0.1:5555/v1", None)
    assert capsys.readouterr().out == ""
    assert [r.levelno for r in caplog.records if "offline local backend" in r.getMessage()] == [logging.WARNING]
