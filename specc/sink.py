"""The output sink every emitter writes through, and the output folder's state.

* **Names.**  Paths are confined to the output folder whatever an id in a
  spec says: each path component is reduced to a safe file name
  (:func:`safe_component`) and ``..``, absolute paths, drive letters, empty
  components and Windows device names are refused (:func:`confine`).
* **No links followed.**  Inside the output folder every folder is opened
  relative to its parent with ``O_NOFOLLOW`` (``openat``), files are created
  with ``O_CREAT | O_EXCL | O_NOFOLLOW`` and moved with ``renameat``, and
  stale outputs are removed with ``unlinkat``: a symbolic link anywhere below
  the output folder (``OUT/<doc> -> /elsewhere``) is refused, never followed.
  (The output folder itself may be reached through links: the user named it.)
* **Staged, atomic per file.**  An emitter's files go to a staging folder
  inside the output folder and are renamed into place only when the emitter
  finishes; if it raises, the staging folder is removed and earlier outputs
  are untouched.
* **State that survives kills and concurrency.**  A build holds a lock on the
  output folder (``.specc-lock``, ``flock``); the manifest is saved as each
  emitter commits (first with the outputs about to be replaced marked
  pending, so a kill in between leaves nothing untracked); the next build
  removes leftover staging folders and temporary manifests.  The manifest's
  format is documented in docs/manifest.md.
* **Reuse at the grain of an output.**  An emitter that re-runs may keep an
  output whose key (a hash of what it shows) is unchanged since the last
  build (:meth:`Sink.reuse`, :meth:`Sink.cached`, :func:`content_key`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath

MANIFEST = ".specc-manifest.json"
MANIFEST_FORMAT = 2
STAGING_PREFIX = ".specc-staging-"
TEMP_PREFIX = ".specc-tmp-"
LOCK = ".specc-lock"

RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {f"{d}{i}" for d in ("COM", "LPT") for i in "0123456789\u00b9\u00b2\u00b3"}
MAX_COMPONENT = 120


class UnsafePath(ValueError):
    pass


class OutputError(OSError):
    """The output folder cannot be used (not a folder, a link inside it, ...)."""


def is_reserved(name: str) -> bool:
    """A Windows device name (``CON``, ``nul.txt``, ``COM1``, ``LPT9``...)."""
    return name.split(".")[0].strip(" ").upper() in RESERVED


def safe_component(name: str) -> str:
    """A file-name-safe version of one path component (ids become names).
    At most :data:`MAX_COMPONENT` characters: a longer name is cut and ends
    with a hash of the whole, so two long names stay distinct."""
    name = unicodedata.normalize("NFKC", str(name))
    full = name
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._ ")
    if not name:
        name = "_"
    if is_reserved(name):
        name = "_" + name
    if len(name) > MAX_COMPONENT:
        name = name[: MAX_COMPONENT - 9] + "-" + hashlib.sha256(full.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return name


_SAFE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")


def confine(rel: str) -> PurePosixPath:
    """Validate a relative output path; refuse anything that could escape."""
    if not isinstance(rel, str) or not rel or "\x00" in rel:
        raise UnsafePath(f"invalid output path {rel!r}")
    if rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
        raise UnsafePath(f"output path {rel!r} is absolute")
    parts = re.split(r"[\\/]", rel)
    for p in parts:
        if p in ("", ".", ".."):
            raise UnsafePath(f"output path {rel!r} has an empty, '.' or '..' component")
        if not _SAFE.match(p) or len(p) > 255 or is_reserved(p) or p.endswith("."):
            raise UnsafePath(f"output path component {p!r} is not a safe file name (use sink.name())")
    return PurePosixPath(*parts)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- link-proof file operations below a folder -------------------------------

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW | _O_CLOEXEC


def _open_root(path: Path, create: bool) -> int:
    """The output folder itself (links allowed here: the user named it)."""
    try:
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _O_CLOEXEC)
    except FileExistsError:
        raise OutputError(f"output folder {path} exists and is not a folder") from None
    except NotADirectoryError:
        raise OutputError(f"output folder {path} is not a folder, or a part of its path is a file") from None
    except OSError as e:
        raise OutputError(f"cannot use output folder {path}: {e.strerror or e}") from None


def _open_dir(base_fd: int, parts: tuple[str, ...], create: bool, shown: str = "") -> int:
    """Open ``parts`` below ``base_fd`` one folder at a time, never following
    a link; with ``create``, make missing folders.  Returns a new fd."""
    fd = os.dup(base_fd)
    done: list[str] = []
    try:
        for p in parts:
            done.append(p)
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(p, 0o777, dir_fd=fd)
            try:
                nfd = os.open(p, _DIR, dir_fd=fd)
            except OSError as e:
                where = "/".join(filter(None, [shown, *done]))
                if e.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise UnsafePath(f"{where} in the output folder is a symbolic link or not a folder; specc never writes through links (remove it)") from None
                raise
            os.close(fd)
            fd = nfd
        return fd
    except BaseException:
        os.close(fd)
        raise


def _read_below(base_fd: int, rel: PurePosixPath) -> bytes:
    d = _open_dir(base_fd, rel.parts[:-1], create=False)
    try:
        fd = os.open(rel.parts[-1], os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _O_CLOEXEC, dir_fd=d)
    finally:
        os.close(d)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise UnsafePath(f"{rel} is not a regular file")
        return f.read()


Data = str | bytes | Iterable[str | bytes]
"""What a file is written from: its text (UTF-8) or bytes, or an iterable of
parts of either kind, written as they come (a large output need never be
whole in memory; see :mod:`specc.jsontext`)."""


def parts(data: Data) -> Iterator[bytes]:
    """``data`` as a series of byte strings (text encoded as UTF-8)."""
    if isinstance(data, str | bytes | bytearray):
        data = (data,)
    for part in data:
        if isinstance(part, str):
            yield part.encode("utf-8")
        elif isinstance(part, bytes | bytearray):
            yield bytes(part)
        else:
            raise TypeError(f"an output part must be str or bytes, not {type(part).__name__}")


def _write_new(dir_fd: int, name: str, data: Data) -> str:
    """Create ``name`` in ``dir_fd`` exclusively (a planted file or link
    fails) and write ``data`` into it a part at a time; the sha256 of what
    was written.  If ``data`` fails part-way, the file is removed."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _O_CLOEXEC, 0o644, dir_fd=dir_fd)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as f:
            for part in parts(data):
                f.write(part)
                digest.update(part)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
        raise
    return digest.hexdigest()


