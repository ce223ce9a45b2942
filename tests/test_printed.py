"""Everything a validator enforces is printed (issue 11, item 4).

From the IR of each seed (specs/) and of a synthetic spec that uses every
construct (tests/fixtures/printed/synth.specc) this derives every fact a
portfolio validator enforces -- criteria, demands and their counts, distinct
(``different ...``) and method (``of which K by METHODS``) clauses, ranges (k of
n, items), distinct counts, ``different`` requirements, environments
(``evidence from``), simulation rules (``simulation ... except``), rules of
combination and barred pairs -- and asserts that each one is printed by every
house style, in the rendered HTML of

* the unit's handbook section (``handbook/sections/unit-<label>.html``) and the
  unit's forms (forms with fields ``u<unit>.``; see plugins/forms/common.py);
* a requirement set's handbook section (``requirements-<id>.html``) and its
  forms (fields ``rs.<set>.``), for the spec's own sets;
* for qualification facts, the whole handbook and the qualification's forms
  (fields ``q.<qualification>.``).

"Printed" is checked on the text a reader sees (lxml, whitespace normalised,
case ignored): the spec's own words (counted nouns, item texts, exception
clauses, group titles, unit labels) and its numbers, in words or figures.
The prose module is not used to make the expected strings.

A style that cannot show a spec must refuse it: exit 1, naming what it cannot
show, and write nothing for that emitter.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
from pathlib import Path

import attrs
import pytest

from specc import ir
from specc.vocab import EVIDENCE_METHODS

ROOT = Path(__file__).resolve().parent.parent
SYNTH = Path(__file__).resolve().parent / "fixtures" / "printed" / "synth.specc"
STYLES = ("cityandguilds", "ncfe", "cfa")
SOURCES = {
    "cityandguilds": ROOT / "specs" / "cityandguilds",
    "ncfe": ROOT / "specs" / "ncfe",
    "cfa": ROOT / "specs" / "cfa",
    "synth": SYNTH,
}

# (spec, style) pairs a style cannot show, and a word its refusal must name
REFUSED = {
    ("cityandguilds", "cfa"): "unit 001",
    ("ncfe", "cfa"): "unit 01",
    ("synth", "cfa"): "unit S01",
    ("cfa", "cityandguilds"): "Communication using customer service Language",
    ("cfa", "ncfe"): "Communication using customer service Language",
}

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")

# where evidence may come from, as a reader would read the IR's environment ids
ENVIRONMENT_WORDS = {"workplace": r"workplace|real work", "rwe": r"realistic working environment", "placement": r"placement"}


def count(n: int) -> str:
    """A regex for ``n`` in words or in figures, as a whole word."""
    alts = [str(n)] + ([WORDS[n]] if n < len(WORDS) else [])
    return r"(?<![\w.])(?:" + "|".join(alts) + r")(?![\w]|\.\d)"


def words(s: str) -> str:
    """A regex for the spec's own words, whitespace-insensitive."""
    return r"\s+".join(re.escape(w) for w in s.split())


def near(*parts: str, gap: int = 80) -> str:
    return (r"[^\n]{0," + str(gap) + "}?").join(f"(?:{p})" for p in parts)


@attrs.frozen
class Fact:
    scope: str  # "unit", "set" or "qualification"
    owner: str  # unit id, set id or qualification id
    what: str  # what a failure says
    patterns: tuple[str, ...]  # every one must match the printed text


def _method_label(spec: ir.Spec, m: str) -> str:
    own = {x.id: x.label for x in spec.methods}
    return own.get(m) or EVIDENCE_METHODS.get(m) or m.replace("_", " ")


def environment_facts(scope: str, owner: str, env: ir.Environment, where: str) -> list[Fact]:
    out = []
    for s in env.sources:
        out.append(Fact(scope, owner, f"{where}: evidence from {s}", (ENVIRONMENT_WORDS[s],)))
    for rule in env.simulation:
        mode = {"forbidden": r"not allowed|forbidden|not permitted|must not", "exceptional": r"exceptional", "allowed": r"(?<!not )allowed|may be used|permitted"}[rule.mode]
        # "simulation", then its mode and the kind of evidence it applies to, in either order
        pats = [r"simulat\w*" + "".join(rf"(?=[^\n]{{0,150}}?(?:{p}))" for p in [mode] + ([rf"\b{rule.applies_to}\b"] if rule.applies_to else []))]
        if rule.exception is not None:
            pats.append(words(rule.exception.plain.strip().rstrip(".")))
        out.append(Fact(scope, owner, f"{where}: simulation {rule.mode}{' for ' + rule.applies_to if rule.applies_to else ''}{' except ...' if rule.exception else ''}", tuple(pats)))
    return out


