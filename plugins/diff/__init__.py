"""``specc diff OLD NEW``: what changed between two versions of a spec, and
whom it affects.

The diff itself is the core's (:mod:`specc.diff`, over the IR); this plugin
adds the command through the ``specc_add_commands`` hook: reading each side
(a path, or ``REV:PATH`` at a git revision: :mod:`.sides`), printing the
change list, JSON or the summary of changes (:mod:`.report`), and, with
``--portfolios``, the impact on learners by the export plugin's validator
(:mod:`.impact`).  Exit status: 0 no changes, 1 changes (or a verdict that
changes), 2 usage errors or a side that does not compile.
"""

from __future__ import annotations

import sys

from specc.hookspecs import hookimpl

FORMATS = ("text", "json", "summary")
TABLES = ("text", "rst", "markdown", "specc")


def _usage(msg: str) -> int:
    print(f"specc: error: {msg}", file=sys.stderr)
    return 2


def run(args) -> int:
    from specc import diff as core
    from specc.diagnostics import render, summary

    from . import impact, report, sides

    if args.as_of is not None and not args.portfolios:
        return _usage("--as-of needs --portfolios")
    if args.table is not None and args.format != "summary":
        return _usage("--table goes with --format summary")
    loaded = []
    for arg in (args.old, args.new):
        try:
            side = sides.load(arg)
        except sides.SideError as e:
            return _usage(str(e))
        if not side.comp.ok:
            for d in side.comp.diagnostics:
                if d.is_error:
                    text = render(d, side.comp.sources)
                    for name, shown in side.names.items():
                        text = text.replace(name, shown)
                    print(text + "\n", file=sys.stderr)
            return _usage(f"{arg} does not compile ({summary(side.comp.diagnostics)}); fix it before comparing")
        loaded.append(side)
    old, new = loaded
    d = core.diff(old.spec, new.spec)
    imps = None
    if args.portfolios:
        try:
            portfolios, skipped = impact.read(args.portfolios)
        except impact.PortfolioError as e:
            return _usage(str(e))
        for note in skipped:
            print(f"specc: warning: {note}; skipped", file=sys.stderr)
        try:
            imps = impact.impacts(old.spec, new.spec, d.moves, portfolios, args.as_of)
        except ValueError as e:  # the validator refuses an --as-of that is not a date
            if args.as_of is None:
                raise
            return _usage(f"--as-of must be a date YYYY-MM-DD, not {args.as_of!r} ({e})")
    out = sys.stdout
    if args.format == "json":
        data = report.diff_data(d, old, new)
        if imps is not None:
            data["portfolios"] = [impact.impact_data(i) for i in imps]
            data["summary"]["portfolios"] = len(imps)
            data["summary"]["verdicts_changed"] = sum(1 for i in imps if i.changed)
        out.write(report.dumps(data))
    elif args.format == "summary":
        out.write(report.render_summary(d, old, new, args.table or "text"))
    else:
        from specc.cli import _color

        out.write(report.render_text(d, old, new, color=_color(out)))
        if imps is not None:
            out.write("\n")
            for i in imps:
                if i.changed:
                    out.write(impact.render_impact(i) + "\n")
            out.write(impact.summary_line(imps) + "\n")
    changed = bool(d.changes) or any(i.changed for i in imps or [])
    return 1 if changed else 0


@hookimpl
def specc_add_commands(subparsers):
    p = subparsers.add_parser(
        "diff",
        help="what changed between two versions of a spec (and which learners it affects)",
        description="Compare two versions of a spec: units, outcomes, criteria, ranges added, removed, renumbered or reworded; "
        "credits, GLH, TQT, levels, demands, rules of combination, barred pairs, evidence methods and environments changed. "
        "Exit 0 if nothing changed, 1 if something did, 2 on bad usage.",
    )
    p.add_argument("old", metavar="OLD", help="the old version: a spec root or a folder with one, or REV:PATH for a git revision")
    p.add_argument("new", metavar="NEW", help="the new version (the same forms)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (located, like check), json, or summary (the summary of changes table)")
    p.add_argument("--table", choices=TABLES, default=None,
                   help="with --format summary: text, rst, markdown, or specc (change lines for the document's history)")
    p.add_argument("--portfolios", nargs="+", metavar="PORTFOLIO",
                   help="check these portfolios (JSON or JSON Lines) against both versions and report verdicts that change")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="with --portfolios: the date of the checks (default: each portfolio's as_of)")
    p.set_defaults(func=run)
