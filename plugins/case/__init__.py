"""Built-in plugin ``case``: 1EdTech CASE interchange.

* the ``case`` emitter writes ``case/<document>.json``, the spec as one CASE
  CFPackage (:mod:`.package`);
* ``specc import case PACKAGE.json... -o DIR`` writes specc source from
  CFPackages, ours or any framework's (:mod:`.importer`).
"""

from __future__ import annotations

import json
import re

from specc.hookspecs import hookimpl
from specc.plugins import Emitter, OptionError

from .package import DEFAULT_BASE_URI, cfpackage

BASE_URI_OPTION = "case.base_uri"
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}]*")


def base_uri(options) -> str:
    base = options.get(BASE_URI_OPTION) or DEFAULT_BASE_URI
    if not _URI.fullmatch(base):
        raise OptionError(f"{BASE_URI_OPTION} must be an absolute URI such as https://example.org/case/ (got {base!r})")
    return base


def dumps(package: dict) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def emit(spec, sink, options):
    sink.write(f"case/{sink.name(spec.document.id)}.json", dumps(cfpackage(spec, base_uri(options))))


@hookimpl
def specc_register_emitters():
    return [
        Emitter(
            name="case",
            description="1EdTech CASE CFPackage (competency framework interchange), one per document",
            produces="case/<document>.json",
            emit=emit,
            options=(BASE_URI_OPTION,),
        )
    ]


@hookimpl
def specc_add_commands(subparsers):
    from . import command

    command.add_parser(subparsers)
