"""Export -> verified local file: cache, atomic rename, expiry handling, safe unpacking.

Guarantees, in order of how much they matter:

* No partial file is ever visible under its final name: bytes stream into a ``.partial-*`` temp
  file in the destination folder, the length is checked against ``Content-Length``, and only then
  is it renamed into place (``os.replace`` is atomic on one filesystem).
* The API key never goes to the download host: these requests go through a separate httpx client
  that has no credentials at all (pre-signed URLs carry their own token).
* An expired URL (by ``expires_at`` or a 403/410 from the download host) is re-requested, a cut-off
  transfer is retried, and anything over ``max_download_bytes`` is refused.
* A transfer ends: one slower than 1 KiB/s over any 10 s, or longer than ``download_timeout`` in
  all, is stopped with :class:`DownloadError` (httpx's read timeout alone is per chunk, so a host
  sending a byte every half second would otherwise hold it forever).
* Archives are unpacked without letting an entry escape the target folder or exceed the size cap.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections import deque
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from gizmo_notebook._archive import UnsafeArchiveError, extract_zip_safely
from gizmo_notebook._converters import ConversionError, mjcf_to_urdf
from gizmo_notebook.client._errors import DownloadError, redact_deep
from gizmo_notebook.client._json import ascii_int, loads_untrusted
from gizmo_notebook.client._records import Export
from gizmo_notebook.client._runtime._flow import (
    ClientContext,
    Fetch,
    Flow,
    RequestOptions,
    SendStream,
    Sleep,
    status_error,
)

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "ExportSink",
    "FileSink",
    "cache_folder",
    "download_flow",
    "export_body_flow",
    "place",
    "unpack_zip",
    "zip_download_flow",
]

_log = logging.getLogger("gizmo_notebook.client")

DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
#: How many times an expired or refused export URL is re-requested before giving up.
MAX_EXPORT_REFRESHES = 3
#: Treat a URL this close to ``expires_at`` as expired (it would lapse before the request lands).
EXPIRY_MARGIN_S = 5.0
MAX_ZIP_MEMBERS = 10_000
#: A transfer averaging less than this many bytes a second over any MIN_RATE_WINDOW_S is stopped.
MIN_RATE_BYTES_PER_S = 1024.0
MIN_RATE_WINDOW_S = 10.0
DEFAULT_DOWNLOAD_TIMEOUT = 600.0
_CHUNK = 1 << 16
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DEFAULT_EXT = {"mujoco_mjcf": ".xml", "isaac_sim_urdf": ".urdf", "isaac_sim_usd": ".usda"}


# ----------------------------------------------------------------------------- naming


def cache_folder(ctx: ClientContext, kind: str, resource_id: str, fmt: str) -> Path:
    """``<cache>/<host>-<hash of base URL>/<kind>/<id>/<format>``: one folder per thing downloaded.

    The base-URL hash keeps ids of the local backend and of the service (or two local data dirs
    on different ports) from ever sharing a cache entry.
    """
    parts = urlsplit(ctx.base_url)
    digest = hashlib.sha256(ctx.base_url.encode()).hexdigest()[:10]
    host = _safe_name(f"{parts.hostname}-{parts.port}" if parts.port else str(parts.hostname))
    return ctx.cache_dir / f"{host}-{digest}" / kind / _id_folder(resource_id) / fmt


def _id_folder(resource_id: str) -> str:
    """``resource_id`` as one folder name: itself when already safe, else the safe form plus a digest
    of the id, so two ids that sanitize alike ("a/b", "a_b") never share (and read) one folder."""
    safe = _safe_name(resource_id)
    if safe == resource_id:
        return safe
    return f"{safe[:100]}-{hashlib.sha256(resource_id.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


def _safe_name(name: str) -> str:
    cleaned = _SAFE_NAME.sub("_", name).lstrip(".")
    return cleaned[:120] or "download"


def _filename(response: httpx.Response, fallback: str, redact: Callable[[str], str] = str) -> str:
    """The server's name for the file (Content-Disposition, else the URL), made safe: one path
    segment of plain characters, and without the API key should the server have echoed it."""
    disposition = response.headers.get("content-disposition", "")
    match = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", disposition, re.IGNORECASE)
    raw = redact(unquote(match.group(1)) if match else unquote(PurePosixPath(response.url.path).name))
    name = _safe_name(PurePosixPath(raw.replace("\\", "/")).name) if raw else ""
    return name if name and name != "download" else fallback


def find_cached(folder: Path) -> Path | None:
    """A completed download in ``folder`` (temp files start with a dot and never count)."""
    if not folder.is_dir():
        return None
    done = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return max(done, key=lambda p: p.stat().st_mtime) if done else None


# ----------------------------------------------------------------------------- streaming


class FileSink:
    """Streams one response into a temp file; ``commit`` renames it into place only if complete."""

    def __init__(
        self,
        folder: Path,
        fallback_name: str,
        max_bytes: int,
        *,
        timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        redact: Callable[[str], str] = str,
    ) -> None:
        self.folder = folder
        self._redact = redact
        self.name = fallback_name
        self.max_bytes = max_bytes
        self.expected: int | None = None
        self.received = 0
        self._file: IO[bytes] | None = None
        self._tmp: Path | None = None
        self._timeout = timeout
        self._clock = clock
        self._started = clock()
        # (time, bytes received by then): the oldest kept sample is the newest one at least a
        # window old, so the rate is always measured over at least MIN_RATE_WINDOW_S
        self._samples: deque[tuple[float, int]] = deque([(self._started, 0)])

    def _answered(self) -> None:
        """The rate floor measures the transfer from the answer's headers on: how long a server
        takes to answer (building an export first) is the request timeout's business."""
        self._samples = deque([(self._clock(), self.received)])

    def begin(self, response: httpx.Response) -> bool:
        if not response.is_success:
            return False
        self._answered()
        length = response.headers.get("content-length", "")
        self.expected = ascii_int(length) if length.strip() else None
        if self.expected is not None and self.expected > self.max_bytes:
            raise DownloadError(
                f"the export is {self.expected} bytes, over the {self.max_bytes}-byte cap "
                f"(raise max_download_bytes if you expect files this large)"
            )
        self.name = _filename(response, self.name, self._redact)
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=self.folder)
        self._tmp = Path(tmp)
        self._file = os.fdopen(fd, "wb")
        return True

    def write(self, chunk: bytes) -> None:
        assert self._file is not None
        self.received += len(chunk)
        self._check_pace()
        if self.received > self.max_bytes:
            raise DownloadError(
                f"the download exceeded the {self.max_bytes}-byte cap and was stopped "
                f"(raise max_download_bytes if you expect files this large)"
            )
        self._file.write(chunk)

    def _check_pace(self) -> None:
        now = self._clock()
        elapsed = now - self._started
        if elapsed > self._timeout:
            raise DownloadError(
                f"the download took longer than download_timeout={self._timeout:g} s "
                f"({self.received} bytes received) and was stopped"
            )
        samples = self._samples
        samples.append((now, self.received))
        window = MIN_RATE_WINDOW_S
        while len(samples) > 1 and samples[1][0] <= now - window:
            samples.popleft()
        since, then = samples[0]
        span = now - since
        if span >= window and self.received - then < MIN_RATE_BYTES_PER_S * span:
            raise DownloadError(
                f"the download host sent {self.received - then} bytes in the last {span:.0f} s, under the "
                f"{MIN_RATE_BYTES_PER_S:g} bytes/s floor; stopped (the host is stalling or throttled)"
            )

    @property
    def complete(self) -> bool:
        return self._file is not None and (self.expected is None or self.received == self.expected)

    def commit(self) -> Path:
        assert self._file is not None and self._tmp is not None
        self._file.close()
        final = self.folder / self.name
        os.replace(self._tmp, final)
        self._tmp = None
        return final

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def _download_url(ctx: ClientContext, export: Export) -> str:
    url = urljoin(ctx.base_url + "/", export.download_url)
    if urlsplit(url).scheme not in ("http", "https"):
        raise DownloadError(f"the export's download_url is not an http(s) URL: {export.download_url[:80]!r}")
    return url


