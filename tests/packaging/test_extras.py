"""A core install (no extras) says which ``pip install`` a feature needs instead of a bare ImportError.

Each extra's modules are made unimportable here (``sys.modules[name] = None`` is what Python
does for a package that is not installed), and every place that imports one must then raise
:class:`~gizmo_notebook.MissingDependencyError` naming the exact command; the offline server
answers an export it cannot write with a JSON error, not a 500. The real core install is
checked in ``test_wheel.py``.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import trimesh

import gizmo_notebook as gn
from gizmo_notebook._optional import EXTRAS, MissingDependencyError, requires
from tests.local._current_api import read_events, wait_job

ROOT = Path(__file__).resolve().parents[2]


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``modules`` unimportable and forget the package modules that imported them."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)
    for name in list(sys.modules):
        if name.startswith(("gizmo_notebook.loaders.", "gizmo_notebook.sim")) and name != "gizmo_notebook.loaders._errors":
            monkeypatch.delitem(sys.modules, name)


def _check(exc: BaseException, extra: str) -> None:
    assert isinstance(exc, MissingDependencyError) and isinstance(exc, gn.GizmoError) and isinstance(exc, ImportError)
    assert f"pip install 'gizmo-notebook[{extra}]'" in str(exc), str(exc)
    assert exc.extra == extra


@pytest.mark.parametrize(
    ("extra", "module", "feature"),
    [
        ("usd", "pxr", "gizmo_notebook.loaders.usd"),
        ("mujoco", "mujoco", "gizmo_notebook.loaders.mjcf"),
        ("mujoco", "mujoco", "gizmo_notebook.sim"),
        ("urdf", "yourdfpy", "gizmo_notebook.loaders.urdf"),
    ],
)
def test_importing_a_feature_without_its_extra_names_the_install(
    monkeypatch: pytest.MonkeyPatch, extra: str, module: str, feature: str
) -> None:
    _hide(monkeypatch, module)
    with pytest.raises(MissingDependencyError) as info:
        importlib.import_module(feature)
    _check(info.value, extra)


def test_load_of_a_usd_file_without_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "robot.usda"
    path.write_text("#usda 1.0\n")
    _hide(monkeypatch, "pxr")
    from gizmo_notebook.loaders import load

    with pytest.raises(MissingDependencyError) as info:
        load(path)
    _check(info.value, "usd")


def test_simulate_without_mujoco(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "mujoco")
    monkeypatch.delitem(gn.__dict__, "simulate", raising=False)
    with pytest.raises(MissingDependencyError) as info:
        _ = gn.simulate
    _check(info.value, "mujoco")


def test_xacro_without_the_urdf_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "robot.urdf.xacro"
    path.write_text(textwrap.dedent("""\
        <?xml version="1.0"?>
        <robot name="r" xmlns:xacro="http://www.ros.org/wiki/xacro"><link name="base"/></robot>
    """))
    _hide(monkeypatch, "xacro")
    from gizmo_notebook.loaders import load

    with pytest.raises(MissingDependencyError) as info:
        load(path)
    _check(info.value, "urdf")


def test_usd_export_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from gizmo_notebook.local.exporters import export_bytes

    model = gn.load(trimesh.creation.box())
    monkeypatch.setitem(sys.modules, "pxr", None)
    with pytest.raises(MissingDependencyError) as info:
        export_bytes(model, "isaac_sim_usd")
    _check(info.value, "usd")


def test_pythreejs_renderer_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from gizmo_notebook.viewer.pythreejs_renderer import pythreejs_view

    monkeypatch.setitem(sys.modules, "pythreejs", None)
    with pytest.raises(MissingDependencyError) as info:
        pythreejs_view(gn.load(trimesh.creation.box()))
    _check(info.value, "pythreejs")
    assert "renderer='three'" in str(info.value)  # and what works without it


def test_requires_only_claims_its_own_modules() -> None:
    """A missing module that is *not* the extra's (a bug, a broken install) is not misreported."""
    with pytest.raises(ModuleNotFoundError) as info, requires("usd", "x"):
        import gizmo_notebook_no_such_module  # noqa: F401
    assert not isinstance(info.value, MissingDependencyError)
    assert set(EXTRAS) == {"mujoco", "usd", "urdf", "pythreejs", "decimate", "scipy", "textures", "booleans",
                            "collada"}


