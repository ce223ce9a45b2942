"""Every diagnostic code has a fixture that triggers it at a known place."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from specc import build
from specc.compiler import compile_file
from specc.checks import CODES
from specc.diagnostics import SourceCache, render
from tests.conftest import compile_text

FIX = Path(__file__).parent / "fixtures" / "diagnostics"


def fixture_root(code: str) -> Path:
    d = FIX / code
    return d / "root.specc" if d.is_dir() else FIX / f"{code}.specc"


def expectations(root: Path) -> set[tuple[str, str, int, int]]:
    """``# expect: CODE LINE:COL`` lines of the fixture (all files of a folder fixture)."""
    files = sorted(root.parent.glob("*.specc")) if root.name == "root.specc" else [root]
    out = set()
    for f in files:
        for m in re.finditer(r"^# expect: (\w+) (\d+):(\d+)$", f.read_text(), re.MULTILINE):
            out.add((m.group(1), f.name, int(m.group(2)), int(m.group(3))))
    return out


def fixture_diagnostics(root: Path):
    comps = build.compile_all([root.parent if root.name == "root.specc" else root])
    got = {(d.code, Path(d.span.file).name, d.span.line, d.span.col) for c in comps for d in c.diagnostics if d.span}
    return comps, got


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_fixture_that_triggers_it(code):
    root = fixture_root(code)
    assert root.exists(), f"no fixture for {code}"
    want = expectations(root)
    assert want and all(c == code for c, _, _, _ in want)
    comps, got = fixture_diagnostics(root)
    assert want == got, "\n".join(render(d, c.sources) for c in comps for d in c.diagnostics)


# fixtures named CODE-what: a case of a check beyond its first fixture
MORE = sorted(p.name for p in FIX.iterdir() if "-" in p.name)


@pytest.mark.parametrize("name", MORE)
def test_each_further_fixture_reports_exactly_what_it_expects(name):
    root = FIX / name / "root.specc" if (FIX / name).is_dir() else FIX / name
    want = expectations(root)
    assert want  # a fixture of what a check must not report expects what is reported instead
    comps, got = fixture_diagnostics(root)
    assert want == got, "\n".join(render(d, c.sources) for c in comps for d in c.diagnostics)


def test_rendering_is_rustc_like():
    comp = compile_file(fixture_root("E011"))
    (d,) = comp.diagnostics
    text = render(d, comp.sources)
    lines = text.split("\n")
    assert lines[0] == "error[E011]: unknown unit `u2` in the rules of `q1`"
    assert lines[1].strip().startswith("--> ") and lines[1].endswith("E011.specc:15:15")
    assert lines[3].endswith("|     mandatory u2")
    caret = lines[4]
    assert caret.index("^") == lines[3].index("u2") and caret.count("^") == 2
    assert lines[5].strip() == "= help: did you mean `u1`?"


def test_keyword_typo_gets_did_you_mean():
    comp = compile_file(fixture_root("E001"))
    first = comp.diagnostics[0]
    assert first.help == "did you mean `credits`?"
    assert len([d for d in comp.diagnostics if d.code == "E001"]) == 2  # all errors, not only the first


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "specc", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_exit_status_and_json():
    bad = run_cli("check", "--format", "json", str(fixture_root("E011")))
    assert bad.returncode == 1
    data = json.loads(bad.stdout)
    assert data[0]["code"] == "E011" and data[0]["line"] == 15 and data[0]["column"] == 15
    warn = run_cli("check", str(fixture_root("W033")))
    assert warn.returncode == 0 and "warning[W033]" in warn.stderr
    usage = run_cli("check", "no/such/path.specc")
    assert usage.returncode == 2 and "no such file" in usage.stderr
    assert run_cli("frobnicate").returncode == 2


def test_no_traceback_on_binary_or_garbage_input(tmp_path):
    p = tmp_path / "x.specc"
    p.write_bytes(b"\xff\xfe\x00garbage")
    r = run_cli("check", str(p))
    assert r.returncode == 1 and "Traceback" not in r.stderr and "error[E003]" in r.stderr
    p.write_text('document d "D" { body x "X" }\nunit "no id" {\n', encoding="utf-8")
    r = run_cli("check", str(p))
    assert r.returncode == 1 and "Traceback" not in r.stderr and "error[E001]" in r.stderr


