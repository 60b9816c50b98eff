"""Turn a free-text prompt into a :class:`Spec`: which families, how many joints, how big.

Parsing is keyword- and regex-based on purpose: it is deterministic (the same prompt always
gives the same robot), explainable (every field traces to a word in the prompt) and fast.
Anything the parser does not recognise falls through to defaults, so no prompt fails.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

__all__ = ["FAMILIES", "Spec", "parse_prompt"]

# Family names, in the order the composer considers them.
FAMILIES: tuple[str, ...] = (
    "arm",
    "gripper",
    "wheeled",
    "legged",
    "pan_tilt",
    "sensor_housing",
    "mount",
    "enclosure",
    "table",
    "shelf",
    "conveyor",
)

_FAMILY_PATTERNS: dict[str, str] = {
    "arm": r"\b(?:robot(?:ic)?\s+)?arms?\b|\bmanipulators?\b|\bscara\b|\bcobot\b|\d\s*-?\s*(?:dof|axis)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight)[\s-](?:dof|axis)\b|\bdegrees?\s+of\s+freedom\b",
    "gripper": r"\bgrippers?\b|\bend[\s-]?effectors?\b|\bclaws?\b|\bsuction\s+cups?\b|\bvacuum\s+cups?\b"
    r"|\bjaws?\b|\bfingers?\b|\bfingered\b",
    "wheeled": r"\bmobile\s+(?:base|robot|platform|manipulator)\b|\bwheel(?:s|ed)?\b|\bdifferential\b"
    r"|\bdiff[\s-]drive\b|\brovers?\b|\bagvs?\b|\bamrs?\b|\bomni(?:directional|[\s-]wheel)?\b|\bmecanum\b"
    r"|\bholonomic\b|\bskid[\s-]steer\b|\bcarts?\b",
    "legged": r"\bquadrupeds?\b|\bhexapods?\b|\blegged\b|\brobot\s+dog\b|\b(?:four|six|4|6)[\s-]legged\b|\bspider\b",
    "pan_tilt": r"\bpan[\s/-]*(?:and\s+)?tilt\b|\bgimbals?\b|\bturrets?\b|\bheads?\b",
    "sensor_housing": r"\bsensor\s+(?:housing|enclosure|pod|mount)\b|\bcamera\s+(?:housing|enclosure)\b"
    r"|\blidar\b|\bhousings?\b",
    "mount": r"\bbrackets?\b|\bmounts?\b|\bmounting\s+plate\b",
    "enclosure": r"\benclosures?\b|\bcabinets?\b|\bcontrol\s+box\b|\btool\s*box\b|\bcases?\b",
    "table": r"\btables?\b|\bworkbench(?:es)?\b|\bbench\b|\bdesks?\b",
    "shelf": r"\bshel(?:f|ves|ving)\b|\bracks?\b",
    "conveyor": r"\bconveyors?\b|\bbelts?\b",
}

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "single": 1,
}  # fmt: skip

# Scale words multiply the family's default size.
_SIZE_WORDS: tuple[tuple[str, float], ...] = (
    (r"\b(?:tiny|micro)\b", 0.4),
    (r"\bmini(?:ature)?\b", 0.5),
    (r"\b(?:compact|small|desktop|benchtop|tabletop|lightweight)\b", 0.65),
    (r"\b(?:large|big)\b", 1.5),
    (r"\b(?:industrial|heavy[\s-]?duty|heavy)\b", 1.8),
    (r"\b(?:huge|giant|massive)\b", 2.5),
)

# Longest prefixes first: "mm" before "m", "millimet" before "met".
_UNIT_PREFIXES: tuple[tuple[str, float], ...] = (
    ("mm", 0.001), ("millimet", 0.001), ("cm", 0.01), ("centimet", 0.01), ("ft", 0.3048),
    ("foot", 0.3048), ("feet", 0.3048), ("inch", 0.0254), ("in", 0.0254), ('"', 0.0254),
    ("met", 1.0), ("m", 1.0),
)  # fmt: skip

_NUM = r"(\d+(?:\.\d+)?|\.\d+)"
_UNIT = r"(mm|millimet(?:er|re)s?|cm|centimet(?:er|re)s?|m|met(?:er|re)s?|inch(?:es)?|in|\"|ft|foot|feet)\b"
_LENGTH = re.compile(_NUM + r"\s*" + _UNIT)
_DIMENSION_WORDS: dict[str, str] = {
    "reach": r"reach|arm\s+length|radius",
    "height": r"tall|high|height",
    "length": r"long|length",
    "width": r"wide|width|across|diameter",
}

_DOF = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s*-?\s*"
    r"(?:dof|d\.o\.f\.?|axis|axes|joints?|degrees?\s+of\s+freedom)\b"
)
_COUNT = r"\b(\d{1,2}|two|three|four|five|six|seven|eight)\s*-?\s*"


@dataclass
class Spec:
    """What the prompt asks for. ``families`` keeps prompt order; sizes are metres or None."""

    prompt: str
    families: list[str] = field(default_factory=list)
    dof: int | None = None
    scara: bool = False
    gripper: str = "parallel_jaw"  # parallel_jaw | two_finger | three_finger | suction
    drive: str = "differential"  # differential | four_wheel | omni | mecanum
    legs: int = 4
    scale: float = 1.0
    reach: float | None = None
    height: float | None = None
    length: float | None = None
    width: float | None = None
    size: float | None = None  # a bare length with no dimension word ("a 30 cm bracket")
    tiers: int | None = None
    payload: float | None = None  # kg
    seed: int = 0  # from the prompt hash, for small deterministic variations

    @property
    def primary(self) -> str:
        return self.families[0] if self.families else "generic"

    def has(self, family: str) -> bool:
        return family in self.families


def _number(token: str) -> int:
    return _WORD_NUMBERS[token] if token in _WORD_NUMBERS else int(token)


# "without a gripper", "no wheels", "w/o camera housing": up to three words, stopping at a
# conjunction or preposition so "without gripper on a mobile base" keeps the base.
_NEGATED = re.compile(
    r"\b(?:without|w/o|no|excluding|minus)\s+(?:(?:a|an|any|the)\s+)?"
    r"(?:(?!(?:and|with|on|but|or|plus)\b)[a-z0-9-]+\s*){1,3}"
)


def _drop_negated(text: str) -> str:
    """Blank out negated phrases so their nouns don't add a family or a variant."""
    return _NEGATED.sub(lambda m: " " * len(m.group(0)), text)


