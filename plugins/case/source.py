"""Writing specc source for a package read by :mod:`.reader`.

The text is assembled line by line and then formatted by ``specc fmt``'s
``format_text``; every string from the package goes through :func:`string`
or :func:`text`, which escape it for specc's string syntax.
"""

from __future__ import annotations

import re
import unicodedata

from specc.ir import REQUIREMENT_KINDS
from specc.vocab import COMMUNICATION_METHODS

from .package import EXT
from .reader import Item, Reader

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NUMBER = re.compile(r"[0-9]+(?:[-/][0-9]+)*")
REF = re.compile(r"([0-9]+)\.([0-9]+)")
DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?")
LEVEL = re.compile(r"(?i)(entry\s+)?(?:level\s+)?([1-8])")


def string(s: str) -> str:
    """A STRING token: one line, ``\\``, ``"``, newline and tab escaped."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def text(s: str) -> str:
    """A ``text``: a LONG_STRING for text over several lines, else (and for
    text with a run of quotes, which a long text cannot always hold) a
    STRING with ``\\n`` escapes."""
    if "\n" not in s or '""' in s:
        return string(s)
    return '"""\n' + s.replace("\\", "\\\\") + '\n"""'


def slug(s: str, prefix: str, limit: int = 60) -> str:
    """An id from a text: ASCII words joined by ``_``, at most ``limit``
    characters (an aliased id ``alias.id`` stays within the 100-character
    limit on ids, E070)."""
    out = re.sub(r"[^A-Za-z0-9]+", "_", unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()).strip("_").lower()[:limit].strip("_")
    if not out:
        return prefix
    return out if NAME.fullmatch(out) else f"{prefix}_{out}"


def ident_ok(s) -> bool:
    return isinstance(s, str) and bool(NAME.fullmatch(s) or NUMBER.fullmatch(s))


def file_name(doc_id: str) -> str:
    """The source file of a document (a NUMBER id may hold ``/``)."""
    from specc.sink import safe_component

    return safe_component(doc_id) + ".specc"


def comment(s: str) -> list[str]:
    return ["# " + line if line.strip() else "#" for line in s.split("\n")]


class Writer:
    """Builds the specc source of one package."""

    def __init__(self, r: Reader, packages: dict[str, Reader], doc_ids: dict[str, str]):
        self.r = r
        self.packages = packages  # document identifier -> Reader (every package given)
        self.doc_ids = doc_ids  # document identifier -> specc document id
        self.lines: list[str] = []
        self.imports: dict[str, str] = {}  # alias -> file
        self.unit_ids: dict[str, str] = {}  # item identifier -> unit id
        self.req_ids: dict[str, str] = {}  # item identifier -> requirements id
        self.used: set[str] = set()

    def w(self, r_item: Item | None, key: str, what: str) -> None:
        self.r.warn("WC20", f"`{key}` in the specc extension of {what} is not valid; ignored", (r_item.path if r_item else ()) + ("extensions", EXT, key))

    def fresh(self, want: str) -> str:
        out, n = want, 2
        while out in self.used:
            out = f"{want}_{n}"
            n += 1
        self.used.add(out)
        return out

    # ------------------------------------------------------------- document
    def document_id(self) -> str:
        return self.doc_ids[self.r.doc_identifier]

    def write(self) -> str:
        r = self.r
        top = r.tree()
        by = {c: [it for it in top if it.construct == c] for c in ("qualification", "group", "unit", "requirements")}
        # another framework may put its units under qualifications or groups
        for it in top:
            if it.construct in ("qualification", "group"):
                by["unit"] += [c for c in it.children if c.construct == "unit" and c not in by["unit"]]
        for it in by["unit"]:
            self.unit_ids[it.identifier] = self.unit_id(it)
        for it in by["requirements"]:
            self.req_ids[it.identifier] = self.requirements_id(it)
        self.document()
        for it in by["group"]:
            self.group(it)
        for it in by["qualification"]:
            self.qualification(it)
        self.barred()
        for it in by["unit"]:
            self.unit(it)
        for it in by["requirements"]:
            self.requirements(it)
        self.unmapped()
        head = [f"import {string(f)} as {alias}" for alias, f in sorted(self.imports.items())]
        return "\n".join(head + ([""] if head else []) + self.lines) + "\n"

    def document(self) -> None:
        r, doc, e = self.r, self.r.doc, self.r.doc_ext
        path = ("CFDocument",)
        title = r.text(doc, "title", path, "the CFDocument") or "Untitled framework"
        publisher = r.text(doc, "publisher", path, "the CFDocument") or r.text(doc, "creator", path, "the CFDocument") or "Unknown"
        body = e.get("body")
        if not (isinstance(body, str) and NAME.fullmatch(body)):
            if body is not None:
                self.w(None, "body", "the CFDocument")
            body = slug(publisher, "body")
        lines = [f"document {self.document_id()} {string(title.strip())} {{", f"  body {body} {string(publisher.strip())}"]
        version = r.text(doc, "version", path, "the CFDocument")
        if version and version.strip():
            lines.append(f"  version {string(version.strip())}")
        published = self.published(e, doc)
        if published:
            lines.append(f"  published {published}")
        methods = e.get("methods") or []
        for i, m in enumerate(methods if isinstance(methods, list) else []):
            if isinstance(m, dict) and isinstance(m.get("id"), str) and NAME.fullmatch(m["id"]) and isinstance(m.get("label"), str):
                lines.append(f"  method {m['id']} {string(r.clean(m['label'], path + ('extensions', EXT, 'methods', i)))}")
            else:
                r.warn("WC20", "an evidence method in the specc extension is not valid; ignored", path + ("extensions", EXT, "methods", i))
        lines.append("}")
        self.lines += lines

    def published(self, e: dict, doc: dict) -> str | None:
        p = e.get("published")
        if isinstance(p, str) and _date_ok(p):
            return p
        for key in ("statusStartDate", "lastChangeDateTime"):
            v = doc.get(key)
            if isinstance(v, str) and _date_ok(v[:10]):
                return v[:10]
        return None

    # ------------------------------------------------------------- qualifications, groups, barred
    def members(self, it: Item) -> list[str]:
        """Unit ids that are isPartOf (or, in another framework, isChildOf) ``it``."""
        got = []
        for a in self.r.by_dest.get(it.identifier, []):
            if a.kind == "isPartOf" and a.origin in self.unit_ids:
                got.append((a.seq is None, a.seq or 0, a.index, self.unit_ids[a.origin]))
        got.sort()
        units = list(dict.fromkeys(g[3] for g in got))
        for c in it.children:
            if c.identifier in self.unit_ids and self.unit_ids[c.identifier] not in units:
                units.append(self.unit_ids[c.identifier])
        return units

    def group(self, it: Item) -> None:
        gid = it.ext.get("id")
        if not (isinstance(gid, str) and NAME.fullmatch(gid)):
            gid = slug(it.code or it.statement, "group")
        gid = self.fresh(gid)
        self.lines += ["", f"group {gid} {string(it.statement)} {{ {' '.join(self.members(it))} }}"]

    def qualification(self, it: Item) -> None:
        e = it.ext
        want = e.get("id") if ident_ok(e.get("id")) else (it.code if ident_ok(it.code) else slug(it.code or it.statement, "q"))
        qid = self.fresh(want)
        out = [""] + ([] if e else comment(it.notes or "")) + [f"qualification {qid} {string(it.statement)} {{"]
        for key in ("number", "reference", "aim_reference"):
            v = e.get(key)
            if isinstance(v, str):
                out.append(f"  {key} {string(v)}")
            elif v is not None:
                self.w(it, key, "a qualification")
        if "number" not in e and it.code and it.code != qid:
            out.append(f"  number {string(it.code)}")
        lvl = self.level(it, e.get("level"))
        if lvl:
            out.append(f"  level {lvl}")
        for key in ("glh", "tqt", "credits"):
            v = e.get(key)
            if _count(v, 0):
                out.append(f"  {key} {v}")
            elif v is not None:
                self.w(it, key, "a qualification")
        if isinstance(e.get("grading"), str) and NAME.fullmatch(e["grading"]):
            out.append(f"  grading {e['grading']}")
        if _count(e.get("registration_months"), 1):
            out.append(f"  registration {e['registration_months']} months")
        rules = self.rules(it, want, qid)
        out += ["  rules {"] + [f"    {x}" for x in rules] + ["  }", "}"]
        self.lines += out

    def rules(self, it: Item, key: str, qid: str) -> list[str]:
        all_rules = self.r.pkg_ext.get("rules")
        got = all_rules.get(key) if isinstance(all_rules, dict) else None
        out = []
        if isinstance(got, list):
            for i, rule in enumerate(got):
                line = _rule(rule)
                if line is None:
                    self.r.warn("WC20", f"rule {i + 1} of qualification {qid} in the package's specc extension is not valid; ignored", ("extensions", EXT, "rules", key, i))
                else:
                    out.append(line)
        if out:
            return out
        units = self.members(it)
        self.r.warn(
            "WC21",
            f"qualification {qid} has no rules of combination in the package (no specc extension); written as `remaining credits from` its {len(units)} units",
            it.path,
            help="CASE has no field for rules of combination; the item's notes say them in words: edit the `rules` block to match",
        )
        return [f"remaining credits from {', '.join(units)}"] if units else []

    def barred(self) -> None:
        pairs = self.r.pkg_ext.get("barred") or []
        for i, b in enumerate(pairs if isinstance(pairs, list) else []):
            if isinstance(b, dict) and ident_ok(b.get("a")) and ident_ok(b.get("b")) and isinstance(b.get("note", ""), str):
                note = f" {text(self.r.clean(b['note'], ('extensions', EXT, 'barred', i)))}" if b.get("note") else ""
                self.lines.append(f"barred {b['a']} with {b['b']}{note}")
            else:
                self.r.warn("WC20", "a barred pair in the package's specc extension is not valid; ignored", ("extensions", EXT, "barred", i))

    def level(self, it: Item, v) -> str | None:
        if v is None:
            return None
        m = LEVEL.fullmatch(v.strip()) if isinstance(v, str) else None
        if m is None:
            self.w(it, "level", "this item")
            return None
        return f"entry {m.group(2)}" if m.group(1) else m.group(2)

    # ------------------------------------------------------------- units
    def unit_id(self, it: Item) -> str:
        uid = it.ext.get("id")
        if not ident_ok(uid):
            if uid is not None:
                self.w(it, "id", "a unit")
            uid = it.code if ident_ok(it.code) else slug(it.code or it.statement, "u")
        return self.fresh(uid)

    def unit(self, it: Item) -> None:
        e, uid = it.ext, self.unit_ids[it.identifier]
        out = [""]
        if not e and it.notes:
            out += comment(it.notes)
        out.append(f"unit {uid} {string(it.statement)} {{")
        number = e.get("number") if isinstance(e.get("number"), str) else (it.code if it.code and it.code != uid else None)
        if number:
            out.append(f"  number {string(number)}")
        if isinstance(e.get("reference"), str):
            out.append(f"  reference {string(e['reference'])}")
        lvl = self.level(it, e.get("level"))
        if lvl:
            out.append(f"  level {lvl}")
        for key in ("credits", "glh"):
            v = e.get(key)
            if _count(v, 0):
                out.append(f"  {key} {v}")
            elif v is not None:
                self.w(it, key, "a unit")
        if isinstance(e.get("aim"), str):
            out.append(f"  aim {text(self.r.clean(e['aim'], it.path + ('extensions', EXT, 'aim')))}")
        under = self.assessed_under(it)
        if under:
            out.append(f"  assessed under {', '.join(under)}")
        n = 0
        for o in it.children:
            if o.construct != "outcome":
                continue
            n += 1
            out += self.outcome(o, n, uid)
        out.append("}")
        self.lines += out

    def assessed_under(self, it: Item) -> list[str]:
        out = []
        for a in self.r.by_origin.get(it.identifier, []):
            if a.kind != "isRelatedTo":
                continue
            if a.dest in self.req_ids:
                out.append(self.req_ids[a.dest])
                continue
            if a.ext.get("relation") != "assessed_under" and not self._foreign_requirements(a.dest):
                continue
            other = self._foreign_requirements(a.dest)
            if other is None:
                self.r.warn("WC22", f"unit {self.unit_ids[it.identifier]} is assessed under {a.dest}, an item of a package not given; the link is left out", a.path, help="give that package too: specc import case A.json B.json -o DIR")
                continue
            pkg, item = other
            ref = a.ext.get("ref")
            alias = ref.split(".")[0] if isinstance(ref, str) and "." in ref and NAME.fullmatch(ref.split(".")[0]) else slug(self.doc_ids[pkg.doc_identifier], "doc", 30)
            self.imports[alias] = file_name(self.doc_ids[pkg.doc_identifier])
            rid = item.ext.get("id") if isinstance(item.ext.get("id"), str) and NAME.fullmatch(item.ext["id"]) else slug(item.statement, "requirements")
            out.append(f"{alias}.{rid}")
        return list(dict.fromkeys(out))

    def _foreign_requirements(self, ident: str):
        for pkg in self.packages.values():
            if pkg is self.r:
                continue
            item = pkg.items.get(ident)
            if item is not None:
                return pkg, item
        return None

    def outcome(self, o: Item, n: int, uid: str) -> list[str]:
        number = int(o.code) if o.code and re.fullmatch(r"[1-9][0-9]{0,5}", o.code) else n
        kind = o.ext.get("outcome_kind")
        if kind not in ("knowledge", "performance"):
            kind = "performance" if re.match(r"(?i)\s*be able\b", o.statement) else "knowledge"
        out = []
        if not o.ext and o.code and o.code != str(number):
            out += ["  " + c for c in comment(o.code)]
        if not o.ext and o.notes:
            out += ["  " + c for c in comment(o.notes)]
        out.append(f"  outcome {number} {kind} {string(o.statement)} {{")
        # criteria: the outcome's children, deeper levels flattened in order
        crits: list[Item] = []
        stack = list(reversed(o.children))
        while stack:
            c = stack.pop()
            if c.construct == "criterion":
                crits.append(c)
            stack.extend(reversed(c.children))
        used: set[str] = set()
        k = 0
        for c in crits:
            k += 1
            ref = c.code if c.code and REF.fullmatch(c.code) and c.code.split(".")[0] == str(number) and c.code not in used else None
            while ref is None or ref in used:
                ref = f"{number}.{k}"
                if ref in used:
                    k += 1
            used.add(ref)
            out += self.criterion(c, ref, uid)
        out.append("  }")
        return out

    def criterion(self, c: Item, ref: str, uid: str) -> list[str]:
        e = c.ext
        body = []
        guidance = e.get("guidance")
        if isinstance(guidance, list) and all(isinstance(g, str) for g in guidance):
            for i, g in enumerate(guidance):
                body.append(f"explained {text(self.r.clean(g, c.path + ('extensions', EXT, 'guidance', i)))}")
        elif c.notes and not e:  # another framework's notes; ours are made from the extension
            body.append(f"explained {text(c.notes)}")
        for i, d in enumerate(e.get("demands") or [] if isinstance(e.get("demands") or [], list) else []):
            line = _demand(d)
            if line is None:
                self.r.warn("WC20", "a demand in the specc extension is not valid; ignored", c.path + ("extensions", EXT, "demands", i))
            else:
                body.append(line)
        reuse = e.get("reuse")
        if isinstance(reuse, list):
            for i, rr in enumerate(reuse):
                line = _reuse(rr, self.r, c.path + ("extensions", EXT, "reuse", i))
                if line is None:
                    self.r.warn("WC20", "a reuse link in the specc extension is not valid; ignored", c.path + ("extensions", EXT, "reuse", i))
                else:
                    body.append(line)
        else:
            body += self.reuse_from_associations(c)
        head = []
        if not e and c.code and c.code != ref:
            head = ["    " + x for x in comment(c.code)]
        if not body:
            return head + [f"    criterion {ref} {string(c.statement)}"]
        return head + [f"    criterion {ref} {string(c.statement)} {{"] + [f"      {b}" for b in body] + ["    }"]

    def reuse_from_associations(self, c: Item) -> list[str]:
        out = []
        for a in self.r.by_origin.get(c.identifier, []):
            if a.kind != "isRelatedTo":
                continue
            d = self.r.items.get(a.dest)
            if d is None or d.construct != "criterion" or not d.code or not REF.fullmatch(d.code):
                continue
            unit = d
            while unit is not None and unit.construct != "unit":
                unit = unit.parent
            if unit is None or unit.identifier not in self.unit_ids:
                continue
            uref = self.unit_ids[unit.identifier]
            out.append(f"reuse unit {uref} {d.code}")
        return out

    # ------------------------------------------------------------- evidence requirements
    def requirements_id(self, it: Item) -> str:
        rid = it.ext.get("id")
        if not (isinstance(rid, str) and NAME.fullmatch(rid)):
            rid = slug(it.statement, "requirements")
        return self.fresh(rid)

    def requirements(self, it: Item) -> None:
        rid = self.req_ids[it.identifier]
        out = [""] + ([] if it.ext or not it.notes else comment(it.notes)) + [f"requirements {rid} {string(it.statement)} {{"]
        code = it.ext.get("code") if isinstance(it.ext.get("code"), str) else (None if it.ext else it.code)
        if code:
            out.append(f"  code {string(code)}")
        n = 0
        for q in it.children:
            if q.construct != "requirement":
                continue
            n += 1
            out += self.requirement(q, n)
        out.append("}")
        self.lines += out

    def requirement(self, q: Item, n: int) -> list[str]:
        e = q.ext
        number = e.get("number") if _count(e.get("number"), 0) else None
        if number is None:
            m = re.fullmatch(r"r?([0-9]{1,6})", q.code or "")
            number = int(m.group(1)) if m else n
        kind = e.get("requirement_kind")
        kind = kind if kind in REQUIREMENT_KINDS and kind != "evidence" else None
        body: list[str] = []
        items = []
        stack = list(reversed(q.children))
        while stack:
            x = stack.pop()
            if x.construct == "range_item":
                items.append(x)
            stack.extend(reversed(x.children))
        ranges = e.get("ranges") if isinstance(e.get("ranges"), list) else None
        letters_used: set[str] = set()

        def letter(x: Item, i: int) -> str:
            v = x.ext.get("letter")
            if not (isinstance(v, str) and NAME.fullmatch(v)):
                m = re.fullmatch(rf"r?{number}([A-Za-z_][A-Za-z0-9_]*)", x.code or "")
                v = m.group(1) if m else None
            if v is None or v in letters_used:
                v = _letters(i)
            letters_used.add(v)
            return v

        if ranges and any(x.ext.get("range") not in range(len(ranges)) for x in items):
            self.w(q, "ranges", "a requirement")  # items in no range: read as one range
            ranges = None
        if ranges:
            for gi, rg in enumerate(ranges):
                mine = [x for x in items if x.ext.get("range") == gi]
                choose = rg.get("choose") if isinstance(rg, dict) else None
                head = f"choose {choose}" if _count(choose, 1) else "all"
                body.append(head + " {")
                body += [f"  {letter(x, i)} {text(x.statement)}" for i, x in enumerate(mine)]
                body.append("}")
        elif items:
            body.append("all {")
            body += [f"  {letter(x, i)} {text(x.statement)}" for i, x in enumerate(items)]
            body.append("}")
        for d in e.get("distinct") or [] if isinstance(e.get("distinct") or [], list) else []:
            if isinstance(d, dict) and _count(d.get("count"), 1) and isinstance(d.get("what"), str):
                body.append(f"distinct {d['count']} {string(self.r.clean(d['what'], q.path))}")
            else:
                self.w(q, "distinct", "a requirement")
        methods = e.get("methods")
        if isinstance(methods, list) and methods:
            ok = [m for m in methods if isinstance(m, str) and m in COMMUNICATION_METHODS]
            if len(ok) != len(methods):
                self.w(q, "methods", "a requirement")
            if ok:
                body.append("methods " + ", ".join(ok))
        for d in e.get("different") or [] if isinstance(e.get("different") or [], list) else []:
            if isinstance(d, str) and NAME.fullmatch(d):
                body.append(f"different {d}")
            else:
                self.w(q, "different", "a requirement")
        head = f"  requirement {number}{' ' + kind if kind else ''} {_indent(text(q.statement), '  ')}"
        if not body:
            return [head]
        return [head + " {"] + [f"    {b}" for b in body] + ["  }"]

    # ------------------------------------------------------------- what specc cannot say
    def unmapped(self) -> None:
        known = {"isChildOf", "isPartOf", "isRelatedTo"}
        for a in self.r.assocs:
            if a.kind not in known:
                self.r.warn("WC15", f"specc has no construct for `{a.kind}` associations; this one is left out", a.path + ("associationType",), help="specc keeps the tree (isChildOf), membership (isPartOf) and reuse or requirement links (isRelatedTo)")
            elif a.kind == "isRelatedTo" and a.origin not in self.r.items:
                self.r.warn("WC14", f"isRelatedTo from {a.origin}, which is not an item of this package; left out", a.path + ("originNodeURI",))
            elif a.kind == "isRelatedTo":
                o = self.r.items[a.origin]
                d = self.r.items.get(a.dest)
                mapped = (o.construct == "criterion" and d is not None and d.construct == "criterion") or (
                    o.construct == "unit" and (a.dest in self.req_ids or self._foreign_requirements(a.dest) is not None or a.ext.get("relation") == "assessed_under")
                )
                if not mapped:
                    self.r.warn("WC15", "specc has no construct for this isRelatedTo (only criterion to criterion: evidence reuse; unit to evidence requirements: assessed under); left out", a.path + ("associationType",))


def _indent(s: str, by: str) -> str:
    return s.replace("\n", "\n" + by) if s.startswith('"""') else s


