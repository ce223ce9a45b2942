"""The compiler: load a root file and its imports, link, check, solve.

``compile_file(path)`` returns a :class:`Compilation`: the :class:`ir.Spec`
(``None`` when the spec has errors that make it unusable) and every
diagnostic.  The compiler knows nothing of any awarding body; body-specific
lints arrive through the ``specc_checks`` hook.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs
from attrs import define, field

from . import ir, solver
from . import checks_fidelity
from .diagnostics import Diagnostic, SourceCache, did_you_mean
from .lower import FileDecls, lower
from .syntax import parse
from .vocab import EVIDENCE_METHODS

SOURCE_SUFFIX = ".specc"


@define
class Compilation:
    root: str
    spec: ir.Spec | None
    diagnostics: list[Diagnostic]
    sources: SourceCache
    files: list[str] = field(factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors


def display_path(path: Path) -> str:
    """Paths in diagnostics: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class Loader:
    """Reads, parses and lowers files once each, following imports."""

    def __init__(self, sources: SourceCache, diags: list[Diagnostic]):
        self.sources = sources
        self.diags = diags
        self.cache: dict[Path, FileDecls | None] = {}
        self.texts: dict[Path, str] = {}
        self.method_uses: list = []

    def read(self, path: Path, span: ir.Span | None = None) -> FileDecls | None:
        path = path.resolve()
        if path in self.cache:
            return self.cache[path]
        name = display_path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            reason = e.strerror or str(e)
            self.diags.append(
                Diagnostic("E003", f"cannot read `{name}`: {reason}", span, help="check the path; imports are relative to the importing file")
            )
            self.cache[path] = None
            return None
        try:
            text = data.decode("utf-8-sig")  # a byte-order mark is not part of the text
        except UnicodeDecodeError as e:
            self.diags.append(_not_utf8(name, data, e))
            self.sources.add(name, data.decode("utf-8-sig", errors="replace"))  # to show the line
            self.cache[path] = None
            return None
        self.texts[path] = text
        self.sources.add(name, text)
        decls, uses, diags = _parse_and_lower(name, text)
        self.diags.extend(diags)
        self.method_uses.extend(uses)
        self.cache[path] = decls
        return decls


