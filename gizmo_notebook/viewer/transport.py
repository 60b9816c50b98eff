"""Getting bytes into the browser: content-addressed chunk widgets and a shared JS bundle.

Two problems, one trick. Geometry must reach the browser as binary, once, with progress for
big models, *and* be part of the saved widget state so a notebook (or its nbconvert HTML)
shows the model with no kernel. The three.js bundle (~0.6 MB) must not be re-sent with every
widget instance. Both are solved by putting bytes in small plain ipywidgets models keyed by
content hash:

* :class:`Blob` holds one chunk (<= ``CHUNK_SIZE``) of a geometry buffer. Each is its own
  ``comm_open`` message, so the browser sees a big model arrive chunk by chunk (progress),
  and the websocket never carries one giant frame. A chunk already created in this kernel is
  reused by digest: the page holds it already, nothing is sent again. Being widget models,
  chunks are saved with the notebook's widget state and replayed by the HTML widget manager.
  They are plain ipywidgets models with no front-end code of their own (see :class:`Blob`).
* :class:`Bundle` holds the widget bundle (gzipped) once per kernel. Widgets set ``_esm`` to
  :data:`LOADER_ESM`, a ~1 kB module that imports the bundle from that model (through a Blob
  URL, once per page). Saved state therefore carries the bundle once per notebook, not once
  per output. Studio widgets can use the same ``bundle_ref()`` + ``LOADER_ESM`` pair.

Reuse is only safe while the widget still exists *on the page being drawn to*. Two hosts make
that more than "its comm is set": marimo closes the comms of a cell's widgets when the cell
re-runs but leaves ``widget.comm`` in place (closed), and ``marimo run`` serves every browser
session from one process, each session a thread with its own runtime context, so a widget
sent to one session's page does not exist in another's. Both showed as "Model not found".
Cached widgets are therefore checked for an open comm and tagged with the session (the
"scope") they were sent in; another scope gets its own.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

import anywidget
from ipywidgets import Image, Widget
from traitlets import Any, Bytes, Unicode

from gizmo_notebook.viewer._protocol import PACK_ALIGN
from gizmo_notebook.viewer.encode import MAX_PART_BYTES

__all__ = [
    "BUNDLE_ESM", "CHUNK_SIZE", "LOADER_ESM", "Blob", "Bundle", "ChunkPacker", "blob_for", "bundle_ref", "chunk_buffers",
    "preload",
]

CHUNK_SIZE = MAX_PART_BYTES  # 1 MiB: a part of a big mesh is one chunk, hence one message

_STATIC = Path(__file__).resolve().parent.parent / "static"
BUNDLE_PATH = _STATIC / "widget.js"

# Shared by both ESM strings below: import the bundle held by a Bundle model, once per digest
# per page (inflated with the browser's DecompressionStream, imported through a Blob URL).
_IMPORT_BUNDLE_JS = """
const KEY = "__gizmoBundles";
// a failure is not cached: the next widget (a re-run, a model that arrives later) tries again
function remember(cache, key, start) {
  return (cache[key] ??= start().catch((err) => { delete cache[key]; throw err; }));
}
function importBundle(bundle) {
  const cache = (globalThis[KEY] ??= {});
  const digest = bundle.get("digest");
  return remember(cache, "sha:" + digest, async () => {
    const inflated = new Blob([bundle.get("gz")]).stream().pipeThrough(new DecompressionStream("gzip"));
    const source = await new Response(inflated).text();
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    return (await import(/* webpackIgnore: true */ url)).default;
  });
}
"""

# The Bundle model's own `_esm`: start importing the bundle the moment the model reaches the
# page (not awaited, so anywidget's 2 s initialize deadline is never at stake). The Bundle is
# created by the first gizmo widget of a kernel, or earlier by :func:`preload`, so later views
# find three.js already loaded.
BUNDLE_ESM = _IMPORT_BUNDLE_JS + """
export default {
  initialize({ model }) {
    importBundle(model).catch(() => {}); // a failure surfaces in the view that needs it
  },
};
"""

# The `_esm` of every gizmo widget: get the bundle from the Bundle model (already loading, or
# loaded, if that model initialized first) and delegate render() to it (it dispatches on `_kind`).
LOADER_ESM = _IMPORT_BUNDLE_JS + """
function load(model) {
  const ref = String(model.get("_bundle") || "").replace(/^IPY_MODEL_/, "");
  const cache = (globalThis[KEY] ??= {});
  return remember(cache, ref, () => model.widget_manager.get_model(ref).then(importBundle));
}
export default {
  async render(ctx) {
    performance.mark("gizmo:loader");
    const widget = await load(ctx.model);
    performance.mark("gizmo:bundle");
    return widget.render(ctx);
  },
};
"""


class Blob(Image):
    """One chunk of binary data, identified by its sha256 ``digest``, in ``value``. Never displayed.

    Why an ``Image`` model: the bytes must survive JupyterLab's save of the widget state, which
    clones each model's state with ``JSON.parse(JSON.stringify(...))`` unless the model class
    has a serializer for the attribute (a bare ``WidgetModel`` saves ``{}``). ipywidgets'
    ``ImageModel`` has one for ``value``, ships with JupyterLab and the HTML widget manager, and
    needs no front-end code. An anywidget model would also serialize bytes, but anywidget gives
    every model two seconds to import and bind its ESM and otherwise rejects it with an
    unhandled "[anywidget] Failed to initialize model." error; a gallery creates dozens of
    chunks while the page is busiest (three.js loading, meshes decoded, first frames drawn) and
    some missed that deadline. ``layout`` is dropped so a chunk costs one model, not two.
    """

    layout = Any(None, allow_none=True).tag(sync=True)
    digest = Unicode("").tag(sync=True)


class Bundle(anywidget.AnyWidget):
    """The widget bundle's JavaScript, gzipped, shared by every gizmo widget of a kernel.

    Gzip takes the ~0.6 MB bundle to ~0.15 MB on the wire and in saved notebooks; the loader
    inflates it with the browser's native ``DecompressionStream``. An anywidget model because it
    has front-end code of its own (:data:`BUNDLE_ESM`); anywidget serializes ``gz`` as bytes, so
    saved widget state keeps them.
    """

    layout = Any(None, allow_none=True).tag(sync=True)
    digest = Unicode("").tag(sync=True)
    _esm = BUNDLE_ESM
    gz = Bytes(b"").tag(sync=True)


_lock = threading.Lock()
_blobs: dict[str, Blob] = {}
_bundle: Bundle | None = None


def _scope() -> object | None:
    """The session widgets created now are shown in: marimo's per-session output stream, or
    None in a Jupyter kernel (one session per process). marimo is not imported for this."""
    context = sys.modules.get("marimo._runtime.context")
    if context is None:
        return None
    try:
        ctx = context.safe_get_context()
    except Exception:  # an unknown marimo version: behave as in Jupyter
        return None
    return getattr(ctx, "stream", None) if ctx is not None else None


def _tag(w: Widget, scope: object | None) -> None:
    """Remember which scope ``w`` was sent in (weakly where possible: a closed session goes)."""
    try:
        w._gizmo_scope = weakref.ref(scope) if scope is not None else None  # type: ignore[attr-defined]
    except TypeError:  # not weak-referenceable
        w._gizmo_scope = lambda: scope  # type: ignore[attr-defined]


def _alive(w: Widget, scope: object | None = None) -> bool:
    """``w`` can be referenced by a new widget in ``scope``: its comm is open, in that scope."""
    comm = getattr(w, "comm", None)
    if comm is None or getattr(comm, "_closed", False):
        return False
    ref = getattr(w, "_gizmo_scope", None)
    return (ref() if ref is not None else None) is scope


def blob_for(data: bytes, digest: str | None = None) -> Blob:
    """The chunk widget for ``data`` (whose sha256 is ``digest``, computed if not given),
    creating (hence sending) it only if this kernel has none."""
    digest = digest or hashlib.sha256(data).hexdigest()
    scope = _scope()
    with _lock:
        blob = _blobs.get(digest)
        if blob is None or not _alive(blob, scope):
            blob = Blob(digest=digest, value=bytes(data))
            _tag(blob, scope)
            _blobs[digest] = blob
        return blob


def chunk_buffers(buffers: list[bytes], size: int = CHUNK_SIZE) -> list[list[tuple[str, int, bytes]]]:
    """Split each buffer into ``(digest, size, bytes)`` chunks of at most ``size`` bytes."""
    out = []
    for buf in buffers:
        parts = [buf[i : i + size] for i in range(0, len(buf), size)] or [b""]
        out.append([(hashlib.sha256(p).hexdigest(), len(p), p) for p in parts])
    return out


# Buffers under PACK_BELOW travel together, in chunks of about PACK_BYTES.
PACK_BELOW = 64 * 1024
PACK_BYTES = 128 * 1024


def _aligned(size: int) -> int:
    """``size`` rounded up to the pack's alignment: where the next packed buffer starts."""
    return -(-size // PACK_ALIGN) * PACK_ALIGN


class ChunkPacker:
    """Turns a model's buffers, as they are encoded, into the chunks that carry them.

    Why pack: every chunk is a widget, so a ``comm_open`` message that the kernel builds and the
    page turns into a model, one after another. A robot's ~100 small meshes (PAL's TIAGo++: 53
    of 56 buffers under 64 kB) cost more in those round trips than in their bytes. Buffers under
    :data:`PACK_BELOW` are therefore laid end to end in one chunk, sent once it holds
    :data:`PACK_BYTES` (and at :meth:`close`); bigger ones keep their own chunks, so a big mesh's
    parts still reach the page (and are decoded) while the rest is encoded.

    ``emit(digest, data)`` is called for each chunk as soon as it is complete. :meth:`refs`
    (after :meth:`close`) gives, in the order the buffers were added, each buffer's chunk
    references ``{"digest", "size"}`` plus ``"offset"`` for a buffer that is a slice of a pack.
    Packs are deterministic (same buffers, same order: same digests), so a model shown again
    in the kernel sends nothing new.
    """

    def __init__(self, emit: Callable[[str, bytes], None]) -> None:
        self._emit = emit
        self._refs: list[list[dict[str, str | int]]] = []
        self._open: list[tuple[int, bytes]] = []  # (index in _refs, bytes) of the pack being filled
        self._open_size = 0

    def add(self, data: bytes, digest: str | None = None) -> None:
        """One more buffer (``digest``: its sha256 if already known)."""
        index = len(self._refs)
        self._refs.append([])
        if len(data) >= PACK_BELOW:
            chunks = [(digest, len(data), data)] if digest and len(data) <= CHUNK_SIZE else chunk_buffers([data])[0]
            self._refs[index] = [{"digest": d, "size": n} for d, n, _ in chunks]
            for d, _, part in chunks:
                self._emit(d, part)
            return
        self._open.append((index, data))
        self._open_size += _aligned(len(data))
        if self._open_size >= PACK_BYTES:
            self._close_pack()

    def _close_pack(self) -> None:
        if not self._open:
            return
        pack = b"".join(data.ljust(_aligned(len(data)), b"\0") for _, data in self._open)
        digest = hashlib.sha256(pack).hexdigest()
        offset = 0
        for index, data in self._open:
            self._refs[index] = [{"digest": digest, "size": len(data), "offset": offset}]
            offset += _aligned(len(data))
        self._open, self._open_size = [], 0
        self._emit(digest, pack)

    def close(self) -> list[list[dict[str, str | int]]]:
        """Send the last pack; each buffer's chunk references, in order."""
        self._close_pack()
        return self._refs


def _gzipped(source: bytes, digest: str) -> bytes:
    """``source`` gzipped, cached on disk by digest: gzip -9 of the bundle costs ~30 ms, paid
    by the first widget of every kernel on its way to the screen otherwise."""
    from gizmo_notebook.paths import cache_dir

    path = cache_dir() / "bundle" / f"{digest}.js.gz"
    try:
        data = path.read_bytes()
        if gzip.decompress(data) == source:  # a torn or foreign file is simply redone
            return data
    except (OSError, EOFError, gzip.BadGzipFile):
        pass
    data = gzip.compress(source, 9, mtime=0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:  # a read-only cache costs time, not correctness
        pass
    return data


def bundle_ref() -> Bundle:
    """The kernel's one :class:`Bundle` widget (reloaded if the bundle file changed)."""
    global _bundle
    if not BUNDLE_PATH.exists():
        raise FileNotFoundError(
            f"{BUNDLE_PATH} is missing: build the front end with `cd js && npm ci && npm run build` "
            "(scripts/setup.sh does this)"
        )
    source = BUNDLE_PATH.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    scope = _scope()
    with _lock:
        if _bundle is None or not _alive(_bundle, scope) or _bundle.digest != digest:
            _bundle = Bundle(digest=digest, gz=_gzipped(source, digest))
            _tag(_bundle, scope)
        return _bundle


def preload() -> None:
    """In a running kernel, send the front end to the page now (``%load_ext gizmo_notebook``
    does), so it imports three.js and the viewer while the user is still in earlier cells
    rather than during the first view (0.1-0.2 s of its first frame on a slow machine).
    Outside a kernel, or without a built bundle, nothing happens: the first widget sends it."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None or getattr(shell, "kernel", None) is None or not BUNDLE_PATH.exists():
            return
        bundle_ref()
    except Exception:  # never let a preload break an import
        return
