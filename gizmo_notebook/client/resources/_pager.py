"""Offset pagination that survives a changing collection, shared by every ``iter``."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, Protocol, TypeVar

__all__ = ["Pager"]


class _Item(Protocol):
    @property
    def id(self) -> Hashable: ...


T = TypeVar("T", bound=_Item)


class Pager(Generic[T]):
    """Decides the next ``(limit, offset)`` and filters each page to items not seen yet.

    Edge cases it exists for: ``total`` changing between pages (we trust the newest value), an
    empty page before ``total`` is reached (stop rather than spin), a short page in the middle
    (advance by what came back, not by ``limit``), items shifting when something is created
    meanwhile (ids already yielded are skipped), and a server that ignores ``offset`` (a page with
    nothing new ends the iteration).
    """

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self.offset = 0
        self._total: int | None = None
        self._seen: set[Hashable] = set()
        self._finished = False

    def next_page(self) -> tuple[int, int] | None:
        """``(limit, offset)`` of the next request, or ``None`` when every page has been read."""
        if self._finished or (self._total is not None and self.offset >= self._total):
            return None
        return self.page_size, self.offset

    def accept(self, items: Iterable[T], total: int) -> list[T]:
        """Record one page; return its items that were not yielded before."""
        items = list(items)
        fresh = [item for item in items if item.id not in self._seen]
        self._seen.update(item.id for item in fresh)
        self._total = total
        self.offset += len(items)
        if not items or not fresh:
            self._finished = True
        return fresh
