"""Materials in JupyterLab: a textured plate next to a plain coloured ball, drawn with the
texture's colours (top half red, bottom half blue, through the mesh's UVs) and the ball's own."""

from __future__ import annotations

import io

import numpy as np
import pytest
from _harness import (
    cell_errors,
    nonblank_pixels,
    pixel_difference,
    run_all_cells,
    save_artifact,
    set_theme,
    wait_for_selector,
)
from _static import run_and_open_offline
from PIL import Image
from test_viewer import READY

MODELS = """
import io
import numpy as np, trimesh
from PIL import Image
from gizmo_notebook.model import AssetModel, Link, Material, Mesh, Sphere, Texture, Visual, Joint, Pose
import gizmo_notebook as gn
image = Image.new("RGB", (64, 64), (0, 0, 255))
image.paste((255, 0, 0), (0, 0, 64, 32))          # top half red, bottom half blue
png = io.BytesIO(); image.save(png, format="PNG")
plate = trimesh.creation.box(extents=(0.6, 0.6, 0.02))
plate.unmerge_vertices()
plate.visual = trimesh.visual.TextureVisuals(uv=plate.vertices[:, :2] / 0.6 + 0.5)  # v = 1 at +y: red there
shown = AssetModel("materials", links=[
    Link("plate", visuals=[Visual(Mesh(plate, name="plate"),
                                  material=Material(color=(1, 1, 1, 1), texture=Texture(png.getvalue(), "halves"),
                                                    metallic=0.0, roughness=0.9))]),
    Link("ball", visuals=[Visual(Sphere(0.15), origin=Pose((0, 0, 0.2)), color=(0.1, 0.8, 0.1, 1.0))]),
], joints=[Joint("fix", "fixed", "plate", "ball", origin=Pose((0.55, 0, 0)))])
gn.view(shown, height=360)
"""


