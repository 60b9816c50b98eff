"""The typed interface between the Studio and a Gizmo client, and the one retry rule it follows.

The Studio talks to the service only through :class:`StudioService`; both contracts implement
it through the same client (:class:`gizmo_notebook.studio._client_adapter.ClientAdapter`), because the
client already hides which contract is spoken. What differs shows up as *data*, not as a
branch on a version string: on the current API ``create`` answers a pending placeholder whose
``job_id`` is set (the asset exists only once its job is done), so the Studio follows the
job's events (:meth:`StudioService.events`, :meth:`StudioService.finish_job`) and can cancel
it; on the alpha API ``create`` answers the asset itself and the status poller watches it.

Retrying is decided in one place, :func:`retry_delay`, from the *client's*
:class:`~gizmo_notebook.client._retry.RetryPolicy` (its backoff curve and its cap on
``Retry-After``), so the poller and the batch loop back off exactly like the client does and
read the server's hint from ``exc.retry_after``, which every ``APIError`` carries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import gizmo_notebook.client as _client
from gizmo_notebook.client._retry import RetryPolicy

__all__ = ["StudioService", "job_of", "retry_delay"]


@runtime_checkable
class StudioService(Protocol):
    """Everything the Studio, its poller and its previews ask of the Gizmo service."""

    @property
    def is_local(self) -> bool: ...

    @property
    def base_url(self) -> str: ...

    @property
    def rate_limit(self) -> _client.RateLimit | None:
        """What the latest response said about the rate limit (``None`` if it said nothing)."""

    @property
    def retry_policy(self) -> RetryPolicy: ...

    async def create(self, prompt: str, name: str | None, tags: Sequence[str] | None) -> _client.Asset:
        """Start a generation: the asset (alpha) or a placeholder with ``job_id`` set (current)."""

    async def get(self, asset_id: str) -> _client.Asset: ...

    async def list(self, limit: int, offset: int) -> _client.AssetPage: ...

    async def download(self, asset_id: str, fmt: str, dest: Path | None = None) -> Path:
        """The export file: in the client's cache, or (with ``dest``) copied or unpacked there."""

    def events(self, job_id: str) -> AsyncIterator[_client.JobEvent]:
        """The job's events until it ends (the client resumes dropped streams, or polls)."""

    async def finish_job(self, job_id: str) -> _client.Asset:
        """The ready asset a finished job made; raises ``GenerationFailedError`` /
        ``GenerationCancelledError`` with the server's reason."""

    async def cancel(self, job_id: str) -> _client.Job: ...

    # Scenes (the Studio's scene mode): generated from one prompt on the current API only.
    async def api_version(self) -> str:
        """``"alpha"`` or ``"current"`` (decided once by the client, without side effects)."""

    async def submit_scene(self, prompt: str) -> _client.Job:
        """Start a scene job (current API); ``UnsupportedByAPIVersionError`` on alpha."""

    async def get_scene(self, scene_id: str) -> _client.Scene: ...

    async def list_scenes(self, limit: int) -> _client.ScenePage:
        """The first ``limit`` scenes the service lists (a later Studio shows the ready ones)."""

    async def download_scene(self, scene_id: str, fmt: str, dest: Path) -> Path: ...

    async def finish_scene_job(self, job_id: str) -> _client.Scene:
        """The ready scene a finished scene job made; raises like :meth:`finish_job`."""


def job_of(asset: Any) -> str | None:
    """The job to follow for a just-created ``asset``: set only for the current API's placeholder."""
    job_id = getattr(asset, "job_id", None)
    return job_id if isinstance(job_id, str) and job_id and getattr(asset, "id", None) == job_id else None


#: Failures that waiting cannot fix: retrying them only burns requests (and, for 402, credits' patience).
_FINAL = (
    _client.AuthenticationError,
    _client.PermissionDeniedError,
    _client.InsufficientCreditsError,
    _client.BadRequestError,
    _client.NotFoundError,
    _client.UnprocessableEntityError,
    _client.GenerationFailedError,
    _client.UnsupportedByAPIVersionError,
    ValueError,
)


def retry_delay(policy: RetryPolicy, attempt: int, exc: BaseException) -> float | None:
    """Seconds to wait before trying again after ``exc`` (``attempt`` counts from 0), or ``None``.

    The server's hint (``exc.retry_after``, from ``Retry-After`` or ``X-RateLimit-Reset``) wins,
    capped by the client's ``max_retry_after``; otherwise the client's exponential backoff.
    Unlike one client call, the Studio's background loops never run out of attempts: a poller
    simply keeps backing off (capped) until the network is back.
    """
    if isinstance(exc, _FINAL):
        return None
    hint = getattr(exc, "retry_after", None)
    if isinstance(exc, _client.RateLimitError) and isinstance(hint, (int, float)) and hint >= 0:
        return min(float(hint), policy.max_retry_after)
    if isinstance(exc, (_client.RateLimitError, _client.APIConnectionError, _client.APIError)):
        return policy.backoff(attempt)
    return None
