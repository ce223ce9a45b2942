"""Built-in emitters ``portfolio-schema`` and ``validator``: machine-readable
exports for ePortfolio, MIS and funding systems.

Per qualification of a spec:

* ``schemas/<qualification>.portfolio.schema.json`` -- the JSON Schema (draft
  2020-12) of a learner's portfolio (:mod:`.portfolio`);
* ``validators/<qualification>_validator.py`` -- a standalone Python module
  (standard library only) whose ``validate(portfolio)`` checks everything the
  schema checks and what a schema cannot: rules of combination, quantified
  demands, ranges, environment rules, reuse and dates (:mod:`.validator`).

Both are built from one flattened model of the qualification (:mod:`.model`),
and slot ids come from :mod:`specc.slots`, shared with the printable forms.
Option ``qualification=ID`` limits either emitter to one qualification.

The plugin also adds the command ``specc validate`` (:mod:`.command`), which
checks portfolios with the same validator runtime (:mod:`.runtime`).
"""

from __future__ import annotations

from specc.hookspecs import hookimpl
from specc.plugins import Emitter, OptionError

from . import validator
from .model import qualification_model
from .portfolio import schema_text


def _qualifications(spec, options):
    want = options.get("qualification")
    qs = [q for q in spec.qualifications if want in (None, "", q.id)]
    if want and not qs:
        raise OptionError(f"no qualification {want!r} in {spec.document.id} (have: {', '.join(q.id for q in spec.qualifications)})")
    return qs


def schema_path(sink, qid: str) -> str:
    return f"schemas/{sink.name(qid)}.portfolio.schema.json"


def validator_path(sink, qid: str) -> str:
    return f"validators/{sink.name(qid)}_validator.py"


def emit_schemas(spec, sink, options):
    for q in _qualifications(spec, options):
        sink.write(schema_path(sink, q.id), schema_text(qualification_model(spec, q, lazy_units=True)))


def emit_validators(spec, sink, options):
    for q in _qualifications(spec, options):
        sink.write(validator_path(sink, q.id), validator.chunks(spec, q))


@hookimpl
def specc_add_commands(subparsers):
    from . import command

    command.add_parser(subparsers)
    command.add_build_engine(subparsers)


@hookimpl
def specc_register_emitters():
    return [
        Emitter(
            name="portfolio-schema",
            description="JSON Schema (2020-12) of a learner's portfolio, per qualification",
            produces="schemas/<qualification>.portfolio.schema.json",
            emit=emit_schemas,
            options=("qualification",),
        ),
        Emitter(
            name="validator",
            description="Standalone Python portfolio validator (rules, demands, ranges, dates), per qualification",
            produces="validators/<qualification>_validator.py",
            emit=emit_validators,
            options=("qualification",),
        ),
    ]