def test_source_cache_handles_missing_lines():
    sc = SourceCache()
    sc.add("a", "one\ntwo")
    assert sc.line("a", 2) == "two" and sc.line("a", 3) is None and sc.line("b", 1) is None


# ---------------------------------------------------------------- reading and lexing

DOC = 'document d "D" {\n  body demo "Demo"\n}\n'


def only(comp, code):
    ds = [d for d in comp.diagnostics if d.code == code]
    assert len(ds) == 1, [render(d, comp.sources) for d in comp.diagnostics]
    return ds[0]


def test_a_byte_order_mark_is_accepted_and_spans_are_unchanged(tmp_path):
    p = tmp_path / "bom.specc"
    p.write_bytes(b"\xef\xbb\xbf" + (DOC + "barred u1 with u2\n").encode("utf-8"))
    comp = compile_file(p)
    assert not any(d.code in ("E001", "E002") for d in comp.diagnostics)
    d = comp.diagnostics[0]
    assert d.code == "E011" and (d.span.line, d.span.col) == (4, 8)
    assert render(d, comp.sources).split("\n")[3].endswith("| barred u1 with u2")
    p.write_bytes(b'\xef\xbb\xbfdocument d "D" {\n  body demo "Demo"\n}\n')
    assert compile_file(p).ok


def test_a_file_that_is_not_utf8_is_e003_at_the_first_bad_byte(tmp_path):
    p = tmp_path / "x.specc"
    p.write_bytes('# pounds\ndocument d "D" {\n  body demo "£"\n}\n'.encode("latin-1"))
    comp = compile_file(p)
    d = only(comp, "E003")
    assert d.message == f"`{d.span.file}` is not UTF-8 text" and d.span.file.endswith("x.specc")
    assert (d.span.line, d.span.col) == (3, 14) and d.help == "save the file as UTF-8"
    assert "imports are relative" not in render(d, comp.sources)
    assert render(d, comp.sources).split("\n")[3].endswith('|   body demo "\ufffd"')


def test_an_imported_file_that_is_not_utf8_is_e003_in_that_file(tmp_path):
    (tmp_path / "part.specc").write_bytes(b'unit u1 "caf\xe9" {\n}\n')
    (tmp_path / "root.specc").write_text('import "part.specc"\n' + DOC, encoding="utf-8")
    d = only(compile_file(tmp_path / "root.specc"), "E003")
    assert d.span.file.endswith("part.specc") and (d.span.line, d.span.col) == (1, 13)


def test_an_unterminated_string_says_so(tmp_path):
    comp = compile_text(tmp_path, DOC + 'unit 001 "Greet customers {\n  credits 1\n}\n')
    d = only(comp, "E002")
    assert d.message == "unterminated string" and (d.span.line, d.span.col) == (4, 10)
    assert d.help == 'close it with `"` on the same line, or use `"""..."""` for text over several lines'


def test_an_unterminated_long_text_points_at_its_opening_quotes(tmp_path):
    for body in ('  aim """\n    hello\n  credits 1\n}\n', '  aim """\n    hello "there"\n  credits 1\n}\n', '  aim """ab"\n}\n'):
        comp = compile_text(tmp_path, DOC + 'unit 001 "G" {\n' + body)
        d = only(comp, "E002")
        assert d.message == 'unterminated long text `"""`', body
        assert (d.span.line, d.span.col, d.span.end_col) == (5, 7, 10)


def test_a_closed_string_after_an_error_is_not_called_unterminated(tmp_path):
    comp = compile_text(tmp_path, DOC + 'unit 001 "G" {\n  credits x\n  aim "a # b"\n}\n')
    d = comp.diagnostics[0]
    assert d.code == "E001" and "unterminated" not in d.message


def test_a_decimal_where_a_whole_number_is_expected(tmp_path):
    comp = compile_text(tmp_path, DOC + 'unit 001 "G" {\n  credits 1.5\n}\n')
    d = only(comp, "E002")
    assert d.message == "`credits` takes a whole number"
    assert (d.span.line, d.span.col, d.span.end_col) == (5, 11, 14) and "decimal point" in d.help
    src = DOC + 'unit 001 "G" {\n  outcome 1 knowledge "K" {\n    criterion 1.1 "x" { demand at least 2.5 "x" }\n  }\n}\n'
    d = only(compile_text(tmp_path, src), "E002")
    assert d.message == "a whole number is expected here" and d.span.line == 6


