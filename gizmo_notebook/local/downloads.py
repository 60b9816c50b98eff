"""``GET /v1/exports/{id}/{format}/{file}?token=...``: the pre-signed download an export points to.

No API key here (a download URL is meant to be handed to ``curl -O`` or a browser); the
signed token is the authorisation. The signature is checked before the file is looked up, so
an invalid URL cannot probe which exports exist.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from gizmo_notebook.local.context import context, download_path
from gizmo_notebook.local.errors import HTTPProblem

__all__ = ["media_type", "routes"]

# Exports up to this size are answered from one read on the event loop (page-cache fast);
# FileResponse would cost a worker-thread hop per stat and per chunk, which dominated the
# download time of typical (tens of kB) exports under load.
_INLINE_BYTES = 512 * 1024

def media_type(filename: str) -> str:
    """The export's Content-Type; the exporters own the suffix -> type table."""
    from gizmo_notebook.local.exporters import media_type_for

    return media_type_for(filename)


async def download(request: Request) -> Response:
    ctx = context(request)
    target_id = request.path_params["target_id"]
    fmt = request.path_params["format"]
    filename = request.path_params["filename"]
    ctx.signer.verify(download_path(target_id, fmt, filename), request.query_params.get("token"))
    path = ctx.artifacts.cached_export(target_id, fmt)
    if path is None or path.name != filename:
        raise HTTPProblem(404, "EXPORT_NOT_FOUND", "This export no longer exists on the server; request a new export.")
    stat = path.stat()
    if stat.st_size > _INLINE_BYTES:
        return FileResponse(path, media_type=media_type(filename), filename=filename, stat_result=stat)
    return Response(
        path.read_bytes(),
        media_type=media_type(filename),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


routes = [Route("/v1/exports/{target_id}/{format}/{filename}", download, methods=["GET"])]
