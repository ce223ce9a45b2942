"""A compiled spec as a 1EdTech CASE CFPackage (a plain JSON-ready dict).

One package per document: the CFDocument, a CFItem per qualification, group,
unit, learning outcome, assessment criterion, set of evidence requirements,
requirement and range item, the CFItemTypes they use (CFDefinitions), and the
CFAssociations between them.  See the README's CASE section for the mapping.

* Identifiers are UUIDv5: the document's from :data:`NAMESPACE` and its id,
  every other object's from the document's identifier and the object's *key*,
  built from published references (``unit:001/criterion:1.1``), never from
  text, so an item keeps its identifier when only its wording changes.
* URIs are ``BASE + identifier`` (``--option case.base_uri=...``; default
  ``urn:uuid:``, which needs no server).
* ``lastChangeDateTime`` is the document's ``published`` date, so the same
  spec always gives the same bytes.
* What CASE has no field for (rules of combination, credits, demands, reuse
  notes, requirement kinds, ranges) is in CFItem ``notes`` as prose, for
  people, and in ``extensions.specc`` objects (CASE 1.1), for ``specc import
  case``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import attrs

from specc import export, ir, prose
from specc.vocab import EVIDENCE_METHODS

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://specc.invalid/case")
"""The UUIDv5 namespace of specc document identifiers (fixed forever)."""

DEFAULT_BASE_URI = "urn:uuid:"
EXT = "specc"  # the key of specc's object inside every ``extensions``
FORMAT = 1  # extensions.specc.format of the package

# construct -> (CFItemType title, hierarchyCode, description)
ITEM_TYPES: dict[str, tuple[str, str, str]] = {
    "qualification": ("Qualification", "1", "A regulated qualification and its rules of combination"),
    "group": ("Unit Group", "2", "A group of units named by rules of combination"),
    "unit": ("Unit", "3", "A unit of assessment"),
    "outcome": ("Learning Outcome", "4", "A learning outcome of a unit"),
    "criterion": ("Assessment Criterion", "5", "An assessment criterion of a learning outcome"),
    "requirements": ("Evidence Requirements", "3", "A set of evidence requirements (assessment strategy)"),
    "requirement": ("Evidence Requirement", "4", "A numbered evidence requirement"),
    "range_item": ("Range Item", "5", "A lettered item of a requirement's range"),
}
TYPE_OF_TITLE = {v[0].lower(): k for k, v in ITEM_TYPES.items()}

PART_OF = "isPartOf"
CHILD_OF = "isChildOf"
RELATED_TO = "isRelatedTo"


def timestamp(doc: ir.Document) -> str:
    """The spec's published date as a CASE date-time (the latest history
    date when it has none; the Unix epoch when it has neither)."""
    d = doc.published
    if d is None and doc.history:
        d = max((c.date for c in doc.history), key=lambda x: x.key)
    if d is None:
        return "1970-01-01T00:00:00+00:00"
    return f"{d.year:04d}-{d.month or 1:02d}-{d.day or 1:02d}T00:00:00+00:00"


def full_date(d: ir.PartialDate) -> str:
    return f"{d.year:04d}-{d.month or 1:02d}-{d.day or 1:02d}"


def local_id(rid: str) -> str:
    """``cfa.deal_with_...`` -> ``deal_with_...`` (an imported declaration's
    id in its own document)."""
    return rid.rsplit(".", 1)[-1]


def uri_for(base: str, identifier: str) -> str:
    if base.endswith((":", "/", "#")):
        return base + identifier
    return base + "/" + identifier


def document_identifier(doc_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, doc_id))


def _clean(d: dict) -> dict:
    """Drop None values and empty lists (CASE has no nulls for absent data)."""
    return {k: v for k, v in d.items() if v is not None and v != [] and v != ""}


class _Builder:
    def __init__(self, spec: ir.Spec, base_uri: str, language: str):
        self.spec = spec
        self.base = base_uri
        self.language = language
        self.doc = spec.document
        self.doc_uuid = uuid.UUID(document_identifier(self.doc.id))
        self.when = timestamp(self.doc)
        self.items: list[dict] = []
        self.assocs: list[dict] = []
        self.keys: dict[str, dict] = {}  # key -> item
        self.used_types: set[str] = set()
        self.labels = {m.id: m.label for m in spec.methods}
        self._doc_link = self.link(self.doc.title, str(self.doc_uuid))

    # ------------------------------------------------------------- identity
    def ident(self, key: str) -> str:
        return str(uuid.uuid5(self.doc_uuid, key))

    def unique(self, key: str) -> str:
        """``key``, or ``key#2``, ``key#3``... when the spec repeats a
        reference (a duplicate requirement number is kept as published)."""
        if key not in self.keys:
            return key
        n = 2
        while f"{key}#{n}" in self.keys:
            n += 1
        return f"{key}#{n}"

    def link(self, title: str, identifier: str) -> dict:
        return {"title": title, "identifier": identifier, "uri": uri_for(self.base, identifier)}

    def type_link(self, kind: str) -> dict:
        title = ITEM_TYPES[kind][0]
        return self.link(title, str(uuid.uuid5(NAMESPACE, "itemtype:" + kind)))

    # ------------------------------------------------------------- objects
    def item(self, key: str, kind: str, statement: str, code: str | None, notes: str | None, ext: dict, seq: int | None) -> str:
        key = self.unique(key)
        identifier = self.ident(key)
        self.used_types.add(kind)
        it = {
            "identifier": identifier,
            "uri": uri_for(self.base, identifier),
            "CFDocumentURI": self._doc_link,
            "fullStatement": statement,
            "humanCodingScheme": code,
            "listEnumeration": None if seq is None else str(seq),
            "CFItemType": ITEM_TYPES[kind][0],
            "CFItemTypeURI": self.type_link(kind),
            "notes": notes,
            "language": self.language,
            "lastChangeDateTime": self.when,
        }
        it = _clean(it)
        ext = _clean(ext)
        if ext:
            it["extensions"] = {EXT: ext}
        self.items.append(it)
        self.keys[key] = it
        return key

    def node(self, key: str) -> dict:
        it = self.keys[key]
        return {"title": it["fullStatement"][:200], "identifier": it["identifier"], "uri": it["uri"]}

    def doc_node(self) -> dict:
        return dict(self._doc_link)

    def assoc(self, kind: str, origin_key: str, dest: dict, dest_key: str, seq: int | None = None, ext: dict | None = None) -> None:
        identifier = self.ident(f"association:{kind}:{origin_key}>{dest_key}")
        a = {
            "identifier": identifier,
            "uri": uri_for(self.base, identifier),
            "CFDocumentURI": self._doc_link,
            "associationType": kind,
            "sequenceNumber": seq,
            "originNodeURI": self.node(origin_key),
            "destinationNodeURI": dest,
            "lastChangeDateTime": self.when,
        }
        a = _clean(a)
        if ext:
            a["extensions"] = {EXT: ext}
        self.assocs.append(a)

    def child(self, key: str, parent_key: str | None, seq: int) -> None:
        if parent_key is None:
            self.assoc(CHILD_OF, key, self.doc_node(), "document", seq)
        else:
            self.assoc(CHILD_OF, key, self.node(parent_key), parent_key, seq)

    # ------------------------------------------------------------- the spec
    def build(self) -> dict:
        spec = self.spec
        top = 0

        def next_top() -> int:
            nonlocal top
            top += 1
            return top

        qual_keys = {}
        for q in spec.qualifications:
            s = next_top()
            k = self.item(f"qualification:{q.id}", "qualification", q.title, q.number or q.id, self.qualification_notes(q), self.qualification_ext(q), s)
            self.child(k, None, s)
            qual_keys[q.id] = k
        group_keys = {}
        for g in spec.groups:
            s = next_top()
            k = self.item(f"group:{g.id}", "group", g.title, None, None, {"id": g.id}, s)
            self.child(k, None, s)
            group_keys[g.id] = k
        unit_keys: dict[str, str] = {}
        crit_keys: dict[tuple[str, str], str] = {}
        for u in spec.units:
            s = next_top()
            uk = self.item(f"unit:{u.id}", "unit", u.title, u.label, self.unit_notes(u), self.unit_ext(u), s)
            self.child(uk, None, s)
            unit_keys[u.id] = uk
            for oi, o in enumerate(u.outcomes, 1):
                ok = self.item(f"{uk}/outcome:{o.number}", "outcome", o.statement, str(o.number), None, {"outcome_kind": o.kind}, oi)
                self.child(ok, uk, oi)
                for ci, c in enumerate(o.criteria, 1):
                    reuse = self.reuse_links(u, c)
                    ck = self.item(
                        f"{uk}/criterion:{c.ref}",
                        "criterion",
                        c.statement,
                        c.ref,
                        self.criterion_notes(u, c, reuse),
                        {
                            "guidance": [g.text.value for g in c.guidance],
                            "demands": [export.to_data(d) for d in c.demands],
                            "reuse": [export.to_data(r) for r in reuse],
                        },
                        ci,
                    )
                    self.child(ck, ok, ci)
                    crit_keys.setdefault((u.id, c.ref), ck)
        req_keys: dict[str, str] = {}
        for rs in spec.requirement_sets:
            if rs.origin not in (None, self.doc.id):
                continue  # published in its own document's package
            s = next_top()
            rk = self.item(f"requirements:{local_id(rs.id)}", "requirements", rs.title, rs.code, None, {"id": local_id(rs.id), "code": rs.code}, s)
            self.child(rk, None, s)
            req_keys[rs.id] = rk
            for ri, r in enumerate(rs.requirements, 1):
                qk = self.item(
                    f"{rk}/requirement:{r.number}",
                    "requirement",
                    r.text.value,
                    f"r{r.number}",
                    self.requirement_notes(r),
                    {
                        "number": r.number,
                        "requirement_kind": r.kind,
                        "ranges": [{"choose": rg.choose, "letters": [it.letter for it in rg.items]} for rg in r.ranges],
                        "distinct": [{"count": d.count, "what": d.what} for d in r.distinct],
                        "methods": list(r.methods),
                        "different": list(r.different),
                    },
                    ri,
                )
                self.child(qk, rk, ri)
                n = 0
                for gi, rg in enumerate(r.ranges):
                    for it in rg.items:
                        n += 1
                        ik = self.item(f"{qk}/item:{it.letter}", "range_item", it.text.value, f"r{r.number}{it.letter}", None, {"letter": it.letter, "range": gi}, n)
                        self.child(ik, qk, n)
        # membership: a unit is part of its qualifications and groups
        for q in spec.qualifications:
            for i, uid in enumerate(q.units, 1):
                if uid in unit_keys:
                    uk = unit_keys[uid]
                    self.assoc(PART_OF, uk, self.node(qual_keys[q.id]), qual_keys[q.id], i, {"relation": "unit_of", "mandatory": uid in q.mandatory})
        for g in spec.groups:
            for i, uid in enumerate(g.units, 1):
                if uid in unit_keys:
                    self.assoc(PART_OF, unit_keys[uid], self.node(group_keys[g.id]), group_keys[g.id], i, {"relation": "group_member"})
        # related: reuse of evidence, assessment under requirements
        for u in spec.units:
            for o in u.outcomes:
                for c in o.criteria:
                    ck = crit_keys.get((u.id, c.ref))
                    if ck is None:
                        continue
                    for r in self.reuse_links(u, c):
                        target_unit = r.unit or u.id
                        for ref in r.criteria:
                            dk = crit_keys.get((target_unit, ref))
                            if dk is None or dk == ck:
                                continue  # W032 already says so
                            self.assoc(RELATED_TO, ck, self.node(dk), dk, None, {"relation": "reuse"})
            for rid in u.assessed_under:
                if unit_keys.get(u.id) is None:
                    continue
                dest, dest_key = self.requirements_node(rid, req_keys)
                if dest is not None:
                    self.assoc(RELATED_TO, unit_keys[u.id], dest, dest_key, None, {"relation": "assessed_under", "ref": rid})
        self.dedupe_associations()
        return self.package()

    def dedupe_associations(self) -> None:
        seen, out = set(), []
        for a in self.assocs:
            if a["identifier"] not in seen:
                seen.add(a["identifier"])
                out.append(a)
        self.assocs = out

    def requirements_node(self, rid: str, req_keys: dict[str, str]) -> tuple[dict | None, str]:
        if rid in req_keys:
            return self.node(req_keys[rid]), req_keys[rid]
        rs = self.spec.requirement_set(rid)
        if rs is None or rs.origin is None:
            return None, ""
        # an item of another document's package: the identifier that package gives it
        other = uuid.UUID(document_identifier(rs.origin))
        key = f"requirements:{local_id(rid)}"
        identifier = str(uuid.uuid5(other, key))
        return {"title": rs.title[:200], "identifier": identifier, "uri": uri_for(self.base, identifier)}, f"{rs.origin}:{key}"

    def reuse_links(self, u: ir.Unit, c: ir.Criterion) -> tuple[ir.Reuse, ...]:
        """Every reuse link that applies to ``c`` (its own and its evidence-guide
        rows'), as criterion-level links."""
        return tuple(dict.fromkeys(attrs.evolve(r, for_criteria=()) for r in u.reuse_for(c.ref)))

    # ------------------------------------------------------------- notes and extensions
    def qualification_ext(self, q: ir.Qualification) -> dict:
        return {
            "id": q.id,
            "number": q.number,
            "reference": q.reference,
            "level": str(q.level) if q.level else None,
            "glh": q.glh,
            "tqt": q.tqt,
            "credits": q.credits,
            "grading": q.grading,
            "aim_reference": q.aim_reference,
            "registration_months": q.registration_months,
        }

    def qualification_notes(self, q: ir.Qualification) -> str:
        facts = []
        if q.level:
            facts.append(str(q.level))
        if q.credits is not None:
            facts.append(f"credit value {q.credits}")
        if q.glh is not None:
            facts.append(f"{q.glh} guided learning hours")
        if q.tqt is not None:
            facts.append(f"total qualification time {q.tqt} hours")
        if q.reference:
            facts.append(f"regulator reference {q.reference}")
        paras = []
        if facts:
            paras.append(_sentence("; ".join(facts)))
        rules = prose.rules(self.spec, q)
        if rules:
            paras.append("Rules of combination: to achieve this qualification, learners must achieve " + "; ".join(rules) + ".")
        barred = prose.barred_pairs(self.spec, q.units)
        if barred:
            paras.append("Barred combinations: " + "; ".join(b[0].lower() + b[1:] for b in barred) + ".")
        mand = [prose.unit_label(self.spec, u) for u in q.mandatory]
        opt = [prose.unit_label(self.spec, u) for u in q.units if u not in q.mandatory]
        if mand:
            paras.append("Mandatory: " + ", ".join(mand) + ".")
        if opt:
            paras.append("Optional: " + ", ".join(opt) + ".")
        return "\n\n".join(paras) or None

    def unit_ext(self, u: ir.Unit) -> dict:
        return {
            "id": u.id,
            "number": u.number,
            "reference": u.reference,
            "level": str(u.level) if u.level else None,
            "credits": u.credits,
            "glh": u.glh,
            "aim": u.aim.value if u.aim else None,
        }

    def unit_notes(self, u: ir.Unit) -> str | None:
        facts = []
        if u.level:
            facts.append(str(u.level))
        if u.credits is not None:
            facts.append(f"credit value {u.credits}")
        if u.glh is not None:
            facts.append(f"{u.glh} guided learning hours")
        if u.reference:
            facts.append(f"unit reference {u.reference}")
        paras = [_sentence("; ".join(facts))] if facts else []
        if u.aim:
            paras.append(_reflow(u.aim))
        if u.assessed_under:
            titles = [(self.spec.requirement_set(r).title if self.spec.requirement_set(r) else r) for r in u.assessed_under]
            paras.append("Assessed under the evidence requirements " + "; ".join(f"\u201c{t}\u201d" for t in titles) + ".")
        return "\n\n".join(paras) or None

    def criterion_notes(self, u: ir.Unit, c: ir.Criterion, reuse: Iterable[ir.Reuse]) -> str | None:
        paras = [_reflow(g.text) for g in c.guidance]
        if c.demands:
            paras.append("Evidence demanded: " + "; ".join(prose.demand(d, self.labels) for d in c.demands) + ".")
        for r in reuse:
            where = f"unit {prose.unit_label(self.spec, r.unit)}" if r.unit else "this unit"
            refs = list(r.criteria)
            crit = f"criterion {refs[0]}" if len(refs) == 1 else "criteria " + ", ".join(refs[:-1]) + " and " + refs[-1]
            line = f"Evidence may be reused from {where}, {crit}"
            if r.note:
                line += f" ({r.note.plain})"
            paras.append(line + ".")
        return "\n\n".join(paras) or None

    def requirement_notes(self, r: ir.Requirement) -> str | None:
        paras = []
        for rg in r.ranges:
            paras.append(_sentence(f"{prose.range_rule(rg)} are required: " + ", ".join(it.letter for it in rg.items)))
        for d in r.distinct:
            paras.append(_sentence(f"{prose.number_word(d.count)} different {d.what}"))
        for d in r.different:
            paras.append(_sentence(f"different {d}"))
        if r.methods:
            paras.append(_sentence("methods: " + ", ".join(m.replace("_", " ") for m in r.methods)))
        return "\n\n".join(paras) or None

    # ------------------------------------------------------------- the package
    def document(self) -> dict:
        doc = self.doc
        declared = [{"id": m.id, "label": m.label} for m in self.spec.methods if not m.builtin and m.id not in EVIDENCE_METHODS]
        d = _clean(
            {
                "identifier": str(self.doc_uuid),
                "uri": uri_for(self.base, str(self.doc_uuid)),
                "creator": doc.body.name,
                "title": doc.title,
                "lastChangeDateTime": self.when,
                "publisher": doc.body.name,
                "language": self.language,
                "version": doc.version,
                "adoptionStatus": "Adopted",
                "statusStartDate": full_date(doc.published) if doc.published else None,
                "CFPackageURI": dict(self._doc_link),
            }
        )
        d["extensions"] = {
            EXT: _clean(
                {
                    "id": doc.id,
                    "body": doc.body.id,
                    "published": str(doc.published) if doc.published else None,
                    "methods": declared,
                }
            )
        }
        return d

    def package(self) -> dict:
        spec = self.spec
        types = []
        for kind, (title, code, desc) in ITEM_TYPES.items():
            if kind in self.used_types:
                link = self.type_link(kind)
                types.append(
                    {
                        "identifier": link["identifier"],
                        "uri": link["uri"],
                        "title": title,
                        "description": desc,
                        "hierarchyCode": code,
                        "typeCode": kind,
                        "lastChangeDateTime": self.when,
                    }
                )
        rules = {q.id: [export.to_data(r) for r in q.rules] for q in spec.qualifications}
        barred = [_clean({"a": b.a, "b": b.b, "note": b.note.value if b.note else None}) for b in spec.barred]
        return {
            "CFDocument": self.document(),
            "CFItems": self.items,
            "CFAssociations": self.assocs,
            "CFDefinitions": {"CFItemTypes": types},
            "extensions": {EXT: _clean({"format": FORMAT, "rules": rules or None, "barred": barred})},
        }


def _reflow(text: ir.Text) -> str:
    """Author prose for a notes field: each paragraph on one line, bullets
    as ``- `` lines, blank lines between blocks (the source's line breaks
    inside a paragraph are layout, not meaning)."""
    out = []
    for b in text.blocks:
        out.append(b.text if isinstance(b, ir.Paragraph) else "\n".join(f"- {x}" for x in b.items))
    return "\n\n".join(out)


def _sentence(s: str) -> str:
    s = s.strip()
    if not s:
        return s
    s = s[0].upper() + s[1:]
    return s if s.endswith((".", ":", "?", "!")) else s + "."


def cfpackage(spec: ir.Spec, base_uri: str = DEFAULT_BASE_URI, language: str = "en") -> dict:
    """The CFPackage of ``spec`` (a JSON-ready dict, keys in CASE's order)."""
    return _Builder(spec, base_uri, language).build()