def test_smart_quotes_get_a_hint(tmp_path):
    comp = compile_text(tmp_path, 'document d \u201cD\u201d {\n  body demo "Demo"\n}\n')
    d = only(comp, "E002")
    assert d.message == "unexpected character `\u201c`" and d.help == 'use straight quotes `"`'
    assert (d.span.line, d.span.col) == (1, 12)


def test_a_criterion_reusing_itself_is_w032(tmp_path):
    src = DOC + 'unit u1 "U" {\n  outcome 1 knowledge "K" {\n    criterion 1.1 "x" {\n      reuse 1.2, 1.1\n    }\n    criterion 1.2 "y"\n  }\n}\n'
    d = only(compile_text(tmp_path, src), "W032")
    assert d.message == "criterion 1.1 of unit u1 reuses its own evidence" and d.help
    assert (d.span.line, d.span.col) == (7, 18)
    # another unit's 1.1 is not itself
    assert not [d for d in compile_text(tmp_path, src.replace("reuse 1.2, 1.1", "reuse unit u1 1.2")).diagnostics if d.code == "W032"]


def test_a_row_link_for_its_own_criterion_is_w032(tmp_path):
    src = DOC + (
        'unit u1 "U" {\n  outcome 1 knowledge "K" {\n    criterion 1.1 "x"\n    criterion 1.2 "y"\n  }\n'
        "  evidence guide {\n    row 1.1, 1.2 {\n      reuse 1.1 for 1.1\n    }\n  }\n}\n"
    )
    d = only(compile_text(tmp_path, src), "W032")
    assert "1.1" in d.message and "its own evidence" in d.message and d.span.line == 11


PART = 'requirements r "R" {\n  requirement 1 "one"\n  requirement 3 "three" {\n    choose 1 {\n      a "x"\n      c "y"\n    }\n  }\n}\n'


def test_requirement_sets_under_an_alias_are_checked_when_no_spec_checks_them(tmp_path):
    (tmp_path / "part.specc").write_text(PART, encoding="utf-8")
    (tmp_path / "root.specc").write_text('import "part.specc" as p\n' + DOC, encoding="utf-8")
    comp = compile_file(tmp_path / "root.specc")
    assert {(d.code, Path(d.span.file).name, d.span.line) for d in comp.diagnostics} == {("W021", "part.specc", 3), ("W051", "part.specc", 6)}
    assert "`p.r`" in only(comp, "W021").message


def test_requirement_sets_of_an_aliased_spec_are_reported_once(tmp_path):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "part.specc").write_text(PART, encoding="utf-8")
    (tmp_path / "other" / "other.specc").write_text('import "part.specc"\ndocument o "O" {\n  body demo "Demo"\n}\n', encoding="utf-8")
    (tmp_path / "root.specc").write_text('import "other/other.specc" as o\n' + DOC, encoding="utf-8")
    comps = build.compile_all([tmp_path])
    got = sorted((Path(c.root).name, d.code) for c in comps for d in c.diagnostics)
    assert got == [("other.specc", "W021"), ("other.specc", "W051")]


def test_unsatisfiable_rules_and_unknown_sets_say_why(tmp_path):
    from tests.conftest import compile_text

    src = """
document d "D" {
  body b "B"
}
group g "Group" { u1 u2 }
unit u1 "One" {
  credits 2
  assessed under p.nosuch
}
unit u2 "Two" {
  credits 1
}
qualification q1 "Q" {
  rules {
    minimum 3 credits
    at least 4 credits from g
  }
}
"""
    (tmp_path / "p.specc").write_text('requirements known "Known" {\n  requirement 1 "x"\n}\n', encoding="utf-8")
    comp = compile_text(tmp_path, 'import "p.specc" as p\n' + src)
    by = {d.code: d for d in comp.diagnostics}
    assert by["E040"].help == "g gives 3 credits at most; the rule needs 4"
    assert by["E012"].help == "`p` declares no set `nosuch`; it has `p.known`"


# ---------------------------------------------------------------- the checks of issue 11


def test_a_syntax_error_in_an_imported_file_is_one_spec_and_no_w063():
    comps = build.compile_all([FIX / "W063-imported-syntax-error"])
    assert len(comps) == 1 and Path(comps[0].root).name == "root.specc"
    assert [d.code for d in comps[0].diagnostics] == ["E001"]
    assert any(f.endswith("part.specc") for f in comps[0].files)


