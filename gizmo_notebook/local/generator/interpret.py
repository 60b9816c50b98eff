"""What the generator understood in a prompt, what it ignored, and what it built instead.

A keyword generator that silently builds *something* for every prompt looks broken when it
guesses wrong ("a banana" -> a housing, shown as a green "ready"). So every asset carries an
interpretation: the family it built, the prompt phrases it acted on, the words it did not use,
and notes (approximations, clamped counts, left-out parts, the fallback). It is a pure function
of the prompt, like the model, so the server computes it on demand instead of storing it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .assemble import plan
from .spec import DOF_BOUNDS, Span, Spec, counted, parse_prompt

__all__ = ["Interpretation", "interpret", "interpret_spec"]

# Words that carry no request of their own: articles, glue, politeness, "robot" itself.
_FILLER = frozenset(
    [
    "a", "an", "the", "with", "and", "or", "of", "on", "in", "at", "for", "to", "from", "into", "onto", "by",
    "via", "its", "it", "this", "that", "these", "those", "which", "who", "has", "have", "having", "is",
    "are", "be", "been", "being", "each", "per", "plus", "also", "some", "any", "very", "really", "just",
    "please", "me", "i", "we", "want", "need", "would", "like", "could", "can", "make", "build", "create",
    "generate", "design", "model", "give", "show", "get", "robot", "robots", "robotic", "unit", "units",
    "system", "systems", "device", "machine", "thing", "something", "mounted", "attached", "fitted",
    "equipped", "using", "use", "made", "built", "standing", "sitting", "simple", "basic", "typical",
    "standard", "regular", "new", "nice", "cool", "good",
    ]
)
_TOKEN = re.compile(r"[^\W_]+(?:['.][^\W_]+)*")  # words in any script: "банан" is ignored too
_MAX_IGNORED = 40  # a pasted paragraph should not turn the badge into a wall of words

FALLBACK_NOTE = (
    "nothing in the prompt matched a known robot, mechanism or fixture, so this is the fallback: "
    "a generic housing with one revolute output"
)


@dataclass(frozen=True)
class Interpretation:
    """The generator's reading of one prompt (see the module docstring)."""

    family: str
    understood: tuple[str, ...]
    ignored: tuple[str, ...]
    notes: tuple[str, ...] = ()
    fallback: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The JSON form served on an asset as ``interpretation``."""
        return {
            "family": self.family,
            "understood": list(self.understood),
            "ignored": list(self.ignored),
            "notes": list(self.notes),
            "fallback": self.fallback,
        }


@functools.lru_cache(maxsize=1024)
def interpret(prompt: str) -> Interpretation:
    """The interpretation of ``prompt`` (cached: asset listings ask for it on every poll)."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, not {type(prompt).__name__}")
    return interpret_spec(parse_prompt(prompt))


def interpret_spec(spec: Spec) -> Interpretation:
    chosen = plan(spec)
    spans = list(spec.spans)
    for family in chosen.built:
        spans += spec.family_spans.get(family, [])
    if chosen.head == "pan_tilt":
        spans += spec.sensor_spans
    merged = _merge(spans)
    understood = tuple(dict.fromkeys(spec.normal[a:b].strip(" ,.;:") for a, b in merged if spec.normal[a:b].strip()))
    ignored = tuple(
        dict.fromkeys(
            m.group(0)
            for m in _TOKEN.finditer(spec.normal)
            if m.group(0) not in _FILLER and not any(a < m.end() and m.start() < b for a, b in merged)
        )
    )
    notes = list(spec.notes)
    if len(ignored) > _MAX_IGNORED:
        notes.append(f"{len(ignored) - _MAX_IGNORED} more unused words not listed")
        ignored = ignored[:_MAX_IGNORED]
    for family, why in chosen.left_out:
        phrase = spec.normal[slice(*spec.family_spans[family][0])] if spec.family_spans.get(family) else family
        notes.append(f"{phrase!r} not built: {why}")
    notes += _family_notes(spec, chosen.built)
    fallback = chosen.family == "generic"
    if fallback:
        notes.append(FALLBACK_NOTE)
    return Interpretation(chosen.family, understood, ignored, tuple(notes), fallback)


def _family_notes(spec: Spec, built: tuple[str, ...]) -> list[str]:
    """Approximations and clamps a family makes that the prompt's words alone don't reveal."""
    notes: list[str] = []
    if "delta" in built:
        from .delta import TREE_NOTE

        notes.append(TREE_NOTE)
    if "arm" in built and not spec.scara and spec.dof_asked is not None and spec.dof_asked != spec.dof:
        lo, hi = DOF_BOUNDS
        notes.append(f"asked for {spec.dof_asked} joints; built {spec.dof} (this generator builds arms of {lo} to {hi} joints)")
    arms = counted(spec.text, "arms")
    for family, fixed in (("delta", 3), ("humanoid", 2)):
        if family in built and arms is not None and arms != fixed:
            notes.append(f"asked for {arms} arms; a {family} here always has {fixed}")
    if "humanoid" in built and spec.dof is not None and spec.dof > 7:
        notes.append(f"asked for {spec.dof}-DOF arms; each humanoid arm has at most 7 joints")
    if "cartesian" in built and spec.dof is not None and spec.dof > 6:
        notes.append(f"asked for {spec.dof} axes; a gantry here has at most 3 linear and 3 rotary axes")
    if "door" in built and spec.counts.get("doors", 1) > 2:
        notes.append(f"asked for {spec.counts['doors']} doors; a door frame holds at most 2 leaves")
    return notes


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
