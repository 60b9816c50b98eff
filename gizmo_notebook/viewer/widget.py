"""The ``Viewer`` widget: an articulated model in three.js, posed live in the browser."""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
from ipywidgets import widget_serialization
from traitlets import Bool, Dict, Enum, Instance, Int, List, Unicode

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.model import DEFAULT_GROUPS, GROUPS, MULTI_DOF_JOINT_TYPES, AssetModel, JointPosition
from gizmo_notebook.viewer.encode import (
    DEFAULT_TRIANGLE_BUDGET,
    check_triangle_budget,
    encode_model,
    shown_triangles,
)
from gizmo_notebook.viewer.transport import (
    LOADER_ESM,
    Blob,
    Bundle,
    ChunkPacker,
    blob_for,
    bundle_ref,
    chunk_buffers,
)

__all__ = ["Viewer"]

_ids = itertools.count(1)
_DEFAULT_LAYERS = {
    "visual": True, "collision": False, "frames": False, "com": False, "inertia": False, "loops": False,
    **{f"group{g}": g in DEFAULT_GROUPS for g in GROUPS},
}
_IOPUB_FLUSH_S = 0.005
_BLOBS_EVERY = 256 * 1024


class Viewer(anywidget.AnyWidget):
    """Shows an :class:`AssetModel` with orbit controls, joint sliders and a link picker.

    The geometry goes to the browser once, as compressed binary chunks (see
    :mod:`gizmo_notebook.viewer.transport`); joint sliders pose the model in JavaScript, with
    no kernel round trip. ``joint_values`` mirrors the pose both ways: set it (or call
    :meth:`pose`) from Python, and it follows the sliders when one is released.
    """

    _esm = LOADER_ESM
    _kind = Unicode("viewer").tag(sync=True)
    _bundle = Instance(Bundle).tag(sync=True, **widget_serialization)
    _meta = Dict().tag(sync=True)
    _blobs = List(Instance(Blob)).tag(sync=True, **widget_serialization)
    _expected_triangles = Int(0).tag(sync=True)  # for progress before _meta (which comes last)
    height = Int(480).tag(sync=True)
    wireframe = Bool(False).tag(sync=True)
    joint_values = Dict().tag(sync=True)
    # what the inspect overlays show (see show()); "group<N>": the visuals of MJCF geom group N
    layers = Dict(_DEFAULT_LAYERS).tag(sync=True)
    # how the sliders' number boxes show angles (the toolbar's deg/rad toggle sets it too);
    # joint_values and pose() are always radians / metres
    units = Enum(["degrees", "radians"], "degrees").tag(sync=True)
    # playback (see play()): the track's metadata, and the chunk widgets holding its buffer
    _playback = Dict().tag(sync=True)
    _playback_blobs = List(Instance(Blob)).tag(sync=True, **widget_serialization)

    def __init__(self, model: AssetModel, *, height: int = 480,
                 triangle_budget: int = DEFAULT_TRIANGLE_BUDGET, **kwargs: Any) -> None:
        if not isinstance(model, AssetModel):
            raise TypeError(f"Viewer needs an AssetModel, got {type(model).__name__}; use gizmo_notebook.view()")
        if height < 50:
            raise InvalidValueError(f"height must be at least 50 pixels, got {height}")
        check_triangle_budget(triangle_budget)
        model.validate()  # a broken tree fails here, clearly, not after the widget is on screen
        self.model = model
        self.triangle_budget = triangle_budget
        self._pending: list[tuple[str, bytes]] | None = None  # None: not encoded yet
        self._unlisted: list[Blob] = []  # chunk widgets created (sent) but not yet listed in _blobs
        self._screenshots: dict[int, tuple[concurrent.futures.Future[bytes], Path | None]] = {}
        self._worker: threading.Thread | None = None  # encodes a decimated model off the main thread
        self._worker_error: BaseException | None = None
        self.last_screenshot: bytes | None = None
        super().__init__(_bundle=bundle_ref(), height=height, **kwargs)
        self.on_msg(self._on_custom)

    # -- transfer ---------------------------------------------------------------------
    def _encode(self, *, send: bool = False) -> None:
        """Encode the model (once); with ``send``, stream each buffer to the browser as soon
        as it is encoded. Done after the widget is displayed, so the browser loads the bundle
        and its decoder while the kernel quantizes and compresses; big meshes come in parts,
        so the first parts travel (and are decoded) while the rest is still being encoded.
        The metadata goes last: it names every buffer the view needs."""
        if self._pending is not None:
            if send:
                self._send_pending(final=True)
            return
        self._pending = []

        def on_chunk(digest: str, data: bytes) -> None:
            assert self._pending is not None
            self._pending.append((digest, data))
            if send:
                self._send_pending(final=False)

        packer = ChunkPacker(on_chunk)
        try:
            if send:
                self._expected_triangles = shown_triangles(self.model, self.triangle_budget)
            meta, buffers = encode_model(self.model, triangle_budget=self.triangle_budget, on_buffer=packer.add)
        except BaseException:
            self._pending = None  # not encoded: the next display or "need" tries again
            raise
        for entry, refs in zip(meta["buffers"], packer.close(), strict=True):
            entry["chunks"] = refs
        if send:
            self._send_pending(final=True)
        self._meta = meta

    def _send_pending(self, *, final: bool) -> None:
        """Create (send) a chunk widget for each pending chunk the page lacks. ``_blobs`` is
        what tells the view about them, so it is updated every ``_BLOBS_EVERY`` bytes rather
        than per tiny part (each update is a message and a scan in the browser), and at the end."""
        assert self._pending is not None
        known = {b.digest for b in self._blobs} | {b.digest for b in self._unlisted}
        for digest, data in self._pending:
            if digest not in known:
                self._unlisted.append(blob_for(data, digest))
                known.add(digest)
        self._pending = []
        if self._unlisted and (final or sum(len(b.value) for b in self._unlisted) >= _BLOBS_EVERY):
            self._blobs = [*self._blobs, *self._unlisted]
            self._unlisted = []

    def _push(self, *, background: bool = False) -> None:
        """Send what the page does not have yet (encoding first if needed).

        A model above the triangle budget is decimated first, which takes seconds at 10M
        triangles: that is done on a worker thread, so the cell returns and the kernel runs
        the next one meanwhile (the view shows its progress and says it is decimated).
        Below the budget the encoding stays on the main thread: it takes well under a second
        and streams its parts to the page as they come, the fastest first frame.
        ``background`` always uses the worker: for callers that are not the kernel's main
        thread (the Studio's loop), so the page's "need" (handled on the main thread) finds
        the worker running instead of encoding the same model a second time beside it.
        """
        if self._worker is not None and self._worker.is_alive():
            return  # the worker sends everything, the metadata last
        big = background or shown_triangles(self.model, 1 << 62) > self.triangle_budget
        if self._pending is None and big:
            self._worker_error = None
            self._worker = threading.Thread(target=self._encode_in_worker, name="gizmo-viewer-encode", daemon=True)
            self._worker.start()
            return
        self._encode(send=True)

    def _encode_in_worker(self) -> None:
        try:
            self._encode(send=True)
        except BaseException as exc:  # kept for .meta to re-raise: a worker has no cell to fail in
            self._worker_error = exc

    def _wait_for_worker(self) -> None:
        if self._worker is not None:
            self._worker.join()
        if self._worker_error is not None:
            raise self._worker_error

    def _ipython_display_(self) -> None:
        from IPython.display import display

        # Display first so the view exists (and shows progress) while the chunks stream in.
        bundle = self._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        display(data, metadata=metadata, raw=True)
        # Let ipykernel's IOPub thread send the display message before encoding takes the GIL
        # (meshoptimizer's binding holds it), so the browser loads the bundle meanwhile.
        time.sleep(_IOPUB_FLUSH_S)
        self._push()

    def _on_custom(self, _widget: Any, content: Mapping[str, Any], buffers: list[Any]) -> None:
        kind = content.get("type")
        if kind == "need":  # displayed without _ipython_display_ (e.g. inside a container)
            self._push()
        elif kind == "ready":  # a view has drawn: replay requests it may have missed
            for request in list(self._screenshots):
                self.send({"type": "screenshot", "id": request})
        elif kind == "screenshot":
            future, path = self._screenshots.pop(int(content.get("id", -1)), (None, None))
            if future is None or not buffers:
                return
            png = bytes(buffers[0])
            self.last_screenshot = png
            if path is not None:
                Path(path).write_bytes(png)
            future.set_result(png)

    # -- public -----------------------------------------------------------------------
    def pose(self, values: Mapping[str, JointPosition]) -> Viewer:
        """Move joints: radians / metres, clamped to the joint limits like the sliders; ball,
        floating and planar joints take several numbers (see :meth:`~gizmo_notebook.model.Joint.motion`)."""
        joints = {j.name: j for j in self.model.joints}
        unknown = sorted(set(values) - set(joints))
        if unknown:
            raise KeyError(f"unknown joint(s) {unknown}; this model's movable joints are "
                           f"{[j.name for j in self.model.movable_joints]}")
        new = dict(self.joint_values)
        for name, value in values.items():
            j = joints[name]
            if j.type in MULTI_DOF_JOINT_TYPES:
                j.motion(value)  # a value of the wrong shape fails here, saying what the joint takes
                new[name] = [float(x) for x in np.asarray(value, dtype=float).ravel()]
            else:
                new[name] = j.clamp_position(j._number(value))
        self.joint_values = new
        return self

    def show(self, *, visual: bool | None = None, collision: bool | None = None,
             frames: bool | None = None, com: bool | None = None, inertia: bool | None = None,
             loops: bool | None = None, groups: Mapping[int, bool] | None = None) -> Viewer:
        """Choose what the view draws (the toolbar's toggles do the same): the ``visual``
        shell, the ``collision`` geometry (translucent over the visual, or alone), link
        ``frames`` with joint axes and their limits (an arc for a revolute joint, a bar for a
        prismatic one), the centre of mass (``com``) of every link and of the whole model,
        as spheres sized by mass, the ``inertia`` boxes (each link's box of uniform density
        with its mass and principal moments, at its centre of mass, as MuJoCo's viewer draws
        them), and the closed kinematic ``loops`` (a line between each loop closure's two
        anchors: a dot when the loop is closed). ``groups`` turns MJCF geom groups on or off,
        e.g. ``groups={3: True}``: like MuJoCo's viewer, groups 0-2 start shown and 3-5
        hidden. Unnamed layers keep their state."""
        new = dict(self.layers)
        named = (("visual", visual), ("collision", collision), ("frames", frames), ("com", com),
                 ("inertia", inertia), ("loops", loops))
        for name, value in named:
            if value is not None:
                new[name] = _flag(name, value)
        if groups is not None:
            if not isinstance(groups, Mapping):
                raise TypeError(f"groups must map MJCF group numbers to True or False, e.g. {{3: True}}; got {groups!r}")
            for group, value in groups.items():
                if isinstance(group, bool) or group not in GROUPS:
                    raise InvalidValueError(f"groups: {group!r} is not an MJCF geom group; they are {list(GROUPS)}")
                new[f"group{group}"] = _flag(f"group {group}", value)
        self.layers = new
        return self

    def play(self, motion: Any, *, loop: bool = True, speed: float = 1.0, fps: float = 60.0) -> Viewer:
        """Animate ``motion`` in the browser: a :class:`~gizmo_notebook.sim.Trajectory`, or your
        own joint trajectory (a dict of joint name -> values with ``"times"``, or a pandas
        DataFrame with a time column or index). The link poses go to the page once, quantized
        binary resampled to ``fps`` (see :mod:`gizmo_notebook.viewer.playback`), in chunk
        widgets saved with the notebook; the timeline under the view plays, pauses, scrubs and
        changes ``speed`` with no kernel."""
        from gizmo_notebook.viewer.playback import encode_track, link_track

        if not (isinstance(speed, int | float) and speed > 0):
            raise InvalidValueError(f"speed must be a positive number, got {speed!r}")
        meta, buffer = encode_track(link_track(self.model, motion), fps=fps)
        chunks = chunk_buffers([buffer])[0]
        self._playback_blobs = [blob_for(data, digest) for digest, _, data in chunks]
        meta.update(loop=bool(loop), speed=float(speed), chunks=[{"digest": d, "size": n} for d, n, _ in chunks])
        self._playback = meta  # last: it names every chunk the page needs
        return self

    def stop(self) -> Viewer:
        """Remove the playback: the model goes back to its joint values."""
        self._playback = {}
        self._playback_blobs = []
        return self

    @property
    def playback_bytes(self) -> int:
        """Bytes of the current playback's binary track (0 without one)."""
        return sum(c["size"] for c in self._playback.get("chunks", []))

    def screenshot(self, path: str | os.PathLike[str] | None = None) -> concurrent.futures.Future[bytes]:
        """Ask the browser for a PNG of the current view.

        Returns a future resolved with the PNG bytes (also kept in ``last_screenshot`` and
        written to ``path`` if given). The kernel handles the browser's reply between cells,
        so read the result in a later cell — a cell that blocks on it would wait forever.
        """
        future: concurrent.futures.Future[bytes] = concurrent.futures.Future()
        request = next(_ids)
        self._screenshots[request] = (future, Path(path) if path is not None else None)
        self.send({"type": "screenshot", "id": request})
        return future

    @property
    def meta(self) -> dict:
        """What the browser is sent about the model (see :mod:`gizmo_notebook.viewer.encode`)."""
        self._wait_for_worker()
        self._encode()
        return self._meta

    def __repr__(self) -> str:
        if self._pending is None:
            # display() asks for repr (the text/plain fallback) before the view is sent:
            # encoding here would make the browser wait for it before loading anything
            return f"Viewer({self.model!r}, triangle_budget={self.triangle_budget})"
        t = self._meta.get("triangles", {})
        return f"Viewer({self.model!r}, triangles={t.get('shown')}{' (decimated)' if t.get('decimated') else ''})"


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)
