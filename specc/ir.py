"""The typed intermediate representation of a compiled specification.

Every class is a frozen, slotted attrs value class.  Collections are tuples, so
an IR is hashable, comparable and safe to share between plugins.  Nodes that
come from source text carry a :class:`Span`; spans are excluded from equality,
so two specs that differ only in layout compare equal (the formatter relies on
that: ``parse(fmt(x)) == parse(x)``).

The IR knows nothing of any awarding body: bodies are data (``Body``), and
house styles live in plugins.
"""

from __future__ import annotations

import functools
import re

import attrs
from attrs import field, frozen

# --------------------------------------------------------------------------- spans


@frozen
class Span:
    """A region of a source file; lines and columns are 1-based."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


NO_SPAN = Span("<generated>", 0, 0, 0, 0)


def _span() -> attrs.Attribute:
    return field(default=NO_SPAN, eq=False, repr=False, kw_only=True)


# --------------------------------------------------------------------------- text


@frozen
class Paragraph:
    text: str


@frozen
class BulletList:
    items: tuple[str, ...]


Block = Paragraph | BulletList

_BULLET = re.compile(r"^\s*[-*\u2022]\s+")


def _chunk_blocks(lines: list[str]) -> list[Block]:
    """A blank-line-free chunk: paragraphs and bullet lists, in order.  A line
    indented under a bullet continues it."""
    out: list[Block] = []
    para: list[str] = []
    bullets: list[str] = []
    for line in lines:
        if _BULLET.match(line):
            if para:
                out.append(Paragraph(" ".join(s.strip() for s in para)))
                para = []
            bullets.append(_BULLET.sub("", line).strip())
        elif bullets and line.startswith((" ", "\t")):
            bullets[-1] += " " + line.strip()
        else:
            if bullets:
                out.append(BulletList(tuple(bullets)))
                bullets = []
            para.append(line)
    if para:
        out.append(Paragraph(" ".join(s.strip() for s in para)))
    if bullets:
        out.append(BulletList(tuple(bullets)))
    return out


@frozen
class Text:
    """Author prose: paragraphs separated by blank lines, and ``-`` bullet lists.

    ``value`` is the normalised text (dedented, trailing spaces and surrounding
    blank lines removed); ``blocks`` is its structure.
    """

    value: str

    @property
    def blocks(self) -> tuple[Block, ...]:
        blocks: list[Block] = []
        for chunk in re.split(r"\n\s*\n", self.value):
            if chunk.strip():
                blocks.extend(_chunk_blocks(chunk.split("\n")))
        return tuple(blocks)

    @property
    def plain(self) -> str:
        """The text on one line, bullets joined with '; '."""
        out = []
        for b in self.blocks:
            out.append(b.text if isinstance(b, Paragraph) else "; ".join(b.items))
        return " ".join(out)

    def __str__(self) -> str:
        return self.value


# --------------------------------------------------------------------------- shared values


@frozen
class Level:
    """Entry 1-3 or Level 1-8."""

    entry: bool
    n: int

    def __str__(self) -> str:
        return f"Entry {self.n}" if self.entry else f"Level {self.n}"


@frozen
class PartialDate:
    """A date with year, optional month and optional day (``2017-10``)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __str__(self) -> str:
        s = f"{self.year:04d}"
        if self.month:
            s += f"-{self.month:02d}"
        if self.day:
            s += f"-{self.day:02d}"
        return s


ENVIRONMENTS = ("workplace", "rwe", "placement")
"""Where evidence may come from: the real workplace, a realistic working
environment, a work placement."""

EVIDENCE_KINDS = ("performance", "knowledge")


SIMULATION_MODES = ("allowed", "forbidden", "exceptional")
"""``simulation allowed|forbidden|exceptional``: ``exceptional`` is allowed,
but only in exceptional circumstances (with a justification)."""


@frozen
class SimulationRule:
    allowed: bool  # True for ``allowed`` and ``exceptional``
    applies_to: str | None = None  # "performance", "knowledge" or None for both
    exceptional: bool = False  # allowed only in exceptional circumstances
    exception: Text | None = None  # ``except "when ..."``: when the rule does not hold
    span: Span = _span()

    @property
    def mode(self) -> str:
        """``allowed``, ``forbidden`` or ``exceptional``."""
        if not self.allowed:
            return "forbidden"
        return "exceptional" if self.exceptional else "allowed"


