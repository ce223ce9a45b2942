"""Synthetic specs for the export tests (portfolio schema, validator, specc
validate), written to a temporary folder and compiled once per session:

* ``demo``: every feature a portfolio is checked against -- groups, barred
  pairs, registration period, demands (exactly, at least, different occasions
  and customers, two demands on one criterion, `of which ... by` methods),
  reuse links (criterion, row, other unit), environment and simulation
  rules, requirement sets under an alias with all-of and k-of-n ranges, a
  distinct count and `different`;
* ``cg4411like`` and ``ncfelike``: the rules of combination of City & Guilds
  4411 (four qualifications, 20 units, ten barred pairs) and NCFE 601/3972/9
  (groups A, B and C) as their handbooks print them, with one criterion per
  unit, for the exhaustive route tests until the transcribed specs are
  complete.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CFA = '''
document cfademo "Demo evidence requirements" {
  body cfa "CfA"
}

requirements follow_rules "Follow the rules" {
  evidence from workplace, rwe, placement
  simulation forbidden for performance
  requirement 1 environment "Wherever possible your evidence should be based on a real job."
  requirement 3 sufficiency "Different customers on different occasions." {
    different customers
    different occasions
  }
  requirement 5 "You must provide evidence of following the rules:" {
    all {
      a "During routine delivery"
      b "During a busy time"
      c "During a quiet time"
    }
  }
  requirement 6 "Two of these groups:" {
    choose 2 {
      a "Colleagues"
      b "Managers"
      c "Suppliers"
    }
  }
  requirement 7 "Using two different communication media." {
    distinct 2 "communication media"
  }
}

requirements real_job_only "Real job only" {
  evidence from workplace
  simulation forbidden
}
'''

DEMO = '''
import "cfa.specc" as cfa

document demo "Demo qualification handbook" {
  body demo "Demo Body"
  version "2"
  published 2024-01
}

group a "Group A" { u1 u2 }
group b "Group B" { u3 u4 u5 }
barred u3 with u4 "Cannot be taken with unit u4"

qualification q1 "Demo Certificate" {
  registration 12 months
  rules {
    minimum 6 credits
    exactly 3 credits from a
    mandatory u1, u2
    at least 2 credits from b
    remaining credits from b
  }
}

qualification q2 "Demo Award" {
  rules {
    minimum 3 credits
    maximum 4 credits
    mandatory u2
    remaining credits from a, b
  }
}

unit u1 "Unit one" {
  credits 1
  evidence from workplace, rwe
  simulation forbidden for performance
  outcome 1 knowledge "Know things" {
    criterion 1.1 "state two things" {
      demand 2 "things"
    }
    criterion 1.2 "describe one thing" {
      reuse 1.1
    }
  }
  outcome 2 performance "Be able to do things" {
    criterion 2.1 "carry out three tasks" {
      demand 3 "customer service tasks" different occasions
    }
    criterion 2.2 "help customers" {
      demand at least 2 "customers helped" different customers
    }
    criterion 2.3 "greet customers"
    criterion 2.4 "answer calls" {
      demand 4 "calls" of which at least 2 by observation, witness_testimony
    }
  }
  evidence guide {
    row 1.1, 1.2 {
      methods written_questioning, oral_questioning
    }
    row 2.1, 2.2, 2.3, 2.4 {
      methods observation, witness_testimony
      reuse unit u3 1.1
    }
  }
}

unit u2 "Unit two" {
  credits 2
  assessed under cfa.follow_rules
  outcome 1 performance "Be able to follow rules" {
    criterion 1.1 "follow the rules" {
      demand 2 "positive ways"
      demand 2 "negative ways"
    }
    criterion 1.2 "explain the rules" {
      demand at least 1 "rules"
    }
  }
}

unit u3 "Unit three" {
  credits 2
  assessed under cfa.real_job_only
  outcome 1 performance "Be able to do" {
    criterion 1.1 "do it"
  }
}

unit u4 "Unit four" {
  credits 2
  outcome 1 knowledge "Know" {
    criterion 1.1 "know it"
  }
}

unit u5 "Unit five" {
  credits 1
  simulation allowed
  outcome 1 knowledge "Know" {
    criterion 1.1 "know it"
  }
}
'''

# City & Guilds 4411 (handbook v1.8, section 2): unit, credits, GLH.
CG_UNITS = [("001", 2, 15), ("002", 2, 20), ("003", 3, 20), ("004", 2, 18), ("005", 2, 20), ("006", 2, 18), ("007", 2, 18),
            ("008", 2, 20), ("009", 2, 20), ("010", 2, 16), ("101", 2, 18), ("102", 3, 24), ("103", 3, 22), ("104", 2, 18),
            ("105", 2, 18), ("106", 2, 18), ("107", 2, 20), ("108", 2, 20), ("109", 2, 20), ("110", 2, 18)]
CG_QUALS = [
    ("4411-30", 6, "entry3", 4, "002"),
    ("4411-33", 13, "entry3", 7, "002, 009"),
    ("4411-01", 7, "level1", 5, "102"),
    ("4411-11", 13, "level1", 7, "102, 105"),
]

# NCFE 601/3972/9: unit, credits.
NCFE_UNITS = [("01", 3), ("02", 2), ("03", 3), ("04", 4), ("05", 2), ("06", 3), ("07", 3), ("08", 3), ("09", 3), ("10", 3),
              ("11", 3), ("12", 1), ("13", 2), ("14", 3), ("15", 3), ("16", 2), ("17", 2), ("18", 3)]


def _unit(uid: str, credits: int, glh: int) -> str:
    return f'''
unit {uid} "Unit {uid}" {{
  credits {credits}
  glh {glh}
  outcome 1 knowledge "Know" {{
    criterion 1.1 "state it"
  }}
}}
'''


def cg4411like() -> str:
    e3 = " ".join(u for u, _, _ in CG_UNITS[:10])
    l1 = " ".join(u for u, _, _ in CG_UNITS[10:])
    out = ['document cg4411like "City & Guilds 4411 rules of combination" {\n  body cityandguilds "City & Guilds"\n}\n']
    out.append(f'group entry3 "Entry 3 units 001-010" {{ {e3} }}\ngroup level1 "Level 1 units 101-110" {{ {l1} }}\n')
    for i in range(10):
        a, b = CG_UNITS[i][0], CG_UNITS[i + 10][0]
        out.append(f'barred {a} with {b}\nbarred {b} with {a}\n')
    for qid, total, group, need, mandatory in CG_QUALS:
        out.append(f'''
qualification {qid} "City & Guilds {qid}" {{
  registration 36 months
  rules {{
    minimum {total} credits
    at least {need} credits from {group}
    mandatory {mandatory}
    remaining credits from entry3, level1
  }}
}}
''')
    out += [_unit(u, c, g) for u, c, g in CG_UNITS]
    return "".join(out)


def ncfelike() -> str:
    ids = [u for u, _ in NCFE_UNITS]
    out = ['document ncfelike "NCFE 601/3972/9 rules of combination" {\n  body ncfe "NCFE"\n}\n']
    out.append(f'group group_a "Group A mandatory units" {{ {" ".join(ids[:5])} }}\n')
    out.append(f'group group_b "Group B optional units" {{ {" ".join(ids[5:11])} }}\n')
    out.append(f'group group_c "Group C optional units" {{ {" ".join(ids[11:])} }}\n')
    out.append('''
qualification 601-3972-9 "NCFE Level 1 Certificate in Customer Service" {
  credits 23
  rules {
    minimum 23 credits
    exactly 14 credits from group_a
    mandatory 01, 02, 03, 04, 05
    at least 6 credits from group_b
    remaining credits from group_b, group_c
  }
}
''')
    out += [_unit(u, c, 10) for u, c in NCFE_UNITS]
    return "".join(out)


def write_demo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cfa.specc").write_text(CFA, encoding="utf-8")
    (folder / "demo.specc").write_text(DEMO, encoding="utf-8")
    return folder / "demo.specc"


def write_all(folder: Path) -> dict[str, Path]:
    """Write every synthetic spec; returns {document id: root file}."""
    out = {"demo": write_demo(folder / "demo")}
    for name, text in (("cg4411like", cg4411like()), ("ncfelike", ncfelike())):
        (folder / name).mkdir(parents=True, exist_ok=True)
        p = folder / name / f"{name}.specc"
        p.write_text(text, encoding="utf-8")
        out[name] = p
    return out


_CACHE: dict = {}


def synthetic_specs(tmp_root: Path) -> dict:
    """{document id: ir.Spec} of the synthetic specs (compiled once)."""
    if "specs" not in _CACHE:
        from specc.compiler import compile_file

        specs = {}
        for name, root in write_all(tmp_root).items():
            comp = compile_file(root)
            assert comp.ok, [str(d) for d in comp.diagnostics]
            specs[name] = comp.spec
        _CACHE["specs"] = specs
        _CACHE["root"] = tmp_root
    return _CACHE["specs"]


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    return synthetic_specs(tmp_path_factory.mktemp("synth"))


def test_synthetic_specs_compile_cleanly(synth):
    assert set(synth) == {"demo", "cg4411like", "ncfelike"}
    assert [q.id for q in synth["cg4411like"].qualifications] == ["4411-30", "4411-33", "4411-01", "4411-11"]
    assert all(q.routes.satisfiable for s in synth.values() for q in s.qualifications)
    assert synth["demo"].unit("u2").assessed_under == ("cfa.follow_rules",)
