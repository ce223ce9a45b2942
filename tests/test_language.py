"""The README's language reference: every example parses, every keyword and
diagnostic code is documented, and the IR carries what the examples say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from specc.diagnostics import CODES
from specc.syntax import keywords, parse
from tests.conftest import compile_text

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
LANGUAGE = README.split("## The language", 1)[1].split("\n## ", 1)[0]
EXAMPLES = [m.group(1) for m in re.finditer(r"```\n(.*?)```", LANGUAGE, re.DOTALL)]


@pytest.mark.parametrize("i", range(len(EXAMPLES)))
def test_reference_examples_parse(i):
    src = EXAMPLES[i]
    if src.lstrip().startswith("demand") or src.lstrip().startswith("reuse"):
        src = 'unit u "U" { outcome 1 knowledge "K" { criterion 1.1 "c" {\n' + src + "\n} } }"
    elif src.lstrip().startswith("guidance") or src.lstrip().startswith("evidence guide"):
        src = 'unit u "U" {\n' + src + "\n}"
    tree, errs = parse(src, f"example{i}.specc")
    assert not errs, (src, errs)


def test_every_keyword_is_documented():
    missing = sorted(kw for kw in set(keywords().values()) if not re.search(rf"\b{kw}\b", LANGUAGE))
    assert not missing


def test_every_code_is_documented():
    for code, (severity, _) in CODES.items():
        assert re.search(rf"^\| {code} \| {severity} \|", README, re.MULTILINE), code


def test_constructs_reach_the_ir(tmp_path):
    comp = compile_text(
        tmp_path,
        '''
document d "D" { body demo "Demo" published 2020-01
  history { change 1.0 2019-12 "First" section "All" } }
group g "G" { u1 u2 }
barred u1 with u2 "Cannot be taken with u2"
unit u1 "One" { credits 2 glh 10 level entry 3
  evidence from workplace, rwe
  simulation forbidden for performance
  outcome 1 performance "Be able to serve" {
    criterion 1.1 "serve customers" {
      explained """
        Serve three customers.

        - politely
        - promptly
      """
      demand 3 "customers" different customers
      demand at least 1 "complaint"
      reuse unit u2 1.1 "the same customers"
    }
  }
  evidence guide { row 1.1 { methods observation note "Observed." } }
}
unit u2 "Two" { credits 3 glh 20 level 1
  outcome 1 knowledge "Know" { criterion 1.1 "state it" } }
qualification q "Q" { glh 10 credits 2 rules { minimum 2 credits remaining credits from g } }
requirements r "R" { requirement 1 "Range:" { choose 1 { a "x" b "y" } distinct 2 "media" methods email, telephone } }
''',
    )
    assert comp.ok, comp.diagnostics
    s = comp.spec
    u1 = s.unit("u1")
    c = u1.criterion("1.1")
    assert [(d.count, d.op, d.what, d.different) for d in c.demands] == [(3, "exactly", "customers", "customers"), (1, "at_least", "complaint", None)]
    assert c.reuse[0].unit == "u2" and c.reuse[0].criteria == ("1.1",)
    assert [type(b).__name__ for b in c.guidance[0].text.blocks] == ["Paragraph", "BulletList"]
    assert u1.environment.simulation_allowed("performance") is False
    assert u1.environment.simulation_allowed("knowledge") is None
    assert str(u1.level) == "Entry 3" and s.barred_with("u1") == ("u2",)
    q = s.qualification("q")
    assert q.routes.satisfiable and q.routes.min_glh == 10 and q.routes.max_credits == 3
    assert q.routes.cheapest.units == ("u1",)
    r = s.requirement_set("r").requirements[0]
    assert r.ranges[0].required == 1 and r.distinct[0].count == 2 and r.methods == ("email", "telephone")
