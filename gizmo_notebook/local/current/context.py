"""The per-app state every current-contract handler shares, and the authentication step."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from gizmo_notebook.local.artifacts import Artifacts
from gizmo_notebook.local.auth import Principal, bearer_token
from gizmo_notebook.local.current.errors import CurrentError
from gizmo_notebook.local.current.events import EventBus
from gizmo_notebook.local.current.exports import ZipExports
from gizmo_notebook.local.current.jobs import JobRunner
from gizmo_notebook.local.current.store import CurrentStore
from gizmo_notebook.local.store import Store

__all__ = ["CurrentContext", "context"]


@dataclass
class CurrentContext:
    data_dir: Path
    keys: Store  # the alpha store: API keys are shared by both modes
    store: CurrentStore
    bus: EventBus
    runner: JobRunner
    artifacts: Artifacts
    exports: ZipExports
    executor: Executor
    credits: int | None
    ping_interval: float

    def authenticate(self, request: Request) -> Principal:
        """The caller from the Bearer key; 401 ``authentication_required`` if absent or unknown."""
        principal = self.keys.principal(bearer_token(request))
        if principal is None:
            raise CurrentError(
                401,
                "authentication_required",
                "The API key is not valid for this server. Check GIZMO_API_KEY / the key printed by "
                "'gizmo-notebook serve --api current'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return principal


def context(request: Request) -> CurrentContext:
    return request.app.state.gizmo_current
