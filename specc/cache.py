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
cache off.

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
from pathlib import Path

import attrs

from . import __version__

FORMAT = "1"
MAX_ENTRY = 64 * 1024 * 1024  # bytes; a larger entry file is not read
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
    output an entry holds: a change to any of them makes every entry a miss."""
    from . import diagnostics, ir, lower, syntax, vocab

    h = hashlib.sha256(f"specc {__version__} cache {FORMAT}\0".encode())
    h.update(syntax.GRAMMAR.read_bytes())
    for mod in (syntax, lower, ir, diagnostics, vocab):
        h.update(b"\0" + Path(mod.__file__).read_bytes())
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


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, str], ...]:
    """(attribute name, __init__ argument name) of each field of ``cls``."""
    return tuple((f.name, f.alias or f.name) for f in attrs.fields(cls) if f.init)


class _Bad(Exception):
    """An entry that does not decode into the IR's classes."""


def _encode(x):
    if x is None or isinstance(x, (str, int, float)):
        return x
    if isinstance(x, tuple):
        return {"t": [_encode(i) for i in x]}
    if isinstance(x, list):
        return [_encode(i) for i in x]
    cls = type(x)
    if attrs.has(cls) and _classes().get(cls.__name__) is cls:
        return {"@": cls.__name__, "v": [_encode(getattr(x, n)) for n, _ in _fields(cls)]}
    raise TypeError(f"cannot cache a {cls.__name__}")


def _hook(stored: str, name: str):
    """The JSON object hook: IR objects only; the ``file`` of spans and
    declarations in the file the entry was made for (``stored``) becomes the
    name the file has now."""

    def hook(d: dict):
        if len(d) == 1 and isinstance(d.get("t"), list):
            return tuple(d["t"])
        cls = _classes().get(d.get("@")) if len(d) == 2 else None
        vals = d.get("v")
        if cls is None or not isinstance(vals, list):
            raise _Bad("unknown object")
        names = _fields(cls)
        if len(vals) != len(names):
            raise _Bad("wrong number of fields")
        if names and names[0][0] == "file" and vals[0] == stored:
            vals[0] = name
        return cls(**{arg: v for (_, arg), v in zip(names, vals, strict=True)})

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
                if os.fstat(f.fileno()).st_size > MAX_ENTRY:
                    raise _Bad("too large")
                data = f.read(MAX_ENTRY + 1)
            mac, _, signed = data.partition(b"\n")
            if not hmac.compare_digest(mac, hmac.new(key, signed, hashlib.sha256).hexdigest().encode()):
                raise _Bad("bad signature")
            stored, _, body = signed.partition(b"\n")
            value = json.loads(body, object_hook=_hook(json.loads(stored), name))
            if not (isinstance(value, list) and len(value) == 3):
                raise _Bad("wrong shape")
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
            body = json.dumps(_encode(list(value)), ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
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
