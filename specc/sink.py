"""The output sink every emitter writes through.

* Paths are confined to the output folder whatever an id in a spec says: each
  path component is reduced to a safe file name and ``..``, absolute paths,
  drive letters and empty components are refused.
* Writes are staged: an emitter's files go to a staging folder inside the
  output folder and are moved into place (``os.replace``, atomic per file) only
  when the emitter finishes.  If it raises, the staging folder is removed and
  earlier outputs are untouched.
* The manifest (``.specc-manifest.json`` in the output folder) records, per
  spec and emitter, the sha256 of the inputs and of every output, so a rebuild
  with unchanged inputs skips the emitter.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

MANIFEST = ".specc-manifest.json"
STAGING_PREFIX = ".specc-staging-"


class UnsafePath(ValueError):
    pass


def safe_component(name: str) -> str:
    """A file-name-safe version of one path component (ids become names)."""
    name = unicodedata.normalize("NFKC", str(name))
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._ ")
    if not name:
        name = "_"
    if name.upper().split(".")[0] in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}:
        name = "_" + name
    return name[:120]


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
        if p != safe_component(p):
            raise UnsafePath(f"output path component {p!r} is not a safe file name (use sink.name())")
    return PurePosixPath(*parts)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Sink:
    """Where one emitter writes the outputs for one spec."""

    def __init__(self, out_dir: Path, prefix: str, staging: Path):
        self._out = out_dir
        self._prefix = confine(prefix) if prefix else PurePosixPath()
        self._staging = staging
        self.written: dict[str, str] = {}  # output path (relative to out_dir) -> sha256

    name = staticmethod(safe_component)

    def write(self, rel: str, data: str | bytes) -> str:
        """Write one output file; returns its path relative to the output folder."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self._prefix / confine(rel)
        key = path.as_posix()
        if key in self.written:
            raise UnsafePath(f"output {key} is written twice")
        target = self._staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written[key] = sha256(data)
        return key

    def final_path(self, rel: str) -> Path:
        """Where ``rel`` will end up once committed (for cross-links)."""
        return self._out / self._prefix / confine(rel)


class OutputFolder:
    """An output folder with its manifest."""

    def __init__(self, out_dir: str | Path):
        self.root = Path(out_dir)
        self.manifest_path = self.root / MANIFEST
        self.manifest = self._load()

    def _load(self) -> dict:
        try:
            m = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if isinstance(m, dict) and m.get("format") == 1:
                return m
        except (OSError, ValueError):
            pass
        return {"format": 1, "entries": {}}

    def up_to_date(self, key: str, input_hash: str) -> bool:
        e = self.manifest["entries"].get(key)
        if not e or e.get("inputs") != input_hash:
            return False
        for rel, digest in e.get("outputs", {}).items():
            p = self.root / rel
            try:
                if sha256(p.read_bytes()) != digest:
                    return False
            except OSError:
                return False
        return True

    def begin(self, prefix: str) -> Sink:
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.root))
        return Sink(self.root, prefix, staging)

    def commit(self, sink: Sink, key: str, input_hash: str) -> None:
        """Move the staged files into place and record them."""
        try:
            old = self.manifest["entries"].get(key, {}).get("outputs", {})
            for rel in sorted(sink.written):
                src = sink._staging / rel
                dst = self.root / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
            # outputs the emitter no longer produces are stale: remove them
            for rel in old:
                if rel not in sink.written:
                    try:
                        (self.root / confine(rel)).unlink()
                    except (OSError, UnsafePath):
                        pass
            self.manifest["entries"][key] = {"inputs": input_hash, "outputs": dict(sorted(sink.written.items()))}
        finally:
            self.discard(sink)

    def discard(self, sink: Sink) -> None:
        shutil.rmtree(sink._staging, ignore_errors=True)

    def save(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self.manifest, indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=self.root)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(tmp, self.manifest_path)


def inputs_hash(files: list[tuple[str, str]], extra: str) -> str:
    """sha256 over the spec's source files (stable names and bytes) and ``extra``."""
    h = hashlib.sha256(extra.encode("utf-8"))
    for name, f in sorted(files):
        h.update(b"\0" + name.encode("utf-8") + b"\0")
        try:
            h.update(Path(f).read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def normalise_zip(data: bytes, rewrite: dict | None = None) -> bytes:
    """Rewrite a zip container (DOCX, ODT) with fixed timestamps, permissions
    and member order, so the same input gives byte-identical files.
    ``rewrite`` maps a member name to a function of its bytes (e.g. to pin
    the dates in an ODT's ``meta.xml``)."""
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
            dst.writestr(info, body)
    return out.getvalue()
