"""specs/ against the tables counted from the seeds (tests/seed_tables/).

scripts/seed_tables.py reads the seed texts in ../shared/seeds/ and writes the
tables; nothing in them comes from specs/.  The first test regenerates them
and checks the committed ones are current; the others compare the compiled IR
with them: every title, criterion, requirement and range item word for word
(after the normalisation below) and every count."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLES = Path(__file__).parent / "seed_tables"

_spec = importlib.util.spec_from_file_location("seed_tables", ROOT / "scripts" / "seed_tables.py")
seed_tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed_tables)

# OCR repairs the specs make, each noted in a `#` comment of the spec that
# names the seed's form (checked below): seed form -> spec form.
REPAIRS = {
    "cfa": [
        ("WorkingEnvironment", "Working Environment"),  # requirements-1.specc, head comment
        ("Quantitative #", "Quantitative"),  # requirements-2.specc: 'stray "#"'
        ("q Service partners", "g Service partners"),  # requirements-2.specc: 'printed "q."'
    ],
}
# where each repair is noted: a comment of the body's specs containing this text
REPAIR_NOTES = {
    "WorkingEnvironment": '"WorkingEnvironment" -> "Working Environment"',
    "Quantitative #": 'stray "#" after "Quantitative"',
    "q Service partners": 'printed "q."',
}


def norm(s: str) -> str:
    """Whitespace and bold markers are layout, not text."""
    return " ".join(s.replace("**", "").split())


def repaired(body: str, s: str) -> str:
    for seed_form, spec_form in REPAIRS.get(body, []):
        s = s.replace(seed_form, spec_form)
    return norm(s)


def load(body: str) -> dict:
    return json.loads((TABLES / f"{body}.json").read_text(encoding="utf-8"))


def spec_by_body(specs, body: str):
    found = [s for s in specs.values() if s.document.body.id == body]
    assert found, f"no spec for body {body}"
    return found[0]


def rows(body: str):
    return sorted(load(body).items())


def test_tables_are_current_with_the_seeds(tmp_path):
    """The committed tables are what scripts/seed_tables.py counts from the seeds."""
    seeds = seed_tables.find_seeds()
    if seeds is None:
        pytest.skip("../shared/seeds is absent")
    fresh = seed_tables.tables(seeds)
    assert sorted(fresh) == sorted(p.name for p in TABLES.glob("*.json"))
    for name, text in fresh.items():
        assert (TABLES / name).read_text(encoding="utf-8") == text, f"{name} is stale: run scripts/seed_tables.py"


def test_repairs_are_noted_in_the_specs():
    for body, pairs in REPAIRS.items():
        comments = "\n".join(
            ln
            for f in sorted((ROOT / "specs" / body).rglob("*.specc"))
            for ln in f.read_text(encoding="utf-8").splitlines()
            if ln.lstrip().startswith("#")
        )
        for seed_form, _ in pairs:
            assert REPAIR_NOTES[seed_form] in comments, seed_form


def figures(c) -> list[int]:
    """The quantities a criterion's demands state: each count and each `of which` count."""
    out = []
    for d in c.demands:
        out.append(d.count)
        if d.by is not None:
            out.append(d.by.count)
    return out


def quantity(word: str) -> int:
    return int(word) if word.isdigit() else seed_tables.NUMBER_WORDS[word.lower()]


@pytest.mark.parametrize("uid,row", rows("cityandguilds"))
def test_cityandguilds_unit(specs, uid, row):
    u = spec_by_body(specs, "cityandguilds").unit(uid)
    assert u is not None, uid
    assert norm(u.title) == norm(row["title"])
    assert len(u.outcomes) == row["outcomes"]
    assert {str(o.number): norm(o.statement) for o in u.outcomes} == row["outcome_titles"]
    assert len(u.criteria) == row["criteria"]
    assert {c.ref: norm(c.statement) for c in u.criteria} == row["criteria_text"]
    # every quantity the handbook prints in bold is a figure of one of the
    # criterion's demands (an either/or "one|one" is one figure); a demand
    # may also state a quantity the handbook does not print in bold
    matched = 0
    for ref, words in row["bold_quantities"].items():
        left = figures(u.criterion(ref))
        for w in words:
            n = quantity(w.split("|")[0])
            assert n in left, (ref, words, figures(u.criterion(ref)))
            left.remove(n)
            matched += 1
    assert matched == row["demands"]
    assert [norm(t.value) for t in u.evidence_guide_notes] == row["evidence_lead_in"]
    assert len(u.evidence_guide) == row["evidence_rows"]
    for r, refs, paras in zip(u.evidence_guide, row["evidence_row_refs"], row["evidence_row_text"], strict=True):
        named = re.findall(r"\d+\.\d+", refs.replace(",", ", "))
        if named:
            assert list(r.criteria) == named, refs
        else:  # a row headed by outcome numbers ("1, 3")
            assert [str(n) for n in r.outcomes] == re.findall(r"\d+", refs), refs
        assert norm(" ".join(t.value for t in r.notes)) == norm(" ".join(paras)), refs


