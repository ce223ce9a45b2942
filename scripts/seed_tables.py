#!/usr/bin/env python3
"""Count the seed documents into tests/seed_tables/*.json.

Reads the three seed texts in ``../shared/seeds/`` (relative to the repository)
and writes, per unit, requirement set or qualification, what the seed prints:
outcomes, criteria and explanations (full text), the quantities the handbook
prints in bold, evidence-guide rows, NCFE assessment-guidance rows, CfA
requirements and their lettered range items (full text), the qualifications'
figures and rules.  Nothing here reads specs/: the tables are what the specs
are checked against (tests/test_seed_tables.py).

    python scripts/seed_tables.py [--seeds DIR] [--out DIR] [--check]

``--check`` writes nothing and exits 1 when a committed table differs from
what the seeds give.

The seeds are PDF-to-text conversions.  The parsers remove only layout:
repeated page headers ("Unit 001 <title>", "(cont'd)"), ``**bold**`` markers,
line breaks inside a paragraph, and OCR debris (bullet glyphs, a lost decimal
point in a criterion number, numbers printed in a column of their own, a lost
requirement number or item letter, given by position).  docs/transcription.md
("Seed tables") lists every rule.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_seeds() -> Path | None:
    """``../shared/seeds`` beside the repository (a worktree one level deeper
    finds it one folder further up); None when there is none."""
    for base in (ROOT.parent, ROOT.parent.parent):
        d = base / "shared" / "seeds"
        if (d / CG_FILE).is_file():
            return d
    return None


OUT = ROOT / "tests" / "seed_tables"

CG_FILE = "cityandguilds-4411-handbook.txt"
NCFE_FILE = "ncfe-601-3972-9-specification.txt"
CFA_FILE = "cfa-customer-service-evidence-requirements.txt"

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def unbold(s: str) -> str:
    return s.replace("**", "")


def squash(s: str) -> str:
    """One line, single spaces."""
    return " ".join(s.split())


# --------------------------------------------------------------------------
# City & Guilds 4411 handbook

_CG_UNIT = re.compile(r"^(?:\*\*)?Unit (\d{3})\b(.*)$")
_CG_OUTCOME = re.compile(r"^(?:\*\*)?Outcome (\d+)\b(.*)$")
_CG_ITEM = re.compile(r"^(\d+)\. (.*)$")
_CG_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def bold_quantities(line: str) -> list[str]:
    """The quantities a line prints in bold, in order; "**one** product or
    **one** service" is one either/or quantity, "one|one"."""
    found = [m for m in _CG_BOLD.finditer(line) if m.group(1).lower() in NUMBER_WORDS or m.group(1).isdigit()]
    out: list[str] = []
    for k, m in enumerate(found):
        between = line[found[k - 1].end() : m.start()] if k else ""
        if k and re.fullmatch(r" [^.,;*]{1,40} or ", between) and "|" not in out[-1]:
            out[-1] += "|" + m.group(1)
        else:
            out.append(m.group(1))
    return out


def _cg_lines(text: str) -> list[str]:
    """Non-blank lines, with a bold heading broken over lines joined."""
    raw = [ln.rstrip(" \r") for ln in text.splitlines()]  # keep a tab before an empty cell
    out: list[str] = []
    i = 0
    while i < len(raw):
        ln = raw[i]
        if ln.startswith("**") and ln.count("**") % 2 == 1:
            parts = [ln]
            while i + 1 < len(raw) and "**" not in raw[i + 1]:
                i += 1
                parts.append(raw[i])
            if i + 1 < len(raw):
                i += 1
                parts.append(raw[i])
            ln = " ".join(p.strip() for p in parts)
        if ln.strip():
            out.append(ln.strip(" "))
        i += 1
    return out