def write_exclusive_temp(dir_fd: int, data: bytes, prefix: str = TEMP_PREFIX) -> str:
    """Write ``data`` to a new uniquely named file in ``dir_fd``; its name."""
    for _ in range(100):
        name = f"{prefix}{secrets.token_hex(8)}"
        try:
            _write_new(dir_fd, name, data)
            return name
        except FileExistsError:
            continue
    raise OutputError("cannot create a temporary file")


def content_key(*parts: object) -> str:
    """sha256 of a canonical form of ``parts``: what an output shows (a form's
    model, a section's doctree...).  attrs instances, tuples, lists, dicts,
    sets, str, bytes, numbers, enums and None are walked; dicts and sets are
    sorted so the key does not depend on hash order.  Anything else counts by
    its ``repr`` (a default repr names a memory address: never reused, which
    is slow but safe)."""
    h = hashlib.sha256()
    _feed(h, parts)
    return h.hexdigest()


def _feed(h, x) -> None:
    import enum

    import attrs

    if x is None or isinstance(x, bool | int | float):
        h.update(b"v" + repr(x).encode() + b"\0")
    elif isinstance(x, str):
        b = x.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(b) + b)
    elif isinstance(x, bytes | bytearray):
        h.update(b"b%d:" % len(x) + bytes(x))
    elif isinstance(x, enum.Enum):
        h.update(b"e" + type(x).__qualname__.encode() + b"." + x.name.encode() + b"\0")
    elif attrs.has(type(x)):
        h.update(b"a" + type(x).__module__.encode() + b"." + type(x).__qualname__.encode() + b"(")
        for a in attrs.fields(type(x)):
            h.update(a.name.encode() + b"=")
            _feed(h, getattr(x, a.name))
        h.update(b")")
    elif isinstance(x, tuple | list):
        h.update(b"t(" if isinstance(x, tuple) else b"l(")
        for y in x:
            _feed(h, y)
        h.update(b")")
    elif isinstance(x, dict):
        h.update(b"d(")
        for k, v in sorted(((content_key(k), content_key(v)) for k, v in x.items())):
            h.update(k.encode() + v.encode())
        h.update(b")")
    elif isinstance(x, set | frozenset):
        h.update(b"S(" + "".join(sorted(content_key(y) for y in x)).encode() + b")")
    else:
        h.update(b"r" + type(x).__qualname__.encode() + b":" + repr(x).encode("utf-8", "surrogatepass") + b"\0")


