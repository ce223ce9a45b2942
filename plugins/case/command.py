"""``specc import case PACKAGE.json... -o DIR``.

``import`` is a command with one sub-command per format; if another plugin
has already added ``specc import``, ``case`` joins its formats."""

from __future__ import annotations

import argparse


def _formats(subparsers):
    existing = subparsers.choices.get("import")
    if existing is not None:
        for action in existing._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action
    imp = subparsers.add_parser("import", help="write specc source from another format (case: 1EdTech CASE CFPackages)")
    formats = imp.add_subparsers(dest="import_format", metavar="FORMAT")
    formats.required = True
    return formats


def add_parser(subparsers) -> None:
    c = _formats(subparsers).add_parser("case", help="specc source from 1EdTech CASE CFPackage JSON files")
    c.add_argument("packages", nargs="+", metavar="PACKAGE.json")
    c.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write <document>.specc files into")
    c.add_argument("--format", choices=("text", "json"), default="text", help="format of diagnostics")
    c.set_defaults(func=run)


def run(args) -> int:
    from .importer import main

    return main(args)