def fetch_flow(
    ctx: ClientContext, folder: Path, fallback_name: str, request_export: Callable[[], Flow[Export]]
) -> Flow[Path]:
    """Request an export and stream it into ``folder``, refreshing expired URLs and retrying cut-offs."""
    export = yield from request_export()
    refreshes = 0
    attempt = 0
    while True:
        refused: str | None = None
        failure = ""
        if export.is_expired(margin=EXPIRY_MARGIN_S) and refreshes < MAX_EXPORT_REFRESHES:
            # Once the refreshes are used up, every fresh URL still "expired" means this
            # machine's clock is off: try the URL anyway and let the download host decide.
            refused = f"the download URL expired at {export.expires_at:%Y-%m-%d %H:%M:%S %Z}"
        else:
            sink = FileSink(
                folder, fallback_name, ctx.max_download_bytes, timeout=ctx.download_timeout, redact=ctx.redact
            )
            retry_after = None
            try:
                response = yield Fetch(_download_url(ctx, export), sink)
            except httpx.RequestError as exc:
                sink.discard()
                failure = f"{type(exc).__name__}: {ctx.redact(str(exc))}"
            except BaseException:
                sink.discard()
                raise
            else:
                if response.is_success and sink.complete:
                    return sink.commit()
                sink.discard()
                status = response.status_code
                if status in (403, 410):
                    refused = f"the download host answered {status} (expired or revoked URL)"
                elif response.is_success:
                    failure = f"transfer cut off after {sink.received} of {sink.expected} bytes"
                elif status in (408, 429) or status >= 500:
                    failure = f"the download host answered {status}"
                    retry_after = response.headers.get("retry-after")
                else:
                    raise DownloadError(f"the download host answered {status} {response.reason_phrase}")
        if refused is not None:
            refreshes += 1
            if refreshes > MAX_EXPORT_REFRESHES:
                raise DownloadError(f"{refused}, even after re-requesting the export {MAX_EXPORT_REFRESHES} times")
            export = yield from request_export()
            continue
        if attempt >= ctx.retry.max_retries:
            raise DownloadError(f"download failed after {attempt + 1} attempt(s): {failure}")
        yield Sleep(ctx.retry.delay_for(attempt, retry_after))
        attempt += 1


