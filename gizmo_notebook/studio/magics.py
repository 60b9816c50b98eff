"""IPython magics: ``%gizmo`` (a Studio), ``%%gizmo`` (a prompt cell), ``%gizmo view PATH``.

A ``%%gizmo`` cell returns as soon as the job is submitted: its output is a small Studio in
"job" mode that shows the live status and then the inline preview, all updated from the
Studio's background loop, so the next cell can run straight away. Re-running the edited
cell is the iteration loop.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from gizmo_notebook.errors import GizmoError
from gizmo_notebook.studio import _runtime
from gizmo_notebook.studio.widget import Studio, check_prompt, parse_tags

USAGE = """\
%gizmo                      show a Studio
%gizmo view PATH            preview a URDF / MJCF / USD / .zip file
%%gizmo [--name N] [--tags a,b]
<prompt>                    generate the cell body; live status and preview in the output
"""


class MagicUsageError(GizmoError, ValueError):
    """Bad ``%gizmo`` arguments; the message carries the usage text."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="%%gizmo", add_help=False, exit_on_error=False)
    parser.add_argument("--name", default=None)
    parser.add_argument("--tags", default=None)
    return parser


def parse_cell_args(line: str) -> tuple[str | None, list[str]]:
    try:
        ns, extra = _parser().parse_known_args(shlex.split(line))
    except (argparse.ArgumentError, ValueError) as exc:
        raise MagicUsageError(f"{exc}\n\n{USAGE}") from None
    if extra:
        raise MagicUsageError(f"unexpected arguments {extra}\n\n{USAGE}")
    return ns.name, parse_tags(ns.tags)


def gizmo_line(line: str) -> Any:
    words = shlex.split(line)
    if not words:
        return Studio()
    if words[0] == "view":
        if len(words) != 2:
            raise MagicUsageError(f"%gizmo view takes exactly one PATH\n\n{USAGE}")
        from gizmo_notebook.viewer import view

        return view(words[1])
    raise MagicUsageError(f"unknown %gizmo command {words[0]!r}\n\n{USAGE}")


def gizmo_cell(line: str, cell: str, client: Any = None) -> Studio:
    name, tags = parse_cell_args(line)
    prompt = check_prompt(cell)
    studio = Studio(client, _mode="job", _load=False)

    async def _submit() -> None:
        asset = await studio._generate(prompt, name, tags, None)
        if asset is not None:
            studio.focus = asset.id

    studio._spawn(_submit())
    return studio


def register(ipython: Any) -> None:
    """Register ``%gizmo`` / ``%%gizmo`` on ``ipython`` (called by ``%load_ext gizmo_notebook``)."""
    _runtime.get_loop()  # start the loop now, not inside the first cell that needs it

    def gizmo(line: str, cell: str | None = None) -> Any:
        try:
            if cell is None:
                return gizmo_line(line)
            return gizmo_cell(line, cell)
        except (MagicUsageError, ValueError) as exc:
            # A usage mistake is not a crash: print what to fix, no traceback.
            print(f"%gizmo: {exc}")
            return None

    ipython.register_magic_function(gizmo, magic_kind="line_cell", magic_name="gizmo")
