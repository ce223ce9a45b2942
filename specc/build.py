"""Finding spec roots, compiling them and running emitters through the sink."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from attrs import define, field

from . import __version__, plugins
from .compiler import SOURCE_SUFFIX, Compilation, compile_file
from .sink import OutputError, OutputFolder, UnsafePath, inputs_hash, safe_component  # noqa: F401 - re-exported
from .source import SourceError, SourceLoader
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
    are parts that roots import.)  A cheap textual test, confirmed by the parser.
    Read through a :class:`SourceLoader` (regular files, size cap)."""
    try:
        text = SourceLoader(Path(path).absolute().parent).fetch(path).decode("utf-8-sig")
    except (SourceError, UnicodeDecodeError):
        return True  # let the compiler report it
    from .parts import is_root_text

    return is_root_text(text)


def roots(paths: Iterable[str | Path]) -> list[Path]:
    """The spec roots under ``paths``.  A part file named on its own (no
    ``document``) stands for the roots that import it (see :mod:`specc.parts`)."""
    files = source_files(paths)
    explicit = [Path(p) for p in paths if not Path(p).is_dir()]
    out: list[Path] = []
    for f in files:
        if f in explicit and not is_root(f):
            out.extend(r for r in (part_roots(f) or [f]) if r not in out)
        elif (f in explicit or is_root(f)) and f not in out:
            out.append(f)
    return out


def part_roots(path: Path) -> list[Path]:
    """The roots that import a part file, as paths relative to the working
    directory where they are inside it (as diagnostics show them)."""
    from .compiler import display_path
    from .parts import importing_roots

    return [Path(display_path(r)) for r in importing_roots(path)]


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
    """Compile every spec root under ``paths``, each path in its project
    (:func:`specc.project.find_project`; a broken specc.toml raises
    :class:`specc.project.ProjectError`).  A .specc file that no spec imports
    is still parsed (so its errors are reported) and gets W063.  Names that
    would make bad file names get E070, specs sharing an output folder E071
    (:mod:`specc.names`)."""
    from . import names
    from .project import find_project

    checks = plugins.checks if with_plugins else None
    comps: list[Compilation] = []
    done: set[Path] = set()
    loaders: dict[Path, SourceLoader] = {}
    for named in paths:
        loader = find_project(named).loader()
        for r in roots([named]):
            if r.resolve() in done:
                continue
            done.add(r.resolve())
            # a part named on its own stands for the roots that import it
            # (specc.parts), which may lie above it: they compile in their project
            src = loader if loader.inside(r) else find_project(r).loader()
            loaders[r.resolve()] = src
            comp = compile_file(r, plugin_checks=checks, source=src)
            if comp.spec is not None:
                comp.diagnostics.extend(names.check(comp.spec))
            comps.append(comp)
    built = [c for c in comps if c.spec is not None]
    for i, d in names.document_collisions([c.spec for c in built]):
        built[i].diagnostics.append(d)
    used = {Path(f).resolve() for c in comps for f in c.files} | {Path(c.root).resolve() for c in comps}
    for named in paths:
        for f in source_files([named]):
            if f.resolve() in used:
                continue
            used.add(f.resolve())
            comps.append(orphan(f, find_project(named).loader()))
    return comps


def is_orphan(comp: Compilation) -> bool:
    """Is ``comp`` a file that no spec imports (made by :func:`orphan`)?"""
    return comp.spec is None and any(d.code == "W063" and d.span is not None and d.span.file == comp.root for d in comp.diagnostics)


def orphan(path: Path, source: SourceLoader | None = None) -> Compilation:
    from .diagnostics import Diagnostic, SourceCache
    from .ir import Span
    from .source import Loader, display_path

    sources = SourceCache()
    diags: list = []
    Loader(sources, diags, source).read(path)
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
    kept: list[str] = field(factory=list)  # of ``outputs``, those left in place from the last build (not re-rendered)


