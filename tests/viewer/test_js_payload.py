"""The browser's decoder and forward kinematics (js/src/viewer) on a payload the Python encoder made.

js/test/*.test.js check the same code on hand-written parts; this one closes the loop: what
``encode_model`` writes is what decode.js reads, and kinematics.js poses the links where
``AssetModel.link_transforms`` does. Runs js/test/fixtures/payload.mjs with Node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from gizmo_notebook.model import AssetModel, Box, Cylinder, Joint, JointLimits, Link, Pose, Visual
from gizmo_notebook.viewer.encode import decode_part, encode_model

JS = Path(__file__).resolve().parents[2] / "js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (JS / "node_modules" / "three").is_dir(),
    reason="needs node and js/node_modules (cd js && npm ci)",
)


def _chain() -> AssetModel:
    """Three links, a hinge with a tilted axis and a slider: a pose moves every frame."""
    return AssetModel("chain", links=[
        Link("base", visuals=[Visual(Box((0.3, 0.3, 0.1)), color=(0.2, 0.4, 0.8, 1.0))]),
        Link("upper", visuals=[Visual(Cylinder(0.04, 0.5), origin=Pose((0, 0, 0.25)))]),
        Link("lower", visuals=[Visual(Box((0.05, 0.05, 0.3)))]),
    ], joints=[
        Joint("shoulder", "revolute", "base", "upper", origin=Pose((0, 0, 0.05), (0.1, 0, 0.3)),
              axis=(0, 0.6, 0.8), limits=JointLimits(-1.5, 1.5)),
        Joint("slide", "prismatic", "upper", "lower", origin=Pose((0.1, 0, 0.5)), axis=(1, 0, 0),
              limits=JointLimits(0.0, 0.2)),
    ])


def _run_node(tmp_path: Path, meta: dict, buffers: list[bytes], pose: dict) -> dict:
    (tmp_path / "meta.json").write_text(json.dumps({"meta": meta, "pose": pose}))
    for i, data in enumerate(buffers):
        (tmp_path / f"{i}.bin").write_bytes(data)
    out = subprocess.run([NODE, str(JS / "test" / "fixtures" / "payload.mjs"), str(tmp_path)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_decode_js_reads_what_encode_model_writes(tmp_path: Path) -> None:
    meta, buffers = encode_model(_chain())
    got = _run_node(tmp_path, meta, buffers, {})
    assert len(got["parts"]) == len(buffers) > 0
    for i, data in enumerate(buffers):
        q, index = decode_part(data)
        js = got["parts"][str(i)]
        assert np.array_equal(np.asarray(js["q"], dtype=np.int16).reshape(-1, 4), q)
        # the index codec may start a triangle at another corner (same winding): compare rotated
        def canon(flat: np.ndarray) -> list[tuple[int, ...]]:
            tris = flat.reshape(-1, 3)
            return [tuple(np.roll(t, -int(np.argmin(t)))) for t in tris]
        assert canon(np.asarray(js["index"])) == canon(index.astype(np.int64))


def test_kinematics_js_poses_links_like_the_python_model(tmp_path: Path) -> None:
    model = _chain()
    pose = {"shoulder": 0.7, "slide": 0.15}
    meta, buffers = encode_model(model)
    got = _run_node(tmp_path, meta, buffers, pose)
    want = model.link_transforms(pose)
    assert set(got["transforms"]) == set(want)
    for name, matrix in want.items():
        js = np.asarray(got["transforms"][name]).reshape(4, 4).T  # three.js arrays are column-major
        np.testing.assert_allclose(js, matrix, atol=1e-6, err_msg=name)
    # and the pose did move things: the test would notice a kinematics.js that ignores it
    assert not np.allclose(want["lower"], model.link_transforms({})["lower"])
