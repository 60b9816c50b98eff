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
