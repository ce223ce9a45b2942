"""Part files: which spec roots import a file that has no ``document``.

A unit file (``units/001.specc``) is not a spec on its own; checked alone it
is checked in the context of every root that imports it, directly or through
other files.  Roots are looked for within the project root: the nearest
enclosing folder with a ``specc.toml``, else the folder the command or the
editor was given (a workspace), else the working directory when the file is
inside it.  Every root in that folder's tree that imports the part counts
(the CfA requirement files are in the CfA spec and in the NCFE spec).

The search reads import lines as text (cheap, no parsing); the compiler then
confirms each root really imports the part.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from .compiler import SOURCE_SUFFIX

from .project import project_file  # where a project begins: one definition (specc.project)
MAX_UP = 3  # folders above a part file searched when no project root is known
_IMPORT = re.compile(r'(?m)^[ \t]*import[ \t]+"((?:[^"\\\n]|\\.)*)"(?:[ \t]+as[ \t]+([A-Za-z_][A-Za-z0-9_]*))?')
_DOCUMENT = re.compile(r"(?m)^\s*document\b")
_SKIP = {"node_modules", "__pycache__", "outputs", "site-packages"}

Reader = Callable[[Path], "str | None"]


def read_disk(path: Path) -> str | None:
    """A candidate file's text through the source loader's rules (regular
    files only, never blocking on a FIFO or device, size cap), or None."""
    from .source import SourceError, SourceLoader

    try:
        return SourceLoader(path.parent).fetch(path).decode("utf-8-sig")
    except (SourceError, UnicodeDecodeError):
        return None


def project_root(path: Path, given: Path | None = None) -> Path:
    """The nearest folder at or above ``path`` with a ``specc.toml``; else
    ``given`` (the folder a command or an editor named), else the working
    directory when ``path`` is inside it, else its git work tree or the
    folder :data:`MAX_UP` levels above it."""
    path = path.resolve()
    start = path if path.is_dir() else path.parent
    found = project_file(start)
    if found is not None:
        return found.parent
    if given is not None:
        return given.resolve()
    cwd = Path.cwd().resolve()
    if start == cwd or cwd in start.parents:
        return cwd
    # outside the working directory: the repository it is in, else a few
    # folders up (never a scan of the whole filesystem)
    for i, d in enumerate((start, *start.parents)):
        if (d / ".git").exists() or i == MAX_UP:
            return d
    return start


def is_root_text(text: str | None) -> bool:
    """Does a source text declare a ``document`` (is it a spec's root)?  A
    cheap textual test, confirmed by the parser; the one place it is made."""
    return text is not None and _DOCUMENT.search(text) is not None


def imports_of(path: Path, text: str) -> list[Path]:
    return [p for p, _ in aliased_imports(path, text)]


def aliased_imports(path: Path, text: str) -> list[tuple[Path, str | None]]:
    """The files a source imports (resolved) and the alias of each, read as text."""
    return [((path.parent / m.group(1)).resolve(), m.group(2)) for m in _IMPORT.finditer(text)]


MAX_SCAN_DIRS = 2000
"""Folders the search for a part's roots visits at most (a part outside any
project, in a big folder such as /tmp, must not walk the whole tree; a
``specc.toml`` bounds the search properly)."""

MAX_SCAN_DEPTH = 8


def _files(folder: Path) -> Iterable[Path]:
    base = len(folder.parts)
    for seen, (dirpath, dirnames, filenames) in enumerate(os.walk(folder)):
        if seen >= MAX_SCAN_DIRS:
            return
        deep = len(Path(dirpath).parts) - base >= MAX_SCAN_DEPTH
        dirnames[:] = [] if deep else sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP)
        for f in sorted(filenames):
            if f.endswith(SOURCE_SUFFIX):
                yield Path(dirpath, f)


def importing_roots(part: Path, boundary: Path | None = None, read: Reader = read_disk) -> list[Path]:
    """The spec roots that import ``part`` (directly or through other parts),
    sorted; empty when none within the project root does."""
    part = part.resolve()
    top = project_root(part) if boundary is None else boundary.resolve()
    texts: dict[Path, str | None] = {}

    def text(p: Path) -> str | None:
        if p not in texts:
            texts[p] = read(p)
        return texts[p]

    def reaches(root: Path) -> bool:
        seen, todo = set(), [root]
        while todo:
            f = todo.pop()
            if f in seen:
                continue
            seen.add(f)
            t = text(f)
            if t is None:
                continue
            for imp in imports_of(f, t):
                if imp == part:
                    return True
                todo.append(imp)
        return False

    folder = top if (top == part.parent or top in part.parents) else part.parent
    return sorted({f for f in (x.resolve() for x in _files(folder)) if f != part and is_root_text(text(f)) and reaches(f)})

def in_context(comps: list, paths: Iterable[str | Path]) -> list:
    """For ``specc check PART``: when every path named is a part file checked
    through the roots that import it, keep only the diagnostics in those
    files (each root's are merged; the caller removes duplicates).  Other
    requests are returned as they are."""
    import attrs

    named = [Path(p) for p in paths]
    if not named or any(p.is_dir() or is_root_text(read_disk(p)) for p in named):
        return comps
    want = {p.resolve() for p in named}
    if not any(want & {Path(f).resolve() for f in c.files} for c in comps):
        return comps  # imported by no root: reported as it is (E007)
    out = []
    for c in comps:
        diags = [d for d in c.diagnostics if d.span is not None and Path(d.span.file).resolve() in want]
        out.append(attrs.evolve(c, diagnostics=diags))
    return out
