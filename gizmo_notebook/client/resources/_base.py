"""What assets and scenes have in common — get, list, iter, export, download — written once.

``ResourceFlows`` builds the flows (validating arguments eagerly, so bad input never costs a
request); ``SyncResource`` / ``AsyncResource`` are the thin facades that run them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from os import PathLike
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from gizmo_notebook.client import _validate as check
from gizmo_notebook.client._api_version import CURRENT, version_flow
from gizmo_notebook.client._download import (
    EXPORT_ACCEPT,
    ExportSink,
    cache_folder,
    convert_mjcf_to_urdf,
    download_flow,
    find_cached,
    place,
    zip_download_flow,
)
from gizmo_notebook.client._errors import UnsupportedByAPIVersionError
from gizmo_notebook.client._formats import LOCAL_URDF, check_any_format, wire_format
from gizmo_notebook.client._records import Export
from gizmo_notebook.client._runtime._flow import (
    DOWNLOAD_HEADERS,
    ClientContext,
    Flow,
    RequestOptions,
    SendStream,
    map_flow,
    request_flow,
)
from gizmo_notebook.client.resources._pager import Pager
from gizmo_notebook.formats import ExportFormat

__all__ = ["AsyncResource", "ResourceFlows", "SyncResource"]

T = TypeVar("T")
M = TypeVar("M")  # the item record (Asset, Scene)
P = TypeVar("P")  # the page record (AssetPage, ScenePage)


class _Page(Protocol[M]):
    total: int

    @property
    def items(self) -> tuple[M, ...]: ...


class ResourceFlows(Generic[M, P]):
    """Flows for one collection under ``/<kind>``; subclasses name the records and add operations."""

    kind: ClassVar[str]
    id_name: ClassVar[str]

    def __init__(self, ctx: ClientContext) -> None:
        self._ctx = ctx

    # subclasses turn JSON into their records
    def _item(self, data: Any) -> M:
        raise NotImplementedError

    def _page(self, data: Any, limit: int, offset: int) -> P:
        raise NotImplementedError

    def _request(self, opts: RequestOptions, parse: Callable[[Any], T]) -> Flow[T]:
        return map_flow(request_flow(self._ctx, opts), parse)

    def _path(self, resource_id: str, suffix: str = "") -> str:
        return f"/{self.kind}/{check.check_resource_id(resource_id, self.id_name)}{suffix}"

    def get(self, resource_id: str) -> Flow[M]:
        return self._request(RequestOptions("GET", self._path(resource_id)), self._item)

    def list(self, limit: int, offset: int) -> Flow[P]:
        limit, offset = check.check_limit_offset(limit, offset)
        opts = RequestOptions("GET", f"/{self.kind}", params={"limit": limit, "offset": offset})
        return self._request(opts, lambda data: self._page(data, limit, offset))

    def _real_id(self, resource_id: str) -> str:
        """The id to address on the server (assets map a finished job's id to its asset's)."""
        return resource_id

    def unsupported(self, what: str, version: str, instead: str) -> UnsupportedByAPIVersionError:
        return UnsupportedByAPIVersionError(f"{self.kind}.{what}", version, instead)

    def export(self, resource_id: str, format: str) -> Flow[Export]:
        self._path(resource_id)
        check_any_format(format)
        return self._export(resource_id, format)

    def _export(self, resource_id: str, format: str) -> Flow[Export]:
        version = yield from version_flow(self._ctx)
        if version == CURRENT:
            raise self.unsupported(
                "export() (a pre-signed download URL)",
                version,
                f"the current API answers an export with the file itself: use {self.kind}.download(id, format)",
            )
        return (yield from self._alpha_export(resource_id, wire_format(format, version)))

    def _alpha_export(self, resource_id: str, fmt: str) -> Flow[Export]:
        # Exporting only hands out a URL, so re-sending it after any failure is harmless.
        opts = RequestOptions("POST", self._path(resource_id, "/export"), json={"format": fmt})
        return (yield from self._request(opts, lambda data: Export.from_dict(data, format=fmt)))

    def download(self, resource_id: str, format: str, dest: str | PathLike[str] | None) -> Flow[Path]:
        self._path(resource_id)
        check_any_format(format)
        return self._download(resource_id, format, check.check_dest(dest))

    def _download(self, resource_id: str, format: str, dest: Path | None) -> Flow[Path]:
        version = yield from version_flow(self._ctx)
        resource_id = self._real_id(resource_id)
        fmt = wire_format(format, version)
        if version != CURRENT:
            return (
                yield from download_flow(
                    self._ctx,
                    kind=self.kind,
                    resource_id=resource_id,
                    fmt=fmt,
                    request_export=lambda: self._alpha_export(resource_id, fmt),
                    dest=dest,
                )
            )
        if fmt != LOCAL_URDF:
            return (yield from self._zip_download(resource_id, fmt, dest))
        folder = cache_folder(self._ctx, self.kind, resource_id, LOCAL_URDF)
        cached = find_cached(folder)
        if cached is None:
            mjcf = yield from self._zip_download(resource_id, "mjcf", None)
            cached = convert_mjcf_to_urdf(mjcf, folder, resource_id)
        return cached if dest is None else place(cached, dest, self._ctx.max_download_bytes)

    def _zip_download(self, resource_id: str, fmt: str, dest: Path | None) -> Flow[Path]:
        path = self._path(resource_id, "/export")

        def send(sink: ExportSink) -> SendStream:
            # ``format`` in the body and the query: third-party clients disagree on which one counts.
            return SendStream(
                "POST",
                path,
                sink,
                json={"format": fmt},
                params={"format": fmt},
                headers={**DOWNLOAD_HEADERS, "Accept": EXPORT_ACCEPT},
            )

        return (
            yield from zip_download_flow(
                self._ctx,
                kind=self.kind,
                resource_id=resource_id,
                fmt=fmt,
                send=send,
                request_export=lambda: self._alpha_export(resource_id, fmt),
                dest=dest,
            )
        )


class SyncResource(Generic[M, P]):
    """Blocking facade: each method runs one flow on the client's sync runner."""

    _flows: ResourceFlows[M, P]

    def __init__(self, run: Callable[[Flow[Any]], Any], flows: ResourceFlows[M, P]) -> None:
        self._run = run
        self._flows = flows

    def get(self, resource_id: str) -> M:
        """Current state of one item."""
        return self._run(self._flows.get(resource_id))

    def list(self, limit: int = 20, offset: int = 0) -> P:
        """One page (``limit`` 1..100, ``offset`` >= 0)."""
        return self._run(self._flows.list(limit, offset))

    def iter(self, page_size: int = 100) -> Iterator[M]:
        """Every item across all pages, fetched lazily; each yielded once even if the list shifts."""
        pager: Pager[Any] = Pager(check.check_page_size(page_size))
        return self._iterate(pager)

    def _iterate(self, pager: Pager[Any]) -> Iterator[M]:
        while (page_args := pager.next_page()) is not None:
            page: Any = self.list(*page_args)
            yield from pager.accept(page.items, page.total)

    def export(self, resource_id: str, format: ExportFormat | str) -> Export:
        """A time-limited pre-signed download URL for ``format``."""
        return self._run(self._flows.export(resource_id, format))

    def download(
        self, resource_id: str, format: ExportFormat | str, dest: str | PathLike[str] | None = None
    ) -> Path:
        """The exported file, cached per item+format; with ``dest`` (a folder) copied or unpacked there."""
        return self._run(self._flows.download(resource_id, format, dest))