class Sink:
    """Where one emitter writes the outputs for one spec.

    **Reuse at the grain of an output.**  An emitter may name, for an output,
    a *key*: a hash of exactly what the output shows (:func:`content_key` of a
    form's model, say).  :meth:`reuse` keeps an output whose key is the one
    the previous build recorded for it (and whose bytes on disk are still the
    recorded ones): it is left in place and recorded, and the emitter skips
    rendering it.  Keys are salted with everything else that decides the
    outputs (emitter, options, code, toolchain: ``salt``), so a changed
    template or library version changes every key.  The manifest keeps each
    output's salted key (``made_from``, docs/manifest.md)."""

    def __init__(self, out_dir: Path, prefix: str, staging: Path, salt: str = "", previous: dict[str, tuple[str, str]] | None = None):
        self._out = out_dir
        self._prefix = confine(prefix) if prefix else PurePosixPath()
        self._staging = staging
        self.salt = salt
        self._previous = previous or {}  # output path -> (sha256, made_from key) of the last build
        self.written: dict[str, str] = {}  # output path (relative to out_dir) -> sha256
        self.made_from: dict[str, str] = {}  # output path -> salted key (outputs written or kept with a key)
        self.kept: set[str] = set()  # outputs left in place from the last build
        self._folded: dict[str, str] = {}

    name = staticmethod(safe_component)
    key = staticmethod(content_key)

    def output_path(self, rel: str) -> str:
        """The output path (relative to the output folder) ``rel`` is recorded as."""
        return (self._prefix / confine(rel)).as_posix()

    def _claim(self, key: str) -> None:
        if key in self.written:
            raise UnsafePath(f"output {key} is written twice")
        other = self._folded.setdefault(key.casefold(), key)
        if other != key:
            raise UnsafePath(f"outputs {other} and {key} differ only in case (one file on macOS and Windows)")

    def _salted(self, key: str) -> str:
        return sha256(f"{self.salt}\0{key}".encode())

    def write(self, rel: str, data: Data, key: str | None = None) -> str:
        """Write one output file; returns its path relative to the output
        folder.  ``data``: text, bytes, or an iterable of parts written and
        hashed as they come (:data:`Data`); if it fails part-way, nothing of
        the file is left and it is not recorded.  ``key``: what it shows (see
        :meth:`reuse`), recorded so the next build can keep it."""
        path = self._prefix / confine(rel)
        out = path.as_posix()
        self._claim(out)
        root = _open_root(self._out, create=False)
        try:
            d = _open_dir(root, (self._staging.name, *path.parts[:-1]), create=True)
            try:
                digest = _write_new(d, path.parts[-1], data)
            finally:
                os.close(d)
        finally:
            os.close(root)
        self.written[out] = digest
        if key is not None:
            self.made_from[out] = self._salted(key)
        return out

    def reuse(self, rels: str | list[str] | tuple[str, ...], key: str) -> bool:
        """Keep the outputs ``rels`` from the last build if each was made from
        ``key`` (and the same salt) and is still on disk with its recorded
        bytes; all or none.  True: they are recorded as outputs of this run
        (not rewritten); the emitter must not write them.  False: nothing is
        recorded; render and :meth:`write` them (with ``key``)."""
        if isinstance(rels, str):
            rels = [rels]
        salted = self._salted(key)
        outs = [self.output_path(r) for r in rels]
        want = {}
        for out in outs:
            prev = self._previous.get(out)
            if prev is None or prev[1] != salted or out in self.written:
                return False
            want[out] = prev[0]
        try:
            root = _open_root(self._out, create=False)
        except OutputError:
            return False
        try:
            for out, digest in want.items():
                try:
                    if sha256(_read_below(root, PurePosixPath(out))) != digest:
                        return False
                except (OSError, UnsafePath):
                    return False
        finally:
            os.close(root)
        for out in outs:
            self._claim(out)
            self.written[out] = want[out]
            self.made_from[out] = salted
            self.kept.add(out)
        return True

    def cached(self, rel: str, key: str, render: Callable[[], Data]) -> str:
        """:meth:`reuse` ``rel`` if made from ``key``, else write ``render()``."""
        if self.reuse(rel, key):
            return self.output_path(rel)
        return self.write(rel, render(), key=key)

    def state(self) -> tuple[dict[str, str], dict[str, str], set[str]]:
        """What this run made (passed back from a worker process)."""
        return self.written, self.made_from, self.kept

    def restore(self, state: tuple[dict[str, str], dict[str, str], set[str]]) -> None:
        self.written, self.made_from, self.kept = state

    def final_path(self, rel: str) -> Path:
        """Where ``rel`` will end up once committed (for cross-links)."""
        return self._out / self._prefix / confine(rel)


