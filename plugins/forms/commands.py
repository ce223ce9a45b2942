"""``specc portfolio from-forms SPEC FORM...``: filled recording forms (PDF
or DOCX) of one candidate -> the portfolio JSON ``specc validate`` checks."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _usage(msg: str) -> int:
    print(f"specc: error: {msg}", file=sys.stderr)
    return 2


def cmd_from_forms(args) -> int:
    from specc import build
    from specc.diagnostics import render, summary

    from . import readback

    try:
        root = build.spec_root(args.spec)
    except ValueError as e:
        return _usage(str(e))
    missing = [p for p in args.forms if not Path(p).is_file()]
    if missing:
        return _usage(f"no such file: {missing[0]}")
    comps = build.compile_all([root])
    comp = comps[0] if comps else None
    if comp is None or not comp.ok or comp.spec is None:
        for d in comp.diagnostics if comp else []:
            if d.is_error:
                print(render(d, comp.sources) + "\n", file=sys.stderr)
        return _usage(f"{args.spec} does not compile ({summary(comp.diagnostics if comp else [])})")
    spec = comp.spec
    if args.qualification and spec.qualification(args.qualification) is None:
        return _usage(f"no qualification {args.qualification!r} in {root} (have: {', '.join(q.id for q in spec.qualifications)})")
    values: dict = {}
    where: dict = {}
    for p in args.forms:
        try:
            got = readback.read(Path(p))
        except ValueError as e:
            return _usage(str(e))
        except Exception as e:  # a damaged file: pikepdf / python-docx errors
            return _usage(f"{p}: cannot read the form ({type(e).__name__}: {e})")
        for name, v in got.items():
            if v in ("", False):
                values.setdefault(name, v)
                continue
            old = values.get(name)
            if old not in (None, "", False) and old != v:
                if name.startswith(("candidate.", "centre.")):
                    return _usage(f"the forms are not all of one candidate: {name} is {old!r} in {where[name]} and {v!r} in {p}")
                print(f"specc: warning: {name} is {old!r} in {where[name]} and {v!r} in {p}; keeping the first", file=sys.stderr)
                continue
            values[name], where[name] = v, p
    result, notes = readback.portfolio(spec, values, args.qualification, args.as_of)
    for n in notes:
        print(f"specc: warning: {n}", file=sys.stderr)
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        out = Path(args.output)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    else:
        sys.stdout.write(text)
    return 0


def add(subparsers) -> None:
    p = subparsers.add_parser("portfolio", help="make portfolios from other records (filled recording forms)")
    sub = p.add_subparsers(dest="portfolio_command", required=True, metavar="COMMAND")
    f = sub.add_parser(
        "from-forms",
        help="filled recording forms (PDF or DOCX) of one candidate -> portfolio JSON for specc validate",
        description="Read the fields of filled recording forms of one candidate and write the portfolio they describe.",
    )
    f.add_argument("spec", metavar="SPEC", help="the spec the forms were built from (root .specc file or its folder)")
    f.add_argument("forms", nargs="+", metavar="FORM", help="filled PDF or DOCX forms")
    f.add_argument("-o", "--output", metavar="FILE", help="write the portfolio here (default: standard output)")
    f.add_argument("-q", "--qualification", metavar="ID", help="the qualification (default: the forms' Qualification field)")
    f.add_argument("--as-of", metavar="YYYY-MM-DD", help="the portfolio's as_of date (default: its latest evidence date)")
    f.set_defaults(func=cmd_from_forms)