@functools.lru_cache(maxsize=1)
def code_files() -> list[Path]:
    """The files whose change invalidates the manifest: the compiler core,
    the grammar and every registered plugin's top-level package (templates,
    stylesheets and shipped fonts included: a plugin may use its siblings,
    as the built-in ones share ``specc_plugins.fonts``)."""
    paths = {Path(__file__).resolve().parent, GRAMMAR.parent}
    for _name, plugin in plugins.manager().list_name_plugin():
        f = getattr(plugin, "__file__", None)
        if f:
            f = Path(f).resolve()
            # a plugin module inside a package: the whole top-level package
            # (its templates, stylesheets and fonts too); a lone module: itself
            top = f if not (f.parent / "__init__.py").exists() else f.parent
            while top.is_dir() and (top.parent / "__init__.py").exists():
                top = top.parent
            paths.add(top)
    out = []
    for d in sorted(paths):
        files = sorted(d.rglob("*")) if d.is_dir() else [d]
        out += [f for f in files if f.is_file() and f.suffix in CODE_SUFFIXES and "__pycache__" not in f.parts]
    return out


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 over :func:`code_files`, so a changed template, style or
    plugin re-emits."""
    h = hashlib.sha256(__version__.encode())
    for f in code_files():
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


CODE_SUFFIXES = (".py", ".j2", ".jinja", ".css", ".lark", ".json", ".html", ".rst", ".txt", ".ttf", ".otf")


TOOLCHAIN_LIBRARIES = ("weasyprint", "pydyf", "docutils", "python-docx", "lark", "jinja2", "attrs", "pluggy", "fonttools", "tinycss2", "cssselect2", "pillow")


@functools.lru_cache(maxsize=1)
def toolchain() -> dict:
    """What besides a spec decides its outputs: specc's version, the code of
    the core and every plugin (:func:`code_hash`, shipped fonts included), the machine's fonts, the
    Python version and the versions of the libraries that render outputs.
    Recorded in the manifest; an entry made with another toolchain is re-emitted."""
    import platform
    from importlib import metadata

    libs = {}
    for name in TOOLCHAIN_LIBRARIES:
        try:
            libs[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            libs[name] = None
    # fonts shipped with plugins are in code_hash(); the machine's fonts can
    # still decide a fallback glyph
    h = hashlib.sha256(b"\0system\0" + _system_fonts().encode())
    return {"specc": __version__, "python": platform.python_version(), "code": code_hash(), "fonts": h.hexdigest(), "libraries": libs}


def _system_fonts() -> str:
    """The machine's fonts as fontconfig lists them (file, family, style,
    version), sorted: WeasyPrint falls back to them for a character the
    house font lacks, so installing a font can change a PDF."""
    import shutil
    import subprocess

    exe = shutil.which("fc-list")
    if not exe:
        return ""
    try:
        r = subprocess.run([exe, "--format", "%{file}|%{family}|%{style}|%{fontversion}\\n"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return "\n".join(sorted(r.stdout.decode("utf-8", "replace").splitlines()))


def toolchain_digest() -> str:
    return hashlib.sha256(json.dumps(toolchain(), sort_keys=True).encode()).hexdigest()


@define
class Job:
    comp: Compilation
    emitter: plugins.Emitter
    key: str
    digest: str
    prefix: str
    sources: dict[str, str] = field(factory=dict)  # source file (relative to the root's folder) -> sha256
    context: str = ""  # everything but the spec that decides the outputs (salts per-output reuse keys)


def plan(comp: Compilation, emitters: Sequence[plugins.Emitter], options: dict) -> list[Job]:
    """One job per emitter for a compiled spec, with the hash of its inputs."""
    spec = comp.spec
    assert spec is not None
    prefix = safe_component(spec.document.id)
    base = Path(comp.root).parent
    named = [(_rel_name(f, base), f) for f in comp.files]
    texts = {n: comp.sources.text(f) for n, f in named}

    def read(f: str) -> bytes:  # the text that was compiled, not the disk now
        t = comp.sources.text(f)
        if t is None:
            raise OSError("not compiled")
        return t.encode("utf-8")

    sources = {n: hashlib.sha256(t.encode("utf-8")).hexdigest() for n, t in texts.items() if t is not None}
    opts = repr(sorted(options.items()))
    out = []
    for em in emitters:
        context = f"{em.name}\0{em.plugin}\0{em.version}\0{opts}\0{code_hash()}"
        digest = inputs_hash(named, context, read=read)
        out.append(Job(comp, em, f"{prefix}/{em.name}", digest, prefix, sources, hashlib.sha256(context.encode()).hexdigest()))
    return out


OPTION_ERROR = "invalid option for emitter "


def _run(em: plugins.Emitter, spec, sink, options: dict):
    """Run one emitter (here or in a worker); returns (written, error)."""
    try:
        em.emit(spec, sink, dict(options))
    except plugins.OptionError as e:
        return None, f"{OPTION_ERROR}`{em.name}`: {e}"
    except plugins.CannotShow as e:
        return None, str(e)
    except Exception as e:  # noqa: BLE001 - reported with plugin and emitter names
        return None, str(plugins.PluginError(em.plugin, f"emitter `{em.name}`", e))
    return sink.state(), None


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
            sink.restore(written)
            try:
                folder.commit(sink, j.key, j.digest, j.sources)
            except (OSError, UnsafePath) as e:
                msg = e.strerror if isinstance(e, OSError) and e.strerror and not isinstance(e, OutputError) else str(e)
                results[i] = EmitResult(spec_id, j.emitter.name, "failed", [], f"cannot write the outputs of `{j.emitter.name}`: {msg}")
            else:
                results[i] = EmitResult(spec_id, j.emitter.name, "written", sorted(sink.written), kept=sorted(sink.kept))
        if on_done:
            on_done(results[i])

    # per-output reuse (Sink.reuse): an emitter that re-runs keeps the outputs
    # whose key is unchanged; --force renders everything again
    sinks = {i: folder.begin(jobs[i].prefix, key=jobs[i].key, salt=jobs[i].context, reuse=not force) for i in stale}
    # The compiled specs outlive every job: moved out of the collector's reach
    # while the emitters run, a full collection does not walk them again each
    # time (on a spec of 100,000 units they are most of the heap), and forked
    # workers keep sharing their pages.  Their lookup tables are made first,
    # so that they are frozen with them rather than walked by every pass.
    for i in stale:
        jobs[i].comp.spec.index()
    gc.freeze()
    try:
        _run_stale(jobs, stale, sinks, options, workers, runner, finish)
    finally:
        gc.unfreeze()
    return [results[i] for i in range(len(jobs))]


def _run_stale(jobs, stale, sinks, options, workers, runner, finish) -> None:
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


def _rel_name(f: str, base: Path) -> str:
    """A file's name relative to the spec's folder (independent of the cwd)."""
    try:
        return Path(f).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(f).name
