"""Lowering: a lark parse tree to typed IR declarations for one file.

The Transformer builds IR nodes bottom-up.  Statements inside a block come up
as ``_Field`` values; the block's constructor checks for repeated fields
(E006) and builds the frozen IR object.  References between declarations are
resolved later, by :mod:`specc.compiler`.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
from attrs import define, field, frozen
from lark import Token, Transformer, v_args

from . import ir
from .diagnostics import Diagnostic, did_you_mean
from .syntax import span_of, unquote
from .vocab import COMMUNICATION_METHODS, EVIDENCE_METHODS


@frozen
class _Field:
    name: str
    value: Any
    span: ir.Span


@frozen
class Import:
    path: str
    alias: str | None
    span: ir.Span


@define
class FileDecls:
    """What one source file declares, in source order."""

    file: str
    imports: list[Import] = field(factory=list)
    document: ir.Document | None = None
    methods: list[ir.EvidenceMethod] = field(factory=list)
    qualifications: list[ir.Qualification] = field(factory=list)
    groups: list[ir.Group] = field(factory=list)
    units: list[ir.Unit] = field(factory=list)
    barred: list[ir.Barred] = field(factory=list)
    glossaries: list[ir.Glossary] = field(factory=list)
    requirement_sets: list[ir.RequirementSet] = field(factory=list)
    distinctions: list[ir.Distinction] = field(factory=list)  # `different NAME "..."` in the document
    relabels: list = field(factory=list)  # (EvidenceMethod, span): a built-in method under the body's own label


def _int(tok: Token, file: str, diags: list[Diagnostic], what: str = "a whole number") -> int:
    s = str(tok)
    if not s.isdigit():
        diags.append(Diagnostic("E005", f"`{s}` is not {what}", span_of(tok, file), help="write digits only, like 12"))
        return 0
    return int(s)


def parse_date(tok: Token, file: str, diags: list[Diagnostic]) -> ir.PartialDate:
    s = str(tok)
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", s)
    if m:
        y, mo, d = (int(g) if g else None for g in m.groups())
        if (mo is None or 1 <= mo <= 12) and (d is None or 1 <= d <= 31):
            return ir.PartialDate(y, mo, d)
    diags.append(
        Diagnostic("E005", f"`{s}` is not a date", span_of(tok, file), help="write YYYY, YYYY-MM or YYYY-MM-DD, like 2017-10")
    )
    return ir.PartialDate(1, None, None)


_VERB = re.compile(r"[A-Za-z][A-Za-z\-']*")


def command_verb(statement: str) -> str:
    m = _VERB.search(statement)
    return m.group(0).lower() if m else ""



@attrs.frozen
class _Further:
    """The `N` of ``remaining N credits from`` (kept apart from the unit ids
    after ``from``, which may be numbers too)."""

    token: object

@v_args(meta=True)
class Lower(Transformer):
    def __init__(self, file: str, diags: list[Diagnostic]):
        super().__init__()
        self.file = file
        self.diags = diags
        self.decls = FileDecls(file)

    # ------------------------------------------------------------ helpers
    def _span(self, meta) -> ir.Span:
        return span_of(meta, self.file)

    def _err(self, code: str, msg: str, where, help: str | None = None) -> None:
        sp = where if isinstance(where, ir.Span) else span_of(where, self.file)
        self.diags.append(Diagnostic(code, msg, sp, help=help))

    def _fields(self, items, what: str, repeatable=()) -> tuple[dict, list]:
        """Split block items into unique fields and everything else."""
        fields: dict[str, _Field] = {}
        rest = []
        for it in items:
            if isinstance(it, _Field) and it.name not in repeatable:
                if it.name in fields:
                    self._err(
                        "E006",
                        f"`{it.name}` is given twice in this {what}",
                        it.span,
                        help=f"the first `{it.name}` is at line {fields[it.name].span.line}; keep one",
                    )
                    continue
                fields[it.name] = it
            else:
                rest.append(it)
        return {k: v.value for k, v in fields.items()}, rest

    def _text(self, tok) -> ir.Text:
        return ir.Text(unquote(str(tok)))

    def _f(self, name, value, meta) -> _Field:
        return _Field(name, value, self._span(meta))

    def _environment(self, rest: list) -> ir.Environment:
        """The ``evidence from`` and ``simulation`` statements of a block."""
        sources: list[str] = []
        sims: list[ir.SimulationRule] = []
        for x in rest:
            if isinstance(x, _Field) and x.name == "evidence_from":
                sources.extend(x.value)
            elif isinstance(x, _Field) and x.name == "simulation":
                sims.append(x.value)
        return ir.Environment(tuple(sources), tuple(sims))

    # ------------------------------------------------------------ top level
    def start(self, meta, items):
        return self.decls

    def import_decl(self, meta, c):
        imp = Import(unquote(str(c[0])), str(c[1]) if len(c) > 1 else None, self._span(meta))
        self.decls.imports.append(imp)
        return imp

    # ------------------------------------------------------------ document
    def document(self, meta, c):
        ident, title, *items = c
        f, rest = self._fields(items, "document", repeatable=("method", "different_decl"))
        guidelines = tuple(x for x in rest if isinstance(x, ir.Guidelines))
        if "body" not in f:
            self._err("E007", "the document does not say its awarding body", meta, help='add `body ncfe "NCFE"`')
        doc = ir.Document(
            id=str(ident),
            title=unquote(str(title)),
            body=f.get("body", ir.Body("unknown", "Unknown")),
            version=f.get("version"),
            published=f.get("published"),
            history=f.get("history", ()),
            evidence_methods=tuple(m for m, _ in f.get("methods", ())),
            guidelines=guidelines,
            developed_by=f.get("developed_by"),
            span=self._span(meta),
        )
        self._method_spans.extend(f.get("methods", ()))
        if self.decls.document is not None:
            self._err("E010", "a file can declare only one document", meta)
        else:
            self.decls.document = doc
        return doc

    def body_stmt(self, meta, c):
        return self._f("body", ir.Body(str(c[0]), unquote(str(c[1]))), meta)

    def _version(self, tok) -> str:
        return unquote(str(tok)) if str(tok).startswith('"') else str(tok)

    def version_stmt(self, meta, c):
        return self._f("version", self._version(c[0]), meta)

    def published_stmt(self, meta, c):
        return self._f("published", parse_date(c[0], self.file, self.diags), meta)

    def history(self, meta, c):
        return _Field("history", tuple(c), self._span(meta))

    def change(self, meta, c):
        section = self._text(c[3]) if len(c) > 3 else None
        return ir.Change(
            self._version(c[0]), parse_date(c[1], self.file, self.diags), self._text(c[2]), section, span=self._span(meta)
        )

    def developed_by(self, meta, c):
        lead, *orgs = c
        return self._f("developed_by", ir.DevelopedBy(self._text(lead), tuple(orgs), span=self._span(meta)), meta)

    def organisation(self, meta, c):
        return unquote(str(c[0]))

    def guidelines(self, meta, c):
        topic, title, *rest = c
        notes = tuple(x.value for x in rest if isinstance(x, _Field) and x.name == "note")
        items = tuple(x for x in rest if isinstance(x, ir.RangeItem))
        return ir.Guidelines(str(topic), unquote(str(title)), notes, items, span=self._span(meta))

    def different_decl(self, meta, c):
        d = ir.Distinction(str(c[0]), unquote(str(c[1])), str(c[0]), builtin=False, span=span_of(c[0], self.file))
        self.decls.distinctions.append(d)
        return _Field("different_decl", d, self._span(meta))

    def methods_decl(self, meta, c):
        if str(c[0]) in EVIDENCE_METHODS:
            # `method observation "Assessor observation"`: the body's own label for a built-in method
            m = ir.EvidenceMethod(str(c[0]), unquote(str(c[1])), builtin=True)
            self.decls.relabels.append((m, self._span(meta)))
            return _Field("method", m, self._span(meta))
        m = ir.EvidenceMethod(str(c[0]), unquote(str(c[1])), builtin=False)
        self.decls.methods.append(m)
        return _Field("method", m, self._span(meta))

    # ------------------------------------------------------------ qualification
    def qualification(self, meta, c):
        ident, title, *items = c
        f, rest = self._fields(items, "qualification", repeatable=("evidence_from", "simulation"))
        q = ir.Qualification(
            id=str(ident),
            title=unquote(str(title)),
            number=f.get("number"),
            reference=f.get("reference"),
            level=f.get("level"),
            glh=f.get("glh"),
            tqt=f.get("tqt"),
            credits=f.get("credits"),
            grading=f.get("grading"),
            assessment=f.get("assessment"),
            strategy=f.get("strategy"),
            environment=self._environment(rest),
            registration_months=f.get("registration"),
            age=f.get("age"),
            entry=f.get("entry"),
            progression=f.get("progression"),
            aim_reference=f.get("aim_reference"),
            structure_title=f.get("structure_title"),
            aims=f.get("aims"),
            objectives=f.get("objectives"),
            basis=f.get("basis"),
            credit_certificate=f.get("credit_certificate"),
            restriction=f.get("restriction"),
            rules=f.get("rules", ()),
            span=self._span(meta),
        )
        self.decls.qualifications.append(q)
        return q

    def number_stmt(self, meta, c):
        return self._f("number", unquote(str(c[0])), meta)

    def reference_stmt(self, meta, c):
        return self._f("reference", unquote(str(c[0])), meta)

    def level_stmt(self, meta, c):
        entry = len(c) == 2
        n = _int(c[-1], self.file, self.diags)
        if (entry and not 1 <= n <= 3) or (not entry and not 1 <= n <= 8):
            self._err("E005", f"there is no {'Entry' if entry else 'Level'} {n}", c[-1], help="Entry levels are 1-3, levels 1-8")
        return self._f("level", ir.Level(entry, n), meta)

    def glh_stmt(self, meta, c):
        return self._f("glh", _int(c[0], self.file, self.diags), meta)

    def tqt_stmt(self, meta, c):
        return self._f("tqt", _int(c[0], self.file, self.diags), meta)

    def credits_stmt(self, meta, c):
        return self._f("credits", _int(c[0], self.file, self.diags), meta)

    def grading_stmt(self, meta, c):
        g = str(c[0])
        allowed = ("pass_fail", "pass_only", "graded")
        if g not in allowed:
            self._err("E005", f"unknown grading `{g}`", c[0], help=did_you_mean(g, allowed) or f"use one of {', '.join(allowed)}")
        return self._f("grading", g, meta)

    def assessment_stmt(self, meta, c):
        return self._f("assessment", self._text(c[0]), meta)

    def registration_stmt(self, meta, c):
        return self._f("registration", _int(c[0], self.file, self.diags), meta)

    def age_stmt(self, meta, c):
        return self._f("age", self._text(c[0]), meta)

    def entry_stmt(self, meta, c):
        return self._f("entry", self._text(c[0]), meta)

    def progression_stmt(self, meta, c):
        return self._f("progression", self._text(c[0]), meta)

    def structure_title_stmt(self, meta, c):
        return self._f("structure_title", unquote(str(c[0])), meta)

    def aims_stmt(self, meta, c):
        return self._f("aims", self._text(c[0]), meta)

    def objectives_stmt(self, meta, c):
        return self._f("objectives", self._text(c[0]), meta)

    def basis_stmt(self, meta, c):
        return self._f("basis", self._text(c[0]), meta)

    def credit_certificate_stmt(self, meta, c):
        return self._f("credit_certificate", self._text(c[0]), meta)

    def restriction_stmt(self, meta, c):
        return self._f("restriction", self._text(c[0]), meta)

    def guidance_none(self, meta, c):
        return self._f("guidance_none", self._text(c[0]) if c else ir.Text("There is no assessment guidance available for this unit."), meta)

    def aim_ref_stmt(self, meta, c):
        return self._f("aim_reference", unquote(str(c[0])), meta)

    def rules(self, meta, c):
        return _Field("rules", tuple(c), self._span(meta))

    def min_total(self, meta, c):
        return ir.MinTotal(_int(c[0], self.file, self.diags), span=self._span(meta))

    def max_total(self, meta, c):
        return ir.MaxTotal(_int(c[0], self.file, self.diags), span=self._span(meta))

    def mandatory(self, meta, c):
        return ir.Mandatory(tuple(str(x) for x in c), span=self._span(meta))

    def credits_from(self, meta, c):
        op = re.sub(r"\s+", "_", str(c[0]))
        return ir.CreditsFrom(op, _int(c[1], self.file, self.diags), tuple(str(x) for x in c[2:]), (), span=self._span(meta))

    def further(self, meta, c):
        return _Further(c[0])

    def remaining(self, meta, c):
        c = list(c)
        minimum = False
        credits = None
        if c and getattr(c[0], "type", None) == "QUANT":
            q = c.pop(0)
            minimum = True
            if re.sub(r"\s+", "_", str(q)) != "at_least":
                self._err("E005", "the further credits are `N` or `at least N`", q, help="write `remaining at least N credits from ...` or leave the quantifier out")
        if c and isinstance(c[0], _Further):
            credits = _int(c.pop(0).token, self.file, self.diags)
        return ir.Remaining(tuple(str(x) for x in c), (), credits, minimum, span=self._span(meta))

    # ------------------------------------------------------------ groups, barred, glossary
    def group(self, meta, c):
        g = ir.Group(str(c[0]), unquote(str(c[1])), tuple(str(x) for x in c[2:]), span=self._span(meta))
        self.decls.groups.append(g)
        return g

    def barred(self, meta, c):
        note = self._text(c[2]) if len(c) > 2 else None
        b = ir.Barred(str(c[0]), str(c[1]), note, span=self._span(meta))
        self.decls.barred.append(b)
        return b

    def glossary(self, meta, c):
        title = None
        if c and isinstance(c[0], Token):
            title, c = unquote(str(c[0])), c[1:]
        terms = tuple(e for kind, e in c if kind == "term")
        verbs = tuple(e for kind, e in c if kind == "verb")
        g = ir.Glossary(title, terms, verbs)
        self.decls.glossaries.append(g)
        return g

    def term(self, meta, c):
        return ("term", ir.GlossaryEntry(unquote(str(c[0])), self._text(c[1]), span=self._span(meta)))

    def verb(self, meta, c):
        return ("verb", ir.GlossaryEntry(unquote(str(c[0])), self._text(c[1]), span=self._span(meta)))

    # ------------------------------------------------------------ units
    def unit(self, meta, c):
        ident, title, *items = c
        f, rest = self._fields(items, "unit", repeatable=("evidence_from", "simulation", "guidance", "assessed_under"))
        outcomes = [x for x in rest if isinstance(x, ir.Outcome)]
        guidance = [x for x in rest if isinstance(x, _Field) and x.name == "guidance"]
        under: list[str] = []
        for x in rest:
            if isinstance(x, _Field) and x.name == "assessed_under":
                under.extend(name for name, _ in x.value)
        eg_notes, egrows = f.get("evidence_guide", ((), ()))
        outcomes = self._attach_guidance(outcomes, guidance)
        u = ir.Unit(
            id=str(ident),
            title=unquote(str(title)),
            number=f.get("number"),
            reference=f.get("reference"),
            level=f.get("level"),
            credits=f.get("credits"),
            glh=f.get("glh"),
            owner=f.get("owner"),
            aim=f.get("aim"),
            assessment=f.get("assessment"),
            strategy=f.get("strategy"),
            environment=self._environment(rest),
            assessed_under=tuple(under),
            outcomes=tuple(outcomes),
            evidence_guide=egrows,
            evidence_guide_notes=eg_notes,
            no_guidance=f.get("guidance_none"),
            span=self._span(meta),
        )
        self.decls.units.append(u)
        return u

    def _attach_guidance(self, outcomes: list[ir.Outcome], entries: list[_Field]) -> list[ir.Outcome]:
        """Fold unit-level ``guidance`` entries into the criteria they name."""
        extra: dict[str, dict[str, list]] = {}
        known = {c.ref for o in outcomes for c in o.criteria}
        for e in entries:
            refs, text, demands, reuse, ref_spans = e.value
            for ref, rspan in zip(refs, ref_spans, strict=False):
                if ref not in known:
                    self._err(
                        "W031",
                        f"guidance names criterion {ref}, which this unit does not have",
                        rspan,
                        help=did_you_mean(ref, known) or "check the criterion numbers of this unit",
                    )
                    continue
                slot = extra.setdefault(ref, {"guidance": [], "demands": [], "reuse": []})
                if text is not None:
                    slot["guidance"].append(ir.Guidance(text, span=e.span))
                slot["demands"].extend(demands)
                slot["reuse"].extend(reuse)
        if not extra:
            return outcomes
        out = []
        for o in outcomes:
            crits = []
            for cr in o.criteria:
                x = extra.get(cr.ref)
                if x:
                    cr = cr.__class__(
                        ref=cr.ref,
                        statement=cr.statement,
                        verb=cr.verb,
                        guidance=cr.guidance + tuple(x["guidance"]),
                        demands=cr.demands + tuple(x["demands"]),
                        reuse=cr.reuse + tuple(x["reuse"]),
                        span=cr.span,
                    )
                crits.append(cr)
            out.append(ir.Outcome(o.number, o.kind, o.statement, tuple(crits), o.listed, span=o.span))
        return out

    def owner_stmt(self, meta, c):
        return self._f("owner", self._text(c[0]), meta)

    def aim_stmt(self, meta, c):
        return self._f("aim", self._text(c[0]), meta)

    def strategy_stmt(self, meta, c):
        return self._f("strategy", self._text(c[0]), meta)

    def evidence_from(self, meta, c):
        out = []
        for t in c:
            if str(t) not in ir.ENVIRONMENTS:
                self._err(
                    "E014",
                    f"unknown evidence environment `{t}`",
                    t,
                    help=did_you_mean(str(t), ir.ENVIRONMENTS) or f"use {', '.join(ir.ENVIRONMENTS)}",
                )
            else:
                out.append(str(t))
        return self._f("evidence_from", tuple(out), meta)

    def simulation(self, meta, c):
        c = list(c)
        exception = self._text(c.pop()) if c[-1].type in ("STRING", "LONG_STRING") else None
        mode = str(c[0])
        if mode not in ir.SIMULATION_MODES:
            self._err(
                "E005",
                f"simulation is `allowed`, `forbidden` or `exceptional`, not `{mode}`",
                c[0],
                help=did_you_mean(mode, ir.SIMULATION_MODES),
            )
        kind = str(c[1]) if len(c) > 1 else None
        if kind is not None and kind not in ir.EVIDENCE_KINDS:
            self._err("E014", f"unknown evidence kind `{kind}`", c[1], help=did_you_mean(kind, ir.EVIDENCE_KINDS) or "use performance or knowledge")
            kind = None
        rule = ir.SimulationRule(
            mode in ("allowed", "exceptional"), kind, exceptional=mode == "exceptional", exception=exception, span=self._span(meta)
        )
        return self._f("simulation", rule, meta)

    def assessed_under(self, meta, c):
        return _Field("assessed_under", tuple((str(x), span_of(x, self.file)) for x in c), self._span(meta))

    def listed_stmt(self, meta, c):
        return self._f("listed", unquote(str(c[0])), meta)

    def outcome(self, meta, c):
        num, kind, statement, *crits = c
        listed = next((x.value for x in crits if isinstance(x, _Field) and x.name == "listed"), None)
        crits = [x for x in crits if not isinstance(x, _Field)]
        k = str(kind)
        if k not in ("knowledge", "performance"):
            self._err("E014", f"unknown outcome kind `{k}`", kind, help=did_you_mean(k, ("knowledge", "performance")) or "use knowledge or performance")
        n = _int(num, self.file, self.diags)
        for cr in crits:
            if cr.ref.split(".")[0] != str(n):
                self._err(
                    "E020",
                    f"criterion {cr.ref} is inside outcome {n}",
                    cr.span,
                    help=f"criteria of outcome {n} are numbered {n}.1, {n}.2, ...",
                )
        return ir.Outcome(n, k, unquote(str(statement)), tuple(crits), listed, span=self._span(meta))

    def criterion(self, meta, c):
        ref, statement, *items = c
        f, rest = self._fields(items, "criterion", repeatable=("explained", "demand", "reuse"))
        st = unquote(str(statement))
        guidance = tuple(ir.Guidance(x.value, span=x.span) for x in rest if isinstance(x, _Field) and x.name == "explained")
        demands = tuple(x for x in rest if isinstance(x, ir.Demand))
        reuse = self._no_for(tuple(x for x in rest if isinstance(x, ir.Reuse)), "a criterion")
        return ir.Criterion(
            ref=str(ref),
            statement=st,
            verb=f.get("verb") or command_verb(st),
            guidance=guidance,
            demands=demands,
            reuse=reuse,
            span=span_of(ref, self.file),
        )

    def verb_stmt(self, meta, c):
        return self._f("verb", str(c[0]).lower(), meta)

    def explained(self, meta, c):
        return self._f("explained", self._text(c[0]), meta)

    def demand_or(self, meta, c):
        return ir.Demand(_int(c[0], self.file, self.diags), unquote(str(c[1])), span=self._span(meta))

    def demand(self, meta, c):
        op = "exactly"
        alternatives = tuple(x for x in c if isinstance(x, ir.Demand))
        rest = [x for x in c if not isinstance(x, ir.Demand)]
        by = rest.pop() if rest and isinstance(rest[-1], ir.DemandBy) else None
        if rest and rest[0].type == "QUANT":
            op = re.sub(r"\s+", "_", str(rest.pop(0)))
            if op == "at_most":
                self._err("E005", "a demand is `exactly` N or `at least` N", c[0], help="write `at least` or leave the quantifier out")
                op = "exactly"
        n = _int(rest[0], self.file, self.diags)
        if n < 1:
            self._err("E052", "a demand must ask for at least one item", rest[0])
        different = rest[2] if len(rest) > 2 else None
        what = unquote(str(rest[1]))
        if by is not None and n >= 1 and by.count > n:
            self._err(
                "E053",
                f"`of which {by.count}` is more than the {n} {what} this demand asks for",
                self._by_count_spans.get(id(by), by.span),
                help=f"the `of which` count is at most the demand's count ({n})",
            )
        return ir.Demand(n, what, op, different, by, alternatives, span=self._span(meta))

    def different(self, meta, c):
        return str(c[0])

    def demand_by(self, meta, c):
        rest = list(c)
        op = "at_least"
        if rest[0].type == "QUANT":
            q = rest.pop(0)
            op = re.sub(r"\s+", "_", str(q))
            if op == "at_most":
                self._err(
                    "E005", "`of which` is `at least` N or `exactly` N", q, help="write `at least` or leave the quantifier out (it means at least)"
                )
                op = "at_least"
        count_tok, *names = rest
        k = _int(count_tok, self.file, self.diags)
        if k < 1:
            self._err("E052", "`of which` must ask for at least one item", count_tok)
        uses = [(str(x), span_of(x, self.file)) for x in names]
        self._method_spans.extend(uses)  # checked against the vocabulary by the compiler (E013)
        by = ir.DemandBy(k, tuple(m for m, _ in uses), op, span=self._span(meta))
        self._by_count_spans[id(by)] = span_of(count_tok, self.file)
        return by

    @property
    def _by_count_spans(self) -> dict[int, ir.Span]:
        """Where the count of each ``of which`` clause is (keyed by the clause's id)."""
        if not hasattr(self, "_bcs"):
            self._bcs: dict[int, ir.Span] = {}
        return self._bcs

    def reuse(self, meta, c):
        unit = None
        items = list(c)
        note = None
        for_ = ()
        if items and isinstance(items[-1], Token) and items[-1].type in ("STRING", "LONG_STRING"):
            note = self._text(items.pop())
        if items and isinstance(items[-1], _Field):
            clause = items.pop()
            for_ = clause.value
        if items and items[0].type != "REF":
            unit = str(items.pop(0))
        r = ir.Reuse(tuple(str(x) for x in items), unit, note, for_, span=self._span(meta))
        if for_:
            self._for_spans[id(r)] = clause.span
        return r

    def reuse_units(self, meta, c):
        c = list(c)
        note = self._text(c.pop()) if c and c[-1].type in ("STRING", "LONG_STRING") else None
        return ir.UnitsReuse(tuple(str(x) for x in c), note, span=self._span(meta))

    def see(self, meta, c):
        items = list(c)
        note = self._text(items.pop()) if items and isinstance(items[-1], Token) and items[-1].type in ("STRING", "LONG_STRING") else None
        for_ = items.pop().value if items and isinstance(items[-1], _Field) else ()
        unit = str(items.pop(0)) if items and items[0].type != "REF" else None
        return ir.SeeAlso(tuple(str(x) for x in items), unit, for_, note, span=self._span(meta))

    def reuse_for(self, meta, c):
        return self._f("for", tuple(str(x) for x in c), meta)

    @property
    def _for_spans(self) -> dict[int, ir.Span]:
        """Where each reuse link's ``for`` clause is (keyed by the link's id)."""
        if not hasattr(self, "_fs"):
            self._fs: dict[int, ir.Span] = {}
        return self._fs

    def _no_for(self, links: tuple[ir.Reuse, ...], where: str) -> tuple[ir.Reuse, ...]:
        """``for`` belongs to row-level links only: report it elsewhere and drop it."""
        out = []
        for r in links:
            if r.for_criteria:
                self._err(
                    "E005",
                    f"a reuse link in {where} cannot say which criteria it is for",
                    self._for_spans.get(id(r), r.span),
                    help="`for` names criteria of an evidence-guide `row`; here the link already applies to its criterion: remove the `for` clause",
                )
                r = r.__class__(r.criteria, r.unit, r.note, span=r.span)
            out.append(r)
        return tuple(out)

    def guidance(self, meta, c):
        refs, text, extra = [], None, []
        for x in c:
            if isinstance(x, Token) and x.type == "REF":
                refs.append(x)
            elif isinstance(x, Token):
                text = self._text(x)
            else:
                extra.append(x)
        demands = [x for x in extra if isinstance(x, ir.Demand)]
        reuse = list(self._no_for(tuple(x for x in extra if isinstance(x, ir.Reuse)), "a guidance entry"))
        value = ([str(r) for r in refs], text, demands, reuse, [span_of(r, self.file) for r in refs])
        return _Field("guidance", value, self._span(meta))

    def evidence_guide(self, meta, c):
        notes = tuple(x.value for x in c if isinstance(x, _Field) and x.name == "note")
        rows = tuple(x for x in c if isinstance(x, ir.EvidenceRow))
        return _Field("evidence_guide", (notes, rows), self._span(meta))

    def row(self, meta, c):
        refs = tuple(str(x) for x in c if isinstance(x, Token) and x.type == "REF")
        outcomes = []
        for x in c:
            if isinstance(x, Token) and x.type == "NUMBER":
                n = _int(x, self.file, self.diags, "an outcome number")
                if str(x).isdigit() and n < 1:
                    self._err("E005", f"`{x}` is not an outcome number", x, help="outcomes are numbered from 1")
                if n > 0:
                    outcomes.append(n)
        methods: list[str] = []
        notes: list[ir.Text] = []
        for x in c:
            if isinstance(x, _Field) and x.name == "methods":
                methods.extend(m for m, _ in x.value)
            elif isinstance(x, _Field) and x.name == "note":
                notes.append(x.value)
        reuse = tuple(x for x in c if isinstance(x, ir.Reuse))
        demands = tuple(x for x in c if isinstance(x, ir.Demand))
        lead_ins = tuple(x for x in c if isinstance(x, ir.UnitsReuse))
        see = tuple(x for x in c if isinstance(x, ir.SeeAlso))
        row = ir.EvidenceRow(refs, tuple(methods), tuple(notes), reuse, tuple(outcomes), demands, lead_ins, see, span=self._span(meta))
        # keep method spans for the compiler's vocabulary check
        self._method_spans.extend(m for x in c if isinstance(x, _Field) and x.name == "methods" for m in x.value)
        return row

    @property
    def _method_spans(self) -> list:
        if not hasattr(self, "_ms"):
            self._ms: list = []
        return self._ms

    def methods(self, meta, c):
        return _Field("methods", tuple((str(x), span_of(x, self.file)) for x in c), self._span(meta))

    def note(self, meta, c):
        return self._f("note", self._text(c[0]), meta)

    # ------------------------------------------------------------ requirements (CfA)
    def requirements(self, meta, c):
        ident, title, *items = c
        f, rest = self._fields(items, "requirements", repeatable=("evidence_from", "simulation"))
        reqs = tuple(x for x in rest if isinstance(x, ir.Requirement))
        rs = ir.RequirementSet(
            id=str(ident),
            title=unquote(str(title)),
            code=f.get("code"),
            environment=self._environment(rest),
            requirements=reqs,
            span=self._span(meta),
        )
        self.decls.requirement_sets.append(rs)
        return rs

    def code_stmt(self, meta, c):
        return self._f("code", unquote(str(c[0])), meta)

    def requirement(self, meta, c):
        num = c[0]
        kind = "evidence"
        i = 1
        if isinstance(c[1], Token) and c[1].type == "NAME":
            kind = str(c[1])
            if kind not in ir.REQUIREMENT_KINDS:
                self._err(
                    "E014",
                    f"unknown requirement kind `{kind}`",
                    c[1],
                    help=did_you_mean(kind, ir.REQUIREMENT_KINDS) or f"use one of {', '.join(ir.REQUIREMENT_KINDS)}",
                )
            i = 2
        text = self._text(c[i])
        body = c[i + 1 :]
        ranges = tuple(x for x in body if isinstance(x, ir.Range))
        distinct = tuple(x for x in body if isinstance(x, ir.Distinct))
        distinct += tuple(self._item_distinct[id(it)] for rg in ranges for it in rg.items if id(it) in self._item_distinct)
        methods = []
        for x in body:
            if isinstance(x, _Field) and x.name == "methods":
                for m, sp in x.value:
                    if m not in COMMUNICATION_METHODS:
                        self._err(
                            "E013",
                            f"unknown communication method `{m}`",
                            sp,
                            help=did_you_mean(m, COMMUNICATION_METHODS) or f"use one of {', '.join(COMMUNICATION_METHODS)}",
                        )
                    methods.append(m)
        different = tuple(x for x in body if isinstance(x, str))
        return ir.Requirement(
            _int(num, self.file, self.diags),
            kind,
            text,
            ranges,
            distinct,
            tuple(methods),
            different,
            span=self._span(meta),
        )

    def _range(self, meta, items, choose):
        return ir.Range(tuple(items), choose, span=self._span(meta))

    def range_all(self, meta, c):
        return self._range(meta, c, None)

    def range_choose(self, meta, c):
        k = _int(c[0], self.file, self.diags)
        items = c[1:]
        if k > len(items):
            self._err(
                "E050",
                f"this range asks for {k} of its items but lists only {len(items)}",
                c[0],
                help="lower the count or add the missing items",
            )
        if k < 1:
            self._err("E052", "a range must ask for at least one item", c[0])
        return self._range(meta, items, k)

    def item(self, meta, c):
        it = ir.RangeItem(str(c[0]), self._text(c[1]), span=self._span(meta))
        if len(c) > 2:  # a count inside this item: the requirement's, marked with the item's letter
            self._item_distinct[id(it)] = attrs.evolve(c[2], item=str(c[0]))
        return it

    @property
    def _item_distinct(self) -> dict:
        """The distinct count stated inside a range item (keyed by the item's id)."""
        if not hasattr(self, "_idc"):
            self._idc: dict = {}
        return self._idc

    def distinct(self, meta, c):
        n = _int(c[0], self.file, self.diags)
        if n < 1:
            self._err("E052", "a distinct count must be at least 1", c[0])
        return ir.Distinct(n, unquote(str(c[1])), span=self._span(meta))


def lower(tree, file: str, diags: list[Diagnostic]) -> tuple[FileDecls, list]:
    """Lower a parse tree.  Returns the declarations and the evidence-method
    uses (name, span) for the compiler to check against the vocabulary."""
    t = Lower(file, diags)
    decls = t.transform(tree)
    return decls, t._method_spans
