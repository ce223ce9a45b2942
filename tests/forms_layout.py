"""Read a form's laid-out pages (WeasyPrint's boxes: which box lands on which
page, how tall, in what size of type) and list where the print rules are
broken.  The template marks what the rules talk about: ``data-block`` on
headings, lead-ins, tables, field grids and signature blocks, ``data-sec`` on
a heading's section, ``data-row`` on rows, ``data-rows`` on tables."""

from __future__ import annotations

from collections import defaultdict

PX_PER_MM = 96 / 25.4
PX_PER_PT = 96 / 72

LINE_MM = 8  # a single-line field
AREA_MM = 60  # a summary or feedback box
BODY_PT = 10
SMALLEST_PT = 8.5
FIRST_ROWS = 2  # a heading stays with its lead-in and this many rows of its table
KEEP_ROWS = 6  # a table this long or shorter never splits


def _walk(box, ancestors=()):
    yield box, ancestors
    for child in getattr(box, "children", None) or ():
        yield from _walk(child, (*ancestors, box))


def _el(box):
    return getattr(box, "element", None)


def violations(document) -> list[str]:
    """Every breach of the print rules in a laid-out document, as sentences."""
    out: list[str] = []
    pages_of: dict = defaultdict(set)  # element -> pages it lands on
    order: list = []  # (page, element) of data-block elements in document order
    sec_of: dict = {}
    for i, page in enumerate(document.pages):
        for box, anc in _walk(page._page_box):
            el = _el(box)
            name = type(box).__name__
            if name == "TextBox" and box.text.strip():
                size = box.style["font_size"] / PX_PER_PT
                if size < SMALLEST_PT - 0.01:
                    out.append(f"page {i + 1}: {box.text[:30]!r} printed at {size:.1f} pt")
                parent = next((_el(a) for a in reversed(anc) if _el(a) is not None), None)
                if parent is not None and parent.tag in ("p", "td", "li") and not parent.get("class") and size < BODY_PT - 0.01:
                    out.append(f"page {i + 1}: body text {box.text[:30]!r} at {size:.1f} pt")
            if el is None:
                continue
            if el.get("data-block") or el.get("data-row"):
                if i not in pages_of[el]:
                    order.append((i, el))
                pages_of[el].add(i)
            if el.get("data-sec"):
                sec_of.setdefault(el, el)
            tag = getattr(box, "element_tag", None)
            if tag in ("input", "select", "textarea") and name == "BlockBox":
                h = box.margin_height() / PX_PER_MM
                cell = next((_el(a) for a in reversed(anc) if getattr(a, "element_tag", None) == "td"), None)
                kind = (cell.get("class") or "") if cell is not None else ""
                want = AREA_MM if "area" in kind.split() else LINE_MM
                if el.get("type") != "checkbox" and h < want - 0.01:
                    out.append(f"page {i + 1}: field {el.get('name')} is {h:.1f} mm tall (at least {want} mm)")
    # a heading never ends a page
    last: dict[int, object] = {}
    for i, el in order:
        if el.get("data-block"):
            last[i] = el
    for i, el in last.items():
        if el.get("data-block") == "heading" and i < len(document.pages) - 1:
            out.append(f"page {i + 1} ends with the heading {''.join(el.itertext())!r}")
    # sections: heading with its lead-in and first rows; short tables and signatures whole
    for sec in sec_of:
        blocks = [e for e in sec.iter() if e.get("data-block")]
        tables = [e for e in blocks if e.get("data-block") in ("table", "grid", "signatures", "identity")]
        for t in tables:
            rows = [e for e in t.iter() if e.get("data-row")]
            spread = set().union(*(pages_of[r] for r in rows)) if rows else set()
            if (t.get("data-block") == "signatures" or len(rows) <= KEEP_ROWS) and len(spread) > 1:
                out.append(f"{t.get('data-block')} of {len(rows)} rows split over pages {sorted(p + 1 for p in spread)}")
        head = [e for e in blocks if e.get("data-block") in ("heading", "lead")]
        if head and tables:
            rows = [e for e in tables[0].iter() if e.get("data-row")][:FIRST_ROWS]
            together = set().union(*(pages_of[e] for e in head + rows))
            if len(together) > 1:
                text = "".join(head[0].itertext())[:40]
                out.append(f"{text!r} is not on the page of its lead-in and first rows (pages {sorted(p + 1 for p in together)})")
    return out


def blocks_on_pages(document) -> list[list[str]]:
    """The data-block kinds on each page, in order (for messages)."""
    out = []
    for page in document.pages:
        seen, kinds = set(), []
        for box, _ in _walk(page._page_box):
            el = _el(box)
            if el is not None and el.get("data-block") and el not in seen:
                seen.add(el)
                kinds.append(el.get("data-block"))
        out.append(kinds)
    return out
