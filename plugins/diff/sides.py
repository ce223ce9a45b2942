"""The two sides of ``specc diff``: a spec on disk, or one at a git revision.

``load(arg)`` compiles ``PATH`` (a root file or a folder with one root) or
``REV:PATH`` (the same at a git revision; PATH relative to the current
directory, as for the other side).  A revision is read with git, file by
file: the root, then each file it imports, level by level (``git cat-file
--batch``), into a temporary folder that is removed once compiled; spans keep
their temporary names and :meth:`Side.show` gives the name to print,
``REV:path`` with the path from the top of the repository.

This is the one adapter between ``specc diff`` and where sources come from;
it moves to the shared source loader when the core has one.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from attrs import define, field

from specc import build
from specc.compiler import Compilation, SOURCE_SUFFIX, compile_file, display_path


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


def _cat(top: str, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The contents at ``rev`` of each repository path that is a file there."""
    if not paths:
        return {}
    r = _git(["cat-file", "--batch"], top, "".join(f"{rev}:{p}\n" for p in paths).encode())
    out, data, i = {}, r.stdout, 0
    for p in paths:
        nl = data.index(b"\n", i)
        head = data[i:nl].split()
        i = nl + 1
        if len(head) == 3:  # "<sha> <type> <size>", then the content (a "missing" line has none)
            size = int(head[2])
            if head[1] == b"blob":
                out[p] = data[i : i + size]
            i += size + 1
    return out


def _imports(name: str, data: bytes) -> list[str]:
    """The paths a file imports, as written (none if it does not parse)."""
    from specc.lower import lower
    from specc.syntax import parse

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    tree, _errs = parse(text, name)
    if tree is None:
        return []
    decls, _uses = lower(tree, name, [])
    return [imp.path for imp in decls.imports] if decls is not None else []


def _load_revision(arg: str, rev: str, path: str) -> Side:
    here = os.getcwd()
    r = _git(["rev-parse", "--show-toplevel"], here)
    if r.returncode != 0:
        raise SideError(f"{arg}: the current folder is not in a git repository (REV:PATH reads PATH at git revision REV)")
    top = r.stdout.decode().strip()
    if _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top).returncode != 0:
        raise SideError(f"{arg}: `{rev}` is not a revision of this repository")
    rel = PurePosixPath(Path(os.path.relpath(os.path.abspath(path), top)).as_posix())
    if str(rel).startswith(".."):
        raise SideError(f"{arg}: {path} is outside the repository")
    kind = _git(["cat-file", "-t", f"{rev}:{rel}" if str(rel) != "." else f"{rev}^{{tree}}"], top).stdout.decode().strip()
    if kind not in ("blob", "tree"):
        raise SideError(f"{arg}: no file or folder {rel} at revision {rev}")
    with tempfile.TemporaryDirectory(prefix="specc-diff-") as tmp:
        base = Path(tmp)
        written: dict[str, bytes] = {}

        def put(files: dict[str, bytes]) -> None:
            for p, data in files.items():
                target = base / p
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                written[p] = data

        if kind == "tree":
            ls = _git(["ls-tree", "-r", "-z", "--name-only", rev, "--", f"{rel}/" if str(rel) != "." else "."], top)
            cands = [p for p in ls.stdout.decode().split("\0") if p.endswith(SOURCE_SUFFIX)]
            put(_cat(top, rev, cands))
            roots = [p for p in cands if p in written and build.is_root(base / p)]
            if len(roots) != 1:
                what = "no spec root in it (a .specc file with a `document`)" if not roots else f"{len(roots)} spec roots ({', '.join(roots)})"
                raise SideError(f"{arg}: at revision {rev}, {rel} is a folder with {what}; name the spec's root file")
            root = roots[0]
        else:
            root = str(rel)
            put(_cat(top, rev, [root]))
        # the root's imports, and theirs, level by level
        level = [root]
        while level:
            want = []
            for p in level:
                for imp in _imports(p, written[p]):
                    q = os.path.normpath(str(PurePosixPath(p).parent / imp)).replace(os.sep, "/")
                    if not q.startswith("..") and "\n" not in q and "\r" not in q and q not in written and q not in want:
                        want.append(q)
            got = _cat(top, rev, want)
            put(got)
            level = list(got)
        comp = compile_file(base / root)
        names = {}
        for name in list(comp.files) + [comp.root]:
            try:
                repo_path = Path(name).resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
            names[name] = f"{rev}:{repo_path}"
        names[display_path((base / root).resolve())] = f"{rev}:{root}"
        outside = [f for f in comp.files if f not in names]
        if outside:
            raise SideError(f"{arg}: the spec imports {outside[0]}, outside the repository; a revision can only import files of the repository")
    return Side(arg, comp, names)
