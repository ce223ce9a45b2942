"""Linking and checks for the constructs of issue 11 (published information
the language had no place for).  Kept apart from :mod:`specc.compiler` so the
integrator can register them in the check registry: :func:`run` is called
from one line of :func:`specc.compiler.compile_file`.

- ``different`` names (E015): a demand's or requirement's ``different NAME``
  is a built-in name (:data:`specc.vocab.DIFFERENT`) or one the document
  declares with ``different NAME "what must differ"``; anything else is an
  error with a did-you-mean (a typo would silently turn the check off).
  A word of the demand's own ``what`` says the demanded things differ.  A
  declared name that is already a name is E010.
- either/or demands (E054): the alternatives ask for the same number of items.
- evidence-guide rows (W035): a ``reuse units`` lead-in or a ``see`` link
  names a unit or criterion that does not exist.
- ``method NAME "label"`` for a built-in method relabels it (E010 if twice).

Registry note for the integrator: :func:`run` links (``distinctions``,
method labels) and then calls :func:`check_different`,
:func:`check_alternatives` and :func:`check_row_links`; each takes the
linked spec and returns diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from . import ir
from .diagnostics import Diagnostic, SourceCache, did_you_mean
from .vocab import DIFFERENT


def _narrow(span: ir.Span, word: str, sources: SourceCache) -> ir.Span:
    from .compiler import narrow  # the compiler's precise underline

    return narrow(span, word, sources)


def distinctions(decls: Iterable, diags: list[Diagnostic]) -> tuple[ir.Distinction, ...]:
    """The built-in ``different`` names, then those the files declare."""
    out = {k: ir.Distinction(k, label, fld) for k, (fld, label) in DIFFERENT.items()}
    for d in decls:
        for x in getattr(d, "distinctions", ()):
            have = out.get(x.id)
            if have is not None and have != x:
                where = "built in" if have.builtin else f"declared at {have.span}"
                diags.append(Diagnostic("E010", f"`different {x.id}` is already a name ({where})", x.span, help="declare each `different` name once, under a name of its own"))
                continue
            out[x.id] = x
    return tuple(out.values())


def _uses(spec: ir.Spec) -> Iterable[tuple[str, ir.Span, tuple[str, ...]]]:
    """Each ``different NAME``: (NAME, where, the words of its demand's ``what``)."""
    for u in spec.units:
        for c in u.criteria:
            for d in c.demands:
                if d.different is not None:
                    yield d.different, d.span, tuple(d.what.split())
        for row in u.evidence_guide:
            for d in getattr(row, "demands", ()):
                if d.different is not None:
                    yield d.different, d.span, tuple(d.what.split())
    for rs in spec.requirement_sets:
        for r in rs.requirements:
            for name in r.different:
                yield name, r.span, ()


def check_different(spec: ir.Spec, sources: SourceCache) -> list[Diagnostic]:
    """E015.  A demand's ``different WORD``, WORD a word of its own ``what``
    (``demand 3 "methods of communicating" different methods``), says the
    demanded things themselves differ ("three different methods of
    communicating"): each is its own slot already, so it needs no declaration."""
    known = {d.id for d in spec.distinctions}
    out = []
    for name, span, words in _uses(spec):
        if name in known or name in words:
            continue
        known_here = known | set(words)
        out.append(
            Diagnostic(
                "E015",
                f"unknown `different` name `{name}`",
                _narrow(span, f"different {name}", sources),
                help=did_you_mean(name, known_here) or f'use {", ".join(sorted(known))}, or declare it in the document: `different {name} "what must differ"`',
            )
        )
    return out


def check_alternatives(spec: ir.Spec) -> list[Diagnostic]:
    """E054: the alternatives of an either/or demand ask for the same number
    of items (the demand's slots are shared: any one alternative fills them)."""
    out = []
    for u in spec.units:
        demands = [d for c in u.criteria for d in c.demands] + [d for row in u.evidence_guide for d in row.demands]
        for d in demands:
            for a in d.alternatives:
                if a.count != d.count:
                    out.append(
                        Diagnostic(
                            "E054",
                            f"either/or demand asks for {d.count} {d.what} or {a.count} {a.what}",
                            a.span,
                            help=f"the alternatives of a demand ask for the same number of items ({d.count}); write separate demands if both are needed",
                        )
                    )
    return out


def relabel_methods(spec: ir.Spec, parts, diags: list[Diagnostic]) -> ir.Spec:
    """``method observation "Assessor observation"`` in the document: a
    built-in evidence method printed with the body's own label (the root
    spec's files only, as for declared methods).  Twice for one method is E010."""
    labels: dict[str, tuple[str, ir.Span]] = {}
    for decls, alias in parts:
        if alias is not None:
            continue
        for m, span in getattr(decls, "relabels", ()):
            if m.id in labels and labels[m.id][0] != m.label:
                diags.append(Diagnostic("E010", f"evidence method `{m.id}` is already labelled", span, help=f"the first label is at {labels[m.id][1]}; keep one"))
                continue
            labels.setdefault(m.id, (m.label, span))
    if not labels:
        return spec
    methods = tuple(attrs.evolve(m, label=labels[m.id][0]) if m.builtin and m.id in labels else m for m in spec.methods)
    return attrs.evolve(spec, methods=methods)


def check_row_links(spec: ir.Spec) -> list[Diagnostic]:
    """W035: a row's `reuse units` lead-in or `see` link names a unit or a
    criterion that does not exist (or a `for` criterion its row does not name)."""
    out = []
    ids = [u.id for u in spec.units]
    for u in spec.units:
        for row in u.evidence_guide:
            for lead in row.reuse_units:
                for uid in lead.units:
                    if spec.unit(uid) is None:
                        out.append(Diagnostic("W035", f"the reuse lead-in of unit {u.label} names unit `{uid}`, which does not exist", lead.span, help=did_you_mean(uid, ids) or "check the unit numbers"))
            for see in row.see:
                target = spec.unit(see.unit) if see.unit else u
                if target is None:
                    out.append(Diagnostic("W035", f"a `see` link of unit {u.label} names unit `{see.unit}`, which does not exist", see.span, help=did_you_mean(see.unit, ids) or "check the unit numbers"))
                    continue
                known = {c.ref for c in target.criteria}
                for ref in see.criteria:
                    if ref not in known:
                        out.append(Diagnostic("W035", f"a `see` link of unit {u.label} names criterion {ref} of unit {target.label}, which does not exist", see.span, help=did_you_mean(ref, known) or "check the criterion numbers"))
                for ref in see.for_criteria:
                    if ref not in row.criteria:
                        out.append(Diagnostic("W035", f"a `see` link is for criterion {ref}, which its row does not name", see.span, help=f"the row names {', '.join(row.criteria)}"))
    return out


def run(spec: ir.Spec, parts, sources: SourceCache) -> tuple[ir.Spec, list[Diagnostic]]:
    """Link the constructs into ``spec`` and check them: (the spec, diagnostics)."""
    diags: list[Diagnostic] = []
    spec = relabel_methods(spec, parts, diags)
    spec = attrs.evolve(spec, distinctions=distinctions([p for p, _ in parts], diags))
    diags.extend(check_different(spec, sources))
    diags.extend(check_alternatives(spec))
    diags.extend(check_row_links(spec))
    return spec, diags