def cityandguilds(text: str) -> dict:
    lines = _cg_lines(text)
    units: dict[str, dict] = {}
    # A unit starts with "Unit NNN", its title, then "Level:".
    starts = [i for i in range(len(lines) - 2) if re.fullmatch(r"Unit \d{3}", lines[i]) and lines[i + 2].startswith("Level:")]
    end = next(i for i in range(starts[-1], len(lines)) if lines[i] == "Appendix 1 Sources of general information")
    bounds = list(zip(starts, starts[1:] + [end], strict=True))
    for a, b in bounds:
        uid = lines[a][5:]
        title = unbold(lines[a + 1])
        units[uid] = _cg_unit(uid, title, lines[a + 2 : b])
    return units


def _loose(s: str) -> str:
    """A title for matching page headers ("customer-friendly" = "customer friendly")."""
    return re.sub(r"[^a-z]", "", s.lower())


def _cg_unit(uid: str, title: str, lines: list[str]) -> dict:
    u: dict = {
        "title": title,
        "outcome_list": [],
        "outcomes": [],
        "evidence_lead_in": [],
        "evidence_rows": [],
        "evidence_after_rows": [],
    }
    mode = "head"
    outcome: dict | None = None
    current: dict | None = None  # criterion being explained
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = _CG_UNIT.match(ln)
        if m and m.group(1) == uid:
            # a repeated page header: "Unit NNN <title>" or "Unit NNN" + title line
            rest = unbold(m.group(2)).strip()
            if not rest and i + 1 < len(lines) and _loose(lines[i + 1]) == _loose(title):
                i += 1
            i += 1
            continue
        m = _CG_OUTCOME.match(ln)
        if m and mode != "guide":
            number = int(m.group(1))
            ot = unbold(m.group(2)).strip()
            if not ot:
                i += 1
                ot = unbold(lines[i])
                if _loose(ot) == _loose(title):  # "Outcome 2", the page header's unit title, the outcome title
                    i += 1
                    ot = unbold(lines[i])
            outcome = {"number": number, "title": ot, "criteria": []}
            u["outcomes"].append(outcome)
            mode = "outcome"
            current = None
            i += 1
            continue
        if ln in ("Learning outcome", "Learning outcomes"):
            mode = "list"
        elif ln.startswith("The learner will") or ln.startswith("There are "):
            pass
        elif ln in ("Assessment Criteria", "Assessment criteria"):
            mode = "criteria"
        elif ln.startswith("The learner can"):
            mode = "criteria"
        elif ln.lower() == "criteria explained":
            mode = "explained"
        elif ln == "Evidence guide":
            mode = "guide"
        elif mode == "head" and "\t" in ln:
            key, value = ln.split("\t", 1)
            u.setdefault("head", {})[key.rstrip(":").strip()] = value.strip()
        elif mode == "list":
            m = _CG_ITEM.match(ln)
            if m:
                u["outcome_list"].append(unbold(m.group(2)))
        elif mode == "criteria":
            m = _CG_ITEM.match(ln)
            assert m and outcome is not None, (uid, ln)
            outcome["criteria"].append(
                {"ref": f"{outcome['number']}.{m.group(1)}", "text": unbold(m.group(2)), "explained": [], "bold": []}
            )
        elif mode == "explained":
            assert outcome is not None
            m = re.match(r"^For \*\*(\d+\.\d+)\*\*", ln)
            if m:
                current = next((c for c in outcome["criteria"] if c["ref"] == m.group(1)), None)
                assert current is not None, (uid, ln)
            assert current is not None, (uid, ln)
            current["explained"].append(unbold(ln))
            current["bold"].extend(bold_quantities(ln))
        elif mode == "guide":
            if ln.startswith("Outcome\t"):
                mode = "rows"
            else:
                u["evidence_lead_in"].append(ln)
        elif mode == "rows":
            if "\t" in ln:
                refs, cell = ln.split("\t", 1)
                paras = [p.strip() for p in re.split(r"</?p>", cell) if p.strip()]
                u["evidence_rows"].append({"refs": refs.strip(), "text": paras})
            else:
                # the last row's cell continued after a page break
                u["evidence_after_rows"].append(ln)
        i += 1
    return u