def test_pyproject_extras_match_the_helper() -> None:
    """``all`` is every feature extra, and ``lab`` / ``test`` (the README's two commands) include it."""
    import tomllib

    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(optional)
    assert optional["all"] == [f"gizmo-notebook[{','.join(EXTRAS)}]"]
    assert "gizmo-notebook[all]" in optional["lab"] and "gizmo-notebook[all]" in optional["test"]
    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for heavy in ("mujoco", "usd-core", "yourdfpy", "pythreejs", "lxml", "networkx", "scipy", "meshoptimizer", "pillow",
                  "manifold3d", "pycollada"):
        assert not any(dep.startswith(heavy) for dep in core), heavy


def _hide_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    """scipy and every submodule already imported, as a core install (no scipy) sees them."""
    for name in [n for n in sys.modules if n == "scipy" or n.startswith("scipy.")] + ["scipy"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "gizmo_notebook._loop_solver", raising=False)


def test_the_viewer_splits_creases_without_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Crease patches (a box drawn as a box) are the core install's, not the scipy extra's."""
    from gizmo_notebook.viewer.encode import encode_mesh

    mesh = trimesh.creation.cylinder(radius=0.1, height=0.3, sections=24)
    with_scipy = encode_mesh(mesh)
    _hide_scipy(monkeypatch)
    without = encode_mesh(mesh)
    assert without.parts == with_scipy.parts
    assert without.vertex_count > len(mesh.vertices)  # caps and side have their own vertices


def test_generator_mass_of_an_open_mesh_without_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    """An open mesh's mass comes from its convex hull (qhull, scipy); without scipy the bounding
    box stands in, still a physical tensor, instead of an ImportError from inside trimesh."""
    from gizmo_notebook.local.generator._builder import _unit_inertia
    from gizmo_notebook.model import Mesh

    box = trimesh.creation.box(extents=(0.2, 0.1, 0.4))
    open_mesh = trimesh.Trimesh(box.vertices + [1.0, 2.0, 3.0], box.faces[:-2], process=False)
    assert not open_mesh.is_volume
    _hide_scipy(monkeypatch)
    volume, centre, inertia = _unit_inertia(Mesh(open_mesh))
    assert volume == pytest.approx(0.2 * 0.1 * 0.4)
    assert np.allclose(centre, [1.0, 2.0, 3.0])
    assert np.all(np.linalg.eigvalsh(inertia) > 0)


def test_close_loops_without_scipy_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_scipy(monkeypatch)
    with pytest.raises(MissingDependencyError) as info:
        gn.load(trimesh.creation.box()).close_loops()
    _check(info.value, "scipy")


def test_decimating_without_the_extra_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Meshes within the budget need no simplifier; one above it says which extra brings it."""
    from gizmo_notebook.viewer.encode import encode_model

    model = gn.load(trimesh.creation.icosphere(subdivisions=4))  # 5,120 triangles
    monkeypatch.setitem(sys.modules, "meshoptimizer", None)
    meta, _ = encode_model(model)
    assert meta["triangles"]["shown"] == 5120
    with pytest.raises(MissingDependencyError) as info:
        encode_model(model, triangle_budget=1000)
    _check(info.value, "decimate")


