"""``gizmo-notebook serve``: run the offline Gizmo-compatible server in the foreground.

Keys come from ``--api-key-file`` (one a line), ``$GIZMO_SERVE_API_KEYS`` (comma or space
separated) or ``--api-key`` — the first two keep them out of ``ps`` and ``/proc/<pid>/cmdline``;
read-only keys likewise from ``--read-only-key-file``, ``$GIZMO_SERVE_READ_ONLY_KEYS`` or
``--read-only-key``.
With none, the data dir's default key is used (created on first run) and printed so
``GIZMO_BASE_URL=... GIZMO_API_KEY=...`` can be pasted into another shell or a notebook — but only
when stdout is a terminal: redirected to a log file, the banner names the key file instead.
"""

from __future__ import annotations

import argparse
import math
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from gizmo_notebook._version import __version__
from gizmo_notebook.errors import GizmoError

__all__ = ["KEYS_ENV", "READ_ONLY_KEYS_ENV", "build_parser", "main"]

KEYS_ENV = "GIZMO_SERVE_API_KEYS"
READ_ONLY_KEYS_ENV = "GIZMO_SERVE_READ_ONLY_KEYS"


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative number of seconds, got {text!r}")
    return value


def _positive(text: str) -> float:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a positive number of seconds")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}")
    return value


