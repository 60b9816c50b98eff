"""Where the client talks to and with which key: arguments, then environment, then defaults.

The API key never lives in a plain attribute or local variable longer than it takes to wrap it in
:class:`_Secret`, whose ``repr`` is masked, so reprs, log lines and traceback variable dumps
(``capture_locals``) cannot leak it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from gizmo_notebook._offline import start_offline_backend
from gizmo_notebook.errors import InvalidValueError
from gizmo_notebook.paths import cache_dir

__all__ = ["DEFAULT_BASE_URL", "Settings", "default_cache_dir", "is_loopback_url", "resolve_settings", "wrap_key"]

DEFAULT_BASE_URL = "https://api.gizmo.antimlabs.com/v1"
API_KEY_ENV = "GIZMO_API_KEY"
BASE_URL_ENV = "GIZMO_BASE_URL"

_log = logging.getLogger("gizmo_notebook.client")
_announce_lock = threading.Lock()
_announced = False


class _Secret:
    """Holds the API key; every textual form of it is masked.

    Pickling is refused so the key cannot ride along into a saved notebook or a multiprocessing
    payload by accident.
    """

    __slots__ = ("_encoded", "_value", "__weakref__")

    def __init__(self, value: str) -> None:
        self._value = value
        self._encoded = _encoded_forms(value) if value else None
        if value:
            with _LIVE_SECRETS_LOCK:
                _LIVE_SECRETS.add(self)
            _install_log_redaction()

    def reveal(self) -> str:
        return self._value

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the key replaced (a server may echo headers back).

        Also the key as a server would write it into a URL or a raw JSON text: each character
        literal, percent-encoded (either case of hex, ``+`` for a space) or ``\\uXXXX``-escaped.
        """
        if not self._value:
            return text
        text = text.replace(self._value, "****")
        if self._encoded is not None and ("%" in text or "\\u" in text or "+" in text):
            text = self._encoded.sub("****", text)
        return text

    def header_problem(self) -> str | None:
        """What keeps the key out of an ``Authorization`` header, without showing any of it; else ``None``."""
        for position, char in enumerate(self._value):
            if "!" <= char <= "~":  # visible ASCII: what tokens are made of
                continue
            if char in "\r\n":
                kind = "a line break"
            elif char.isspace():
                kind = "a space"
            elif char.isascii():
                kind = "a control character"
            else:
                kind = "a character outside ASCII"
            return f"holds {kind} at position {position}, which an HTTP header cannot carry"
        return None

    def __repr__(self) -> str:
        return "<secret ****>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("the Gizmo API key cannot be pickled")


def _encoded_forms(key: str) -> re.Pattern[str]:
    """A pattern for ``key`` with any of its characters percent- or ``\\uXXXX``-escaped."""
    parts = []
    for char in key:
        forms = [re.escape(char)]
        forms += [
            "".join(f"%(?i:{byte:02x})" for byte in char.encode("utf-8", "surrogatepass")),
            f"\\\\u(?i:{ord(char):04x})" if ord(char) <= 0xFFFF else "",
        ]
        if char == " ":
            forms.append(r"\+")
        parts.append("(?:" + "|".join(f for f in forms if f) + ")")
    return re.compile("".join(parts))


#: Every key a client of this process holds, so log records can be scrubbed of them.
_LIVE_SECRETS: weakref.WeakSet[_Secret] = weakref.WeakSet()
#: A WeakSet must not grow while another thread copies it (RuntimeError inside a log call).
_LIVE_SECRETS_LOCK = threading.Lock()
#: The loggers that print what a server sent before the client sees it: httpx logs each response's
#: status line (reason phrase included) at INFO, httpcore its raw headers at DEBUG. A server echoing
#: the ``Authorization`` header there would put the key in a log line. Filters are per logger (a
#: parent's do not run for a child's records), hence the full list.
_SCRUBBED_LOGGERS = (
    "httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy", "httpcore.socks",
    "gizmo_notebook", "gizmo_notebook.client",
)  # fmt: skip


