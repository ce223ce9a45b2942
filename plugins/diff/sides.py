"""The two sides of ``specc diff``: a spec on disk, or one at a git revision.

``load(arg)`` compiles ``PATH`` (a root file or a folder with one root) or
``REV:PATH`` (the same at a git revision; PATH relative to the current
directory, as for the other side).  A revision is read through the project's
one source loader (:class:`specc.source.SourceLoader` with ``revision=``:
the same confinement, size cap and file checks as the working tree; nothing
is written to disk); :meth:`Side.show` gives the name to print for a span,
``REV:path`` with the path from the top of the repository.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

from attrs import define, field

from specc import build
from specc.compiler import SOURCE_SUFFIX, Compilation, compile_file
from specc.parts import is_root_text
from specc.project import ProjectError, find_project
from specc.source import SourceError


class SideError(Exception):
    """A side that cannot be read (the message says why); a usage error."""


@define
class Side:
    arg: str  # as the user gave it
    comp: Compilation
    names: dict[str, str] = field(factory=dict)  # span file name -> name to show

    @property
    def spec(self):
        return self.comp.spec

    def show(self, name: str) -> str:
        return self.names.get(name, name)


def load(arg: str) -> Side:
    if Path(arg).exists() or ":" not in arg:
        try:
            root = build.spec_root(arg)
        except ValueError as e:
            raise SideError(str(e)) from None
        return Side(arg, compile_file(root))
    rev, _, path = arg.partition(":")
    if not rev or rev.startswith("-") or any(ch in arg for ch in "\n\r\0"):
        raise SideError(f"{arg!r} is neither a file or folder nor REV:PATH with a git revision")
    return _load_revision(arg, rev, path or ".")


def _git(args: list[str], cwd: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except FileNotFoundError:
        raise SideError("git is not installed; it is needed to read a revision (REV:PATH)") from None


def _load_revision(arg: str, rev: str, path: str) -> Side:
    here = os.getcwd()
    r = _git(["rev-parse", "--show-toplevel"], here)
    if r.returncode != 0:
        raise SideError(f"{arg}: the current folder is not in a git repository (REV:PATH reads PATH at git revision REV)")
    top = Path(r.stdout.decode().strip()).resolve()
    if _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], str(top)).returncode != 0:
        raise SideError(f"{arg}: `{rev}` is not a revision of this repository")
    target = Path(os.path.normpath(Path(path).absolute()))
    try:
        rel = PurePosixPath(target.relative_to(top).as_posix())
    except ValueError:
        raise SideError(f"{arg}: {path} is outside the repository") from None
    spec = f"{rev}:{rel}" if str(rel) != "." else f"{rev}^{{tree}}"
    kind = _git(["cat-file", "-t", spec], str(top)).stdout.decode().strip()
    if kind not in ("blob", "tree"):
        raise SideError(f"{arg}: no file or folder {rel} at revision {rev}")
    # the project the path belongs to (specc.toml on disk, else the folder
    # named), read as it was at the revision through the one source loader
    try:
        project = find_project(target if target.exists() else top)
    except ProjectError as e:
        raise SideError(f"{arg}: {e}") from None
    source = project.loader(revision=rev)
    if kind == "tree":
        ls = _git(["ls-tree", "-r", "-z", "--name-only", rev, "--", f"{rel}/" if str(rel) != "." else "."], str(top))
        roots = []
        for p in sorted(x for x in ls.stdout.decode("utf-8", "surrogateescape").split("\0") if x.endswith(SOURCE_SUFFIX)):
            try:
                text = source.fetch(top / p).decode("utf-8-sig")
            except (SourceError, UnicodeDecodeError):
                continue
            if is_root_text(text):
                roots.append(p)
        if len(roots) != 1:
            what = "no spec root in it (a .specc file with a `document`)" if not roots else f"{len(roots)} spec roots ({', '.join(roots)})"
            raise SideError(f"{arg}: at revision {rev}, {rel} is a folder with {what}; name the spec's root file")
        root = top / roots[0]
    else:
        root = target
    comp = compile_file(root, source=source)
    names = {}
    for name in [*comp.files, comp.root]:
        try:
            names[name] = f"{rev}:{Path(os.path.normpath(Path(name).absolute())).relative_to(top).as_posix()}"
        except ValueError:
            continue
    return Side(arg, comp, names)