def test_a_duplicate_unit_is_reported_before_what_it_causes(tmp_path):
    src = (FIX / "E010-knock-on.specc").read_text(encoding="utf-8").replace("remaining credits from u1", "remaining credits from u1, u2")
    comp = compile_text(tmp_path, src)
    assert [d.code for d in comp.diagnostics] == ["E010", "E011"]  # E011 (line 10) follows the E010 (line 17) that explains it
    assert comp.diagnostics[1].span.line < comp.diagnostics[0].span.line
    # without the duplicate, the same rules are solved and fail
    fixed = compile_text(tmp_path, src.replace('unit u1 "Two"', 'unit u2 "Two"').replace("minimum 3", "minimum 4"))
    assert [d.code for d in fixed.diagnostics] == ["E040"]


def test_e040_names_a_minimal_conflicting_set():
    d = only(compile_file(FIX / "E040-conflict.specc"), "E040")
    (note,) = d.notes
    assert note.startswith("these cannot all hold (without any one of them the rest can): ")
    assert "rule `minimum 4 credits` at " in note and note.endswith("E040-conflict.specc:16:1")
    assert "barred pair `barred a with b` at " in note and "remaining" not in note
    # one rule alone
    d = only(compile_file(fixture_root("E040")), "E040")
    assert d.notes == (f"this cannot hold: rule `minimum 5 credits` at {d.span.file}:14:5",)
    assert d.help == "all the units its rules allow give 2 credits; it needs at least 5"


def test_minimal_conflict_is_minimal_and_unsatisfiable(tmp_path):
    from specc import solver

    src = DOC + "".join(f'unit u{i} "U{i}" {{\n  credits {i}\n}}\n' for i in range(1, 6)) + (
        "barred u4 with u5\nbarred u1 with u2\n"
        'qualification q "Q" {\n  rules {\n    mandatory u1\n    maximum 9 credits\n'
        "    at least 9 credits from u3, u4, u5\n    remaining credits from u2, u3, u4, u5\n  }\n}\n"
    )
    comp = compile_text(tmp_path, src)
    assert [d.code for d in comp.diagnostics] == ["E040"]
    spec = comp.spec
    q = spec.qualifications[0]
    units = {u.id: u for u in spec.units}
    core = solver.minimal_conflict(q, units, spec.barred)
    pairs = [b for b in core if hasattr(b, "a")]
    assert not solver.solve(solver.problem_for(solver._restricted(q, core), units, pairs)).satisfiable
    for m in core:  # drop any one and the rest can hold
        rest = [x for x in core if x is not m]
        rp = [b for b in rest if hasattr(b, "a")]
        assert solver.solve(solver.problem_for(solver._restricted(q, rest), units, rp)).satisfiable
    shown = {type(x).__name__ for x in core}
    # u3, u4, u5 give 9 only with both u4 and u5, which are barred; the
    # mandatory unit, the maximum and the other pair play no part
    assert shown == {"CreditsFrom", "Barred"} and len(pairs) == 1 and pairs[0].a == "u4"


def distinct_texts(n: int) -> list[str]:
    """``n`` sentences of 15 words drawn at random (seeded) from 300."""
    import random

    rnd = random.Random(4411)
    words = [f"{a}{b}" for a in ("ser", "cus", "tom", "ev", "id", "gui", "dan", "ce", "uni", "rol") for b in ("ve", "ta", "mer", "en", "ly", "der", "tion", "al", "ing", "ous", "ant", "ic", "ed", "ist", "ure", "ry", "ize", "ful", "ness", "age", "dom", "ship", "ward", "wise", "hood", "ment", "ite", "ile", "oid", "ar")]
    return [" ".join(rnd.sample(words, 15)) for _ in range(n)]


def test_near_copies_without_comparing_every_pair():
    from specc import similarity

    base = "The aim of this unit is to help the learner to understand how to deal with telephone calls from customers"
    texts = distinct_texts(300)
    texts[150] = base
    texts[260] = base.replace("customers", "customer")  # one letter dropped
    texts[270] = base.upper()  # case does not count
    got = list(similarity.near_copies(texts))
    assert [(i, j) for i, j, _ in got] == [(260, 150), (270, 150)]
    assert got[1][2] == 1.0 and 0.99 < got[0][2] < 1.0
    assert similarity.similarity("a  b", "A b") == 1.0 and similarity.similarity("abc", "xyz") == 0.0
    assert similarity.numbers("Serve two customers, 3 times") == ["two", "3"]


