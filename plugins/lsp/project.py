"""The language server's model of the author's files: editor buffers over the
disk, the specs they belong to, their diagnostics and their names.

Nothing here speaks LSP (see :mod:`.server`); positions are 1-based lines and
columns as in :class:`specc.ir.Span`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from attrs import define, field

from specc import ir, plugins
from specc.compiler import Compilation, compile_file, display_path
from specc.project import ProjectError, find_project
from specc.source import SourceLoader
from specc.diagnostics import Diagnostic
from specc.parts import aliased_imports, importing_roots, is_root_text, project_root

from . import index as ix


def compile_with_overlay(root: Path, overlay: Mapping[Path, str], checks=None) -> Compilation:
    """Compile the spec whose root is ``root``, reading editor buffers
    (``overlay``: resolved path -> text) instead of the disk.

    The buffers enter through the project's one source loader (its
    ``overlay``), under the same confinement and size cap as files on disk."""

    data = {p: t.encode("utf-8", "surrogatepass") for p, t in overlay.items()}
    try:
        source = find_project(root).loader(overlay=data)
    except ProjectError:  # a broken specc.toml: confined to the root's folder (check reports the error)
        source = SourceLoader(Path(root).absolute().parent, overlay=data)
    return compile_file(root, plugin_checks=checks, source=source)


def quick_check_file(path: Path, text: str, previous: ir.Spec) -> list[Diagnostic]:
    """The diagnostics of one edited file of a large spec, checked against
    the rest of the spec as it was at the last full check: its syntax, its
    declarations and the checks of its units (numbering, evidence guide,
    reuse links into other units, `assessed under`, command verbs, methods).
    Checks that span files (duplicate ids and texts, rules of combination)
    wait for the full check that follows.

    The second place the server depends on compiler internals (the parse
    memo and the linker); kept here, in one function."""
    from specc import checks, checks_fidelity
    from specc.checks import evidence, numbering
    from specc.checks import text as text_checks
    from specc.compiler import Linker
    from specc.diagnostics import SourceCache
    from specc.lower import FileDecls
    from specc.source import _parse_and_lower

    name = display_path(path)
    decls, uses, diags = _parse_and_lower(name, text)
    if decls is None:
        return diags
    mine = {u.id for u in decls.units}
    wanted = {r.unit for u in decls.units for c in u.criteria for r in c.reuse if r.unit}
    wanted |= {r.unit for u in decls.units for row in u.evidence_guide for r in row.reuse if r.unit}
    wanted |= {x for u in decls.units for row in u.evidence_guide for lead in row.reuse_units for x in lead.units}
    wanted |= {s.unit for u in decls.units for row in u.evidence_guide for s in row.see if s.unit}
    context = FileDecls("<spec>")
    context.document = previous.document
    context.units = [u for u in previous.units if u.id in wanted and u.id not in mine and u.span.file != name]
    context.requirement_sets = [r for r in previous.requirement_sets if r.span.file != name]
    context.glossaries = [previous.glossary]
    context.methods = [m for m in previous.methods if not m.builtin]
    context.distinctions = [d for d in previous.distinctions if not d.builtin]  # declared `different` names
    sources = SourceCache()
    sources.add(name, text)
    found: list[Diagnostic] = []
    linked = Linker(previous.document, [(decls, None), (context, None)], found, sources, {"<spec>"}, method_uses=uses).link()
    # the checks local to a file's own units and sets (not the ones across
    # files: near-copies, rules of combination, history)
    local = [*numbering.CHECKS, *evidence.CHECKS, *(c for c in text_checks.CHECKS if all(k.code != "W062" for k in c.codes))]
    found += checks.run(linked.spec, checks.Context(sources, linked.foreign_sets), local)
    found += checks_fidelity.run(linked.spec, [(decls, None), (context, None)], sources)[1]  # issue 11 constructs
    out, seen = [], set()
    for d in diags + found:
        key = (d.code, d.message, d.span)
        if d.span is not None and d.span.file == name and key not in seen:
            seen.add(key)
            out.append(d)
    return sorted(out, key=Diagnostic.sort_key)


@define
class Resolved:
    """A name resolved in one spec: its definition (None if there is none)
    and the spec's compilation."""

    occurrence: ix.Occurrence
    definition: tuple[Path, ix.Occurrence] | None
    comp: Compilation | None
    fullname: str


