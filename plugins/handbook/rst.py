"""reStructuredText building blocks for handbook house styles.

Spec text is data: every string that reaches a handbook goes through
:func:`escape` (inline text) or :func:`text` (prose blocks), so ``*``,
backquotes, ``..``, ``|``, ``_``, a leading ``-`` or ``1.`` and indentation
print as themselves and are never read as markup.  Markup the style writes on
purpose is an :class:`RST` string; the Jinja2 environment of :func:`environment`
escapes everything else it prints (its ``finalize``), so a template cannot
forget.

The builders here return :class:`RST` fragments that start at column 0:
headings, field lists, list tables, prose blocks, cross-reference targets and
references.  Indentation inside them is computed, never typed in a template.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from specc import ir, prose
from specc.vocab import COMMUNICATION_METHODS


class RST(str):
    """A string that is already reStructuredText (not escaped again)."""

    __slots__ = ()


# backslash first, then the characters that open or close inline markup
_INLINE = re.compile(r"([\\`*_|\[\]<>])")
# a paragraph that starts like a block construct: bullet, enumerator, option,
# comment/directive, line block, doctest, section adornment, field list
_BLOCK_START = re.compile(r"^(?:[-+*\u2022\u2023\u2043#|>.=~^\"'(:]|\w{1,3}[.)](?:\s|$))")


# a URI scheme docutils would make a live link of; only these may be links
_SCHEME = re.compile(r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*):(?=[^\s\\])")
_LINKABLE = {"http", "https", "mailto"}


def _no_live_uri(s: str) -> str:
    """``javascript:``, ``data:``, ``file:``... followed by text: the colon
    escaped, so docutils prints the text and makes no link of it."""
    return _SCHEME.sub(lambda m: m.group(0) if m.group(1).lower() in _LINKABLE else m.group(1) + "\\:", s)


def escape(value: object) -> RST:
    """Inline text: whitespace collapsed, markup characters backslash-escaped,
    a URI of a scheme other than http(s) and mailto made inert, and a start
    that would open a block construct escaped too."""
    if isinstance(value, RST):
        return value
    s = " ".join(str(value).split())
    s = _no_live_uri(_INLINE.sub(r"\\\1", s).replace("::", ":\\:"))  # "::" would start a literal block
    if _BLOCK_START.match(s) and not s.startswith("\\"):
        s = "\\" + s
    return RST(s)


def inline(value: object) -> RST:
    """A fragment in the middle of a line: markup characters escaped, its
    edges (spaces included) kept, no block-start check."""
    return RST(_no_live_uri(_INLINE.sub(r"\\\1", str(value)).replace("::", ":\\:")))


def strong(value: object) -> RST:
    s = escape(value)
    return RST(f"**{s}**") if s else s


def indent(block: str, n: int) -> str:
    pad = " " * n
    return "\n".join((pad + line) if line.strip() else "" for line in block.split("\n"))


def _hang(block: str, n: int) -> str:
    """``block`` with every line but the first indented by ``n``."""
    first, _, rest = block.partition("\n")
    return first + ("\n" + indent(rest, n) if rest else "")


# --------------------------------------------------------------------------- prose


def quantities(s: RST, counts: Iterable[int]) -> RST:
    """Bold each whole-word number (``two``, ``2``) of ``counts`` in escaped
    text, as the City & Guilds handbooks print demanded quantities."""
    words = sorted({w for n in counts for w in (prose.number_word(n), str(n))}, key=len, reverse=True)
    if not words:
        return s
    # a whole word: not part of "3.1" (a criterion reference) or "2,000"
    pat = re.compile(r"(?<![^\s(\"'])(" + "|".join(re.escape(w) for w in words) + r")(?=[\s;:!?)\"']|[.,](?!\d)|$)", re.IGNORECASE)
    return RST(pat.sub(r"**\1**", s))


def text(t: ir.Text | str | None, counts: Iterable[int] = ()) -> RST:
    """Author prose as RST blocks: a paragraph per paragraph, a bullet list
    per list, blank lines between.  ``counts`` are bolded (:func:`quantities`)."""
    if t is None:
        return RST("")
    t = t if isinstance(t, ir.Text) else ir.Text(str(t))
    counts = tuple(counts)
    out = []
    for b in t.blocks:
        if isinstance(b, ir.Paragraph):
            out.append(quantities(escape(b.text), counts))
        else:
            out.append("\n".join("- " + _hang(quantities(escape(item), counts), 2) for item in b.items))
    return RST("\n\n".join(out))


# --------------------------------------------------------------------------- structure

_ADORN = {0: "=", 1: "-", 2: "~", 3: "^", 4: "+"}


def heading(title: object, level: int, target: str | None = None) -> RST:
    """A section title; level 0 is a chapter.  The same adornment per level in
    every style, so docutils nests them alike."""
    t = escape(title)
    line = _ADORN[level] * max(len(t), 4)
    head = f"{target_def(target)}\n\n" if target else ""
    return RST(f"{head}{t}\n{line}")


def lead(value: object) -> RST:
    """A paragraph that introduces what follows ("The learner can:"), kept on
    the same printed page as it (class ``keep-with-next``)."""
    body = value if isinstance(value, RST) else escape(value)
    return RST(f".. class:: keep-with-next\n\n{body}")


def keep_last_with_next(blocks: RST) -> RST:
    """Prose blocks whose last block is kept with what follows it (blocks are
    separated by blank lines; none has a blank line inside)."""
    if not blocks:
        return blocks
    head, sep, last = blocks.rpartition("\n\n")
    return RST(head + sep + lead(RST(last)))


def target_name(*parts: str) -> str:
    """A reference name: letters, digits, ``.`` and ``-`` only."""
    return "-".join(re.sub(r"[^A-Za-z0-9.]+", "-", p).strip("-.") for p in parts if p)


def target_def(name: str) -> RST:
    return RST(f".. _{name}:")


def ref(label: object, name: str) -> RST:
    """An internal cross-reference to a :func:`target_def` named ``name``."""
    return RST(f"`{escape(label)} <{name}_>`__")


def field_list(fields: Sequence[tuple[str, object]]) -> RST:
    """``:Name: value`` lines; values may be multi-block RST (indented)."""
    out = []
    for name, value in fields:
        if value is None or value == "":
            continue
        body = value if isinstance(value, RST) else escape(value)
        out.append(f":{escape(name)}: " + _hang(body, 3))
    return RST("\n".join(out))


def enumerated(items: Sequence[object], start: int = 1, style: str = "arabic") -> RST:
    """An enumerated list (``1.`` or ``a.``); items may be multi-block RST."""
    out = []
    for i, item in enumerate(items):
        n = start + i
        mark = f"{n}." if style == "arabic" else f"{chr(ord('a') + n - 1)}."
        body = item if isinstance(item, RST) else escape(item)
        out.append(f"{mark} " + _hang(body, len(mark) + 1))
    return RST("\n".join(out))


def bullets(items: Sequence[object]) -> RST:
    out = []
    for item in items:
        body = item if isinstance(item, RST) else escape(item)
        out.append("- " + _hang(body, 2))
    return RST("\n".join(out))


def table(header: Sequence[object], rows: Sequence[Sequence[object]], widths: Sequence[int] | None = None, title: object = None, css: str | None = None) -> RST:
    """A ``list-table``; cells may be multi-block RST.  Empty cells stay empty;
    no rows, no table (docutils refuses a table of headers only)."""
    if not rows:
        return RST("")
    cap = f" {escape(title)}" if title else ""
    lines = [f".. list-table::{cap}", "   :header-rows: 1"]
    lines.append("   :widths: " + " ".join(str(w) for w in fit_widths(widths or [1] * len(header))))
    if css:
        lines.append(f"   :class: {css}")
    lines.append("")
    for row in [list(header), *[list(r) for r in rows]]:
        for j, cell in enumerate(row):
            body = cell if isinstance(cell, RST) else escape("" if cell is None else cell)
            lines.append(("   * - " if j == 0 else "     - ") + _hang(body, 7))
    return RST("\n".join(lines))


# docutils' ODT writer makes a column ``width / 12`` inches wide: the A4 text
# width of templates/styles.odt (210 mm less 2 x 20 mm = 170 mm) is 80 twelfths
TEXT_WIDTH_TWELFTHS = 80


def fit_widths(widths: Sequence[int], total: int = TEXT_WIDTH_TWELFTHS) -> list[int]:
    """Relative column widths scaled to ``total`` (whole numbers, each at
    least 1, summing to at most ``total``), so a table's columns fit the ODT's
    text width; HTML keeps the same proportions."""
    whole = sum(widths)
    out = [max(1, (w * total) // whole) for w in widths]
    while sum(out) > total:
        out[out.index(max(out))] -= 1
    return out


def contents(title: str = "Contents", depth: int = 1) -> RST:
    return RST(f".. contents:: {escape(title)}\n   :depth: {depth}")


# --------------------------------------------------------------------------- shared spec pieces


def criterion_target(u: ir.Unit, ref_: str) -> str:
    return target_name("unit", u.id, "criterion", ref_)


def unit_target(u: ir.Unit | str) -> str:
    return target_name("unit", u if isinstance(u, str) else u.id)


def reuse(spec: ir.Spec, u: ir.Unit, r: ir.Reuse) -> RST:
    """"criterion 2.1" or "unit 105, criterion 2.2", each a cross-reference
    when the criterion exists, plus the link's own note."""
    other = spec.unit(r.unit) if r.unit else u
    parts = []
    for c in r.criteria:
        label = (f"unit {other.label if other else r.unit}, " if r.unit else "") + f"criterion {c}"
        if other is not None and other.criterion(c) is not None:
            parts.append(ref(label, criterion_target(other, c)))
        else:
            parts.append(escape(label))
    s = ", ".join(parts)
    if r.note is not None:
        s += " (" + escape(r.note.plain) + ")"
    return RST(s)


