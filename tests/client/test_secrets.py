"""The API key never shows up in a repr, an exception, a traceback's locals or a log line."""

from __future__ import annotations

import logging
import pickle
import re
import traceback

import httpx
import pytest

from gizmo_notebook.client import GizmoClient
from gizmo_notebook.client._config import _Secret

from .conftest import BASE, KEY, asset_json


def dump(exc: BaseException) -> str:
    """Everything a crash reporter could show: message, repr, chained causes and every frame's locals."""
    text = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    return text + repr(exc) + str(exc) + repr(getattr(exc, "body", None))


def test_client_repr_has_no_key(make_client):
    client = make_client()
    for text in (repr(client), str(client), repr(vars(client)), repr(client._ctx), repr(client._settings)):
        assert KEY not in text
    assert BASE in repr(client)


def test_secret_is_masked_and_cannot_be_pickled():
    secret = _Secret(KEY)
    assert KEY not in repr(secret) and KEY not in str(secret) and KEY not in f"{secret}"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)


def run_and_capture(call) -> BaseException:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - we want whatever it raised
        return exc
    raise AssertionError("expected an exception")


@pytest.mark.parametrize(
    ("response", "method"),
    [
        # a server (or proxy) that echoes the Authorization header back in its error
        (httpx.Response(401, json={"error": "auth", "code": "BAD", "message": f"key Bearer {KEY} is wrong"}), "get"),
        (httpx.Response(500, text=f"<pre>Authorization: Bearer {KEY}</pre>"), "get"),
        (httpx.Response(200, text=f"not json {KEY}"), "get"),
        (httpx.Response(403, json={"error": "x", "code": "Y", "message": "no", "echo": {"auth": KEY}}), "get"),
        (httpx.Response(503, json={"error": "x", "code": "Y", "message": KEY}), "create"),
    ],
)
def test_errors_and_tracebacks_never_contain_the_key(api, make_client, response, method):
    api.add("GET", "/v1/assets/ast_1", response)
    api.add("POST", "/v1/assets", response)
    client = make_client(max_retries=0)
    call = (lambda: client.assets.get("ast_1")) if method == "get" else (lambda: client.assets.create("arm"))
    exc = run_and_capture(call)
    assert KEY not in dump(exc)
    assert "****" in str(exc) or "****" in repr(exc.body)


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError(f"boom {KEY}"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")],
)
def test_transport_errors_never_leak_the_key(api, make_client, failure):
    api.add("GET", "/v1/assets/ast_1", failure)
    exc = run_and_capture(lambda: make_client(max_retries=1).assets.get("ast_1"))
    assert KEY not in dump(exc)


def test_validation_and_construction_errors_never_leak_the_key(make_client, monkeypatch):
    exc = run_and_capture(lambda: make_client().assets.create("  "))
    assert KEY not in dump(exc)
    # construction fails after the key was given: the frames' locals must not hold it in clear
    exc = run_and_capture(lambda: GizmoClient(api_key=KEY, base_url="ftp://nope"))
    assert isinstance(exc, ValueError) and KEY not in dump(exc)
    monkeypatch.setenv("GIZMO_API_KEY", KEY)
    exc = run_and_capture(lambda: GizmoClient(base_url="ftp://nope"))
    assert KEY not in dump(exc)


def test_download_errors_never_leak_the_key(api, make_client):
    api.add("POST", "/v1/assets/ast_1/export", httpx.Response(200, json={"download_url": "https://cdn.test/a.xml"}))
    api.add("GET", "/a.xml", httpx.Response(404))
    exc = run_and_capture(lambda: make_client().assets.download("ast_1", "mujoco_mjcf"))
    assert KEY not in dump(exc)


def test_debug_logging_of_a_mocked_session_never_contains_the_key(api, make_client, caplog):
    api.add("GET", "/v1/assets/ast_1", httpx.Response(503), httpx.Response(200, json=asset_json()))
    with caplog.at_level(logging.DEBUG):
        make_client().assets.get("ast_1")
    assert caplog.records, "expected retry logging"
    assert KEY not in caplog.text
    assert all(KEY not in repr(r.args) for r in caplog.records)