def _envelope(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert "Traceback" not in response.text
    return response.json()


def test_alpha_server_usd_export_without_the_extra_is_a_json_error(
    local_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    with local_server.client() as client:
        asset = client.post("assets", json={"prompt": "A two-finger parallel gripper"}).json()
        deadline = time.monotonic() + 60
        while client.get(f"assets/{asset['id']}").json()["status"] != "ready" and time.monotonic() < deadline:
            time.sleep(0.05)
        monkeypatch.setitem(sys.modules, "pxr", None)
        body = _envelope(client.post(f"assets/{asset['id']}/export", json={"format": "isaac_sim_usd"}), 422)
        assert body["code"] == "EXPORT_FORMAT_UNAVAILABLE"
        assert "pip install 'gizmo-notebook[usd]'" in body["message"]
        monkeypatch.delitem(sys.modules, "pxr")
        # nothing half-written is cached: with the extra back, the same export works
        ok = client.post(f"assets/{asset['id']}/export", json={"format": "isaac_sim_usd"})
        assert ok.status_code == 200, ok.text


def test_current_server_without_extras_generates_and_says_what_export_needs(
    current_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = current_server.client()
    monkeypatch.setitem(sys.modules, "mujoco", None)
    monkeypatch.setitem(sys.modules, "pxr", None)
    response = client.post("assets", json={"prompt": "A two-finger parallel gripper"})
    assert response.status_code == 202, response.text
    events = read_events(client, response.json()["job_id"])
    job = wait_job(client, response.json()["job_id"])
    assert job["status"] == "succeeded", job  # the physics check is skipped, not fatal
    validation = next(e["data"] for e in events if e["type"] == "stage_complete" and e["data"]["stage"] == "validation")
    assert validation["physics"] == "skipped" and "gizmo-notebook[mujoco]" in validation["reason"]
    asset_id = job["result"]["asset_id"]
    body = _envelope(client.post(f"assets/{asset_id}/export", json={"format": "usd"}), 422)
    assert "pip install 'gizmo-notebook[usd]'" in body["error"]["message"], body
    assert client.post(f"assets/{asset_id}/export", json={"format": "mjcf"}).status_code == 200


def test_the_generator_needs_nothing_outside_the_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """Gripper fingers were extruded with shapely, which no extra (nor the core) installs: every
    gripper prompt failed in a core install ("No module named 'shapely'")."""
    from gizmo_notebook.local.generator import _meshes, generate

    for name in [n for n in sys.modules if n == "shapely" or n.startswith("shapely.")] + ["shapely"]:
        monkeypatch.setitem(sys.modules, name, None)
    _meshes._finger.cache_clear()  # built with shapely by an earlier test
    model = generate("a parallel gripper")
    fingers = [v.geometry for link in model.links for v in link.visuals
               if getattr(v.geometry, "name", "").startswith("finger_")]
    assert fingers and all(f.mesh.is_watertight and f.mesh.volume > 0 for f in fingers)


@pytest.fixture
def fresh_generator_meshes() -> Any:
    """The generator's mesh caches emptied before and after (a mesh built without an extra must
    not be served to later tests that have it)."""
    from gizmo_notebook.local.generator import _meshes

    caches = (_meshes._have_manifold, _meshes._housing_with_hole, _meshes._l_bracket, _meshes._finger)
    for cache in caches:
        cache.cache_clear()
    yield _meshes
    for cache in caches:
        cache.cache_clear()


def test_generator_without_manifold_builds_housings_and_brackets_without_holes(
    monkeypatch: pytest.MonkeyPatch, fresh_generator_meshes: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """manifold3d is the 'booleans' extra: a core install still generates every family; the
    bored housing and the bracket come without their holes, and the log names the install."""
    from gizmo_notebook.local.generator import generate

    _meshes = fresh_generator_meshes
    with_holes = _meshes.housing_with_hole((0.1, 0.07, 0.05), 0.015).mesh
    _meshes._housing_with_hole.cache_clear()
    monkeypatch.setitem(sys.modules, "manifold3d", None)
    _meshes._have_manifold.cache_clear()
    with caplog.at_level("INFO", logger="gizmo_notebook.local"):
        plain = _meshes.housing_with_hole((0.1, 0.07, 0.05), 0.015).mesh
        bracket = _meshes.l_bracket(0.1, 0.1, 0.1, 0.01, 0.005).mesh
        for prompt in ("a pan-tilt camera head", "a lidar sensor housing", "a camera on a bracket"):
            assert generate(prompt).links, prompt
    assert plain.is_watertight and plain.volume == pytest.approx(0.1 * 0.07 * 0.05)
    assert plain.volume > with_holes.volume  # the bore is what is missing
    assert np.allclose(plain.bounds, with_holes.bounds)
    assert np.allclose(bracket.bounds, [[0, -0.05, 0], [0.1, 0.05, 0.1]])
    assert "pip install 'gizmo-notebook[booleans]'" in caplog.text


def test_collada_without_pycollada_names_the_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """trimesh reads .dae with pycollada, which nothing installed: a core install said "cannot
    read mesh" (a LoadError) for every COLLADA mesh, of a URDF robot too."""
    (tmp_path / "part.dae").write_bytes(trimesh.creation.box().export(file_type="dae"))
    (tmp_path / "robot.urdf").write_text(
        '<robot name="r"><link name="base"><visual><geometry><mesh filename="part.dae"/></geometry></visual>'
        "</link></robot>")
    assert gn.load(tmp_path / "part.dae").links  # with pycollada
    _hide(monkeypatch, "collada")
    for path in ("part.dae", "robot.urdf"):
        with pytest.raises(MissingDependencyError) as info:
            gn.load(tmp_path / path)
        _check(info.value, "collada")
