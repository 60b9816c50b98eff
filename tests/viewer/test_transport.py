"""Chunk widgets: plain ipywidgets models whose bytes survive a JupyterLab save.

A chunk must (1) carry its bytes as a binary buffer, (2) be a model class whose front end
serializes that buffer when JupyterLab saves widget state (ipywidgets' ImageModel does, for
``value``), and (3) run no front-end code: anywidget gives each of its models two seconds to
load its ESM, and chunks created in a burst while the page draws a gallery missed it
("[anywidget] Failed to initialize model."; see tests/browser/test_notebooks.py, 04-batch).
"""

from __future__ import annotations

import hashlib

import anywidget
from ipywidgets.widgets.widget import _remove_buffers

from gizmo_notebook.viewer import transport


def test_a_chunk_is_a_core_image_model_with_its_bytes_as_a_binary_buffer() -> None:
    data = bytes(range(256)) * 5
    blob = transport.blob_for(data)
    assert not isinstance(blob, anywidget.AnyWidget)
    state, paths, buffers = _remove_buffers(blob.get_state())
    assert (state["_model_module"], state["_model_name"]) == ("@jupyter-widgets/controls", "ImageModel")
    assert "_esm" not in state and state["layout"] is None
    assert state["digest"] == hashlib.sha256(data).hexdigest()
    assert paths == [["value"]] and bytes(buffers[0]) == data


def test_the_same_bytes_reuse_the_chunk_already_sent() -> None:
    a = transport.blob_for(b"same bytes")
    assert transport.blob_for(b"same bytes") is a
    assert transport.blob_for(b"other bytes") is not a


def test_a_chunk_whose_comm_was_closed_is_sent_again() -> None:
    """marimo closes a re-run cell's comms but leaves ``widget.comm`` set: reusing that chunk
    would point the new view at a model the page has dropped ("Model not found")."""
    a = transport.blob_for(b"closed by a re-run")
    a.comm.close()
    assert a.comm is not None
    b = transport.blob_for(b"closed by a re-run")
    assert b is not a and not b.comm._closed
    assert transport.blob_for(b"closed by a re-run") is b


def test_chunks_and_the_bundle_are_not_shared_between_sessions(monkeypatch) -> None:
    """``marimo run`` serves every browser session from one process (a thread each): a widget
    sent to one session's page does not exist in another's."""

    class Session:  # stands in for a marimo session's output stream
        pass

    one, two = Session(), Session()
    monkeypatch.setattr(transport, "_scope", lambda: one)
    a, bundle_a = transport.blob_for(b"per session"), transport.bundle_ref()
    assert transport.blob_for(b"per session") is a and transport.bundle_ref() is bundle_a
    monkeypatch.setattr(transport, "_scope", lambda: two)
    b, bundle_b = transport.blob_for(b"per session"), transport.bundle_ref()
    assert b is not a and bundle_b is not bundle_a
    assert transport.blob_for(b"per session") is b and transport.bundle_ref() is bundle_b


def test_scope_is_none_outside_marimo_and_the_session_stream_inside(monkeypatch) -> None:
    import sys
    import types

    monkeypatch.delitem(sys.modules, "marimo._runtime.context", raising=False)
    assert transport._scope() is None
    stream = object()
    fake = types.SimpleNamespace(safe_get_context=lambda: types.SimpleNamespace(stream=stream))
    monkeypatch.setitem(sys.modules, "marimo._runtime.context", fake)
    assert transport._scope() is stream
    monkeypatch.setitem(sys.modules, "marimo._runtime.context", types.SimpleNamespace(safe_get_context=lambda: None))
    assert transport._scope() is None