def requirement_set_facts(scope: str, owner: str, rs: ir.RequirementSet) -> list[Fact]:
    where = f"requirements {rs.id}"
    out = environment_facts(scope, owner, rs.environment, where)
    for r in rs.requirements:
        for rg in r.ranges:
            pats = [words(it.text.plain) for it in rg.items]
            if rg.choose is not None:
                pats.append(near(count(rg.choose), count(len(rg.items)), gap=40))
            out.append(Fact(scope, owner, f"{where} requirement {r.number}: range {'all' if rg.choose is None else f'{rg.choose} of {len(rg.items)}'}", tuple(pats)))
        for d in r.distinct:
            out.append(Fact(scope, owner, f"{where} requirement {r.number}: distinct {d.count} {d.what}", (near(count(d.count), words(d.what), gap=40),)))
        for what in r.different:
            out.append(Fact(scope, owner, f"{where} requirement {r.number}: different {what}", (near(r"different", words(what), gap=40),)))
    return out


def unit_facts(spec: ir.Spec, u: ir.Unit) -> list[Fact]:
    out = []
    for c in u.criteria:
        out.append(Fact("unit", u.id, f"criterion {c.ref}", (rf"(?<![\w.]){re.escape(c.ref)}(?![\w]|\.\d)", words(c.statement))))
        for d in c.demands:
            what = f"criterion {c.ref}: demand {d.count} {d.what!r}"
            out.append(Fact("unit", u.id, what, (near(count(d.count), words(d.what)),)))
            if d.different:
                out.append(Fact("unit", u.id, what + f" different {d.different}", (near(r"different", words(d.different), gap=40),)))
            if d.by is not None:
                # the clause's count, and each method by its label (the seeds' texts say
                # "observed by the Assessor/Witness"; the evidence guide names the methods)
                pats = [count(d.by.count)] + [words(_method_label(spec, m)) for m in d.by.methods]
                out.append(Fact("unit", u.id, what + f" of which {d.by.count} by {', '.join(d.by.methods)}", tuple(pats)))
    out += environment_facts("unit", u.id, u.environment, f"unit {u.label}")
    for rid in u.assessed_under:
        rs = spec.requirement_set(rid)
        if rs is not None:
            out += requirement_set_facts("unit", u.id, rs)
    return out


def _source_name(spec: ir.Spec, name: str) -> str:
    groups = {g.id: g.title for g in spec.groups}
    if name in groups:
        return words(groups[name])
    u = spec.unit(name)
    return rf"(?<![\w.]){re.escape(u.label if u else name)}(?![\w])"


def qualification_facts(spec: ir.Spec, q: ir.Qualification) -> list[Fact]:
    out = []
    for r in q.rules:
        if isinstance(r, (ir.MinTotal, ir.MaxTotal)):
            pats = (near(count(r.credits), r"credits?", gap=10),)
            out.append(Fact("qualification", q.id, f"{type(r).__name__} {r.credits} credits", pats))
        elif isinstance(r, ir.Mandatory):
            out.append(Fact("qualification", q.id, f"mandatory {', '.join(r.units)}", tuple(_source_name(spec, x) for x in r.units)))
        elif isinstance(r, ir.CreditsFrom):
            pats = tuple(near(count(r.credits), r"credits?", _source_name(spec, s), gap=40) for s in r.sources)
            out.append(Fact("qualification", q.id, f"{r.op} {r.credits} credits from {', '.join(r.sources)}", pats))
        elif isinstance(r, ir.Remaining):
            # "the remaining credits from ..." or, with its figure, "a further N credits (minimum) from ..."
            lead = r"remaining" if r.credits is None else near(r"further", count(r.credits), r"credits?", gap=10)
            pats = tuple(near(lead, _source_name(spec, s), gap=200) for s in r.sources)
            out.append(Fact("qualification", q.id, f"remaining {r.credits or ''} credits from {', '.join(r.sources)}", pats))
    seen = set()
    for b in spec.barred:
        key = frozenset((b.a, b.b))
        if key in seen or b.a not in q.units or b.b not in q.units:
            continue
        seen.add(key)
        # both labels in one sentence, list item or table row
        pats = ("\n[^\n]*" + near(_source_name(spec, b.a), _source_name(spec, b.b), gap=200) + "|\n[^\n]*" + near(_source_name(spec, b.b), _source_name(spec, b.a), gap=200),)
        out.append(Fact("qualification", q.id, f"barred {b.a} with {b.b}", pats))
    out += environment_facts("qualification", q.id, q.environment, f"qualification {q.id}")
    return out