def cityandguilds_table(text: str) -> dict:
    table = {}
    for uid, u in cityandguilds(text).items():
        criteria = [c for o in u["outcomes"] for c in o["criteria"]]
        head = u.get("head", {})
        table[uid] = {
            "title": u["title"],
            "level": head.get("Level"),
            "credits": int(head["Credit value"]),
            "reference": head.get("NDAQ number"),
            "glh": int(head["GLH"]),
            "assessment": head.get("Assessment"),
            "owner": next((v for k, v in head.items() if k.startswith("Endorsement")), None),
            "aim": head.get("Aim"),
            "outcomes": len(u["outcomes"]),
            "outcome_titles": {str(o["number"]): o["title"] for o in u["outcomes"]},
            "outcome_list_titles": u["outcome_list"],
            "criteria": len(criteria),
            "criteria_text": {c["ref"]: c["text"] for c in criteria},
            "explained": {c["ref"]: c["explained"] for c in criteria if c["explained"]},
            "bold_quantities": {c["ref"]: c["bold"] for c in criteria if c["bold"]},
            "demands": sum(len(c["bold"]) for c in criteria),
            "evidence_lead_in": u["evidence_lead_in"],
            "evidence_rows": len(u["evidence_rows"]),
            "evidence_row_refs": [r["refs"] for r in u["evidence_rows"]],
            "evidence_row_text": [
                r["text"] + (u["evidence_after_rows"] if k == len(u["evidence_rows"]) - 1 else []) for k, r in enumerate(u["evidence_rows"])
            ],
        }
    return table


def cityandguilds_qualifications(text: str) -> dict:
    """The "Qualification at a glance" table: title, number, reference, GLH, TQT."""
    lines = text.splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("Title and level\t"))
    out = {}
    for ln in lines[k + 1 :]:
        cells = ln.split("\t")
        if len(cells) != 5:
            break
        title, number, reference, glh, tqt = cells
        out[number] = {"title": title, "reference": reference, "glh": int(glh), "tqt": int(tqt)}
    # "Structure": the rules of combination of each qualification
    start = next(i for i, ln in enumerate(lines) if ln == "Structure")
    number = None
    for ln in lines[start:]:
        plain = unbold(ln)
        m = re.match(r"^To achieve the .*\((4411-\d\d)\).* minimum of (\d+) credits", plain)
        if m:
            number = m.group(1)
            out[number].update(minimum=int(m.group(2)), mandatory=[], further=None)
            continue
        if number is None:
            continue
        if plain.startswith("City & Guilds unit number"):
            break
        m = re.match(r"^- A minimum of (\d+) credits must be from .* units (\d{3})-(\d{3})$", plain)
        if m:
            out[number]["at_least"] = {"credits": int(m.group(1)), "units": [m.group(2), m.group(3)]}
        m = re.match(r"^- (\d+) credits must be from the .* mandatory units? ([\d, ]+)$", plain)
        if m:
            out[number]["mandatory_credits"] = int(m.group(1))
            out[number]["mandatory"] = [x.strip() for x in m.group(2).split(",")]
        m = re.match(r"^- A further (\d+) credits( \(minimum\))?", plain)
        if m:
            out[number]["further"] = m.group(1) + (" (minimum)" if m.group(2) else "")
    return out


def cityandguilds_structure(text: str) -> dict:
    """The table of units in "Structure": number, reference, status, GLH, credits, exclusion."""
    out = {}
    for ln in text.splitlines():
        cells = ln.split("\t")
        if len(cells) == 7 and re.fullmatch(r"\d{3}", cells[0]):
            uid, title, reference, status, glh, credits, excluded = cells
            out[uid] = {
                "title": title,
                "reference": reference,
                "status": status,
                "glh": int(glh),
                "credits": int(credits),
                "excluded": excluded,
            }
    return out


# --------------------------------------------------------------------------
# CfA evidence requirements

_CFA_REQ = re.compile(r"^- (?:\*\*)?(\d+)(?:\*\*)?\.(?:\*\*)? (.*)$")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_CFA_ITEM = re.compile(r"^ *- ([a-zI]) ?\. (.*)$")


