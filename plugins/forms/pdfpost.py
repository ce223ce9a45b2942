"""The PDF post-processing step (pikepdf): what WeasyPrint cannot write.

WeasyPrint writes one flat field per input, named with the whole dotted name
(``u101.c1_2.d1_3.date``) as a single ``/T``; a period inside a partial name
is not allowed (PDF 32000-1 12.7.3.2: the period separates the levels).  This
step

* builds the real field hierarchy: a parent field per name part (``u101`` >
  ``c1_2`` > ``d1_3`` > ``date``), so the fully qualified names are exactly
  the dotted names the forms model uses;
* makes every ``signature`` field a signature field (``/FT /Sig``) a reader
  or signing tool can sign, and sets ``/SigFlags 1`` (the document has
  signature fields).  No field lock (``/Lock``): with one, pyHanko 0.38's
  change analysis judges a signature broken as soon as a counter-signature
  follows (it takes the unchanged appearance streams of fields filled before
  the signature for in-place changes of locked fields); without, what was
  changed after a signature is reported as form filling and the signed
  revision keeps what was signed;
* gives each widget's ``/Form`` structure element its object reference
  directly as ``/K`` (not a one-element array): the same tags, in the shape a
  signature validator's change analysis (pyHanko) traces a widget to, so
  filling a field or counter-signing after a signature keeps it valid;
* writes every widget's ``/Rect`` lower-left corner first;
* repeats the candidate name and registration number fields in the running
  header of every page (more widgets of the same fields, so what is typed on
  page 1 shows on every page);

and keeps WeasyPrint's tags (structure tree, ``/StructParent`` of every
widget), language and title.  The output is deterministic: objects are
visited in page order, the file ID is derived from the content.
"""

from __future__ import annotations

import functools
import io

import pikepdf
from pikepdf import Array, Dictionary, Name, String

# keys of a merged field/widget dictionary that belong to the field
FIELD_KEYS = ("/FT", "/T", "/TU", "/TM", "/Ff", "/V", "/DV", "/Opt", "/MaxLen", "/TI", "/I")
PX = 0.75  # CSS px -> PDF points


@functools.lru_cache(maxsize=1)
def _advances():
    from fontTools.ttLib import TTFont

    from specc_plugins import fonts

    font = TTFont(str(fonts.path()), lazy=True)
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return {cp: hmtx[g][0] for cp, g in cmap.items()}, font["head"].unitsPerEm


