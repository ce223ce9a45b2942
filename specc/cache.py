"""A content-addressed cache of parsed files, kept between runs.

``specc check`` and the language server parse and lower every source file of a
spec; a file whose bytes have not changed gives the same declarations and the
same diagnostics, so the result is kept on disk, keyed by

* the file's text (an entry made under another name, as when specc runs
  from another folder, is used with the spans renamed),
* the specc version and a hash of the code that parses and lowers (the
  grammar and the modules it runs), so a new specc never reads an old entry.

The folder is ``$SPECC_CACHE_DIR``, else ``$XDG_CACHE_HOME/specc``, else
``~/.cache/specc``; deleting it is always safe.  ``SPECC_CACHE=off`` turns the
cache off.  Entries unused for 30 days are removed now and then (a read
refreshes an entry's time at most once a day).

Entries are untrusted input like any file: each is JSON (never pickle: reading
one runs no code), decoded only into the IR's own attrs classes, and carries an
HMAC-SHA256 under a random key that lives in the cache folder (mode 0600), so a
cache folder copied from elsewhere, a truncated write or a hand-edited entry
fails the check and is a miss (then parsed again and rewritten).  Any problem
with the folder (read-only, full, not ours) means no caching, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

import attrs

from . import __version__

FORMAT = "1"
MAX_ENTRY = 64 * 1024 * 1024  # bytes; a larger entry file is not read
MAX_AGE = 30 * 24 * 3600  # seconds: an entry unused this long is removed when the cache is pruned
PRUNE_EVERY = 500  # about one write in this many prunes the cache
_DAY = 24 * 3600
_KEY_BYTES = 32


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get("SPECC_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    explicit = os.environ.get("SPECC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "specc"


@functools.cache
def code_key() -> str:
    """The specc version, the grammar and the source of the modules whose
    output an entry holds (and of this one, which encodes it): a change to
    any of them makes every entry a miss."""
    from . import diagnostics, ir, lower, syntax, vocab

    h = hashlib.sha256(f"specc {__version__} cache {FORMAT}\0".encode())
    h.update(syntax.GRAMMAR.read_bytes())
    for path in (__file__, syntax.__file__, lower.__file__, ir.__file__, diagnostics.__file__, vocab.__file__):
        h.update(b"\0" + Path(path).read_bytes())
    return h.hexdigest()


@functools.cache
def _classes() -> dict[str, type]:
    """The classes an entry may contain, by name (nothing else is ever built)."""
    from . import diagnostics, ir, lower

    out: dict[str, type] = {}
    for mod in (ir, lower, diagnostics):
        for name, obj in vars(mod).items():
            if isinstance(obj, type) and attrs.has(obj) and obj.__module__ == mod.__name__ and not name.startswith("_"):
                out[name] = obj
    return out


class _Bad(Exception):
    """An entry that does not decode into the IR's classes."""


@functools.cache
def _getter(cls: type):
    """The values of an object's __init__ fields, as a list, in field order."""
    import operator

    names = [f.name for f in attrs.fields(cls) if f.init]
    get = operator.attrgetter(*names)
    return (lambda x: [get(x)]) if len(names) == 1 else (lambda x: list(get(x)))


def _default(x):
    """json.dumps calls this for the IR's objects; tuples and lists are JSON
    arrays (the decoder knows which fields are lists)."""
    cls = type(x)
    if _classes().get(cls.__name__) is not cls:
        raise TypeError(f"cannot cache a {cls.__name__}")
    return {"@": cls.__name__, "v": _getter(cls)(x)}


def _frozen(v):
    return tuple(_frozen(i) for i in v) if type(v) is list else v


@functools.cache
def _builders() -> dict[str, tuple[type, int, tuple[str, ...], bool, bool]]:
    """Per class name: the class, how many of its fields are positional, the
    names of its keyword-only fields (in field order), whether its first
    field is a file name, and whether its sequences are lists (a mutable
    class, FileDecls) rather than tuples (the frozen IR)."""
    out = {}
    for cname, cls in _classes().items():
        fields = [f for f in attrs.fields(cls) if f.init]
        pos = [f for f in fields if not f.kw_only]
        kw = tuple(f.alias or f.name for f in fields if f.kw_only)
        if fields[: len(pos)] != pos:
            continue  # a keyword-only field before a positional one: not cacheable (none in the IR)
        mutable = not issubclass(cls, tuple) and getattr(cls.__setattr__, "__name__", "") != "_frozen_setattrs"
        out[cname] = (cls, len(pos), kw, bool(fields) and fields[0].name == "file", mutable)
    return out