@define
class Project:
    folders: list[Path] = field(factory=list)  # the workspace folders (project roots when no specc.toml)
    overlay: dict[Path, str] = field(factory=dict)  # open editor buffers
    with_plugins: bool = True
    _indexes: dict[Path, tuple[str, ix.FileIndex]] = field(factory=dict)
    comps: dict[Path, Compilation] = field(factory=dict)  # by root
    last_check: float = 0.0  # seconds the last check took
    full_seconds: dict[Path, float] = field(factory=dict)  # by root: how long its last full check took
    generation: int = 0  # bumped at each change of a buffer
    _roots: dict[Path, list[Path]] = field(factory=dict)
    _shape: dict[Path, tuple] = field(factory=dict)  # path -> (declares a document, its imports)
    _closures: dict[Path, list] = field(factory=dict)  # root -> its files and their aliases

    def set_text(self, path: Path, text: str | None) -> None:
        """A buffer changed (None: closed).  The cached answer to "which specs
        does this file belong to" is kept unless its imports or its
        `document` changed."""
        path = path.resolve()
        if text is None:
            self.overlay.pop(path, None)
        else:
            self.overlay[path] = text
        self.generation += 1
        current = self.text(path)
        shape = (is_root_text(current), tuple(m for m in (current or "").split("\n") if m.lstrip().startswith("import")))
        if self._shape.get(path) != shape:
            self._shape[path] = shape
            self._roots.clear()
            self._closures.clear()

    # ------------------------------------------------------------ files
    def text(self, path: Path) -> str | None:
        path = path.resolve()
        if path in self.overlay:
            return self.overlay[path]
        try:
            return path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None

    def index(self, path: Path) -> ix.FileIndex:
        """The index of a file's current text (an older good one while the
        text has syntax errors)."""
        path = path.resolve()
        text = self.text(path) or ""
        old = self._indexes.get(path)
        if old is not None and old[0] == text:
            return old[1]
        new = ix.build(text, display_path(path))
        if not new.ok and old is not None:
            new = ix.FileIndex(old[1].file, old[1].occurrences, old[1].imports, old[1].outline, False)
        self._indexes[path] = (text, new)
        return new

    def boundary(self, path: Path) -> Path:
        path = path.resolve()
        given = next((f for f in self.folders if f == path.parent or f in path.parents), None)
        return project_root(path, given)

    def roots_of(self, path: Path) -> list[Path]:
        """The spec roots a file belongs to: itself if it declares a document,
        else the roots that import it (itself when none does)."""
        path = path.resolve()
        hit = self._roots.get(path)
        if hit is None:
            if is_root_text(self.text(path)):
                hit = [path]
            else:
                hit = importing_roots(path, self.boundary(path), read=self.text) or [path]
            self._roots[path] = hit
        return hit

    def quick(self, path: Path, threshold: float) -> list[Diagnostic] | None:
        """The edited file's own diagnostics at once, when its spec is large
        (its last full check took over ``threshold`` seconds); else None."""
        path = path.resolve()
        roots = self.roots_of(path)
        if len(roots) != 1 or self.full_seconds.get(roots[0], 0.0) <= threshold:
            return None
        comp = self.comps.get(roots[0])
        text = self.text(path)
        if comp is None or comp.spec is None or text is None or path == roots[0]:
            return None
        return quick_check_file(path, text, comp.spec)

    def closure(self, root: Path) -> list[tuple[Path, str | None]]:
        """The files of a spec with the alias each is imported under, root
        first (import lines read as text: no file is parsed for this)."""
        root = root.resolve()
        hit = self._closures.get(root)
        if hit is not None:
            return hit
        out: list[tuple[Path, str | None]] = []
        seen: set[Path] = set()

        def visit(p: Path, alias: str | None) -> None:
            if p in seen:
                return
            seen.add(p)
            out.append((p, alias))
            for target, imp_alias in aliased_imports(p, self.text(p) or ""):
                sub = imp_alias if alias is None else (f"{alias}.{imp_alias}" if imp_alias else alias)
                visit(target, sub)

        visit(root, None)
        self._closures[root] = out
        return out

    # ------------------------------------------------------------ checking
    def check(self, path: Path) -> dict[Path, list[Diagnostic]]:
        """Compile every spec the file belongs to; the diagnostics of all
        their files by resolved path (merged across specs, duplicates removed).
        Files of those specs without diagnostics map to an empty list."""
        t = time.perf_counter()
        out: dict[Path, list[Diagnostic]] = {}
        seen: set[tuple] = set()
        checks = plugins.checks if self.with_plugins else None
        for root in self.roots_of(path):
            began = time.perf_counter()
            comp = compile_with_overlay(root, self.overlay, checks)
            self.full_seconds[root] = time.perf_counter() - began
            self.comps[root] = comp
            for f in comp.files:
                out.setdefault(Path(f).resolve(), [])
            out.setdefault(path.resolve(), [])
            for d in comp.diagnostics:
                key = (d.code, d.message, d.span)
                if key in seen:
                    continue
                seen.add(key)
                if d.span is None or d.span.line == 0:
                    target = Path(comp.root).resolve()
                else:
                    target = Path(d.span.file).resolve()
                out.setdefault(target, []).append(d)
        self.last_check = time.perf_counter() - t
        return out

    def comp_for(self, path: Path) -> tuple[Path, Compilation] | None:
        path = path.resolve()
        for root in self.roots_of(path):
            comp = self.comps.get(root)
            if comp is None:
                comp = self.comps[root] = compile_with_overlay(root, self.overlay, plugins.checks if self.with_plugins else None)
            return root, comp
        return None

    # ------------------------------------------------------------ names
    def _scope(self, root: Path, path: Path) -> str | None:
        for p, alias in self.closure(root):
            if p == path:
                return alias
        return None

    @staticmethod
    def _qualify(o: ix.Occurrence, scope: str | None) -> str:
        if o.kind in (ix.METHOD, ix.VERB, ix.FILE, ix.DOCUMENT, ix.QUALIFICATION):
            return o.name
        if o.kind in (ix.CRITERION, ix.OUTCOME):
            unit = o.unit or ""
            return f"{scope}.{unit}:{o.name}" if scope else f"{unit}:{o.name}"
        return f"{scope}.{o.name}" if scope else o.name

    def definitions(self, root: Path) -> dict[tuple[str, str], tuple[Path, ix.Occurrence]]:
        out: dict[tuple[str, str], tuple[Path, ix.Occurrence]] = {}
        for p, alias in self.closure(root):
            for o in self.index(p).occurrences:
                if o.is_def:
                    out.setdefault((o.kind, self._qualify(o, alias)), (p, o))
        return out

    def resolve(self, path: Path, line: int, col: int) -> Resolved | None:
        path = path.resolve()
        o = self.index(path).at(line, col)
        if o is None:
            return None
        found = self.comp_for(path)
        root = found[0] if found else path
        comp = found[1] if found else None
        scope = self._scope(root, path)
        if o.kind == ix.FILE:
            target = (path.parent / o.name).resolve()
            here = ix.Occurrence(ix.FILE, o.name, ir.Span(display_path(target), 1, 1, 1, 1), True)
            return Resolved(o, (target, here), comp, o.name)
        full = self._qualify(o, scope)
        kinds = [o.kind] + ([ix.GROUP] if o.group_ok or o.kind == ix.UNIT else [])
        if comp is not None and comp.spec is not None:
            # the compiled spec says which file declares the name: index that file only
            aliases = dict(self.closure(root))
            for k in kinds:
                where = _declaring_file(comp.spec, k, full)
                if where is None or where not in aliases:
                    continue
                for d in self.index(where).occurrences:
                    if d.is_def and d.kind == k and self._qualify(d, aliases[where]) == full:
                        return Resolved(o, (where, d), comp, full)
            return Resolved(o, None, comp, full)  # a name the spec does not declare
        defs = self.definitions(root)  # a spec that did not compile: every file's names
        for k in kinds:
            hit = defs.get((k, full))
            if hit is not None:
                return Resolved(o, hit, comp, full)
        return Resolved(o, None, comp, full)

    def references(self, path: Path, line: int, col: int, include_def: bool = True) -> list[tuple[Path, ix.Occurrence]]:
        """Every occurrence, in every spec the file belongs to, that resolves
        to the same definition as the name under the cursor."""
        r = self.resolve(path, line, col)
        if r is None or r.definition is None:
            return []
        target = (r.definition[0], r.definition[1].span)
        out: list[tuple[Path, ix.Occurrence]] = []
        seen: set[tuple[Path, ir.Span]] = set()
        roots = {root for p in {path.resolve(), r.definition[0]} for root in self.roots_of(p)}
        for root in sorted(roots):
            defs = self.definitions(root)
            for p, alias in self.closure(root):
                for o in self.index(p).occurrences:
                    if o.kind == ix.FILE or (o.is_def and not include_def):
                        continue
                    full = self._qualify(o, alias)
                    kinds = [o.kind] + ([ix.GROUP] if o.group_ok or o.kind == ix.UNIT else [])
                    hit = next((defs[(k, full)] for k in kinds if (k, full) in defs), None)
                    if hit is not None and (hit[0], hit[1].span) == target and (p, o.span) not in seen:
                        seen.add((p, o.span))
                        out.append((p, o))
        return out

    def spec_names(self, path: Path) -> dict[str, list[str]]:
        """Unit, group, requirement-set and method ids of the spec a file belongs to (for completion)."""
        found = self.comp_for(path)
        out: dict[str, list[str]] = {"unit": [], "group": [], "requirements": [], "method": [], "verb": []}
        if found is None:
            return out
        root = found[0]
        for (kind, name), _ in self.definitions(root).items():
            if kind in (ix.UNIT, ix.GROUP, ix.RSET, ix.METHOD, ix.VERB):
                out[kind].append(name)
        spec = found[1].spec
        if spec is not None:
            out["method"] = sorted(set(out["method"]) | {m.id for m in spec.methods})
        return out


def _declaring_file(spec: ir.Spec, kind: str, full: str) -> Path | None:
    """The file that declares a name of the compiled spec (None if unknown)."""
    span = None
    if kind in (ix.UNIT, ix.GROUP):
        x = spec.unit(full) if kind == ix.UNIT else next((g for g in spec.groups if g.id == full), None)
        span = x.span if x is not None else None
    elif kind in (ix.CRITERION, ix.OUTCOME):
        u = spec.unit(full.rpartition(":")[0])
        span = u.span if u is not None else None
    elif kind == ix.RSET:
        x = spec.requirement_set(full)
        span = x.span if x is not None else None
    elif kind == ix.QUALIFICATION:
        x = spec.qualification(full)
        span = x.span if x is not None else None
    elif kind == ix.VERB:
        x = next((v for v in spec.glossary.verbs if v.key == full), None)
        span = x.span if x is not None else None
    elif kind in (ix.DOCUMENT, ix.METHOD):
        span = spec.document.span  # methods are declared in the document
    if span is None or span.line <= 0:
        return None
    return Path(span.file).resolve()


def files_of(comps: Iterable[Compilation]) -> set[Path]:
    return {Path(f).resolve() for c in comps for f in c.files}