@pytest.mark.parametrize("uid,row", rows("cityandguilds"))
def test_cityandguilds_unit_text(specs, uid, row):
    """The unit's head and every "Criteria explained" paragraph, word for word."""
    u = spec_by_body(specs, "cityandguilds").unit(uid)
    level = f"Entry {u.level.n}" if u.level.entry else str(u.level.n)
    assert (level, u.credits, u.reference, u.glh) == (row["level"], row["credits"], row["reference"], row["glh"])
    for field in ("assessment", "owner", "aim"):
        assert norm(getattr(u, field).value) == norm(row[field]), field
    assert {c.ref: norm(" ".join(g.text.value for g in c.guidance)) for c in u.criteria if c.guidance} == {
        ref: norm(" ".join(paras)) for ref, paras in row["explained"].items()
    }


@pytest.mark.parametrize("uid,row", rows("ncfe"))
def test_ncfe_unit(specs, uid, row):
    u = spec_by_body(specs, "ncfe").unit(uid)
    assert u is not None, uid
    assert norm(u.title) == norm(row["title"])
    assert u.reference == row["reference"]
    assert len(u.outcomes) == row["outcomes"]
    assert {str(o.number): norm(o.statement) for o in u.outcomes} == row["outcome_titles"]
    assert len(u.criteria) == row["criteria"]
    assert {c.ref: norm(c.statement) for c in u.criteria} == row["criteria_text"]
    assert sum(len(c.guidance) for c in u.criteria) == row["guidance"]
    assert sorted(c.ref for c in u.criteria for _ in c.guidance) == sorted(row["guidance_refs"])


@pytest.mark.parametrize("uid,row", rows("ncfe"))
def test_ncfe_unit_text(specs, uid, row):
    """The unit summary's figures and text, and the assessment guidance word for word
    (bullet glyphs are layout: the spec writes them as `- ` items)."""
    spec = spec_by_body(specs, "ncfe")
    u = spec.unit(uid)
    assert (u.glh, u.credits, u.level.n) == (row["glh"], row["credits"], row["level"])
    assert norm(u.aim.value) == row["summary"]
    mandatory = {m for q in spec.qualifications for m in q.mandatory}
    assert (uid in mandatory) == (row["status"] == "mandatory")
    guidance = " ".join(re.sub(r"(?m)^- ", "", g.text.value) for c in u.criteria for g in c.guidance)
    assert norm(guidance) == row["guidance_text"]


@pytest.mark.parametrize("rid,row", rows("cfa"))
def test_cfa_requirement_set(specs, rid, row):
    rs = spec_by_body(specs, "cfa").requirement_set(rid)
    assert rs is not None, rid
    assert norm(rs.title) == norm(row["title"])
    assert rs.code == row["code"]
    assert len(rs.requirements) == row["requirements"]
    assert [r.number for r in rs.requirements] == row["requirement_numbers"]
    assert [norm(r.text.value) for r in rs.requirements] == [repaired("cfa", t) for t in row["requirements_text"]]
    ranges = [rg for r in rs.requirements for rg in r.ranges]
    assert sum(1 for r in rs.requirements if r.ranges) == row["ranges"]
    assert sum(len(rg.items) for rg in ranges) == row["range_items"]
    got = {
        str(k + 1): [f"{it.letter} {norm(it.text.value)}" for rg in r.ranges for it in rg.items]
        for k, r in enumerate(rs.requirements)
        if r.ranges
    }
    want = {k: [repaired("cfa", t) for t in v] for k, v in row["range_items_text"].items()}
    assert got == want
    # "k of these" ranges: the seed's count where it states one
    choose = {str(k + 1): rg.choose for k, r in enumerate(rs.requirements) for rg in r.ranges if rg.choose is not None}
    assert choose == {**row["choose"], **READ_CHOOSE.get(rid, {})}
    distinct = {str(k + 1): [[d.count, d.what] for d in r.distinct] for k, r in enumerate(rs.requirements) if r.distinct}
    assert distinct == row["distinct"]
    # "with different customers on different occasions": `different` clauses,
    # written in the sufficiency requirement (docs/transcription.md)
    different = {str(k + 1): list(r.different) for k, r in enumerate(rs.requirements) if r.different}
    assert all(k in row["different"] for k in NOT_DIFFERENT.get(rid, ())), "stale exception"
    assert not any(k in row["choose"] for k in READ_CHOOSE.get(rid, {})), "stale reading"
    want = {k: v for k, v in row["different"].items() if k not in NOT_DIFFERENT.get(rid, ())}
    assert different == want


