"""``specc diff``: the seeds revised as a body would revise them, each with
the change list expected; the matching and its threshold; the summary of
changes as a handbook prints it; the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path


from specc import diff as core
from specc.cli import main

from tests.diff_helpers import SPECS, compiled, copy_spec, edit, line_of, revise


def summary(d: core.SpecDiff) -> list[tuple[str, str, tuple | None, tuple | None]]:
    return [(c.kind, c.what, c.old_key, c.new_key) for c in d.changes]


# --------------------------------------------------------------------------- revisions of the seeds


def test_identical_specs_have_no_changes(specs):
    for spec in specs.values():
        assert core.diff(spec, spec).changes == ()


def test_criterion_reworded(tmp_path):
    unit = Path("cityandguilds/units/001.specc")

    def edits(new):
        edit(new / unit, '"identify customer expectations of appearance', '"identify client expectations of appearance')

    d, old, new = revise(tmp_path, "cityandguilds/4411.specc", edits)
    key = ("unit", "001", "criterion", "2.1")
    assert summary(d) == [("reworded", "criterion", key, key)]
    c = d.changes[0]
    assert c.message == "unit 001, criterion 2.1: statement reworded"
    assert [(w.op, w.text) for w in c.words][:3] == [("equal", "identify"), ("delete", "customer"), ("insert", "client")]
    assert c.old_value.startswith("identify customer") and c.new_value.startswith("identify client")
    # located in both versions, on the criterion's line
    assert c.old.file.endswith("old/cityandguilds/units/001.specc") and c.new.file.endswith("new/cityandguilds/units/001.specc")
    assert c.old.line == line_of(old / unit, "criterion 2.1") and c.new.line == line_of(new / unit, "criterion 2.1")
    assert d.moves == core.Moves()


def test_unit_added_to_a_group(tmp_path):
    def edits(new):
        units = new / "cityandguilds/units"
        text = (units / "110.specc").read_text(encoding="utf-8")
        text = text.replace('unit 110 "Work in a customer friendly way"', 'unit 111 "Work with customers online"')
        (units / "111.specc").write_text(text, encoding="utf-8")
        root = new / "cityandguilds/4411.specc"
        edit(root, 'import "units/110.specc"\n', 'import "units/110.specc"\nimport "units/111.specc"\n')
        edit(root, "107 108 109 110 }", "107 108 109 110 111 }")

    d, old, new = revise(tmp_path, "cityandguilds/4411.specc", edits)
    got = summary(d)
    assert ("added", "unit", None, ("unit", "111")) in got
    assert ("added", "group", ("group", "level1"), ("group", "level1")) in got
    grp = next(c for c in d.changes if c.what == "group")
    assert grp.message == "group level1: unit 111 added" and grp.new_value == "111"
    assert grp.new.line == line_of(new / "cityandguilds/4411.specc", "group level1")
    # every qualification whose rules draw on level1 now has unit 111 on its routes, and nothing else changed
    routes = [c for c in d.changes if c.what == "route"]
    spec = compiled(new / "cityandguilds/4411.specc")
    drawing = [q.id for q in spec.qualifications if "111" in q.units]
    assert drawing and [c.new_key[1] for c in routes] == drawing
    assert all(c.kind == "added" and c.new_value == "111" for c in routes)
    assert routes[0].message == f"qualification {drawing[0]}, routes: unit 111 added"
    assert len(got) == 2 + len(routes)


def test_credit_value_changed(tmp_path):
    unit = Path("cityandguilds/units/101.specc")

    def edits(new):
        text = (new / unit).read_text(encoding="utf-8")
        m = re.search(r"\n  credits (\d+)\n", text)
        edit(new / unit, m.group(0), f"\n  credits {int(m.group(1)) + 1}\n")

    d, old, new = revise(tmp_path, "cityandguilds/4411.specc", edits)
    assert summary(d) == [("changed", "credits", ("unit", "101"), ("unit", "101"))]
    c = d.changes[0]
    assert int(c.new_value) == int(c.old_value) + 1
    assert c.message == f"unit 101: credit value changed from {c.old_value} to {c.new_value}"
    assert c.field == "credits"


def test_range_item_removed(tmp_path):
    reqs = Path("cfa/requirements-1.specc")

    def edits(new):
        edit(new / reqs, '      d "When people, systems or resources have to let you down"\n', "")

    d, old, new = revise(tmp_path, "cfa/cfa.specc", edits)
    assert len(d.changes) == 1
    c = d.changes[0]
    assert (c.kind, c.what, c.new_key) == ("removed", "range item", None)
    assert c.old_key[:2] == ("requirements", "follow_the_rules_to_deliver_customer_service") and c.old_key[-2:] == ("item", "d")
    assert c.old_value == "When people, systems or resources have to let you down"
    assert c.old.line == line_of(old / reqs, "When people, systems or resources have to let you down")


def test_range_item_removed_and_the_rest_relettered(tmp_path):
    reqs = Path("cfa/requirements-1.specc")
    sid = "follow_the_rules_to_deliver_customer_service"

    def edits(new):
        edit(new / reqs, '      b "During a busy time in your job"\n      c "During a quiet time in your job"\n      d "When people',
             '      b "During a quiet time in your job"\n      c "When people')

    d, old, new = revise(tmp_path, "cfa/cfa.specc", edits)
    got = [(c.kind, c.what, c.old_key and c.old_key[-1], c.new_key and c.new_key[-1]) for c in d.changes]
    # "busy time" and "quiet time" are 0.89 similar: exact text is matched first, so b is removed, not reworded
    assert sorted(got) == [("moved", "range item", "c", "b"), ("moved", "range item", "d", "c"), ("removed", "range item", "b", None)]
    assert dict(d.moves.range_items) == {(sid, "r5c"): (sid, "r5b"), (sid, "r5d"): (sid, "r5c")}


def test_criterion_renumbered_is_a_move(tmp_path):
    unit = Path("cityandguilds/units/001.specc")

    def edits(new):
        edit(new / unit, 'criterion 1.2 "state inappropriate', 'criterion 1.3 "state inappropriate')
        edit(new / unit, "For 1.2 the candidate", "For 1.3 the candidate")
        edit(new / unit, "row 1.1, 1.2,", "row 1.1, 1.3,")

    d, old, new = revise(tmp_path, "cityandguilds/4411.specc", edits)
    # a move, not a removal and an addition; the explanation naming its own number is no rewording
    assert summary(d) == [("moved", "criterion", ("unit", "001", "criterion", "1.2"), ("unit", "001", "criterion", "1.3"))]
    assert d.changes[0].similarity == 1.0
    assert d.moves.criterion("001", "1.2") == ("001", "1.3")
    assert d.moves.criterion("001", "1.1") == ("001", "1.1")


def test_unit_renumbered_carries_its_criteria(tmp_path):
    def edits(new):
        edit(new / "ncfe/units/18.specc", 'unit 18 "', 'unit 19 "')
        edit(new / "ncfe/ncfe.specc", "15 16 17 18 }", "15 16 17 19 }")

    d, old, new = revise(tmp_path, "ncfe/ncfe.specc", edits)
    moved = [c for c in d.changes if c.kind == "moved"]
    assert [(c.what, c.old_key, c.new_key) for c in moved] == [("unit", ("unit", "18"), ("unit", "19"))]
    assert d.moves.unit("18") == "19"
    assert d.moves.criterion("18", "1.1") == ("19", "1.1")
    # the rules and groups name the unit by its new number: no rule, group or route change
    assert not [c for c in d.changes if c.what in ("rule", "group", "route", "barred")]


def test_demand_and_rule_and_barred_changes(tmp_path):
    def edits(new):
        unit = new / "cityandguilds/units/001.specc"
        edit(unit, 'demand 3 "features of appearance"', 'demand 4 "features of appearance" different occasions')
        root = new / "cityandguilds/4411.specc"
        edit(root, "minimum 6 credits", "minimum 7 credits")
        edit(root, 'barred 009 with 109 "Cannot be taken with unit 109"\n', "")
        edit(root, 'barred 109 with 009 "Cannot be taken with unit 009"\n', "")

    d, old, new = revise(tmp_path, "cityandguilds/4411.specc", edits)
    got = {(c.kind, c.what): c for c in d.changes}
    dem = got[("changed", "demand")]
    assert dem.old_value == '3 "features of appearance"' and dem.new_value == '4 "features of appearance" different occasions'
    rule = got[("changed", "rule")]
    assert (rule.old_value, rule.new_value) == ("minimum 6 credits", "minimum 7 credits")
    assert rule.new.line == line_of(new / "cityandguilds/4411.specc", "minimum 7 credits")
    bar = got[("removed", "barred")]
    assert bar.old_key == ("barred", "009", "109")
    assert len(d.changes) == 3


def test_evidence_methods_and_environment(tmp_path):
    def edits(new):
        unit = new / "cityandguilds/units/001.specc"
        edit(unit, "evidence from workplace, rwe\n", "evidence from workplace\n")
        text = unit.read_text(encoding="utf-8")
        m = re.search(r"row (3\.1[^{]*)\{\s*methods ([a-z_, ]+)\n", text)
        assert "diary" not in m.group(2)
        edit(unit, m.group(0), m.group(0).replace("methods ", "methods diary, "))
        row.extend(x.strip() for x in m.group(1).split(","))

    row: list[str] = []
    d, old, new = revise(tmp_path, "cityandguilds/4411.specc", edits)
    env = [c for c in d.changes if c.what == "environment"]
    assert [(c.kind, c.old_value) for c in env] == [("removed", "rwe")]
    methods = [c for c in d.changes if c.what == "methods"]
    assert methods and all(c.kind == "added" and c.new_value == "diary" for c in methods)
    assert [c.new_key[-1] for c in methods] == row  # one change per criterion of the row
    assert len(d.changes) == 1 + len(row)


# --------------------------------------------------------------------------- matching


def test_similarity_is_the_checkers():
    """Moves use W062's near-copy similarity (one home for text similarity),
    with the diff's own, lower threshold."""
    from specc import similarity

    assert core.similarity is similarity.similarity
    assert core.similarity("State the  DRESS", "state the dress") == 1.0  # case and white space do not count
    assert core.similarity("state the dress.", "state the dress") < 1.0  # punctuation does
    assert core.similarity("", "x") == 0.0
    assert core.MOVE_THRESHOLD < similarity.THRESHOLD


