"""The Studio widget: prompt box, live asset list, previews, exports, lineage and batches.

Threading model (see :mod:`gizmo_notebook.studio._runtime`): every network call and every
change to the synced state happens on the Studio's private asyncio loop. Messages from the
browser arrive on the kernel's main thread and are handed to that loop at once, so the
kernel is never blocked by the Studio and the Studio is never blocked by a cell.

What is synced to the browser is listed in the traits below and nothing else: asset
metadata, filters, notices, progress. The client and its API key live only in
``self._adapter``; there is no trait, message or saved state that carries them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import datetime as _dt
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import anywidget
import traitlets
from ipywidgets import widget_serialization

from gizmo_notebook.client._formats import ALL_FORMATS
from gizmo_notebook.client._records import Interpretation
from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.formats import EXPORT_FORMATS
from gizmo_notebook.studio import _runtime
from gizmo_notebook.studio._client_adapter import ClientAdapter
from gizmo_notebook.studio._jobs import JobFollower
from gizmo_notebook.studio._listing import Listing
from gizmo_notebook.studio._preview_area import PHYSICS_SECONDS, PreviewArea
from gizmo_notebook.studio._protocol import FORMAT_LABELS, GENERATE_MODES
from gizmo_notebook.studio._scenes import SceneRows, is_scene
from gizmo_notebook.studio._service import job_of, retry_delay
from gizmo_notebook.studio.errors import Notice, describe
from gizmo_notebook.studio.lineage import LineageStore, parent_from_tags, parent_tag, user_tags
from gizmo_notebook.studio.poller import SERVICE_MIN_INTERVAL, StatusPoller
from gizmo_notebook.studio.preview import PREVIEW_TRIANGLES, THUMB_TRIANGLES, GeometryCache
from gizmo_notebook.viewer import Viewer
from gizmo_notebook.viewer.transport import LOADER_ESM, Bundle, bundle_ref

log = logging.getLogger(__name__)

_TERMINAL = frozenset({"ready", "failed", "cancelled"})
MAX_PROMPT_CHARS = 4000
MAX_BATCH = 50
BATCH_ATTEMPTS = 6  # per prompt, on top of the client's own retries
_default_client: Any = None


def default_client() -> Any:
    """One shared client per kernel: with no API key it starts one embedded local server, not one per Studio."""
    global _default_client
    if _default_client is None:
        from gizmo_notebook.client import AsyncGizmoClient

        _default_client = AsyncGizmoClient()
    return _default_client


def parse_tags(tags: str | Sequence[str] | None) -> list[str]:
    """``"a, b"`` or ``["a", "b"]`` -> ``["a", "b"]`` (trimmed, empty and duplicate tags dropped)."""
    if tags is None:
        return []
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    out: list[str] = []
    for tag in items:
        if not isinstance(tag, str):
            raise InvalidValueError(f"tags must be strings, got {tag!r}")
        tag = tag.strip()
        if tag and tag not in out:
            out.append(tag)
    return out


def check_prompt(prompt: object) -> str:
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidValueError("the prompt is empty: describe the asset to generate, e.g. 'a 2-link arm'")
    prompt = prompt.strip()
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidValueError(f"the prompt is {len(prompt)} characters; keep it under {MAX_PROMPT_CHARS}")
    return prompt


def _iso(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.isoformat()
    return str(value or "")


def filter_items(items: list[dict[str, Any]], status: str, tag: str, search: str) -> list[str]:
    """Ids of ``items`` matching a status, a tag and a case-insensitive text search."""
    needle = search.strip().lower()
    out = []
    for item in items:
        if status and item["status"] != status:
            continue
        if tag and tag not in item["tags"]:
            continue
        haystack = [str(item.get(k) or "").lower() for k in ("name", "prompt", "id")] + [t.lower() for t in item["tags"]]
        if needle and not any(needle in text for text in haystack):
            continue
        out.append(item["id"])
    return out


class Studio(anywidget.AnyWidget):
    """Generate, watch, preview, compare and export Gizmo assets without leaving the notebook.

    ``Studio(client=None)``: with no client, the default one is used (the ``GIZMO_API_KEY``
    service, or the embedded offline backend when there is no key). Python API:
    :meth:`generate`, :attr:`assets`, :attr:`selected`, :meth:`on_ready`.
    """

    # The ~1 kB loader, not the ~0.6 MB bundle: the bundle travels once per kernel in the
    # Bundle model every gizmo widget (Viewer included) points at, so a notebook with many
    # Studios (or a %%gizmo cell per prompt) does not carry a copy per output.
    _esm = LOADER_ESM
    _bundle = traitlets.Instance(Bundle).tag(sync=True, **widget_serialization)
    _kind = traitlets.Unicode("studio").tag(sync=True)
    mode = traitlets.Unicode("studio").tag(sync=True)  # "studio", or "job" for a %%gizmo cell
    focus = traitlets.Unicode("").tag(sync=True)  # job mode: the asset the cell generated
    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    visible = traitlets.List(traitlets.Unicode()).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    listed = traitlets.Bool(False).tag(sync=True)  # the asset list has loaded at least once
    has_more = traitlets.Bool(False).tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)
    filter_status = traitlets.Unicode("").tag(sync=True)
    filter_tag = traitlets.Unicode("").tag(sync=True)
    search = traitlets.Unicode("").tag(sync=True)
    tag_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    selected = traitlets.List(traitlets.Unicode()).tag(sync=True)
    notices = traitlets.List(traitlets.Dict()).tag(sync=True)
    generating = traitlets.Int(0).tag(sync=True)
    batch = traitlets.Dict().tag(sync=True)
    polling = traitlets.Bool(False).tag(sync=True)
    poll_interval = traitlets.Float(5.0).tag(sync=True)
    backend_label = traitlets.Unicode("").tag(sync=True)
    formats = traitlets.List(traitlets.Unicode(), default_value=list(EXPORT_FORMATS)).tag(sync=True)
    exports = traitlets.Dict().tag(sync=True)  # asset id -> {format: absolute path of the export}
    # {limit, remaining, reset} from the service's X-RateLimit-* headers; empty when it sends none.
    rate_limit = traitlets.Dict().tag(sync=True)
    # The form's asset / scene switch: {"available", "reason", "checked"}; scenes need the current API.
    scene_mode = traitlets.Dict({"available": False, "reason": "Checking which Gizmo API the service speaks…"}).tag(
        sync=True
    )
    # The preview area: a child Viewer (chunked geometry, progress, saved with the notebook),
    # which asset it shows and how far it got ({id, state: loading|ready|error, message, hint}),
    # and Drop in physics ({id, state: running|playing|error, message, hint}).
    preview = traitlets.Instance(Viewer, allow_none=True).tag(sync=True, **widget_serialization)
    preview_info = traitlets.Dict().tag(sync=True)
    physics = traitlets.Dict().tag(sync=True)

    # Closed until __init__ has made every part close() stops: ipywidgets' __del__ calls close()
    # on a Studio whose __init__ raised part-way too, and there is nothing of ours to stop then.
    _closed = True

    def __init__(
        self,
        client: Any = None,
        *,
        poll_interval: float | None = None,
        page_size: int = 20,
        export_dir: str | Path = "gizmo-exports",
        lineage: LineageStore | None = None,
        batch_concurrency: int = 4,
        _mode: str = "studio",
        _load: bool = True,
    ) -> None:
        adapter = ClientAdapter(client if client is not None else default_client())
        if poll_interval is None:
            poll_interval = 1.0 if adapter.is_local else SERVICE_MIN_INTERVAL
        poll_interval = _positive_seconds(poll_interval)
        if not adapter.is_local:
            # The API docs ask for at least 5 s between status polls; never go faster against it.
            poll_interval = max(float(poll_interval), SERVICE_MIN_INTERVAL)
        if not 1 <= page_size <= 100:
            raise InvalidValueError("page_size must be between 1 and 100 (the API's limit)")
        label = "offline local backend" if adapter.is_local else _host(adapter.base_url)
        super().__init__(_bundle=bundle_ref(), mode=_mode, poll_interval=float(poll_interval), backend_label=label)
        self._adapter = adapter
        self._page_size = page_size
        self._export_dir = Path(export_dir)
        self._lineage = lineage or LineageStore()
        self._batch_concurrency = max(1, batch_concurrency)
        self._assets: dict[str, Any] = {}  # id -> client Asset, the Python-side truth
        self._export_paths: dict[tuple[str, str], Path] = {}  # (id, format) -> file or folder on disk
        self._started: dict[str, float] = {}
        self._ready_callbacks: list[Callable[[Any], Any]] = []
        self._tasks: set[concurrent.futures.Future[Any]] = set()
        self._listing = Listing(adapter)  # shared with the poller: one reader of GET /assets
        self._next_offset = 0  # newest-first paging: the next offset to load
        self._low_offset = 0  # oldest-first paging: the lowest offset loaded so far
        self._geometry = GeometryCache(adapter)
        self._preview_area = PreviewArea(self, self._geometry)
        self._jobs = JobFollower(self)  # current API: one live follower per running job
        self._scenes = SceneRows(self)  # current API: scene mode (one prompt -> one scene row)
        self._poller = StatusPoller(
            adapter,
            interval=self.poll_interval,
            min_interval=0.0 if adapter.is_local else SERVICE_MIN_INTERVAL,
            on_update=self._apply_updates,
            on_error=self._poll_failed,
            on_idle=self._poll_idle,
            listing=self._listing,
        )
        self._closed = False  # from here on close() has every part it stops
        self.on_msg(self._on_frontend_msg)
        self.observe(self._filters_changed, names=["filter_status", "filter_tag", "search"])
        if _load:
            self._spawn(self._load_page(more=False))

    # ------------------------------------------------------------------ Python API
    @property
    def assets(self) -> list[Any]:
        """The loaded assets (client ``Asset`` objects), newest first."""
        order = [item["id"] for item in self.items]
        return [self._assets[i] for i in order if i in self._assets and not is_scene(self._assets[i])]

    @property
    def scenes(self) -> list[Any]:
        """The scenes generated in scene mode (client ``Scene`` objects), newest first."""
        order = [item["id"] for item in self.items]
        return [self._assets[i] for i in order if i in self._assets and is_scene(self._assets[i])]

    def generate_scene(self, prompt: str) -> Any:
        """Scene mode (current API): start building a whole scene from ``prompt``; returns its
        placeholder row's object at once (keyed by the job id; ``asset_id(job)`` names the scene
        once ready). On the alpha API raises ``UnsupportedByAPIVersionError`` (see :attr:`scene_mode`)."""
        return _runtime.run_sync(self._generate_scene(prompt, raise_errors=True), timeout=120)

    def generate(
        self, prompt: str, name: str | None = None, tags: str | Sequence[str] | None = None, *, parent: str | None = None
    ) -> Any:
        """Start generating ``prompt``; returns the new (pending) Asset at once. Status updates arrive live."""
        return _runtime.run_sync(self._generate(prompt, name, tags, parent, raise_errors=True), timeout=120)

    async def agenerate(
        self, prompt: str, name: str | None = None, tags: str | Sequence[str] | None = None, *, parent: str | None = None
    ) -> Any:
        """:meth:`generate` for coroutines (any loop, including the Studio's own)."""
        coro = self._generate(prompt, name, tags, parent, raise_errors=True)
        if _runtime.in_loop_thread():
            return await coro
        return await asyncio.wrap_future(_runtime.submit(coro))

    def generate_batch(self, prompts: Sequence[str], tags: str | Sequence[str] | None = None) -> list[Any]:
        """Generate several prompts concurrently (within the rate limit); returns the created assets."""
        return _runtime.run_sync(self._batch(list(prompts), tags), timeout=600)

    def on_ready(self, callback: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Call ``callback(asset)`` whenever an asset becomes ready (usable as a decorator).

        Callbacks run on the Studio's background thread; keep them short, and use
        ``await studio.agenerate(...)`` rather than ``generate`` inside them.
        """
        self._ready_callbacks.append(callback)
        return callback

    def refresh(self, wait: bool = True) -> None:
        """Reload the first page of the asset list from the server."""
        fut = self._spawn(self._load_page(more=False))
        if wait and not _runtime.in_loop_thread():
            fut.result(60)

    def load_more(self) -> None:
        self._spawn(self._load_page(more=True)).result(60)

    def asset_id(self, id: str) -> str:
        """The asset id behind ``id``: on the current API ``generate()`` returns a placeholder keyed
        by its job, and the row becomes the asset when the job succeeds; any other id is returned as is."""
        return self._jobs.assets.get(id, id)

    def export(self, asset_id: str, format: str) -> Path:
        """Download ``asset_id`` as ``format`` into the export dir; returns the file's path."""
        return _runtime.run_sync(self._export(self.asset_id(asset_id), format, raise_errors=True), timeout=300)

    def open_preview(self, asset_id: str) -> Viewer:
        """Show a ready asset in the preview area (what its Preview button does); returns the Viewer."""
        return _runtime.run_sync(self._preview_area.open(self.asset_id(asset_id)), timeout=600)

    def close_preview(self) -> None:
        """Empty the preview area."""
        _runtime.run_sync(_call(self._preview_area.close), timeout=30)

    def drop_in_physics(self, seconds: float = PHYSICS_SECONDS) -> Any:
        """Simulate the previewed asset with MuJoCo for ``seconds`` and play it in the preview
        (the "Drop in physics" button); returns the :class:`~gizmo_notebook.sim.Trajectory`.
        Runs on the Studio's worker thread; from a cell, this call waits for it."""
        return _runtime.run_sync(self._preview_area.drop_in_physics(seconds), timeout=600)

    def cancel(self, job_id: str) -> None:
        """Cancel a running generation (current API: the row's ``job``); the row then shows ``cancelled``."""
        _runtime.run_sync(self._jobs.cancel(job_id), timeout=60)

    def lineage(self, asset_id: str) -> list[str]:
        """Ancestor ids of ``asset_id``, nearest first."""
        tags: dict[str, Sequence[str]] = {i: list(getattr(a, "tags", None) or []) for i, a in self._assets.items()}
        return self._lineage.chain(self.asset_id(asset_id), tags)

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Block until nothing is pending (handy in scripts and tests; cells need not call it)."""
        async def _idle() -> None:
            while self._poller.pending or self.generating or self._jobs.running:
                await asyncio.sleep(0.05)

        _runtime.run_sync(asyncio.wait_for(_idle(), timeout), timeout=timeout + 5)

    def close(self) -> None:
        """Stop the poller and any in-flight work, then close the comm; leaves no task behind."""
        if not self._closed:
            self._closed = True
            for fut in list(self._tasks):
                fut.cancel()
            if _runtime.in_loop_thread():
                asyncio.get_running_loop().create_task(self._poller.stop())
            else:
                with contextlib.suppress(Exception):
                    _runtime.run_sync(self._shutdown(), timeout=10)
            self._preview_area.dispose()
        super().close()

    async def _shutdown(self) -> None:
        await self._poller.stop()
        me = asyncio.current_task()
        mine = [t for t in asyncio.all_tasks() if t is not me and getattr(t, "_gizmo_owner", None) is self]
        for t in mine:
            t.cancel()
        if mine:
            await asyncio.gather(*mine, return_exceptions=True)

    def __repr__(self) -> str:
        return f"<Studio {self.backend_label}: {len(self.items)} assets, {len(self._poller.pending)} pending>"

    # ------------------------------------------------------------------ plumbing
    def _spawn(self, coro: Any) -> concurrent.futures.Future[Any]:
        async def _owned() -> Any:
            task = asyncio.current_task()
            if task is not None:
                task._gizmo_owner = self  # type: ignore[attr-defined]
            return await coro

        fut = _runtime.submit(_owned())
        self._tasks.add(fut)
        fut.add_done_callback(self._tasks.discard)
        return fut

    def _notify(self, notice: Notice, asset_id: str | None = None) -> None:
        entry = notice.to_json() | {"asset": asset_id or "", "at": _dt.datetime.now(_dt.timezone.utc).isoformat()}
        kept = [n for n in self.notices if n["kind"] != notice.kind or n.get("asset") != entry["asset"]]
        self.notices = (kept + [entry])[-6:]

    def _note_rate_limit(self) -> None:
        """Mirror the client's ``rate_limit`` (latest X-RateLimit-* headers) into the synced trait."""
        seen = self._adapter.rate_limit
        if seen is None:
            return
        reset = seen.reset.isoformat() if seen.reset is not None else ""
        self.rate_limit = {"limit": seen.limit, "remaining": seen.remaining, "reset": reset}

    def _clear_notices(self, *kinds: str) -> None:
        if any(n["kind"] in kinds for n in self.notices):
            self.notices = [n for n in self.notices if n["kind"] not in kinds]

    def _item(self, asset: Any) -> dict[str, Any]:
        if is_scene(asset):
            return self._scenes.item(asset)
        tags = list(getattr(asset, "tags", None) or [])
        parent = parent_from_tags(tags) or self._lineage.get(asset.id)
        parent = self._jobs.assets.get(parent, parent) if parent else parent
        return {
            "id": asset.id,
            "kind": "scene" if asset.id in self._scenes.jobs else "asset",  # a scene job's placeholder
            "name": asset.name or "",
            "prompt": asset.prompt or "",
            "tags": user_tags(tags),
            "parent": parent or "",
            "status": str(asset.status),
            "created_at": _iso(asset.created_at),
            "formats": list(getattr(asset, "formats_available", None) or []),
            # failed rows show why, and Retry needs nothing else than the item and the asset
            "failure_reason": (getattr(asset, "failure_reason", None) or "") if str(asset.status) == "failed" else "",
            "interpretation": _interpretation(asset),
            # Current API: the job behind a running row, and its live stage ("articulation 3/4").
            "job": job_of(asset) or "",
            "stage": self._jobs.stages.get(asset.id, ""),
        }

    def _upsert(self, assets: Sequence[Any], *, front: bool = False) -> list[tuple[str, str]]:
        """Merge assets into the list; returns (id, new status) for those whose status changed.

        The list is sorted newest first; the sort is stable, so assets created within the same
        second keep the server's order (new ones go in ``front`` of equal timestamps).
        """
        changed = []
        by_id = {item["id"]: item for item in self.items}
        if front:
            fresh: dict[str, dict[str, Any]] = {a.id: {} for a in assets if a.id not in by_id}
            by_id = {**fresh, **by_id}
        for asset in assets:
            old = self._assets.get(asset.id)
            if old is not None and str(old.status) != str(asset.status) or old is None:
                changed.append((asset.id, str(asset.status)))
            self._assets[asset.id] = asset
            by_id[asset.id] = self._item(asset)
        items = sorted(by_id.values(), key=lambda i: i["created_at"], reverse=True)
        self.items = items
        self.tag_options = sorted({t for i in items for t in i["tags"]})
        self._refresh_visible()
        return changed

    def _refresh_visible(self) -> None:
        self.visible = filter_items(self.items, self.filter_status, self.filter_tag, self.search)

    def _filters_changed(self, change: Any) -> None:
        _runtime.call_soon(self._refresh_visible)

    # ------------------------------------------------------------------ list loading
    async def _load_page(self, more: bool) -> None:
        self.loading = True
        try:
            size = self._page_size
            if not more:
                page, self._low_offset = await self._listing.newest(size)
                self._next_offset = len(page.assets)
            elif self._listing.newest_first is False:
                offset = max(0, self._low_offset - size)
                page = await self._listing.page(self._low_offset - offset, offset) if self._low_offset else None
                self._low_offset = offset
            else:
                page = await self._listing.page(size, self._next_offset)
                self._next_offset += len(page.assets)
            if not more:
                self._jobs.resume()  # current API: jobs an earlier Studio left running
                if "checked" not in self.scene_mode:  # once: the contract never changes
                    self.scene_mode = {**await self._scenes.support(), "checked": True}
            if page is not None:
                self.total = int(page.total)
                self.listed = True
                changed = self._upsert(page.assets)
                running = [i for i, s in changed if s not in _TERMINAL]
                for asset_id in running:
                    self._started.setdefault(asset_id, asyncio.get_running_loop().time())
                if running:
                    self._poller.track(running)
                    self.polling = True
            if self._listing.newest_first is False:
                self.has_more = self._low_offset > 0
            else:
                self.has_more = self._next_offset < self.total
            self._clear_notices("network", "auth")
            if not more and self.scene_mode.get("available"):
                await self._list_scenes(size)  # after the assets (and after clearing: its notice stays)
        except Exception as exc:  # noqa: BLE001 - shown inline, the widget stays usable
            self._notify(describe(exc, doing="loading the asset list"))
        finally:
            self.loading = False
            self._note_rate_limit()

    async def _list_scenes(self, size: int) -> None:
        """The ready scenes beside the assets (current API). After the assets, and with its own
        notice: a scene list that fails loses no asset row and is not called an asset-list failure."""
        try:
            self._upsert(await self._scenes.listed(size))
        except Exception as exc:  # noqa: BLE001 - shown inline, the widget stays usable
            self._notify(describe(exc, doing="listing the scenes"))

    # ------------------------------------------------------------------ generate
    async def _generate(
        self,
        prompt: Any,
        name: Any,
        tags: Any,
        parent: Any,
        *,
        raise_errors: bool = False,
        batch: bool = False,
    ) -> Any:
        try:
            prompt = check_prompt(prompt)
            tag_list = parse_tags(tags)
            name = (name or "").strip() if isinstance(name, str) or name is None else str(name)
            parent = parent or None
            if parent is not None:
                parent = self._jobs.assets.get(parent, parent)  # a finished job's row is its asset now
                tag_list = [t for t in tag_list if t != parent_tag(parent)]
                if parent not in self._jobs.running:
                    # A running job is no asset yet: a tag naming it would outlive it on a server
                    # that keeps tags; the lineage file records the job's asset once there is one.
                    tag_list.append(parent_tag(parent))
        except ValueError as exc:
            self._notify(describe(exc, doing="Generate"))
            if raise_errors:
                raise
            return None
        self.generating += 1
        try:
            asset = await self._adapter.create(prompt, name or None, tag_list or None)
        except Exception as exc:  # noqa: BLE001
            if not batch:
                self._notify(describe(exc, doing="Generate"))
            if raise_errors:
                raise
            return None
        finally:
            self.generating -= 1
        if job_of(asset) is not None and asset.created_at is None:
            # The current API's placeholder has no timestamp yet; "now" keeps it at the top of the list.
            asset = dataclasses.replace(asset, created_at=_dt.datetime.now(_dt.timezone.utc))
        if parent is not None and job_of(asset) is None:  # a job's lineage is recorded for its asset
            self._lineage.record(asset.id, parent)
        self._clear_notices("validation", "network", "auth", "credits")
        self._started[asset.id] = asyncio.get_running_loop().time()
        if self._listing.newest_first is not False:
            self._next_offset += 1  # the new asset shifted every older one down by one
        self.total += 1
        self._upsert([asset], front=True)
        self._note_rate_limit()
        if job_of(asset) is not None:
            self._jobs.start(asset.id, parent)  # current API: follow the job's events, not the asset list
        elif str(asset.status) not in _TERMINAL:
            self._poller.track([asset.id])
            self.polling = True
        else:
            await self._settled([(asset.id, str(asset.status))])
        return asset

    async def _generate_scene(self, prompt: Any, *, raise_errors: bool = False) -> Any:
        self.generating += 1
        try:
            created = await self._scenes.generate(check_prompt(prompt))
        except Exception as exc:  # noqa: BLE001 - shown inline (alpha: why scenes are unavailable)
            self._notify(describe(exc, doing="Generate scene"))
            if raise_errors:
                raise
            return None
        finally:
            self.generating -= 1
        self._clear_notices("validation", "network", "auth", "credits")
        self._note_rate_limit()
        return created

    async def _batch(self, prompts: list[Any], tags: Any) -> list[Any]:
        cleaned = [p.strip() for p in prompts if isinstance(p, str) and p.strip()]
        if not cleaned:
            self._notify(describe(ValueError("the batch is empty: put one prompt per line"), doing="Batch"))
            return []
        if len(cleaned) > MAX_BATCH:
            self._notify(describe(ValueError(f"a batch takes at most {MAX_BATCH} prompts, got {len(cleaned)}"), doing="Batch"))
            return []
        import gizmo_notebook.client as _client

        progress: dict[str, Any] = {"total": len(cleaned), "submitted": 0, "failed": 0, "ids": [], "running": True}
        self.batch = dict(progress)
        gate = asyncio.Semaphore(self._batch_concurrency)
        created: list[Any] = []
        stopped: list[BaseException] = []  # a failure no later prompt can avoid (402, 401) ends the batch
        policy = self._adapter.retry_policy

        async def one(prompt: str) -> None:
            # The client already paces by X-RateLimit-Remaining and retries 429s itself; what
            # still escapes is retried here by the same policy, until it says stop.
            attempt = 0
            while not stopped:
                async with gate:
                    if stopped:
                        break
                    try:
                        asset = await self._generate(prompt, None, tags, None, raise_errors=True, batch=True)
                    except Exception as exc:  # noqa: BLE001 - reported inline below
                        wait = retry_delay(policy, attempt, exc) if attempt < BATCH_ATTEMPTS else None
                        if wait is None:
                            if isinstance(exc, (_client.InsufficientCreditsError, _client.AuthenticationError)):
                                stopped.append(exc)
                                self._notify(describe(exc, doing="Batch (the remaining prompts were not sent)"))
                            else:
                                self._notify(describe(exc, doing=f"Batch prompt {prompt[:40]!r}"))
                            break
                    else:
                        created.append(asset)
                        progress["submitted"] += 1
                        progress["ids"] = progress["ids"] + [asset.id]
                        self.batch = dict(progress)
                        return
                attempt += 1
                await asyncio.sleep(wait)  # back off outside the gate so others may proceed
            progress["failed"] += 1
            self.batch = dict(progress)

        await asyncio.gather(*(one(p) for p in cleaned))
        progress["running"] = False
        self.batch = dict(progress)
        return created

    # ------------------------------------------------------------------ polling callbacks
    async def _apply_updates(self, assets: list[Any]) -> None:
        if self._closed:
            return
        self._clear_notices("network", "rate_limit", "api", "internal")
        self._note_rate_limit()
        changed = self._upsert(assets)
        await self._settled([(i, s) for i, s in changed if s in _TERMINAL])

    async def _settled(self, changed: list[tuple[str, str]]) -> None:
        for asset_id, status in changed:
            asset = self._assets[asset_id]
            if status == "failed":
                reason = getattr(asset, "failure_reason", None) or "the service gave no reason"
                self._notify(
                    Notice(
                        "error",
                        "failed",
                        f"Generation of {asset.name or asset_id!r} failed: {reason}.",
                        "Rephrase the prompt (be specific about links, joints and size): Iterate pre-fills it; "
                        "or Retry it as it is.",
                    ),
                    asset_id,
                )
            elif status == "ready":
                for callback in list(self._ready_callbacks):
                    try:
                        result = callback(asset)
                        if asyncio.iscoroutine(result):
                            await result
                    except Exception as exc:  # noqa: BLE001 - a user callback must not kill the poller
                        self._notify(describe(exc, doing="on_ready callback"))

    async def _poll_failed(self, exc: BaseException) -> None:
        notice = describe(exc, doing="checking status")
        if notice.kind == "auth":
            self.polling = False
            notice = Notice(notice.level, notice.kind, notice.text + " Status checks are paused.", notice.hint)
        elif notice.kind in ("network", "rate_limit"):
            notice = Notice(notice.level, notice.kind, notice.text, notice.hint + f" Next check in {self._poller.delay:.0f} s.")
        self._notify(notice)

    async def _poll_idle(self) -> None:
        self.polling = False

    # ------------------------------------------------------------------ export & geometry
    @overload
    async def _export(self, asset_id: str, fmt: str, *, raise_errors: Literal[True]) -> Path: ...

    @overload
    async def _export(self, asset_id: str, fmt: str, *, raise_errors: bool = False) -> Path | None: ...

    async def _export(self, asset_id: str, fmt: str, *, raise_errors: bool = False) -> Path | None:
        try:
            if fmt not in ALL_FORMATS:  # either contract's names: a current-API row offers mjcf / usd / sdf
                raise InvalidValueError(f"unknown export format {fmt!r}: pick one of {', '.join(EXPORT_FORMATS)}")
            dest = self._export_dir / asset_id
            dest.mkdir(parents=True, exist_ok=True)
            if is_scene(self._assets.get(asset_id)):
                path = await self._scenes.export(asset_id, fmt, dest)
            else:
                path = await self._adapter.download(asset_id, fmt, dest)
        except Exception as exc:  # noqa: BLE001
            self._notify(describe(exc, doing=f"Export {FORMAT_LABELS.get(fmt, fmt)}"), asset_id)
            if raise_errors:
                raise
            return None
        # Absolute: the kernel's working folder is not something the user can see from the page.
        shown = str(Path(path).resolve())
        self._export_paths[(asset_id, fmt)] = Path(path)
        self.exports = {**self.exports, asset_id: {**self.exports.get(asset_id, {}), fmt: shown}}
        return path

    async def _send_download(self, asset_id: str, fmt: str, req: Any) -> None:
        """The bytes of an export, for the browser's download link (a folder travels as one zip).

        Sent over the widget's own channel, so the link works in every host (JupyterLab,
        VS Code, Colab, marimo, Voila) without knowing how that host serves files.
        """
        try:
            path = self._export_paths.get((asset_id, fmt))
            if path is None or not path.exists():
                raise InvalidValueError(f"{FORMAT_LABELS.get(fmt, fmt)} of {asset_id} is not exported in this session: click Export first")
            name, data = await asyncio.to_thread(_export_bytes, path)
            self.send({"type": "download", "id": asset_id, "req": req, "name": name}, [data])
        except Exception as exc:  # noqa: BLE001
            notice = describe(exc, doing=f"Download {fmt}")
            self.send({"type": "geometry_error", "id": asset_id, "req": req, "notice": notice.to_json()})
            self._notify(notice, asset_id)

    async def _retry(self, asset_id: str) -> Any:
        """Submit a failed asset again: same prompt, name, tags and parent (a new asset; the failed one stays)."""
        asset = self._assets.get(asset_id)
        if asset is None:
            raise InvalidValueError(f"unknown asset {asset_id!r}: refresh the list and try again")
        if asset_id in self._scenes.jobs:  # a failed or cancelled scene job: the same prompt as a scene again
            created = await self._generate_scene(asset.prompt)
            if created is not None:
                self._clear_notices_for(asset_id, "failed")
            return created
        tags = user_tags(list(getattr(asset, "tags", None) or []))
        parent = parent_from_tags(list(getattr(asset, "tags", None) or [])) or self._lineage.get(asset_id)
        created = await self._generate(asset.prompt, asset.name, tags, parent)
        if created is not None:
            self._clear_notices_for(asset_id, "failed")
            if self.mode == "job":
                self.focus = created.id
        return created

    def _clear_notices_for(self, asset_id: str, kind: str) -> None:
        self.notices = [n for n in self.notices if not (n["kind"] == kind and n.get("asset") == asset_id)]

    async def _send_geometry(self, asset_id: str, req: Any, purpose: str) -> None:
        try:
            asset = self._assets.get(asset_id) or await self._adapter.get(asset_id)
            if str(asset.status) != "ready":
                raise InvalidValueError(f"{asset_id} is {asset.status}; previews open once it is ready")
            if purpose == "thumb":
                png = self._geometry.read_thumb(asset_id)
                if png is not None:
                    self.send({"type": "thumb", "id": asset_id, "req": req}, [png])
                    return
            budget = THUMB_TRIANGLES if purpose == "thumb" else PREVIEW_TRIANGLES
            if is_scene(asset):
                meta, buffers = await self._scenes.geometry(asset, budget)
            else:
                meta, buffers = await self._geometry.encoded(asset, budget)
            self.send({"type": "geometry", "id": asset_id, "req": req, "purpose": purpose, "meta": meta}, buffers)
        except Exception as exc:  # noqa: BLE001
            notice = describe(exc, doing="Preview")
            self.send({"type": "geometry_error", "id": asset_id, "req": req, "notice": notice.to_json()})
            if purpose != "thumb":
                self._notify(notice, asset_id)

    # ------------------------------------------------------------------ front-end messages
    def _on_frontend_msg(self, _widget: Any, content: Any, buffers: Sequence[bytes] | None) -> concurrent.futures.Future[Any] | None:
        """Entry point for the browser's custom messages (kernel main thread): hand off to the loop."""
        if not isinstance(content, dict) or self._closed:
            return None
        return self._spawn(self._dispatch(content, list(buffers or [])))

    async def _dispatch(self, msg: dict[str, Any], buffers: list[bytes]) -> Any:
        kind = msg.get("type")
        try:
            if kind == "generate" and msg.get("mode") == GENERATE_MODES["SCENE"]:
                scene = await self._generate_scene(msg.get("prompt"))
                self._reply(msg, ok=scene is not None)
                return scene
            if kind == "generate":
                asset = await self._generate(msg.get("prompt"), msg.get("name"), msg.get("tags"), msg.get("parent"))
                self._reply(msg, ok=asset is not None)
                return asset
            if kind == "batch":
                prompts = msg.get("prompts")
                if isinstance(prompts, str):
                    prompts = prompts.splitlines()
                created = await self._batch(list(prompts or []), msg.get("tags"))
                self._reply(msg, ok=bool(created))
                return created
            if kind == "retry":
                created = await self._retry(str(msg.get("id")))
                self._reply(msg, ok=created is not None, id=getattr(created, "id", ""))
                return created
            if kind == "download":
                return await self._send_download(self.asset_id(str(msg.get("id"))), str(msg.get("format")), msg.get("req"))
            if kind == "load_more":
                return await self._load_page(more=True)
            if kind == "refresh":
                return await self._load_page(more=False)
            if kind == "export":
                return await self._export(self.asset_id(str(msg.get("id"))), str(msg.get("format")))
            if kind in ("open_preview", "physics"):
                try:
                    if kind == "physics":
                        return await self._preview_area.drop_in_physics()
                    return await self._preview_area.open(self.asset_id(str(msg.get("id"))))
                except Exception:  # noqa: BLE001 - already said in the preview area (preview_info / physics)
                    return None
            if kind == "close_preview":
                return self._preview_area.close()
            # compare and thumbnails: encoded geometry as a reply (they draw into throw-away views)
            if kind in ("preview", "thumb"):
                return await self._send_geometry(self.asset_id(str(msg.get("id"))), msg.get("req"),
                                                 "thumb" if kind == "thumb" else "preview")
            if kind == "thumb_png" and buffers:
                return self._geometry.write_thumb(str(msg.get("id")), bytes(buffers[0]))
            if kind == "cancel":
                return await self._jobs.cancel(str(msg.get("id")))
            if kind == "dismiss":
                self.notices = [n for n in self.notices if n.get("at") != msg.get("at")]
                return None
            raise InvalidValueError(f"unknown Studio message type {kind!r}")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the widget keeps working after anything
            self._notify(describe(exc, doing=str(kind)))
            return None


    def _reply(self, msg: dict[str, Any], **content: Any) -> None:
        """Answer a request the browser tagged with ``req`` (it clears the prompt box, restores it on failure)."""
        if msg.get("req"):
            self.send({"type": "submitted", "req": msg["req"], **content})


async def _call(function: Callable[[], Any]) -> Any:
    """``function()`` on the Studio's loop (for :func:`_runtime.run_sync`, which takes a coroutine)."""
    return function()


def _interpretation(asset: Any) -> dict[str, Any] | None:
    """What the generator understood, ignored and approximated of the prompt, when the backend
    says; else None. The row shows it, so a fallback ("a banana" → a generic housing) never
    reads as a plain green "ready".

    Parsed by the client's :class:`Interpretation` (the one tolerant parser): an ``Asset`` has it
    as a property, other records only in ``raw``.
    """
    parsed = getattr(asset, "interpretation", None)
    if not isinstance(parsed, Interpretation):
        raw = getattr(asset, "raw", None)
        parsed = Interpretation.from_raw(raw.get("interpretation")) if isinstance(raw, Mapping) else None
    if parsed is None:
        return None
    return {
        "family": parsed.family,
        "understood": list(parsed.understood[:20]),
        "ignored": list(parsed.ignored[:20]),
        "notes": list(parsed.notes[:5]),
        "fallback": parsed.fallback,
    }


def _export_bytes(path: Path) -> tuple[str, bytes]:
    """(download name, bytes): a file as it is, a folder (URDF + meshes) zipped with its relative paths."""
    import io
    import zipfile

    if path.is_file():
        return path.name, path.read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            zf.write(file, file.relative_to(path).as_posix())
    return f"{path.name}.zip", buf.getvalue()


def _positive_seconds(value: Any) -> float:
    """``poll_interval`` as a float, or the typed error (not traitlets' ``TraitError``) that says what to give."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0 or isinstance(value, bool):
        raise InvalidValueError(f"poll_interval must be a positive number of seconds, got {value!r}")
    return seconds


def _host(url: str) -> str:
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    return parts.netloc or url

