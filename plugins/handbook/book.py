"""A handbook published a block of top-level sections at a time.

docutils holds a document as one tree: about 0.2 MB per small unit, 0.5 MB
once the HTML writer has run, so a spec of 100,000 units needed tens of GB
and the collector's passes over that tree made time grow faster than the
spec.  Here the reStructuredText is cut before top-level sections
(:func:`split`); the head (title, document information, contents) and then
each block of sections are parsed into small documents of their own, one
after another (:class:`Book`), and one writer's translator is handed them
in order (:meth:`Book.publish`), so memory holds the output and one block's
tree.

What one document has that the blocks share, and how:

* ids: one table of the ids used so far and docutils' counters, so a block's
  ids are the ones the whole document gives (``criteria-explained-7``);
* references to another block's targets: the styles make every target with
  ``rst.target_def``, so they are all known before parsing (:func:`targets`);
  a reference to no target is an error, as in docutils, and so is a
  resolved reference whose target no block turns out to have;
* the table of contents: the head's ``contents`` is built last, by docutils'
  own transform, from copies of every block's section titles, and put back
  in its place in the output;
* section levels: a block starts at a top-level title, so docutils nests a
  block's sections as it nests them in the whole document.

A source that cannot be cut so (no document title, fewer than two top-level
sections) is one block.  The output is byte-identical to publishing the
whole source at once: tests/test_handbook_book.py compares every spec of
``specs/`` that way, with blocks of one section.
"""

from __future__ import annotations

import contextlib
import io
import pickle
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator

from docutils import nodes, transforms, utils
from docutils.readers import standalone
from docutils.transforms import parts

from .lines import Parser

BLOCK_LINES = 5000  # lines of source per block (about 40 units of the synthetic spec)

_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# what rst.target_def and rst's class directives write before a title, and bind to it
_LEAD_IN = re.compile(r"\.\. (?:_[^\s`:][^`]*?:|class:: .+)$")
_TARGET = re.compile(r"^[ \t]*\.\. _([^\s`:][^`]*?):[ \t]*$", re.MULTILINE)


class DocutilsWarning(Exception):
    """docutils reported a problem (warning or worse) in generated RST, or
    the RST cannot be published as docutils would publish it whole."""


def _adornment(line: str) -> str | None:
    """The character of a section adornment line, else None."""
    s = line.rstrip()
    if len(s) < 4 or s[0] not in _PUNCT or s != s[0] * len(s):
        return None
    return s[0]


