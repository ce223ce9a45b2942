"""Finding spec roots, compiling them and running emitters through the sink."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from attrs import define, field

from . import __version__, plugins
from .compiler import SOURCE_SUFFIX, Compilation, compile_file
from .sink import OutputFolder, inputs_hash, safe_component


def source_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every .specc file named or under a named folder, sorted."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob(f"*{SOURCE_SUFFIX}") if x.is_file()))
        else:
            out.append(p)
    seen, uniq = set(), []
    for p in out:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            uniq.append(p)
    return uniq


def is_root(path: Path) -> bool:
    """Does the file declare a ``document``?  (Roots are compiled; other files
    are parts that roots import.)  A cheap textual test, confirmed by the parser."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True  # let the compiler report it
    import re

    return re.search(r"(?m)^\s*document\b", text) is not None


def roots(paths: Iterable[str | Path]) -> list[Path]:
    files = source_files(paths)
    explicit = [Path(p) for p in paths if not Path(p).is_dir()]
    return [f for f in files if f in explicit or is_root(f)]


def compile_all(paths: Sequence[str | Path], with_plugins: bool = True) -> list[Compilation]:
    checks = (lambda spec: plugins.checks(spec)) if with_plugins else None
    return [compile_file(r, plugin_checks=checks) for r in roots(paths)]


@define
class EmitResult:
    spec: str
    emitter: str
    status: str  # "written", "unchanged", "failed"
    outputs: list[str] = field(factory=list)
    error: Optional[str] = None


def _code_hash(fn: Callable) -> str:
    """sha256 of the files that make up an emitter and of the compiler core, so
    a changed template or plugin invalidates the manifest."""
    h = hashlib.sha256(__version__.encode())
    mods = {sys.modules.get(getattr(fn, "__module__", "") or "")}
    mods.add(sys.modules[__name__.rsplit(".", 1)[0]])
    dirs = set()
    for m in mods:
        f = getattr(m, "__file__", None)
        if f:
            dirs.add(Path(f).resolve().parent)
    for d in sorted(dirs):
        for f in sorted(d.rglob("*")):
            if f.is_file() and f.suffix in (".py", ".j2", ".css", ".lark", ".json", ".html", ".rst", ".txt") and "__pycache__" not in f.parts:
                h.update(f.relative_to(d).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def emit_spec(
    comp: Compilation,
    folder: OutputFolder,
    emitters: Sequence[plugins.Emitter],
    options: dict,
    force: bool = False,
    on_done: Optional[Callable[[EmitResult], None]] = None,
) -> list[EmitResult]:
    spec = comp.spec
    assert spec is not None
    prefix = safe_component(spec.document.id)
    results = []
    base = Path(comp.root).parent
    named = [(_rel_name(f, base), f) for f in comp.files]
    for em in emitters:
        key = f"{prefix}/{em.name}"
        opts = repr(sorted(options.items()))
        digest = inputs_hash(
            named,
            f"{em.name}\0{em.plugin}\0{em.version}\0{opts}\0{_code_hash(em.emit)}",
        )
        if not force and folder.up_to_date(key, digest):
            r = EmitResult(spec.document.id, em.name, "unchanged", sorted(folder.manifest["entries"][key]["outputs"]))
        else:
            sink = folder.begin(prefix)
            try:
                em.emit(spec, sink, dict(options))
            except Exception as e:  # noqa: BLE001 - reported with plugin and emitter names
                folder.discard(sink)
                err = plugins.PluginError(em.plugin, f"emitter `{em.name}`", e)
                r = EmitResult(spec.document.id, em.name, "failed", [], str(err))
            else:
                folder.commit(sink, key, digest)
                r = EmitResult(spec.document.id, em.name, "written", sorted(sink.written))
        results.append(r)
        if on_done:
            on_done(r)
    return results


def _rel_name(f: str, base: Path) -> str:
    """A file's name relative to the spec's folder (independent of the cwd)."""
    try:
        return Path(f).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(f).name
