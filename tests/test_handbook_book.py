"""The handbook published a block of sections at a time (plugins/handbook/book.py)
is the handbook docutils publishes from the whole source at once."""

from __future__ import annotations

import gc
import io
import re
import weakref
import zipfile
from pathlib import Path

import docutils.core
import pytest
from docutils import nodes
from hypothesis import given, settings
from hypothesis import strategies as st

from specc import build
from specc_plugins import handbook as hb
from specc_plugins.handbook import book, links

ROOT = Path(__file__).resolve().parent.parent


def _spec(path: Path):
    comp = build.compile_all([path])[0]
    assert comp.ok
    return comp.spec


def _whole(source: str, spec):
    """HTML page, unit sections and ODT content.xml by stock docutils from the
    whole source (its own parser, one document): the reference."""
    doc = docutils.core.publish_doctree(source, settings_overrides=hb._settings(io.StringIO(), **hb._HTML))
    links.link_mentions(doc, spec)
    page = docutils.core.publish_from_doctree(doc, writer="html5", settings_overrides=hb._settings(io.StringIO(), **hb._HTML))
    sections = [(n, hb._write_html(p, "H")) for n, p in hb.section_parts(doc, "x.html", hb.section_names(spec))]
    odt = docutils.core.publish_string(source, writer="odf_odt", settings_overrides=hb._settings(io.StringIO(), stylesheet=str(hb.ODT_STYLES)))
    return hb._with_header(page, "H"), sections, _content(odt)


def _blocks(source: str, spec):
    sections = []

    def on_block(doc):
        sections.extend((n, hb._write_html(p, "H")) for n, p in hb.section_parts(doc, "x.html", hb.section_names(spec)))

    page, b = hb.to_html(source, "H", hb._linker(spec), on_block)
    odt, _ = hb.to_odt(source)
    return bytes(page), sections, _content(odt), b


def _content(odt: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(odt)) as z:
        return z.read("content.xml")


@pytest.mark.parametrize("folder", ["cityandguilds", pytest.param("ncfe", marks=pytest.mark.slow), pytest.param("cfa", marks=pytest.mark.slow)])
def test_blocks_of_one_section_publish_what_the_whole_document_does(folder, monkeypatch):
    spec = _spec(ROOT / "specs" / folder)
    _, source = hb.rst_for(spec, {})
    want = _whole(source, spec)
    monkeypatch.setattr(book, "BLOCK_LINES", 1)
    page, sections, content, b = _blocks(source, spec)
    assert len(b.pieces) > 10  # every top-level section a block of its own
    assert page == want[0]
    assert [n for n, _ in sections] == [n for n, _ in want[1]] and sections == want[1]
    assert content == want[2]
    # the contents lists every top-level section, the ones in blocks too
    assert page.count(b'class="reference internal" href="#unit-') >= len([u for u in spec.units if "." not in u.id])


def _doc(units: int, extra: str = "") -> str:
    """A small handbook source: a title, a contents, then ``units`` sections
    that mention each other."""
    parts = ["Book\n====\n\n:Version: 1\n\n.. contents:: Contents\n   :depth: 1\n"]
    for i in range(units):
        other = (i + 1) % units
        parts.append(f".. class:: unit\n\n.. _unit-{i}:\n\nUnit {i}\n{'-' * len(f'Unit {i}')}\n\nSee `unit {other} <unit-{other}_>`__.\n\nNotes\n~~~~~\n\nSame title in every unit.\n")
    return "\n".join(parts) + extra


def test_split_cuts_before_top_level_sections_with_their_lead_in():
    src = _doc(3)
    pieces = book.split(src, 1)
    assert "\n".join(pieces) == src
    assert len(pieces) == 4
    assert pieces[1].startswith(".. class:: unit\n\n.. _unit-0:\n\nUnit 0\n------")
    assert all(p.startswith(".. class:: unit") for p in pieces[1:])
    assert len(book.split(src, 10_000)) == 2  # the head, then one block of all sections


@pytest.mark.parametrize(
    "src",
    [
        "Text before the title.\n\nBook\n====\n\nA\n-\n\nB\n-\n",  # no lone document title
        "Book\n====\n\nA\n----\n\nOther\n=====\n\nB\n----\n",  # the title's style again
        "Book\n====\n\nOnly\n----\n\ntext\n",  # one top-level section (docutils makes it a subtitle)
    ],
)
def test_a_source_docutils_would_not_lift_a_title_from_is_one_piece(src):
    assert book.split(src, 1) == [src]


def test_ids_and_forward_references_across_blocks(monkeypatch):
    monkeypatch.setattr(book, "BLOCK_LINES", 1)
    src = _doc(4)
    page, b = hb.to_html(src)
    html = bytes(page).decode()
    whole = docutils.core.publish_string(src, writer="html5", settings_overrides=hb._settings(io.StringIO(), **hb._HTML)).decode()
    assert html == whole
    assert 'id="notes-3"' in html  # numbered past the other blocks' "notes"
    assert 'href="#unit-0"' in html  # the last unit links back to the first
    assert 'href="#unit-3"' in html  # and the first forward to a later block