def demand(d: ir.Demand, labels: dict[str, str] | None = None) -> RST:
    """"**three** customer service tasks, on different occasions"; "**four**
    customers, of which at least **two** by observation of performance or
    witness testimony" (``labels``: method id -> label)."""
    q, n, what, cond = prose.demand_parts(d)
    out = f"{inline(q)}**{n}** {inline(what)}{inline(cond)}"
    by = prose.demand_by_parts(d, labels)
    if by is not None:
        bq, bn, methods = by
        out += f", of which {inline(bq)}**{bn}** by {inline(methods)}"
    return RST(out)


def requirement_body(r: ir.Requirement, methods: dict[str, str]) -> RST:
    """A numbered evidence requirement: its text, then each range with a plain
    statement of what is required (all of them, or k of n), distinct counts,
    permitted methods and ``different`` conditions."""
    said = text(r.text)
    # text that introduces its ranges ("... caused you to:") stays with them
    blocks = [keep_last_with_next(said) if r.ranges and r.text.plain.rstrip().endswith(":") else said]
    for rg in r.ranges:
        n = len(rg.items)
        if rg.choose is None:
            say = {1: "The following is required:", 2: "Both of the following are required:"}.get(n, f"All {prose.number_word(n)} of the following are required:")
        else:
            verb = "is" if rg.choose == 1 else "are"
            say = f"At least {prose.number_word(rg.choose)} of these {prose.number_word(n)} {verb} required:"
        blocks.append(lead(strong(say)))
        # letters as published (a gap or a repeat is the source's): a plain list
        blocks.append(".. class:: range\n\n" + "\n".join("- " + escape(f"{it.letter}.") + " " + _hang(text(it.text), 2) for it in rg.items))
    for d in r.distinct:
        where = f" (item {escape(d.item)})" if d.item else ""  # a count stated inside one range item
        blocks.append(RST(f"Evidence must show **{prose.number_word(d.count)}** different {escape(d.what)}{where}."))
    if r.methods:
        words = [COMMUNICATION_METHODS.get(m) or methods.get(m, m.replace("_", " ")) for m in r.methods]
        blocks.append(RST("Permitted methods: " + escape(", ".join(words)) + "."))
    # ``different`` conditions are the requirement's own words (already printed)
    return RST("\n\n".join(blocks))