def _rate(text: str) -> str:
    from gizmo_notebook.local.ratelimit import parse_rate

    try:
        parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes "²" (on which ``int()`` raises) and other
    scripts' digits ("٨٠" would be port 80), as the current-API server's ``is_count`` says."""
    return text.isascii() and text.isdigit()


def _count(text: str) -> int:
    if not _digits(text):
        raise argparse.ArgumentTypeError(f"expected a whole number of credits, got {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not _digits(text) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gizmo-notebook", description="gizmo-notebook command line tools.")
    parser.add_argument("--version", action="version", version=f"gizmo-notebook {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the offline Gizmo-compatible API server",
        description="Run the offline Gizmo-compatible API server (paths under /v1, as the Gizmo docs).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    serve.add_argument("--port", type=_port, default=8765, help="port, 0 for any free one (default: %(default)s)")
    serve.add_argument(
        "--data-dir", default=None, help="state directory (default: $GIZMO_DATA_DIR or the user data dir)"
    )
    _add_key_options(serve, "api-key", KEYS_ENV, "",
                     "; with no key from any source the data dir's default key is used and printed")
    _add_key_options(serve, "read-only-key", READ_ONLY_KEYS_ENV, ", for reading and exporting only")
    serve.add_argument(
        "--latency", type=_non_negative, default=2.0, help="simulated generation time in seconds (default: 2)"
    )
    serve.add_argument("--fail-rate", type=_fraction, default=0.0, help="fraction of assets that fail (0-1)")
    serve.add_argument("--seed", type=int, default=None, help="seed for --fail-rate, for repeatable runs")
    serve.add_argument(
        "--rate-limit", type=_rate, default=None, metavar="N/min", help="per-key limit, e.g. 60/min (default: off)"
    )
    serve.add_argument(
        "--url-ttl", type=_positive, default=3600.0, help="download URL lifetime in seconds (default: 3600)"
    )
    serve.add_argument(
        "--api", choices=["alpha", "current"], default="alpha",
        help="which Gizmo API contract to serve: the alpha pages (default) or the current job-based API",
    )
    serve.add_argument(
        "--credits", type=_count, default=None, metavar="N",
        help="with --api current: each key's generation budget; past it requests get 402 (default: unlimited)",
    )
    serve.add_argument(
        "--job-lease", type=_positive, default=15.0, metavar="SECONDS",
        help="how long a generation job stays with this server without renewal; another server on the "
        "same data dir takes over the jobs of one that died after this long (default: 15)",
    )
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return parser


class _UsageError(GizmoError):
    """A problem with what the user gave us: printed as one line, exit status 2."""


def _add_key_options(parser: argparse.ArgumentParser, option: str, env: str, scope: str, note: str = "") -> None:
    """``--<option>`` and ``--<option>-file``: keys of one kind given on the command line (seen
    by every local user in ``ps``) or, better, in a file; ``env`` adds more (:func:`_keys_from`)."""
    parser.add_argument(
        f"--{option}", action="append", default=[], metavar="KEY",
        help=f"accept this key{scope} (repeatable; visible to other local users in ps, prefer --{option}-file "
        f"or ${env}){note}",
    )
    parser.add_argument(
        f"--{option}-file", action="append", default=[], metavar="FILE",
        help=f"accept the keys in FILE, one a line{scope} (blank lines and # comments ignored; repeatable); "
        f"${env} (comma or space separated) adds more",
    )


def _keys_from_file(name: str, option: str) -> list[str]:
    try:
        text = Path(name).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        # the reason only: a UnicodeDecodeError's text quotes the file's bytes, which may be a key
        reason = getattr(exc, "strerror", None) or ("not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "")
        raise _UsageError(f"cannot read {option} {name}: {reason or type(exc).__name__}") from None
    keys = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not keys:
        raise _UsageError(f"{option} {name} holds no key (one key a line)")
    return keys


def _keys_from(given: list[str], files: list[str], option: str, env: str) -> list[str]:
    """Keys from the command line, then the files, then ``$env``, in that order, without repeats."""
    keys = list(given)
    for name in files:
        keys.extend(_keys_from_file(name, option))
    keys.extend(os.environ.get(env, "").replace(",", " ").split())
    return list(dict.fromkeys(keys))


def _configured_keys(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """(full keys, read-only keys) from every source; a key named as both is refused, not silently scoped."""
    full = _keys_from(args.api_key, args.api_key_file, "--api-key-file", KEYS_ENV)
    read_only = _keys_from(args.read_only_key, args.read_only_key_file, "--read-only-key-file", READ_ONLY_KEYS_ENV)
    if set(full) & set(read_only):
        raise _UsageError("a key is given both as a full key and as a read-only key; give each key one scope")
    return full, read_only


def _print_key_banner(base_url: str, key: str, key_file: Path) -> None:
    """The generated key goes only to a terminal; a log file or pipe gets where to read it instead."""
    if sys.stdout.isatty():
        print(f"  API key:  {key}", flush=True)
        print(f"  export GIZMO_BASE_URL={base_url} GIZMO_API_KEY={key}", flush=True)
    else:
        print(f"  API key:  in {key_file} (not printed: output is not a terminal)", flush=True)
        print(f'  export GIZMO_BASE_URL={base_url} GIZMO_API_KEY="$(cat {key_file})"', flush=True)


def _serve(args: argparse.Namespace) -> int:
    try:
        return _run_server(args)
    except _UsageError as exc:
        print(f"gizmo-notebook serve: {exc}", file=sys.stderr)
        return 2


def _run_server(args: argparse.Namespace) -> int:
    import uvicorn

    from gizmo_notebook.local.accesslog import hide_query_strings
    from gizmo_notebook.local.auth import new_key
    from gizmo_notebook.local.paths import (
        DEFAULT_KEY_FILE,
        DataDirError,
        default_data_dir,
        read_or_create_secret,
    )
    from gizmo_notebook.local.protocol import protocol_for
    from gizmo_notebook.local.server import create_app

    data_dir = default_data_dir() if args.data_dir is None else Path(args.data_dir)
    data_dir = data_dir.expanduser().resolve()
    keys, read_only_keys = _configured_keys(args)
    generated = None
    if not keys:
        try:
            generated = read_or_create_secret(data_dir / DEFAULT_KEY_FILE, new_key())
        except OSError as exc:
            raise _UsageError(DataDirError.explain(data_dir, exc)) from None
        keys = [generated]
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto set: asyncio then enables TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sock.close()
        print(f"gizmo-notebook serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        print("  pick another --port (or --port 0 for any free one)", file=sys.stderr)
        return 2
    # Listen now, before the banner: a client that reads the URL and connects at once is queued
    # in the backlog until uvicorn accepts, instead of refused while the app is still starting.
    sock.listen(2048)
    port = sock.getsockname()[1]
    options = {"api": "current", "credits": args.credits} if args.api == "current" else {}
    if args.credits is not None and args.api != "current":
        print("gizmo-notebook serve: --credits needs --api current", file=sys.stderr)
        sock.close()
        return 2
    try:
        app = create_app(
            data_dir,
            api_keys=keys,
            read_only_keys=read_only_keys,
            latency=args.latency,
            fail_rate=args.fail_rate,
            seed=args.seed,
            rate_limit=args.rate_limit,
            url_ttl=args.url_ttl,
            job_lease=args.job_lease,
            **options,
        )
    except DataDirError as exc:
        sock.close()
        raise _UsageError(str(exc)) from None
    host = f"[{args.host}]" if ":" in args.host else args.host
    base_url = f"http://{host}:{port}/v1"
    print(f"Gizmo local server: {base_url}", flush=True)
    print(f"  data dir: {data_dir}", flush=True)
    if args.api == "current":
        print("  API:      current (jobs, event streams, ZIP exports)", flush=True)
    if generated is not None:
        _print_key_banner(base_url, generated, data_dir / DEFAULT_KEY_FILE)
    config = uvicorn.Config(
        app, log_level=args.log_level, lifespan="on", http=protocol_for(args.api), server_header=False, backlog=2048
    )
    hide_query_strings()  # download URLs carry their token in the query
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shuts down gracefully, then re-raises the Ctrl-C it caught
        pass
    print("Gizmo local server stopped.", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
