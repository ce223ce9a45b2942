"""Where source text comes from: one project root and one source loader.

Every command, the language server and ``specc diff`` read ``.specc`` files
through :class:`SourceLoader`, so they all obey the same rules:

* **Confined.**  A file is read only if it lies inside the *project root* (or
  a folder the project file allows).  The project root is the nearest folder
  enclosing the named path that holds a ``specc.toml`` (see
  :mod:`specc.project`), else the folder named on the command line (a named
  file: its folder).  Symbolic links are resolved first, so a link that
  points outside is refused like a path that does.
* **Regular files only, capped.**  Devices (``/dev/zero``), FIFOs and
  sockets are refused without blocking; a file larger than
  :data:`MAX_SOURCE_BYTES` is refused.  A refused file's content is never
  read into a diagnostic: E003 names the path and the reason, nothing else.
* **One entry for every origin.**  ``overlay`` maps paths to text or bytes (an
  editor's unsaved buffers): those paths are read from the overlay, still
  subject to confinement.  ``revision`` (e.g. ``"HEAD"``, a commit, a
  branch) reads every file as it was in that git revision, with
  ``git ls-tree``/``git cat-file`` (links and submodules refused).

API::

    src = SourceLoader(root, overlay={path: text}, revision=None)
    src.fetch(path) -> bytes           # or raises SourceError(reason)
    src.exists(path) -> bool
    split_revision("HEAD:specs/x.specc") -> ("HEAD", "specs/x.specc")

:class:`Loader` (used by the compiler) reads, parses and lowers each file once
through a :class:`SourceLoader`.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from . import ir
from .diagnostics import Diagnostic, SourceCache
from .lower import FileDecls, lower
from .syntax import parse

MAX_SOURCE_BYTES = 8 * 1024 * 1024
"""The largest source file read (8 MiB; the largest seed file is about 60 KB)."""

CONFINED_HELP = (
    "imports stay inside the project: the nearest folder with a specc.toml, else the folder named on the command line; "
    "list other folders under `allow` in specc.toml"
)


class SourceError(OSError):
    """A source file that cannot or may not be read; ``reason`` says why in words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def display_path(path: Path) -> str:
    """Paths in diagnostics: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def split_revision(arg: str) -> tuple[str | None, str]:
    """``"REV:PATH"`` -> ``("REV", "PATH")``; a plain path -> ``(None, path)``.
    (A Windows drive letter ``C:\\...`` is a path, not a revision.)"""
    m = re.match(r"^([^:\s]+):(.+)$", arg)
    if not m or re.match(r"^[A-Za-z]:[\\/]", arg):
        return None, arg
    return m.group(1), m.group(2)


class SourceLoader:
    """Reads source bytes for the compiler, confined to a project.

    ``root``: the project root (a folder; see :func:`specc.project.find_project`).
    ``allow``: extra folders that may be read.  ``overlay``: path -> text that
    replaces the file on disk (editor buffers).  ``revision``: read files from
    this git revision of the repository holding ``root`` instead of the disk.
    """

    def __init__(
        self,
        root: str | Path,
        *,
        allow: Iterable[str | Path] = (),
        overlay: Mapping[str | Path, str | bytes] | None = None,
        revision: str | None = None,
        max_bytes: int = MAX_SOURCE_BYTES,
    ):
        self.root = Path(root).resolve()
        self.allowed = (self.root, *(Path(a).resolve() for a in allow))
        self.revision = revision
        self.overlay = {self._key(p): t for p, t in (overlay or {}).items()}
        self.max_bytes = max_bytes
        self._git_top: Path | None = None

    # -- paths -------------------------------------------------------------
    def _key(self, path: str | Path) -> Path:
        """The canonical form of ``path``: absolute, symbolic links resolved
        on disk (for a revision, only ``..`` removed: git has no links we follow)."""
        p = Path(path)
        if self.revision is not None:
            return Path(os.path.normpath(p.absolute()))
        return p.resolve()

    def inside(self, path: str | Path) -> bool:
        p = self._key(path)
        return any(p == a or a in p.parents for a in self.allowed)

    # -- reading -----------------------------------------------------------
    def fetch(self, path: str | Path) -> bytes:
        """The bytes of one source file, or :class:`SourceError`."""
        p = self._key(path)
        if not self.inside(p):
            raise SourceError(f"it is outside the project folder `{display_path(self.root)}`")
        if p in self.overlay:
            data = self.overlay[p]
            data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
            if len(data) > self.max_bytes:
                raise SourceError(self._too_big(len(data)))
            return data
        if self.revision is not None:
            return self._fetch_git(p)
        return self._fetch_disk(p)

    def exists(self, path: str | Path) -> bool:
        try:
            self.fetch(path)
        except SourceError:
            return False
        return True

    def _too_big(self, n: int) -> str:
        return f"it is larger than {self.max_bytes // (1024 * 1024)} MiB ({n:,} bytes); a source file is at most that"

    def _fetch_disk(self, p: Path) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        try:
            fd = os.open(p, flags)
        except OSError as e:
            raise SourceError(e.strerror or str(e)) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, FIFO or socket)"
                raise SourceError(f"it is {kind}")
            if st.st_size > self.max_bytes:
                raise SourceError(self._too_big(st.st_size))
            chunks, total = [], 0
            while True:  # st_size may lie (/proc); read at most the cap + 1
                b = os.read(fd, min(1 << 20, self.max_bytes + 1 - total))
                if not b:
                    break
                chunks.append(b)
                total += len(b)
                if total > self.max_bytes:
                    raise SourceError(self._too_big(total))
            return b"".join(chunks)
        except OSError as e:
            if isinstance(e, SourceError):
                raise
            raise SourceError(e.strerror or str(e)) from None
        finally:
            os.close(fd)

    def _git(self, *args: str, data: bool = False) -> bytes:
        try:
            r = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise SourceError(f"git failed: {e}") from None
        if r.returncode != 0:
            msg = r.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(f"git: {msg[-1] if msg else 'failed'}")
        return r.stdout

    def _fetch_git(self, p: Path) -> bytes:
        if self._git_top is None:
            self._git_top = Path(os.fsdecode(self._git("rev-parse", "--show-toplevel").strip())).resolve()
        try:
            rel = p.relative_to(self._git_top).as_posix()
        except ValueError:
            raise SourceError(f"it is outside the git repository `{display_path(self._git_top)}`") from None
        out = self._git("ls-tree", "-z", "--long", "--full-tree", self.revision, "--", rel)  # paths from the top, wherever root is
        entry = out.split(b"\0")[0]
        if not entry:
            raise SourceError(f"no such file in revision {self.revision}")
        meta, _, _name = entry.partition(b"\t")
        mode, kind, sha, size = meta.split()
        if kind != b"blob" or mode not in (b"100644", b"100755"):
            raise SourceError(f"it is not a regular file in revision {self.revision}")
        if int(size) > self.max_bytes:
            raise SourceError(self._too_big(int(size)))
        return self._git("cat-file", "blob", sha.decode())


# -- the compiler's loader ---------------------------------------------------

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters a spec may not contain: C0 and C1 controls but tab, line feed
and carriage return, DEL, and the bidirectional overrides and isolates (they
reorder what a reader sees).  E008 reports them; outputs never get them."""

