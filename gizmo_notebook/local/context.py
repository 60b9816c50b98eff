"""The per-app state every route handler shares, and the two checks every API route starts with."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request

from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.auth import Principal, bearer_token
from gizmo_notebook.local.errors import HTTPProblem
from gizmo_notebook.local.jobs import Lifecycle
from gizmo_notebook.local.ratelimit import RateLimiter
from gizmo_notebook.local.signing import UrlSigner
from gizmo_notebook.local.store import Store

__all__ = ["ServerContext", "context"]


@dataclass
class ServerContext:
    data_dir: Path
    store: Store
    signer: UrlSigner
    limiter: RateLimiter | None
    lifecycle: Lifecycle
    artifacts: Artifacts
    executor: ThreadPoolExecutor

    def authenticate(self, request: Request) -> Principal:
        """The caller's identity from the Bearer key (401 if absent/unknown), after the rate limit."""
        principal = self.store.principal(bearer_token(request))
        if principal is None:
            raise HTTPProblem(
                401,
                "INVALID_API_KEY",
                "The API key is not valid for this server. Check GIZMO_API_KEY / the key printed by "
                "'gizmo-notebook serve'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if self.limiter is not None:
            self.limiter.hit(principal.key_id)
        return principal

    def export_response(self, request: Request, target_id: str, fmt: str, path: Path) -> dict[str, str]:
        """``{download_url, expires_at}`` for a cached export file, signed for ``url_ttl`` seconds."""
        token, expires = self.signer.sign(download_path(target_id, fmt, path.name))
        base = own_origin(request)
        url = f"{base}/v1/exports/{target_id}/{fmt}/{quote(path.name)}?token={token}"
        expires_at = datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"download_url": url, "expires_at": expires_at}


def own_origin(request: Request) -> str:
    """``http://host:port`` of the socket this request arrived on — never the ``Host`` header.

    A client (or anything that can make one send a request) controls ``Host``; a download URL built
    from it could point a user's next fetch, token included, at another machine.
    """
    server = request.scope.get("server")
    if not server or server[1] is None:  # a unix socket or an in-process test transport
        return f"http://127.0.0.1{request.scope.get('root_path', '')}"
    host, port = server
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{request.scope.get('root_path', '')}"


def download_path(target_id: str, fmt: str, filename: str) -> str:
    """The part of a download URL the signature covers."""
    return f"{target_id}/{fmt}/{filename}"


def context(request: Request) -> ServerContext:
    return request.app.state.gizmo