# "different customers" outside the sufficiency requirement, read as prose, not as a clause
NOT_DIFFERENT = {
    "communicate_effectively_with_customers": ("6",),
    "deliver_reliable_customer_service": ("4",),
}


# k-of-n ranges the seed states in words no pattern counts (a reading, kept here):
READ_CHOOSE = {
    # "may relate either to a single colleague or several colleagues who may be:"
    "develop_your_own_and_others_customer_service_skills": {"7": 1},
}


def test_cityandguilds_qualifications(specs):
    spec = spec_by_body(specs, "cityandguilds")
    table = load("cityandguilds-qualifications")
    assert sorted(table) == sorted(q.id for q in spec.qualifications) and len(table) == 4
    for number, row in table.items():
        q = spec.qualification(number)
        assert (q.number, norm(q.title), q.reference, q.glh, q.tqt) == (
            number,
            norm(row["title"]),
            row["reference"],
            row["glh"],
            row["tqt"],
        )
        rules = {type(r).__name__: r for r in q.rules}
        assert rules["MinTotal"].credits == row["minimum"]
        assert list(rules["Mandatory"].units) == row["mandatory"]
        first, last = row["at_least"]["units"]
        at_least = rules["CreditsFrom"]
        assert (at_least.op, at_least.credits) == ("at_least", row["at_least"]["credits"])
        assert list(at_least.units) == [f"{n:03d}" for n in range(int(first), int(last) + 1)]
        assert sum(spec.unit(m).credits for m in q.mandatory) == row["mandatory_credits"]


def test_cityandguilds_structure_table(specs):
    """The structure's table of units: reference, GLH, credits, mandatory for
    which qualifications, and the excluded combinations."""
    spec = spec_by_body(specs, "cityandguilds")
    table = load("cityandguilds-structure")
    assert sorted(table) == sorted(u.id for u in spec.units)
    for uid, row in table.items():
        u = spec.unit(uid)
        # the structure prints unit 110 as "customer-friendly", its own page "customer friendly"
        # (the spec follows the unit's page): titles are compared letters only
        loose = seed_tables._loose
        assert (loose(u.title), u.reference, u.glh, u.credits) == (loose(row["title"]), row["reference"], row["glh"], row["credits"])
        m = re.match(r"Mandatory \(for 4411-([\d,]+)\)", row["status"], re.I)
        mandatory_in = {"4411-" + n for n in m.group(1).split(",")} if m else set()
        assert {q.id for q in spec.qualifications if uid in q.mandatory} == mandatory_in, uid
        other = re.fullmatch(r"Cannot be taken with unit (\d{3})", row["excluded"]).group(1)
        assert spec.barred_with(uid) == (other,)


def test_ncfe_qualification(specs):
    spec = spec_by_body(specs, "ncfe")
    row = load("ncfe-qualification")
    (q,) = spec.qualifications
    assert (q.reference, q.aim_reference, q.tqt, q.glh, q.credits, q.level.n) == (
        row["number"],
        row["aim_reference"],
        row["tqt"],
        row["glh"],
        row["credits"],
        row["level"],
    )
    assert norm(q.assessment.value) == row["assessment"]
    groups = {g.id: g for g in spec.groups}
    for letter, group in row["groups"].items():
        g = groups[f"group_{letter.lower()}"]
        assert list(g.units) == list(group["units"])
        assert {uid: spec.unit(uid).credits for uid in g.units} == group["units"]
        assert (group["status"] == "mandatory") == (set(g.units) == set(q.mandatory))
    rules = {type(r).__name__ + getattr(r, "op", ""): r for r in q.rules}
    assert rules["MinTotal"].credits == row["minimum"]
    assert (rules["CreditsFromexactly"].credits, rules["CreditsFromexactly"].sources) == (
        row["exactly"]["credits"],
        (f"group_{row['exactly']['group'].lower()}",),
    )
    assert (rules["CreditsFromat_least"].credits, rules["CreditsFromat_least"].sources) == (
        row["at_least"]["credits"],
        (f"group_{row['at_least']['group'].lower()}",),
    )
    assert rules["Remaining"].sources == tuple(f"group_{x.lower()}" for x in row["remaining"])


