"""Polling an asset until it is ready, with a progress bar, written once for both clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gizmo_notebook.client._errors import GenerationFailedError, WaitTimeoutError
from gizmo_notebook.client._records import Asset, AssetStatus
from gizmo_notebook.client._runtime._flow import ClientContext, Flow, Now, Sleep

__all__ = ["SERVICE_MIN_INTERVAL", "LOCAL_INTERVAL", "poll_interval_for", "wait_flow"]

#: The docs ask for "a polling interval of at least 5 seconds" against the service.
SERVICE_MIN_INTERVAL = 5.0
#: The local backend is on this machine; polling it quickly costs nothing and feels responsive.
LOCAL_INTERVAL = 0.2


def poll_interval_for(ctx: ClientContext, requested: float | None) -> float:
    """The interval to use: the caller's, never below 5 s against the service; fast locally by default."""
    if ctx.is_local:
        return requested if requested is not None else LOCAL_INTERVAL
    return max(requested if requested is not None else SERVICE_MIN_INTERVAL, SERVICE_MIN_INTERVAL)


class _Progress:
    """A tqdm.auto bar showing the status (and percentage when the server reports ``progress``)."""

    def __init__(self, asset_id: str, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=100, desc=asset_id, bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}]")
        self._asset_id = asset_id

    def update(self, asset: Asset) -> None:
        if self._bar is None:
            return
        if asset.status is AssetStatus.READY:
            done = 100.0
        else:
            fraction = asset.progress
            done = 100.0 * fraction if fraction is not None else float(self._bar.n)
        self._bar.n = round(done, 1)
        self._bar.set_description_str(f"{self._asset_id} {asset.status_text}", refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def wait_flow(
    ctx: ClientContext,
    get: Callable[[], Flow[Asset]],
    asset_id: str,
    *,
    timeout: float,
    poll_interval: float | None,
    progress: bool,
) -> Flow[Asset]:
    """Poll ``get()`` until ready; raise ``GenerationFailedError`` / ``WaitTimeoutError`` otherwise."""
    interval = poll_interval_for(ctx, poll_interval)
    started = yield Now()
    bar = _Progress(asset_id, progress)
    try:
        while True:
            asset = yield from get()
            bar.update(asset)
            if asset.status is AssetStatus.READY:
                return asset
            if asset.status is AssetStatus.FAILED:
                raise GenerationFailedError(asset)
            remaining = started + timeout - (yield Now())
            if remaining <= 0:
                raise WaitTimeoutError(asset_id, timeout, asset.status_text)
            yield Sleep(min(interval, remaining))
    finally:
        bar.close()
