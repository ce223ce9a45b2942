"""Hover text and completion for the language server (no LSP types here)."""

from __future__ import annotations

import contextlib
import re

from lark.exceptions import UnexpectedInput

from specc import ir
from specc.compiler import Compilation
from specc.syntax import TOP_LEVEL, keywords, parser, strip_bom

from . import index as ix
from .project import Resolved

QUANTIFIERS = ("at least", "at most", "exactly")


def _num(x) -> str:
    return "—" if x is None else str(x)


def hover_markdown(r: Resolved) -> str | None:
    """Markdown for the name under the cursor (what the compiled spec says of it)."""
    o = r.occurrence
    spec = r.comp.spec if r.comp is not None else None
    full = r.fullname
    if o.kind == ix.FILE:
        return f"import `{o.name}`" + ("" if r.definition is None else f"  \n{r.definition[0]}")
    if spec is None:
        return f"{o.kind} `{o.name}`"
    if o.kind in (ix.UNIT, ix.GROUP):
        u = spec.unit(full)
        if u is not None:
            head = f"**Unit {u.label}** — {u.title}"
            facts = [f"level {u.level}" if u.level else None, f"credits {_num(u.credits)}", f"GLH {_num(u.glh)}"]
            lines = [head, "", " · ".join(x for x in facts if x)]
            if u.aim is not None:
                lines += ["", u.aim.plain]
            lines += ["", f"{len(u.outcomes)} outcomes, {len(u.criteria)} criteria"]
            return "\n".join(lines)
        g = next((g for g in spec.groups if g.id == full), None)
        if g is not None:
            return f"**Group {g.id}** — {g.title}\n\nunits: {', '.join(g.units) or 'none'}"
    if o.kind in (ix.CRITERION, ix.OUTCOME):
        unit_id, _, ref = full.rpartition(":")
        u = spec.unit(unit_id)
        if u is None:
            return None
        if o.kind == ix.OUTCOME:
            oc = u.outcome(int(ref)) if ref.isdigit() else None
            return None if oc is None else f"**Outcome {oc.number}** of unit {u.label} ({oc.kind})\n\n{oc.statement}"
        c = u.criterion(ref)
        if c is None:
            return None
        lines = [f"**{c.ref}** (unit {u.label}) — {c.statement}"]
        for d in c.demands:
            op = {"at_least": "at least ", "exactly": ""}.get(d.op, "")
            extra = f", each a different {d.different}" if d.different else ""
            by = ""
            if d.by is not None:
                by = f", of which {'exactly ' if d.by.op == 'exactly' else 'at least '}{d.by.count} by {', '.join(d.by.methods)}"
            lines.append(f"- demands {op}{d.count} {d.what}{extra}{by}")
        for link in c.reuse + u.reuse_for(c.ref):
            where = f"unit {link.unit}" if link.unit else "this unit"
            lines.append(f"- may reuse evidence of {where}: {', '.join(link.criteria)}")
        for g in c.guidance[:1]:
            lines += ["", g.text.plain]
        return "\n".join(lines)
    if o.kind == ix.METHOD:
        m = next((m for m in spec.methods if m.id == o.name), None)
        if m is None:
            return f"unknown evidence method `{o.name}`"
        return f"**{m.label}** — evidence method `{m.id}`" + (" (built in)" if m.builtin else " (declared by the document)")
    if o.kind == ix.RSET:
        rs = spec.requirement_set(full)
        if rs is not None:
            return f"**Requirements {rs.id}** — {rs.title}" + (f"\n\ncode {rs.code}" if rs.code else "") + f"\n\n{len(rs.requirements)} requirements"
    if o.kind == ix.QUALIFICATION:
        q = spec.qualification(full)
        if q is not None:
            facts = [str(q.level) if q.level else None, f"GLH {_num(q.glh)}", f"TQT {_num(q.tqt)}", f"credits {_num(q.credits)}"]
            return f"**{q.title}**\n\n" + " · ".join(x for x in facts if x) + f"\n\n{len(q.units)} units, {len(q.mandatory)} mandatory"
    if o.kind == ix.VERB:
        v = next((v for v in spec.glossary.verbs if v.key == o.name.lower()), None)
        if v is not None:
            return f"**{v.term}** (command verb)\n\n{v.definition.plain}"
        return f"command verb `{o.name}` (not in the glossary)"
    if o.kind == ix.DOCUMENT:
        d = spec.document
        return f"**{d.title}**\n\n{d.body.name}" + (f", version {d.version}" if d.version else "")
    return None