def _cfa_choose(text: str) -> int | None:
    """How many of the lettered items the requirement asks for: "three of these
    groups", "one or more of the following", "any or all of the following"."""
    t = text.lower()
    m = re.search(r"\b(one|two|three|four|five|six|seven|eight)( or more)? of (these|the following)", t)
    if m:
        return NUMBER_WORDS[m.group(1)]
    return 1 if "any or all of the following" in t else None


_CFA_DISTINCT = re.compile(
    r"\b(two|three|four|five|six) (?:different )?([a-z][a-z\- ]*?)"
    r"(?= such as|[.,:;)]| with | in | to | from | that | who |$)"
)


def _cfa_distinct(texts: list[str]) -> list[list]:
    """N distinct things: "two different communication media", "two changes"
    (not "two of these groups", a k-of-n range)."""
    out = []
    for t in texts:
        for m in _CFA_DISTINCT.finditer(t.lower()):
            if not m.group(2).startswith("of "):
                out.append([NUMBER_WORDS[m.group(1)], m.group(2)])
    return out


def cfa_slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


def cfa_table(text: str) -> dict:
    raw = [ln.rstrip() for ln in text.splitlines()]
    # the requirement sets start after the list of awarding organisations
    first = next(i for i, ln in enumerate(raw) if ln.startswith("Communication using customer service"))
    lines = [ln for ln in raw[first:] if ln.strip()]
    sets: list[dict] = []
    current_req: dict | None = None
    code: str | None = None
    for k, ln in enumerate(lines):
        nxt = lines[k + 1] if k + 1 < len(lines) else ""
        m = _CFA_ITEM.match(ln)
        if m and current_req is not None:
            letter = "l" if m.group(1) == "I" else m.group(1)  # OCR: "I." for "l."
            current_req["items"].append({"letter": letter, "text": m.group(2).strip()})
            continue
        if ln.startswith(" - ") and current_req is not None:
            # an indented item whose letter the OCR lost: the next letter
            items = current_req["items"]
            letter = chr(ord(items[-1]["letter"]) + 1) if items else "a"
            items.append({"letter": letter, "text": re.sub(r"^\. ", "", ln[3:].strip()), "lettered": False})
            continue
        if ln.startswith("- "):
            assert sets, ln
            m = _CFA_REQ.match(ln)
            reqs = sets[-1]["requirements"]
            im = _CFA_ITEM.match(nxt)
            if not m and current_req is not None and im and im.group(1) == "b" and not current_req["items"]:
                # OCR lost the letter of item a (the next line is item b)
                current_req["items"].append({"letter": "a", "text": ln[2:].strip()})
                continue
            if m:
                number, body = int(m.group(1)), m.group(2)
                numbered = True
            else:
                # OCR lost the number: the requirement's place gives it
                number, body = (reqs[-1]["number"] + 1 if reqs else 1), ln[2:]
                numbered = False
            current_req = {"number": number, "numbered": numbered, "text": body.strip(), "items": []}
            reqs.append(current_req)
            continue
        if re.fullmatch(r"Unit [A-Z]\S*", ln.strip()):
            code = ln.strip()[5:].translate(_SUBSCRIPTS)  # OCR: "B₁₀"
            continue
        if ln.startswith("There are no additional evidence requirements"):
            # an unnumbered closing paragraph: numbered by its place
            reqs = sets[-1]["requirements"]
            current_req = {"number": reqs[-1]["number"] + 1, "numbered": False, "text": ln.strip(), "items": []}
            reqs.append(current_req)
            continue
        nm = _CFA_REQ.match(nxt)
        after = lines[k + 2] if k + 2 < len(lines) else ""
        starts_set = (
            code is not None
            or (nm is not None and nm.group(1) == "1")
            or nxt.startswith("There are no")
            or (nxt.startswith("- ") and nm is None and not (_CFA_ITEM.match(after) and _CFA_ITEM.match(after).group(1) == "b"))
        )
        if current_req is not None and (ln.startswith(" ") or not starts_set):
            # a requirement (or its last item) continued on the next line
            target = current_req["items"][-1] if current_req["items"] else current_req
            target["text"] += " " + ln.strip()
            continue
        sets.append({"title": ln.strip(), "code": code, "requirements": []})
        code = None
        current_req = None
    table: dict = {}
    for s in sets:
        rid = cfa_slug(s["title"])
        while rid in table:
            rid = rid + "_2" if not re.search(r"_\d+$", rid) else re.sub(r"\d+$", lambda m: str(int(m.group()) + 1), rid)
        reqs = s["requirements"]
        table[rid] = {
            "title": s["title"],
            "code": s["code"],
            "requirements": len(reqs),
            "requirement_numbers": [r["number"] for r in reqs],
            "unnumbered": [k + 1 for k, r in enumerate(reqs) if not r["numbered"]],
            "requirements_text": [squash(unbold(r["text"])) for r in reqs],
            "choose": {str(k + 1): c for k, r in enumerate(reqs) if (c := _cfa_choose(r["text"])) is not None},
            "distinct": {
                str(k + 1): d for k, r in enumerate(reqs) if (d := _cfa_distinct([unbold(r["text"])] + [it["text"] for it in r["items"]]))
            },
            "different": {
                str(k + 1): names for k, r in enumerate(reqs) if (names := re.findall(r"\bdifferent (customers|occasions)\b", r["text"]))
            },
            "ranges": sum(1 for r in reqs if r["items"]),
            "range_items": sum(len(r["items"]) for r in reqs),
            "range_items_text": {
                str(k + 1): [f"{it['letter']} {squash(unbold(it['text']))}" for it in r["items"]] for k, r in enumerate(reqs) if r["items"]
            },
        }
    return table


