"""Write a synthetic spec with N units (for benchmarks).

    python benchmarks/synth.py N OUT_DIR

The spec has a document, a glossary, 4 groups, one qualification with
mandatory units, group credit rules and barred pairs, and N units of 3
outcomes x 3 criteria with explanations, demands and an evidence guide,
spread over files of 50 units imported by the root.
"""

from __future__ import annotations

import sys
from pathlib import Path

UNIT = '''unit s{n:05d} "Synthetic unit {n}" {{
  reference "X/{n:03d}/0001"
  level 1
  credits {credits}
  glh {glh}
  evidence from workplace, rwe
  aim "The aim of synthetic unit {n} is to exercise the compiler on a large specification."
{outcomes}
  evidence guide {{
    row 1.1, 1.2, 1.3 {{
      methods oral_questioning, candidate_statement
      note "Written questions or a guided discussion."
    }}
    row 2.1, 2.2, 2.3, 3.1, 3.2, 3.3 {{
      methods observation, work_product, witness_testimony
    }}
  }}
}}
'''

OUTCOME = '''  outcome {o} {kind} "Be able to do part {o} of unit {n}" {{
{criteria}  }}
'''

CRITERION = '''    criterion {o}.{c} "state how to handle case {c} of part {o} in unit {n}" {{
      explained """
        For {o}.{c} of unit {n} the candidate must state two ways of handling case {c}, for example:

        - asking the customer
        - checking the system
      """
      demand 2 "ways of handling case {c}"
    }}
'''


def unit(n: int) -> str:
    outcomes = "".join(
        OUTCOME.format(o=o, n=n, kind="knowledge" if o == 1 else "performance",
                       criteria="".join(CRITERION.format(o=o, c=c, n=n) for c in range(1, 4)))
        for o in range(1, 4)
    )
    return UNIT.format(n=n, credits=1 + n % 4, glh=8 + n % 13, outcomes=outcomes)


def write(n: int, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    ids = [f"s{i:05d}" for i in range(n)]
    chunk = 50
    imports = []
    for k in range(0, n, chunk):
        name = f"units_{k // chunk:04d}.specc"
        (out / name).write_text("".join(unit(i) for i in range(k, min(n, k + chunk))), encoding="utf-8")
        imports.append(f'import "{name}"')
    groups = []
    for g in range(4):
        members = " ".join(ids[g::4])
        groups.append(f'group g{g} "Group {g}" {{ {members} }}')
    mandatory = ", ".join(ids[: min(2, n)])
    barred = "\n".join(f"barred {ids[i]} with {ids[i + 1]}" for i in range(2, min(n - 1, 40), 2))
    need = min(sum(1 + i % 4 for i in range(n)) // 2, 40)
    root = f'''{chr(10).join(imports)}

document synth{n} "Synthetic specification with {n} units" {{
  body demo "Demo Body"
  version "1"
  published 2026-01
}}

{chr(10).join(groups)}

{barred}

qualification q{n} "Synthetic qualification" {{
  level 1
  rules {{
    minimum {need} credits
    mandatory {mandatory}
    at least {min(need // 4, 6)} credits from g1
    remaining credits from g0, g1, g2, g3
  }}
}}

glossary "Terms" {{
  verb "State" "Give the main points in brief, clear sentences."
}}
'''
    p = out / "root.specc"
    p.write_text(root, encoding="utf-8")
    return p


if __name__ == "__main__":
    print(write(int(sys.argv[1]), Path(sys.argv[2])))
