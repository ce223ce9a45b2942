"""Finding spec roots, compiling them and running emitters through the sink."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from attrs import define, field

from . import __version__, plugins
from .compiler import SOURCE_SUFFIX, Compilation, compile_file
from .sink import OutputFolder, inputs_hash, safe_component
from .syntax import GRAMMAR


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
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return True  # let the compiler report it
    import re

    return re.search(r"(?m)^\s*document\b", text) is not None


def roots(paths: Iterable[str | Path]) -> list[Path]:
    files = source_files(paths)
    explicit = [Path(p) for p in paths if not Path(p).is_dir()]
    return [f for f in files if f in explicit or is_root(f)]


def spec_root(path: str | Path) -> Path:
    """The spec root a command was given (``specc ir``, ``specc validate``):
    ``path`` itself when it is a file; for a folder, the one root in it (see
    :func:`roots`).  ValueError says why not."""
    p = Path(path)
    if p.is_file():
        return p
    if not p.is_dir():
        raise ValueError(f"no such file: {path}")
    found = roots([p])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValueError(f"{path} is a folder with no spec root in it (a .specc file with a `document`); name the spec's root file")
    names = ", ".join(str(f) for f in found)
    raise ValueError(f"{path} is a folder with {len(found)} spec roots ({names}); name one of them")


def compile_all(paths: Sequence[str | Path], with_plugins: bool = True) -> list[Compilation]:
    """Compile every spec root under ``paths``.  A .specc file that no spec
    imports is still parsed (so its errors are reported) and gets W063."""
    checks = plugins.checks if with_plugins else None
    comps = [compile_file(r, plugin_checks=checks) for r in roots(paths)]
    used = {Path(f).resolve() for c in comps for f in c.files} | {Path(c.root).resolve() for c in comps}
    for f in source_files(paths):
        if f.resolve() in used:
            continue
        comp = orphan(f)
        comps.append(comp)
    return comps


def orphan(path: Path) -> Compilation:
    from .compiler import Loader, display_path
    from .diagnostics import Diagnostic, SourceCache
    from .ir import Span

    sources = SourceCache()
    diags: list = []
    Loader(sources, diags).read(path)
    name = display_path(path.resolve())
    diags.append(
        Diagnostic(
            "W063",
            f"`{name}` is not part of any spec: no file with a `document` imports it",
            Span(name, 1, 1, 1, 2),
            help="import it from a spec's root file, or add a `document` to make it a root",
        )
    )
    return Compilation(name, None, diags, sources, [name])


@define
class EmitResult:
    spec: str
    emitter: str
    status: str  # "written", "unchanged", "failed"
    outputs: list[str] = field(factory=list)
    error: str | None = None


@functools.lru_cache(maxsize=1)
def code_files() -> list[Path]:
    """The files whose change invalidates the manifest: the compiler core,
    the grammar and every registered plugin's package (templates and
    stylesheets included)."""
    paths = {Path(__file__).resolve().parent, GRAMMAR.parent}
    for _name, plugin in plugins.manager().list_name_plugin():
        f = getattr(plugin, "__file__", None)
        if f:
            f = Path(f).resolve()
            # a plugin module inside a package: the whole package (its
            # templates and stylesheets too); a lone module: itself
            paths.add(f.parent if (f.parent / "__init__.py").exists() else f)
    out = []
    for d in sorted(paths):
        files = sorted(d.rglob("*")) if d.is_dir() else [d]
        out += [f for f in files if f.is_file() and f.suffix in CODE_SUFFIXES and "__pycache__" not in f.parts]
    return out


def code_hash() -> str:
    """sha256 over :func:`code_files`, so a changed template, style or
    plugin re-emits."""
    h = hashlib.sha256(__version__.encode())
    for f in code_files():
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


CODE_SUFFIXES = (".py", ".j2", ".jinja", ".css", ".lark", ".json", ".html", ".rst", ".txt", ".ttf", ".otf")


@define
class Job:
    comp: Compilation
    emitter: plugins.Emitter
    key: str
    digest: str
    prefix: str


def plan(comp: Compilation, emitters: Sequence[plugins.Emitter], options: dict) -> list[Job]:
    """One job per emitter for a compiled spec, with the hash of its inputs."""
    spec = comp.spec
    assert spec is not None
    prefix = safe_component(spec.document.id)
    base = Path(comp.root).parent
    named = [(_rel_name(f, base), f) for f in comp.files]
    opts = repr(sorted(options.items()))
    out = []
    for em in emitters:
        digest = inputs_hash(named, f"{em.name}\0{em.plugin}\0{em.version}\0{opts}\0{code_hash()}")
        out.append(Job(comp, em, f"{prefix}/{em.name}", digest, prefix))
    return out


OPTION_ERROR = "invalid option for emitter "


def _run(em: plugins.Emitter, spec, sink, options: dict):
    """Run one emitter (here or in a worker); returns (written, error)."""
    try:
        em.emit(spec, sink, dict(options))
    except plugins.OptionError as e:
        return None, f"{OPTION_ERROR}`{em.name}`: {e}"
    except Exception as e:  # noqa: BLE001 - reported with plugin and emitter names
        return None, str(plugins.PluginError(em.plugin, f"emitter `{em.name}`", e))
    return sink.written, None


WORKER_ENV = "SPECC_BUILD_WORKER"
"""Set in a parallel build's worker processes: an emitter that would start a
pool of its own should not (the build already uses every core)."""


def in_build_worker() -> bool:
    import os

    return os.environ.get(WORKER_ENV) == "1"


def _mark_worker() -> None:
    import os

    os.environ[WORKER_ENV] = "1"


def emit_all(
    jobs: Sequence[Job],
    folder: OutputFolder,
    options: dict,
    force: bool = False,
    workers: int = 1,
    on_done: Callable[[EmitResult], None] | None = None,
    runner: Callable | None = None,
) -> list[EmitResult]:
    """Run the jobs whose inputs changed since the manifest; with ``workers``
    > 1 and more than one job to run, in a pool of processes (rendering is
    CPU-bound), heaviest emitters first so the cores finish together.  Files
    are committed by this process, one job at a time.  ``runner`` runs the
    jobs elsewhere instead (another engine, e.g. ``--engine dask``): given
    ``[(index, job, sink)]`` and the options, it yields ``(index, written,
    error)`` as :func:`_run` returns them, having written each job's files
    through its sink."""
    results: dict[int, EmitResult] = {}
    stale = []
    for i, j in enumerate(jobs):
        if not force and folder.up_to_date(j.key, j.digest):
            outs = sorted(folder.manifest["entries"][j.key]["outputs"])
            results[i] = EmitResult(j.comp.spec.document.id, j.emitter.name, "unchanged", outs)
            if on_done:
                on_done(results[i])
        else:
            stale.append(i)

    def finish(i: int, sink, written, error) -> None:
        j = jobs[i]
        spec_id = j.comp.spec.document.id
        if error is not None:
            folder.discard(sink)
            results[i] = EmitResult(spec_id, j.emitter.name, "failed", [], error)
        else:
            sink.written = written
            folder.commit(sink, j.key, j.digest)
            results[i] = EmitResult(spec_id, j.emitter.name, "written", sorted(written))
        if on_done:
            on_done(results[i])

    sinks = {i: folder.begin(jobs[i].prefix) for i in stale}
    import concurrent.futures
    import multiprocessing

    if runner is not None:
        for i, written, error in runner([(i, jobs[i], sinks[i]) for i in stale], options):
            finish(i, sinks[i], written, error)
    elif workers > 1 and len(stale) > 1 and "fork" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("fork")
        order = sorted(stale, key=lambda i: -jobs[i].emitter.weight)
        with concurrent.futures.ProcessPoolExecutor(max_workers=min(workers, len(stale)), mp_context=ctx, initializer=_mark_worker) as pool:
            futs = {pool.submit(_run, jobs[i].emitter, jobs[i].comp.spec, sinks[i], options): i for i in order}
            for fut in concurrent.futures.as_completed(futs):
                i = futs[fut]
                try:
                    written, error = fut.result()
                except Exception as e:  # noqa: BLE001 - a worker died
                    em = jobs[i].emitter
                    written, error = None, str(plugins.PluginError(em.plugin, f"emitter `{em.name}`", e))
                finish(i, sinks[i], written, error)
    else:
        for i in stale:
            written, error = _run(jobs[i].emitter, jobs[i].comp.spec, sinks[i], options)
            finish(i, sinks[i], written, error)
    return [results[i] for i in range(len(jobs))]


def _rel_name(f: str, base: Path) -> str:
    """A file's name relative to the spec's folder (independent of the cwd)."""
    try:
        return Path(f).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(f).name
