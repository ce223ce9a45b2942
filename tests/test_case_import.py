"""``specc import case``: CFPackages back to specc source.

Round trip on every seed spec (export, import, export gives the same bytes),
the same without ``extensions`` (hierarchy, references, texts survive), a
real OpenSALT export, and hostile input: every failure is a located
diagnostic, never a traceback.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc import build
from specc.cli import main as specc_main
from specc.diagnostics import render
from specc.fmt import format_text
from specc.syntax import normalise_text
from specc_plugins.case import dumps
from specc_plugins.case.importer import construct_of, import_packages
from specc_plugins.case.package import cfpackage

DATA = Path(__file__).resolve().parent / "data" / "case"
SAMPLE = DATA / "opensalt-sample-framework.json"


@pytest.fixture(scope="session")
def exported(specs):
    """document id -> the package's JSON text, for every seed spec."""
    return {doc_id: dumps(cfpackage(spec)) for doc_id, spec in specs.items()}


def _import(tmp_path: Path, named: dict[str, str | bytes]):
    res = import_packages([(n, v.encode("utf-8") if isinstance(v, str) else v) for n, v in named.items()])
    for name, src in res.files.items():
        (tmp_path / name).write_text(src, encoding="utf-8")
    return res


def _reexport(tmp_path: Path) -> dict[str, str]:
    comps = build.compile_all([tmp_path])
    bad = [d for c in comps for d in c.diagnostics if d.is_error]
    assert bad == []
    return {c.spec.document.id: dumps(cfpackage(c.spec)) for c in comps}


def codes(res) -> list[str]:
    return [d.code for d in res.diagnostics]


# ----------------------------------------------------------------------------- round trips


def test_round_trip_every_seed_spec(tmp_path, exported):
    res = _import(tmp_path, {f"{k}.json": v for k, v in exported.items()})
    assert res.diagnostics == []
    assert sorted(res.files) == sorted(f"{k}.specc" for k in exported)
    assert _reexport(tmp_path) == exported


def test_imported_source_is_canonical_and_checks(tmp_path, exported, capsys):
    res = _import(tmp_path, {f"{k}.json": v for k, v in exported.items()})
    for name, src in res.files.items():
        assert format_text(src, name)[0] == src
    assert specc_main(["check", str(tmp_path)]) == 0
    assert "error" not in capsys.readouterr().err.split("checked")[-1]


def strip_extensions(obj):
    if isinstance(obj, dict):
        return {k: strip_extensions(v) for k, v in obj.items() if k != "extensions"}
    if isinstance(obj, list):
        return [strip_extensions(v) for v in obj]
    return obj


def projection(pkg: dict) -> tuple:
    """What must survive without extensions: the tree (item type, code,
    statement, children in order) and the isRelatedTo links between items
    named by their paths in the tree."""
    items = {i["identifier"]: i for i in pkg["CFItems"]}
    kids: dict[str, list] = {}
    for a in pkg["CFAssociations"]:
        if a["associationType"] == "isChildOf":
            kids.setdefault(a["destinationNodeURI"]["identifier"], []).append((a["sequenceNumber"], a["originNodeURI"]["identifier"]))
    paths: dict[str, tuple] = {}

    def tree(ident, path):
        out = []
        for _s, k in sorted(kids.get(ident, [])):
            it = items[k]
            me = (it["CFItemType"], it.get("humanCodingScheme"), it["fullStatement"])
            paths[k] = path + (me,)
            out.append((me, tree(k, paths[k])))
        return tuple(out)

    shape = tree(pkg["CFDocument"]["identifier"], ())
    related = sorted(
        (paths[a["originNodeURI"]["identifier"]], paths.get(a["destinationNodeURI"]["identifier"], a["destinationNodeURI"]["title"]))
        for a in pkg["CFAssociations"]
        if a["associationType"] == "isRelatedTo"
    )
    return pkg["CFDocument"]["title"], shape, related


