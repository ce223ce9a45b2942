"""``specc diff --portfolios``: the example portfolios checked against a
revised seed.  A renumbering alone changes no verdict (and would, were the
keys not carried through the moves); a raised demand or a unit taken off the
routes does, and the report says what each learner now needs."""

from __future__ import annotations

import json
from pathlib import Path

from specc import diff as core
from specc.cli import main
from specc_plugins.diff import impact
from tests.diff_helpers import copy_spec, edit, revise

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CG = "cityandguilds/4411.specc"
NCFE = "ncfe/ncfe.specc"


def examples(document: str, qualification: str) -> list[tuple[str, dict]]:
    folder = EXAMPLES / document / qualification
    return [(str(p), json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json")) if not p.name.endswith(".report.json")]


def achieves(document: str, qualification: str) -> list[tuple[str, dict]]:
    return [x for x in examples(document, qualification) if x[0].endswith("achieves.json")]


def verdicts(imps) -> list[tuple[str, str, str]]:
    return [(Path(i.source).name, i.old_verdict, i.new_verdict) for i in imps]


def old_and_new(tmp_path, root, edits):
    d, old, new = revise(tmp_path, root, edits)
    from specc.compiler import compile_file

    return d, compile_file(old / root).spec, compile_file(new / root).spec


def renumber_criterion(new):
    unit = new / "cityandguilds/units/001.specc"
    edit(unit, 'criterion 1.2 "state inappropriate', 'criterion 1.3 "state inappropriate')
    edit(unit, "row 1.1, 1.2,", "row 1.1, 1.3,")


def test_a_renumbering_alone_changes_no_verdict(tmp_path):
    d, old, new = old_and_new(tmp_path, CG, renumber_criterion)
    assert [c.kind for c in d.changes] == ["moved"]
    ports = examples("cg4411", "4411-30") + achieves("cg4411", "4411-01")
    imps = impact.impacts(old, new, d.moves, ports, None)
    assert len(imps) == len(ports) and not [i for i in imps if i.changed]
    achieved = [i for i in imps if i.new_verdict == "achieved"]
    assert [Path(i.source).name for i in achieved] == ["achieves.json", "achieves.json"]
    # carried: the evidence of 1.2 is now under 1.3
    carried = impact.carry(ports[0][1], d.moves)
    assert "1.3" in carried["units"]["001"]["criteria"] and "1.2" not in carried["units"]["001"]["criteria"]
    # without the map of moves the achieving portfolios would fail: the test can tell
    raw = impact.impacts(old, new, core.Moves(), achieves("cg4411", "4411-30"), None)
    assert verdicts(raw) == [("achieves.json", "achieved", "not_achieved")]


def test_a_raised_demand_changes_verdicts_and_says_what_is_needed(tmp_path):
    def edits(new):
        edit(new / "cityandguilds/units/001.specc", 'demand 3 "features of appearance"', 'demand 4 "features of appearance"')

    d, old, new = old_and_new(tmp_path, CG, edits)
    ports = achieves("cg4411", "4411-30") + achieves("cg4411", "4411-01")
    imps = impact.impacts(old, new, d.moves, ports, None)
    assert verdicts(imps) == [("achieves.json", "achieved", "not_achieved")] * 2
    for i in imps:
        codes = {(f["code"], f["path"]) for f in i.needs}
        assert ("V302", "$['units']['001']['criteria']['2.1']") in codes
        assert any("d1_4" in f["message"] for f in i.needs if f["code"] == "V302")
        assert all(f["code"] != "V302" or "d1_4" in f["message"] for f in i.needs)  # slots 1-3 are still evidenced


def test_a_unit_taken_off_the_routes(tmp_path):
    def edits(new):
        root = new / "cityandguilds/4411.specc"
        edit(root, "{ 001 002 003 004 005 006 007 008 009 010 }", "{ 001 002 003 004 005 006 007 008 009 }")

    d, old, new = old_and_new(tmp_path, CG, edits)
    assert ("removed", "group") in {(c.kind, c.what) for c in d.changes}
    [imp] = impact.impacts(old, new, d.moves, achieves("cg4411", "4411-30"), None)
    assert (imp.old_verdict, imp.new_verdict) == ("achieved", "not_achieved")
    assert {("V104", "$['units']['010']"), ("V601", "$['units']")} <= {(f["code"], f["path"]) for f in imp.needs}  # no longer a unit of the qualification


def test_range_items_relettered_are_carried(tmp_path):
    """A CfA range revised (item b dropped, c and d relettered) as NCFE
    learners are assessed under it: their range slots follow the letters, and
    evidence for the dropped item no longer counts for another."""
    sid = "cfa.deal_with_incoming_telephone_calls_from_customer"

    def edits(new):
        path = new / "cfa/requirements-1.specc"
        head, _, body = path.read_text(encoding="utf-8").partition(f"requirements {sid[4:]} ")
        items = ('      b "Have experienced difficulties when dealing with your organisation"\n'
                 '      c "Have made a specific request for information"\n      d "Need to be informed')
        assert items in body.split("\nrequirements ")[0]
        body = body.replace(items, '      b "Have made a specific request for information"\n      c "Need to be informed', 1)
        path.write_text(f"{head}requirements {sid[4:]} {body}", encoding="utf-8")

    d, old, new = old_and_new(tmp_path, NCFE, edits)
    assert dict(d.moves.range_items) == {(sid, "r5c"): (sid, "r5b"), (sid, "r5d"): (sid, "r5c")}
    assert d.moves.removed_range_items == ((sid, "r5b"),)
    ports = achieves("ncfe_601_3972_9", "601-3972-9")
    assert verdicts(impact.impacts(old, new, d.moves, ports, None)) == [("achieves.json", "achieved", "achieved")]
    assert verdicts(impact.impacts(old, new, core.Moves(), ports, None)) == [("achieves.json", "achieved", "not_achieved")]
    slots = sorted(s for u in impact.carry(ports[0][1], d.moves)["units"].values() for c in u["criteria"].values()
                   for e in c["evidence"] for s in e.get("ranges", {}).get(sid, []))
    assert [s for s in slots if s.startswith("r5")] == ["r5a", "r5b", "r5c"]


def test_cli_portfolios(tmp_path, capsys):
    old = copy_spec(tmp_path, "old")
    new = copy_spec(tmp_path, "new")
    edit(new / "cityandguilds/units/001.specc", 'demand 3 "features of appearance"', 'demand 4 "features of appearance"')
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    lines = tmp_path / "two.jsonl"
    ach = (EXAMPLES / "cg4411/4411-30/achieves.json").read_text(encoding="utf-8")
    lines.write_text(json.dumps(json.loads(ach)) + "\n" + json.dumps(json.loads(ach)) + "\n", encoding="utf-8")
    code = main(["diff", str(old / "cityandguilds"), str(new / "cityandguilds"), "--portfolios", str(lines), str(bad)])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"{lines}:1: Alex Morgan (1000000000) - 4411-30 ACHIEVED -> NOT ACHIEVED" in out
    assert "  now needs:\n    error V107" in out or "  now needs:\n    error V302" in out
    assert out.rstrip().endswith("2 portfolios checked against both versions: 2 verdicts change (2 no longer achieve, 0 now achieve)")
    assert f"{bad}: not JSON (line 1, column 2" in err and "skipped" in err
    code = main(["diff", str(old / "cityandguilds"), str(new / "cityandguilds"), "--format", "json", "--portfolios", str(lines)])
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["portfolios"] == 2 and data["summary"]["verdicts_changed"] == 2
    p = data["portfolios"][0]
    assert set(p) == {"source", "learner", "qualification", "old", "new", "verdict_changed", "now_needs", "no_longer_needed"}
    assert p["old"]["verdict"] == "achieved" and p["new"]["verdict"] == "not_achieved" and p["verdict_changed"]
    assert {f["code"] for f in p["now_needs"]} >= {"V302"}


def test_cli_portfolio_usage_errors(tmp_path, capsys):
    spec = str(ROOT / "specs/cityandguilds")
    assert main(["diff", spec, spec, "--portfolios", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["diff", spec, spec, "--as-of", "2025-01-01"]) == 2
    assert main(["diff", spec, spec, "--portfolios", str(EXAMPLES / "cg4411/4411-30/achieves.json"), "--as-of", "2025-02-30"]) == 2
    assert "--as-of must be a date" in capsys.readouterr().err


def test_json_output_follows_its_schema(tmp_path, capsys):
    import jsonschema

    schema = json.loads((ROOT / "plugins/diff/schemas/diff.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    old = copy_spec(tmp_path, "old")
    new = copy_spec(tmp_path, "new")
    renumber_criterion(new)
    edit(new / "cityandguilds/units/001.specc", 'demand 3 "features of appearance"', 'demand 4 "features of appearance"')
    edit(new / "cityandguilds/units/001.specc", '"identify customer expectations', '"identify client expectations')
    main(["diff", str(old / "cityandguilds"), str(new / "cityandguilds"), "--format", "json",
          "--portfolios", *[p for p, _ in examples("cg4411", "4411-30")]])
    data = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert {c["kind"] for c in data["changes"]} == {"moved", "reworded", "changed"} and data["portfolios"]
    # and the schema is not vacuous: a change without its location fails
    del data["changes"][0]["new"]
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)
