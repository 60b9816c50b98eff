"""Moving frames on software WebGL, in JupyterLab (js/src/viewer/quality.js).

This machine's Chromium draws with SwiftShader, as CI machines and many cloud notebooks do. A
model above the threshold gets simplified copies of its big geometries once the page is idle
after the first frame; while the view moves (an orbit here: a change every frame) frames are
drawn from them at half the pixel ratio, and once the view holds still it is drawn again in
full. What Python and the page's measurements see (``stats``) stays the full model.
"""

from __future__ import annotations

import base64
import io

from _harness import count_foreground, open_lab_notebook, pixel_difference, save_artifact
from PIL import Image
from test_viewer import READY

# 81,920 triangles in one smooth geometry: above quality.js's LOD_ABOVE (60k)
HEAVY = "import gizmo_notebook as gn, trimesh\nv = gn.view(trimesh.creation.icosphere(subdivisions=6), height=360)\nv"

# Orbit for `ticks` animation frames; each frame's quality and canvas width, and one moving
# frame's pixels (read in the frame it was drawn: the canvas does not keep its drawing buffer).
_ORBIT = """async (el, ticks) => {
  const vp = el.gizmoViewer.viewport;
  const next = () => new Promise((r) => requestAnimationFrame(r));
  const frames = [];
  let picture = null;
  for (let i = 0; i < ticks; i++) {
    vp.camera.position.applyAxisAngle(vp.camera.up, 0.05);
    vp.controls.update();
    await next();
    frames.push([vp.element.dataset.quality, vp.canvas.width]);
    if (i === Math.floor(ticks / 2)) picture = vp.canvas.toDataURL("image/png");
  }
  return { frames, picture };
}"""
_SETTLED = "el => el.gizmoViewer.viewport.element.dataset.quality === 'full'"
_COPIES_READY = "el => el.gizmoViewer.viewport.quality().lods > 0"


def _heavy_view_with_copies(server, browser, name: str):
    """The heavy view open in JupyterLab once its simplified copies exist (made when idle)."""
    page, host = open_lab_notebook(server, browser, name, [HEAVY], READY)
    page.wait_for_function(_COPIES_READY, arg=host, timeout=30_000)
    # and still: the changes of the view's first moments (layout, theme) come close enough
    # together to count as motion, so the view may be in a moving frame for a few ms here
    page.wait_for_function(_SETTLED, arg=host, timeout=5_000)
    return page, host


