"""The compiler: load a root file and its imports, link, check, solve.

``compile_file(path)`` returns a :class:`Compilation`: the :class:`ir.Spec`
(``None`` when the spec has errors that make it unusable) and every
diagnostic.  Stages: load and parse (:class:`Loader`), link and resolve
(:class:`Linker`), solve the rules of combination (:mod:`specc.solver`), run
the checks (:mod:`specc.checks`) and the plugins' checks.  The compiler knows
nothing of any awarding body; body-specific lints arrive through the
``specc_register_checks`` and ``specc_checks`` hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import attrs
from attrs import define, field, frozen

from . import checks, checks_fidelity, ir, solver
from .diagnostics import Diagnostic, SourceCache, did_you_mean
from .lower import FileDecls
from .source import Loader, SourceLoader, display_path
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


def compile_file(
    path: str | Path,
    plugin_checks: Callable[[ir.Spec, checks.Context], Iterable[Diagnostic]] | None = None,
    source: SourceLoader | None = None,
) -> Compilation:
    """Load (through ``source``, default: the project of ``path``; see
    :mod:`specc.source`), link and resolve, solve, then run the checks
    (:mod:`specc.checks`) and the plugins' checks (``plugin_checks(spec, ctx)``,
    for example :func:`specc.plugins.checks`)."""
    sources = SourceCache()
    diags: list[Diagnostic] = []
    loader = Loader(sources, diags, source)
    root = Path(path)
    parts = collect(loader, root)
    # every file read, whether or not it parsed (so no file the spec imports
    # is taken for one that no spec imports)
    read = [p.file for p, _ in parts]
    read += [f for f in (display_path(k) for k in loader.cache) if f not in read]
    comp = Compilation(display_path(root.resolve()), None, diags, sources, read)
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
    linked = Linker(root_decls.document, parts, diags, sources, documented, loader.method_uses).link()
    fidelity, more = checks_fidelity.run(linked.spec, parts, sources)  # issue 11 constructs (specc/checks_fidelity.py)
    diags.extend(more)
    spec = solver.solve_spec(fidelity, skip=linked.unsolved)
    ctx = checks.Context(sources, linked.foreign_sets, linked.unsolved)
    diags.extend(checks.run(spec, ctx))
    if plugin_checks is not None:
        diags.extend(plugin_checks(spec, ctx))
    comp.spec = spec
    return _finish(comp)


def _finish(comp: Compilation) -> Compilation:
    # de-duplicate (a file imported twice reports its problems once) and sort
    # by place, except that duplicate ids (E010) come first: the errors they
    # cause elsewhere (an unknown unit, unsatisfiable rules) follow from them
    seen = set()
    uniq = []
    for d in comp.diagnostics:
        key = (d.code, d.message, d.span)
        if key not in seen:
            seen.add(key)
            uniq.append(d)
    uniq.sort(key=lambda d: (d.code != "E010", d.sort_key()))
    comp.diagnostics[:] = uniq
    return comp


def narrow(span: ir.Span, word: str, sources: SourceCache) -> ir.Span:
    """The span of ``word`` inside ``span`` (for precise underlines)."""
    return checks.Context(sources).narrow(span, word)


@frozen
class Linked:
    """What the linker found: the resolved spec (not yet solved) and two
    facts for the checks (see :class:`specc.checks.Context`)."""

    spec: ir.Spec
    foreign_sets: frozenset[str]
    unsolved: frozenset[str]


class Linker:
    """Merges the declarations of a spec's files and resolves their
    references (E010-E013, E041); the semantic checks are passes in
    :mod:`specc.checks`."""

    def __init__(
        self,
        document: ir.Document,
        parts,
        diags: list[Diagnostic],
        sources: SourceCache,
        documented: set[str] = frozenset(),
        method_uses: Iterable[tuple[str, ir.Span]] = (),
    ):
        self.document = document
        self.documented = documented  # files (display names) that declare a document
        self.parts = parts
        self.diags = diags
        self.sources = sources
        self.method_uses = list(method_uses)

    def err(self, code: str, msg: str, span: ir.Span | None, help: str | None = None, word: str | None = None, notes=()) -> None:
        if span is not None and word is not None:
            span = narrow(span, word, self.sources)
        self.diags.append(Diagnostic(code, msg, span, help=help, notes=notes))

    def link(self) -> Linked:
        units: dict[str, ir.Unit] = {}
        groups: dict[str, ir.Group] = {}
        quals: dict[str, ir.Qualification] = {}
        rsets: dict[str, ir.RequirementSet] = {}
        barred: list[ir.Barred] = []
        terms: list[ir.GlossaryEntry] = []
        verbs: list[ir.GlossaryEntry] = []
        gtitle = None
        methods: list[ir.EvidenceMethod] = [ir.EvidenceMethod(k, v) for k, v in EVIDENCE_METHODS.items()]
        method_ids: set[str] = set(EVIDENCE_METHODS)
        docs_by_alias: dict[str | None, str] = {}  # the document of each (aliased) import
        spec_aliases: set[str] = set()  # aliases whose import is a spec root (has a document)
        self.twice: set[str] = set()  # unit ids declared more than once
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
                if m.id in method_ids:
                    self.err("E010", f"evidence method `{m.id}` is already defined", None)
                else:
                    method_ids.add(m.id)
                    methods.append(m)
        self._check_methods(method_ids)
        # which document declares each requirement set
        rsets = {
            k: (attrs.evolve(v, origin=self._origin(v, docs_by_alias)) if v.origin is None else v) for k, v in rsets.items()
        }
        # names resolve against the declared units and sets, and the groups
        # once resolved (a rule's group stands for its known units)
        self.units, self.rsets = units, rsets
        self.groups = {gid: self._resolve_group(g) for gid, g in groups.items()}
        self.barred = self._resolve_barred(barred)
        unit_list = [self._resolve_unit(u) for u in units.values()]
        foreign = set()
        for rs in rsets.values():
            # a set imported under an alias from a spec root (a file with its
            # own document), directly or through its imports, is checked in
            # that spec; one from a plain part is checked here
            alias = rs.id.rsplit(".", 1)[0] if "." in rs.id else ""
            parts = alias.split(".") if alias else []
            if any(".".join(parts[:i]) in spec_aliases for i in range(1, len(parts) + 1)):
                foreign.add(rs.id)
        unsolved: set[str] = set()
        qual_list = []
        for q in quals.values():
            q, ok = self._resolve_qualification(q)
            qual_list.append(q)
            if not ok:
                unsolved.add(q.id)
        spec = ir.Spec(
            document=self.document,
            qualifications=tuple(qual_list),
            groups=tuple(self.groups.values()),
            units=tuple(unit_list),
            barred=tuple(self.barred),
            glossary=ir.Glossary(gtitle, tuple(terms), tuple(verbs)),
            requirement_sets=tuple(rsets.values()),
            methods=tuple(methods),
            files=tuple([root_file] + [d.file for d, _ in self.parts[:-1]]),
        )
        return Linked(spec, frozenset(foreign), frozenset(unsolved))

    def _check_methods(self, method_ids: set[str]) -> None:
        """E013: every evidence method a file names is built in or declared."""
        for u, sp in self.method_uses:
            if u not in method_ids:
                self.err(
                    "E013",
                    f"unknown evidence method `{u}`",
                    sp,
                    help=did_you_mean(u, method_ids) or "declare it in the document with `method NAME \"label\"`, or put free text in a `note`",
                )

    def _rset_hint(self, name: str) -> str:
        alias, _, _ = name.rpartition(".")
        if alias:
            have = sorted(k for k in self.rsets if k.startswith(alias + "."))
            if have:
                shown = ", ".join(f"`{k}`" for k in have[:5]) + (", ..." if len(have) > 5 else "")
                return f"`{alias}` declares no set `{name[len(alias) + 1:]}`; it has {shown}"
            return f"nothing is imported as `{alias}`: add `import \"PATH\" as {alias}`"
        return "import the file that declares it, e.g. `import \"PATH\" as NAME`, and write `NAME.<set>`"

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
            if kind == "unit":
                self.twice.add(x.id)
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

    def _resolve_group(self, g: ir.Group) -> ir.Group:
        out: dict[str, None] = {}
        for u in g.units:
            if u in out:
                self.err("E010", f"unit `{u}` is listed twice in group `{g.id}`", g.span, word=u)
                continue
            out.update(dict.fromkeys(self._unit_ref(u, g.span, f"group `{g.id}`")))
        return attrs.evolve(g, units=tuple(out))

    def _resolve_barred(self, barred: list[ir.Barred]) -> list[ir.Barred]:
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
    def _resolve_unit(self, u: ir.Unit) -> ir.Unit:
        """Rows that name whole outcomes get those outcomes' criteria; the
        requirement sets a unit is assessed under must exist (E012)."""
        if "." not in u.id:
            for name in u.assessed_under:
                if name not in self.rsets:
                    self.err(
                        "E012",
                        f"unknown requirement set `{name}`",
                        u.span,
                        word=name,
                        help=did_you_mean(name, self.rsets) or self._rset_hint(name),
                    )
        if not any(row.outcomes for row in u.evidence_guide):
            return u
        rows = []
        for row in u.evidence_guide:
            if row.outcomes:
                refs: list[str] = list(row.criteria)
                for n in row.outcomes:
                    o = u.outcome(n)
                    if o is not None:  # else W030 (specc.checks.evidence)
                        refs.extend(c.ref for c in o.criteria if c.ref not in refs)
                row = attrs.evolve(row, criteria=tuple(refs))
            rows.append(row)
        return attrs.evolve(u, evidence_guide=tuple(rows))

    # ------------------------------------------------------------------ qualifications
    def _resolve_qualification(self, q: ir.Qualification) -> tuple[ir.Qualification, bool]:
        """The qualification with its rules' groups resolved to units, its
        allowed and mandatory units; and whether it can be solved (not when
        a name is unknown, or names a unit declared twice)."""
        if not q.rules:
            return q, True  # E044 (specc.checks.rules)
        allowed: dict[str, None] = {}  # ordered sets: membership in O(1)
        mandatory: dict[str, None] = {}
        rules: list[ir.Rule] = []
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
                allowed.update(dict.fromkeys(us))
                rules.append(r)
            elif isinstance(r, (ir.CreditsFrom, ir.Remaining)):
                found: dict[str, None] = {}
                for name in r.sources:
                    found.update(dict.fromkeys(resolve(name, r.span, groups=True)))
                allowed.update(found)
                rules.append(attrs.evolve(r, units=tuple(found)))
            else:
                rules.append(r)
        order = {u: i for i, u in enumerate(self.units)}
        q = attrs.evolve(q, rules=tuple(rules), units=tuple(sorted(allowed, key=lambda x: order.get(x, 0))), mandatory=tuple(mandatory))
        # a unit declared twice: which one the rules mean is unknown, so
        # solving would report what follows from the duplicate, not the rules
        return q, not unresolved and not (self.twice & set(allowed))
