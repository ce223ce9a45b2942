"""Filled forms read back: the values of a filled PDF (pikepdf) or DOCX
(python-docx content controls) by full field name, and a portfolio (the
export plugin's format, which ``specc validate`` checks) built from the
filled forms of one candidate.

The field names are the map (README, "Field names"): ``candidate.*`` and
``centre.*`` give the learner and registration; ``u<unit>.c<crit>.els.*``
an evidence item per evidence reference of a criterion (several may be
listed, "E1, E2"; its method, location, date, assessor); ``u<unit>.c<crit>.<slot>.*`` the slots an item
covers (``covers``), with its date, customer and method; ``u<unit>.source.*``
the environment of the unit's evidence; ``rs.<set>.<slot>.*`` the range items
and distinct slots an item meets; ``u<unit>.<obs|wt|cs|lr|pd|qr>.*`` the
evidence records, an item per ticked criterion with the record's method,
date and reference (merged with the location sheet's item of the same
reference; a disagreement is a warning).  An evidence reference written
under a second criterion that no record ticks is that item reused
(``reused_from``).
"""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

from attrs import frozen

from specc import ir, slots

from .common import ENV_LABELS, RECORD_KINDS, crit_key, record_criteria, record_methods, record_title, set_key, unit_key
from .model import name_part

OFF = ("", "Off", "/Off", "No", "/No")


# ------------------------------------------------------------------ reading


def read_pdf(data: bytes) -> dict[str, str | bool]:
    """Full field name -> value (text, choice value, or True/False for a
    check box) of every terminal field of a filled PDF form."""
    import pikepdf

    out: dict[str, str | bool] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        acro = pdf.Root.get("/AcroForm")
        if acro is None:
            return out

        def walk(node, prefix: str, ft, value):
            t = str(node.get("/T", ""))
            name = f"{prefix}.{t}" if prefix and t else (t or prefix)
            ft = node.get("/FT", ft)
            value = node.get("/V", value)
            kids = [k for k in node.get("/Kids", []) if "/T" in k]
            if kids:
                for k in kids:
                    walk(k, name, ft, value)
                return
            if ft == "/Btn":
                out[name] = value is not None and str(value) not in OFF
            elif ft in ("/Tx", "/Ch"):
                out[name] = "" if value is None else str(value)

        for top in acro.get("/Fields", []):
            walk(top, "", None, None)
    return out


def read_docx(data: bytes) -> dict[str, str | bool]:
    """Field name -> value of every content control of a filled DOCX form."""
    import docx
    from docx.oxml.ns import qn

    w14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
    out: dict[str, str | bool] = {}
    doc = docx.Document(io.BytesIO(data))
    for sdt in doc.element.body.iter(qn("w:sdt")):
        pr = sdt.find(qn("w:sdtPr"))
        tag = pr.find(qn("w:tag")) if pr is not None else None
        if tag is None:
            continue
        name = tag.get(qn("w:val"))
        box = pr.find(f"{w14}checkbox")
        if box is not None:
            checked = box.find(f"{w14}checked")
            out[name] = checked is not None and checked.get(f"{w14}val") in ("1", "true")
            continue
        text = "".join(t.text or "" for t in sdt.iter(qn("w:t"))).strip()
        dd = pr.find(qn("w:dropDownList"))
        if dd is not None:  # the value of the item whose text is shown
            text = next((i.get(qn("w:value")) for i in dd.findall(qn("w:listItem")) if i.get(qn("w:displayText")) == text), text)
        out[name] = text
    return out


def read(path: Path) -> dict[str, str | bool]:
    data = path.read_bytes()
    if data[:5] == b"%PDF-":
        return read_pdf(data)
    if data[:2] == b"PK":
        return read_docx(data)
    raise ValueError(f"{path}: not a PDF or DOCX form")


# ------------------------------------------------------------------ portfolio


_DMY = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")


def iso_date(text: str) -> str:
    """``31/01/2025`` (as a centre writes it) or ``2025-01-31`` -> ISO; any
    other text is kept as typed (the validator reports it)."""
    m = _DMY.fullmatch(text)
    if m:
        try:
            return datetime.date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        except ValueError:
            return text.strip()
    return text.strip()


def _text(values: dict, name: str) -> str:
    v = values.get(name)
    return v.strip() if isinstance(v, str) else ""


