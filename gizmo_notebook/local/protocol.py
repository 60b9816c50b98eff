"""uvicorn's HTTP/1.1 protocol, answering requests it cannot parse with the server's own envelope.

A request line or header block over h11's limit (16 KiB), or bytes that are not HTTP at all, never
reach the app: uvicorn answers them itself with ``text/plain`` "Invalid HTTP request received.".
Clients of these servers parse every error as the contract's JSON envelope — flat
``{"error", "code", "message"}`` on alpha, nested ``{"error": {"code", "message", "status"}}`` on
the current API — so :func:`protocol_for` gives the subclass that sends exactly that instead
(same status, same ``Connection: close``).
"""

from __future__ import annotations

import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["CurrentEnvelopeH11Protocol", "EnvelopeH11Protocol", "protocol_for", "unparsable_request_body"]

_MESSAGE = "The request could not be parsed as HTTP/1.1 (headers over 16 KiB, or malformed); send smaller headers."


def unparsable_request_body(api: str = "alpha") -> bytes:
    body: dict[str, Any]
    if api == "current":
        from gizmo_notebook.local.current.errors import envelope

        body = envelope(400, "invalid_http_request", _MESSAGE)
    else:
        body = {"error": "validation_error", "code": "INVALID_HTTP_REQUEST", "message": _MESSAGE}
    return json.dumps(body).encode()


class EnvelopeH11Protocol(H11Protocol):
    """The alpha server's protocol."""

    api = "alpha"

    def send_400_response(self, msg: str) -> None:
        body = unparsable_request_body(self.api)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        try:
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event))
        except h11.LocalProtocolError:  # h11 is in a state that forbids a response: just close
            pass
        self.transport.close()


class CurrentEnvelopeH11Protocol(EnvelopeH11Protocol):
    """The current-API server's protocol: the nested envelope."""

    api = "current"


def protocol_for(api: str) -> type[EnvelopeH11Protocol]:
    return CurrentEnvelopeH11Protocol if api == "current" else EnvelopeH11Protocol