def _hue_counts(png: bytes) -> dict[str, int]:
    """Pixels whose colour is clearly red, blue or green (one channel well above the others)."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return {
        "red": int(((r > 90) & (r > 2 * g) & (r > 2 * b)).sum()),
        "blue": int(((b > 90) & (b > 2 * r) & (b > 2 * g)).sum()),
        "green": int(((g > 90) & (g > 2 * r) & (g > 2 * b)).sum()),
    }


def test_textured_and_coloured_models_in_light_and_dark(server, browser) -> None:
    nb = server.write_notebook("viewer-materials.ipynb", [MODELS])
    page = browser.open_notebook(server, nb, ui="lab")
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    # the texture reached the plate's material as an sRGB image, and the ball has none
    page.wait_for_function("""el => {
        const g = el.gizmoViewer.viewport.linkGroup('plate');
        let ok = false;
        g.traverse(o => { if (o.material && o.material.map && o.material.map.image) ok = true; });
        return ok; }""", arg=host, timeout=20_000)
    maps = host.evaluate("""el => {
        const out = {};
        for (const n of ['plate', 'ball']) el.gizmoViewer.viewport.linkGroup(n).traverse(o => {
            if (o.isMesh && !o.userData.overlay) out[n] = o.material.map ? o.material.map.colorSpace : null; });
        return out; }""")
    assert maps == {"plate": "srgb", "ball": None}
    # the plate's file gives PBR numbers: drawn PBR with them; the plain ball gets the cheaper
    # Lambert program (scene.smallMeshMaterial says why)
    kinds = host.evaluate("""el => {
        const out = {};
        for (const n of ['plate', 'ball']) el.gizmoViewer.viewport.linkGroup(n).traverse(o => {
            if (o.isMesh && !o.userData.overlay) out[n] = [o.material.type, o.material.metalness ?? null, o.material.roughness ?? null]; });
        return out; }""")
    assert kinds["plate"][0] == "MeshStandardMaterial" and kinds["plate"][1:] == [0, pytest.approx(0.9)], kinds
    assert kinds["ball"] == ["MeshLambertMaterial", None, None], kinds
    page.wait_for_timeout(400)
    canvas = host.query_selector("canvas")
    for theme, name in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        set_theme(page, theme)
        page.wait_for_timeout(400)
        shot = canvas.screenshot()
        save_artifact(f"viewer-materials-{name}.png", host.screenshot())
        hues = _hue_counts(shot)
        # both halves of the texture show (so the UVs place it), and the ball keeps its green
        assert hues["red"] > 400 and hues["blue"] > 400 and hues["green"] > 400, (name, hues)
    assert browser.console_errors() == []


def test_exported_html_shows_the_texture_without_a_kernel(server, browser) -> None:
    """The image travels in the saved widget state like the geometry: a page with no kernel
    draws the texture."""
    nb_path = server.write_notebook("materials-static.ipynb", [MODELS])
    page = run_and_open_offline(server, browser, nb_path)
    host = wait_for_selector(page, READY, timeout=60)
    page.wait_for_timeout(500)
    shot = host.query_selector("canvas").screenshot()
    save_artifact("viewer-materials-static.png", shot)
    hues = _hue_counts(shot)
    assert hues["red"] > 400 and hues["blue"] > 400 and hues["green"] > 400, hues
    assert browser.console_errors() == []



SIDES = """
import numpy as np, trimesh
from gizmo_notebook.model import AssetModel, Link, Mesh, Visual, Joint, Pose
import gizmo_notebook as gn
ball = trimesh.creation.icosphere(subdivisions=7, radius=0.2)  # 327,680 triangles: a big mesh
cut = trimesh.Trimesh(ball.vertices, ball.faces[ball.triangles_center[:, 2] < 0.15], process=False)  # a cap off: open
box = trimesh.creation.box(extents=(0.3, 0.3, 0.3))
sides = AssetModel("sides", links=[
    Link("ball", visuals=[Visual(Mesh(ball, name="ball"), color=(0.1, 0.8, 0.1, 1.0))]),
    Link("cut", visuals=[Visual(Mesh(cut, name="cut"), color=(0.8, 0.5, 0.2, 1.0))]),
    Link("box", visuals=[Visual(Mesh(box, name="box"), color=(0.2, 0.4, 0.8, 1.0))]),
], joints=[Joint("a", "fixed", "ball", "cut", origin=Pose((0.5, 0, 0))),
           Joint("b", "fixed", "ball", "box", origin=Pose((-0.5, 0, 0)))])
gn.view(sides, height=360)
"""


def test_a_closed_big_mesh_culls_its_back_faces_and_looks_the_same(server, browser) -> None:
    """A big mesh the kernel found closed (every edge meets its reverse, wound outward) is drawn
    front side only, which costs SwiftShader less per frame; an open one keeps both sides, so
    its inside shows through the hole; small meshes stay double-sided (scene.visualMaterial
    says why); and culling changes no pixel of the picture."""
    nb = server.write_notebook("viewer-sides.ipynb", [SIDES])
    page = browser.open_notebook(server, nb, ui="lab")
    run_all_cells(page)
    assert cell_errors(page) == []
    host = wait_for_selector(page, READY)
    sides = host.evaluate("""el => {
        const out = {};
        for (const n of ['ball', 'cut', 'box']) el.gizmoViewer.viewport.linkGroup(n).traverse(o => {
            if (o.isMesh && !o.userData.overlay) (out[n] ??= new Set()).add(o.material.side); });
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]])); }""")
    front, double = 0, 2  # THREE.FrontSide, THREE.DoubleSide
    assert sides == {"ball": [front], "cut": [double], "box": [double]}, sides
    canvas = host.query_selector("canvas")
    page.wait_for_timeout(400)
    assert nonblank_pixels(canvas, save_as="viewer-sides.png") > 2000  # something drawn to compare
    culled = canvas.screenshot()
    host.evaluate("""el => {
        el.gizmoViewer.viewport.linkGroup('ball').traverse(o => { if (o.isMesh) { o.material.side = 2; o.material.needsUpdate = true; } });
        el.gizmoViewer.viewport.requestRender(); }""")
    page.wait_for_timeout(1500)
    both = canvas.screenshot()
    assert pixel_difference(culled, both, tolerance=4) < 20
    assert browser.console_errors() == []
