"""The ``specc`` command line.

Exit status: 0 clean (warnings allowed), 1 errors, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, build, export, plugins
from .diagnostics import Diagnostic, did_you_mean, printable, render, summary, to_json

DEFAULT_SPECS = "specs"
DEFAULT_OUT = "outputs"


def _color(stream) -> bool:
    return stream.isatty() and os.environ.get("NO_COLOR") is None and os.environ.get("TERM") != "dumb"


def _report(comps, fmt: str, stream=None, quiet: bool = False) -> int:
    """Print the diagnostics of ``comps``; with ``quiet``, errors only and no
    summary line.  Returns 1 if any is an error."""
    stream = stream or sys.stderr
    diags: list[Diagnostic] = [d for c in comps for d in c.diagnostics if not (quiet and not d.is_error)]
    # one file imported by several roots reports once
    seen, uniq = set(), []
    for d in diags:
        k = (d.code, d.message, d.span)
        if k not in seen:
            seen.add(k)
            uniq.append(d)
    if fmt == "json":
        print(to_json(uniq), file=sys.stdout)
    else:
        color = _color(stream)
        for c in comps:
            for d in c.diagnostics:
                k = (d.code, d.message, d.span)
                if k in seen:
                    seen.discard(k)
                    print(render(d, c.sources, color=color) + "\n", file=stream)
        if not quiet:
            n = sum(1 for c in comps if not build.is_orphan(c))
            others = len(comps) - n
            extra = f" and {others} file{'s' if others != 1 else ''} that no spec imports" if others else ""
            print(f"checked {n} spec{'s' if n != 1 else ''}{extra}: {summary(uniq)}", file=stream)
    return 1 if any(d.is_error for d in uniq) else 0


def _usage_error(msg: str) -> int:
    print(f"specc: error: {printable(msg, newlines=False)}", file=sys.stderr)
    return 2


def _existing(paths: Sequence[str]) -> str | None:
    for p in paths:
        if not Path(p).exists():
            return p
    return None


def _compile(paths: Sequence[str]) -> tuple[list | None, int]:
    """Compile ``paths`` for check and build: (compilations, 0), or (None,
    exit status) after saying why there is nothing to compile."""
    from .project import ProjectError

    missing = _existing(paths)
    if missing:
        return None, _usage_error(f"no such file or folder: {missing}")
    try:
        comps = build.compile_all(paths)
    except ProjectError as e:
        return None, _usage_error(str(e))
    where = ", ".join(paths)
    if not comps:
        return None, _usage_error(f"no spec under {where}: no .specc file there (a spec's root file is a .specc file with a `document`)")
    if all(build.is_orphan(c) for c in comps):
        _report(comps, "text")
        n = len(comps)
        return None, _usage_error(
            f"no spec under {where}: {n} .specc file{'s' if n != 1 else ''} but none declares a `document` "
            '(a spec\'s root file starts with `document ID "TITLE" { ... }`)'
        )
    return comps, 0


def cmd_check(args) -> int:
    comps, status = _compile(args.paths)
    if comps is None:
        return status
    from .parts import in_context

    comps = in_context(comps, args.paths)
    return _report(comps, args.format)


def cmd_ir(args) -> int:
    try:
        root = build.spec_root(args.path)
    except ValueError as e:
        return _usage_error(str(e))
    from .project import ProjectError

    try:
        comps = build.compile_all([root])
    except ProjectError as e:
        return _usage_error(str(e))
    comp = comps[0]
    if not comp.ok:
        return _report(comps, args.diagnostics)
    sys.stdout.writelines(export.chunks(comp.spec))
    return 0


def cmd_fmt(args) -> int:
    from .fmt import format_text, write_in_place
    from .source import SourceError, SourceLoader

    missing = _existing(args.paths)
    if missing:
        return _usage_error(f"no such file or folder: {missing}")
    files = build.source_files(args.paths)
    changed, failed = [], False
    color = _color(sys.stderr)
    for f in files:
        try:
            text = SourceLoader(f.absolute().parent).fetch(f).decode("utf-8-sig")
        except (SourceError, UnicodeDecodeError):
            # the compiler says where and why (E003: unreadable, or where the UTF-8 breaks)
            from .compiler import compile_file

            comp = compile_file(f)
            for d in comp.diagnostics:
                if d.code == "E003":
                    print(render(d, comp.sources, color=color) + "\n", file=sys.stderr)
            failed = True
            continue
        out, diags = format_text(text, str(f))
        if out is None:
            from .diagnostics import SourceCache

            sc = SourceCache()
            sc.add(str(f), text)
            for d in diags:
                print(render(d, sc, color=color) + "\n", file=sys.stderr)
            failed = True
            continue
        if out != text:
            changed.append(f)
            if args.check:
                import difflib

                diff = difflib.unified_diff(text.splitlines(keepends=True), out.splitlines(keepends=True), f"{f} (now)", f"{f} (formatted)")
                sys.stdout.write(printable("".join(diff)))
            else:
                try:
                    write_in_place(f, out)
                except OSError as e:
                    print(f"error: cannot rewrite {printable(str(f))}: {e.strerror or e}", file=sys.stderr)
                    failed = True
                    continue
    for f in changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {printable(str(f), newlines=False)}", file=sys.stderr)
    n = len(files)
    print(f"{n} file{'s' if n != 1 else ''} checked, {len(changed)} {'to reformat' if args.check else 'reformatted'}", file=sys.stderr)
    if failed:
        return 1
    return 1 if (args.check and changed) else 0


def cmd_plugins(args) -> int:
    try:
        ems = plugins.emitters()
        styles = [("handbook", st) for st in plugins.handbook_styles().values()] + [("forms", st) for st in plugins.form_styles().values()]
    except plugins.PluginError as e:
        print(f"error: {printable(str(e), newlines=False)}", file=sys.stderr)
        return 1
    if args.format == "json":
        data = {
            "plugins": [{"name": n, "distribution": d} for n, d in plugins.plugin_names()],
            "emitters": [
                {"name": e.name, "description": e.description, "produces": e.produces, "options": list(e.options), "plugin": e.plugin}
                for e in ems.values()
            ],
            "styles": [{"name": st.name, "for": kind, "bodies": list(st.bodies), "description": st.description, "plugin": st.plugin} for kind, st in styles],
        }
        print(json.dumps(data, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    # the terminal's width; into a pipe or file, $COLUMNS or 100 (rich wraps
    # long cells rather than cutting them)
    import shutil

    width = None if sys.stdout.isatty() else shutil.get_terminal_size((100, 24)).columns
    console = Console(highlight=False, width=width, soft_wrap=False)
    t = Table(title="emitters", title_justify="left")
    for col in ("name", "description", "produces", "options", "plugin"):
        t.add_column(col, no_wrap=col in ("name", "options", "plugin"), overflow="fold")
    for e in ems.values():
        t.add_row(e.name, e.description, e.produces, "\n".join(e.options), e.plugin)
    console.print(t)
    t3 = Table(title="house styles (--style NAME; the default follows the spec's body)", title_justify="left")
    for col in ("name", "for", "bodies", "description", "plugin"):
        t3.add_column(col, no_wrap=col in ("name", "for"), overflow="fold")
    for kind, st in styles:
        t3.add_row(st.name, kind, ", ".join(st.bodies), st.description, st.plugin)
    console.print(t3)
    t2 = Table(title="plugins", title_justify="left")
    t2.add_column("name")
    t2.add_column("distribution")
    for n, d in plugins.plugin_names():
        t2.add_row(n, d)
    console.print(t2)
    return 0


def cmd_build(args) -> int:
    from .project import ProjectError, find_project
    from .sink import OutputError

    paths = args.paths or [DEFAULT_SPECS]
    missing = _existing(paths)
    if missing:
        return _usage_error(f"no such file or folder: {missing}")
    try:
        project = find_project(paths[0])
    except ProjectError as e:
        return _usage_error(str(e))
    try:
        registry = plugins.emitters()
    except plugins.PluginError as e:
        print(f"error: {printable(str(e), newlines=False)}", file=sys.stderr)
        return 1
    wanted: list[str] | None = None
    emit = args.emit or list(project.emit)
    if emit:
        wanted = [x for part in emit for x in part.split(",") if x]
        unknown = [w for w in wanted if w not in registry]
        if unknown:
            hint = did_you_mean(unknown[0], registry) or f"available: {', '.join(registry)}"
            return _usage_error(f"unknown emitter `{unknown[0]}` ({hint})")
    comps, status = _compile(paths)
    if comps is None:
        return status
    status = _report(comps, "text", quiet=args.quiet) if any(c.diagnostics for c in comps) else 0
    good = [c for c in comps if c.ok]
    if status:
        print("error: not building: fix the errors above first (earlier outputs are left as they were)", file=sys.stderr)
        return 1
    output = args.output or (str(project.output) if project.output else DEFAULT_OUT)
    options = dict(project.options)
    for opt in args.option or []:
        k, sep, v = opt.partition("=")
        if not sep or not k:
            return _usage_error(f"--option takes KEY=VALUE, not `{opt}`")
        options[k] = v
    style = args.style or project.style
    if style:
        options["style"] = style
        styles = sorted(set(plugins.handbook_styles()) | set(plugins.form_styles()))
        if style not in styles:
            hint = did_you_mean(style, styles)
            return _usage_error(f"unknown style `{style}`" + (f" ({hint})" if hint else "") + f"; styles: {', '.join(styles)}")
    selected = [registry[n] for n in (wanted or list(registry)) if n in registry]
    known = sorted({"style"} | {k for em in selected for k in em.options})
    for k in options:
        if k not in known:
            hint = did_you_mean(k, known)
            return _usage_error(f"no emitter reads option `{k}`" + (f" ({hint})" if hint else "") + f"; options: {', '.join(known)}")
    jobs = []
    for c in good:
        names = wanted or plugins.default_emitters(c.spec) or list(registry)
        jobs.extend(build.plan(c, [registry[n] for n in names if n in registry], options))
    folder = build.OutputFolder(output, toolchain=build.toolchain_digest(), toolchain_info=build.toolchain())
    show = len(jobs) > 5 and sys.stderr.isatty() and not args.quiet
    progress = None

    def waiting(msg: str) -> None:
        print(msg, file=sys.stderr)

    runner = None
    if getattr(args, "build_runner", None) is not None:  # another engine, added by a plugin (specc build --engine dask)
        try:
            runner = args.build_runner(args)
        except ValueError as e:
            return _usage_error(str(e))
    try:
        with folder.locked(on_wait=waiting):
            if show:
                from rich.progress import Progress

                progress = Progress(transient=True)
                progress.start()
                task = progress.add_task("building", total=len(jobs))

            def done(r):
                if progress is not None:
                    progress.update(task, advance=1, description=f"{r.spec}: {r.emitter}")

            try:
                results = build.emit_all(jobs, folder, options, force=args.force, workers=args.jobs, on_done=done, runner=runner)
            finally:
                if progress is not None:
                    progress.stop()
    except (OutputError, build.UnsafePath) as e:
        return _usage_error(str(e))
    except ValueError as e:  # the engine failed (a cluster gone, a worker of another version)
        print(f"error: {printable(str(e), newlines=False)}", file=sys.stderr)
        return 1
    finally:
        if runner is not None:
            runner.close()
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        print(f"error: {printable(r.error, newlines=False)}; no outputs of `{r.emitter}` for `{printable(r.spec)}` were written", file=sys.stderr)
    if failed and all(r.error.startswith(build.OPTION_ERROR) for r in failed):
        return 2  # the user's options, not a plugin, are at fault
    written = sum(len(r.outputs) - len(r.kept) for r in results if r.status == "written")
    kept = sum(len(r.kept) for r in results if r.status == "written")
    unchanged = sum(1 for r in results if r.status == "unchanged")
    if not args.quiet:
        print(
            f"built {len(good)} spec{'s' if len(good) != 1 else ''} into {printable(output, newlines=False)}: "
            f"{written} file{'s' if written != 1 else ''} written"
            + (f" ({kept} unchanged kept)" if kept else "")
            + f", {unchanged} emitter run{'s' if unchanged != 1 else ''} unchanged"
            + (f", {len(failed)} failed" if failed else ""),
            file=sys.stderr,
        )
    return 1 if failed else 0


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _catalogue() -> tuple[str, str, str]:
    """Emitter names, option names and style names for help texts."""
    try:
        ems = plugins.emitters()
        styles = sorted(set(plugins.handbook_styles()) | set(plugins.form_styles()))
    except plugins.PluginError:
        return "see `specc plugins`", "see `specc plugins`", "see `specc plugins`"
    opts = sorted({"style"} | {k for e in ems.values() for k in e.options})
    return ", ".join(ems), ", ".join(opts), ", ".join(styles)


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="specc", description="Compile awarding-body qualification specifications.")
    p.add_argument("--version", action="version", version=f"specc {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    paths_help = "a .specc file or a folder (every .specc file under it; those with a `document` are spec roots)"
    diag_help = "how to print diagnostics: text (for people, on stderr) or json (a list on stdout, for editors and CI)"
    c = sub.add_parser("check", help="check specs and report diagnostics")
    c.add_argument("paths", nargs="+", metavar="PATH", help=paths_help)
    c.add_argument("--format", choices=("text", "json"), default="text", help=diag_help)
    c.set_defaults(func=cmd_check)

    emitters, options, styles = _catalogue()
    b = sub.add_parser("build", help=f"build specs (default: {DEFAULT_SPECS}/) into an output folder")
    b.add_argument("paths", nargs="*", metavar="PATH", help=f"{paths_help} (default: {DEFAULT_SPECS}/)")
    b.add_argument("-o", "--output", default=None, help=f"output folder (default: specc.toml's build.output, else {DEFAULT_OUT}/)")
    b.add_argument(
        "--emit", action="append", metavar="NAMES", help=f"emitters to run, comma-separated (default: each spec's body's set): {emitters}"
    )
    b.add_argument("--style", help=f"house style for handbooks and forms (default: the spec's body): {styles}")
    b.add_argument("--option", action="append", metavar="KEY=VALUE", help=f"an option passed to emitters (repeatable); keys: {options}")
    b.add_argument("--force", action="store_true", help="re-emit even when the manifest says nothing changed")
    b.add_argument("-j", "--jobs", type=_positive, default=os.cpu_count() or 1, help="processes for rendering, at least 1 (default: one per core)")
    b.add_argument("-q", "--quiet", action="store_true", help="print errors only: no warnings, progress or summary")
    b.set_defaults(func=cmd_build)

    f = sub.add_parser("fmt", help="format specs canonically (in place)")
    f.add_argument("paths", nargs="+", metavar="PATH", help="a .specc file or a folder (every .specc file under it)")
    f.add_argument("--check", action="store_true", help="change nothing: print a unified diff of what would change (exit 1 if anything would)")
    f.set_defaults(func=cmd_fmt)

    i = sub.add_parser("ir", help="print a spec's IR as JSON")
    i.add_argument("path", metavar="PATH", help="the spec's root .specc file (or a folder holding one spec root)")
    i.add_argument("--diagnostics", choices=("text", "json"), default="text", help=f"if the spec does not compile, {diag_help[0].lower()}{diag_help[1:]}")
    i.set_defaults(func=cmd_ir)

    pl = sub.add_parser("plugins", help="list emitters and the plugins providing them")
    pl.add_argument("--format", choices=("text", "json"), default="text", help="text (tables) or json")
    pl.set_defaults(func=cmd_plugins)

    _add_extra_commands(sub)
    return p


def _add_extra_commands(sub) -> None:
    """The commands plugins add through the ``specc_add_commands`` hook."""
    for impl in plugins.manager().hook.specc_add_commands.get_hookimpls():
        try:
            impl.function(subparsers=sub)
        except Exception as e:  # a conflicting name (argparse.ArgumentError) or a broken plugin
            raise plugins.PluginError(impl.plugin_name, "specc_add_commands", e) from e


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = make_parser()
    except plugins.PluginError as e:
        print(f"error: {printable(str(e), newlines=False)}", file=sys.stderr)
        return 1
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except plugins.PluginError as e:
        print(f"error: {printable(str(e), newlines=False)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as e:  # a file the user named vanished or cannot be read
        print(f"specc: error: {printable(str(e), newlines=False)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