def test_moving_frames_are_cheaper_and_the_still_view_is_full(server, browser) -> None:
    page, host = _heavy_view_with_copies(server, browser, "viewer-quality.ipynb")
    quality = host.evaluate("el => el.gizmoViewer.viewport.quality()")
    assert quality["adaptive"] and quality["heavy"], quality
    assert quality["movingTriangles"] < -40_000, quality  # the copy draws less than half
    full_width = host.evaluate("el => el.gizmoViewer.viewport.canvas.width")

    run = host.evaluate(_ORBIT, 24)
    moving = [f for f in run["frames"] if f[0] == "moving"]
    assert len(moving) >= 20, run["frames"]  # every frame after the first of the drag
    assert all(width <= full_width // 2 + 1 for _, width in moving), run["frames"]  # half, or a third when slow
    png = base64.b64decode(run["picture"].split(",", 1)[1])
    save_artifact("viewer-quality-moving.png", png)
    width, height = Image.open(io.BytesIO(png)).size
    assert count_foreground(png) > 0.05 * width * height, "the moving frame shows the model"

    page.wait_for_function(_SETTLED, arg=host, timeout=5_000)
    assert host.evaluate("el => el.gizmoViewer.viewport.canvas.width") == full_width
    stats = host.evaluate("el => el.gizmoViewer.viewport.stats()")
    assert stats["triangles"] == 81_920, stats  # the mesh is whole outside a moving frame
    still = host.screenshot()
    save_artifact("viewer-quality-still.png", still)
    assert count_foreground(still) > 5_000


def test_the_view_draws_after_its_model_is_set_again(server, browser) -> None:
    """A new model in the same view drops the simplified copies of the old one and makes its
    own; the full geometries are shared (the page-wide cache: here every one of them) and keep
    drawing. (That disposing a copy leaves the shared vertex attributes alone is checked in
    js/test/quality.test.js: Chromium keeps a buffer a vertex-array still uses alive, so the
    picture alone would not show it.)"""
    page, host = _heavy_view_with_copies(server, browser, "viewer-quality-again.ipynb")
    canvas = host.query_selector("canvas")
    before = canvas.screenshot()
    # the same metadata again: every geometry comes from the page's cache, the copies go
    host.evaluate("async (el) => { const vp = el.gizmoViewer.viewport; await vp.setModel(vp.meta, []); }")
    page.wait_for_function(_COPIES_READY, arg=host, timeout=30_000)
    page.wait_for_function(_SETTLED, arg=host, timeout=5_000)  # a still frame, not a moving one
    host.evaluate("el => el.gizmoViewer.viewport.render()")
    after = canvas.screenshot()
    save_artifact("viewer-quality-again.png", after)
    assert count_foreground(after) > 0.8 * count_foreground(before), "the model vanished from the view"
    assert pixel_difference(before, after) < 0.02 * count_foreground(before)
    assert browser.console_errors() == []


_MATERIALS = """el => {
  const vp = el.gizmoViewer.viewport;
  const mesh = vp.linkGroup(vp.meta.links[0].name).children.find((o) => o.isMesh);
  const lines = mesh.children.find((o) => o.isLineSegments && o.visible);
  const shown = lines ?? mesh;
  return { type: shown.material.type, wireframe: !!lines, color: shown.material.color.getHexString(),
           solid: mesh.material.color.getHexString(), trianglesDrawn: mesh.layers.isEnabled(0),
           lines: lines ? lines.geometry.index.count / 2 : 0, triangles: mesh.geometry.index.count / 3 };
}"""


def test_wireframe_is_unlit_and_a_coarser_set_of_copies_follows(server, browser) -> None:
    """Wireframe is drawn unlit (lit lines cost SwiftShader several triangles each), each edge
    once, follows a highlight, and gives the solid material back; a coarse set of copies is made after the
    fine one for frames that stay slow (quality.js LOD_LEVELS)."""
    page, host = _heavy_view_with_copies(server, browser, "viewer-quality-wire.ipynb")
    page.wait_for_function("el => el.gizmoViewer.viewport.quality().levelsReady === 3", arg=host, timeout=30_000)
    quality = host.evaluate("el => el.gizmoViewer.viewport.quality()")
    assert quality["coarseLods"] >= quality["lods"] > 0, quality
    assert quality["coarseTriangles"] < quality["movingTriangles"], quality  # the coarse set draws fewer

    solid = host.evaluate(_MATERIALS)
    assert not solid["wireframe"] and solid["type"] != "MeshBasicMaterial", solid
    host.query_selector(".gz-wire").click()
    wire = host.evaluate(_MATERIALS)
    assert wire["type"] == "LineBasicMaterial" and wire["wireframe"] and not wire["trianglesDrawn"], wire
    # each edge once (three.js' own wireframe draws three lines per triangle: shared edges twice)
    assert wire["lines"] < 0.6 * 3 * wire["triangles"], wire
    # the wire has the part's colour, darkened only as far as it takes to stand out on a light page
    lum = lambda hex_: sum(w * int(hex_[i:i + 2], 16) for w, i in ((0.2126, 0), (0.7152, 2), (0.0722, 4)))  # noqa: E731
    assert lum(wire["color"]) <= lum(solid["color"]), (wire, solid)
    run = host.evaluate(_ORBIT, 12)
    assert sum(1 for q, _ in run["frames"] if q == "moving") >= 8, run["frames"]
    png = base64.b64decode(run["picture"].split(",", 1)[1])
    save_artifact("viewer-quality-wire-moving.png", png)
    width, height = Image.open(io.BytesIO(png)).size
    assert count_foreground(png) > 0.02 * width * height, "the moving wireframe shows the model"
    page.wait_for_function(_SETTLED, arg=host, timeout=5_000)
    save_artifact("viewer-quality-wire-still.png", host.screenshot())

    host.evaluate("el => el.gizmoViewer.viewport.highlightLink(el.gizmoViewer.viewport.meta.links[0].name)")
    lit = host.evaluate(_MATERIALS)
    assert lit["color"] != wire["color"] and lit["solid"] != solid["color"], lit  # the highlight reaches the wire
    host.query_selector(".gz-wire").click()
    back = host.evaluate(_MATERIALS)
    assert back["type"] == solid["type"] and not back["wireframe"] and back["trianglesDrawn"], back
    assert back["color"] == lit["solid"], "the highlight stays on the solid material"
    assert browser.console_errors() == []