def test_near_copies_are_found_by_candidates_not_by_every_pair(monkeypatch):
    from specc import similarity

    calls = []
    real = similarity.difflib.SequenceMatcher

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(similarity.difflib, "SequenceMatcher", counting)
    texts = distinct_texts(400)
    list(similarity.near_copies(texts))
    assert len(calls) < 400 * 399 // 2 // 20  # far fewer than one comparison per pair


# ---------------------------------------------------------------- the registry


def test_readme_table_is_the_registry():
    from scripts.codes_table import README, replaced

    text = README.read_text(encoding="utf-8")
    assert replaced(text) == text, "run python scripts/codes_table.py"


def test_every_check_reports_only_registered_codes_and_codes_are_sorted():
    from specc import checks

    assert list(CODES) == sorted(CODES, key=lambda c: int(c[1:]))
    names = [ch.name for ch in checks.BUILTIN]
    assert len(names) == len(set(names))
    for ch in checks.BUILTIN:
        assert ch.codes and all(c.code in CODES and CODES[c.code] == c for c in ch.codes)
    with pytest.raises(ValueError):
        checks.Code("X1", "error", "no")
    with pytest.raises(ValueError):
        checks.Code("W901", "error", "a warning's letter with an error's severity")


def test_a_check_reporting_an_unregistered_code_is_refused():
    from specc import checks

    bad = checks.Check("bad", (checks.warning("W990", "demo"),), lambda spec, ctx: [checks.Diagnostic("W991", "x")])
    with pytest.raises(ValueError, match="W991"):
        checks.run(None, checks.Context(SourceCache()), [bad])


def test_plugins_register_checks_and_the_old_hook_still_works(tmp_path):
    import pluggy

    from specc import checks, hookspecs, plugins
    from specc.hookspecs import hookimpl

    class Demo:
        @hookimpl
        def specc_register_checks():
            def one_unit(spec, ctx):
                if len(spec.units) < 2:
                    yield ctx.diag("W901", "demo body wants two units", spec.units[0].span, word=spec.units[0].id)

            return [checks.Check("two-units", (checks.warning("W901", "a demo spec wants two units"),), one_unit)]

        @hookimpl
        def specc_checks(spec):
            return [checks.Diagnostic("W902", "old hook", spec.document.span)]

    pm = pluggy.PluginManager("specc")
    pm.add_hookspecs(hookspecs)
    pm.register(Demo, name="demo")
    p = tmp_path / "t.specc"
    p.write_text(DOC + 'unit u1 "U" {\n  credits 1\n}\n', encoding="utf-8")
    comp = compile_file(p, plugin_checks=lambda spec, ctx: plugins.checks(spec, ctx, pm=pm))
    got = {(d.code, d.source, d.span.line, d.span.col) for d in comp.diagnostics}
    assert got == {("W901", "demo", 4, 6), ("W902", "demo", 1, 1)}


def test_one_credit_is_singular_in_messages(tmp_path):
    """No "1 credits" in what check says (the rules' messages and notes)."""
    from tests.conftest import compile_text

    comp = compile_text(
        tmp_path,
        'document d "D" {\n  body b "B"\n}\n\n'
        'qualification q "Q" {\n  credits 1\n  rules {\n    minimum 1 credits\n    mandatory u1\n  }\n}\n\n'
        'unit u1 "U" {\n  credits 1\n  glh 5\n  outcome 1 knowledge "O" {\n    criterion 1.1 "state a thing"\n  }\n}\n'
        'unit u2 "U2" {\n  credits 1\n  glh 5\n  outcome 1 knowledge "O" {\n    criterion 1.1 "state a thing"\n  }\n}\n',
    )
    text = "\n".join([d.message for d in comp.diagnostics] + [n for d in comp.diagnostics for n in d.notes])
    assert "1 credits" not in text
    comp = compile_text(tmp_path, 'document d "D" {\n  body b "B"\n}\n\nqualification q "Q" {\n  credits 3\n  rules {\n    mandatory u1\n  }\n}\n\nunit u1 "U" {\n  credits 1\n  glh 5\n  outcome 1 knowledge "O" {\n    criterion 1.1 "state a thing"\n  }\n}\n', "u.specc")
    notes = [n for d in comp.diagnostics for n in d.notes if "cheapest route" in n]
    assert notes and "(1 credit," in notes[0], [d.message for d in comp.diagnostics]
