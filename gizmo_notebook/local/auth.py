"""API keys: generation, hashing and the ``Authorization: Bearer`` check.

Only ``sha256(key)`` is ever stored, so a copied database does not leak usable keys. A key
has a scope: ``"full"`` may do everything, ``"read"`` may list, fetch and export but not
create assets or scenes (a 403 ``INSUFFICIENT_PERMISSION``). Assets belong to the key that
created them; another key asking for one gets 404, not 403, so ids cannot be probed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request

from gizmo_notebook.local.errors import HTTPProblem

__all__ = ["KEY_PREFIX", "Principal", "Scope", "bearer_token", "hash_key", "new_key"]

KEY_PREFIX = "gzm_local_"
Scope = Literal["full", "read"]
SCOPES: tuple[str, ...] = ("full", "read")


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``key_id`` is a non-secret handle (it owns assets), never the key."""

    key_id: str
    scope: Scope

    def require_write(self) -> None:
        if self.scope != "full":
            raise HTTPProblem(
                403,
                "INSUFFICIENT_PERMISSION",
                "This API key is read-only: it can list, fetch and export assets but not create them.",
            )


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(24)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def key_id_for(key_hash: str) -> str:
    return "key_" + key_hash[:16]


def bearer_token(request: Request) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or a 401 saying what is wrong."""
    header = request.headers.get("authorization")
    if header is None or not header.strip():
        raise HTTPProblem(
            401,
            "MISSING_API_KEY",
            "No API key provided. Send it as 'Authorization: Bearer YOUR_API_KEY'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPProblem(
            401,
            "INVALID_AUTHORIZATION_HEADER",
            "The Authorization header must have the form 'Bearer YOUR_API_KEY'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token
