"""The handbook's reStructuredText parser (plugins/handbook/lines.py) makes
the doctree docutils' own parser makes, without its quadratic slicing."""

from __future__ import annotations

import io
from pathlib import Path

import docutils.core
import pytest
from docutils.parsers.rst import Parser as Stock

from specc import build
from specc_plugins import handbook
from specc_plugins.handbook.lines import Lines, Parser

ROOT = Path(__file__).resolve().parent.parent

TRICKY = """\
Title
=====

A paragraph with a reference to `Target`_ and *emphasis*.

- a bullet
- another

  - nested, with a
    continued line

1. enumerated
2. list

:field: value
:other: a value
   on two lines

term
   its definition

-a         an option
--long     another

| a line block
|   indented

.. _Target:

Section
-------

.. note:: a directive
   with content

.. class:: unit

.. container:: box

   Inside a container.

   - a list in it

::

   a literal block

+-----+-----+
| a   | b   |
+=====+=====+
| 1   | 2   |
+-----+-----+

.. a comment
   that goes on

- a list that ends
without a blank line

- a last list
"""


def _pseudo(source: str, parser, halt: int = 5) -> tuple[str, str]:
    warnings = io.StringIO()
    settings = {**handbook._settings(warnings), "halt_level": halt, "output_encoding": "unicode"}
    out = docutils.core.publish_string(source, parser=parser, writer="pseudoxml", settings_overrides=settings)
    return out, warnings.getvalue()


def test_the_same_doctree_and_messages_as_docutils():
    """Every block construct whose parse slices the rest of the document,
    with a warning (its line number comes from the views)."""
    stock, mine = _pseudo(TRICKY, Stock()), _pseudo(TRICKY, Parser())
    assert mine == stock
    assert "<table" in stock[0] and "<definition_list" in stock[0] and "<option_list" in stock[0] and "<line_block" in stock[0]
    assert "<string>:58: (WARNING/2) Bullet list ends without a blank line" in stock[1]  # reported at the same line


@pytest.mark.parametrize("body", ["cityandguilds", "ncfe"])
def test_the_seeds_handbooks_are_unchanged(body):
    comp = build.compile_all([ROOT / "specs" / body])[0]
    _, source = handbook.rst_for(comp.spec, {})
    assert _pseudo(source, Parser(), 2) == _pseudo(source, Stock(), 2)


def test_slices_are_views_until_changed():
    root = Lines([f"line {i}" for i in range(10)], source="src")
    rest = root[3:]
    assert rest._view is not None and len(rest) == 7 and rest[0] == "line 3" and rest[-1] == "line 9"
    assert rest.info(0) == ("src", 3) and rest.info(7) == ("src", None)
    inner = rest[2:4]
    assert list(inner) == ["line 5", "line 6"] and inner.parent is rest and inner.parent_offset == 2
    inner.trim_left(5)  # changes the copy only, as a docutils slice would
    assert list(inner) == ["5", "6"] and root[5] == "line 5" and rest._view is not None
    with pytest.raises(IndexError):
        rest[7]
