"""CASE CFPackage -> specc source (``specc import case``): the command.

Reads packages that stray from the schema (string sequence numbers, nulls
where strings belong) and reports, with a located diagnostic, everything it
cannot map; it never stops on a bad value.  A package this plugin wrote
carries ``extensions.specc`` objects and comes back as the same spec (export,
import, export gives the same package); any other framework is mapped by the
rule in :func:`construct_of` (CFItemType first, then the depth in the tree).

Diagnostic codes (``E`` stop the import, nothing is written; ``W`` are
reported and the source is written):

EC01 unreadable file, too large, or not UTF-8      EC02 not JSON
EC03 nested too deeply                              EC04 not a CFPackage
EC05 cannot write the output                        EC06 two packages of one document
WC10 a value of the wrong type (ignored)            WC11 an item without identifier or statement (skipped)
WC12 a duplicate identifier (the later one skipped) WC13 a cycle of isChildOf (broken)
WC14 an association naming an unknown item          WC15 an association type specc has no construct for
WC16 an item outside the document's tree (skipped)  WC17 an item with several parents (the first kept)
WC18 text changed to fit specc (control characters) WC19 an item type that cannot stand where it is
WC20 invalid specc extension data (ignored)         WC21 a qualification without rules of combination
WC22 a link to a package not given                 WC23 a field with data specc has no place for
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from attrs import define

from specc.diagnostics import Diagnostic, render, summary, to_json
from specc.fmt import format_text
from specc.ir import Span

from .jsonsrc import JsonError, JsonFile, Sources
from .reader import Reader, construct_of
from .source import Writer, file_name, ident_ok, slug

__all__ = ["Result", "construct_of", "import_packages", "main"]

@define
class Result:
    diagnostics: list[Diagnostic]
    sources: Sources
    files: dict[str, str]  # file name -> source text


def import_packages(named: list[tuple[str, bytes]]) -> Result:
    """Map CFPackages (name, bytes) to specc source files; nothing is written."""
    sources = Sources()
    diags: list[Diagnostic] = []
    readers: list[Reader] = []
    for name, raw in named:
        try:
            jf = JsonFile(name, raw)
        except JsonError as e:
            diags.append(e.diag)
            continue
        sources._texts.update(jf.sources._texts)
        r = Reader(jf)
        ok = r.read()
        diags.extend(r.diags)
        r.diags = []
        if ok:
            readers.append(r)
    if any(d.is_error for d in diags):
        return Result(diags, sources, {})
    by_doc = {r.doc_identifier: r for r in readers}
    doc_ids: dict[str, str] = {}
    taken: dict[str, Reader] = {}
    for r in readers:
        did = r.doc_ext.get("id")
        if not ident_ok(did):
            title = r.doc.get("title") if isinstance(r.doc.get("title"), str) else ""
            did = slug(title or r.jf.name, "framework")
        if did in taken:
            diags.append(Diagnostic("EC06", f"two packages describe document `{did}` ({taken[did].jf.name} and {r.jf.name})", r.jf.span(("CFDocument",)), help="import one of them"))
            continue
        taken[did] = r
        doc_ids[r.doc_identifier] = did
    files: dict[str, str] = {}
    for r in readers:
        if r.doc_identifier not in doc_ids:
            continue
        src = Writer(r, by_doc, doc_ids).write()
        diags.extend(r.diags)
        name = file_name(doc_ids[r.doc_identifier])
        out, fdiags = format_text(src, name)
        if out is None:  # a bug of this importer: say so, with what the parser says
            for d in fdiags:
                diags.append(Diagnostic("EC90", f"internal error: the generated source does not parse ({d.message})", r.jf.span(()), help="please report this with the package"))
            continue
        files[name] = out
    return Result(diags, sources, files)


def _write(out_dir: Path, files: dict[str, str]) -> None:
    """Each file written whole (a temporary file renamed over it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    mask = os.umask(0)
    os.umask(mask)
    for name, src in sorted(files.items()):
        fd, tmp = tempfile.mkstemp(prefix=".import-", dir=out_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(src)
            os.chmod(tmp, 0o666 & ~mask)
            os.replace(tmp, out_dir / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def main(args) -> int:
    try:
        return _main(args)
    except Exception as e:  # a bug of this importer: one line, not a traceback
        print(f"error[EC99]: internal error in `specc import case` ({type(e).__name__}: {e}); please report it with the package", file=sys.stderr)
        return 1


def _main(args) -> int:
    named = []
    diags: list[Diagnostic] = []
    for p in args.packages:
        try:
            named.append((p, Path(p).read_bytes()))
        except OSError as e:
            diags.append(Diagnostic("EC01", f"cannot read {p}: {e.strerror or e}", Span(p, 0, 0, 0, 0), help="name a CFPackage JSON file"))
    res = import_packages(named) if not diags else Result(diags, Sources(), {})
    if not diags:
        diags = res.diagnostics
    errors = any(d.is_error for d in diags)
    if not errors:
        try:
            _write(Path(args.output), res.files)
        except OSError as e:
            diags.append(Diagnostic("EC05", f"cannot write to {args.output}: {e.strerror or e}", None, help="-o names a folder to write into (it is created if missing)"))
            errors = True
    if args.format == "json":
        print(to_json(diags))
    else:
        color = sys.stderr.isatty() and os.environ.get("NO_COLOR") is None
        for d in diags:
            print(render(d, res.sources, color=color) + "\n", file=sys.stderr)
        n = len(res.files) if not errors else 0
        print(f"imported {len(named)} package{'s' if len(named) != 1 else ''}: {summary(diags)}; {n} file{'s' if n != 1 else ''} written to {args.output}", file=sys.stderr)
    return 1 if errors else 0
