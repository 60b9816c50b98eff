"""uvicorn's HTTP/1.1 protocol, answering requests it cannot parse with the documented envelope.

A request line or header block over h11's limit (16 KiB), or bytes that are not HTTP at all, never
reach the app: uvicorn answers them itself with ``text/plain`` "Invalid HTTP request received.".
Clients of this server parse every error as ``{"error", "code", "message"}``, so this subclass
sends exactly that instead (same status, same ``Connection: close``).
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["EnvelopeH11Protocol", "unparsable_request_body"]


def unparsable_request_body() -> bytes:
    return json.dumps(
        {
            "error": "validation_error",
            "code": "INVALID_HTTP_REQUEST",
            "message": "The request could not be parsed as HTTP/1.1 (headers over 16 KiB, or malformed); "
            "send smaller headers.",
        }
    ).encode()


class EnvelopeH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        body = unparsable_request_body()
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