def test_matching_order():
    # exact text under another key beats a similar text under the same key
    m = core.match({"1": "during a busy time in your job", "2": "during a quiet time in your job"},
                   {"1": "during a quiet time in your job"})
    assert m.pairs == (("2", "1", 1.0),) and m.removed == ("1",) and m.added == ()
    # below the threshold under another key: removed and added
    m = core.match({"1": "state two ways"}, {"2": "describe the process of complaint handling"})
    assert m.pairs == () and m.removed == ("1",) and m.added == ("2",)
    # a light rewording under another key is a move
    m = core.match({"1": "state the appropriate dress in a particular customer service job"},
                   {"3": "state the appropriate dress in a particular customer service role"})
    assert m.pairs[0][:2] == ("1", "3") and m.pairs[0][2] >= core.MOVE_THRESHOLD
    # the same key whatever the text: reworded
    m = core.match({"1": "alpha beta"}, {"1": "gamma delta"})
    assert m.pairs[0][:2] == ("1", "1") and m.pairs[0][2] < core.MOVE_THRESHOLD


def test_word_diff_round_trips():
    a = "identify customer expectations of appearance"
    b = "identify the client's expectations of dress"
    ops = core.word_diff(a, b)
    assert " ".join(o.text for o in ops if o.op != "insert") == a
    assert " ".join(o.text for o in ops if o.op != "delete") == b