def download_flow(
    ctx: ClientContext,
    *,
    kind: str,
    resource_id: str,
    fmt: str,
    request_export: Callable[[], Flow[Export]],
    dest: Path | None,
) -> Flow[Path]:
    """The cached file for ``(resource, format)``, downloading it first if needed; placed in ``dest`` if given."""
    folder = cache_folder(ctx, kind, resource_id, fmt)
    cached = find_cached(folder)
    if cached is None:
        fallback = f"{_safe_name(resource_id)}{_DEFAULT_EXT.get(fmt, '')}"
        cached = yield from fetch_flow(ctx, folder, fallback, request_export)
    return cached if dest is None else place(cached, dest, ctx.max_download_bytes)


# ----------------------------------------------------------------------------- placing


def place(cached: Path, dest: Path, max_bytes: int) -> Path:
    """Copy ``cached`` into folder ``dest`` (a ``.zip`` is unpacked into ``dest/<stem>/``); return the path."""
    dest.mkdir(parents=True, exist_ok=True)
    if cached.suffix.lower() == ".zip":
        return unpack_zip(cached, dest / cached.stem, max_bytes)
    target = dest / cached.name
    fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=dest)
    try:
        with os.fdopen(fd, "wb") as out, cached.open("rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def unpack_zip(archive: Path, target: Path, max_bytes: int) -> Path:
    """Unpack ``archive`` into ``target`` atomically: no path escapes, no links, size-capped."""
    try:
        return extract_zip_safely(archive, target, max_bytes=max_bytes, max_files=MAX_ZIP_MEMBERS)
    except UnsafeArchiveError as exc:
        entry = f" (entry {exc.member!r})" if exc.member else ""
        raise DownloadError(f"{archive.name}: {exc.reason}{entry}; not unpacked") from None



# ----------------------------------------------------------------------------- ZIP bodies (current API)

#: ``POST .../export`` on the current API answers with the ZIP itself; a JSON ``download_url``
#: (the alpha way) is still understood.
EXPORT_ACCEPT = "application/zip, application/octet-stream;q=0.9, application/json;q=0.8, */*;q=0.5"
MAX_JSON_EXPORT_BYTES = 1 << 20


class ExportSink(FileSink):
    """Streams an export answer: a JSON body or an error body into memory (one names a URL, the
    other says what went wrong), anything else to a temp file.

    All three go through the same limits as a download — the rate floor, ``download_timeout`` and
    a size cap — since the answer to an export request *is* the download: a host trickling a JSON
    answer or an error body a byte at a time must not hold the call forever either.
    """

    def __init__(
        self, folder: Path, fallback_name: str, max_bytes: int, *, timeout: float, redact: Callable[[str], str] = str
    ) -> None:
        super().__init__(folder, fallback_name, max_bytes, timeout=timeout, redact=redact)
        self.json_body: bytearray | None = None
        self.error_body: bytearray | None = None
        self.declared_zip = False

    def begin(self, response: httpx.Response) -> bool:
        content_type = response.headers.get("content-type", "").lower()
        self._answered()
        if not response.is_success:
            self.error_body = bytearray()
            return True
        if "json" in content_type:
            self.json_body = bytearray()
            return True
        self.declared_zip = "zip" in content_type
        return super().begin(response)

    def write(self, chunk: bytes) -> None:
        memory = self.json_body if self.json_body is not None else self.error_body
        if memory is None:
            super().write(chunk)
            return
        self.received += len(chunk)
        self._check_pace()
        memory.extend(chunk)
        if len(memory) > MAX_JSON_EXPORT_BYTES:
            what = "a JSON body instead of a file" if memory is self.json_body else "an error body"
            raise DownloadError(f"the export answered with an oversized {what} (over {MAX_JSON_EXPORT_BYTES} bytes)")

    def error_response(self, response: httpx.Response) -> httpx.Response:
        """``response`` with the error body this sink read, so the usual status error can be built from it.

        The body was read raw: httpx decodes it here by its ``Content-Encoding``. A body that does
        not fit the encoding it names (``gzip`` over plain text) is kept as sent, not a
        ``DecodingError`` leaving the call in place of the status error.
        """
        body = bytes(self.error_body or b"")
        try:
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=body,
                request=response.request,
                extensions=response.extensions,
            )
        except httpx.DecodingError:
            headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"]
            return httpx.Response(
                response.status_code, headers=headers, content=body, request=response.request,
                extensions=response.extensions,
            )

    def zip_problem(self) -> str | None:
        """Close the temp file; if it starts with ``PK`` check it is a whole ZIP (a cut-short one is not)."""
        assert self._file is not None and self._tmp is not None
        self._file.close()
        with self._tmp.open("rb") as fh:
            if fh.read(2) != b"PK":
                return "the body was declared a ZIP but is not one" if self.declared_zip else None
        try:
            with zipfile.ZipFile(self._tmp) as zf:
                bad = zf.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            return f"the ZIP is damaged or cut short ({exc})"
        if bad is not None:
            return f"the ZIP entry {bad!r} is corrupt"
        if not self.name.lower().endswith(".zip"):
            self.name = f"{Path(self.name).stem or 'export'}.zip"
        return None