@frozen
class Environment:
    """Where evidence may be collected and whether simulation is allowed."""

    sources: tuple[str, ...] = ()
    simulation: tuple[SimulationRule, ...] = ()

    def simulation_rule(self, kind: str) -> SimulationRule | None:
        """The rule that decides simulation for ``kind`` evidence (the last
        one that applies), with its ``exception``; None when the spec is silent."""
        verdict = None
        for rule in self.simulation:
            if rule.applies_to in (None, kind):
                verdict = rule
        return verdict

    def simulation_allowed(self, kind: str) -> bool | None:
        """True/False if the spec says, None when it is silent.  Simulation
        allowed only in exceptional circumstances counts as allowed (see
        :meth:`simulation_mode`)."""
        rule = self.simulation_rule(kind)
        return None if rule is None else rule.allowed

    def simulation_mode(self, kind: str) -> str | None:
        """``allowed``, ``forbidden`` or ``exceptional`` for ``kind`` evidence;
        None when the spec is silent.  The last rule that applies wins."""
        rule = self.simulation_rule(kind)
        return None if rule is None else rule.mode


# --------------------------------------------------------------------------- document


@frozen
class Body:
    id: str
    name: str


@frozen
class Change:
    version: str
    date: PartialDate
    detail: Text
    section: Text | None = None
    span: Span = _span()


@frozen
class EvidenceMethod:
    id: str
    label: str
    builtin: bool = True


@frozen
class Distinction:
    """A ``different`` name: what the items of a demand or a requirement's
    evidence must differ in.  ``field``: the portfolio evidence field that
    holds it (``date`` for occasions, ``customer`` for customers, the name
    itself for a declared one)."""

    id: str
    label: str
    field: str
    builtin: bool = True
    span: Span = _span()


@frozen
class Guidelines:
    """Published assessment guidelines the handbooks print (``guidelines
    simulation "Simulation" { note "..." a "..." }``): ``topic`` names what
    they are for (``simulation``, ``rwe``, ...), ``notes`` the lead-in, then the
    lettered guidelines.  Guidance: no validator enforces them."""

    topic: str
    title: str
    notes: tuple[Text, ...] = ()
    items: tuple[RangeItem, ...] = ()
    span: Span = _span()


@frozen
class DevelopedBy:
    """Who developed the document ("These Evidence Requirements were
    developed by the Awarding Organisations/Bodies listed below:"): the
    lead-in and the organisations, as published.  Guidance."""

    lead: Text
    organisations: tuple[str, ...] = ()
    span: Span = _span()


@frozen
class Document:
    id: str
    title: str
    body: Body
    version: str | None = None
    published: PartialDate | None = None
    history: tuple[Change, ...] = ()
    evidence_methods: tuple[str, ...] = ()  # the evidence types the document names
    guidelines: tuple[Guidelines, ...] = ()  # published assessment guidelines, in source order
    developed_by: DevelopedBy | None = None  # the organisations that developed it
    span: Span = _span()


# --------------------------------------------------------------------------- rules of combination


@frozen
class MinTotal:
    credits: int
    span: Span = _span()


@frozen
class MaxTotal:
    credits: int
    span: Span = _span()


@frozen
class Mandatory:
    units: tuple[str, ...]
    span: Span = _span()


@frozen
class CreditsFrom:
    """``at least|at most|exactly N credits from`` a set of groups/units."""

    op: str  # "at_least" | "at_most" | "exactly"
    credits: int
    sources: tuple[str, ...]  # group or unit ids as written
    units: tuple[str, ...]  # resolved unit ids
    span: Span = _span()


@frozen
class Remaining:
    """``remaining credits from`` groups: the units a route may draw on.

    ``remaining [at least] N credits from``: the handbook's "a further N
    credits [(minimum)]": at least ``credits`` credits from ``units`` other
    than the qualification's mandatory units.  ``minimum`` records that the
    published figure says "(minimum)"; the rule is enforced the same way."""

    sources: tuple[str, ...]
    units: tuple[str, ...]
    credits: int | None = None
    minimum: bool = False
    span: Span = _span()