def _not_utf8(name: str, data: bytes, e: UnicodeDecodeError) -> Diagnostic:
    """E003 at the first byte that is not UTF-8 (line and column in characters)."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    good = data[bom : e.start].decode("utf-8", errors="replace")
    line = good.count("\n") + 1
    col = len(good) - (good.rfind("\n") + 1) + 1
    return Diagnostic(
        "E003",
        f"`{name}` is not UTF-8 text",
        ir.Span(name, line, col, line, col + 1),
        help="save the file as UTF-8",
        notes=(f"byte 0x{data[e.start]:02x} at offset {e.start} is not valid UTF-8",),
    )


_PARSED: dict[tuple[str, str], tuple] = {}
_PARSED_MAX = 512


def _parse_and_lower(name: str, text: str) -> tuple[FileDecls | None, list, list[Diagnostic]]:
    """Parse and lower one file; the result is kept for the process, so a
    file that several specs import (the CfA requirements under NCFE) is
    parsed once per build.  Keyed by name and text: a changed file is
    parsed again.  FileDecls and diagnostics are not mutated by users."""
    key = (name, text)
    hit = _PARSED.get(key)
    if hit is None:
        diags: list[Diagnostic] = []
        tree, errs = parse(text, name)
        diags.extend(errs)
        if tree is None:
            hit = (None, [], diags)
        else:
            decls, uses = lower(tree, name, diags)
            hit = (decls, list(uses), diags)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = hit
    decls, uses, diags = hit
    return decls, list(uses), list(diags)


def _qualify(decls: FileDecls, alias: str) -> FileDecls:
    """Prefix every id a file declares with ``alias.`` (an aliased import)."""

    def q(x: str) -> str:
        return f"{alias}.{x}"

    out = FileDecls(decls.file)
    out.units = [attrs.evolve(u, id=q(u.id)) for u in decls.units]
    out.groups = [attrs.evolve(g, id=q(g.id), units=tuple(q(x) for x in g.units)) for g in decls.groups]
    out.requirement_sets = [attrs.evolve(r, id=q(r.id)) for r in decls.requirement_sets]
    out.glossaries = []
    out.document = decls.document  # kept so the linker knows whose sets these are (``origin``)
    return out


def collect(loader: Loader, root: Path) -> list[tuple[FileDecls, str | None]]:
    """The root file and everything it imports, in import order, each once.
    Aliased imports contribute their declarations under ``alias.``."""
    out: list[tuple[FileDecls, str | None]] = []
    done: set[tuple[Path, str | None]] = set()

    def visit(path: Path, alias: str | None, chain: tuple[Path, ...], span: ir.Span | None) -> None:
        path = path.resolve()
        if path in chain:
            cyc = " -> ".join(display_path(p) for p in chain + (path,))
            loader.diags.append(Diagnostic("E004", f"import cycle: {cyc}", span, help="remove one of these imports"))
            return
        if (path, alias) in done:
            return
        decls = loader.read(path, span)
        if decls is None:
            return
        done.add((path, alias))
        for imp in decls.imports:
            target = (path.parent / imp.path)
            sub_alias = imp.alias if alias is None else (f"{alias}.{imp.alias}" if imp.alias else alias)
            visit(target, sub_alias, chain + (path,), imp.span)
        out.append((decls if alias is None else _qualify(decls, alias), alias))

    visit(root, None, (), None)
    return out


def compile_file(path: str | Path, plugin_checks: Callable[[ir.Spec], Iterable[Diagnostic]] | None = None) -> Compilation:
    sources = SourceCache()
    diags: list[Diagnostic] = []
    loader = Loader(sources, diags)
    root = Path(path)
    parts = collect(loader, root)
    comp = Compilation(display_path(root.resolve()), None, diags, sources, [p.file for p, _ in parts])
    if not parts or any(d.code in ("E001", "E002", "E003") for d in diags):
        return _finish(comp)
    root_decls = parts[-1][0]
    if root_decls.document is None:
        diags.append(
            Diagnostic(
                "E007",
                f"`{root_decls.file}` has no `document` declaration",
                ir.Span(root_decls.file, 1, 1, 1, 2),
                help="a spec's root file declares its document; files it imports need none",
            )
        )
        return _finish(comp)
    documented = {d.file for d in loader.cache.values() if d is not None and d.document is not None}
    linker = Linker(root_decls.document, parts, diags, sources, documented)
    spec = linker.link()
    spec, more = checks_fidelity.run(spec, parts, sources)  # issue 11 constructs (specc/checks_fidelity.py)
    diags.extend(more)
    for u, sp in loader.method_uses:
        if u not in linker.method_ids:
            diags.append(
                Diagnostic(
                    "E013",
                    f"unknown evidence method `{u}`",
                    sp,
                    help=did_you_mean(u, linker.method_ids) or "declare it in the document with `method NAME \"label\"`, or put free text in a `note`",
                )
            )
    if plugin_checks is not None:
        diags.extend(plugin_checks(spec))
    comp.spec = spec
    return _finish(comp)


def _finish(comp: Compilation) -> Compilation:
    # de-duplicate (a file imported twice reports its problems once) and sort
    seen = set()
    uniq = []
    for d in comp.diagnostics:
        key = (d.code, d.message, d.span)
        if key not in seen:
            seen.add(key)
            uniq.append(d)
    uniq.sort(key=Diagnostic.sort_key)
    comp.diagnostics[:] = uniq
    return comp


def narrow(span: ir.Span, word: str, sources: SourceCache) -> ir.Span:
    """The span of ``word`` inside ``span`` (for precise underlines)."""
    for ln in range(span.line, span.end_line + 1):
        text = sources.line(span.file, ln)
        if text is None:
            continue
        start = span.col - 1 if ln == span.line else 0
        m = re.search(r"(?<![\w.])" + re.escape(word) + r"(?![\w])", text[start:])
        if m:
            c = start + m.start() + 1
            return ir.Span(span.file, ln, c, ln, c + len(word))
    return span


class Linker:
    """Merges declarations, resolves references and runs the semantic checks."""

    def __init__(self, document: ir.Document, parts, diags: list[Diagnostic], sources: SourceCache, documented: set[str] = frozenset()):
        self.document = document
        self.documented = documented  # files (display names) that declare a document
        self.parts = parts
        self.diags = diags
        self.sources = sources
        self.method_ids: set[str] = set(EVIDENCE_METHODS)

    def err(self, code: str, msg: str, span: ir.Span | None, help: str | None = None, word: str | None = None, notes=()) -> None:
        if span is not None and word is not None:
            span = narrow(span, word, self.sources)
        self.diags.append(Diagnostic(code, msg, span, help=help, notes=notes))

    # ------------------------------------------------------------------ link
    def link(self) -> ir.Spec:
        units: dict[str, ir.Unit] = {}
        groups: dict[str, ir.Group] = {}
        quals: dict[str, ir.Qualification] = {}
        rsets: dict[str, ir.RequirementSet] = {}
        barred: list[ir.Barred] = []
        terms: list[ir.GlossaryEntry] = []
        verbs: list[ir.GlossaryEntry] = []
        gtitle = None
        methods: list[ir.EvidenceMethod] = [ir.EvidenceMethod(k, v) for k, v in EVIDENCE_METHODS.items()]
        docs_by_alias: dict[str | None, str] = {}  # the document of each (aliased) import
        spec_aliases: set[str] = set()  # aliases whose import is a spec root (has a document)
        root_file = self.parts[-1][0].file
        for decls, alias in self.parts:
            if decls.document:
                docs_by_alias.setdefault(alias, decls.document.id)
            if alias is not None and decls.file in self.documented:
                spec_aliases.add(alias)
            local = alias is None
            for kind, table, items in (
                ("unit", units, decls.units),
                ("group", groups, decls.groups),
                ("requirement set", rsets, decls.requirement_sets),
            ):
                for x in items:
                    self._declare(kind, table, x)
            if not local:
                continue
            for q in decls.qualifications:
                self._declare("qualification", quals, q)
            barred.extend(decls.barred)
            for g in decls.glossaries:
                gtitle = gtitle or g.title
                terms.extend(g.terms)
                verbs.extend(g.verbs)
            for m in decls.methods:
                if m.id in self.method_ids:
                    self.err("E010", f"evidence method `{m.id}` is already defined", None)
                else:
                    self.method_ids.add(m.id)
                    methods.append(m)
        # which document declares each requirement set
        rsets = {
            k: (attrs.evolve(v, origin=self._origin(v, docs_by_alias)) if v.origin is None else v) for k, v in rsets.items()
        }
        self.units, self.groups, self.rsets = units, groups, rsets

        groups_resolved = {gid: self._check_group(g) for gid, g in groups.items()}
        self.groups = groups_resolved
        barred = self._check_barred(barred)
        self.barred = barred
        unit_list = [self._expand_rows(u, report=False) if "." in u.id else self._check_unit(u) for u in units.values()]
        self.units = {u.id: u for u in unit_list}
        glossary = ir.Glossary(gtitle, tuple(terms), tuple(verbs))
        self._check_verbs(unit_list, glossary)
        for rs in rsets.values():
            # a set imported under an alias from a spec root (a file with its
            # own document), directly or through its imports, is checked in
            # that spec; one from a plain part is checked here
            alias = rs.id.rsplit(".", 1)[0] if "." in rs.id else ""
            parts = alias.split(".") if alias else []
            if not any(".".join(parts[:i]) in spec_aliases for i in range(1, len(parts) + 1)):
                self._check_requirements(rs)
        self._check_history()
        qual_list = [self._check_qualification(q) for q in quals.values()]
        spec = ir.Spec(
            document=self.document,
            qualifications=tuple(qual_list),
            groups=tuple(groups_resolved.values()),
            units=tuple(unit_list),
            barred=tuple(barred),
            glossary=glossary,
            requirement_sets=tuple(rsets.values()),
            methods=tuple(methods),
            files=tuple([root_file] + [d.file for d, _ in self.parts[:-1]]),
        )
        self._check_duplicate_text(spec)
        return spec

    @staticmethod
    def _missing_ref_hint(u: ir.Unit, ref: str, covered: set[str]) -> str:
        """For a guide row naming a criterion the unit lacks: the criteria of
        the same outcome that no row covers (the likely intended ones), else
        the closest spelling."""
        outcome = ref.split(".")[0]
        orphans = [c.ref for c in u.criteria if c.ref.split(".")[0] == outcome and c.ref not in covered]
        if orphans:
            return f"did you mean {' or '.join(f'`{r}`' for r in orphans)}? (in outcome {outcome}, not covered by any row)"
        return did_you_mean(ref, [c.ref for c in u.criteria]) or "check the criterion numbers of this unit"

    def _rset_hint(self, name: str) -> str:
        alias, _, _ = name.rpartition(".")
        if alias:
            have = sorted(k for k in self.rsets if k.startswith(alias + "."))
            if have:
                shown = ", ".join(f"`{k}`" for k in have[:5]) + (", ..." if len(have) > 5 else "")
                return f"`{alias}` declares no set `{name[len(alias) + 1:]}`; it has {shown}"
            return f"nothing is imported as `{alias}`: add `import \"PATH\" as {alias}`"
        return "import the file that declares it, e.g. `import \"PATH\" as NAME`, and write `NAME.<set>`"

    def _why_unsatisfiable(self, q: ir.Qualification) -> str:
        """The first plain reason a qualification's rules fail, if one is simple
        to state (credits that cannot add up); else the generic advice."""
        def credits(units) -> int:
            return sum(self.units[u].credits or 0 for u in units if u in self.units)

        total = credits(q.units)
        for r in q.rules:
            if isinstance(r, ir.MinTotal) and total < r.credits:
                return f"all the units its rules allow give {total} credits; it needs at least {r.credits}"
            if isinstance(r, ir.CreditsFrom) and r.op in ("at_least", "exactly") and credits(r.units) < r.credits:
                return f"{', '.join(r.sources)} give{'s' if len(r.sources) == 1 else ''} {credits(r.units)} credits at most; the rule needs {r.credits}"
        mand = credits(q.mandatory)
        for r in q.rules:
            if isinstance(r, ir.MaxTotal) and mand > r.credits:
                return f"the mandatory units alone give {mand} credits, more than the maximum of {r.credits}"
        return "no combination of its units meets every rule; check credit counts, groups and barred pairs"

    def _origin(self, rs: ir.RequirementSet, docs_by_alias: dict) -> str | None:
        """The document a set belongs to: this spec's for its own sets (in
        any file it imports without an alias), the imported spec's for a set
        under an alias (``cfa.x`` -> the document of the ``cfa`` import)."""
        if "." not in rs.id:
            return self.document.id
        return docs_by_alias.get(rs.id.rsplit(".", 1)[0])

    def _declare(self, kind: str, table: dict, x) -> None:
        if x.id in table:
            first = table[x.id]
            self.err(
                "E010",
                f"{kind} `{x.id}` is declared twice",
                x.span,
                word=x.id.split(".")[-1],
                help=f"the first declaration is at {first.span}; give one of them another id",
            )
            return
        table[x.id] = x

    # ------------------------------------------------------------------ references
    def _unit_ref(self, name: str, span: ir.Span, what: str, allow_groups: bool = False) -> list[str]:
        """Resolve a unit (or group) reference to unit ids, reporting E011."""
        if name in self.units:
            return [name]
        if allow_groups and name in self.groups:
            g = self.groups[name]
            return list(g.units)
        cands = list(self.units) + (list(self.groups) if allow_groups else [])
        kind = "unit or group" if allow_groups else "unit"
        self.err("E011", f"unknown {kind} `{name}` in {what}", span, word=name, help=did_you_mean(name, cands))
        return []

    def _check_group(self, g: ir.Group) -> ir.Group:
        out: dict[str, None] = {}
        for u in g.units:
            if u in out:
                self.err("E010", f"unit `{u}` is listed twice in group `{g.id}`", g.span, word=u)
                continue
            out.update(dict.fromkeys(self._unit_ref(u, g.span, f"group `{g.id}`")))
        return attrs.evolve(g, units=tuple(out))

    def _check_barred(self, barred: list[ir.Barred]) -> list[ir.Barred]:
        out = []
        seen = set()
        for b in barred:
            ok = bool(self._unit_ref(b.a, b.span, "barred pair")) & bool(self._unit_ref(b.b, b.span, "barred pair"))
            if b.a == b.b:
                self.err("E041", f"unit `{b.a}` is barred with itself", b.span, help="a barred pair names two different units")
                continue
            key = frozenset((b.a, b.b))
            if key in seen:
                continue
            seen.add(key)
            if ok:
                out.append(b)
        return out

    # ------------------------------------------------------------------ units
    def _expand_rows(self, u: ir.Unit, report: bool = True) -> ir.Unit:
        """Give each ``row outcome 1, 3`` the criteria of those outcomes
        (W030 for an outcome the unit does not have)."""
        if not any(row.outcomes for row in u.evidence_guide):
            return u
        rows = []
        for row in u.evidence_guide:
            if row.outcomes:
                refs: list[str] = list(row.criteria)
                for n in row.outcomes:
                    o = u.outcome(n)
                    if o is None:
                        if report:
                            self.err(
                                "W030",
                                f"the evidence guide of unit {u.label} names outcome {n}, which does not exist",
                                row.span,
                                word=str(n),
                                help=did_you_mean(str(n), [str(x.number) for x in u.outcomes])
                                or f"unit {u.label} has outcomes {', '.join(str(x.number) for x in u.outcomes) or 'none'}",
                            )
                        continue
                    refs.extend(c.ref for c in o.criteria if c.ref not in refs)
                row = attrs.evolve(row, criteria=tuple(refs))
            rows.append(row)
        return attrs.evolve(u, evidence_guide=tuple(rows))

    def _check_reuse(self, u: ir.Unit, r: ir.Reuse, who: str) -> None:
        """A reuse link must name a unit and criteria that exist (W032)."""
        target = u if r.unit is None else self.units.get(r.unit)
        if target is None:
            self.err(
                "W032",
                f"{who} of unit {u.label} reuses evidence from unit `{r.unit}`, which does not exist",
                r.span,
                word=r.unit,
                help=did_you_mean(r.unit, self.units),
            )
            return
        trefs = {x.ref for x in target.criteria}
        for ref in r.criteria:
            if ref not in trefs:
                self.err(
                    "W032",
                    f"reuse link names criterion {ref} of unit {target.label}, which does not exist",
                    r.span,
                    word=ref,
                    help=did_you_mean(ref, trefs),
                )

    def _check_unit(self, u: ir.Unit) -> ir.Unit:
        u = self._expand_rows(u)
        refs = {c.ref for c in u.criteria}
        # outcome numbering
        self._numbering([(o.number, o.span) for o in u.outcomes], f"unit {u.label}", "outcome")
        for o in u.outcomes:
            self._numbering([(c.number, c.span) for c in o.criteria], f"outcome {o.number} of unit {u.label}", "criterion", prefix=f"{o.number}.")
        # assessed under
        for name in u.assessed_under:
            if name not in self.rsets:
                self.err(
                    "E012",
                    f"unknown requirement set `{name}`",
                    u.span,
                    word=name,
                    help=did_you_mean(name, self.rsets) or self._rset_hint(name),
                )
        # reuse links
        for c in u.criteria:
            for r in c.reuse:
                self._check_reuse(u, r, f"criterion {c.ref}")
                if r.unit in (None, u.id) and c.ref in r.criteria:
                    self.err(
                        "W032",
                        f"criterion {c.ref} of unit {u.label} reuses its own evidence",
                        r.span,
                        word=c.ref,
                        help="a reuse link names another criterion whose evidence may count here; name that criterion or remove the link",
                    )
        for row in u.evidence_guide:
            for r in row.reuse:
                self._check_reuse(u, r, f"the evidence-guide row for {', '.join(row.criteria) or 'no criteria'}")
                for ref in r.for_criteria:
                    if r.unit in (None, u.id) and ref in r.criteria:
                        self.err(
                            "W032",
                            f"a reuse link in unit {u.label} makes criterion {ref} reuse its own evidence",
                            self._for_span(r.span),
                            word=ref,
                            help="`for` names the criteria that may reuse the evidence of the others; drop it from one side",
                        )
                    if ref not in row.criteria:
                        self.err(
                            "W032",
                            f"a reuse link is for criterion {ref}, which its evidence-guide row in unit {u.label} does not name",
                            self._for_span(r.span),
                            word=ref,
                            help=did_you_mean(ref, row.criteria) or f"the row names {', '.join(row.criteria) or 'no criteria'}",
                        )
        # evidence guide
        covered = {ref for row in u.evidence_guide for ref in row.criteria}
        for row in u.evidence_guide:
            for ref in row.criteria:
                if ref not in refs:
                    self.err(
                        "W030",
                        f"the evidence guide of unit {u.label} names criterion {ref}, which does not exist",
                        row.span,
                        word=ref,
                        help=self._missing_ref_hint(u, ref, covered),
                    )
        if u.evidence_guide:
            for c in u.criteria:
                if c.ref not in covered:
                    self.err(
                        "W033",
                        f"criterion {c.ref} of unit {u.label} is not covered by any evidence-guide row",
                        c.span,
                        help="add it to a `row` of the unit's `evidence guide`",
                    )
        return u

    def _for_span(self, span: ir.Span) -> ir.Span:
        """A reuse link's span from its `for` keyword on (to underline a `for` criterion)."""
        at = narrow(span, "for", self.sources)
        return span if at == span else ir.Span(span.file, at.line, at.col, span.end_line, span.end_col)

    def _numbering(self, items: list[tuple[int, ir.Span]], where: str, what: str, prefix: str = "") -> None:
        seen: dict[int, ir.Span] = {}
        expected = 1
        for n, span in items:
            word = None if prefix else str(n)
            if n in seen:
                self.err("W022", f"{what} {prefix}{n} appears twice in {where}", span, word=word, help=f"the first is at line {seen[n].line}")
                continue
            seen[n] = span
            if n > expected:
                missing = f"{prefix}{expected}" if n == expected + 1 else f"{prefix}{expected}-{prefix}{n - 1}"
                self.err("W021", f"{what} numbering in {where} skips {missing}", span, word=word)
            expected = max(expected, n + 1)

    def _check_verbs(self, units: list[ir.Unit], glossary: ir.Glossary) -> None:
        if not glossary.verbs:
            return
        known = {v.key for v in glossary.verbs}
        for u in units:
            if "." in u.id:
                continue
            for o in u.outcomes:
                if o.kind != "knowledge":
                    continue
                for c in o.criteria:
                    if c.verb and c.verb not in known:
                        self.err(
                            "W060",
                            f"command verb `{c.verb}` of criterion {c.ref} in unit {u.label} is not in the glossary",
                            c.span,
                            help=did_you_mean(c.verb, known) or "add it to the glossary with `verb`",
                        )

    def _check_requirements(self, rs: ir.RequirementSet) -> None:
        self._numbering([(r.number, r.span) for r in rs.requirements], f"requirements `{rs.id}`", "requirement")
        for r in rs.requirements:
            for rg in r.ranges:
                letters = [i.letter for i in rg.items]
                want = [chr(ord("a") + i) for i in range(len(letters))]
                if letters != want:
                    bad = next(i for i, (a, b) in enumerate(zip(letters, want, strict=False)) if a != b) if any(
                        a != b for a, b in zip(letters, want, strict=False)
                    ) else 0
                    self.err(
                        "W051",
                        f"range items of requirement {r.number} in `{rs.id}` are lettered {', '.join(letters)}",
                        rg.items[bad].span if rg.items else rg.span,
                        help=f"expected {', '.join(want)}",
                    )

    def _check_history(self) -> None:
        prev = None
        for ch in self.document.history:
            if prev is not None and ch.date.key < prev.date.key:
                self.err(
                    "W061",
                    f"version {ch.version} ({ch.date}) is dated before version {prev.version} ({prev.date}) above it",
                    ch.span,
                    word=str(ch.date),
                    help="the version history is usually in date order; check the date",
                )
            prev = ch if prev is None or ch.date.key >= prev.date.key else prev

    def _check_duplicate_text(self, spec: ir.Spec) -> None:
        seen: dict[str, tuple[str, ir.Span]] = {}
        min_len = 60

        def visit(label: str, text: ir.Text | None, span: ir.Span) -> None:
            if text is None:
                return
            key = " ".join(text.value.split()).lower()
            if len(key) < min_len:
                return
            if key in seen:
                first_label, first_span = seen[key]
                self.err(
                    "W062",
                    f"{label} repeats the text of {first_label} word for word",
                    span,
                    help="a likely copy-paste: check the source",
                    notes=(f"the first copy is at {first_span}",),
                )
            else:
                seen[key] = (label, span)

        for u in spec.units:
            if "." in u.id:
                continue
            visit(f"the aim of unit {u.label}", u.aim, u.span)
            for c in u.criteria:
                for _i, g in enumerate(c.guidance):
                    visit(f"the guidance for {c.ref} in unit {u.label}", g.text, g.span)

    # ------------------------------------------------------------------ qualifications
    def _check_qualification(self, q: ir.Qualification) -> ir.Qualification:
        if not q.rules:
            self.err("E044", f"qualification `{q.id}` has no rules of combination", q.span, word=q.id, help="add a `rules { ... }` block")
            return q
        allowed: dict[str, None] = {}  # ordered sets: membership in O(1)
        mandatory: dict[str, None] = {}
        rules: list[ir.Rule] = []

        def add(us):
            allowed.update(dict.fromkeys(us))

        unresolved = False

        def resolve(name, span, groups=False):
            nonlocal unresolved
            got = self._unit_ref(name, span, f"the rules of `{q.id}`", allow_groups=groups)
            unresolved = unresolved or not got
            return got

        for r in q.rules:
            if isinstance(r, ir.Mandatory):
                us = [x for name in r.units for x in resolve(name, r.span)]
                mandatory.update(dict.fromkeys(us))
                add(us)
                rules.append(r)
            elif isinstance(r, (ir.CreditsFrom, ir.Remaining)):
                found: dict[str, None] = {}
                for name in r.sources:
                    found.update(dict.fromkeys(resolve(name, r.span, groups=True)))
                add(found)
                rules.append(attrs.evolve(r, units=tuple(found)))
            else:
                rules.append(r)
        order = {u: i for i, u in enumerate(self.units)}
        q = attrs.evolve(q, rules=tuple(rules), units=tuple(sorted(allowed, key=lambda x: order.get(x, 0))), mandatory=tuple(mandatory))
        if unresolved:
            return q  # the unknown names are reported; solving would only echo them
        for b in self.barred:
            if b.a in mandatory and b.b in mandatory:
                unresolved = True
                self.err(
                    "E042",
                    f"mandatory units `{b.a}` and `{b.b}` of `{q.id}` are barred with each other",
                    b.span,
                    help="no learner could achieve this qualification",
                )
        if unresolved:
            return q
        problem = solver.problem_for(q, self.units, self.barred)
        summary = solver.solve(problem)
        q = attrs.evolve(q, routes=summary)
        if not summary.satisfiable:
            self.err(
                "E040",
                f"the rules of combination of `{q.id}` cannot be satisfied",
                q.span,
                word=q.id,
                help=self._why_unsatisfiable(q),
            )
            return q
        cheap = summary.cheapest
        route = ", ".join(self.units[u].label for u in cheap.units)
        if q.glh is not None and q.glh != summary.min_glh:
            self.err(
                "W043",
                f"`{q.id}` declares GLH {q.glh}, but its cheapest valid route has {summary.min_glh} GLH",
                q.span,
                word=q.id,
                notes=(f"cheapest route: units {route} ({cheap.credits} credits, {cheap.glh} GLH)",),
                help="a qualification's GLH is the GLH of its cheapest valid route",
            )
        if q.credits is not None and q.credits != summary.min_credits:
            self.err(
                "W043",
                f"`{q.id}` declares {q.credits} credits, but its smallest valid route has {summary.min_credits}",
                q.span,
                word=q.id,
                notes=(f"cheapest route: units {route} ({cheap.credits} credits, {cheap.glh} GLH)",),
            )
        if q.tqt is not None and q.glh is not None and q.tqt < q.glh:
            self.err("W043", f"`{q.id}` declares TQT {q.tqt}, less than its GLH {q.glh}", q.span, word=q.id)
        return q
