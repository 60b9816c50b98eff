"""Turn any failure into a short inline message that says what happened and what to do next.

The Studio never lets an exception escape into the kernel log from its background loop: the
user would not see it, and the widget would look stuck. Every failure becomes a
:class:`Notice`, shown in the widget, and the widget keeps accepting input.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import gizmo_notebook.client as _client

_BEARER = re.compile(r"(?i)(bearer\s+)\S+")


@dataclass(frozen=True)
class Notice:
    """One inline message: ``level`` is ``error`` / ``warning`` / ``info``."""

    level: str
    kind: str
    text: str
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _scrub(text: str) -> str:
    # Belt and braces: the client never puts the key in messages, but a proxy error page might
    # echo an Authorization header back; nothing that looks like one reaches the front end.
    return _BEARER.sub(r"\1[redacted]", text)


def _retry_after(exc: BaseException) -> float | None:
    value = getattr(exc, "retry_after", None)  # every client APIError carries it (None: no hint)
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None


def describe(exc: BaseException, *, doing: str = "") -> Notice:
    """A plain-language :class:`Notice` for ``exc``; ``doing`` says what was being attempted."""
    prefix = f"{doing}: " if doing else ""
    detail = _scrub(str(getattr(exc, "message", None) or exc) or type(exc).__name__)
    if isinstance(exc, _client.AuthenticationError):
        return Notice(
            "error",
            "auth",
            f"{prefix}the Gizmo API rejected the API key (401).",
            "Set a valid key in GIZMO_API_KEY (or pass GizmoClient(api_key=...)) and create the "
            "Studio again; without a key the Studio uses the offline local backend.",
        )
    if isinstance(exc, _client.InsufficientCreditsError):
        return Notice(
            "error",
            "credits",
            f"{prefix}the Gizmo account is out of generation credits (402).",
            "Nothing was generated or charged. See your credits and plan on the Gizmo dashboard "
            "(client.whoami() shows the key in use); the offline backend's budget is `serve --credits N`. "
            "Listing, previews and exports of existing assets keep working.",
        )
    if isinstance(exc, _client.PermissionDeniedError):
        return Notice("error", "permission", f"{prefix}{detail}", "This API key may not do that; check its access.")
    if isinstance(exc, _client.RateLimitError):
        wait = _retry_after(exc)
        when = f"in about {wait:.0f} s" if wait else "in a little while"
        return Notice(
            "warning",
            "rate_limit",
            f"{prefix}the Gizmo API rate limit was reached (429).",
            f"Nothing was lost; the Studio backs off and retries status checks by itself. Try again {when}.",
        )
    if isinstance(exc, _client.GenerationFailedError):
        return Notice(
            "error",
            "failed",
            f"{prefix}generation failed: {getattr(exc, 'reason', None) or detail}",
            "Rephrase the prompt (be specific about links, joints and size) and generate again.",
        )
    if isinstance(exc, (_client.BadRequestError, ValueError)):
        return Notice("error", "validation", f"{prefix}{detail}", "Fix the input and try again.")
    if isinstance(exc, _client.NotFoundError):
        return Notice("error", "not_found", f"{prefix}{detail}", "The asset may have been deleted; press Refresh.")
    if isinstance(exc, _client.APIConnectionError):
        return Notice(
            "error",
            "network",
            f"{prefix}cannot reach the Gizmo service.",
            "Check the network connection (or the base URL). The Studio keeps retrying status checks; "
            "press Generate again once you are back online.",
        )
    if isinstance(exc, _client.APIError):
        return Notice("error", "api", f"{prefix}{detail}", "The service had a problem; try again shortly.")
    return Notice("error", "internal", f"{prefix}{type(exc).__name__}: {detail}", "Try again; if it persists, report it.")