def requirements(rs: ir.RequirementSet, methods: dict[str, str]) -> RST:
    """A requirement set's numbered requirements, numbers as published."""
    out = []
    for r in rs.requirements:
        body = requirement_body(r, methods)
        mark = f"{r.number}."
        # numbers as published (gaps and repeats included): one list per item
        out.append(f"{mark} " + _hang(body, len(mark) + 1) if r.number >= 1 else body)
    # separate items with a comment so docutils does not renumber or complain
    return RST("\n\n..\n\n".join(out))


# --------------------------------------------------------------------------- templates


def _finalize(value: object) -> object:
    if value is None:
        raise ValueError("a handbook template printed None")
    if isinstance(value, RST):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return escape(value)


@functools.cache
def environment(folder: str):
    """A Jinja2 environment for RST templates in ``folder``: everything printed
    is escaped unless it is :class:`RST`; the builders above are globals."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([folder, str(Path(__file__).parent / "templates")]),
        autoescape=False,  # noqa: S701 - the output is RST; _finalize escapes for RST
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.globals.update(
        heading=heading, lead=lead, field_list=field_list, table=table, text=text, escape=escape, strong=strong,
        enumerated=enumerated, bullets=bullets, ref=ref, target_def=target_def, contents=contents,
        criterion_target=criterion_target, unit_target=unit_target, demand=demand, reuse=reuse,
        requirements=requirements, prose=prose, RST=RST,
    )
    return env


def render(folder: str | Path, template: str, **context) -> str:
    out = environment(str(folder)).get_template(template).render(**context)
    # tidy: at most one blank line in a row, one newline at the end
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip("\n") + "\n"