# --------------------------------------------------------------------------- completion

_TRAILING_WORD = re.compile(r"[\w.]*$")
_GROUP_BODY = re.compile(r'(?:^|\n)\s*group\s+[\w.\-/]+\s+"(?:[^"\\\n]|\\.)*"\s*\{[^{}"]*$')
_CONTEXT = re.compile(r"(?:^|[\s{])((?:reuse\s+unit)|mandatory|from|with|barred|under|methods|by|verb|simulation|for)\s+(?:[\w.]+\s*,\s*)*$")


def expected_terminals(prefix: str) -> set[str]:
    """The terminals the grammar accepts after ``prefix`` (lark's interactive
    parser); from the last top-level declaration when the text before it does
    not parse."""
    p = parser()
    starts = [0] + [m.start() for m in TOP_LEVEL.finditer(prefix)]
    for start in (0, starts[-1]):
        chunk = "\n" * prefix.count("\n", 0, start) + prefix[start:]
        with contextlib.suppress(UnexpectedInput):
            ip = p.parse_interactive(chunk)
            ip.exhaust_lexer()
            return set(ip.accepts())
    return set()


def completions(text: str, line: int, col: int, names: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(label, kind, detail) for the cursor at 1-based ``line``/``col``:
    keywords where the grammar allows them, and the names of the spec where
    the context asks for a unit, a requirement set, a method or a verb."""
    text = strip_bom(text)
    lines = text.split("\n")
    before = "\n".join(lines[: line - 1] + [lines[line - 1][: col - 1] if line - 1 < len(lines) else ""])
    prefix = before[: len(before) - len(_TRAILING_WORD.search(before).group(0))]
    accepts = expected_terminals(prefix)
    kw = keywords()
    out: list[tuple[str, str, str]] = []
    for t in sorted(accepts):
        if t in kw:
            out.append((kw[t], "keyword", ""))
        elif t == "QUANT":
            out.extend((q, "keyword", "") for q in QUANTIFIERS)
    if accepts & {"NAME", "QNAME", "NUMBER"} or not accepts:
        m = _CONTEXT.search(prefix)
        ctx = re.sub(r"\s+", " ", m.group(1)) if m else None
        if ctx is None and _GROUP_BODY.search(prefix):
            ctx = "with"  # a group lists units
        if ctx in ("mandatory", "from", "with", "barred", "reuse unit"):
            if ctx == "from" and re.search(r"evidence\s+from\s+(?:[\w.]+\s*,\s*)*$", prefix):
                out.extend((e, "value", "evidence environment") for e in ir.ENVIRONMENTS)
            else:
                out.extend((u, "unit", "unit") for u in sorted(names.get("unit", [])))
                if ctx in ("mandatory", "from"):
                    out.extend((g, "group", "group") for g in sorted(names.get("group", [])))
        elif ctx == "under":
            out.extend((r, "requirements", "requirement set") for r in sorted(names.get("requirements", [])))
        elif ctx in ("methods", "by"):
            out.extend((x, "method", "evidence method") for x in sorted(names.get("method", [])))
        elif ctx == "verb":
            out.extend((v, "verb", "command verb") for v in sorted(names.get("verb", [])))
        elif ctx == "simulation":
            out.extend((s, "value", "simulation") for s in ir.SIMULATION_MODES)
        elif ctx == "for" and re.search(r"simulation\s+\w+\s+for\s+$", prefix):
            out.extend((k, "value", "evidence kind") for k in ir.EVIDENCE_KINDS)
    seen: set[str] = set()
    return [x for x in out if not (x[0] in seen or seen.add(x[0]))]


def spec_of(comp: Compilation | None) -> ir.Spec | None:
    return None if comp is None else comp.spec
