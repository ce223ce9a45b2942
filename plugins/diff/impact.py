"""Impact of a revision on learners: each portfolio is checked against both
versions with the export plugin's validator, its unit and criterion keys (and
range slots) carried through the diff's map of moves first, so that a
renumbering alone changes no verdict.  Those whose verdict changes are
reported with what each now needs: the findings of the new version that the
old one did not have (slots no longer evidenced, a unit no longer on a valid
route, ...)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from attrs import define, field

from specc import ir
from specc.diff import Moves


def check(spec: ir.Spec, qid: str, portfolios: list[dict], as_of: str | None) -> list[dict]:
    """The reports of ``portfolios`` against qualification ``qid`` of
    ``spec``, by the generated validator.  The one adapter to the export
    plugin: it builds the validator module in memory each time it is called."""
    from specc_plugins.export.validator import module_for

    mod = module_for(spec, spec.qualification(qid))
    return [mod.validate(p, as_of) if as_of else mod.validate(p) for p in portfolios]


# --------------------------------------------------------------------------- reading


class PortfolioError(Exception):
    pass


def read(paths: list[str]) -> tuple[list[tuple[str, dict]], list[str]]:
    """(label, portfolio) of every portfolio in the files (a JSON object or
    array of them; JSON Lines for .jsonl/.ndjson), and a note for each one
    that is not a JSON object (skipped)."""
    out, skipped = [], []
    for p in paths:
        try:
            data = Path(p).read_bytes()
        except OSError as e:
            raise PortfolioError(f"cannot read {p}: {e.strerror or e}") from None
        if p.endswith((".jsonl", ".ndjson")):
            items = [(f"{p}:{n}", line) for n, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
        else:
            items = [(p, data)]
        for label, raw in items:
            try:
                value = json.loads(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                skipped.append(f"{label}: not UTF-8 text")
                continue
            except json.JSONDecodeError as e:
                skipped.append(f"{label}: not JSON (line {e.lineno}, column {e.colno}: {e.msg})")
                continue
            except RecursionError:
                skipped.append(f"{label}: nested too deeply to read")
                continue
            if isinstance(value, list):
                values = [(f"{label}[{i}]", v) for i, v in enumerate(value)]
            else:
                values = [(label, value)]
            for lab, v in values:
                if isinstance(v, dict):
                    out.append((lab, v))
                else:
                    skipped.append(f"{lab}: not a JSON object")
    return out, skipped


# --------------------------------------------------------------------------- carrying keys through moves


def carry(portfolio: dict, moves: Moves) -> dict:
    """A copy of ``portfolio`` with its units, criteria, reuse links and range
    slots renamed as the diff moved them (criteria and range items the new
    version removed are dropped).  Only the levels it renames are copied; the
    portfolio itself is not changed."""
    p = dict(portfolio)
    units = p.get("units")
    if not isinstance(units, dict):
        return p
    gone_criteria = set(moves.removed_criteria)
    gone_slots = set(moves.removed_range_items)
    new_units = {}
    for uid, u in units.items():
        nuid = moves.unit(uid)
        if isinstance(u, dict) and isinstance(u.get("criteria"), dict):
            new_crits = {}
            for ref, c in u["criteria"].items():
                if (uid, ref) in gone_criteria:
                    continue  # a criterion the new version does not have: nothing to evidence
                if isinstance(c, dict) and isinstance(c.get("evidence"), list):
                    c = {**c, "evidence": [_carry_item(ev, uid, nuid, moves, gone_slots) for ev in c["evidence"]]}
                new_crits[moves.criterion(uid, ref)[1]] = c
            u = {**u, "criteria": new_crits}
        new_units[nuid] = u
    p["units"] = new_units
    return p


def _carry_item(ev, uid: str, nuid: str, moves: Moves, gone_slots: set):
    if not isinstance(ev, dict):
        return ev
    ev = dict(ev)
    src = ev.get("reused_from")
    if isinstance(src, dict) and isinstance(src.get("criterion"), str) and isinstance(src.get("unit", uid), str):
        tu, tref = moves.criterion(src.get("unit", uid), src["criterion"])
        src = {**src, "criterion": tref}
        if "unit" in src or tu != nuid:
            src["unit"] = tu
        ev["reused_from"] = src
    ranges = ev.get("ranges")
    if isinstance(ranges, dict):
        ev["ranges"] = {
            sid: [moves.range_item(sid, s)[1] if isinstance(s, str) else s for s in slots if not isinstance(s, str) or (sid, s) not in gone_slots]
            if isinstance(slots, list) else slots
            for sid, slots in ranges.items()
        }
    return ev


_PATH = re.compile(r"^\$\['units'\]\['([^'\\]*)'\](?:\['criteria'\]\['([^'\\]*)'\])?")


def carry_path(path: str, moves: Moves) -> str:
    """A finding's JSONPath with the old unit and criterion keys carried through the moves."""
    m = _PATH.match(path)
    if not m:
        return path
    uid, ref = m.group(1), m.group(2)
    if ref is None:
        return f"$['units']['{moves.unit(uid)}']" + path[m.end():]
    nu, nref = moves.criterion(uid, ref)
    return f"$['units']['{nu}']['criteria']['{nref}']" + path[m.end():]