def export_body_flow(
    ctx: ClientContext, folder: Path, fallback_name: str, send: Callable[[ExportSink], SendStream]
) -> Flow[Path | Export]:
    """Send the export request and stream its body: the checked file (a ZIP renamed to ``.zip``) in
    ``folder``, or the :class:`Export` a JSON answer describes. Retries like any request, and a
    transfer cut short (by ``Content-Length`` or a ZIP that does not open) like a download."""
    attempt = 0
    while True:
        sink = ExportSink(
            folder, fallback_name, ctx.max_download_bytes, timeout=ctx.download_timeout, redact=ctx.redact
        )
        effect = send(sink)
        opts = RequestOptions(effect.method, effect.path)
        try:
            response = yield effect
        except httpx.RequestError as exc:
            sink.discard()
            failure = f"{type(exc).__name__}: {ctx.redact(str(exc))}"
            delay = ctx.retry.after_exception(attempt, exc, idempotent=True)
        except BaseException:
            sink.discard()
            raise
        else:
            if not response.is_success:
                sink.discard()
                response = sink.error_response(response)
                delay = ctx.retry.after_response(attempt, response, idempotent=True)
                if delay is None:
                    raise status_error(ctx, opts, response)
                failure = f"HTTP {response.status_code}"
            elif sink.json_body is not None:
                try:
                    body = redact_deep(loads_untrusted(bytes(sink.json_body)), ctx.redact)
                except ValueError:
                    raise DownloadError(f"{opts.label} answered with JSON that does not parse") from None
                return Export.from_dict(body, format=folder.name)
            else:
                problem = sink.zip_problem() if sink.complete else (
                    f"transfer cut off after {sink.received} of {sink.expected} bytes"
                )
                if problem is None:
                    return sink.commit()
                sink.discard()
                failure = problem
                delay = ctx.retry.backoff(attempt) if attempt < ctx.retry.max_retries else None
        if delay is None:
            raise DownloadError(f"{opts.label}: download failed after {attempt + 1} attempt(s): {failure}")
        yield Sleep(delay)
        attempt += 1