Rule = MinTotal | MaxTotal | Mandatory | CreditsFrom | Remaining


@frozen
class Group:
    id: str
    title: str
    units: tuple[str, ...]
    span: Span = _span()


@frozen
class Barred:
    a: str
    b: str
    note: Text | None = None
    span: Span = _span()


@frozen
class Route:
    """One valid combination of units for a qualification."""

    units: tuple[str, ...]
    credits: int
    glh: int


@frozen
class RouteSummary:
    """What the solver found for a qualification."""

    satisfiable: bool
    min_credits: int | None = None
    max_credits: int | None = None
    min_glh: int | None = None
    max_glh: int | None = None
    cheapest: Route | None = None  # the valid route with least GLH


@frozen
class Qualification:
    id: str
    title: str
    number: str | None = None
    reference: str | None = None
    level: Level | None = None
    glh: int | None = None
    tqt: int | None = None
    credits: int | None = None
    grading: str | None = None
    assessment: Text | None = None
    strategy: Text | None = None  # the assessment strategy the qualification follows
    environment: Environment = Environment()  # applies to every unit of the qualification
    registration_months: int | None = None
    age: Text | None = None
    entry: Text | None = None
    progression: Text | None = None
    aim_reference: str | None = None
    structure_title: str | None = None  # how the structure section names it, where that differs from the title
    aims: Text | None = None  # guidance: "This qualification aims to: ..."
    objectives: Text | None = None  # guidance: "The objectives of this qualification are ..."
    basis: Text | None = None  # guidance: the standards it is based on (NOS)
    credit_certificate: Text | None = None  # guidance: what a learner who does not achieve it may get
    restriction: Text | None = None  # guidance: e.g. no other qualification at the same level
    rules: tuple[Rule, ...] = ()
    units: tuple[str, ...] = ()  # every unit a route may contain, in spec order
    mandatory: tuple[str, ...] = ()
    routes: RouteSummary | None = None
    span: Span = _span()


# --------------------------------------------------------------------------- units


@frozen
class DemandBy:
    """``of which at least 2 by observation, witness_testimony``: how many of
    a demand's items must be evidenced by one of ``methods`` (evidence-method
    ids).  ``op`` is ``at_least`` unless the source says ``exactly``."""

    count: int
    methods: tuple[str, ...]
    op: str = "at_least"  # "at_least" | "exactly"
    span: Span = _span()


@frozen
class Demand:
    """A quantified evidence demand: ``demand at least 2 "types of appearance"``,
    ``demand 4 "customers" of which at least 2 by observation``."""

    count: int
    what: str
    op: str = "exactly"  # "exactly" | "at_least"
    different: str | None = None  # "occasions", "customers", ... or None
    by: DemandBy | None = None  # ``of which ... by METHODS``
    # ``demand 1 "product" or 1 "service"``: the other alternatives (count and
    # what; the same count as this one), any one of which meets the demand
    alternatives: tuple[Demand, ...] = ()
    span: Span = _span()

    @property
    def whats(self) -> tuple[str, ...]:
        """What each alternative counts: ``("product", "service")``."""
        return (self.what,) + tuple(a.what for a in self.alternatives)


@frozen
class Reuse:
    """Evidence for this criterion may reuse evidence of another criterion.

    On an evidence-guide row, ``for_criteria`` names the row criteria the link
    is for (``reuse unit 103 3.1 for 2.1``); empty: every criterion of the row.
    A criterion's own links have none."""

    criteria: tuple[str, ...]
    unit: str | None = None  # None: the same unit
    note: Text | None = None
    for_criteria: tuple[str, ...] = ()
    span: Span = _span()


@frozen
class UnitsReuse:
    """An evidence-guide row's lead-in naming units but no criterion
    ("Candidates could use evidence gathered in Units 103 and 106"):
    guidance the handbooks print; the criterion links are ``Reuse``."""

    units: tuple[str, ...]
    note: Text | None = None
    span: Span = _span()