@pytest.mark.slow
def test_round_trip_without_extensions(tmp_path, exported):
    bare = {f"{k}.json": json.dumps(strip_extensions(json.loads(v))) for k, v in exported.items()}
    res = _import(tmp_path, bare)
    assert not any(d.is_error for d in res.diagnostics)
    # what cannot come back without extensions is said: the rules of combination
    assert set(codes(res)) == {"WC21"}
    again = _reexport(tmp_path)
    by_title = {json.loads(v)["CFDocument"]["title"]: json.loads(v) for v in again.values()}
    for text in exported.values():
        orig = json.loads(text)
        assert projection(by_title[orig["CFDocument"]["title"]]) == projection(orig)


def test_a_package_alone_reports_links_into_packages_not_given(tmp_path, exported):
    res = _import(tmp_path, {"ncfe.json": exported["ncfe_601_3972_9"]})
    assert codes(res) and set(codes(res)) == {"WC22"}
    assert specc_main(["check", str(tmp_path)]) == 0


# ----------------------------------------------------------------------------- other frameworks


def test_mapping_rule_by_item_type_and_depth():
    assert construct_of("Cluster", None) == ("unit", False)
    assert construct_of("Standard", "unit") == ("outcome", False)
    assert construct_of("Component", "outcome") == ("criterion", False)
    assert construct_of("Component", "criterion") == ("criterion", False)
    assert construct_of("Learning Outcome", "unit") == ("outcome", False)
    assert construct_of("module", None) == ("unit", False)
    assert construct_of("Assessment Criterion", None) == ("unit", True)  # cannot stand under the document
    assert construct_of("Range Item", "requirement") == ("range_item", False)
    assert construct_of(None, "requirements") == ("requirement", False)


def _depths(pkg):
    parent = {a["originNodeURI"]["identifier"]: a["destinationNodeURI"]["identifier"] for a in pkg["CFAssociations"] if a["associationType"] == "isChildOf"}
    out = {}
    for i in pkg["CFItems"]:
        d, cur = 0, i["identifier"]
        while cur in parent:
            d, cur = d + 1, parent[cur]
        out[i["identifier"]] = d
    return out


def test_opensalt_sample_imports_and_checks(tmp_path, capsys):
    raw = SAMPLE.read_bytes()
    sample = json.loads(raw)
    res = _import(tmp_path, {str(SAMPLE): raw})
    assert not any(d.is_error for d in res.diagnostics)
    # every association specc has no construct for is reported where it is, and nothing else
    unmapped = [a for a in sample["CFAssociations"] if a["associationType"] != "isChildOf"]
    wc15 = [d for d in res.diagnostics if d.code == "WC15"]
    assert len(wc15) == len(unmapped)
    # and every item field it has no place for, once, where it first occurs
    fields = {k for i in sample["CFItems"] for k in i} - {"identifier", "uri", "fullStatement", "humanCodingScheme", "listEnumeration", "notes", "CFItemType", "CFItemTypeURI", "CFDocumentURI", "language", "lastChangeDateTime", "CFItemAssociationURI"}
    wc23 = [d for d in res.diagnostics if d.code == "WC23"]
    assert fields == {"educationalLevel"} and len(wc23) == 1 and "(16 items)" in wc23[0].message
    assert len(res.diagnostics) == len(wc15) + len(wc23)
    lines = raw.decode("utf-8").split("\n")
    assert '"educationalLevel"' in lines[wc23[0].span.line - 1]
    for d, a in zip(wc15, unmapped, strict=True):
        assert f'"{a["associationType"]}"' in lines[d.span.line - 1]
    assert specc_main(["check", str(tmp_path)]) == 0
    (comp,) = build.compile_all([tmp_path])
    spec = comp.spec
    depth = _depths(sample)
    assert len(spec.units) == sum(1 for d in depth.values() if d == 1)
    assert sum(len(u.outcomes) for u in spec.units) == sum(1 for d in depth.values() if d == 2)
    assert sum(len(u.criteria) for u in spec.units) == sum(1 for d in depth.values() if d >= 3)
    statements = {i["fullStatement"] for i in sample["CFItems"]}
    got = {u.title for u in spec.units} | {o.statement for u in spec.units for o in u.outcomes} | {c.statement for u in spec.units for c in u.criteria}
    assert got == statements
    # the string sequenceNumbers order the document's children
    assert [u.number for u in spec.units] == ["CCSS.Math.Content.6.RP.A", "CCSS.Math.Content.7.RP.A"]