def test_key_is_only_sent_under_the_base_url(api, make_client):
    """Even a request built for another origin through the API client would not get the key."""
    api.add("GET", "/v1/assets/ast_1", httpx.Response(200, json=asset_json()))
    api.add("GET", "/elsewhere", httpx.Response(200, json={}))
    client = make_client()
    client.assets.get("ast_1")
    client._runner._api.get("https://evil.example.test/elsewhere")
    client._runner._api.get("https://api.example.test/elsewhere")  # same host, outside /v1
    sent = {str(r.url): r.headers.get("authorization") for r in api.requests}
    assert sent[f"{BASE}/assets/ast_1"] == f"Bearer {KEY}"
    assert sent["https://evil.example.test/elsewhere"] is None
    assert sent["https://api.example.test/elsewhere"] is None


@pytest.mark.parametrize(
    "echo",
    [
        "{key}",  # as sent
        "https://files.test/dl?k={pct}",  # percent-encoded in a URL a server built
        "https://files.test/dl?k={pct_lower}",  # ...with lower-case hex
        "key={plus}",  # form-encoded
        '{{"echo": "{json}"}}',  # JSON-escaped in a raw body shown as text
    ],
)
def test_redaction_catches_the_key_in_every_encoding_a_server_echoes(echo: str) -> None:
    from urllib.parse import quote, quote_plus

    key = "sk+live/Ab9=="
    pct = quote(key, safe="")
    text = echo.format(
        key=key, pct=pct, pct_lower=re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), pct),
        plus=quote_plus(key), json="".join(f"\\u{ord(c):04x}" if not c.isalnum() else c for c in key),
    )
    redacted = _Secret(key).redact(f"before {text} after")
    assert redacted.startswith("before ") and redacted.endswith(" after") and "****" in redacted
    for form in (key, pct, quote_plus(key), pct.lower()):
        assert form not in redacted
    assert "Ab9" not in redacted


@pytest.mark.parametrize("key", ["gzm_abc\ud83d", "gzm_abc\r\nX-Injected: 1", "gzm_abc\x00def", "gzm_clé_secret",
                                 "gzm abc"])
def test_a_key_no_http_header_can_carry_is_refused_without_showing_it(key, monkeypatch) -> None:
    """A key pasted with a line break, a NUL, a space or a non-ASCII character (or cut mid-emoji)
    cannot be sent; said at construction, as an InvalidValueError that does not repeat the key —
    not later as a UnicodeEncodeError or an h11 "illegal header value" quoting it."""
    from gizmo_notebook.errors import InvalidValueError

    makers = [lambda: GizmoClient(api_key=key, base_url="http://127.0.0.1:9/v1")]
    if "\ud83d" not in key and "\x00" not in key:  # what an environment variable can hold
        makers.append(lambda: (monkeypatch.setenv("GIZMO_API_KEY", key), GizmoClient(base_url="http://127.0.0.1:9/v1")))
    for make in makers:
        exc = run_and_capture(make)
        assert isinstance(exc, InvalidValueError), exc
        assert "api_key" in str(exc) or "GIZMO_API_KEY" in str(exc)
        # the package's frames (the test's own lambda holds the key, of course)
        stack = traceback.TracebackException.from_exception(exc, capture_locals=True).stack
        frames = "".join(repr(f.locals) for f in stack if "/gizmo_notebook/" in f.filename)
        text = frames + str(exc) + repr(exc) + repr(vars(exc))
        assert "/gizmo_notebook/client/" in "".join(f.filename for f in stack)
        assert "gzm_abc" not in text and "clé" not in text and "gzm abc" not in text


def test_log_scrubbing_survives_clients_being_made_on_other_threads() -> None:
    """The scrubbing filter copies the set of live keys on every httpx log record; a key wrapped on
    another thread meanwhile (a second client) must not make that log call raise."""
    import logging
    import threading
    import time

    from gizmo_notebook.client import _config

    log = logging.getLogger("httpx")
    keep = [_config._Secret(f"k{i}") for i in range(2000)]
    errors: list[BaseException] = []
    stop = time.monotonic() + 1.5

    def make() -> None:
        while time.monotonic() < stop:
            keep.append(_config._Secret("x" * 8))
            if len(keep) > 5000:
                del keep[:3000]

    def emit() -> None:
        while time.monotonic() < stop:
            try:
                log.warning("HTTP Request: %s", "GET")
            except Exception as exc:  # noqa: BLE001 - any exception out of a log call is the failure
                errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(2)] + [threading.Thread(target=emit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
