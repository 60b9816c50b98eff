"""Turn a free-text prompt into a :class:`Spec`: which families, how many joints, how big.

Parsing is keyword- and regex-based on purpose: it is deterministic (the same prompt always
gives the same robot), explainable (every field traces to a word in the prompt) and fast.
Anything the parser does not recognise falls through to defaults, so no prompt fails.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

__all__ = ["COUNT_BOUNDS", "DOF_BOUNDS", "FAMILIES", "Spec", "counted", "parse_prompt"]

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
    "cartesian",
    "delta",
    "humanoid",
    "linear_axis",
    "turntable",
    "lamp",
    "folding",
    "cabinet",
    "door",
)

# Families that are a whole mechanism of their own: an "N-axis" count next to one of them
# counts *its* axes ("3-axis gantry", "2-axis gimbal"), it does not ask for an extra arm.
_MECHANISMS = frozenset(
    {"cartesian", "delta", "humanoid", "linear_axis", "turntable", "lamp", "folding", "cabinet", "door", "pan_tilt"}
)

# An arm is named ("robot arm", "manipulator") or only implied by an axis count ("6-DOF").
_ARM_WORDS = (
    r"\b(?:robot(?:ic)?\s+)?arms?\b|\bmanipulators?\b|\bscara(?:\s+robots?)?\b|\bcobots?\b"
    r"|\b(?:articulated|industrial)\s+robots?\b"
)
# "6-DOF", "a four axis robot", "a 3-link robot": a count of links/axes names a serial arm.
_ARM_AXES = (
    r"\d\s*-?\s*(?:dof|axis|axes|links?)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)[\s-](?:dof|axis|axes|links?)\b"
    r"|\bdegrees?\s+of\s+freedom\b"
)

_FAMILY_PATTERNS: dict[str, str] = {
    "arm": _ARM_WORDS + "|" + _ARM_AXES,
    "gripper": r"\bgrippers?\b|\bend[\s-]?effectors?\b|\bclaws?\b|\bsuction\s+cups?\b|\bvacuum\s+cups?\b"
    r"|\bjaws?\b|\bfingers?\b|\bfingered\b|\brobot(?:ic)?\s+hands?\b",
    "wheeled": r"\bmobile\s+(?:base|robot|platform|manipulator)\b|\bwheel(?:s|ed)?\b|\bdifferential\b"
    r"|\bdiff[\s-]drive\b|\brovers?\b|\bagvs?\b|\bamrs?\b|\bomni(?:directional|[\s-]wheel)?\b|\bmecanum\b"
    r"|\bholonomic\b|\bskid[\s-]steer\b|\bcarts?\b|\bugvs?\b|\brobot(?:ic)?\s+(?:cars?|vacuums?)\b",
    "legged": r"\bquadruped(?:s|al)?\b|\bhexapods?\b|\blegged\b|\b(?:robot(?:ic)?\s+)?dogs?\b|\b(?:four|six|4|6)[\s-]legged\b|\bspider\b",
    "pan_tilt": r"\bpan[\s/-]*(?:and\s+)?tilt\b|\bgimbals?\b|\bturrets?\b|\bheads?\b",
    "sensor_housing": r"\bsensor\s+(?:housing|enclosure|pod|mount)\b|\bcamera\s+(?:housing|enclosure)\b"
    r"|\blidars?\b|\bhousings?\b|\b(?:laser\s+)?range\s*finders?\b|\bradars?\b|\bsonars?\b"
    r"|\b(?:depth|stereo|thermal|tof|rgb-?d)\s+cameras?\b|\bsensors?\b",
    "mount": r"\bbrackets?\b|\bmounts?\b|\bmounting\s+plate\b",
    "enclosure": r"\benclosures?\b|\bcontrol\s+box\b|\btool\s*box\b|\bcases?\b|\btrunks?\b|\btoy\s+box\b"
    r"|\bchests?\b(?!\s+of\s+(?:[a-z0-9]+\s+)?drawers)",
    "table": r"\btables?\b|\bworkbench(?:es)?\b|\bbench\b|\bdesks?\b",
    "shelf": r"\bshel(?:f|ves|ving)\b|\bracks?\b",
    "conveyor": r"\bconveyors?\b|\bbelts?\b",
    "cartesian": r"\bgantr(?:y|ies)(?:\s+(?:robots?|cranes?|systems?))?\b|\bcartesian(?:\s+(?:robots?|systems?))?\b"
    r"|\bxyz?\s+(?:stages?|tables?|robots?|plotters?|gantr(?:y|ies))\b|\bplotters?\b|\bcnc(?:\s+machines?)?\b"
    r"|\b3d\s+printers?\b|\blinear\s+axes\b",
    "delta": r"\bdelta(?:\s+(?:robots?|arms?|pickers?|manipulators?|printers?))?\b"
    r"|\bparallel[\s-](?:robots?|manipulators?|kinematics?|link(?:age)?\s+robots?)\b",
    "humanoid": r"\bhumanoids?(?:\s+robots?)?\b|\bupper[\s-]body\b|\btorsos?\b|\bandroids?\b"
    r"|\bbimanual(?:\s+robots?)?\b|\bdual[\s-]arm(?:ed)?(?:\s+robots?)?\b",
    "linear_axis": r"\blinear\s+(?:actuators?|rails?|stages?|slides?|guides?|axis|modules?|tracks?|motors?|units?)\b"
    r"|\b(?:ball\s*screw|lead\s*screw|belt[\s-]driven|screw[\s-]driven)(?:\s+(?:linear\s+)?(?:actuators?|stages?|slides?|axis))?\b"
    r"|\b(?:pneumatic|hydraulic|electric)\s+(?:cylinders?|rams?|actuators?|pistons?)\b|\bpush\s*rods?\b"
    r"|\bsliders?\b|\brails?\b|\btracks?\b|\bcarriages?\b",
    "turntable": r"\bturn\s*tables?\b|\brotary\s+(?:tables?|stages?|platforms?|indexers?|positioners?)\b"
    r"|\blazy\s+susans?\b|\bindexing\s+tables?\b|\brotating\s+(?:platforms?|tables?)\b|\bpositioners?\b",
    "lamp": r"\b(?:(?:desk|table|floor|reading|task|architect(?:'s)?|anglepoise|swing[\s-]arm|work)\s+)?lamps?\b"
    r"|\bluminaires?\b",
    "folding": r"\bfolding\s+(?:screens?|panels?|partitions?|walls?)\b|\broom\s+dividers?\b|\bdividers?\b"
    r"|\bpartitions?\b|\b(?:privacy|folding)\s+screens?\b|\bhinged\s+panels?\b|\bbi-?fold(?:ing)?\b|\btri-?fold(?:ing)?\b",
    "cabinet": r"\b(?:kitchen\s+|filing\s+|file\s+|storage\s+|tool\s+|bathroom\s+|wall\s+)?cabinets?\b"
    r"|\bcupboards?\b|\bwardrobes?\b|\blockers?\b|\bdressers?\b|\bchests?\s+of\s+(?:[a-z0-9]+\s+)?drawers\b|\bdrawers?\b"
    r"|\bsideboards?\b|\bnight\s*stands?\b|\bbedside\s+tables?\b|\bcredenzas?\b|\bbookcases?\b",
    "door": r"\b(?:sliding\s+|double\s+|french\s+|barn\s+|swing(?:ing)?\s+)?doors?\b|\bgates?\b|\bdoorways?\b",
}

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "single": 1,
    "a": 1, "an": 1, "double": 2, "twin": 2, "dual": 2, "pair of": 2, "triple": 3,
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

# "6-DOF", "four axis", "3 joints", "a two link arm": N links in series from a base are N joints.
_DOF = re.compile(
    r"\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\s*-?\s*"
    r"(?:dof|d\.o\.f\.?|axis|axes|joints?|links?|degrees?\s+of\s+freedom)\b"
)
# The joint counts a generated arm honours; a count outside is clamped and said so.
DOF_BOUNDS = (1, 12)
_COUNT = r"\b(\d{1,2}|two|three|four|five|six|seven|eight)\s*-?\s*"
# "two doors", "3 drawers", "a pair of hinges", "twin linear axes": a count before a noun,
# optionally with one adjective in between ("two hinged doors", "three linear axes").
_NOUN_COUNT = (
    r"\b(\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|single|double|twin|dual"
    r"|triple|pair\s+of)\s*-?\s*(?:(?!(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|single|double|twin"
    r"|dual|triple|pair|dof|axis|axes|links?)\b)[a-z]+[\s-]+)?"
)


Span = tuple[int, int]

# Count nouns each family reads, with the (lower, upper) bounds a generated asset honours.
COUNT_BOUNDS: dict[str, tuple[int, int]] = {
    "hinges": (1, 6),
    "doors": (1, 4),
    "drawers": (1, 8),
    "linear_axes": (1, 3),
    "carriages": (1, 4),
    "panels": (2, 7),
}
_COUNT_NOUNS: dict[str, str] = {
    "hinges": r"hinges?|joints?|segments?|sections?",
    "doors": r"doors?|leaf|leaves",
    "drawers": r"drawers?",
    "linear_axes": r"linear\s+ax[ei]s|prismatic\s+(?:joints?|ax[ei]s)|sliding\s+ax[ei]s|axes\s+of\s+linear\s+motion",
    "carriages": r"carriages?|sliders?|carts?|blocks?",
    "panels": r"panels?|leaves|wings?",
}


@dataclass
class Spec:
    """What the prompt asks for. ``families`` keeps prompt order; sizes are metres or None.

    ``text`` is the normalised prompt the spans index into: every phrase the parser acted on
    is recorded (per family in ``family_spans``, everything else in ``spans``) so the
    interpretation can tell the user which words were understood and which were ignored.
    """

    prompt: str
    families: list[str] = field(default_factory=list)
    dof: int | None = None  # clamped to DOF_BOUNDS
    dof_asked: int | None = None  # as written, for the note when it was clamped
    planar: bool = False  # "planar arm": every joint axis parallel
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
    counts: dict[str, int] = field(default_factory=dict)  # hinges, doors, drawers... (clamped)
    sensors: list[str] = field(default_factory=list)  # lidar | camera | rangefinder, prompt order
    sliding: bool = False  # "sliding door"
    text: str = ""  # normalised, negated phrases blanked: what families are read from
    normal: str = ""  # normalised only (same offsets): what understood phrases are quoted from
    spans: list[Span] = field(default_factory=list)
    family_spans: dict[str, list[Span]] = field(default_factory=dict)
    sensor_spans: list[Span] = field(default_factory=list)  # understood only if a sensor is built
    negated: list[str] = field(default_factory=list)  # "without a head" -> ["without a head"]
    notes: list[str] = field(default_factory=list)  # clamped counts and the like, for the user

    @property
    def primary(self) -> str:
        return self.families[0] if self.families else "generic"

    def has(self, family: str) -> bool:
        return family in self.families

    def count(self, noun: str, default: int) -> int:
        return self.counts.get(noun, default)

    def negates(self, word: str) -> bool:
        return any(re.search(rf"\b{word}", phrase) for phrase in self.negated)

    def _search(self, pattern: str) -> re.Match[str] | None:
        """``re.search`` on the normalised prompt that records the match as understood."""
        match = re.search(pattern, self.text)
        if match:
            self.spans.append(match.span())
        return match


def _number(token: str) -> int:
    token = " ".join(token.split())
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
    """Read families, DOF, drive/gripper/leg kinds, counts, scale words and dimensions from ``prompt``."""
    normal = " ".join(prompt.lower().replace("×", "x").split())
    text = _drop_negated(normal)
    spec = Spec(prompt=prompt, seed=int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big"), text=text, normal=normal)
    for match in _NEGATED.finditer(normal):
        spec.negated.append(match.group(0).strip())
        spec.spans.append((match.start(), match.start() + len(match.group(0).rstrip())))

    found: list[tuple[int, str]] = []
    for family, pattern in _FAMILY_PATTERNS.items():
        matches = list(re.finditer(pattern, text))
        if matches:
            found.append((matches[0].start(), family))
            spec.family_spans[family] = [m.span() for m in matches]
    spec.families = [family for _, family in sorted(found)]
    _disambiguate(spec, text)

    if "scara" in text:
        spec.scara = True
    dof = spec._search(_DOF.pattern)
    if dof:
        spec.dof_asked = _number(dof.group(1))
        spec.dof = max(DOF_BOUNDS[0], min(spec.dof_asked, DOF_BOUNDS[1]))
    # Recorded as understood through the arm's variant words, only if an arm is built. A count
    # of *links* ("a two link arm") is the textbook N-link arm: N parallel hinges, no base yaw
    # (which would make a "two link arm" one visible link on a turntable).
    spec.planar = bool(re.search(r"\bplanar\b", text)) or bool(dof and re.search(r"links?\b", dof.group(0)))

    spec.gripper = _gripper_kind(spec)
    spec.drive = _drive_kind(spec)
    if spec._search(r"\bhexapod\b|\b(?:six|6)[\s-]legged\b|\bspider\b"):
        spec.legs = 6
    _counts(spec)
    _sensors(spec)
    # Recorded as understood through the door/cabinet variant words, only if one is built.
    spec.sliding = bool(re.search(_SLIDING, text))

    tiers = spec._search(_COUNT + r"(?:tiers?|shel(?:f|ves)|levels?|layers?|shelf)\b")
    if tiers:
        spec.tiers = max(1, min(_number(tiers.group(1)), 10))
    payload = spec._search(_NUM + r"\s*kg\b(?:\s+payload)?")
    if payload:
        spec.payload = float(payload.group(1))

    for pattern, factor in _SIZE_WORDS:
        if spec._search(pattern):
            spec.scale *= factor
    _dimensions(spec, text)
    return spec


def counted(text: str, noun: str) -> int | None:
    """The number written before ``noun`` (a regex) in ``text``: "four arms" -> 4, else None."""
    match = re.search(_NOUN_COUNT + r"(?:" + noun + r")\b", text)
    return _number(match.group(1)) if match else None


def _counts(spec: Spec) -> None:
    """Numbers before countable parts ("two hinges", "3 drawers"), clamped to sane bounds."""
    for noun, words in _COUNT_NOUNS.items():
        match = re.search(_NOUN_COUNT + r"(?:" + words + r")\b", spec.text)
        if not match:
            continue
        asked = _number(match.group(1))
        lo, hi = COUNT_BOUNDS[noun]
        spec.counts[noun] = max(lo, min(asked, hi))
        if asked != spec.counts[noun]:
            label = noun.replace("_", " ")
            spec.notes.append(f"asked for {asked} {label}; built {spec.counts[noun]} (this generator builds {lo} to {hi})")
        # "a drawer": the article is not worth quoting back as something understood.
        start = match.end(1) if match.group(1) in ("a", "an") else match.start()
        spec.spans.append((start, match.end()))
    axes = re.search(r"\b(?:x\s*y\s*z|xyz)\b", spec.text)
    if axes and "linear_axes" not in spec.counts:
        spec.counts["linear_axes"] = 3
        spec.spans.append(axes.span())


def _sensors(spec: Spec) -> None:
    """Sensors named in the prompt, in order, folded into the three shapes the generator draws."""
    kinds = (
        ("lidar", r"\blidars?\b|\blaser\s+scanners?\b"),
        ("rangefinder", r"\b(?:laser\s+)?range\s*finders?\b|\bradars?\b|\bsonars?\b|\bultrasonic\s+sensors?\b"),
        ("camera", r"\b(?:(?:depth|stereo|thermal|tof|rgb-?d|ptz)\s+)?cameras?\b|\bwebcams?\b"),
    )
    found = []
    for kind, pattern in kinds:
        match = re.search(pattern, spec.text)
        if match:
            found.append((match.start(), kind))
            spec.sensor_spans.append(match.span())
    spec.sensors = [kind for _, kind in sorted(found)]


def _absorb(spec: Spec, family: str, into: str | None = None) -> None:
    """Drop ``family``: its words were really part of another family's wording.

    Their spans move to ``into`` (or to the general spans), so they still count as understood.
    """
    spec.families.remove(family)
    spans = spec.family_spans.pop(family, [])
    if into is not None and into in spec.family_spans:
        spec.family_spans[into].extend(spans)
    else:
        spec.spans.extend(spans)


_SLIDING = r"\bsliding\b|\bslide\b|\bpocket\s+doors?\b|\bbarn\s+doors?\b"
# Words that pick a family's variant; recorded as understood when that family is built.
_VARIANT_WORDS: dict[str, str] = {
    "arm": r"\bplanar\b|\barticulated\b|\bserial\b",
    "wheeled": r"\bbases?\b|\bplatforms?\b|\bchassis\b|\bdrive\b",
    "legged": r"\blegs?\b|\bbase\b",
    "mount": r"\bmounting\b|\bplates?\b|\bangle\b",
    "enclosure": r"\belectrical\b|\bcontrol\b|\bjunction\b|\bboxe?s?\b|\bhinged\b|\blids?\b",
    "shelf": r"\bstorage\b|\bunits?\b|\bboards?\b",
    "table": r"\bwork\b|\btop\b",
    "conveyor": r"\brollers?\b",
    "turntable": r"\btilt(?:ing)?\b|\btrunnion\b",
    "linear_axis": r"\bactuators?\b|\bcylinders?\b|\brams?\b|\bpistons?\b",
    "humanoid": r"\b(?:two|2|both)\s+(?:[a-z0-9-]+\s+)?arms\b|\bheads?\b",
    "delta": r"\b(?:three|3)\s+(?:parallel\s+)?arms\b|\bparallel\s+arms\b",
    "door": _SLIDING + r"|\bhinged\b",
    "cabinet": _SLIDING + r"|\bhinged\b",
    "folding": r"\bhinged\b",
}


def _disambiguate(spec: Spec, text: str) -> None:
    """Drop family matches that are really another family's wording."""
    fam = spec.families
    # Words inside another family's phrase ("desk" in "desk lamp", "table" in "rotary table").
    for family in list(fam):
        others = [(g, span) for g in fam if g != family for span in spec.family_spans[g]]
        owner = None
        for a, b in spec.family_spans[family]:
            owner = next((g for g, (c, d) in others if c <= a and b <= d and (c, d) != (a, b)), None)
            if owner is None:
                break
        if owner is not None:
            _absorb(spec, family, owner)
    for family, pattern in _VARIANT_WORDS.items():
        if family in fam:
            spec.family_spans[family] += [m.span() for m in re.finditer(pattern, text)]
    # "3-axis gantry", "2-axis gimbal": the axis count belongs to that mechanism, not to an arm.
    if "arm" in fam and not re.search(_ARM_WORDS, text) and any(f in _MECHANISMS for f in fam):
        _absorb(spec, "arm", next(f for f in fam if f in _MECHANISMS))
    # A humanoid's arms and head, a lamp's or a delta's arms are their own, not extra assets.
    for owner, parts in (("humanoid", ("arm", "pan_tilt")), ("delta", ("arm",)), ("lamp", ("arm", "pan_tilt", "table"))):
        if owner in fam:
            for part in parts:
                if part in fam:
                    _absorb(spec, part, owner)
    # Cabinet doors are the cabinet's; a drawer "slide" or "rail" is the drawer's runner.
    if "cabinet" in fam:
        for part in ("door", "linear_axis", "table"):
            if part in fam:
                _absorb(spec, part, "cabinet")
    if "door" in fam and "linear_axis" in fam and re.search(r"\bsliding\b|\bslide\b|\brails?\b|\btracks?\b", text):
        _absorb(spec, "linear_axis", "door")
    # "belt-driven linear actuator" is not a conveyor; a gantry's rails are its own.
    if "conveyor" in fam and "linear_axis" in fam and not re.search(r"\bconveyors?\b", text):
        _absorb(spec, "conveyor", "linear_axis")
    if "cartesian" in fam and "linear_axis" in fam and "arm" not in fam:
        _absorb(spec, "linear_axis", "cartesian")
    # A gimbal's or a pan-tilt's sensor rides on it: the pan-tilt carries the sensor.
    if "pan_tilt" in fam and "sensor_housing" in fam:
        _absorb(spec, "sensor_housing", "pan_tilt")
    # "sensor mount" is a housing, "camera head" a pan-tilt: don't also build a bracket.
    if "sensor_housing" in fam and "mount" in fam and re.search(r"sensor\s+mount", text):
        _absorb(spec, "mount", "sensor_housing")
    # A conveyor's "belt" and "wheels" (rollers) don't make it a mobile robot.
    if "conveyor" in fam and "wheeled" in fam and not re.search(r"mobile|wheel", text):
        _absorb(spec, "wheeled", "conveyor")
    # "mount" next to a robot ("arm with a mount") is its flange, not a separate bracket asset.
    if "mount" in fam and len(fam) > 1 and any(
        f in fam for f in ("arm", "pan_tilt", "wheeled", "legged", "cartesian", "delta", "humanoid", "turntable")
    ):
        _absorb(spec, "mount", next(f for f in fam if f != "mount"))
    # "legged robot dog with a cart" — only explicit wheels make a legged robot wheeled too.
    if "legged" in fam and "wheeled" in fam and not re.search(r"wheel", text):
        _absorb(spec, "wheeled", "legged")
    if "enclosure" in fam and "sensor_housing" in fam:
        _absorb(spec, "enclosure", "sensor_housing")