def test_cli_import_writes_files(tmp_path, capsys):
    out = tmp_path / "out"
    assert specc_main(["import", "case", str(SAMPLE), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning[WC15]" in err and "1 file written" in err
    assert [p.name for p in out.iterdir()] == ["what_standards_could_be.specc"]


# ----------------------------------------------------------------------------- hostile input


def _cli(tmp_path, data: bytes, capsys, name="p.json"):
    p = tmp_path / name
    p.write_bytes(data)
    out = tmp_path / "out"
    status = specc_main(["import", "case", str(p), "-o", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err, out


def test_deeply_nested_json(tmp_path, capsys):
    status, err, out = _cli(tmp_path, b'{"CFDocument": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", capsys)
    assert status == 1 and "error[EC03]" in err and "p.json:1:" in err
    assert not out.exists()


def test_not_json_not_utf8_not_a_package(tmp_path, capsys):
    status, err, _ = _cli(tmp_path, b'{"CFDocument": {\n  "title": "x",\n  oops\n}', capsys)
    assert status == 1 and "error[EC02]" in err and "p.json:3:3" in err
    status, err, _ = _cli(tmp_path, b'{"CFDocument": {"title": "caf\xe9"}}', capsys)
    assert status == 1 and "error[EC01]" in err and "p.json:1:30" in err
    status, err, _ = _cli(tmp_path, b"[1, 2]", capsys)
    assert status == 1 and "error[EC04]" in err
    status, err, _ = _cli(tmp_path, b'{"CFItems": []}', capsys)
    assert status == 1 and "error[EC04]" in err
    status, err, _ = _cli(tmp_path, b'{"CFDocument": {"title": NaN}}', capsys)
    assert status == 1 and "error[EC02]" in err


def _small_package(specs) -> dict:
    return cfpackage(specs["cg4411"])


def _line_of(text: str, d) -> str:
    return text.split("\n")[d.span.line - 1]


def test_wrong_types_are_located(tmp_path, specs):
    pkg = copy.deepcopy(_small_package(specs))
    crit = next(i for i in pkg["CFItems"] if i["CFItemType"] == "Assessment Criterion")
    crit["fullStatement"] = 5
    pkg["CFAssociations"][0]["sequenceNumber"] = {"n": 1}
    unit = next(i for i in pkg["CFItems"] if i["CFItemType"] == "Unit")
    unit["extensions"] = "oops"
    pkg["extensions"]["specc"]["rules"]["4411-30"][0] = {"kind": "minimum", "credits": "six"}
    text = json.dumps(pkg, indent=2)
    res = _import(tmp_path, {"p.json": text})
    assert not any(d.is_error for d in res.diagnostics)
    found = {d.code: d for d in res.diagnostics}
    assert '"fullStatement": 5' in _line_of(text, next(d for d in res.diagnostics if "fullStatement" in d.message))
    assert '"sequenceNumber"' in _line_of(text, next(d for d in res.diagnostics if "sequenceNumber" in d.message))
    assert '"extensions": "oops"' in _line_of(text, next(d for d in res.diagnostics if "`extensions`" in d.message))
    assert {"WC10", "WC11", "WC20"} <= set(found)
    rendered = render(found["WC11"], res.sources)
    assert "-->" in rendered and "^" in rendered
    assert specc_main(["check", str(tmp_path)]) == 0


def test_unhashable_values_in_a_rule_are_refused_not_a_crash(tmp_path, specs):
    """Found by the mutation fuzz: a rule's `op` as a list (unhashable)."""
    pkg = copy.deepcopy(_small_package(specs))
    pkg["extensions"]["specc"]["rules"]["4411-30"][0] = {"kind": "credits_from", "op": [], "credits": 3, "sources": ["001"]}
    res = _import(tmp_path, {"p.json": json.dumps(pkg, indent=2)})
    assert not any(d.is_error for d in res.diagnostics)
    assert any(d.code.startswith("WC") and "rule 1 of qualification 4411-30" in d.message for d in res.diagnostics)


def test_cycles_in_is_child_of(tmp_path, specs):
    pkg = copy.deepcopy(_small_package(specs))
    units = [i for i in pkg["CFItems"] if i["CFItemType"] == "Assessment Criterion"][:2]
    a, b = units[0]["identifier"], units[1]["identifier"]
    for assoc in pkg["CFAssociations"]:
        if assoc["associationType"] == "isChildOf" and assoc["originNodeURI"]["identifier"] in (a, b):
            other = b if assoc["originNodeURI"]["identifier"] == a else a
            assoc["destinationNodeURI"] = {"title": "x", "identifier": other, "uri": "urn:x"}
    res = _import(tmp_path, {"p.json": json.dumps(pkg, indent=2)})
    assert codes(res).count("WC13") == 1
    src = next(iter(res.files.values()))
    assert f'"{units[0]["fullStatement"]}"' not in src and f'"{units[1]["fullStatement"]}"' not in src
    assert not any(d.is_error for d in build.compile_all([tmp_path])[0].diagnostics)


def test_duplicate_identifiers(tmp_path, specs):
    pkg = copy.deepcopy(_small_package(specs))
    dup = copy.deepcopy(next(i for i in pkg["CFItems"] if i["CFItemType"] == "Unit"))
    dup["fullStatement"] = "an impostor"
    pkg["CFItems"].append(dup)
    text = json.dumps(pkg, indent=2)
    res = _import(tmp_path, {"p.json": text})
    (d,) = [d for d in res.diagnostics if d.code == "WC12"]
    assert d.span.line > text[: text.index("an impostor")].count("\n") - 40  # the later copy
    assert "an impostor" not in next(iter(res.files.values()))


def test_a_long_chain_of_children_is_flattened(tmp_path):
    """A framework 3,000 levels deep in isChildOf (not in JSON nesting)."""
    doc = str(uuid.uuid4())
    items, assocs, parent = [], [], doc
    for n in range(3000):
        ident = str(uuid.uuid4())
        items.append({"identifier": ident, "fullStatement": f"level {n}", "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z"})
        assocs.append({"identifier": str(uuid.uuid4()), "associationType": "isChildOf", "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z", "originNodeURI": {"title": "", "identifier": ident, "uri": "urn:x"}, "destinationNodeURI": {"title": "", "identifier": parent, "uri": "urn:x"}})
        parent = ident
    pkg = {"CFDocument": {"identifier": doc, "uri": "urn:x", "creator": "Me", "title": "Deep", "lastChangeDateTime": "2020-01-01T00:00:00Z"}, "CFItems": items, "CFAssociations": assocs}
    res = _import(tmp_path, {"deep.json": json.dumps(pkg)})
    assert res.diagnostics == []
    (comp,) = build.compile_all([tmp_path])
    assert comp.ok
    (u,) = comp.spec.units
    assert len(u.outcomes) == 1 and len(u.criteria) == 2998


# ----------------------------------------------------------------------------- text that would break the syntax


def _framework(statement: str, notes: str | None) -> dict:
    doc, unit, out, crit = (str(uuid.UUID(int=i)) for i in range(1, 5))
    link = lambda i: {"title": "", "identifier": i, "uri": "urn:x"}  # noqa: E731
    item = lambda i, s, **kw: {"identifier": i, "fullStatement": s, "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z", **kw}  # noqa: E731
    crit_item = item(crit, statement, **({"notes": notes} if notes is not None else {}))
    return {
        "CFDocument": {"identifier": doc, "uri": "urn:x", "creator": 'A "body" \\ with """quotes"""', "title": 'T """ \\', "lastChangeDateTime": "2020-01-01T00:00:00Z"},
        "CFItems": [item(unit, "U"), item(out, "O"), crit_item],
        "CFAssociations": [
            {"identifier": str(uuid.UUID(int=10 + n)), "associationType": "isChildOf", "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z", "originNodeURI": link(a), "destinationNodeURI": link(b)}
            for n, (a, b) in enumerate([(unit, doc), (out, unit), (crit, out)])
        ],
    }


NASTY = st.lists(st.sampled_from(list('"\\\n\t #{}ab\u00e9\u2019 ') + ['"""', "\\n", "\\\\", '\\"', '""""']), min_size=1, max_size=30).map("".join)


def _survives(tmp, statement, notes):
    res = _import(tmp, {"n.json": json.dumps(_framework(statement, notes))})
    assert res.diagnostics == []
    (comp,) = build.compile_all([tmp])
    assert comp.ok, comp.diagnostics
    (c,) = comp.spec.units[0].criteria
    assert c.statement == statement.strip()
    assert comp.spec.document.title == 'T """ \\'
    if notes is not None:
        n = notes.strip()
        # text over several lines is a long text (normalised: dedented, lines
        # right-stripped), unless it holds a run of quotes: then an escaped string
        long = "\n" in n and '""' not in n
        assert [g.text.value for g in c.guidance] == [normalise_text(n) if long else n]


@pytest.mark.parametrize(
    "statement,notes",
    [
        ('say "hello"', 'a """ quote'),
        ("back\\slash \\n \\", "line one\n\n  - bullet \\ two\n\tend"),
        ('""""', '""""\n"'),
        ("# not a comment { }", "x\n\"\"\"\n y"),
    ],
)
def test_quotes_backslashes_and_newlines_survive(tmp_path, statement, notes):
    _survives(tmp_path, statement, notes)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statement=NASTY.filter(lambda s: s.strip()), notes=st.one_of(st.none(), NASTY.filter(lambda s: s.strip())))
def test_any_text_survives(tmp_path_factory, statement, notes):
    _survives(tmp_path_factory.mktemp("nasty"), statement, notes)


def test_control_characters_and_lone_surrogates_are_removed_with_a_warning(tmp_path):
    text = json.dumps(_framework("bell\u0007 and \ud800 and\r\nCRLF", "esc\u001b[31m red"))
    res = _import(tmp_path, {"c.json": text})
    assert codes(res) == ["WC18", "WC18"]
    (comp,) = build.compile_all([tmp_path])
    (c,) = comp.spec.units[0].criteria
    assert c.statement == "bell and  and\nCRLF"
    assert c.guidance[0].text.value == "esc[31m red"


def test_size_limit_and_document_without_identifier(tmp_path, capsys, monkeypatch):
    from specc_plugins.case import jsonsrc

    monkeypatch.setattr(jsonsrc, "MAX_BYTES", 100)
    status, err, out = _cli(tmp_path, b'{"CFDocument": {"title": "' + b"x" * 200 + b'"}}', capsys)
    assert status == 1 and "error[EC01]" in err and "limit is 100" in err and not out.exists()
    monkeypatch.undo()
    status, err, out = _cli(tmp_path, b'{"CFDocument": {"title": "x"}, "CFItems": []}', capsys)
    assert status == 1 and "error[EC04]" in err and "no identifier" in err and not out.exists()


def test_units_under_a_qualification_of_another_framework(tmp_path):
    """A framework whose tree is qualification > unit > outcome > criterion:
    the units are written, and the qualification lists them (WC21 says its
    rules are only a placeholder)."""
    pkg = _framework("criterion text", None)
    q = str(uuid.UUID(int=99))
    pkg["CFItems"].insert(0, {"identifier": q, "fullStatement": "A qualification", "CFItemType": "Qualification", "humanCodingScheme": "Q1", "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z"})
    child = pkg["CFAssociations"][0]  # unit isChildOf document
    pkg["CFAssociations"].append({**child, "identifier": str(uuid.UUID(int=98)), "originNodeURI": {"title": "", "identifier": q, "uri": "urn:x"}})
    child["destinationNodeURI"] = {"title": "", "identifier": q, "uri": "urn:x"}
    res = _import(tmp_path, {"q.json": json.dumps(pkg)})
    assert codes(res) == ["WC21"]
    (comp,) = build.compile_all([tmp_path])
    assert comp.ok, comp.diagnostics
    (qual,) = comp.spec.qualifications
    assert [comp.spec.unit(u).title for u in qual.units] == ["U"]


@pytest.mark.slow
def test_a_large_framework(tmp_path):
    """20,000 criteria under one outcome: imports and compiles (no quadratic step)."""
    pkg = _framework("c 0", None)
    pkg["CFAssociations"][2]["sequenceNumber"] = 1
    out = pkg["CFItems"][1]["identifier"]
    for n in range(1, 20_000):
        ident = str(uuid.UUID(int=1000 + n))
        pkg["CFItems"].append({"identifier": ident, "fullStatement": f"c {n}", "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z"})
        pkg["CFAssociations"].append({"identifier": str(uuid.UUID(int=100_000 + n)), "associationType": "isChildOf", "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z", "sequenceNumber": n + 1, "originNodeURI": {"title": "", "identifier": ident, "uri": "urn:x"}, "destinationNodeURI": {"title": "", "identifier": out, "uri": "urn:x"}})
    res = _import(tmp_path, {"big.json": json.dumps(pkg)})
    assert res.diagnostics == []
    (comp,) = build.compile_all([tmp_path])
    assert [c.statement for c in comp.spec.units[0].criteria][:3] == ["c 0", "c 1", "c 2"]
    assert len(comp.spec.units[0].criteria) == 20_000


def test_tree_problems_are_reported_where_they_are(tmp_path):
    pkg = _framework("criterion", None)
    doc = pkg["CFDocument"]["identifier"]
    unit, out, crit = (i["identifier"] for i in pkg["CFItems"])

    def assoc(n, origin, dest, kind="isChildOf"):
        return {"identifier": str(uuid.UUID(int=500 + n)), "associationType": kind, "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z", "originNodeURI": {"title": "", "identifier": origin, "uri": "urn:x"}, "destinationNodeURI": {"title": "", "identifier": dest, "uri": "urn:x"}}

    orphan, misplaced = str(uuid.UUID(int=600)), str(uuid.UUID(int=601))
    pkg["CFItems"] += [
        {"identifier": orphan, "fullStatement": "nobody's child", "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z"},
        {"identifier": misplaced, "fullStatement": "a criterion at the top", "CFItemType": "Assessment Criterion", "uri": "urn:x", "lastChangeDateTime": "2020-01-01T00:00:00Z"},
    ]
    pkg["CFAssociations"] += [
        assoc(1, crit, unit),  # a second parent (WC17)
        assoc(2, str(uuid.UUID(int=999)), unit),  # from no item (WC14)
        assoc(3, misplaced, doc),  # a type that cannot stand there (WC19)
    ]
    text = json.dumps(pkg, indent=2)
    res = _import(tmp_path, {"t.json": text})
    got = {d.code: d for d in res.diagnostics}
    assert sorted(got) == ["WC14", "WC16", "WC17", "WC19"]
    lines = text.split("\n")
    assert "nobody's child" in "\n".join(lines[got["WC16"].span.line - 1 : got["WC16"].span.line + 3])
    assert '"Assessment Criterion"' in lines[got["WC19"].span.line - 1]
    assert '"originNodeURI"' in lines[got["WC14"].span.line - 1]
    (comp,) = build.compile_all([tmp_path])
    assert comp.ok
    assert sorted(u.title for u in comp.spec.units) == ["U", "a criterion at the top"]


def test_two_packages_of_one_document_and_unwritable_output(tmp_path, capsys, exported):
    p = tmp_path / "a.json"
    p.write_text(exported["ncfe_601_3972_9"], encoding="utf-8")
    q = tmp_path / "b.json"
    q.write_text(exported["ncfe_601_3972_9"], encoding="utf-8")
    assert specc_main(["import", "case", str(p), str(q), "-o", str(tmp_path / "o")]) == 1
    assert "error[EC06]" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert specc_main(["import", "case", str(SAMPLE), "-o", str(blocker)]) == 1
    assert "error[EC05]" in capsys.readouterr().err


def test_json_diagnostics(tmp_path, capsys):
    assert specc_main(["import", "case", str(SAMPLE), "-o", str(tmp_path / "o"), "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert {d["code"] for d in got} == {"WC15", "WC23"} and all(d["file"] == str(SAMPLE) and d["line"] > 0 for d in got)


def test_missing_file_is_a_diagnostic(tmp_path, capsys):
    assert specc_main(["import", "case", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o")]) == 1
    assert "error[EC01]" in capsys.readouterr().err


RICH = """
document rich "Rich" {
  body ncfe "NCFE"
  published 2024-03-05
  method reports "Reports"
}
group g_a "Group A" { 01 02 }
qualification 1-01 "Q" {
  number "1/01"
  level entry 3
  credits 2
  rules {
    minimum 2 credits
    at least 2 credits from g_a
    mandatory 01
    remaining credits from g_a
  }
}
barred 01 with 02 "not both"
unit 01 "One" {
  credits 2
  aim "An aim"
  outcome 1 performance "Be able to do" {
    criterion 1.1 "do it" {
      explained "Like so."
      demand 4 "customers" different occasions of which exactly 2 by observation, reports
      reuse unit 02 1.1 "same customers"
    }
  }
}
unit 02 "Two" {
  credits 2
  outcome 1 knowledge "Know" {
    criterion 1.1 "know it"
  }
}
requirements req "Reqs" {
  code "B1"
  requirement 1 sufficiency "Enough." {
    different customers
  }
  requirement 2 "Some of:" {
    choose 1 {
      a "this"
      b "that"
    }
    distinct 2 "media"
    methods face_to_face, telephone
  }
}
"""


def test_a_rich_spec_round_trips(tmp_path):
    from conftest import compile_text

    comp = compile_text(tmp_path, RICH, "rich.specc")
    assert comp.ok, comp.diagnostics
    text = dumps(cfpackage(comp.spec))
    out = tmp_path / "out"
    out.mkdir()
    res = _import(out, {"rich.json": text})
    assert res.diagnostics == []
    assert _reexport(out) == {"rich": text}


def _paths(obj, path=()):
    yield path
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, path + (i,))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**12) | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_packages_never_break_the_importer(tmp_path_factory, data):
    """Any value of a real package replaced by any JSON value: the importer
    reports (or ignores) it, and what it writes parses."""
    from conftest import compile_text

    tmp = tmp_path_factory.mktemp("mut")
    comp = compile_text(tmp, RICH, "rich.specc")
    pkg = cfpackage(comp.spec)
    paths = [p for p in _paths(pkg) if p]
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        target = pkg
        try:
            for k in path[:-1]:
                target = target[k]
            target[path[-1]] = data.draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue
    res = import_packages([("m.json", json.dumps(pkg).encode())])
    assert all(d.code != "EC90" for d in res.diagnostics)
    for name, src in res.files.items():
        assert format_text(src, name)[0] == src


def test_control_characters_in_extension_data(tmp_path):
    from conftest import compile_text

    comp = compile_text(tmp_path, RICH, "rich.specc")
    pkg = cfpackage(comp.spec)
    q = next(i for i in pkg["CFItems"] if i["CFItemType"] == "Qualification")
    q["extensions"]["specc"]["number"] = "1\r/01\x07"
    out = tmp_path / "out"
    out.mkdir()
    res = _import(out, {"rich.json": json.dumps(pkg, indent=2)})
    assert codes(res) == ["WC18"]
    (c,) = build.compile_all([out])
    assert c.ok and c.spec.qualifications[0].number == "1\n/01"


def test_import_joins_an_import_command_another_plugin_added():
    import argparse

    from specc_plugins.case import command

    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command")
    other = sub.add_parser("import").add_subparsers(dest="fmt")
    other.add_parser("docx")
    command.add_parser(sub)
    assert p.parse_args(["import", "case", "x.json", "-o", "d"]).packages == ["x.json"]
    assert p.parse_args(["import", "docx"]).fmt == "docx"


def test_every_import_diagnostic_has_a_location_and_a_hint(tmp_path, specs):
    pkg = copy.deepcopy(_small_package(specs))
    pkg["CFItems"][3]["fullStatement"] = None
    pkg["CFItems"][4]["humanCodingScheme"] = 7
    pkg["CFItems"].append(copy.deepcopy(pkg["CFItems"][5]))
    pkg["CFAssociations"][0]["associationType"] = "exactMatchOf"
    pkg["CFAssociations"][1]["originNodeURI"] = "x"
    res = import_packages([("p.json", json.dumps(pkg, indent=2).encode())])
    assert len(set(codes(res))) >= 4
    for d in res.diagnostics:
        assert d.help and d.span and d.span.line > 0, d


def test_an_imported_framework_exports_valid_case(tmp_path):
    from test_case import relaxed_schema, validator

    _import(tmp_path, {str(SAMPLE): SAMPLE.read_bytes()})
    (text,) = _reexport(tmp_path).values()
    pkg = json.loads(text)
    assert list(validator(relaxed_schema()).iter_errors(pkg)) == []
    sample = json.loads(SAMPLE.read_bytes())
    assert {i["fullStatement"] for i in pkg["CFItems"]} == {i["fullStatement"] for i in sample["CFItems"]}
