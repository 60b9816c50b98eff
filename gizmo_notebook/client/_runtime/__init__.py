"""Request plumbing shared by :class:`GizmoClient` and :class:`AsyncGizmoClient`.

Operations are written once, as generators ("flows") that yield small effect objects — send this
request, stream that download, sleep, read the clock — and receive the results. A sync runner
performs effects with ``httpx.Client`` and ``time.sleep``; an async runner with
``httpx.AsyncClient`` and ``asyncio.sleep``. So retry, pagination, wait and download logic exist
in exactly one copy and the two clients cannot drift apart.

Named ``_runtime`` (it was ``_transport``): ``GizmoClient(transport=...)`` takes an *httpx*
transport, which is a different thing; here live the flows (``_flow``) and the two runners
(``_sync``, ``_async``) that perform their effects.
"""
