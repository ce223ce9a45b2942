"""The formatter is canonical, idempotent, keeps comments and meaning."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from specc import export
from specc.fmt import format_text
from specc.lower import lower
from specc.syntax import long_quote, parse, quote

ROOT = Path(__file__).resolve().parent.parent


def meaning(text: str):
    tree, errs = parse(text, "x.specc")
    assert not errs, errs
    diags: list = []
    decls, _ = lower(tree, "x.specc", diags)
    parts = (decls.document, decls.qualifications, decls.groups, decls.units, decls.barred, decls.glossaries, decls.requirement_sets)
    return export.to_data(list(parts)), [i.path for i in decls.imports]


def comments(text: str) -> list[str]:
    return [m.group(0).rstrip() for m in re.finditer(r"#[^\n]*", text_without_strings(text))]


def text_without_strings(text: str) -> str:
    return re.sub(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"', '""', text)


# ---------------------------------------------------------------- generated specs

words = st.text(alphabet=st.sampled_from(list("abcdefgh XYZ'`*|_-.\\\"é&")), min_size=1, max_size=20)
prose = st.lists(
    st.one_of(words, st.builds(lambda w: "- " + w.strip(" -") if w.strip(" -") else "- x", words)), min_size=1, max_size=5
).map(lambda ls: "\n".join(x if x.strip() else "x" for x in ls))
ident = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
KEYWORDS = {"all", "choose", "unit", "row", "at", "entry", "level"}
ws = st.sampled_from([" ", "  ", "\t", " \n "])
comment = st.one_of(st.none(), st.from_regex(r"# [a-z \"{}]{0,12}", fullmatch=True))
trailing = st.one_of(st.none(), st.none(), st.from_regex(r"# [a-z \"{}#]{0,12}", fullmatch=True))


def lit(s: str, long: bool) -> str:
    return long_quote(s, "") if long or "\n" in s else quote(s)


@st.composite
def spec_text(draw):
    out = []

    def c():
        x = draw(comment)
        if x:
            out.append(x + "\n")

    def sp():
        return draw(ws)

    def t(end="\n"):
        """``end`` (a line end or a space), or a trailing comment and a line end."""
        x = draw(trailing)
        return f"{draw(st.sampled_from([' ', '  ', chr(9)]))}{x}\n" if x else end

    c()
    out.append(f'document d{sp()}{quote(draw(words))} {{{t()}  body b "B"{t()}')
    c()
    out.append("}" + t())
    for ui in range(draw(st.integers(0, 3))):
        c()
        out.append(f"unit{sp()}u{ui}{t(' ')}{quote(draw(words))} {{{t()}")
        if draw(st.booleans()):
            out.append(f"  credits {draw(st.integers(1, 9))}{t(sp())}glh {draw(st.integers(1, 40))}{t()}")
        if draw(st.booleans()):
            out.append(f"aim {lit(draw(prose), draw(st.booleans()))}{t()}")
        for on in range(1, draw(st.integers(1, 3)) + 1):
            c()
            out.append(f"outcome {on} {draw(st.sampled_from(['knowledge', 'performance']))} {quote(draw(words))} {{{t()}")
            for cn in range(1, draw(st.integers(1, 3)) + 1):
                c()
                out.append(f"criterion {on}.{cn} {quote(draw(words))}")
                if draw(st.booleans()):
                    out.append(" {\n")
                    if draw(st.booleans()):
                        out.append(f"    explained {lit(draw(prose), True)}{t()}")
                    if draw(st.booleans()):
                        q = draw(st.sampled_from(["", "at least ", "exactly "]))
                        n = draw(st.integers(1, 5))
                        out.append(f"demand {q}{n}{t(' ')}{quote(draw(words))}")
                        if draw(st.booleans()):
                            out.append(" different occasions")
                        if draw(st.booleans()):
                            bq = draw(st.sampled_from(["", "at least ", "at  least ", "exactly "]))
                            methods = draw(st.lists(st.sampled_from(["observation", "witness_testimony", "work_product"]), min_size=1, max_size=3))
                            out.append(f"{sp()}of{sp()}which {bq}{draw(st.integers(1, n))}{sp()}by {(draw(st.sampled_from([',', ' ,', ', ']))).join(methods)}")
                        out.append("\n")
                    c()
                    out.append("}")
                out.append(t())
            out.append("}" + t())
        if draw(st.booleans()):
            out.append(f"simulation {draw(st.sampled_from(['allowed', 'forbidden', 'exceptional']))}{draw(st.sampled_from(['', ' for performance']))}")
            if draw(st.booleans()):
                out.append(f"{sp()}except{sp()}{lit(draw(prose), draw(st.booleans()))}")
            out.append("\n")
        if draw(st.booleans()):
            lead = "".join(f"note {lit(draw(prose), draw(st.booleans()))}{sp()}" for _ in range(draw(st.integers(0, 2))))
            head = draw(st.sampled_from(["1.1, 1.2", "outcome 1", "outcome 1 ,2", "outcome 2,1, 3"]))
            reuse = ""
            for _ in range(draw(st.integers(0, 2))):
                reuse += f"{sp()}reuse{draw(st.sampled_from(['', ' unit u0']))} 1.1"
                reuse += draw(st.sampled_from(["", " for 1.2", " for 1.1 ,1.2", "\nfor 2.1"]))
                if draw(st.booleans()):
                    reuse += " " + lit(draw(prose), draw(st.booleans()))
                x = draw(comment)
                reuse += f" {x}\n" if x else ""
            out.append("evidence guide { " + lead + f"row {head} {{ methods observation,work_product note " + lit(draw(prose), False) + reuse + " } }\n")
        c()
        out.append("}" + t())
    if draw(st.booleans()):
        out.append('requirements r "R" { requirement 1 "x" { choose 1 { a "p" b "q" } distinct 2 "media" } }\n')
    c()
    return "".join(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec_text())
# a long text holding four quotes: written \"""" it was closed by its last three
@example('document d "X" {\n  body b "B"\n}\nunit u0 "X" {\noutcome 1 knowledge "X" {\ncriterion 1.1 "X"\n}\nsimulation allowed except """\n\\"\\"\\"\\" and \\"\\"\\"\\"\\"\\"\\"\n"""\n}\n')
def test_fmt_keeps_meaning_comments_and_is_idempotent(src):
    out, errs = format_text(src)
    assert not errs and out is not None
    assert meaning(out) == meaning(src)
    assert comments(out) == comments(src)
    again, _ = format_text(out)
    assert again == out


