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

The header widgets are tagged like WeasyPrint's own: each is the object
reference (``/OBJR``) of a ``/Form`` structure element, its
``/StructParent`` the key of that element in the parent tree.  PDF/UA-1
(ISO 14289-1, 7.18.4) wants every visible widget nested in a Form element
(veraPDF exempts only hidden widgets and widgets outside the crop box); an
annotation cannot be marked as an artifact in PDF 1.7 (artifacts are marked
content of a page's content stream; the ``Artifact`` structure type is PDF
2.0's, as WeasyPrint notes for its margin boxes).  A page's header fields
come first on the page in the reading order: a ``/Div`` per page holding
its Form elements sits in the ``Document`` element before the first of its
children that begins on that page or later.
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
    added: list[list[Dictionary]] = []  # per page, its header widgets
    for page_no, slots in enumerate(header):
        page = doc.pages[page_no]
        added.append([])
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
            added[-1].append(widget)
    acro.Fields = Array(top)
    if any(added):
        _tag_widgets(doc, added)


def _parent_tree_pairs(node) -> list:
    """The (key, value) pairs of a number tree, in key order."""
    out = []
    nums = node.get("/Nums")
    if nums is not None:
        out += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
    for kid in node.get("/Kids", []):
        out += _parent_tree_pairs(kid)
    return sorted(out, key=lambda kv: kv[0])


def _first_page(elem, page_index: dict) -> int | None:
    """The page (index) on which a structure element begins: the /Pg of the
    first element with one, depth first."""
    stack = [elem]
    while stack:
        e = stack.pop(0)
        if not isinstance(e, Dictionary):
            continue
        if "/Pg" in e and e.Pg.objgen in page_index:
            return page_index[e.Pg.objgen]
        k = e.get("/K")
        if isinstance(k, Array):
            stack = list(k) + stack
        elif isinstance(k, Dictionary):
            stack.insert(0, k)
    return None


def _tag_widgets(doc: pikepdf.Pdf, added: list[list[Dictionary]]) -> None:
    """Tag the header widgets: a Form element with an OBJR per widget, its
    /StructParent into the parent tree, a /Div per page in the Document
    element where that page begins."""
    tree = doc.Root.get("/StructTreeRoot")
    if tree is None:
        return
    pairs = _parent_tree_pairs(tree.ParentTree) if "/ParentTree" in tree else []
    used = [k for k, _ in pairs] + [int(p.obj.StructParents) for p in doc.pages if "/StructParents" in p.obj]
    used += [int(a.StructParent) for p in doc.pages for a in p.obj.get("/Annots", []) if "/StructParent" in a]
    key = max(used, default=-1) + 1
    kids = tree.get("/K")
    document = kids[0] if isinstance(kids, Array) and len(kids) == 1 else kids
    if not isinstance(document, Dictionary) or document.get("/S") != Name.Document:
        document = tree  # no Document element: the root's own kids
    if not isinstance(document.get("/K"), Array):
        document.K = Array([document.K]) if "/K" in document else Array()
    page_index = {p.obj.objgen: i for i, p in enumerate(doc.pages)}
    starts = [_first_page(k, page_index) for k in document.K]
    groups = []
    for page_no, widgets in enumerate(added):
        if not widgets:
            continue
        page = doc.pages[page_no].obj
        div = doc.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Div, P=document, Pg=page, T=String(f"Running header, page {page_no + 1}"), K=Array()))
        for w in widgets:
            form = doc.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Form, P=div, Pg=page, K=Array([Dictionary(Type=Name.OBJR, Obj=w, Pg=page)])))
            div.K.append(form)
            w.StructParent = key
            pairs.append((key, form))
            key += 1
        at = next((i for i, s in enumerate(starts) if s is not None and s >= page_no), len(starts))
        groups.append((at, div))
    for at, div in reversed(groups):  # later pages first, so the earlier positions hold
        document.K.insert(at, div)
    tree.ParentTree = doc.make_indirect(Dictionary(Nums=Array([x for k, v in pairs for x in (k, v)])))
    tree.ParentTreeNextKey = key


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
