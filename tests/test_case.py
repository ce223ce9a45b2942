"""The ``case`` emitter: 1EdTech CASE CFPackages from specs.

Every spec's package validates against the CASE v1.0 CFPackage JSON Schema
(tests/data/case/, see its README), relaxed only where CASE 1.1 widened it;
identifiers are stable UUIDv5s; the package is byte-reproducible; hierarchy,
codes and links are as published.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import uuid
from pathlib import Path

import jsonschema
import pytest

from specc import build, export
from specc.cli import main as specc_main
from specc_plugins.case import package as P
from specc_plugins.case.package import cfpackage

from conftest import SPECS, compile_text

DATA = Path(__file__).resolve().parent / "data" / "case"
SCHEMA = json.loads((DATA / "case-v1p0-cfpackage-schema.json").read_text(encoding="utf-8"))

# ----------------------------------------------------------------------------- the schema


def relaxed_schema() -> dict:
    """The v1.0 schema, widened exactly where CASE 1.1 widened it:

    * an ``extensions`` object is allowed on the package and on each of its
      classes (CASE 1.1 adds ``extensions`` to every class);
    * ``associationType`` may also be an ``ext:``-prefixed extension term
      (CASE 1.1's extensible association vocabulary).

    Nothing else is changed."""
    s = copy.deepcopy(SCHEMA)
    s["properties"]["extensions"] = {"type": "object"}
    for name, d in s["definitions"].items():
        if d.get("type") == "object" and "properties" in d and name not in ("LinkURI", "LinkGenURI"):
            d["properties"]["extensions"] = {"type": "object"}
    at = s["definitions"]["CFPackageAssociation"]["properties"]["associationType"]
    s["definitions"]["CFPackageAssociation"]["properties"]["associationType"] = {"anyOf": [at, {"type": "string", "pattern": "^ext:[A-Za-z0-9._-]+$"}]}
    return s


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(s) -> bool:
    # RFC 3339: a full date, "T", a time and an offset
    if not isinstance(s, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", s):
        raise ValueError(s)
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _date(s) -> bool:
    return not isinstance(s, str) or bool(dt.date.fromisoformat(s))


@FORMATS.checks("uri")
def _uri(s) -> bool:
    return not isinstance(s, str) or bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}]+", s))


def validator(schema: dict) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema, format_checker=FORMATS)


@pytest.fixture(scope="session")
def packages(specs):
    return {doc_id: cfpackage(spec) for doc_id, spec in specs.items()}


def test_every_spec_has_a_package(packages):
    assert len(packages) == len(build.roots([SPECS])) and packages


def test_every_package_validates_against_relaxed_case_schema(packages):
    for doc_id, pkg in packages.items():
        errors = sorted(validator(relaxed_schema()).iter_errors(pkg), key=str)
        assert errors == [], doc_id


def test_only_the_case_1_1_extensions_need_the_relaxation(packages):
    """Without its ``extensions`` objects each package is valid CASE 1.0 as
    published; with them the 1.0 schema refuses only the package-level one."""
    for pkg in packages.values():
        assert list(validator(SCHEMA).iter_errors(strip_extensions(pkg))) == []
        errors = list(validator(SCHEMA).iter_errors(pkg))
        assert errors and all("extensions" in e.message for e in errors)


def test_a_spec_without_a_published_date_and_with_hostile_text(tmp_path):
    text = SMALL.replace("  published 2024-03\n", "").replace('"Test"', '"T \\"\\"\\" \\\\ </script> \u2028"')
    pkg = _small(tmp_path, text)
    assert pkg["CFDocument"]["lastChangeDateTime"] == "1970-01-01T00:00:00+00:00"
    assert pkg["CFDocument"]["title"] == 'T """ \\ </script> \u2028'
    assert "statusStartDate" not in pkg["CFDocument"]
    assert list(validator(relaxed_schema()).iter_errors(pkg)) == []
    history = text.replace('version "1.0"', 'version "1.0"\n  history {\n    change 1.0 2023-05 "First"\n  }')
    assert _small(tmp_path, history)["CFDocument"]["lastChangeDateTime"] == "2023-05-01T00:00:00+00:00"


def test_the_schema_checks_formats():
    """The format checkers bite (a test that cannot fail is a defect)."""
    v = validator(relaxed_schema())
    doc = {"identifier": str(uuid.uuid4()), "uri": "urn:x", "creator": "c", "title": "t", "lastChangeDateTime": "2020-01-01"}
    assert any("date-time" in e.message for e in v.iter_errors({"CFDocument": doc}))
    doc["lastChangeDateTime"] = "2020-01-01T00:00:00+00:00"
    doc["uri"] = "not a uri"
    assert any("uri" in e.message for e in v.iter_errors({"CFDocument": doc}))


def test_every_property_is_a_case_property(packages):
    """The v1.0 schema lets unknown properties through on documents, items
    and associations (its additionalProperties is malformed); check by hand."""
    defs = SCHEMA["definitions"]
    allowed = {
        "CFDocument": set(defs["CFPackageDocument"]["properties"]) | {"CFPackageURI", "extensions"},
        "CFItems": set(defs["CFPackageItem"]["properties"]) | {"CFDocumentURI", "extensions"},
        "CFAssociations": set(defs["CFPackageAssociation"]["properties"]) | {"CFDocumentURI", "extensions"},
    }
    for pkg in packages.values():
        assert set(pkg["CFDocument"]) <= allowed["CFDocument"]
        for key in ("CFItems", "CFAssociations"):
            for obj in pkg[key]:
                assert set(obj) <= allowed[key], set(obj) - allowed[key]


def strip_extensions(obj):
    if isinstance(obj, dict):
        return {k: strip_extensions(v) for k, v in obj.items() if k != "extensions"}
    if isinstance(obj, list):
        return [strip_extensions(v) for v in obj]
    return obj


# ----------------------------------------------------------------------------- identity


def test_identifiers_are_unique_uuid5s(packages):
    for pkg in packages.values():
        ids = [pkg["CFDocument"]["identifier"]] + [o["identifier"] for k in ("CFItems", "CFAssociations") for o in pkg[k]]
        assert len(ids) == len(set(ids))
        assert {uuid.UUID(i).version for i in ids} == {5}


def test_document_identifier_is_uuid5_of_the_document_id(packages):
    assert packages["cg4411"]["CFDocument"]["identifier"] == str(uuid.uuid5(P.NAMESPACE, "cg4411"))


SMALL = """
document t "Test" {
  body cityandguilds "City & Guilds"
  version "1.0"
  published 2024-03
}
qualification 1-01 "Q" {
  credits 1
  rules {
    minimum 1 credits
    mandatory 001
  }
}
unit 001 "Greet customers" {
  credits 1
  outcome 1 performance "Be able to greet customers" {
    criterion 1.1 "STATEMENT" {
      demand 2 "customers" different occasions
    }
  }
}
"""


def _small(tmp_path, text=SMALL, name="t.specc"):
    comp = compile_text(tmp_path, text, name)
    assert comp.ok, comp.diagnostics
    return cfpackage(comp.spec)


def _by_code(pkg, code):
    return [i for i in pkg["CFItems"] if i.get("humanCodingScheme") == code]


def test_an_item_keeps_its_identifier_when_only_its_text_changes(tmp_path):
    a = _small(tmp_path, SMALL.replace("STATEMENT", "greet customers politely"))
    b = _small(tmp_path, SMALL.replace("STATEMENT", "greet customers politely and positively"))
    ia, ib = _by_code(a, "1.1")[0], _by_code(b, "1.1")[0]
    assert ia["fullStatement"] != ib["fullStatement"]
    assert ia["identifier"] == ib["identifier"]
    c = _small(tmp_path, SMALL.replace("criterion 1.1", "criterion 1.2"))
    assert _by_code(c, "1.2")[0]["identifier"] != ia["identifier"]


def test_duplicate_published_numbers_get_distinct_identifiers(packages):
    """CfA 'Champion customer service' has requirement 5 twice (W022, kept as published)."""
    champion = next(i for i in packages["cfa_cs"]["CFItems"] if i["fullStatement"] == "Champion customer service")
    kids = [a["originNodeURI"]["identifier"] for a in packages["cfa_cs"]["CFAssociations"] if a["associationType"] == "isChildOf" and a["destinationNodeURI"]["identifier"] == champion["identifier"]]
    items = {i["identifier"]: i for i in packages["cfa_cs"]["CFItems"]}
    codes = [items[k]["humanCodingScheme"] for k in kids]
    assert codes.count("r5") == 2 and len(set(kids)) == len(kids)


# ----------------------------------------------------------------------------- the build


def test_build_writes_the_package_byte_for_byte_reproducibly(tmp_path):
    outs = []
    for n in (1, 2):
        out = tmp_path / f"o{n}"
        assert specc_main(["build", str(SPECS / "ncfe"), "--emit", "case", "-o", str(out), "-q", "--force"]) == 0
        outs.append((out / "ncfe_601_3972_9" / "case" / "ncfe_601_3972_9.json").read_bytes())
    assert outs[0] == outs[1]
    pkg = json.loads(outs[0])
    stamps = {o["lastChangeDateTime"] for k in ("CFItems", "CFAssociations") for o in pkg[k]} | {pkg["CFDocument"]["lastChangeDateTime"]}
    assert stamps == {"2022-06-01T00:00:00+00:00"}  # published 2022-06


def test_base_uri_option(tmp_path, capsys):
    out = tmp_path / "o"
    assert specc_main(["build", str(SPECS / "cfa"), "--emit", "case", "-o", str(out), "-q", "--option", "case.base_uri=https://example.org/case/"]) == 0
    pkg = json.loads((out / "cfa_cs" / "case" / "cfa_cs.json").read_text(encoding="utf-8"))
    uris = [pkg["CFDocument"]["uri"]] + [o["uri"] for k in ("CFItems", "CFAssociations") for o in pkg[k]]
    assert all(u == "https://example.org/case/" + u.rsplit("/", 1)[1] for u in uris)
    default = cfpackage(build.compile_all([SPECS / "cfa"])[0].spec)
    assert [o["identifier"] for o in default["CFItems"]] == [o["identifier"] for o in pkg["CFItems"]]  # identifiers do not depend on the base
    assert specc_main(["build", str(SPECS / "cfa"), "--emit", "case", "-o", str(out), "-q", "--option", "case.base_uri=not a uri"]) == 2
    assert "case.base_uri" in capsys.readouterr().err


# ----------------------------------------------------------------------------- what is in it


def _index(pkg):
    items = {i["identifier"]: i for i in pkg["CFItems"]}
    items[pkg["CFDocument"]["identifier"]] = {"CFItemType": "document", "fullStatement": pkg["CFDocument"]["title"]}
    return items


def children(pkg, identifier):
    items = _index(pkg)
    kids = [a for a in pkg["CFAssociations"] if a["associationType"] == "isChildOf" and a["destinationNodeURI"]["identifier"] == identifier]
    kids.sort(key=lambda a: a["sequenceNumber"])
    return [items[a["originNodeURI"]["identifier"]] for a in kids]


def test_hierarchy_codes_and_order_follow_the_spec(packages, specs):
    spec, pkg = specs["cg4411"], packages["cg4411"]
    top = children(pkg, pkg["CFDocument"]["identifier"])
    assert [i["humanCodingScheme"] for i in top if i["CFItemType"] == "Unit"] == [u.label for u in spec.units]
    assert [i["fullStatement"] for i in top if i["CFItemType"] == "Qualification"] == [q.title for q in spec.qualifications]
    u = spec.unit("001")
    unit = next(i for i in top if i.get("humanCodingScheme") == "001")
    outcomes = children(pkg, unit["identifier"])
    assert [(o["CFItemType"], o["humanCodingScheme"], o["fullStatement"]) for o in outcomes] == [("Learning Outcome", str(o.number), o.statement) for o in u.outcomes]
    crits = children(pkg, outcomes[0]["identifier"])
    assert [(c["CFItemType"], c["humanCodingScheme"], c["fullStatement"]) for c in crits] == [("Assessment Criterion", c.ref, c.statement) for c in u.outcomes[0].criteria]


def test_item_types_are_declared(packages):
    for pkg in packages.values():
        declared = {t["title"]: t["identifier"] for t in pkg["CFDefinitions"]["CFItemTypes"]}
        for i in pkg["CFItems"]:
            assert declared[i["CFItemType"]] == i["CFItemTypeURI"]["identifier"]


def test_range_items_are_coded_like_r5a(packages, specs):
    rs = specs["cfa_cs"].requirement_set("follow_the_rules_to_deliver_customer_service")
    r5 = next(r for r in rs.requirements if r.number == 5)
    want = [(f"r5{it.letter}", it.text.value) for rg in r5.ranges for it in rg.items]
    got = [(i["humanCodingScheme"], i["fullStatement"]) for i in packages["cfa_cs"]["CFItems"] if i.get("CFItemType") == "Range Item" and i["humanCodingScheme"].startswith("r5")]
    assert set(want) <= set(got) and ("r5a", "During routine delivery of customer service") in want


def test_rules_of_combination_are_in_notes_and_extensions(packages, specs):
    pkg = packages["ncfe_601_3972_9"]
    q = next(i for i in pkg["CFItems"] if i["CFItemType"] == "Qualification")
    assert "a minimum of 23 credits in total" in q["notes"]
    assert "exactly 14 credits from Group A mandatory units" in q["notes"]
    rules = pkg["extensions"]["specc"]["rules"]["601-3972-9"]
    assert rules == [export.to_data(r) for r in specs["ncfe_601_3972_9"].qualifications[0].rules]
    assert rules[1] == {"kind": "credits_from", "op": "exactly", "credits": 14, "sources": ["group_a"], "units": ["01", "02", "03", "04", "05"]}


def test_membership_and_mandatory_units(packages, specs):
    pkg, spec = packages["cg4411"], specs["cg4411"]
    items = _index(pkg)
    for q in spec.qualifications:
        qi = next(i for i in pkg["CFItems"] if i["CFItemType"] == "Qualification" and i["fullStatement"] == q.title)
        parts = sorted((a for a in pkg["CFAssociations"] if a["associationType"] == "isPartOf" and a["destinationNodeURI"]["identifier"] == qi["identifier"]), key=lambda a: a["sequenceNumber"])
        assert [items[a["originNodeURI"]["identifier"]]["humanCodingScheme"] for a in parts] == [spec.unit(u).label for u in q.units]
        assert [a["extensions"]["specc"]["mandatory"] for a in parts] == [u in q.mandatory for u in q.units]


def test_demands_are_in_criterion_notes(packages):
    pkg = packages["cg4411"]
    unit = next(i for i in pkg["CFItems"] if i["CFItemType"] == "Unit" and i["humanCodingScheme"] == "001")
    crit = [c for o in children(pkg, unit["identifier"]) for c in children(pkg, o["identifier"]) if c["humanCodingScheme"] == "2.1"][0]
    assert "Evidence demanded: three features of appearance." in crit["notes"]
    assert crit["extensions"]["specc"]["demands"] == [{"count": 3, "what": "features of appearance", "op": "exactly", "different": None, "by": None, "alternatives": []}]


def test_assessed_under_points_into_the_cfa_package(packages, specs):
    """NCFE unit 09 is assessed under a CfA requirement set: the association's
    destination is that set's item in the CfA package."""
    ncfe, cfa = packages["ncfe_601_3972_9"], packages["cfa_cs"]
    u09 = next(i for i in ncfe["CFItems"] if i["CFItemType"] == "Unit" and i["humanCodingScheme"] == "09")
    links = [a for a in ncfe["CFAssociations"] if a["associationType"] == "isRelatedTo" and a["originNodeURI"]["identifier"] == u09["identifier"]]
    want = specs["ncfe_601_3972_9"].unit("09").assessed_under
    assert len(links) == len(want) >= 1
    cfa_items = {i["identifier"]: i for i in cfa["CFItems"]}
    for a, rid in zip(links, want, strict=True):
        target = cfa_items[a["destinationNodeURI"]["identifier"]]
        assert target["CFItemType"] == "Evidence Requirements"
        assert target["fullStatement"] == specs["ncfe_601_3972_9"].requirement_set(rid).title


def test_reuse_links_are_related_criteria(packages, specs):
    spec, pkg = specs["cg4411"], packages["cg4411"]
    items = _index(pkg)
    ident = {}
    for u in spec.units:
        ui = next(i for i in pkg["CFItems"] if i["CFItemType"] == "Unit" and i["humanCodingScheme"] == u.label)
        for o in children(pkg, ui["identifier"]):
            for c in children(pkg, o["identifier"]):
                ident[(u.id, c["humanCodingScheme"])] = c["identifier"]
    want = set()
    for u in spec.units:
        for c in u.criteria:
            for r in u.reuse_for(c.ref):
                for ref in r.criteria:
                    dest = ident.get((r.unit or u.id, ref))
                    if dest and dest != ident[(u.id, c.ref)]:
                        want.add((ident[(u.id, c.ref)], dest))
    got = {(a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"]) for a in pkg["CFAssociations"] if a["associationType"] == "isRelatedTo"}
    assert want and got == want
    assert all(items[o]["CFItemType"] == items[d]["CFItemType"] == "Assessment Criterion" for o, d in got)


def test_same_bytes_under_different_hash_seeds(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "t.specc").write_text(SMALL, encoding="utf-8")
    got = []
    for seed in ("1", "2"):
        out = tmp_path / f"o{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run([sys.executable, "-m", "specc", "build", str(tmp_path / "t.specc"), "--emit", "case", "-o", str(out), "-q"], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        got.append((out / "t" / "case" / "t.json").read_bytes())
    assert got[0] == got[1] and b'"CFItems"' in got[0]