# --------------------------------------------------------------------------
# NCFE 601/3972/9 specification

_NC_UNIT = re.compile(r"^ ?Unit (\d{2}) (.+?) \(([A-Z]/\d{3}/\d{4})\)( \(cont.d\))?$")
_NC_OUTCOME = re.compile(r"^(\d) ([A-Z].*)$")
_NC_CRIT = re.compile(r"^(?:[eo¢] )?(\d)\.?(\d{1,2}) (.+)$")
_NC_PAGE = re.compile(r"^(Version \d\.\d .*|NCFE Level 1 Certificate in Customer Service \(601/3972/9\) \d+)$")
_NC_GUIDANCE_ROW = re.compile(r"^(\d)\.?(\d) +(?=[A-Z])")
_NC_BULLET = re.compile(r"^[eo¢•] (?=\S)")
_NC_REF = re.compile(r"^(\d)\.?(\d{1,2})$")


def _noise(ln: str) -> bool:
    """OCR debris: a line without any word of three lower-case letters."""
    return not re.search(r"[a-z]{3}", ln)


def ncfe_table(text: str) -> dict:
    raw = text.splitlines()
    units: dict[str, dict] = {}
    uid = None
    mode = None
    outcome = None
    crit: dict | None = None
    guidance_refs: list[str] = []
    pending: int | None = None
    layout: str | None = None
    for ln in raw:
        s = ln.strip()
        if not s:
            continue
        m = _NC_UNIT.match(ln.rstrip())
        if m:
            uid = m.group(1)
            if uid not in units:
                units[uid] = {
                    "title": m.group(2),
                    "reference": m.group(3),
                    "outcomes": [],
                    "guidance_refs": [],
                    "guidance_text": [],
                    "summary": [],
                    "facts": {},
                }
                mode = "summary"  # the first time a unit is named: its summary
            else:
                mode = None if mode == "summary" else mode if mode == "guidance_text" else None
            crit = None
            continue
        if uid is None:
            continue
        u = units[uid]
        if mode == "summary":
            fm = re.match(r"^(Guided learning hours|Credit value|Level): (\d+)$", s)
            if fm:
                u["facts"][fm.group(1)] = int(fm.group(2))
            elif s.startswith("This unit is optional") or s.startswith("This unit is mandatory"):
                u["facts"]["status"] = s.split()[-1]
            elif not u["facts"] and not s.startswith("Unit summaries") and not _NC_PAGE.match(s):
                u["summary"].append(s)
            continue
        if s.startswith("The learner will"):
            mode = "outcome"
            continue
        if s.startswith("The learner can"):
            mode = "criteria"
            crit = None
            continue
        if s == "Assessment guidance":
            mode = "guidance_intro"
            continue
        if mode == "guidance_intro" and s == "Assessment criteria:":
            mode = "guidance"
            layout = None
            guidance_refs = u["guidance_refs"]
            continue
        if _NC_PAGE.match(s):
            continue  # page header or footer
        if s.startswith("There is no assessment guidance"):
            mode = None
            continue
        if s.startswith("Assessment guidance is provided below"):
            mode = "guidance_intro"
            continue
        if mode == "outcome" and re.fullmatch(r"\d", s):
            pending = int(s)  # the outcome number on a line of its own
            continue
        if mode == "outcome" and pending is not None:
            s = f"{pending} {s}"
            pending = None
        if mode == "outcome":
            m = _NC_OUTCOME.match(s)
            if m:
                outcome = {"number": int(m.group(1)), "title": m.group(2), "criteria": []}
                u["outcomes"].append(outcome)
                mode = "outcome_title"
            continue
        if mode == "outcome_title":
            if not s.startswith("The learner can"):
                outcome["title"] += " " + s
            continue
        if mode == "criteria":
            assert outcome is not None
            m = _NC_CRIT.match(s)
            if m and int(m.group(1)) == outcome["number"]:
                crit = {"ref": f"{m.group(1)}.{m.group(2)}", "text": m.group(3)}
                outcome["criteria"].append(crit)
                continue
            if _NC_REF.match(s) or _noise(s):
                continue  # a number in a column of its own, or debris
            # a bullet glyph, or a number that lost its decimal point and more
            s2 = re.sub(r"^(?:\S|\d+) (?=[A-Z])", "", s)
            if crit is not None and (s2[0].islower() or crit["text"].count("(") > crit["text"].count(")")):
                crit["text"] += " " + s2
                continue
            # a criterion whose number the OCR lost: its place gives it
            n = len(outcome["criteria"]) + 1
            crit = {"ref": f"{outcome['number']}.{n}", "text": s2}
            outcome["criteria"].append(crit)
            continue
        if mode == "guidance":
            # either a column of refs followed by a column of texts, or
            # rows "1.2 text" (a ref may have lost its decimal point: "14 ...")
            lone, row = _NC_REF.match(s), _NC_GUIDANCE_ROW.match(s)
            if lone or row:
                layout = layout or ("column" if lone else "rows")
                mm = lone or row
                guidance_refs.append(f"{mm.group(1)}.{mm.group(2)}")
                if row:
                    u["guidance_text"].append(s[row.end() :])
            elif layout == "column":
                mode = "guidance_text"  # the texts of the column of refs
                u["guidance_text"].append(s)
            elif not _noise(s):
                u["guidance_text"].append(_NC_BULLET.sub("", s))
            continue
        if mode == "guidance_text":
            if not _noise(s) and not _NC_REF.match(s):
                u["guidance_text"].append(_NC_BULLET.sub("", s))
            continue
    table = {}
    for uid, u in units.items():
        criteria = [c for o in u["outcomes"] for c in o["criteria"]]
        table[uid] = {
            "title": u["title"],
            "reference": u["reference"],
            "outcomes": len(u["outcomes"]),
            "outcome_titles": {str(o["number"]): o["title"] for o in u["outcomes"]},
            "criteria": len(criteria),
            "criteria_text": {c["ref"]: squash(c["text"]) for c in criteria},
            "guidance": len(u["guidance_refs"]),
            "guidance_refs": u["guidance_refs"],
            "guidance_text": squash(" ".join(u["guidance_text"])),
            "summary": squash(" ".join(u["summary"])),
            "glh": u["facts"].get("Guided learning hours"),
            "credits": u["facts"].get("Credit value"),
            "level": u["facts"].get("Level"),
            "status": u["facts"].get("status"),
        }
    return table