def portfolio(spec: ir.Spec, values: dict[str, str | bool], qualification: str | None = None, as_of: str | None = None) -> tuple[dict, list[str]]:
    """The portfolio the filled fields describe, and notes on what could not
    be placed.  ``values``: full field name -> value, all forms merged."""
    notes: list[str] = []
    q = _qualification(spec, values, qualification, notes)
    learner = {"name": _text(values, "candidate.name")}
    if _text(values, "candidate.dob"):
        learner["date_of_birth"] = iso_date(_text(values, "candidate.dob"))
    registration: dict = {}
    if _text(values, "candidate.registration_date"):
        registration["start"] = iso_date(_text(values, "candidate.registration_date"))
    if _text(values, "candidate.registration"):
        registration["number"] = _text(values, "candidate.registration")
    centre = " ".join(x for x in (_text(values, "centre.number"), _text(values, "centre.name")) if x)
    if centre:
        registration["centre"] = centre
    units: dict = {}
    records: dict[tuple[str, str], dict] = {}  # (unit id, ref) -> the item that records it
    wanted = set(q.units) if q else {u.id for u in spec.units}
    gathered: list[tuple[ir.Unit, ir.Criterion, dict[str, dict]]] = []
    for u in spec.units:
        if u.id not in wanted:
            continue
        uk = unit_key(u)
        env = next((s for s in ENV_LABELS if values.get(f"{uk}.source.{s}") is True), None)
        if env is None:
            env = next((s for rid in u.assessed_under if (rs := spec.requirement_set(rid)) for s in ENV_LABELS if values.get(f"{set_key(rs)}.source.{s}") is True), None)
        ticks = record_ticks(spec, u, values, notes)
        for c in u.criteria:
            ck = f"{uk}.{crit_key(c)}"
            items: dict[str, dict] = {}

            # the location sheet's reference column may list several: "E1, E2"
            for els in (r for r in re.split(r"[,;\s]+", _text(values, f"{ck}.els.evidence_ref")) if r):
                it = items.setdefault(els, {"id": els})
                _fill(it, values, f"{ck}.els", env)
            for s in slots.criterion_slots(c):
                base = f"{ck}.{s.id}"
                ref = _text(values, f"{base}.evidence_ref")
                if not ref and not any(_text(values, f"{base}.{k}") for k in ("date", "assessor", "customer", "method")):
                    continue
                if not ref:
                    ref = f"{u.label}/{c.ref}/{s.id}"
                    notes.append(f"unit {u.label} criterion {c.ref} {s.label}: no evidence reference; recorded as {ref}")
                it = items.setdefault(ref, {"id": ref})
                it.setdefault("covers", []).append(s.id)
                _fill(it, values, base, env)
            for rec in ticks.get(c.ref, ()):
                _merge_record(items, rec, env, _text(values, "assessor.name"), f"unit {u.label} criterion {c.ref}", notes)
            gathered.append((u, c, items))
    # a reference a record ticks for several criteria is direct evidence of
    # each (an item per criterion, ids told apart by the criterion); any
    # other reference written under a second criterion is that item reused
    direct: dict[str, list[tuple[str, str]]] = {}
    said: dict[str, dict[tuple, str]] = {}  # ref -> (method, date) -> where first said
    for u, c, items in gathered:
        for ref, it in items.items():
            if it.get("_record"):
                direct.setdefault(ref, []).append((u.id, c.ref))
                said.setdefault(ref, {}).setdefault((it.get("method"), it.get("date")), f"the unit {u.label} {it['_record'].lower()}")
    for ref, versions in said.items():
        if len(versions) > 1:
            told = "; ".join(f"{m or 'no method'}, {d or 'no date'} on {where}" for (m, d), where in versions.items())
            notes.append(f"evidence {ref} is recorded differently: {told}; one reference should name one piece of evidence (each record's own is kept)")

    def direct_id(ref: str, uid: str, cref: str) -> str:
        where = direct[ref]
        if len(where) == 1:
            return ref
        return f"{ref}/{cref}" if len({w[0] for w in where}) == 1 else f"{ref}/{spec.unit(uid).label}/{cref}"

    first_seen: dict[str, tuple[str, str, str]] = {ref: (w[0][0], w[0][1], direct_id(ref, *w[0])) for ref, w in direct.items()}
    for u, c, items in gathered:
        out = []
        for ref, it in items.items():
            record = it.pop("_record", None)
            if record is None and ref in first_seen:
                uid, cref, iid = first_seen[ref]
                if ref in direct:
                    notes.append(f"unit {u.label} criterion {c.ref}: evidence {ref} is listed here, but no evidence record ticks this criterion for it; recorded as reused from criterion {cref}")
                reuse = {"id": iid, "reused_from": {"criterion": cref} | ({"unit": uid} if uid != u.id else {})}
                if it.get("covers"):
                    reuse["covers"] = it["covers"]
                out.append(reuse)
                continue
            if record is not None:
                it["id"] = direct_id(ref, u.id, c.ref)
            first_seen.setdefault(ref, (u.id, c.ref, it["id"]))
            if "location" not in it or it["id"] != ref:
                it["reference"] = ref  # the record's own reference
            it.setdefault("covers", [])
            records.setdefault((u.id, ref), it)
            out.append(it)
        if out:
            units.setdefault(u.id, {"criteria": {}})["criteria"][c.ref] = {"evidence": out}
    for rs in spec.requirement_sets:
        holders = [u for u in spec.units if rs.id in u.assessed_under and u.id in units]
        for sl in slots.requirement_set_slots(rs):
            base = f"{set_key(rs)}.{sl.id}"
            ref = _text(values, f"{base}.evidence_ref")
            if not ref:
                continue
            it = next((records[(u.id, ref)] for u in holders if (u.id, ref) in records), None)
            if it is None:
                notes.append(f"{rs.title} {sl.id}: evidence {ref} is not recorded against any criterion of a unit assessed under it")
                continue
            if isinstance(sl, slots.RangeSlot):
                it.setdefault("ranges", {}).setdefault(rs.id, []).append(sl.id)
            else:
                it.setdefault("distinct", {}).setdefault(rs.id, {})[sl.id] = _text(values, f"{base}.what") or sl.label
    dates = sorted(v for it in records.values() if (v := it.get("date")) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v))
    out = {"portfolio_format": 1, "qualification": q.id if q else (qualification or ""), "learner": learner, "registration": registration}
    if as_of or dates:
        out["as_of"] = as_of or dates[-1]
    out["units"] = units
    return out, notes