def _letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def _count(v, least: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and least <= v < 10**9


def _date_ok(s: str) -> bool:
    m = DATE.fullmatch(s)
    if not m:
        return False
    mo, d = m.group(2), m.group(3)
    return (mo is None or 1 <= int(mo) <= 12) and (d is None or 1 <= int(d) <= 31)


def _refs(v) -> str | None:
    if isinstance(v, list) and v and all(ident_ok(x) or (isinstance(x, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+", x)) for x in v):
        return ", ".join(v)
    return None


_QUANT = {"at_least": "at least", "at_most": "at most", "exactly": "exactly"}


def _rule(r) -> str | None:
    if not isinstance(r, dict):
        return None
    kind = r.get("kind")
    if kind == "min_total" and _count(r.get("credits"), 0):
        return f"minimum {r['credits']} credits"
    if kind == "max_total" and _count(r.get("credits"), 0):
        return f"maximum {r['credits']} credits"
    if kind == "mandatory" and _refs(r.get("units")):
        return f"mandatory {_refs(r['units'])}"
    if kind == "credits_from" and isinstance(r.get("op"), str) and r["op"] in _QUANT and _count(r.get("credits"), 0) and _refs(r.get("sources")):
        return f"{_QUANT[r['op']]} {r['credits']} credits from {_refs(r['sources'])}"
    if kind == "remaining" and _refs(r.get("sources")):
        further = f"{'at least ' if r.get('minimum') is True else ''}{r['credits']} " if _count(r.get("credits"), 0) else ""
        return f"remaining {further}credits from {_refs(r['sources'])}"
    return None


def _demand(d) -> str | None:
    if not isinstance(d, dict) or not _count(d.get("count"), 0) or not isinstance(d.get("what"), str):
        return None
    op = d.get("op", "exactly")
    if op not in ("exactly", "at_least"):
        return None
    out = "demand " + ("at least " if op == "at_least" else "") + f"{d['count']} {string(d['what'])}"
    alternatives = d.get("alternatives") or []
    if not isinstance(alternatives, list):
        return None
    for a in alternatives:  # either/or: `or N "what"`
        if not (isinstance(a, dict) and _count(a.get("count"), 0) and isinstance(a.get("what"), str)):
            return None
        out += f" or {a['count']} {string(a['what'])}"
    diff = d.get("different")
    if diff is not None:
        if not (isinstance(diff, str) and NAME.fullmatch(diff)):
            return None
        out += f" different {diff}"
    by = d.get("by")
    if by is not None:
        if not (isinstance(by, dict) and _count(by.get("count"), 0) and by.get("op", "at_least") in ("at_least", "exactly")):
            return None
        methods = by.get("methods")
        if not (isinstance(methods, list) and methods and all(isinstance(m, str) and NAME.fullmatch(m) for m in methods)):
            return None
        out += " of which " + ("exactly " if by.get("op") == "exactly" else "") + f"{by['count']} by {', '.join(methods)}"
    return out


def _reuse(r, reader: Reader, path: tuple) -> str | None:
    if not isinstance(r, dict):
        return None
    crits = r.get("criteria")
    if not (isinstance(crits, list) and crits and all(isinstance(x, str) and REF.fullmatch(x) for x in crits)):
        return None
    unit = r.get("unit")
    if unit is not None and not ident_ok(unit):
        return None
    note = r.get("note")
    if note is not None and not isinstance(note, str):
        return None
    out = "reuse " + (f"unit {unit} " if unit is not None else "") + ", ".join(crits)
    if note:
        out += " " + text(reader.clean(note, path + ("note",)))
    return out