@frozen
class SeeAlso:
    """A "refer to ... for guidance" link of an evidence-guide row: where to
    look for guidance (not evidence to reuse).  ``for_criteria``: the row
    criteria it is for (empty: all)."""

    criteria: tuple[str, ...]
    unit: str | None = None
    for_criteria: tuple[str, ...] = ()
    note: Text | None = None
    span: Span = _span()


@frozen
class Guidance:
    text: Text
    span: Span = _span()


@frozen
class Criterion:
    ref: str  # "1.2"
    statement: str
    verb: str
    guidance: tuple[Guidance, ...] = ()
    demands: tuple[Demand, ...] = ()
    reuse: tuple[Reuse, ...] = ()
    span: Span = _span()

    @property
    def number(self) -> int:
        return int(self.ref.split(".")[1])


@frozen
class Outcome:
    number: int
    kind: str  # "knowledge" | "performance"
    statement: str
    criteria: tuple[Criterion, ...] = ()
    listed: str | None = None  # its title in the unit's list of outcomes, where that differs
    span: Span = _span()


@frozen
class EvidenceRow:
    """A row of an evidence guide.  ``outcomes``: the whole outcomes the row
    names (``row outcome 1, 3``); the linker fills ``criteria`` with their
    criteria."""

    criteria: tuple[str, ...]
    methods: tuple[str, ...] = ()
    notes: tuple[Text, ...] = ()
    reuse: tuple[Reuse, ...] = ()
    outcomes: tuple[int, ...] = ()
    demands: tuple[Demand, ...] = ()  # the row's own: counted over the evidence of all its criteria
    reuse_units: tuple[UnitsReuse, ...] = ()  # lead-ins naming units, no criterion
    see: tuple[SeeAlso, ...] = ()  # "refer to ... for guidance" links
    span: Span = _span()


@frozen
class Unit:
    id: str
    title: str
    number: str | None = None
    reference: str | None = None
    level: Level | None = None
    credits: int | None = None
    glh: int | None = None
    owner: Text | None = None
    aim: Text | None = None
    assessment: Text | None = None
    strategy: Text | None = None
    environment: Environment = Environment()
    assessed_under: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    evidence_guide: tuple[EvidenceRow, ...] = ()
    evidence_guide_notes: tuple[Text, ...] = ()  # the guide's lead-in, before its rows
    no_guidance: Text | None = None  # ``guidance none "..."``: the unit says it has no assessment guidance
    span: Span = _span()

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for o in self.outcomes for c in o.criteria)

    def criterion(self, ref: str) -> Criterion | None:
        for c in self.criteria:
            if c.ref == ref:
                return c
        return None

    def outcome(self, number: int) -> Outcome | None:
        for o in self.outcomes:
            if o.number == number:
                return o
        return None

    def reuse_for(self, ref: str) -> tuple[Reuse, ...]:
        """Every reuse link that applies to criterion ``ref``: its own links
        (and those of guidance entries naming it), then the links of the
        evidence-guide rows that name it, unless a link is ``for`` other
        criteria of its row.  The same link given twice counts once."""
        c = self.criterion(ref)
        out: list[Reuse] = list(c.reuse) if c is not None else []
        for row in self.evidence_guide:
            if ref in row.criteria:
                out.extend(r for r in row.reuse if not r.for_criteria or ref in r.for_criteria)
        return tuple(dict.fromkeys(out))

    @property
    def label(self) -> str:
        return self.number or self.id


# --------------------------------------------------------------------------- evidence requirements


@frozen
class RangeItem:
    letter: str
    text: Text
    span: Span = _span()


@frozen
class Range:
    """Lettered range items: all of them (``choose is None``) or k of n."""

    items: tuple[RangeItem, ...]
    choose: int | None = None
    span: Span = _span()

    @property
    def required(self) -> int:
        return len(self.items) if self.choose is None else self.choose


@frozen
class Distinct:
    """``two different communication media``."""

    count: int
    what: str
    item: str | None = None  # the letter of the range item that states it (None: the requirement)
    span: Span = _span()


@frozen
class Requirement:
    number: int
    kind: str  # environment, sector, sufficiency, organisation, methods, evidence, note
    text: Text
    ranges: tuple[Range, ...] = ()
    distinct: tuple[Distinct, ...] = ()
    methods: tuple[str, ...] = ()
    different: tuple[str, ...] = ()
    span: Span = _span()