def _hook(stored: str, name: str):
    """The JSON object hook: IR objects only; the ``file`` of spans and
    declarations in the file the entry was made for (``stored``) becomes the
    name the file has now."""
    builders = _builders()

    def hook(d: dict):
        b = builders.get(d.get("@"))
        vals = d.get("v")
        if b is None or len(d) != 2 or type(vals) is not list:
            raise _Bad("unknown object")
        cls, npos, kw, named, mutable = b
        if len(vals) != npos + len(kw):
            raise _Bad("wrong number of fields")
        if not mutable:
            vals = [tuple(_frozen(i) for i in v) if type(v) is list else v for v in vals]
        if named and vals[0] == stored:
            vals[0] = name
        if kw:
            return cls(*vals[:npos], **dict(zip(kw, vals[npos:], strict=True)))
        return cls(*vals)

    return hook


class ParseCache:
    """Entries under ``folder/parse/``; ``get`` and ``put`` never raise."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._key: bytes | None = None
        self.hits = 0
        self.misses = 0

    def _secret(self) -> bytes | None:
        if self._key is not None:
            return self._key
        path = self.folder / "key"
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as f:
                    f.write(secrets.token_bytes(_KEY_BYTES))
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as f:
                key = f.read(_KEY_BYTES + 1)
        except OSError:
            return None
        if len(key) != _KEY_BYTES:
            return None  # not a key we wrote: no caching rather than trusting it
        self._key = key
        return key

    def _entry(self, name: str, text: str) -> Path:
        h = hashlib.sha256(code_key().encode())
        h.update(b"\0" + text.encode("utf-8", "surrogatepass"))
        digest = h.hexdigest()
        return self.folder / "parse" / digest[:2] / f"{digest}.json"

    def get(self, name: str, text: str):
        """The cached value for this file, or None (a miss)."""
        key = self._secret()
        if key is None:
            return None
        path = self._entry(name, text)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as f:
                st = os.fstat(f.fileno())
                if st.st_size > MAX_ENTRY:
                    raise _Bad("too large")
                data = f.read(MAX_ENTRY + 1)
                if time.time() - st.st_mtime > _DAY:
                    os.utime(f.fileno())  # still in use: not pruned
            mac, _, signed = data.partition(b"\n")
            if not hmac.compare_digest(mac, hmac.new(key, signed, hashlib.sha256).hexdigest().encode()):
                raise _Bad("bad signature")
            stored, _, body = signed.partition(b"\n")
            value = json.loads(body, object_hook=_hook(json.loads(stored), name))
            decls, uses, diags = value
            uses = [tuple(u) for u in uses]
            if not (
                (decls is None or type(decls) is _classes()["FileDecls"])
                and all(len(u) == 2 and type(u[0]) is str and type(u[1]) is _classes()["Span"] for u in uses)
                and all(type(d) is _classes()["Diagnostic"] for d in diags)
            ):
                raise _Bad("wrong shape")
            value = [decls, uses, diags]
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # noqa: BLE001 - a corrupt or hostile entry is a miss
            self.misses += 1
            return None
        self.hits += 1
        return tuple(value)

    def put(self, name: str, text: str, value: tuple) -> None:
        key = self._secret()
        if key is None:
            return
        try:
            body = json.dumps(list(value), default=_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError, UnicodeEncodeError):
            return
        signed = json.dumps(name).encode() + b"\n" + body
        data = hmac.new(key, signed, hashlib.sha256).hexdigest().encode() + b"\n" + signed
        path = self._entry(name, text)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return
        if secrets.randbelow(PRUNE_EVERY) == 0:
            self.prune()

    def prune(self, max_age: float = MAX_AGE) -> int:
        """Remove entries not used for ``max_age`` seconds (and left-over
        temporary files); the number removed."""
        removed = 0
        limit = time.time() - max_age
        for f in (self.folder / "parse").glob("*/*"):
            try:
                if f.is_file() and not f.is_symlink() and f.stat().st_mtime < limit:
                    f.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


_CACHES: dict[Path, ParseCache] = {}


def parse_cache() -> ParseCache | None:
    """The cache for the current settings (None when off)."""
    folder = cache_dir()
    if folder is None:
        return None
    c = _CACHES.get(folder)
    if c is None:
        c = _CACHES[folder] = ParseCache(folder)
    return c