def own_units(spec: ir.Spec) -> list[ir.Unit]:
    return [u for u in spec.units if "." not in u.id]


def own_sets(spec: ir.Spec) -> list[ir.RequirementSet]:
    return [rs for rs in spec.requirement_sets if rs.origin in (None, spec.document.id)]


def all_facts(spec: ir.Spec) -> list[Fact]:
    out = []
    for u in own_units(spec):
        out += unit_facts(spec, u)
    for rs in own_sets(spec):
        out += requirement_set_facts("set", rs.id, rs)
    for q in spec.qualifications:
        out += qualification_facts(spec, q)
    return out


# --------------------------------------------------------------------------- building and reading


def _text(path: Path) -> str:
    """What a reader sees: block elements on their own lines, whitespace
    within a line collapsed."""
    import lxml.html

    doc = lxml.html.fromstring(path.read_bytes())
    for bad in doc.xpath("//style|//script|//head"):
        bad.drop_tree()
    for el in doc.iter("p", "li", "tr", "h1", "h2", "h3", "h4", "dt", "dd", "div", "table", "br", "caption"):
        el.tail = "\n" + (el.tail or "")
        el.text = "\n" + (el.text or "")
    for el in doc.iter("td", "th"):
        el.tail = " " + (el.tail or "")
    lines = (" ".join(line.split()) for line in doc.text_content().split("\n"))
    return "\n" + "\n".join(line for line in lines if line) + "\n"


@attrs.frozen
class Built:
    rc: int
    stderr: str
    out: Path


_TMP = None


@functools.cache
def build(source: str, style: str) -> Built:
    import tempfile

    from specc import cli

    global _TMP
    if _TMP is None:
        _TMP = tempfile.TemporaryDirectory(prefix="specc-printed-")
    out = Path(_TMP.name) / f"{source}-{style}"
    err = io.StringIO()
    styled = ["--style", style] if style != "generic" else []  # the synthetic body has no house style
    argv = ["build", str(SOURCES[source]), "--emit", "handbook,forms", *styled, "--option", "formats=html", "--option", "handbook_formats=rst,html", "-o", str(out), "-q", "-j", "1"]
    with contextlib.redirect_stderr(err):
        rc = cli.main(argv)
    return Built(rc, err.getvalue(), out)


@functools.cache
def compiled(source: str) -> ir.Spec:
    from specc.compiler import compile_file

    if source == "synth":
        c = compile_file(SYNTH)
        assert c.spec is not None and not [d for d in c.diagnostics if d.is_error]
        return c.spec
    from specc import build as b

    (c,) = [c for c in b.compile_all([SOURCES[source]]) if c.spec is not None and Path(c.spec.files[0]).resolve().parent == SOURCES[source]]
    return c.spec


def _key(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(s)).strip("_") or "_"