# --------------------------------------------------------------------------- the command line


def run(capsys, *argv):
    code = main(["diff", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_text_is_located_like_check(tmp_path, capsys):
    old = copy_spec(tmp_path, "old")
    new = copy_spec(tmp_path, "new")
    edit(new / "cityandguilds/units/001.specc", '"identify customer expectations', '"identify client expectations')
    code, out, _ = run(capsys, old / "cityandguilds", new / "cityandguilds")
    assert code == 1
    n = line_of(new / "cityandguilds/units/001.specc", "criterion 2.1")
    assert "reworded: unit 001, criterion 2.1: statement reworded" in out
    assert f"new/cityandguilds/units/001.specc:{n}:" in out and "= was: " in out
    assert f"{n} |     criterion 2.1 \"identify client expectations" in out
    assert "= words: identify [-customer-] {+client+} expectations" in out
    assert out.rstrip().endswith("1 change from " + str(old / "cityandguilds") + " to " + str(new / "cityandguilds") + ": 1 reworded")
    code, out, _ = run(capsys, old / "cityandguilds", old / "cityandguilds/4411.specc")
    assert code == 0 and out.startswith("no changes")


def test_cli_json_shape(tmp_path, capsys):
    old = copy_spec(tmp_path, "old")
    new = copy_spec(tmp_path, "new")
    edit(new / "cityandguilds/units/001.specc", 'criterion 1.2 "state inappropriate', 'criterion 1.3 "state inappropriate')
    edit(new / "cityandguilds/units/001.specc", "row 1.1, 1.2,", "row 1.1, 1.3,")
    code, out, _ = run(capsys, old / "cityandguilds", new / "cityandguilds", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"format", "old", "new", "move_threshold", "changes", "moves", "summary"}
    assert data["format"] == 1 and data["move_threshold"] == core.MOVE_THRESHOLD
    assert data["old"]["document"] == data["new"]["document"] == "cg4411"
    ch = data["changes"][0]
    assert set(ch) == {"kind", "what", "message", "old_key", "new_key", "old", "new", "old_value", "new_value", "words", "similarity"}
    assert ch["kind"] == "moved" and ch["old_key"] == ["unit", "001", "criterion", "1.2"]
    assert set(ch["new"]) == {"file", "line", "column", "end_line", "end_column"}
    assert data["moves"]["criteria"] == [{"old_unit": "001", "old": "1.2", "new_unit": "001", "new": "1.3"}]
    assert data["summary"]["moved"] == 1


def test_cli_bad_input(tmp_path, capsys):
    code, _, err = run(capsys, tmp_path / "nowhere", SPECS / "cityandguilds")
    assert code == 2 and "no such file" in err
    bad = copy_spec(tmp_path, "bad")
    edit(bad / "cityandguilds/units/001.specc", "credits 2", "credits two")
    code, _, err = run(capsys, bad / "cityandguilds", SPECS / "cityandguilds")
    assert code == 2 and "error[E" in err and "does not compile" in err and "Traceback" not in err
    code, _, err = run(capsys, SPECS, SPECS / "cityandguilds")
    assert code == 2 and "spec roots" in err
    code, _, err = run(capsys, SPECS / "cityandguilds", SPECS / "cityandguilds", "--table", "rst")
    assert code == 2 and "--table goes with --format summary" in err


def test_qualification_glh_tqt_and_level(tmp_path):
    def edits(new):
        root = new / "cityandguilds/4411.specc"
        head, _, rest = root.read_text(encoding="utf-8").partition('qualification 4411-30 "')
        block, _, tail = rest.partition("\n}\n")
        glh = int(re.search(r"\n  glh (\d+)\n", block).group(1))
        tqt = int(re.search(r"\n  tqt (\d+)\n", block).group(1))
        block = block.replace(f"\n  glh {glh}\n", f"\n  glh {glh + 5}\n").replace(f"\n  tqt {tqt}\n", f"\n  tqt {tqt + 5}\n")
        block = block.replace("\n  level entry 3\n", "\n  level 1\n")
        root.write_text(head + 'qualification 4411-30 "' + block + "\n}\n" + tail, encoding="utf-8")

    d, old, new = revise(tmp_path, "cityandguilds/4411.specc", edits)
    got = {c.what: c for c in d.changes}
    assert set(got) == {"glh", "tqt", "level"}
    assert all(c.kind == "changed" and c.new_key == ("qualification", "4411-30") for c in d.changes)
    assert (got["level"].old_value, got["level"].new_value) == ("Entry 3", "Level 1")
    assert int(got["glh"].new_value) == int(got["glh"].old_value) + 5
    assert got["tqt"].message == f"qualification 4411-30: TQT changed from {got['tqt'].old_value} to {got['tqt'].new_value}"


def test_removed_criterion_is_located_in_the_old_version(tmp_path, capsys):
    old = copy_spec(tmp_path, "old")
    new = copy_spec(tmp_path, "new")
    unit = new / "cityandguilds/units/001.specc"
    text = unit.read_text(encoding="utf-8")
    start = text.index("    criterion 1.2 ")
    end = text.index("    }\n", start) + len("    }\n")
    unit.write_text(text[:start] + text[end:].replace("row 1.1, 1.2,", "row 1.1,", 1), encoding="utf-8")
    code, out, _ = run(capsys, old / "cityandguilds", new / "cityandguilds")
    n = line_of(old / "cityandguilds/units/001.specc", "criterion 1.2")
    assert code == 1
    assert out.startswith("removed: unit 001: criterion 1.2 removed (state inappropriate dress")
    first = out.split("\n\n")[0]
    assert f"old/cityandguilds/units/001.specc:{n}:" in first and "= was:" not in first
    assert f"{n} |     criterion 1.2 \"state inappropriate dress" in first


def test_renumbered_criterion_reworded_explanation_diffs_only_the_rewording(tmp_path):
    unit = Path("cityandguilds/units/001.specc")

    def edits(new):
        edit(new / unit, 'criterion 1.2 "state inappropriate', 'criterion 1.3 "state inappropriate')
        edit(new / unit, "For 1.2 the candidate", "For 1.3 the candidate")
        edit(new / unit, "This may include too much makeup", "This may include excessive makeup")
        edit(new / unit, "row 1.1, 1.2,", "row 1.1, 1.3,")

    d, old, new = revise(tmp_path, "cityandguilds/4411.specc", edits)
    assert [(c.kind, c.what) for c in d.changes] == [("moved", "criterion"), ("reworded", "guidance")]
    g = d.changes[1]
    assert [(w.op, w.text) for w in g.words if w.op != "equal"] == [("delete", "too much"), ("insert", "excessive")]
    assert g.old_value.startswith("For 1.2 the candidate") and g.new_value.startswith("For 1.3 the candidate")
