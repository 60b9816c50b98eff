"""The one way the Studio reads ``GET /assets``: pages, and which end of the list is newest.

The API docs do not promise an order, and the Studio only ever wants the *newest* assets
(the list's first page, and the pending ones the poller watches). Both the list and the poller
used to learn the order on their own, each from its own pages; now they share one
:class:`Listing`, so whichever reads a page first teaches the other, and both ask for "the
newest ``n``" the same way. Retrying is not done here: the client already retried each call
by its policy, and the callers back off by the same policy (``_service.retry_delay``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["Listing", "newest_first"]


def newest_first(assets: Sequence[Any]) -> bool | None:
    """``True``/``False`` when a page's first and last creation times differ, else ``None`` (can't tell)."""
    if len(assets) < 2:
        return None
    first, last = assets[0].created_at, assets[-1].created_at
    if first is None or last is None or first == last:
        return None
    return first > last


class _Lists(Protocol):
    """All a listing needs of its source (a :class:`~gizmo_notebook.studio._service.StudioService`, or the poller's ``AssetSource``)."""

    async def list(self, limit: int, offset: int) -> Any: ...


class Listing:
    """Pages of ``GET /assets`` through a :class:`~gizmo_notebook.studio._service.StudioService`, learning the server's order."""

    def __init__(self, source: _Lists) -> None:
        self._source = source
        #: ``None`` until a page showed it; then whether offset 0 holds the newest asset.
        self.newest_first: bool | None = None
        self.requests = 0

    async def page(self, limit: int, offset: int) -> Any:
        """One page (``AssetPage``); teaches the order if it can."""
        self.requests += 1
        page = await self._source.list(limit, offset)
        if self.newest_first is None:
            self.newest_first = newest_first(page.assets)
        return page

    def newest_offset(self, total: int, size: int) -> int:
        """Where the newest ``size`` assets start, as far as the order is known."""
        return max(0, total - size) if self.newest_first is False else 0

    async def newest(self, size: int) -> tuple[Any, int]:
        """The page of the newest ``size`` assets and its offset (a second request only when the
        first page showed the list runs oldest first)."""
        page = await self.page(size, 0)
        offset = self.newest_offset(int(page.total), size)
        if offset:
            page = await self.page(size, offset)
        return page, offset