def _valid_entry(e) -> bool:
    return (
        isinstance(e, dict)
        and isinstance(e.get("inputs"), str | None)
        and isinstance(e.get("outputs"), dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in e["outputs"].items())
    )


def _empty_manifest() -> dict:
    return {"format": MANIFEST_FORMAT, "entries": {}}


class OutputFolder:
    """An output folder with its manifest (see docs/manifest.md).

    ``toolchain``: a digest of what else decides the outputs (specc and plugin
    code, fonts, library versions); an entry made with another toolchain is
    out of date."""

    def __init__(self, out_dir: str | Path, toolchain: str = "", toolchain_info: dict | None = None):
        self.root = Path(out_dir)
        self.manifest_path = self.root / MANIFEST
        self.toolchain = toolchain
        self.toolchain_info = toolchain_info
        self.manifest = self._load()
        self._lock_fd: int | None = None

    # -- manifest ------------------------------------------------------------
    def _load(self) -> dict:
        try:
            fd = _open_root(self.root, create=False)
        except OutputError:
            return _empty_manifest()
        try:
            m = json.loads(_read_below(fd, PurePosixPath(MANIFEST)))
        except (OSError, ValueError, UnsafePath):
            return _empty_manifest()
        finally:
            os.close(fd)
        if not isinstance(m, dict) or m.get("format") not in (1, MANIFEST_FORMAT) or not isinstance(m.get("entries"), dict):
            return _empty_manifest()
        entries = {k: e for k, e in m["entries"].items() if isinstance(k, str) and _valid_entry(e)}
        for e in entries.values():
            mf = e.get("made_from")
            if mf is not None and not (isinstance(mf, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in mf.items())):
                del e["made_from"]  # a malformed record only costs reuse
        return {"format": MANIFEST_FORMAT, "entries": entries}

    def reload(self) -> None:
        self.manifest = self._load()

    def up_to_date(self, key: str, input_hash: str) -> bool:
        e = self.manifest["entries"].get(key)
        if not e or e.get("inputs") != input_hash or e.get("pending") or e.get("toolchain", "") != self.toolchain:
            return False
        try:
            fd = _open_root(self.root, create=False)
        except OutputError:
            return False
        try:
            for rel, digest in e["outputs"].items():
                try:
                    if sha256(_read_below(fd, confine(rel))) != digest:
                        return False
                except (OSError, UnsafePath):
                    return False
        finally:
            os.close(fd)
        return True

    def save(self) -> None:
        """Write the manifest atomically (exclusive temp file, then rename)."""
        if self.toolchain_info is not None:
            self.manifest["toolchain"] = {"digest": self.toolchain, **self.toolchain_info}
        data = (json.dumps(self.manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
        fd = _open_root(self.root, create=True)
        try:
            tmp = write_exclusive_temp(fd, data, ".manifest-")
            os.replace(tmp, MANIFEST, src_dir_fd=fd, dst_dir_fd=fd)
        finally:
            os.close(fd)

    # -- lock and leftovers --------------------------------------------------
    @contextlib.contextmanager
    def locked(self, on_wait: Callable[[str], None] | None = None) -> Iterator[OutputFolder]:
        """Hold the folder's lock for a build: a second build into the same
        folder waits (``on_wait`` is told once).  Then reload the manifest
        (another build may have changed it) and clean a killed build's leftovers."""
        import fcntl

        root = _open_root(self.root, create=True)
        try:
            lfd = os.open(LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | _O_CLOEXEC, 0o644, dir_fd=root)
        except OSError as e:
            os.close(root)
            raise OutputError(f"cannot create the lock file {self.root / LOCK}: {e.strerror or e}") from None
        try:
            try:
                fcntl.flock(lfd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait:
                    on_wait(f"another specc build is writing into {self.root}; waiting for it to finish")
                fcntl.flock(lfd, fcntl.LOCK_EX)
            self.reload()
            self.clean_leftovers(root)
            yield self
        finally:
            os.close(lfd)  # releases the lock
            os.close(root)

    def clean_leftovers(self, root_fd: int | None = None) -> list[str]:
        """Remove staging folders and temporary files a killed build left
        (call with the lock held).  Returns their names."""
        fd = root_fd if root_fd is not None else _open_root(self.root, create=False)
        gone = []
        try:
            for name in sorted(os.listdir(fd)):
                if not name.startswith((STAGING_PREFIX, TEMP_PREFIX, ".manifest-")):
                    continue
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(name, dir_fd=fd, ignore_errors=True)
                else:
                    os.unlink(name, dir_fd=fd)
                gone.append(name)
        finally:
            if root_fd is None:
                os.close(fd)
        return gone

    # -- emitting ------------------------------------------------------------
    def begin(self, prefix: str, key: str | None = None, salt: str = "", reuse: bool = True) -> Sink:
        """A sink for one emitter's run on one spec.  ``key``: the entry it
        will be committed as; with ``reuse``, the outputs that entry recorded
        with a ``made_from`` key may be kept (:meth:`Sink.reuse`).  ``salt``:
        everything besides the spec that decides the outputs (the folder's
        toolchain digest is added)."""
        previous = self._reusable(key) if key is not None and reuse else {}
        fd = _open_root(self.root, create=True)
        try:
            for _ in range(100):
                name = STAGING_PREFIX + secrets.token_hex(8)
                try:
                    os.mkdir(name, 0o700, dir_fd=fd)
                    break
                except FileExistsError:
                    continue
        finally:
            os.close(fd)
        return Sink(self.root, prefix, self.root / name, salt=sha256(f"{salt}\0{self.toolchain}".encode()), previous=previous)

    def _reusable(self, key: str) -> dict[str, tuple[str, str]]:
        """Output path -> (sha256, made_from key) from entry ``key``'s last
        build; nothing from a pending entry (a build was killed while moving
        its files in) or one made with another toolchain."""
        e = self.manifest["entries"].get(key)
        if not e or e.get("pending") or e.get("toolchain", "") != self.toolchain:
            return {}
        made = e.get("made_from") or {}
        return {rel: (digest, made[rel]) for rel, digest in e["outputs"].items() if rel in made}

    def commit(self, sink: Sink, key: str, input_hash: str, sources: dict[str, str] | None = None) -> None:
        """Move the staged files into place, remove the outputs the emitter no
        longer makes, and record it all in the manifest (saved)."""
        try:
            entries = self.manifest["entries"]
            old = dict(entries.get(key, {}).get("outputs", {}))
            # first record everything that may be on disk once we start
            # (a kill from here on leaves no output the manifest does not know)
            entries[key] = {"inputs": None, "pending": True, "outputs": dict(sorted({**old, **sink.written}.items()))}
            self.save()
            root = _open_root(self.root, create=True)
            try:
                staging = _open_dir(root, (sink._staging.name,), create=False)
                try:
                    for rel in sorted(sink.written):
                        if rel in sink.kept:
                            continue  # left in place from the last build
                        parts = PurePosixPath(rel).parts
                        src = _open_dir(staging, parts[:-1], create=False)
                        try:
                            dst = _open_dir(root, parts[:-1], create=True)
                            try:
                                os.rename(parts[-1], parts[-1], src_dir_fd=src, dst_dir_fd=dst)
                            except IsADirectoryError:
                                raise UnsafePath(f"{rel} in the output folder is a folder; remove it") from None
                            finally:
                                os.close(dst)
                        finally:
                            os.close(src)
                finally:
                    os.close(staging)
                # outputs the emitter no longer produces are stale: remove them
                for rel in old:
                    if rel not in sink.written:
                        with contextlib.suppress(OSError, UnsafePath):
                            parts = confine(rel).parts
                            d = _open_dir(root, parts[:-1], create=False)
                            try:
                                os.unlink(parts[-1], dir_fd=d)  # a link itself, never its target
                            finally:
                                os.close(d)
            finally:
                os.close(root)
            entries[key] = {"inputs": input_hash, "outputs": dict(sorted(sink.written.items()))}
            if self.toolchain:
                entries[key]["toolchain"] = self.toolchain
            if sources:
                entries[key]["sources"] = dict(sorted(sources.items()))
            if sink.made_from:
                entries[key]["made_from"] = dict(sorted(sink.made_from.items()))
            self.save()
        finally:
            self.discard(sink)

    def discard(self, sink: Sink) -> None:
        try:
            fd = _open_root(self.root, create=False)
        except OutputError:
            return
        try:
            shutil.rmtree(sink._staging.name, dir_fd=fd, ignore_errors=True)
        finally:
            os.close(fd)


def inputs_hash(files: list[tuple[str, str]], extra: str, read: Callable[[str], bytes] | None = None) -> str:
    """sha256 over the spec's source files (stable names and bytes) and ``extra``."""
    h = hashlib.sha256(extra.encode("utf-8"))
    for name, f in sorted(files):
        h.update(b"\0" + name.encode("utf-8") + b"\0")
        try:
            h.update(read(f) if read else Path(f).read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def normalise_zip(data: bytes, rewrite: dict | None = None) -> bytes:
    """Rewrite a zip container (DOCX, ODT) with fixed timestamps, permissions
    and member order, so the same input gives byte-identical files.
    ``rewrite`` maps a member name to a function of its bytes (e.g. to pin
    the dates in an ODT's ``meta.xml``) that returns its new bytes, or
    ``(size, parts)``: the new bytes part by part and their total length,
    written as they come (a member too large to hold whole twice)."""
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    names = src.namelist()
    # OOXML/ODF want their content-type / mimetype member first (ODF: stored)
    first = [n for n in ("mimetype", "[Content_Types].xml") if n in names]
    with zipfile.ZipFile(out, "w") as dst:
        for n in first + sorted(x for x in names if x not in first):
            body = src.read(n)
            if rewrite and n in rewrite:
                body = rewrite[n](body)
            info = zipfile.ZipInfo(n, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if n == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if isinstance(body, bytes):
                dst.writestr(info, body)
                continue
            # as writestr writes it (its size known first: the same header), part by part
            info.file_size, parts = body
            body = None
            with dst.open(info, "w") as f:
                for part in parts:
                    f.write(part)
    return out.getvalue()