def _given(value: Export) -> Flow[Export]:
    """A flow that answers ``value`` at once (the export URL we already have)."""
    return value
    yield  # pragma: no cover - makes this a generator


def zip_download_flow(
    ctx: ClientContext,
    *,
    kind: str,
    resource_id: str,
    fmt: str,
    send: Callable[[ExportSink], SendStream],
    request_export: Callable[[], Flow[Export]],
    dest: Path | None,
) -> Flow[Path]:
    """The current API's export: cached per (resource, format); a ZIP is unpacked (into the cache
    folder, or ``dest/<stem>/``) and the folder returned; any other file is returned as is."""
    folder = cache_folder(ctx, kind, resource_id, fmt)
    cached = find_cached(folder)
    if cached is None:
        fallback = f"{_safe_name(resource_id)}-{fmt}"
        result = yield from export_body_flow(ctx, folder, fallback, send)
        if isinstance(result, Export):
            pending = [result]
            cached = yield from fetch_flow(
                ctx, folder, fallback, lambda: _given(pending.pop()) if pending else request_export()
            )
        else:
            cached = result
    if cached.suffix.lower() != ".zip":
        return cached if dest is None else place(cached, dest, ctx.max_download_bytes)
    if dest is not None:
        return place(cached, dest, ctx.max_download_bytes)
    target = folder / cached.stem
    return target if target.is_dir() else unpack_zip(cached, target, ctx.max_download_bytes)


def convert_mjcf_to_urdf(mjcf: Path, folder: Path, stem: str) -> Path:
    """URDF zip (``<stem>.urdf`` + ``meshes/``) made locally from an MJCF export (file or folder).

    The current API no longer exports URDF; this uses the package's MJCF loader and the same URDF
    writer as the offline backend (registered by the package root, see :mod:`gizmo_notebook._converters`),
    so ``isaac_sim_urdf`` keeps working, and says so in the log.
    """
    try:
        path = mjcf_to_urdf(mjcf, folder, _safe_name(stem))
    except ConversionError as exc:
        raise DownloadError(
            f"the current Gizmo API exports no URDF, and converting its MJCF export to URDF locally "
            f"failed: {exc}. Download 'mjcf', 'usd' or 'sdf' instead"
        ) from None
    _log.info("converted the MJCF export %s to URDF locally (the current API has no URDF export)", mjcf)
    return path
