"""A Studio built with a bad argument: a typed error that says what to fix, and nothing after it.

ipywidgets' ``Widget.__del__`` calls ``close()`` on every instance, also one whose ``__init__``
raised part-way; that close must not trip over the parts ``__init__`` never made (an
``AttributeError`` printed as "Exception ignored in ... __del__" under the real error).
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import pytest

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.studio import Studio

from .conftest import async_client


@pytest.mark.parametrize(
    ("client", "options", "match"),
    [
        (None, {"page_size": 0}, "page_size must be between 1 and 100"),
        (None, {"page_size": 101}, "page_size must be between 1 and 100"),
        (None, {"poll_interval": "fast"}, "poll_interval must be a positive number of seconds"),
        (None, {"poll_interval": 0}, "poll_interval must be a positive number of seconds"),
        ("https://api.gizmo.example/v1", {}, "client must be a GizmoClient or AsyncGizmoClient"),
    ],
)
def test_a_bad_argument_raises_a_typed_error_and_nothing_from_del(
    local_server: Any, monkeypatch: pytest.MonkeyPatch, client: Any, options: dict[str, Any], match: str
) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(InvalidValueError, match=match):
        Studio(async_client(local_server) if client is None else client, **options)
    gc.collect()
    assert [f"{u.exc_type.__name__}: {u.exc_value} in {u.object!r}" for u in unraisable] == []