def _gripper_kind(spec: Spec) -> str:
    if spec._search(r"\bsuction\b|\bvacuum\b"):
        return "suction"
    if spec._search(r"\b(?:three|3)[\s-]*(?:finger(?:ed|s)?|jaw)\b|\btri[\s-]?finger\b|\brobot(?:ic)?\s+hands?\b"):
        return "three_finger"
    if spec._search(r"\b(?:two|2)[\s-]*finger(?:ed|s)?\b|\bclaw\b"):
        return "two_finger"
    spec._search(r"\bparallel[\s-]+jaw\b")
    return "parallel_jaw"


def _drive_kind(spec: Spec) -> str:
    if spec._search(r"\bmecanum\b"):
        return "mecanum"
    if spec._search(r"\bomni(?:directional|[\s-]?wheels?)?\b|\bholonomic\b|\bkiwi\b"):
        return "omni"
    if spec._search(r"\b(?:four|4)[\s-]*wheel(?:s|ed)?\b|\bskid[\s-]steer\b|\b4wd\b|\brover\b"):
        return "four_wheel"
    for match in re.finditer(r"\bdifferential(?:[\s-]+drive)?\b|\bdiff[\s-]drive\b|\b(?:two|2)[\s-]+wheel(?:s|ed)?\b", spec.text):
        spec.spans.append(match.span())
    return "differential"


def _dimensions(spec: Spec, text: str) -> None:
    for match in _LENGTH.finditer(text):
        factor = _unit_factor(match.group(2))
        metres = float(match.group(1)) * factor
        if not 0.005 <= metres <= 20.0:
            continue  # "0 m" or "500 m tall" robots are not something to build
        window_after = text[match.end() : match.end() + 24]
        window_before = text[max(0, match.start() - 16) : match.start()]
        spec.spans.append(match.span())
        for dim, words in _DIMENSION_WORDS.items():
            after = re.match(r"\s*(?:of\s+)?(?:" + words + r")\b", window_after)
            before = re.search(r"(?:" + words + r")\s*(?:of|:)?\s*$", window_before)
            if after or before:
                if after:
                    spec.spans.append((match.end(), match.end() + after.end()))
                else:
                    assert before is not None
                    spec.spans.append((match.start() - len(window_before) + before.start(), match.start()))
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