def test_a_reference_to_no_target_is_an_error_in_any_block(monkeypatch):
    monkeypatch.setattr(book, "BLOCK_LINES", 1)
    src = _doc(3, "\nMissing\n-------\n\nSee `x <nowhere_>`__.\n")
    with pytest.raises(hb.DocutilsWarning, match="nowhere"):
        hb.to_html(src)
    dup = _doc(3, "\n.. _unit-1:\n\nAgain\n-----\n\ntext\n")
    with pytest.raises(hb.DocutilsWarning, match="Duplicate explicit target name"):
        hb.to_html(dup)


def test_a_written_block_is_freed_without_the_collector(monkeypatch):
    monkeypatch.setattr(book, "BLOCK_LINES", 1)
    b = hb._book(_doc(5))
    docs = b.documents()
    next(docs)  # the head
    seen = []
    gc.disable()
    try:
        for doc in docs:
            seen.append(weakref.ref(doc.next_node(nodes.title)))  # a node in the block
            doc = None
            if len(seen) > 1:
                assert seen[-2]() is None, "the previous block is still alive"
    finally:
        gc.enable()
    assert len(seen) == 5


@pytest.mark.parametrize("writer", ["html5", "odf_odt"])
def test_what_a_translator_keeps_does_not_grow_along_the_book(writer, monkeypatch):
    # every full collection walks what the collector tracks: if that grew a
    # little with each block, a book's time would grow with its square (the
    # ODT translator's automatic styles, one per table, did)
    monkeypatch.setattr(book, "BLOCK_LINES", 1)
    table = "\n.. list-table::\n   :header-rows: 1\n\n   * - Criterion\n     - Evidence\n   * - 1.1\n     - seen\n"
    src = "\n".join(part + table for part in _doc(60).split("\nSame title in every unit.\n")) + "\n"
    tracked, k = {}, [0]

    def on_block(doc):
        k[0] += 1
        if k[0] in (10, 50):
            gc.collect()
            tracked[k[0]] = len(gc.get_objects())

    if writer == "odf_odt":
        assert b"<table:table " in _content(hb.to_odt(src, None, on_block)[0])
    else:
        assert bytes(hb.to_html(src, None, None, on_block)[0]).count(b"<table") == src.count(".. list-table::")
    assert tracked[50] - tracked[10] < 20, tracked


def test_a_books_output_holds_its_blocks_apart_until_written(monkeypatch):
    # what the translator wrote for the blocks is never joined into docutils'
    # output (its template and encoder would copy the whole book again):
    # the page holds markers, and its parts are the page
    monkeypatch.setattr(book, "BLOCK_LINES", 1)
    src = _doc(40)
    page, _ = hb.to_html(src)
    whole = bytes(page)
    assert whole == docutils.core.publish_string(src, writer="html5", settings_overrides=hb._settings(io.StringIO(), **hb._HTML))
    assert b"<specc-block-0 />" in page.data and b"Same title in every unit." not in page.data
    assert whole.count(b"Same title in every unit.") == 40 and b"".join(page.parts()) == whole
    assert page.size(page.data) == len(whole)
    odt, _ = hb.to_odt(src)
    assert b"specc-block" not in _content(odt) and b"Same title in every unit." in _content(odt)


def test_a_lost_or_repeated_block_marker_is_an_error_not_a_document():
    p = book.Published(b"a <specc-block-0 /> b <specc-block-1 />", [[b"X", b"Y"], [b"Z"]])
    assert bytes(p) == b"a XY b Z" and p.size(p.data) == len(bytes(p))
    with pytest.raises(hb.DocutilsWarning, match="lost"):
        bytes(book.Published(b"a <specc-block-0 />", [[b"X"], [b"Z"]]))
    with pytest.raises(hb.DocutilsWarning, match="twice"):
        bytes(book.Published(b"<specc-block-0 /><specc-block-0 />", [[b"X"]]))


def test_the_unit_table_of_mentions_is_not_walked_by_the_collector():
    m = links.Mentions(_spec(ROOT / "specs" / "cityandguilds"), glossary=False)
    assert m.units and not gc.is_tracked(m.units)
    label, uid = next(iter(m.units.items()))
    assert m.by_label(label).id == uid


@settings(max_examples=300, deadline=None)
@given(
    labels=st.lists(st.text("01aAb.-", min_size=1, max_size=5), min_size=1, max_size=12, unique=True),
    text=st.text("01aAb.- ,u", max_size=30),
)
def test_the_label_trie_matches_what_an_alternation_longest_first_does(labels, text):
    """links._trie: the unit-label pattern made once per spec as a trie (an
    alternation of every label cost a try per label at every mention)."""
    trie = re.compile(r"\b(?:" + links._trie(labels) + r")\b")
    alternation = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True)) + r")\b")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in alternation.finditer(text)]