MAX_CONTROL_REPORTS = 20


class Loader:
    """Reads, parses and lowers files once each, following imports, through a
    :class:`SourceLoader` (confinement, size cap, overlay, revision)."""

    def __init__(self, sources: SourceCache, diags: list[Diagnostic], source: SourceLoader | None = None):
        self.sources = sources
        self.diags = diags
        self.source = source
        self.cache: dict[Path, FileDecls | None] = {}
        self.texts: dict[Path, str] = {}
        self.method_uses: list = []

    def read(self, path: Path, span: ir.Span | None = None) -> FileDecls | None:
        if self.source is None:
            from .project import loader_for

            self.source = loader_for(path)
        path = self.source._key(path)
        if path in self.cache:
            return self.cache[path]
        name = display_path(path)
        try:
            data = self.source_bytes(path)
        except OSError as e:
            reason = e.reason if isinstance(e, SourceError) else (e.strerror or str(e))
            help_ = CONFINED_HELP if "outside" in reason else "check the path; imports are relative to the importing file"
            self.diags.append(Diagnostic("E003", f"cannot read `{name}`: {reason}", span, help=help_))
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
        self.diags.extend(control_characters(name, text))
        decls, uses, diags = _parse_and_lower(name, text)
        self.diags.extend(diags)
        self.method_uses.extend(uses)
        self.cache[path] = decls
        return decls

    def source_bytes(self, path: Path) -> bytes:
        """The bytes of one source file, from the :class:`SourceLoader`
        (confined, capped; overlay and revision included).  Editor buffers
        should enter as the SourceLoader's ``overlay`` rather than by
        overriding this."""
        assert self.source is not None
        return self.source.fetch(path)


def control_characters(name: str, text: str) -> list[Diagnostic]:
    """E008 for each control character in ``text`` (the first few)."""
    out: list[Diagnostic] = []
    for m in CONTROL.finditer(text):
        if len(out) == MAX_CONTROL_REPORTS:
            break
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        ch = m.group()
        out.append(
            Diagnostic(
                "E008",
                f"control character U+{ord(ch):04X} in the source text",
                ir.Span(name, line, col, line, col + 1),
                help="delete it (a spec's text is printed, rendered and exported; a control character would corrupt those outputs)",
            )
        )
    return out


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
    parsed again.  Between runs the result is kept in the parse cache
    (:mod:`specc.cache`).  FileDecls and diagnostics are not mutated by users."""
    key = (name, text)
    hit = _PARSED.get(key)
    disk = None
    if hit is None:
        from .cache import parse_cache

        disk = parse_cache()
        hit = disk.get(name, text) if disk is not None else None
    if hit is None:
        diags: list[Diagnostic] = []
        tree, errs = parse(text, name)
        diags.extend(errs)
        if tree is None:
            hit = (None, [], diags)
        else:
            decls, uses = lower(tree, name, diags)
            hit = (decls, list(uses), diags)
        if disk is not None:
            disk.put(name, text, hit)
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = hit
    decls, uses, diags = hit
    return decls, list(uses), list(diags)