def printed_texts(spec: ir.Spec, built: Built) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(scope, owner) -> [(file name, text)] where its facts must appear."""
    root = built.out / spec.document.id
    hb = root / "handbook"
    whole = _text(hb / f"{spec.document.id}.html")
    index = json.loads((root / "forms" / "index.json").read_text(encoding="utf-8"))
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def forms_with(prefix: str) -> list[tuple[str, str]]:
        # the evidence records (observation, witness testimony, ...) list only
        # the criteria their methods evidence, by design: a unit's facts are
        # printed on its own forms, not on every record
        return [
            (fm["files"]["html"], _text(built.out / fm["files"]["html"]))
            for fm in index["forms"]
            if fm.get("group") != "evidence-records" and any(f.startswith(prefix) for f in fm["fields"])
        ]

    for u in own_units(spec):
        section = hb / "sections" / f"unit-{u.label}.html"
        out[("unit", u.id)] = [(str(section.relative_to(root)), _text(section) if section.exists() else "")] + forms_with(f"u{_key(u.id)}.")
    for rs in own_sets(spec):
        # a set is shown in its own section, or inside the sections of the units assessed under it
        section = hb / "sections" / f"requirements-{rs.id}.html"
        units = [u for u in own_units(spec) if rs.id in u.assessed_under]
        sections = [section] if section.exists() else [hb / "sections" / f"unit-{u.label}.html" for u in units]
        out[("set", rs.id)] = [(str(p.relative_to(root)), _text(p) if p.exists() else "") for p in sections or [section]] + forms_with(f"rs.{_key(rs.id)}.")
    for q in spec.qualifications:
        out[("qualification", q.id)] = [(f"handbook/{spec.document.id}.html", whole)] + forms_with(f"q.{_key(q.id)}.")
    return out


def missing(spec: ir.Spec, built: Built) -> list[str]:
    texts = printed_texts(spec, built)
    problems = []
    for (scope, owner), places in texts.items():
        if len(places) < 2:
            problems.append(f"{scope} {owner}: no forms")
    for fact in all_facts(spec):
        for name, text in texts[(fact.scope, fact.owner)]:
            gone = [p for p in fact.patterns if not re.search(p, text, re.IGNORECASE)]
            if gone:
                problems.append(f"{name}: {fact.what} not printed")
    return problems


# --------------------------------------------------------------------------- the tests


def _check(source: str, style: str) -> None:
    spec = compiled(source)
    built = build(source, style)
    refusal = REFUSED.get((source, style))
    if refusal is not None:
        assert built.rc == 1, built.stderr
        assert "cannot show" in built.stderr and refusal in built.stderr, built.stderr
        assert not (built.out / spec.document.id / "handbook").exists()
        assert not (built.out / spec.document.id / "forms").exists()
        return
    assert built.rc == 0, built.stderr
    problems = missing(spec, built)
    assert not problems, f"{len(problems)} facts not printed:\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("style", (*STYLES, "generic"))
def test_synthetic_spec_prints_every_enforced_fact(style):
    _check("synth", style)


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("source", ("cityandguilds", "ncfe", "cfa"))
def test_seed_prints_every_enforced_fact(source, style):
    _check(source, style)


def test_synthetic_spec_uses_every_construct():
    """The fixture keeps covering every fact kind (else the test above
    could pass by having nothing to check)."""
    spec = compiled("synth")
    demands = [d for u in spec.units for c in u.criteria for d in c.demands]
    assert {d.op for d in demands} == {"exactly", "at_least"}
    assert {"occasions", "customers"} < {d.different for d in demands if d.different}
    assert {d.by.op for d in demands if d.by} == {"exactly", "at_least"}
    sets = spec.requirement_sets
    assert {rg.choose is None for rs in sets for r in rs.requirements for rg in r.ranges} == {True, False}
    assert any(r.distinct for rs in sets for r in rs.requirements) and any(r.different for rs in sets for r in rs.requirements)
    envs = [u.environment for u in spec.units] + [rs.environment for rs in sets] + [q.environment for q in spec.qualifications]
    assert {r.mode for e in envs for r in e.simulation} == {"allowed", "forbidden", "exceptional"}
    assert any(r.exception for e in envs for r in e.simulation) and all(any(e.sources) for e in (envs[0], envs[-1]))
    assert {type(r) for q in spec.qualifications for r in q.rules} == {ir.MinTotal, ir.MaxTotal, ir.Mandatory, ir.CreditsFrom, ir.Remaining}
    assert spec.barred and any(u.assessed_under for u in spec.units)
    assert spec.document.body.id not in STYLES  # the generic layout is checked too


def test_a_missing_fact_is_found():
    """The checker can fail: a handbook and forms with a fact removed report it."""
    spec = compiled("synth")
    built = build("synth", "ncfe")
    texts = printed_texts(spec, built)
    fact = next(f for f in all_facts(spec) if "choose" not in f.what and "range 3 of 5" in f.what)
    for _, text in texts[(fact.scope, fact.owner)]:
        cut = text.replace("Gooseberry fool", "")
        assert any(not re.search(p, cut, re.IGNORECASE) for p in fact.patterns)


def test_forms_do_not_bar_an_environment_the_unit_allows():
    """Unit S03 takes evidence from a work placement only: its forms must
    not call a placement "not permissible" (they did: any source list without
    `rwe` barred both)."""
    built = build("synth", "cityandguilds")
    text = _text(built.out / "synth" / "forms" / "units" / "unit-S03.html")
    assert re.search(r"Evidence from a realistic working environment is not permissible", text)
    assert "work placement is not permissible" not in text
    assert "A work placement" in text  # the one source offered for a tick
