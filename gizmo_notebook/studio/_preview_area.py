"""The Studio's preview area: one :class:`~gizmo_notebook.viewer.Viewer`, and physics for it.

The preview is the same widget ``gizmo_notebook.view`` shows, held in the Studio's synced
``preview`` trait as a child widget. So it gets the Viewer's whole transport for free: its
geometry travels as content-addressed chunk widgets (progress while they arrive, nothing sent
twice), and the notebook's saved widget state holds it, so a reopened notebook shows the
preview with no kernel. The browser draws it with the Viewer's own render function.

"Drop in physics" runs :func:`gizmo_notebook.simulate` on the previewed export file for a few
seconds on a worker thread of the Studio's loop (the kernel stays free, the Studio keeps
polling), then plays the trajectory in the preview (``viewer.play``). What went wrong (no
MuJoCo, a model MuJoCo refuses) is said in the preview area itself, in ``physics``.

Everything here runs on the Studio's loop; the traits it sets are the Studio's.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.studio._scenes import is_scene
from gizmo_notebook.studio.errors import Notice, describe
from gizmo_notebook.studio.preview import PREVIEW_TRIANGLES, GeometryCache, Loaded

if TYPE_CHECKING:
    from gizmo_notebook.sim import Trajectory
    from gizmo_notebook.studio.widget import Studio
    from gizmo_notebook.viewer import Viewer

__all__ = ["PHYSICS_SECONDS", "PREVIEW_HEIGHT", "PreviewArea"]

#: Long enough to see an arm sag, a dog stand or fall, short enough to wait for.
PHYSICS_SECONDS = 3.0
PREVIEW_HEIGHT = 380
#: Viewers kept for previews closed recently: reopening one shows it at once.
_KEEP = 4


class PreviewArea:
    def __init__(self, studio: Studio, geometry: GeometryCache) -> None:
        self._studio = studio
        self._geometry = geometry
        self._viewers: OrderedDict[str, tuple[Viewer, Loaded]] = OrderedDict()
        self._opening: asyncio.Task[Viewer] | None = None
        self._physics: asyncio.Task[Trajectory] | None = None

    def _owned(self, coro: Any) -> asyncio.Task[Any]:
        """A task the Studio's close() cancels with the rest of its work."""
        task = asyncio.ensure_future(coro)
        task._gizmo_owner = self._studio  # type: ignore[attr-defined]
        return task

    # ------------------------------------------------------------------ preview
    async def open(self, asset_id: str) -> Viewer:
        """Show ``asset_id`` in the preview area (replacing what was there); returns its Viewer."""
        if self._opening is not None and not self._opening.done():
            self._opening.cancel()  # the user picked another asset: the last click wins
        task = self._owned(self._open(asset_id))
        self._opening = task
        return await task

    async def _open(self, asset_id: str) -> Viewer:
        s = self._studio
        self._stop_physics()
        s.preview_info = {"id": asset_id, "state": "loading", "message": ""}
        try:
            asset = s._assets.get(asset_id) or await s._backend.get(asset_id)
            if str(asset.status) != "ready":
                raise InvalidValueError(f"{asset_id} is {asset.status}; previews open once it is ready")
            viewer, _ = await self._viewer(asset)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            notice = describe(exc, doing="Preview")
            if s.preview_info.get("id") == asset_id:
                s.preview = None
                s.preview_info = {"id": asset_id, "state": "error", "message": notice.text, "hint": notice.hint}
            s._notify(notice, asset_id)
            raise
        if s.preview is not None and s.preview is not viewer:
            s.preview.stop()  # a playback left running in a hidden viewer would only cost frames
        s.physics = {}
        s.preview = viewer
        s.preview_info = {"id": asset_id, "state": "ready", "message": ""}
        return viewer

    async def _viewer(self, asset: Any) -> tuple[Viewer, Loaded]:
        asset_id = str(asset.id)
        kept = self._viewers.get(asset_id)
        if kept is None:
            from gizmo_notebook.viewer import Viewer

            # a scene row previews as one composed model; an asset as the model of its export
            loaded = await (self._studio._scenes.model(asset) if is_scene(asset) else self._geometry.model(asset))
            viewer = await asyncio.to_thread(
                Viewer, loaded.model, height=PREVIEW_HEIGHT, triangle_budget=PREVIEW_TRIANGLES
            )
            # Before the Studio points at it: no view exists yet, so the page's "need" can only
            # find the worker already streaming the chunks (each its own message: progress).
            viewer._push(background=True)
            kept = (viewer, loaded)
            self._viewers[asset_id] = kept
            while len(self._viewers) > _KEEP:
                _, (old, _) = self._viewers.popitem(last=False)
                if old is not self._studio.preview:
                    old.close()
        self._viewers.move_to_end(asset_id)
        try:
            await asyncio.to_thread(kept[0]._wait_for_worker)  # its error (if any) is the preview's
        except BaseException:
            self._viewers.pop(asset_id, None)
            raise
        return kept

    def close(self) -> None:
        """Empty the preview area (the Viewer is kept a while, for a quick reopen)."""
        if self._opening is not None and not self._opening.done():
            self._opening.cancel()
        self._stop_physics()
        s = self._studio
        if s.preview is not None:
            s.preview.stop()
        s.preview = None
        s.preview_info = {}
        s.physics = {}

    def dispose(self) -> None:
        """Close every Viewer this area made (the Studio is closing)."""
        for viewer, _ in self._viewers.values():
            viewer.close()
        self._viewers.clear()

    # ------------------------------------------------------------------ physics
    async def drop_in_physics(self, seconds: float = PHYSICS_SECONDS) -> Trajectory:
        """Simulate the previewed asset for ``seconds`` and play it in the preview."""
        if self._physics is not None and not self._physics.done():
            return await asyncio.shield(self._physics)  # one run at a time: a second click joins it
        task = self._owned(self._simulate(seconds))
        self._physics = task
        return await asyncio.shield(task)

    async def _simulate(self, seconds: float) -> Trajectory:
        s = self._studio
        asset_id = str(s.preview_info.get("id") or "")
        viewer = s.preview
        kept = self._viewers.get(asset_id)
        s.physics = {"id": asset_id, "state": "running", "message": f"simulating {seconds} s…"}
        try:
            if viewer is None or kept is None or kept[0] is not viewer:
                raise InvalidValueError("Drop in physics needs an open preview: click Preview on a ready asset first")
            if not (isinstance(seconds, int | float) and 0 < seconds <= 60):
                raise InvalidValueError(f"seconds must be a number in (0, 60], got {seconds!r}")
            trajectory = await asyncio.to_thread(_simulate_file, kept[1], seconds)
            await asyncio.to_thread(viewer.play, trajectory, loop=True)
        except asyncio.CancelledError:
            if s.physics.get("id") == asset_id:
                s.physics = {}
            raise
        except Exception as exc:
            notice = _physics_notice(exc)
            if s.preview is viewer:
                s.physics = {"id": asset_id, "state": "error", "message": notice.text, "hint": notice.hint}
            raise
        if s.preview is viewer:
            frames = len(trajectory.times)
            s.physics = {"id": asset_id, "state": "playing", "seconds": float(trajectory.times[-1]),
                         "message": f"{float(trajectory.times[-1]):.1f} s of MuJoCo ({frames} steps), looping"}
        return trajectory

    def _stop_physics(self) -> None:
        if self._physics is not None and not self._physics.done():
            self._physics.cancel()
        self._physics = None


def _physics_notice(exc: BaseException) -> Notice:
    """What the preview says when physics cannot run: which install, or what MuJoCo refused."""
    from gizmo_notebook._optional import MissingDependencyError, install_command

    if isinstance(exc, MissingDependencyError):
        return Notice("error", "physics", "Drop in physics needs MuJoCo, which is not installed in this kernel.",
                      f"Run {install_command(exc.extra)}, restart the kernel and try again.")
    if isinstance(exc, InvalidValueError):
        return Notice("error", "validation", str(exc), "")
    notice = describe(exc, doing="Drop in physics")
    if notice.kind in ("validation", "internal"):
        detail = str(exc) or type(exc).__name__
        return Notice("error", "physics", f"MuJoCo could not simulate this asset: {detail}",
                      "The preview still shows the model; Export it as MJCF to look at what MuJoCo reads.")
    return notice


def _simulate_file(loaded: Loaded, seconds: float) -> Trajectory:
    """MuJoCo on the export file the preview shows (MJCF as written; others through our MJCF export)."""
    from gizmo_notebook.sim import simulate  # MissingDependencyError without the mujoco extra

    return simulate(loaded.path if loaded.path is not None else loaded.model, seconds)