class _RedactSecrets(logging.Filter):
    """Rewrites a record whose rendered message holds a live key, with the key masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _LIVE_SECRETS_LOCK:
            secrets = list(_LIVE_SECRETS)
        if not secrets:
            return True
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report, not ours
            return True
        cleaned = text
        for secret in secrets:
            cleaned = secret.redact(cleaned)
        if cleaned != text:
            record.msg, record.args = cleaned, None
        return True


_REDACT_FILTER = _RedactSecrets()


def _install_log_redaction() -> None:
    for name in _SCRUBBED_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACT_FILTER not in logger.filters:
            logger.addFilter(_REDACT_FILTER)


@dataclass(frozen=True)
class Settings:
    base_url: str
    secret: _Secret | None
    is_local: bool
    #: True for the key-less default: the offline backend started inside this process.
    embedded: bool = False


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _clean_base_url(value: str, origin: str) -> str:
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValueError(
            f"{origin} must be an http(s) URL such as {DEFAULT_BASE_URL!r}, got {value!r}"
        )
    if parts.query or parts.fragment:
        raise InvalidValueError(f"{origin} must not carry a query string or fragment, got {value!r}")
    return url


def wrap_key(api_key: str | None) -> _Secret | None:
    """The configured key (argument, else ``GIZMO_API_KEY``) wrapped, or ``None`` when there is none.

    A key no HTTP header can carry (a line break, a space, a control or non-ASCII character: a
    paste gone wrong) is refused here, without repeating it, rather than by httpx or h11 on the
    first request with an error that quotes the whole header. Callers drop their own reference to
    the plain key in a ``finally``, so no frame of the traceback holds it.
    """
    if api_key is not None and not isinstance(api_key, str):
        raise TypeError(f"api_key must be a string, got {type(api_key).__name__}")
    origin = "api_key" if api_key else API_KEY_ENV
    secret = _Secret((api_key or os.environ.get(API_KEY_ENV) or "").strip())
    del api_key
    problem = secret.header_problem()
    if problem is not None:
        raise InvalidValueError(f"{origin} {problem}; check that only the key was pasted")
    return secret if secret.reveal() else None


def resolve_settings(secret: _Secret | None, base_url: str | None, api_version: str = "auto") -> Settings:
    """Settle base URL and key; with no key at all, start (or reuse) the offline backend.

    The offline backend serves the alpha contract unless ``api_version="current"`` is asked for.
    """
    explicit = base_url if base_url is not None else os.environ.get(BASE_URL_ENV) or None
    origin = "base_url" if base_url is not None else BASE_URL_ENV
    if explicit is not None:
        url = _clean_base_url(explicit, origin)
        if secret is None and not is_loopback_url(url):
            raise InvalidValueError(
                f"no API key for {url}: pass api_key=... or set {API_KEY_ENV}, "
                f"or unset {BASE_URL_ENV} to use the offline local backend"
            )
        return Settings(base_url=url, secret=secret, is_local=is_loopback_url(url))
    if secret is not None:
        return Settings(base_url=DEFAULT_BASE_URL, secret=secret, is_local=False)
    return _local_settings(api_version)


def _local_settings(api_version: str) -> Settings:
    # the package root chose which backend; the client never imports it
    backend = start_offline_backend(api="current" if api_version == "current" else "alpha")
    url = _clean_base_url(backend.base_url, "the local backend URL")
    _announce_local(url, backend.data_dir)
    return Settings(base_url=url, secret=_Secret(backend.api_key) if backend.api_key else None, is_local=True,
                    embedded=True)


def _announce_local(url: str, data_dir: object) -> None:
    """Say once per process, plainly, that we are offline — users must not mistake it for the service."""
    global _announced
    with _announce_lock:
        if _announced:
            return
        _announced = True
    where = f" (data in {data_dir})" if data_dir else ""
    if _in_notebook():
        # A logging warning lands in a notebook as a red stderr block, which reads as an error;
        # this is information, so one plain line on stdout (the log still gets the details).
        print(f"gizmo-notebook: using the offline local backend (set {API_KEY_ENV} for the Gizmo service)", flush=True)
        _log.info("gizmo-notebook: offline local backend at %s%s", url, where)
        return
    _log.warning(
        "gizmo-notebook: no API key configured (%s), using the offline local backend at %s%s",
        API_KEY_ENV,
        url,
        where,
    )


def _in_notebook() -> bool:
    """True where stdout is a cell's output: a Jupyter kernel (JupyterLab, Notebook 7, Voila,
    VS Code, Colab) or a marimo notebook (``marimo edit`` shows a cell's console under it)."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    # by class name along the MRO: Colab's shell subclasses ipykernel's (and ipykernel is not imported
    # here just to ask)
    if shell is not None and any(c.__name__ == "ZMQInteractiveShell" for c in type(shell).__mro__):
        return True
    marimo = sys.modules.get("marimo")  # only if the host imported it; never imported here
    running = getattr(marimo, "running_in_notebook", None)
    return bool(callable(running) and running())


def default_cache_dir() -> Path:
    """``GIZMO_CACHE_DIR`` if set, else the platform's user cache directory for this package."""
    return cache_dir()