def parse_prompt(prompt: str) -> Spec:
    """Read families, DOF, drive/gripper/leg kinds, scale words and dimensions from ``prompt``."""
    text = _drop_negated(" ".join(prompt.lower().replace("×", "x").split()))
    spec = Spec(prompt=prompt, seed=int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big"))

    found: list[tuple[int, str]] = []
    for family, pattern in _FAMILY_PATTERNS.items():
        match = re.search(pattern, text)
        if match:
            found.append((match.start(), family))
    spec.families = [family for _, family in sorted(found)]
    _disambiguate(spec, text)

    if "scara" in text:
        spec.scara = True
    dof = _DOF.search(text)
    if dof:
        spec.dof = max(1, min(_number(dof.group(1)), 12))

    spec.gripper = _gripper_kind(text)
    spec.drive = _drive_kind(text)
    if re.search(r"\bhexapod\b|\b(?:six|6)[\s-]legged\b|\bspider\b", text):
        spec.legs = 6

    tiers = re.search(_COUNT + r"(?:tiers?|shel(?:f|ves)|levels?|layers?|shelf)\b", text)
    if tiers:
        spec.tiers = max(1, min(_number(tiers.group(1)), 10))
    payload = re.search(_NUM + r"\s*kg\b", text)
    if payload:
        spec.payload = float(payload.group(1))

    for pattern, factor in _SIZE_WORDS:
        if re.search(pattern, text):
            spec.scale *= factor
    _dimensions(spec, text)
    return spec


def _disambiguate(spec: Spec, text: str) -> None:
    """Drop family matches that are really another family's wording."""
    fam = spec.families
    # "sensor mount" is a housing, "camera head" a pan-tilt: don't also build a bracket.
    if "sensor_housing" in fam and "mount" in fam and re.search(r"sensor\s+mount", text):
        fam.remove("mount")
    # A conveyor's "belt" and "wheels" (rollers) don't make it a mobile robot.
    if "conveyor" in fam and "wheeled" in fam and not re.search(r"mobile|wheel", text):
        fam.remove("wheeled")
    # "mount" next to a robot ("arm with a mount") is its flange, not a separate bracket asset.
    if "mount" in fam and len(fam) > 1 and any(f in fam for f in ("arm", "pan_tilt", "wheeled", "legged")):
        fam.remove("mount")
    # "legged robot dog with a cart" — only explicit wheels make a legged robot wheeled too.
    if "legged" in fam and "wheeled" in fam and not re.search(r"wheel", text):
        fam.remove("wheeled")
    if "enclosure" in fam and "sensor_housing" in fam:
        fam.remove("enclosure")


def _gripper_kind(text: str) -> str:
    if re.search(r"\bsuction\b|\bvacuum\b", text):
        return "suction"
    if re.search(r"\b(?:three|3)[\s-]*(?:finger(?:ed|s)?|jaw)\b|\btri[\s-]?finger\b", text):
        return "three_finger"
    if re.search(r"\b(?:two|2)[\s-]*finger(?:ed|s)?\b|\bclaw\b", text):
        return "two_finger"
    return "parallel_jaw"


def _drive_kind(text: str) -> str:
    if re.search(r"\bmecanum\b", text):
        return "mecanum"
    if re.search(r"\bomni(?:directional|[\s-]?wheels?)?\b|\bholonomic\b|\bkiwi\b", text):
        return "omni"
    if re.search(r"\b(?:four|4)[\s-]*wheel(?:s|ed)?\b|\bskid[\s-]steer\b|\b4wd\b|\brover\b", text):
        return "four_wheel"
    return "differential"


def _dimensions(spec: Spec, text: str) -> None:
    for match in _LENGTH.finditer(text):
        factor = _unit_factor(match.group(2))
        metres = float(match.group(1)) * factor
        if not 0.005 <= metres <= 20.0:
            continue  # "0 m" or "500 m tall" robots are not something to build
        window_after = text[match.end() : match.end() + 24]
        window_before = text[max(0, match.start() - 16) : match.start()]
        for dim, words in _DIMENSION_WORDS.items():
            if re.match(r"\s*(?:of\s+)?(?:" + words + r")\b", window_after) or re.search(
                r"(?:" + words + r")\s*(?:of|:)?\s*$", window_before
            ):
                if getattr(spec, dim) is None:
                    setattr(spec, dim, metres)
                break
        else:
            if spec.size is None:
                spec.size = metres


def _unit_factor(unit: str) -> float:
    for prefix, factor in _UNIT_PREFIXES:
        if unit.startswith(prefix):
            return factor
    return 1.0