# ------------------------------------------------------------------ evidence records


@frozen
class RecordTick:
    """A criterion ticked on an evidence record: the record's reference,
    date, and the method it evidences the criterion by."""

    ref: str
    method: str
    date: str
    title: str  # "Observation record", "Assessor observation"


def record_ticks(spec: ir.Spec, u: ir.Unit, values: dict, notes: list[str]) -> dict[str, list[RecordTick]]:
    """Criterion ref -> the ticks of the unit's filled evidence records
    (``u<unit>.<obs|wt|cs|lr|pd|qr>.*``), in :data:`RECORD_KINDS` order."""
    uk = unit_key(u)
    out: dict[str, list[RecordTick]] = {}
    for kind in RECORD_KINDS:
        crits = record_criteria(spec, u, kind)
        if not crits:
            continue
        base = f"{uk}.{kind.key}"
        title = record_title(spec, u, kind)
        met = ".met" if kind.key == "qr" else ""  # questioning ticks Met per criterion row
        ticked = [c for c in crits if values.get(f"{base}.{crit_key(c)}{met}") is True]
        ref, date = _text(values, f"{base}.evidence_ref"), _text(values, f"{base}.date")
        if not ticked:
            if ref or date:
                notes.append(f"unit {u.label} {title.lower()} {ref or date}: no criterion is ticked; it evidences nothing")
            continue
        if not ref:
            ref = f"{u.label}/{kind.id}"
            notes.append(f"unit {u.label} {title.lower()}: no evidence reference; recorded as {ref}")
        mode = _text(values, f"{base}.mode")
        for c in ticked:
            methods = record_methods(spec, u, kind, c) or kind.methods[:1]
            method = "written_questioning" if mode == "written" and "written_questioning" in methods else methods[0]
            out.setdefault(c.ref, []).append(RecordTick(ref, method, iso_date(date) if date else "", title))
    return out


def _merge_record(items: dict[str, dict], rec: RecordTick, env: str | None, assessor: str, where: str, notes: list[str]) -> None:
    """Add a record's tick to a criterion's items: the item with the
    record's reference (from the location sheet, a slot or another record)
    takes the record's method and date; where those differ, the record's
    are kept and the conflict is reported."""
    it = items.get(rec.ref)
    if it is None:
        it = items[rec.ref] = {"id": rec.ref}
    else:
        said = it.get("_record") or "unit's form"
        for key, value in (("method", rec.method), ("date", rec.date)):
            old = it.get(key)
            if value and old and old != value:
                if it.get("_record"):
                    notes.append(f"{where}: evidence {rec.ref} has {key} {old} on the {said.lower()} and {value} on the {rec.title.lower()}; keeping {old} (one reference, one piece of evidence)")
                    return
                notes.append(f"{where}: evidence {rec.ref} has {key} {old} on the {said} and {value} on the {rec.title.lower()}; keeping the record's {value}")
    if not it.get("_record"):
        it["method"] = rec.method
        if rec.date:
            it["date"] = rec.date
        it["_record"] = rec.title
    if assessor and "assessor" not in it:
        it["assessor"] = assessor
    if env and "environment" not in it:
        it["environment"] = env


def _fill(it: dict, values: dict, base: str, env: str | None) -> None:
    for key, field_name in (("method", "method"), ("date", "date"), ("assessor", "assessor"), ("customer", "customer"), ("location", "location"), ("location", "page")):
        v = _text(values, f"{base}.{field_name}")
        if v:
            it[key] = iso_date(v) if key == "date" else v
    if env and "environment" not in it:
        it["environment"] = env


def _qualification(spec: ir.Spec, values: dict, wanted: str | None, notes: list[str]) -> ir.Qualification | None:
    if wanted:
        return spec.qualification(wanted)
    chosen = _text(values, "qualification")
    if chosen and spec.qualification(chosen):
        return spec.qualification(chosen)
    keys = {name.split(".")[1] for name, v in values.items() if name.startswith("q.") and v not in ("", False)}
    found = [q for q in spec.qualifications if name_part(q.id) in keys]
    if len(found) == 1:
        return found[0]
    if len(spec.qualifications) == 1:
        return spec.qualifications[0]
    notes.append("the forms do not say which qualification (choose it in the Qualification field or pass --qualification)")
    return None
