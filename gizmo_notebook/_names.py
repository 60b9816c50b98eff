"""One rule for making a name unique, shared by the loaders and the exporters.

Links, joints and geoms must have distinct names in every format we read or write, and a file
may reuse one (two USD prims both called ``link``, a MuJoCo body that needs a synthetic fixed
joint whose name is taken). Every place that de-duplicates uses :func:`claim_unique`, so a name
gets the same suffix whichever way it travels: ``name``, then ``name_2``, ``name_3``...
"""

from __future__ import annotations

__all__ = ["claim_unique"]


def claim_unique(wanted: str, used: set[str]) -> str:
    """``wanted`` if it is free, else the first free ``wanted_2``, ``wanted_3``...; records it in ``used``.

    ``used`` is the caller's set of names already given out in one namespace (it is updated in
    place), so successive calls never hand out the same name twice.
    """
    candidate, n = wanted, 1
    while candidate in used:
        n += 1
        candidate = f"{wanted}_{n}"
    used.add(candidate)
    return candidate
