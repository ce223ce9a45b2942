"""Cross-references in published prose: "refer to unit 103", "Units 103 and
107", "unit 103 ... assessment criteria 3.1 and 3.2", "see the glossary".

Spec prose is printed as the body wrote it (escaped, never markup), so its
mentions of other units, their criteria and the glossary are found in the
parsed document and turned into internal links there: a docutils
``reference`` with a ``refid``, which every writer renders as a link (HTML
``href="#..."``, a PDF link annotation).  Only mentions whose target exists
are linked; titles, existing links and literals are left alone.
"""

from __future__ import annotations

import re

from specc import ir

from .rst import criterion_target, unit_target

_SKIP = ("reference", "title", "subtitle", "literal", "literal_block", "target", "raw", "comment", "field_name")


_FROM_DOC = object()


class Mentions:
    """What ``spec``'s prose may mention: its units by label, and the pattern
    that finds mentions of them (and of the glossary, if ``glossary``).  Made
    once per spec and used for every block of a handbook."""

    def __init__(self, spec: ir.Spec, glossary: bool):
        # label -> id: a table of strings, which the collector does not walk
        # (a table of units it would, at every full collection of every block)
        self.units = {u.label: u.id for u in spec.units if "." not in u.id}
        self.unit = spec.unit
        self.glossary = glossary
        self.pattern = _pattern(self.units, glossary)

    def by_label(self, label: str) -> ir.Unit | None:
        uid = self.units.get(label)
        return None if uid is None else self.unit(uid)


def link_mentions(doc, spec: ir.Spec, ids=None, glossary=_FROM_DOC, mentions: Mentions | None = None) -> int:
    """Link mentions of units, their criteria and the glossary in ``doc``'s
    text; returns how many links were made.  A mention is linked if its
    target's id is in ``ids`` (default: ``doc``'s); ``glossary`` is the id of
    the glossary's section (default: found in ``doc``); ``mentions``, made
    for ``spec`` and that glossary, saves making it again."""
    from docutils import nodes

    ids = doc.ids if ids is None else ids
    if glossary is _FROM_DOC:
        glossary = _glossary_id(doc, spec)
    if mentions is None or mentions.glossary != (glossary is not None):
        mentions = Mentions(spec, glossary is not None)
    if not mentions.units and glossary is None:
        return 0
    made = 0
    for text in list(doc.findall(nodes.Text)):
        if any(a.tagname in _SKIP for a in _ancestors(text)):
            continue
        s = str(text)
        pieces = _split(s, mentions, glossary, ids, _own_section(text, glossary))
        if len(pieces) == 1 and isinstance(pieces[0], str):
            continue
        new = []
        for p in pieces:
            if isinstance(p, str):
                new.append(nodes.Text(p))
            else:
                label, refid = p
                new.append(nodes.reference(label, label, refid=refid, internal=True))
                made += 1
        text.parent.replace(text, new)
    return made


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _own_section(text, glossary: str | None) -> bool:
    """Whether ``text`` is inside the glossary itself (not linked to itself)."""
    for a in _ancestors(text):
        if a.tagname == "section" and glossary in a.get("ids", ()):
            return True
    return False


def _glossary_id(doc, spec: ir.Spec) -> str | None:
    from docutils import nodes

    titles = []
    for sec in doc.findall(nodes.section):
        title = sec.next_node(nodes.title)
        if title is not None:
            titles.append((title.astext(), sec["ids"][0]))
    return glossary_id(titles, spec)


def glossary_id(titles, spec: ir.Spec) -> str | None:
    """The id of the glossary's section among ``titles`` ((title, id) of
    each section, in order): the section titled as the spec's glossary, else
    the first with "glossary" in its title."""
    if not (spec.glossary.terms or spec.glossary.verbs):
        return None
    titled: dict[str, str] = {}
    for title, id_ in titles:
        titled.setdefault(" ".join(title.split()).casefold(), id_)
    if spec.glossary.title and spec.glossary.title.casefold() in titled:
        return titled[spec.glossary.title.casefold()]
    return next((i for t, i in titled.items() if "glossary" in t), None)


def _pattern(units: dict, glossary: bool) -> re.Pattern:
    labels = _trie(units) or "(?!)"
    unit = rf"\b[Uu]nits?\s+(?:{labels})\b(?:(?:,\s*|\s+and\s+|\s+or\s+|\s*&\s*)(?:{labels})\b)*"
    crit = r"\b(?:assessment\s+)?criteri(?:on|a)\s+\d+\.\d+(?:(?:,\s*|\s+and\s+|\s+or\s+)\d+\.\d+)*"
    parts = [rf"(?P<unit>{unit})", rf"(?P<crit>{crit})"]
    if glossary:
        parts.append(r"(?P<glossary>\b[Gg]lossary\b)")
    return re.compile("|".join(parts))


def _trie(words) -> str:
    """A regex matching any of ``words``, as a trie: a match costs the length
    of the word, not the number of words (an alternation of 100,000 unit
    labels was tried label by label at every mention).  Greedy, so the
    longest word that the pattern's context accepts wins, as with the words
    in an alternation longest first."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def regex(node: dict) -> str:
        branches = [re.escape(ch) + regex(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: what follows is optional
            body = body + "?" if len(branches) == 1 and len(body) == len(re.escape(body[0])) else "(?:" + body + ")?"
        return body

    return regex(root)


def _split(s: str, mentions: Mentions, glossary: str | None, ids, in_glossary: bool) -> list:
    """``s`` as plain strings and (label, refid) links."""
    out: list = []
    pos = 0
    current = None  # the unit last mentioned: criteria after it are its own

    def emit_plain(upto: int) -> None:
        if upto > pos:
            out.append(s[pos:upto])

    for m in mentions.pattern.finditer(s):
        found = m.groupdict()
        if found["unit"]:
            emit_plain(m.start())
            pos = m.start()
            for n in re.finditer(r"(?<=[\s,&])[^\s,&]+", m.group(0)):
                label = n.group(0)
                u = mentions.by_label(label)
                refid = _id(unit_target(u)) if u is not None else None
                start = m.start() + n.start()
                if refid is None or refid not in ids:
                    continue
                emit_plain(start)
                out.append((label, refid))
                pos = start + len(label)
                current = u
            continue
        if found["crit"] and current is not None:
            for n in re.finditer(r"\d+\.\d+", m.group(0)):
                refid = _id(criterion_target(current, n.group(0)))
                if refid not in ids:
                    continue
                start = m.start() + n.start()
                emit_plain(start)
                out.append((n.group(0), refid))
                pos = start + len(n.group(0))
            continue
        if found.get("glossary") and glossary is not None and not in_glossary:
            emit_plain(m.start())
            out.append((m.group(0), glossary))
            pos = m.end()
    emit_plain(len(s))
    return out or [s]


def _id(name: str) -> str:
    from docutils import nodes

    return nodes.make_id(name)