REQUIREMENT_KINDS = (
    "environment",
    "sector",
    "sufficiency",
    "organisation",
    "methods",
    "evidence",
    "note",
)


@frozen
class RequirementSet:
    id: str
    title: str
    code: str | None = None
    environment: Environment = Environment()
    requirements: tuple[Requirement, ...] = ()
    origin: str | None = None  # id of the document that declares it
    span: Span = _span()


# --------------------------------------------------------------------------- glossary and the whole spec


@frozen
class GlossaryEntry:
    term: str
    definition: Text
    span: Span = _span()

    @property
    def key(self) -> str:
        return self.term.split()[0].strip("(").lower() if self.term else ""


@frozen
class Glossary:
    title: str | None = None
    terms: tuple[GlossaryEntry, ...] = ()
    verbs: tuple[GlossaryEntry, ...] = ()


@frozen
class Spec:
    """A compiled specification: one root file with a ``document`` and its imports."""

    document: Document
    qualifications: tuple[Qualification, ...] = ()
    groups: tuple[Group, ...] = ()
    units: tuple[Unit, ...] = ()
    barred: tuple[Barred, ...] = ()
    glossary: Glossary = Glossary()
    requirement_sets: tuple[RequirementSet, ...] = ()
    methods: tuple[EvidenceMethod, ...] = ()
    files: tuple[str, ...] = ()  # every source file, root first
    distinctions: tuple[Distinction, ...] = ()  # the `different` names: built in, then declared

    def distinction(self, name: str) -> Distinction | None:
        for d in self.distinctions:
            if d.id == name:
                return d
        return None

    # lookups by id are made once per spec (a scan per lookup made emitters
    # quadratic in the number of units); the first of a duplicated id wins
    @functools.cached_property
    def _units_by_id(self) -> dict[str, Unit]:
        out: dict[str, Unit] = {}
        for u in self.units:
            out.setdefault(u.id, u)
        return out

    @functools.cached_property
    def _requirement_sets_by_id(self) -> dict[str, RequirementSet]:
        out: dict[str, RequirementSet] = {}
        for r in self.requirement_sets:
            out.setdefault(r.id, r)
        return out

    @functools.cached_property
    def _qualifications_by_unit(self) -> dict[str, tuple[Qualification, ...]]:
        out: dict[str, list[Qualification]] = {}
        for q in self.qualifications:
            for uid in dict.fromkeys(q.units):
                out.setdefault(uid, []).append(q)
        return {uid: tuple(qs) for uid, qs in out.items()}

    def index(self) -> Spec:
        """Make the lookup tables now rather than on first use:
        ``build.emit_all`` does so before it freezes the specs out of the
        collector's reach (``gc.freeze``), so the tables -- as large as the
        spec -- are frozen with them instead of walked by every full
        collection while the emitters run."""
        for table in ("_units_by_id", "_requirement_sets_by_id", "_qualifications_by_unit", "_barred_by_unit"):
            getattr(self, table)
        return self

    def unit(self, uid: str) -> Unit | None:
        return self._units_by_id.get(uid)

    def qualifications_of(self, uid: str) -> tuple[Qualification, ...]:
        """The qualifications a unit may count towards (``uid`` in their
        ``units``), in spec order."""
        return self._qualifications_by_unit.get(uid, ())

    def requirement_set(self, rid: str) -> RequirementSet | None:
        return self._requirement_sets_by_id.get(rid)

    def qualification(self, qid: str) -> Qualification | None:
        for q in self.qualifications:
            if q.id == qid:
                return q
        return None

    @functools.cached_property
    def _barred_by_unit(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for b in self.barred:
            if b.a != b.b:
                out.setdefault(b.a, []).append(b.b)
            out.setdefault(b.b, []).append(b.a)
        return {uid: tuple(others) for uid, others in out.items()}

    def barred_with(self, uid: str) -> tuple[str, ...]:
        """The units ``uid`` is barred with, in the order of the barred pairs."""
        return self._barred_by_unit.get(uid, ())
