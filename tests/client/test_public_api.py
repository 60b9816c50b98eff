"""The names the package promises for the client resolve from the top level."""

from __future__ import annotations

import inspect

import gizmo_notebook
from gizmo_notebook.client import AsyncGizmoClient, GizmoClient


def test_every_lazily_exported_client_name_resolves():
    names = [n for n, module in gizmo_notebook._EXPORTS.items() if module == "gizmo_notebook.client"]
    assert {"GizmoClient", "AsyncGizmoClient", "Asset", "GizmoError", "DownloadError"} <= set(names)
    for name in names:
        assert getattr(gizmo_notebook, name) is getattr(gizmo_notebook.client, name)


def test_documented_signatures():
    sig = inspect.signature(GizmoClient)
    assert list(sig.parameters)[:4] == ["api_key", "base_url", "timeout", "max_retries"]
    assert (sig.parameters["timeout"].default, sig.parameters["max_retries"].default) == (30.0, 4)
    assert str(inspect.signature(GizmoClient.__init__)) == str(inspect.signature(AsyncGizmoClient.__init__)).replace(
        "Awaitable[Any]", "Any"
    ).replace("httpx.AsyncBaseTransport", "httpx.BaseTransport")


def test_sync_and_async_resources_have_the_same_surface(tmp_path):
    sync = GizmoClient(api_key="k", cache_dir=tmp_path)
    asyn = AsyncGizmoClient(api_key="k", cache_dir=tmp_path)
    for resource in ("assets", "scenes", "jobs"):
        s, a = getattr(sync, resource), getattr(asyn, resource)
        public = {n for n in dir(s) if not n.startswith("_")}
        assert public == {n for n in dir(a) if not n.startswith("_")}
        for name in public:
            assert inspect.signature(getattr(s, name)).parameters.keys() == inspect.signature(getattr(a, name)).parameters.keys()
            if name not in ("iter", "events"):
                assert inspect.iscoroutinefunction(getattr(a, name)), name
    assert {n for n in dir(sync.assets) if not n.startswith("_")} == {
        "create", "get", "list", "iter", "export", "wait", "download", "generate"
    }
    assert {n for n in dir(sync.jobs) if not n.startswith("_")} == {"get", "events", "wait", "cancel"}
    assert {"create", "add_asset", "generate", "download"} <= set(dir(sync.scenes))
    sync.close()
