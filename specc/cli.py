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
from .diagnostics import Diagnostic, did_you_mean, render, summary, to_json

DEFAULT_SPECS = "specs"
DEFAULT_OUT = "outputs"


def _color(stream) -> bool:
    return stream.isatty() and os.environ.get("NO_COLOR") is None and os.environ.get("TERM") != "dumb"


def _report(comps, fmt: str, stream=sys.stderr) -> int:
    diags: list[Diagnostic] = [d for c in comps for d in c.diagnostics]
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
        n = len(comps)
        print(f"checked {n} spec{'s' if n != 1 else ''}: {summary(uniq)}", file=stream)
    return 1 if any(d.is_error for d in uniq) else 0


def _usage_error(msg: str) -> int:
    print(f"specc: error: {msg}", file=sys.stderr)
    return 2


def _existing(paths: Sequence[str]) -> str | None:
    for p in paths:
        if not Path(p).exists():
            return p
    return None


def cmd_check(args) -> int:
    missing = _existing(args.paths)
    if missing:
        return _usage_error(f"no such file or folder: {missing}")
    comps = build.compile_all(args.paths)
    if not comps:
        return _usage_error(f"no spec (a .specc file with a `document`) under {', '.join(args.paths)}")
    return _report(comps, args.format)


def cmd_ir(args) -> int:
    try:
        root = build.spec_root(args.path)
    except ValueError as e:
        return _usage_error(str(e))
    comps = build.compile_all([root])
    comp = comps[0]
    if not comp.ok:
        return _report(comps, args.format)
    sys.stdout.write(export.dumps(export.spec_data(comp.spec)))
    return 0


