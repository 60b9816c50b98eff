"""renderer="pythreejs": renders in JupyterLab without pythreejs' "t.on is not a function" error."""

from __future__ import annotations

from _harness import cell_errors, nonblank_pixels, run_all_cells, save_artifact, wait_for_selector

MODEL = """
import trimesh, gizmo_notebook as gn
from gizmo_notebook.model import AssetModel, Box, Joint, Link, Mesh, Pose, Visual
m = AssetModel("two", links=[Link("a", visuals=[Visual(Box((0.4, 0.3, 0.2)), color=(0.8, 0.3, 0.2, 1))]),
                             Link("b", visuals=[Visual(Mesh(trimesh.creation.icosphere(3, radius=0.2)))])],
               joints=[Joint("ab", "fixed", "a", "b", origin=Pose((0, 0, 0.3)))])
"""
T_ON = "t.on is not a function"


def _canvas(server, browser, name: str, cells: list[str]):
    nb = server.write_notebook(name, [MODEL, *cells])
    page = browser.open_notebook(server, nb)
    run_all_cells(page)
    assert cell_errors(page) == []
    canvas = wait_for_selector(page, ".jp-OutputArea-output canvas")
    page.wait_for_timeout(1500)  # pythreejs draws after its models resolve; no ready signal
    return page, canvas


def test_pythreejs_renderer_renders_without_t_on_error(server, browser) -> None:
    page, canvas = _canvas(server, browser, "p3.ipynb", ["gn.view(m, renderer='pythreejs', height=300)"])
    assert nonblank_pixels(canvas, save_as="pythreejs.png") > 2000
    text = browser.console_text()
    assert T_ON not in text
    assert browser.console_errors() == []


def test_the_check_would_catch_a_directional_light(server, browser) -> None:
    """Control: pythreejs' stock DirectionalLight does log the error, so the test above can fail."""
    cell = """
import pythreejs as p3
cam = p3.PerspectiveCamera(position=(2, 2, 2))
scene = p3.Scene(children=[p3.Mesh(p3.BoxGeometry(1, 1, 1), p3.MeshStandardMaterial()), cam,
                           p3.DirectionalLight(position=(3, 5, 1), intensity=0.8)])
p3.Renderer(camera=cam, scene=scene, controls=[p3.OrbitControls(controlling=cam)], width=300, height=200)
"""
    page, canvas = _canvas(server, browser, "p3-directional.ipynb", [cell])
    save_artifact("pythreejs-directional-console.txt", browser.console_text())
    assert T_ON in browser.console_text()
