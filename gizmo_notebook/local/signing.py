"""Pre-signed, expiring download URLs.

``export`` hands out ``/v1/exports/{id}/{format}/{file}?token=<expires>.<signature>`` where the
signature is HMAC-SHA256 (server secret) over the expiry and the path. The download route
needs no API key, like a CDN URL, yet nobody can mint one for another file or extend its
life: any change to the path or the expiry breaks the signature (403 ``INVALID_SIGNATURE``),
and a correct but old one is refused with 403 ``URL_EXPIRED``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import time
from collections.abc import Callable

from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.local.errors import HTTPProblem

__all__ = ["UrlSigner"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class UrlSigner:
    def __init__(self, secret: str, ttl: float, *, clock: Callable[[], float] = time.time) -> None:
        if not math.isfinite(ttl) or ttl <= 0:
            raise InvalidValueError(f"url_ttl must be a positive number of seconds, got {ttl!r}")
        self._secret = secret.encode("utf-8")
        self.ttl = ttl
        self._clock = clock

    def _signature(self, path: str, expires: int) -> str:
        message = f"{expires}\n{path}".encode()
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    def sign(self, path: str, *, expires: int | None = None) -> tuple[str, int]:
        """A token for ``path`` and its expiry (unix seconds, rounded up so ttl is a minimum)."""
        if expires is None:
            expires = math.ceil(self._clock() + self.ttl)
        return f"{expires}.{self._signature(path, expires)}", expires

    def verify(self, path: str, token: str | None) -> None:
        if not token:
            raise HTTPProblem(403, "MISSING_SIGNATURE", "This download URL has no token; request a new export.")
        raw_expires, _, signature = token.partition(".")
        if not (raw_expires.isascii() and raw_expires.isdigit() and len(raw_expires) <= 12):
            raise HTTPProblem(403, "INVALID_SIGNATURE", "The download URL token is malformed; request a new export.")
        expires = int(raw_expires)
        if not hmac.compare_digest(signature.encode("ascii", "replace"), self._signature(path, expires).encode()):
            raise HTTPProblem(
                403, "INVALID_SIGNATURE", "The download URL signature does not match; request a new export."
            )
        if self._clock() > expires:
            raise HTTPProblem(403, "URL_EXPIRED", "The download URL has expired; request a new export.")
