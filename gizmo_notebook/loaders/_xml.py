"""Parse untrusted XML through defusedxml before any other parser sees it.

yourdfpy parses with lxml and MuJoCo with its own C++ reader; neither is hardened against
entity expansion ("billion laughs") or external entities. Reading every file through
defusedxml first rejects those documents with a clear message, so the later parsers only
ever see plain XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as DET

from gizmo_notebook.loaders._errors import LoadError

MAX_XML_BYTES = 64 * 1024 * 1024
"""A robot description is kilobytes to a few megabytes; refuse to parse anything absurd."""


def read_xml(path: Path) -> tuple[bytes, ET.Element]:
    """Return the file's bytes and its root element, or raise :class:`LoadError`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    if size > MAX_XML_BYTES:
        raise LoadError(
            f"file is {size / 1e6:.0f} MB, more than the {MAX_XML_BYTES // 2**20} MiB allowed for XML",
            path=path,
        )
    data = path.read_bytes()
    return data, parse_xml(data, path)


def parse_xml(data: bytes, path: Path | str) -> ET.Element:
    try:
        return DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.EntitiesForbidden:
        raise LoadError(
            "the document declares XML entities, which are refused (entity expansion attacks); "
            "remove the <!DOCTYPE ...> entity declarations",
            path=path,
        ) from None
    except defusedxml.ExternalReferenceForbidden:
        raise LoadError("the document references external entities, which are refused", path=path) from None
    except defusedxml.DefusedXmlException as exc:
        raise LoadError(f"unsafe XML refused: {exc}", path=path) from None
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (None, None))
        where = f"line {line}, column {col}: " if line else ""
        raise LoadError(f"not well-formed XML: {where}{_strip_position(str(exc))}", path=path) from None


def _strip_position(message: str) -> str:
    return message.split(": line", 1)[0]
