"""The form model: what a house style builds and every renderer draws.

A :class:`Form` is a titled sequence of blocks.  Blocks are plain value
objects, so one form renders to HTML (and from it to a fillable PDF with
WeasyPrint) and to DOCX from the same source.  Every input a centre fills is a
:class:`Field` with a predictable name such as ``u001.c1_2.d1_2.evidence_ref``
(unit, criterion, slot, what); PDF form fields carry exactly these names.
"""

from __future__ import annotations

import re

from attrs import field, frozen, validators

FIELD_KINDS = ("text", "date", "check", "signature", "area", "lines", "choice")
# area: a free-text box for a summary or feedback (at least 60 mm);
# lines: a few lines of writing inside a table row; choice: one of ``options``

_PART = r"[A-Za-z0-9_-]+"


def _name_ok(instance, attribute, value) -> None:
    if not re.fullmatch(rf"{_PART}(\.{_PART})*", value):
        raise ValueError(f"form field name {value!r} is not a dotted name of safe parts")


def _label_ok(instance, attribute, value) -> None:
    if not value.strip() or value == instance.name:
        raise ValueError(f"form field {instance.name!r} needs a human label (its tooltip)")


def name_part(s: str) -> str:
    """A safe component of a field name from an id or reference: ``1.2`` ->
    ``1_2``, ``cfa.deal_with`` -> ``cfa_deal_with``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(s)).strip("_") or "_"


@frozen
class Field:
    """One input.  ``name`` is the full PDF field name: parts joined by
    periods, each part free of periods (the PDF writer makes every part a
    level of the field hierarchy).  ``label`` is what a person reads as the
    field's tooltip and accessible name."""

    name: str = field(validator=_name_ok)
    kind: str = field(default="text", validator=validators.in_(FIELD_KINDS))
    label: str = field(default="", validator=_label_ok)
    options: tuple[tuple[str, str], ...] = ()  # choice: (value, text)


@frozen
class Cell:
    text: str = ""
    field: Field | None = None
    strong: bool = False
    muted: str = ""  # small print under the text (e.g. "may reuse 1.1")


@frozen
class Column:
    title: str
    width: float = 1.0  # relative


@frozen
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""


@frozen
class Heading:
    text: str
    level: int = 2


@frozen
class Para:
    text: str
    style: str = ""  # "", "note", "lead", "declaration"


@frozen
class Bullets:
    items: tuple[str, ...]


@frozen
class FieldGrid:
    """Label / input pairs, two to a row (``identity``: the candidate and
    centre block every form opens with)."""

    items: tuple[tuple[str, Field], ...]
    identity: bool = False


@frozen
class Signatures:
    """Signature and date lines for the people who sign the form."""

    items: tuple[tuple[str, Field, Field], ...]  # (role, signature field, date field)


@frozen
class PageBreak:
    pass


Block = Table | Heading | Para | Bullets | FieldGrid | Signatures | PageBreak


@frozen
class Form:
    id: str  # file stem, safe for the sink (e.g. "unit-001-evidence-location")
    title: str
    body: tuple[Block, ...]
    subtitle: str = ""
    group: str = ""  # sub-folder, e.g. "units" or a qualification id
    landscape: bool = False
    reference: str = ""  # footer: the qualification or unit the form belongs to

    def fields(self) -> list[Field]:
        out: list[Field] = []
        for b in self.body:
            if isinstance(b, Table):
                out.extend(c.field for row in b.rows for c in row if c.field is not None)
            elif isinstance(b, FieldGrid):
                out.extend(f for _, f in b.items)
            elif isinstance(b, Signatures):
                for _, s, d in b.items:
                    out.extend((s, d))
        return out