def text_width(text: str, size_pt: float) -> float:
    adv, upem = _advances()
    return sum(adv.get(ord(ch), upem // 2) for ch in text) * size_pt / upem


def header_slots(document) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Per page, the rectangles (PDF points) of the writing lines in the
    running header: ``[(field name, rect), ...]``.  A header string is
    ``<label> ____``; its line starts where the label ends."""
    names = {"Registration number": "candidate.registration"}
    out = []
    for page in document.pages:
        height_pt = page.height * PX
        slots = []
        for margin in page._page_box.children:
            if type(margin).__name__ != "MarginBox":
                continue
            stack = [margin]
            while stack:
                box = stack.pop()
                stack.extend(getattr(box, "children", None) or ())
                if type(box).__name__ != "TextBox" or "_" not in box.text:
                    continue
                label = box.text.split("_", 1)[0]
                name = names.get(label.strip(), "candidate.name")
                size = box.style["font_size"] * PX
                x0 = box.position_x * PX + text_width(label, size)
                x1 = (box.position_x + box.width) * PX
                y_top = box.position_y * PX
                y1 = height_pt - y_top + 1.5
                y0 = height_pt - (y_top + box.height * PX) - 1
                slots.append((name, (round(x0, 3), round(y0, 3), round(x1, 3), round(y1, 3))))
        out.append(sorted(slots))
    return out


def postprocess(pdf: bytes, signature_fields: frozenset[str], header: list | None = None) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        acro = doc.Root.get("/AcroForm")
        if acro is not None:
            _fields(doc, acro, signature_fields, header or [])
            if signature_fields:
                acro.SigFlags = 1  # SignaturesExist
        if "/StructTreeRoot" in doc.Root:
            _widget_tags(doc.Root.StructTreeRoot)
        out = io.BytesIO()
        # compressed streams are copied as WeasyPrint wrote them (not decoded and recompressed)
        doc.save(out, deterministic_id=True, compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


def _widget_tags(root: Dictionary) -> None:
    """``/K [<OBJR>]`` -> ``/K <OBJR>`` in every ``/Form`` structure element
    whose only kid is an object reference (a widget)."""
    stack = [root]
    while stack:
        e = stack.pop()
        k = e.get("/K")
        kids = list(k) if isinstance(k, Array) else [k]
        if e.get("/S") == "/Form" and isinstance(k, Array) and len(k) == 1 and isinstance(k[0], Dictionary) and k[0].get("/Type") == "/OBJR":
            e.K = k[0]
            continue
        stack.extend(x for x in kids if isinstance(x, Dictionary) and x.get("/Type") != "/OBJR" and "/K" in x)


def _fields(doc: pikepdf.Pdf, acro: Dictionary, signature_fields: frozenset[str], header: list) -> None:
    flat = list(acro.Fields)
    by_name: dict[str, Dictionary] = {}  # full name -> terminal field
    nodes: dict[tuple[str, ...], Dictionary] = {}  # name parts -> parent field
    top: list = []
    for w in flat:
        full = str(w.T)
        parts = tuple(full.split("."))
        if "/Rect" in w:
            x0, y0, x1, y1 = (w.Rect[i] for i in range(4))
            w.Rect = Array([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)])
        if full in signature_fields:
            w.FT = Name.Sig
            for k in ("/V", "/DV", "/Ff", "/MaxLen", "/DA"):
                if k in w:
                    del w[k]
        parent = None
        for i in range(1, len(parts)):
            key = parts[:i]
            if key not in nodes:
                node = doc.make_indirect(Dictionary(T=String(parts[i - 1]), Kids=Array()))
                if parent is None:
                    top.append(node)
                else:
                    node.Parent = parent
                    parent.Kids.append(node)
                nodes[key] = node
            parent = nodes[key]
        w.T = String(parts[-1])
        if parent is None:
            top.append(w)
        else:
            w.Parent = parent
            parent.Kids.append(w)
        by_name[full] = w
    for page_no, slots in enumerate(header):
        page = doc.pages[page_no]
        for name, rect in slots:
            field = by_name.get(name)
            if field is None:
                continue
            field = by_name[name] = _split_widget(doc, field, top)
            widget = doc.make_indirect(
                Dictionary(Type=Name.Annot, Subtype=Name.Widget, Rect=Array(rect), F=4, P=page.obj, Parent=field, DA=field.Kids[0].get("/DA", String("")))
            )
            field.Kids.append(widget)
            if "/Annots" not in page.obj:
                page.obj.Annots = Array()
            page.obj.Annots.append(widget)
    acro.Fields = Array(top)


def _split_widget(doc: pikepdf.Pdf, merged: Dictionary, top: list) -> Dictionary:
    """A field with its widget merged into one dictionary becomes a field
    with the widget as its first kid (so it can have more widgets); a field
    already split is returned as it is."""
    if "/Kids" in merged:
        return merged
    field = doc.make_indirect(Dictionary())
    for k in FIELD_KEYS:
        if k in merged:
            field[k] = merged[k]
            del merged[k]
    kids = merged.Parent.Kids if "/Parent" in merged else top
    if "/Parent" in merged:
        field.Parent = merged.Parent
    for i, k in enumerate(kids):
        if k.objgen == merged.objgen:
            kids[i] = field
    merged.Parent = field
    field.Kids = Array([merged])
    return field