def test_fmt_layout_is_canonical():
    src = 'document d "D" {body b "B"}\n\n\n\nunit u1 "U"{credits 2 glh 10 # trailing\noutcome 1 knowledge "K"{criterion 1.1 "s"{explained """\n   one\n     two\n"""}}}\n'
    out, _ = format_text(src)
    assert out == (
        'document d "D" {\n'
        '  body b "B"\n'
        "}\n"
        "\n"
        'unit u1 "U" {\n'
        "  credits 2\n"
        "  glh 10  # trailing\n"
        '  outcome 1 knowledge "K" {\n'
        '    criterion 1.1 "s" {\n'
        '      explained """\n'
        "        one\n"
        "          two\n"
        '      """\n'
        "    }\n"
        "  }\n"
        "}\n"
    )


def test_fmt_refuses_broken_input_with_diagnostics():
    out, errs = format_text('unit u1 "U" {\n  credits\n}\n', "broken.specc")
    assert out is None and errs[0].code == "E001" and errs[0].span.line == 3


def test_specs_are_formatted():
    r = subprocess.run([sys.executable, "-m", "specc", "fmt", "--check", str(ROOT / "specs")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_fmt_leaves_commas_inside_strings_alone():
    from specc.fmt import format_text

    src = 'unit u "a , b" {\n  aim """\n    www.a.uk , www.b.uk ,\n  """\n  evidence from workplace , rwe\n}\n'
    out, diags = format_text(src)
    assert not diags
    assert '"a , b"' in out and "www.a.uk , www.b.uk ," in out
    assert "evidence from workplace, rwe" in out
    assert format_text(out)[0] == out


def test_fmt_keeps_trailing_comments_on_their_line():
    src = (
        'document d "D" {  # the document\n'
        '  body b "B"  # trailing body\n'
        '  version "1"\n'
        "}\n"
        'unit u1 "U" {\n'
        "  credits 2 # credits\n"
        '  outcome 1 knowledge "K" {\n'
        '    criterion 1.1 "s" {\n'
        '      explained """\n'
        "        one\n"
        '      """ # after the text\n'
        "    }\n"
        "  }  # end of outcome 1\n"
        "}\n"
    )
    out, errs = format_text(src)
    assert not errs
    assert 'document d "D" {  # the document\n' in out
    assert '  body b "B"  # trailing body\n  version "1"\n' in out
    assert "  credits 2  # credits\n" in out
    assert '      """  # after the text\n' in out
    assert "  }  # end of outcome 1\n" in out
    assert format_text(out)[0] == out
    assert meaning(out) == meaning(src)


def test_fmt_joined_lines_keep_every_comment_in_order():
    src = 'group g "G" { 001 # one\n 002 # two\n}\nunit u1 # three\n "U" { # four\n}\n'
    out, errs = format_text(src)
    assert not errs
    assert out == '# one\ngroup g "G" { 001 002 }  # two\n\n# three\nunit u1 "U" {}  # four\n'
    assert comments(out) == comments(src)
    assert format_text(out)[0] == out


def test_fmt_drops_a_byte_order_mark():
    out, errs = format_text('\ufeffdocument d "D" {\n  body b "B"\n}\n')
    assert not errs and out == 'document d "D" {\n  body b "B"\n}\n'