def test_tables_cover_every_unit(specs):
    cg, nc, cfa = load("cityandguilds"), load("ncfe"), load("cfa")
    assert sorted(cg) == sorted(u.id for u in spec_by_body(specs, "cityandguilds").units) and len(cg) == 20
    own = [u.id for u in spec_by_body(specs, "ncfe").units if "." not in u.id]
    assert sorted(nc) == sorted(own) and len(nc) == 18
    assert sorted(cfa) == sorted(r.id for r in spec_by_body(specs, "cfa").requirement_sets) and len(cfa) == 68


def test_the_table_script_reads_the_seed_layout():
    """The parsers on a small text in each seed's layout (no seeds needed)."""
    cg = seed_tables.cityandguilds_table(
        "Unit 001\n\nA title\n\nLevel:\tEntry 3\nCredit value:\t2\nGLH:\t15\nAim:\tTo know.\n\n"
        "Unit 001 A title\n\nOutcome 1 Know things\n\nAssessment Criteria\n\nThe learner can:\n\n"
        "1. state two things\n2. list one thing.\n\nCriteria explained\n\n"
        "For **1.1** the candidate must state **two** things.\n\nFor **1.2** see **1.1**.\n\n"
        "Unit 001 A title\n\nEvidence guide\n\nEvidence must show it.\n\nOutcome\tPossible forms of evidence\n"
        "1.1\t<p>One.</p> <p>Two.</p>\n1.2\t\n\nAppendix 1 Sources of general information\n"
    )["001"]
    assert (cg["level"], cg["credits"], cg["glh"], cg["aim"]) == ("Entry 3", 2, 15, "To know.")
    assert cg["criteria_text"] == {"1.1": "state two things", "1.2": "list one thing."}
    assert cg["bold_quantities"] == {"1.1": ["two"]} and cg["demands"] == 1
    assert cg["evidence_lead_in"] == ["Evidence must show it."] and cg["evidence_rows"] == 2
    cfa = seed_tables.cfa_table(
        "Communication using customer service Language\n\n- 1. First.\n- Second, number lost.\n"
        "- **3**. Third:\n - a. One\n - Two, letter lost\n - I. Ell\n"
    )["communication_using_customer_service_language"]
    assert cfa["requirement_numbers"] == [1, 2, 3] and cfa["unnumbered"] == [2]
    assert cfa["range_items_text"] == {"3": ["a One", "b Two, letter lost", "l Ell"]}
    nc = seed_tables.ncfe_table(
        " Unit 01 A unit (L/506/2083)\nSummary text.\nGuided learning hours: 25\nCredit value: 3\nLevel: 1\n"
        "This unit is mandatory\n Unit 01 A unit (L/506/2083)\nThe learner will:\n1\nKnow things\nThe learner can:\n"
        "State one\nState two, whose line\nruns on\n1.1\n1.2\n13 State three\ne e e . e e Y\n"
        "Assessment guidance\nAssessment criteria:\n1.1\n13\nFirst text.\nSecond text.\n"
    )["01"]
    assert nc["outcome_titles"] == {"1": "Know things"}
    assert nc["criteria_text"] == {"1.1": "State one", "1.2": "State two, whose line runs on", "1.3": "State three"}
    assert (nc["glh"], nc["credits"], nc["level"], nc["status"], nc["summary"]) == (25, 3, 1, "mandatory", "Summary text.")
    assert nc["guidance_refs"] == ["1.1", "1.3"] and nc["guidance_text"] == "First text. Second text."


def test_the_table_script_check_mode(tmp_path, capsys):
    """`--check` writes nothing and exits 1 on a stale or missing table; 0 once written."""
    seeds = seed_tables.find_seeds()
    if seeds is None:
        pytest.skip("../shared/seeds is absent")
    out = tmp_path / "tables"
    assert seed_tables.main(["--seeds", str(seeds), "--out", str(out), "--check"]) == 1
    assert not out.exists()
    assert "stale seed tables" in capsys.readouterr().err
    assert seed_tables.main(["--seeds", str(seeds), "--out", str(out)]) == 0
    assert seed_tables.main(["--seeds", str(seeds), "--out", str(out), "--check"]) == 0
    (out / "cfa.json").write_text("{}\n", encoding="utf-8")
    assert seed_tables.main(["--seeds", str(seeds), "--out", str(out), "--check"]) == 1