def _titles(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(line index, adornment) of every underlined section title at the
    left margin."""
    for i in range(len(lines) - 1):
        line = lines[i]
        if not line or line[0] in " \t" or (i and lines[i - 1].strip()):
            continue
        ch = _adornment(lines[i + 1])
        if ch is not None and _adornment(line) is None:
            yield i, ch


def _lead_in(lines: list[str], i: int) -> int:
    """Where the section titled at line ``i`` begins: before the targets and
    class directives just above it, which belong to it."""
    start, j = i, i - 1
    while j >= 0:
        if not lines[j].strip():
            j -= 1
        elif _LEAD_IN.match(lines[j]):
            start = j
            j -= 1
        else:
            break
    return start


def split(source: str, block_lines: int | None = None) -> list[str]:
    """``source`` as [head, block, block, ...]: joined with newlines they are
    ``source``; each block starts at a top-level section and holds whole
    top-level sections, at least ``block_lines`` lines of them (the last may
    have fewer).  The source is one piece unless its first title is a lone
    document title (nothing before it, its style never used again), which
    docutils lifts out so that the next style's sections are top-level, and
    there are two of those or more."""
    lines = source.split("\n")
    titles = list(_titles(lines))
    if len(titles) < 3 or any(line.strip() for line in lines[: titles[0][0]]):
        return [source]
    first, top = titles[0][1], titles[1][1]
    if any(ch == first for _, ch in titles[1:]):
        return [source]
    starts = [_lead_in(lines, i) for i, ch in titles if ch == top]
    if len(starts) < 2:
        return [source]
    block_lines = BLOCK_LINES if block_lines is None else block_lines
    cuts = [starts[0]]
    for s in starts[1:]:
        if s - cuts[-1] >= block_lines:
            cuts.append(s)
    bounds = [*cuts, len(lines)]
    return ["\n".join(lines[: cuts[0]])] + ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def targets(source: str) -> dict[str, str]:
    """Reference name -> id of every explicit target in ``source``."""
    out: dict[str, str] = {}
    for name in _TARGET.findall(source):
        key = nodes.fully_normalize_name(name)
        if key in out:
            raise DocutilsWarning(f'Duplicate explicit target name: "{name}".')
        out[key] = nodes.make_id(name)
    return out


class _Ids(dict):
    """``document.ids`` shared by a book's documents.  The ids of finished
    blocks move to ``released``, a plain dict of strings to None, which the
    garbage collector stops tracking (so its passes do not grow with the
    book); docutils still numbers new ids past them and reports a second use
    of one as a duplicate (its node reads as None)."""

    def __init__(self):
        super().__init__()
        self.released: dict[str, None] = {}

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or key in self.released

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if key in self.released:
            return None
        raise KeyError(key)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def setdefault(self, key, value=None):
        if key not in self:
            self[key] = value
        return self[key]

    def all(self):
        """Every id used so far."""
        return self.released.keys() | self.keys()

    def release(self) -> None:
        """Forget the nodes of the block just finished (keep their ids)."""
        self.released.update(dict.fromkeys(self))
        self.clear()


class _Elsewhere(transforms.Transform):
    """Resolve a reference to a target in another block (before docutils
    reports it unknown)."""

    default_priority = 845  # references.DanglingReferences is 850

    def apply(self) -> None:
        book = self.document.specc_book
        for ref in self.document.findall(nodes.reference):
            name = ref.get("refname")
            if name is None or name in self.document.nameids:
                continue
            refid = book.targets.get(name)
            if refid is not None:
                del ref["refname"]
                ref["refid"] = refid
                ref.resolved = True
                book.wanted[refid] = None


class _Reader(standalone.Reader):
    def __init__(self, book: Book, head: bool):
        super().__init__(parser=Parser())
        self.book, self.head = book, head

    def new_document(self):
        doc = super().new_document()
        doc.ids, doc.id_counter, doc.specc_book = self.book.ids, self.book.id_counter, self.book
        return doc

    def parse(self) -> None:
        super().parse()
        if self.head:
            self.book._defer_contents(self.document)

    def get_transforms(self):
        return [*super().get_transforms(), _Elsewhere]


class Book:
    """One pass over a handbook's source: its blocks parsed in turn, sharing
    what one document would share.  ``settings`` are docutils settings
    overrides for parsing; ``prepare(doc)`` runs on each parsed document
    (head and blocks) before it is written."""

    def __init__(self, source: str, settings: dict, prepare: Callable | None = None, block_lines: int | None = None):
        self.pieces = split(source, block_lines)
        self.targets = targets(source) if len(self.pieces) > 1 else {}
        self.settings = settings
        self.prepare = prepare
        self.ids = _Ids()
        self.id_counter: Counter = Counter()
        # (plain dicts of strings and bytes: the collector stops tracking them)
        self.wanted: dict[str, None] = {}  # ids of references resolved across blocks
        self.unit_ids: dict[str, None] = {}  # ids of sections marked ``unit``
        self.contents: list[nodes.pending] = []
        self.stubs = io.BytesIO()  # pickled copies of top-level section titles, for the contents
        self.head: nodes.document | None = None

    # ------------------------------------------------------------------ parse
    def _parse(self, text: str, head: bool) -> nodes.document:
        import docutils.core

        extra = {} if head else {"doctitle_xform": False, "docinfo_xform": False}
        with _warnings_are_errors(self.settings, "docutils"):
            doc = docutils.core.publish_doctree(text, reader=_Reader(self, head), settings_overrides={**self.settings, **extra})
        if self.prepare is not None:
            self.prepare(doc)
        for node in doc.findall(nodes.Element):
            if node.tagname == "section" and "unit" in node["classes"]:
                self.unit_ids.update(dict.fromkeys(node["ids"]))
            elif node.tagname == "reference" and node.get("refid") and node["refid"] not in self.ids:
                self.wanted[node["refid"]] = None  # a target in a later block
        return doc

    def titles(self) -> list[tuple[str, str]]:
        """(title, id) of every section of the source, from its text: for
        links to a section in a block not yet parsed (checked at the end)."""
        out = []
        for piece in self.pieces:  # a title and its underline are in one piece
            lines = piece.split("\n")
            for i, _ in _titles(lines):
                title = " ".join(re.sub(r"\\(.)", r"\1", lines[i]).split())
                out.append((title, nodes.make_id(title)))
        return out

    def _defer_contents(self, doc: nodes.document) -> None:
        """Take the head's table of contents out of docutils' hands until
        every block's sections are known."""
        if len(self.pieces) == 1:
            return
        for p in list(doc.findall(nodes.pending)):
            if p.transform is not parts.Contents:
                continue
            if p.details.get("local") or p.details.get("backlinks") not in (None, "none"):
                raise DocutilsWarning("docutils: a contents directive with :local: or :backlinks: cannot be published a block at a time")
            doc.transformer.transforms = [t for t in doc.transformer.transforms if t[2] is not p]
            self.contents.append(p)

    def documents(self) -> Iterator[nodes.document]:
        """The head, then each block, parsed; a block's nodes are released
        when the next is asked for."""
        self.head = self._parse(self.pieces[0], head=True)
        yield self.head
        self.ids.release()
        depth = max((p.details.get("depth", sys.maxsize) for p in self.contents), default=0)
        for text in self.pieces[1:]:
            doc = self._parse(text, head=False)
            if depth:
                for sec in doc.children:
                    if isinstance(sec, nodes.section):
                        pickle.dump(_stub(sec, depth), self.stubs, protocol=pickle.HIGHEST_PROTOCOL)
            yield doc
            self.ids.release()
            dispose(doc)
            doc = None
        missing = sorted(i for i in self.wanted if i not in self.ids)
        if missing:
            raise DocutilsWarning(f'docutils: no target with id "{missing[0]}" (referred to from another block)')

    def toc(self, pending: nodes.pending) -> nodes.topic:
        """The contents topic of ``pending``, built from every block's
        sections by docutils' transform (after all of them are parsed)."""
        doc = utils.new_document("<contents>", self.head.settings)
        doc.ids, doc.id_counter = self.ids, self.id_counter
        topic = pending.parent
        for i in topic["ids"]:
            self.ids[i] = topic  # docutils registers the topic's ids again
        doc += topic
        self.stubs.seek(0)
        while self.stubs.tell() < len(self.stubs.getbuffer()):
            doc += pickle.load(self.stubs)
        parts.Contents(doc, startnode=pending).apply()
        return topic

    # ------------------------------------------------------------------ write
    def check(self) -> None:
        """Parse every block (docutils' warnings are errors), write nothing."""
        for _ in self.documents():
            pass

    def publish(self, writer_name: str, settings: dict, on_block: Callable | None = None) -> Published:
        """The whole document written by docutils' ``writer_name`` writer:
        the head is published, and its translator walks the blocks in turn
        (each after the writer's own transforms).  ``on_block(doc)`` runs on
        each block after it is written.  What the translator wrote for the
        blocks is held apart from docutils' output (:class:`Published`)."""
        import docutils.core
        from docutils.writers import get_writer_class

        writer = get_writer_class(writer_name)()
        docs = self.documents()
        head = next(docs)

        held: list[list[bytes]] = []  # the text the translator wrote for blocks, by marker

        def walk(visitor) -> bool:
            visitor.dispatch_visit(head)
            marks = []
            for child in list(head.children):
                pending = next((p for p in self.contents if p.parent is child), None)
                if pending is not None:
                    marks.append((pending, _mark(visitor)))
                elif child.walkabout(visitor):
                    return True
            if len(marks) < len(self.contents):
                raise DocutilsWarning("docutils: a contents directive inside a section cannot be published a block at a time")
            if on_block is not None:
                on_block(head)
            for doc in docs:
                start = _mark(visitor), _styles_mark(visitor)
                doc.settings, doc.reporter = head.settings, head.reporter
                doc.transformer = transforms.Transformer(doc)
                doc.transformer.add_transforms(writer.get_transforms())
                doc.transformer.apply_transforms()
                for child in doc.children:
                    child.walkabout(visitor)
                _compact(visitor, start, held)
                if on_block is not None:
                    on_block(doc)
            for pending, mark in reversed(marks):
                _splice(visitor, mark, self.toc(pending))
            _release_tail(visitor, held)
            visitor.dispatch_departure(head)
            return False

        head.walkabout = walk
        with _warnings_are_errors(settings, f"docutils ({writer_name})"):
            data = docutils.core.publish_from_doctree(head, writer=writer, settings_overrides=settings)
        return Published(data, held)


class Published:
    """A book as docutils' writer wrote it, with the text of its blocks held
    apart: ``data`` (the writer's output: an HTML page, an ODT's zip) has a
    marker (``<specc-block-N />``) where each run of blocks goes, and
    :meth:`expand` puts their text back, a part at a time, so that a large
    book's output is never whole in memory (nor copied whole, as docutils'
    templates and encoders would).  ``bytes(published)`` is the whole
    output, for text formats."""

    def __init__(self, data: bytes, held: list[list[bytes]]):
        self.data, self.held = data, held

    def expand(self, text: bytes) -> Iterator[bytes]:
        """``text`` (the output, or an ODT's ``content.xml``) part by part,
        each marker replaced by its blocks' text.  Every marker appears
        once (an ODT's styles' before its body's, whatever their numbers):
        anything else is a bug, not a document."""
        at, seen = 0, set()
        for m in _MARKER.finditer(text):
            n = int(m.group(1))
            if n >= len(self.held) or n in seen:
                raise DocutilsWarning(f"docutils: block marker {n} found twice or never made")
            seen.add(n)
            yield text[at : m.start()]
            yield from self.held[n]
            at = m.end()
        if len(seen) != len(self.held):
            raise DocutilsWarning(f"docutils: {len(self.held) - len(seen)} blocks' text lost by the writer")
        yield text[at:]

    def size(self, text: bytes) -> int:
        """The length of :meth:`expand` of ``text``, without expanding it."""
        markers = sum(len(m[0]) for m in _MARKER.finditer(text))
        return len(text) - markers + sum(len(t) for block in self.held for t in block)

    def parts(self) -> Iterator[bytes]:
        """The whole output, part by part."""
        return self.expand(self.data)

    def __bytes__(self) -> bytes:
        return b"".join(self.parts())


@contextlib.contextmanager
def _warnings_are_errors(settings: dict, what: str):
    """docutils halting (at its ``halt_level``) or writing to the settings'
    warning stream: a :class:`DocutilsWarning`."""
    stream = settings["warning_stream"]
    try:
        yield
    except utils.SystemMessage as e:
        raise DocutilsWarning(f"{what}: {e}") from None
    if stream.getvalue().strip():
        raise DocutilsWarning(f"{what}: {stream.getvalue().strip()}")


def dispose(doc: nodes.document) -> None:
    """Break a written block's reference cycles (every node points at its
    parent; the document's tables point at its nodes), so that reference
    counting frees it at once.  Otherwise only a full collection would, and
    those are rare while ``gc.freeze()`` holds a large spec (as
    ``build.emit_all`` does): blocks would pile up."""
    for node in doc.findall(include_self=False):
        node.parent = None
    for msg in doc.transform_messages + doc.parse_messages:  # (docutils' notes below the report level)
        for node in msg.findall():
            node.parent = None
    for name, value in list(vars(doc).items()):
        if isinstance(value, (dict, list)) and value is not doc.ids and name != "children":
            setattr(doc, name, type(value)())
    doc.transformer = doc.reporter = doc.specc_book = None
    doc.children = []


def _stub(sec: nodes.section, depth: int) -> nodes.section:
    """A section with only its ids and title (and its subsections', to
    ``depth`` levels): what docutils' contents transform reads."""
    out = nodes.section(ids=list(sec["ids"]), names=list(sec["names"]), classes=list(sec["classes"]))
    out += sec[0].deepcopy()
    if depth > 1:
        out.extend(_stub(s, depth - 1) for s in sec.children if isinstance(s, nodes.section))
    for node in out.findall():
        node.document = None  # (a copy keeps its document: pickled, it would take the block along)
    return out


# Where a translator's output for a node goes, so it can be written later:
# the ODT translator appends elements to ``current_element``, the HTML
# translators append strings to ``body``.
def _mark(visitor):
    if hasattr(visitor, "current_element"):
        return visitor.current_element, len(visitor.current_element)
    return len(visitor.body)


def _splice(visitor, mark, node) -> None:
    """Walk ``node`` with ``visitor`` as if it had been walked at ``mark``."""
    if isinstance(mark, int):
        body, visitor.body = visitor.body, []
        node.walkabout(visitor)
        body[mark:mark] = visitor.body
        visitor.body = body
        return
    from docutils.writers.odf_odt import _ElementInterfaceWrapper

    parent, at = mark
    here = visitor.current_element
    holder = visitor.current_element = _ElementInterfaceWrapper("holder", {})
    node.walkabout(visitor)
    visitor.current_element = here
    for k, el in enumerate(list(holder)):
        holder.remove(el)
        parent.insert(at + k, el)
        el.setparent(parent)


def _styles_mark(visitor):
    """Where the ODT translator's next automatic style goes (None for HTML)."""
    styles = getattr(visitor, "automatic_styles", None)
    return None if styles is None else (styles, len(styles))


def _compact(visitor, start, held: list[list[bytes]]) -> None:
    """Turn what the translator wrote for a block into text at once (every
    section is closed at a block's end), held in ``held`` with a marker in
    its place that :meth:`Published.expand` fills in: HTML translators'
    strings are joined; the ODT translator's elements, and the automatic
    styles (of tables, mostly) it made for them, are serialized (its content
    is plain ElementTree with prefixed tag names, so an element's text is
    the same alone or in the whole tree).  Footnotes are completed at the
    end of an ODT, so the body of a document with any keeps its elements."""
    body, styles = start
    if isinstance(body, int):
        if len(visitor.body) > body:
            text = "".join(visitor.body[body:]).encode(visitor.settings.output_encoding, visitor.settings.output_encoding_error_handler)
            del visitor.body[body:]
            if held and visitor.body[-1:] == [_marker(len(held) - 1)]:  # right after the last block's: one marker for both
                held[-1].append(text)
            else:
                held.append([text])
                visitor.body.append(_marker(len(held) - 1))
        return
    _hold(*styles, held)
    parent, _ = body
    if not (visitor.footnote_ref_dict or visitor.footnote_list or visitor.current_element is not parent):
        _hold(*body, held)


def _release_tail(visitor, held: list[list[bytes]]) -> None:
    """The newlines that end the last block's text, back in an HTML
    translator's body after its marker: the writer strips the body's last
    newlines, which must be the text's, not the marker's."""
    if not held or not hasattr(visitor, "body") or visitor.body[-1:] != [_marker(len(held) - 1)]:
        return
    parts, n = held[-1], 0
    while parts:
        text = parts[-1].rstrip(b"\n")
        n += len(parts[-1]) - len(text)
        if text:
            parts[-1] = text
            break
        parts.pop()
    visitor.body.append("\n" * n)


def _hold(parent, at: int, held: list[list[bytes]]) -> None:
    """``parent``'s elements from ``at`` on, serialized into ``held`` and
    replaced by a marker."""
    if len(parent) == at:
        return
    from xml.etree import ElementTree as ET

    from docutils.writers.odf_odt import _ElementInterfaceWrapper, _parents

    done = parent[at:]
    text = b"".join(ET.tostring(el, encoding="unicode").encode("utf-8") for el in done)  # (content.xml is UTF-8)
    del parent[at:]
    for el in done:  # the writer's child -> parent table holds parents strongly: a cycle it never frees
        for sub in el.iter():
            _parents.pop(sub, None)
    last = parent[-1].tag if len(parent) else ""
    if last.startswith(_HELD):  # right after the last block's: one marker for both
        held[int(last[len(_HELD) :])].append(text)
        return
    held.append([text])
    parent.append(_ElementInterfaceWrapper(f"{_HELD}{len(held) - 1}", {}))


_HELD = "specc-block-"  # a marker's tag: this, then the index of its text in ``held``


def _marker(n: int) -> str:
    """The marker of ``held[n]`` as it is written (an ODT's is an element
    with the tag ``_HELD + n``, which ElementTree writes the same)."""
    return f"<{_HELD}{n} />"


_MARKER = re.compile(rf"<{_HELD}(\d+) />".encode())