# --------------------------------------------------------------------------- comparing


@define
class Impact:
    source: str
    learner: dict
    qualification: str | None
    old: dict | None  # the old report (None: the qualification is not in the old version)
    new: dict | None
    needs: list[dict] = field(factory=list)  # findings of the new version the old one did not have
    resolved: list[dict] = field(factory=list)  # findings of the old version gone in the new one

    @property
    def old_verdict(self) -> str:
        return self.old["verdict"] if self.old else "no_qualification"

    @property
    def new_verdict(self) -> str:
        return self.new["verdict"] if self.new else "no_qualification"

    @property
    def changed(self) -> bool:
        return self.old_verdict != self.new_verdict


def impacts(old: ir.Spec, new: ir.Spec, moves: Moves, portfolios: list[tuple[str, dict]], as_of: str | None) -> list[Impact]:
    """Each portfolio checked against both versions (by the qualification it names)."""
    by_q: dict[str | None, list[int]] = {}
    for i, (_label, p) in enumerate(portfolios):
        q = p.get("qualification")
        by_q.setdefault(q if isinstance(q, str) else None, []).append(i)
    olds: dict[int, dict | None] = {}
    news: dict[int, dict | None] = {}
    for qid, idx in by_q.items():
        for spec, out, carried in ((old, olds, False), (new, news, True)):
            q = qid if qid is not None and spec.qualification(qid) is not None else None
            if q is None and qid is None and spec.qualifications:
                q = spec.qualifications[0].id  # no qualification named: the validator reports it against the first
            if q is None:
                for i in idx:
                    out[i] = None
                continue
            ps = [carry(portfolios[i][1], moves) if carried else portfolios[i][1] for i in idx]
            for i, rep in zip(idx, check(spec, q, ps, as_of), strict=True):
                out[i] = rep
    result = []
    for i, (label, p) in enumerate(portfolios):
        o, n = olds[i], news[i]
        before = {(f["code"], carry_path(f["path"], moves)) for f in (o or {}).get("findings", [])}
        after = {(f["code"], f["path"]) for f in (n or {}).get("findings", [])}
        needs = [f for f in (n or {}).get("findings", []) if (f["code"], f["path"]) not in before]
        resolved = [f for f in (o or {}).get("findings", []) if (f["code"], carry_path(f["path"], moves)) not in after]
        learner = p.get("learner") if isinstance(p.get("learner"), dict) else {}
        q = p.get("qualification") if isinstance(p.get("qualification"), str) else None
        result.append(Impact(label, learner, q, o, n, needs, resolved))
    return result


def impact_data(imp: Impact) -> dict:
    def side(rep):
        if rep is None:
            return None
        return {"verdict": rep["verdict"], "credits": rep.get("credits"), "achieved_units": rep.get("achieved_units", []),
                "errors": rep.get("errors")}

    return {
        "source": imp.source,
        "learner": imp.learner,
        "qualification": imp.qualification,
        "old": side(imp.old),
        "new": side(imp.new),
        "verdict_changed": imp.changed,
        "now_needs": imp.needs,
        "no_longer_needed": imp.resolved,
    }


_VERDICT = {"achieved": "ACHIEVED", "not_achieved": "NOT ACHIEVED", "no_qualification": "NOT IN THIS VERSION"}


def render_impact(imp: Impact) -> str:
    who = str(imp.learner.get("name", "")) if imp.learner else ""
    if imp.learner and imp.learner.get("uln"):
        who += f" ({imp.learner['uln']})"
    head = f"{imp.source}: {who + ' - ' if who else ''}{imp.qualification or '?'} {_VERDICT[imp.old_verdict]} -> {_VERDICT[imp.new_verdict]}"
    lines = [head]
    if imp.new is None:
        lines.append(f"  qualification {imp.qualification} is not in the new version")
    if imp.needs:
        lines.append("  now needs:")
        lines += [f"    {f['severity']} {f['code']} {f['path']}: {f['message']}" for f in imp.needs]
    if imp.resolved and imp.new_verdict == "achieved":
        lines.append("  no longer needed:")
        lines += [f"    {f['code']} {f['path']}: {f['message']}" for f in imp.resolved]
    return "\n".join(lines) + "\n"


def summary_line(imps: list[Impact]) -> str:
    changed = [i for i in imps if i.changed]
    lost = sum(1 for i in changed if i.old_verdict == "achieved")
    won = sum(1 for i in changed if i.new_verdict == "achieved")
    n = len(imps)
    s = f"{n} portfolio{'s' if n != 1 else ''} checked against both versions: "
    if not changed:
        return s + "no verdict changes"
    return s + f"{len(changed)} verdict{'s' if len(changed) != 1 else ''} change ({lost} no longer achieve, {won} now achieve)"