def ncfe_qualification(text: str) -> dict:
    """The facts under "Things you need to know", the rules of combination and the groups of units."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out: dict = {"groups": {}}
    facts = {
        "Qualification number (QN)": "number",
        "Aim reference": "aim_reference",
        "Total Qualification Time (TQT)": "tqt",
        "Guided learning hours (GLH)": "glh",
        "Credit value": "credits",
        "Level": "level",
        "Assessment requirements": "assessment",
    }
    start = lines.index("Things you need to know")
    for ln in lines[start : start + 12]:
        key, _, value = ln.partition(": ")
        if key in facts and value:
            name = facts[key]
            out[name] = int(value) if name in ("tqt", "glh", "credits", "level") else value
    group = None
    for k, ln in enumerate(lines):
        m = re.match(r"^To be awarded .* minimum of (\d+)$", ln)
        if m and lines[k + 1] == "credits:":
            out["minimum"] = int(m.group(1))
        m = re.match(r"^\S+ ?a ?total of (\d+) credits from Group ([A-C])$", ln)  # OCR "e atotal"
        if m:
            out["exactly"] = {"credits": int(m.group(1)), "group": m.group(2)}
        m = re.match(r"^\S+ a minimum of (\d+) credits from Group ([A-C])$", ln)
        if m:
            out["at_least"] = {"credits": int(m.group(1)), "group": m.group(2)}
        m = re.match(r"^\S+ and the remaining credits can come from Group ([A-C]) or Group ([A-C])$", ln)
        if m:
            out["remaining"] = [m.group(1), m.group(2)]
        m = re.match(r"^Group ([A-C]) (mandatory|optional) units$", ln)
        if m:
            group = m.group(1)
            out["groups"][group] = {"status": m.group(2), "units": {}}
            continue
        m = re.match(r"^Unit (\d\d) +.* \((\d+) credits?\)$", ln)
        if m and group is not None:
            out["groups"][group]["units"][m.group(1)] = int(m.group(2))
            continue
        if group is not None and out["groups"][group]["units"] and not ln.startswith("Unit"):
            if group == "C":
                break
    return out


# --------------------------------------------------------------------------

BODIES = {
    "cityandguilds": (CG_FILE, cityandguilds_table),
    "cityandguilds-qualifications": (CG_FILE, cityandguilds_qualifications),
    "cityandguilds-structure": (CG_FILE, cityandguilds_structure),
    "ncfe": (NCFE_FILE, ncfe_table),
    "ncfe-qualification": (NCFE_FILE, ncfe_qualification),
    "cfa": (CFA_FILE, cfa_table),
}


class SeedLayoutError(Exception):
    """A seed text not in the layout the parsers read."""


def tables(seeds: Path) -> dict[str, str]:
    """file name -> JSON text, for every table."""
    out = {}
    for table, (name, fn) in BODIES.items():
        text = (seeds / name).read_text(encoding="utf-8")
        try:
            data = fn(text)
        except (AssertionError, StopIteration, ValueError, KeyError, IndexError, AttributeError) as e:
            raise SeedLayoutError(f"{seeds / name}: layout not understood ({table}): {e!r}") from e
        out[f"{table}.json"] = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=None, help="default: ../shared/seeds")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="compare, write nothing; exit 1 if stale")
    args = ap.parse_args(argv)
    seeds = args.seeds or find_seeds()
    if seeds is None:
        print("no seeds: ../shared/seeds not found (use --seeds DIR)", file=sys.stderr)
        return 2
    stale = []
    try:
        fresh = tables(seeds)
    except (OSError, SeedLayoutError) as e:
        print(f"seed_tables: {e}", file=sys.stderr)
        return 2
    for name, text in fresh.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    if stale:
        print("stale seed tables: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