def cmd_fmt(args) -> int:
    from .fmt import format_text

    missing = _existing(args.paths)
    if missing:
        return _usage_error(f"no such file or folder: {missing}")
    files = build.source_files(args.paths)
    changed, failed = [], False
    for f in files:
        try:
            text = f.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            # the compiler says where and why (E003: unreadable, or where the UTF-8 breaks)
            from .compiler import compile_file

            comp = compile_file(f)
            for d in comp.diagnostics:
                if d.code == "E003":
                    print(render(d, comp.sources, color=_color(sys.stderr)) + "\n", file=sys.stderr)
            failed = True
            continue
        out, diags = format_text(text, str(f))
        if out is None:
            from .diagnostics import SourceCache

            sc = SourceCache()
            sc.add(str(f), text)
            for d in diags:
                print(render(d, sc, color=_color(sys.stderr)) + "\n", file=sys.stderr)
            failed = True
            continue
        if out != text:
            changed.append(f)
            if not args.check:
                tmp = f.with_name(f".{f.name}.fmt-tmp")
                tmp.write_text(out, encoding="utf-8")
                os.replace(tmp, f)
    for f in changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {f}", file=sys.stderr)
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
        print(f"error: {e}", file=sys.stderr)
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

    # a fixed width when piped, so columns are not cut to 80 characters
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    t = Table(title="emitters", title_justify="left")
    for col in ("name", "description", "produces", "options", "plugin"):
        t.add_column(col)
    for e in ems.values():
        t.add_row(e.name, e.description, e.produces, ", ".join(e.options), e.plugin)
    console.print(t)
    t3 = Table(title="house styles (--style NAME; the default follows the spec's body)", title_justify="left")
    for col in ("name", "for", "bodies", "description", "plugin"):
        t3.add_column(col)
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
    paths = args.paths or [DEFAULT_SPECS]
    missing = _existing(paths)
    if missing:
        return _usage_error(f"no such file or folder: {missing}")
    try:
        registry = plugins.emitters()
    except plugins.PluginError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    wanted: list[str] | None = None
    if args.emit:
        wanted = [x for part in args.emit for x in part.split(",") if x]
        unknown = [w for w in wanted if w not in registry]
        if unknown:
            hint = did_you_mean(unknown[0], registry) or f"available: {', '.join(registry)}"
            return _usage_error(f"unknown emitter `{unknown[0]}` ({hint})")
    try:
        comps = build.compile_all(paths)
    except plugins.PluginError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not comps:
        return _usage_error(f"no spec (a .specc file with a `document`) under {', '.join(paths)}")
    status = _report(comps, "text") if any(c.diagnostics for c in comps) else 0
    good = [c for c in comps if c.ok]
    if status:
        print("error: not building: fix the errors above first (earlier outputs are left as they were)", file=sys.stderr)
        return 1
    folder = build.OutputFolder(args.output)
    options = {}
    for opt in args.option or []:
        k, _, v = opt.partition("=")
        options[k] = v
    if args.style:
        options["style"] = args.style
        styles = sorted(set(plugins.handbook_styles()) | set(plugins.form_styles()))
        if args.style not in styles:
            hint = did_you_mean(args.style, styles)
            return _usage_error(f"unknown style `{args.style}`" + (f" ({hint})" if hint else "") + f"; styles: {', '.join(styles)}")
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
    show = len(jobs) > 5 and sys.stderr.isatty() and not args.quiet
    progress = None
    if show:
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("building", total=len(jobs))

    def done(r):
        if progress is not None:
            progress.update(task, advance=1, description=f"{r.spec}: {r.emitter}")

    runner = None
    if getattr(args, "build_runner", None) is not None:  # another engine, added by a plugin (specc build --engine dask)
        try:
            runner = args.build_runner(args)
        except ValueError as e:
            return _usage_error(str(e))
    try:
        results = build.emit_all(jobs, folder, options, force=args.force, workers=args.jobs, on_done=done, runner=runner)
    except ValueError as e:  # the engine failed (a cluster gone, a worker of another version)
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        if progress is not None:
            progress.stop()
        folder.save()
        if runner is not None:
            runner.close()
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        print(f"error: {r.error}; no outputs of `{r.emitter}` for `{r.spec}` were written", file=sys.stderr)
    if failed and all(r.error.startswith(build.OPTION_ERROR) for r in failed):
        return 2  # the user's options, not a plugin, are at fault
    written = sum(len(r.outputs) for r in results if r.status == "written")
    unchanged = sum(1 for r in results if r.status == "unchanged")
    if not args.quiet:
        print(
            f"built {len(good)} spec{'s' if len(good) != 1 else ''} into {args.output}: "
            f"{written} file{'s' if written != 1 else ''} written, {unchanged} emitter run{'s' if unchanged != 1 else ''} unchanged"
            + (f", {len(failed)} failed" if failed else ""),
            file=sys.stderr,
        )
    return 1 if failed else 0


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="specc", description="Compile awarding-body qualification specifications.")
    p.add_argument("--version", action="version", version=f"specc {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    c = sub.add_parser("check", help="check specs and report diagnostics")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.set_defaults(func=cmd_check)

    b = sub.add_parser("build", help=f"build specs (default: {DEFAULT_SPECS}/) into an output folder")
    b.add_argument("paths", nargs="*", metavar="PATH")
    b.add_argument("-o", "--output", default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT}/)")
    b.add_argument("--emit", action="append", metavar="NAMES", help="emitters to run, comma-separated (default: all)")
    b.add_argument("--style", help="house style for handbooks and forms (default: the spec's body)")
    b.add_argument("--option", action="append", metavar="KEY=VALUE", help="an option passed to emitters")
    b.add_argument("--force", action="store_true", help="re-emit even when the manifest says nothing changed")
    b.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="processes for rendering (default: one per core)")
    b.add_argument("-q", "--quiet", action="store_true")
    b.set_defaults(func=cmd_build)

    f = sub.add_parser("fmt", help="format specs canonically (in place)")
    f.add_argument("paths", nargs="+", metavar="PATH")
    f.add_argument("--check", action="store_true", help="only report files that would change (exit 1 if any)")
    f.set_defaults(func=cmd_fmt)

    i = sub.add_parser("ir", help="print a spec's IR as JSON")
    i.add_argument("path", metavar="PATH")
    i.add_argument("--format", choices=("text", "json"), default="text", help="format of diagnostics if it does not compile")
    i.set_defaults(func=cmd_ir)

    pl = sub.add_parser("plugins", help="list emitters and the plugins providing them")
    pl.add_argument("--format", choices=("text", "json"), default="text")
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
        print(f"error: {e}", file=sys.stderr)
        return 1
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except plugins.PluginError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