class AsyncResource(Generic[M, P]):
    """Awaitable facade: the same operations as :class:`SyncResource` on the async runner."""

    _flows: ResourceFlows[M, P]

    def __init__(self, run: Callable[[Flow[Any]], Awaitable[Any]], flows: ResourceFlows[M, P]) -> None:
        self._run = run
        self._flows = flows

    async def get(self, resource_id: str) -> M:
        """Current state of one item."""
        return await self._run(self._flows.get(resource_id))

    async def list(self, limit: int = 20, offset: int = 0) -> P:
        """One page (``limit`` 1..100, ``offset`` >= 0)."""
        return await self._run(self._flows.list(limit, offset))

    def iter(self, page_size: int = 100) -> AsyncIterator[M]:
        """Every item across all pages (``async for``); each yielded once even if the list shifts."""
        pager: Pager[Any] = Pager(check.check_page_size(page_size))
        return self._iterate(pager)

    async def _iterate(self, pager: Pager[Any]) -> AsyncIterator[M]:
        while (page_args := pager.next_page()) is not None:
            page: Any = await self.list(*page_args)
            for item in pager.accept(page.items, page.total):
                yield item

    async def export(self, resource_id: str, format: ExportFormat | str) -> Export:
        """A time-limited pre-signed download URL for ``format``."""
        return await self._run(self._flows.export(resource_id, format))

    async def download(
        self, resource_id: str, format: ExportFormat | str, dest: str | PathLike[str] | None = None
    ) -> Path:
        """The exported file, cached per item+format; with ``dest`` (a folder) copied or unpacked there."""
        return await self._run(self._flows.download(resource_id, format, dest))
