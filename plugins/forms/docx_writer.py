"""DOCX from the form model (python-docx), in the PDF's shape: A4 portrait
or landscape as the PDF, the house font and headings, rows tall enough to
write in (``w:trHeight``), column widths that hold (fixed layout, a grid
that agrees with the cells), a running header with the candidate name and
registration number, a footer with the reference, the edition and real
PAGE / NUMPAGES fields.  Every field is a content control tagged with its
field name (check boxes are ``w14:checkbox`` controls), which is how
``specc portfolio from-forms`` reads a filled DOCX back."""

from __future__ import annotations

import datetime
import io

from specc.sink import normalise_zip

from .model import Bullets, Cell, Field, FieldGrid, Form, Heading, PageBreak, Para, Signatures, Table
from .render import sections

MM = 36000  # EMU per mm
TWIP_PER_MM = 56.6929
ROW_MM = {"text": 8.5, "date": 8.5, "choice": 8.5, "check": 8.5, "signature": 14, "lines": 26, "area": 62}
HEADING_PT = {1: 16, 2: 12.5, 3: 11, 4: 10}
CHECK_PT = 14
CELL_SIDE_TWIPS = 60  # 3 pt: the PDF's cell padding at the sides
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def _el(tag: str, **attrs):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(k.replace("__", ":")), str(v))
    return el


def _field_sdt(f: Field):
    """A content control for field ``f``: tag = its name, alias = its label."""
    from docx.oxml.ns import qn

    sdt = _el("w:sdt")
    pr = _el("w:sdtPr")
    sdt.append(pr)
    pr.append(_el("w:alias", w__val=f.label))
    pr.append(_el("w:tag", w__val=f.name))
    content = _el("w:sdtContent")
    run = _el("w:r")
    text = _el("w:t")
    if f.kind == "check":
        box = _el("w14:checkbox")
        box.append(_el("w14:checked", w14__val="0"))
        box.append(_el("w14:checkedState", w14__val="2612", w14__font="MS Gothic"))
        box.append(_el("w14:uncheckedState", w14__val="2610", w14__font="MS Gothic"))
        pr.append(box)
        rpr = _el("w:rPr")
        rpr.append(_el("w:rFonts", w__ascii="MS Gothic", w__hAnsi="MS Gothic", w__eastAsia="MS Gothic"))
        rpr.append(_el("w:sz", w__val=str(CHECK_PT * 2)))  # a box to tick, as the PDF's 4.5 mm one
        run.append(rpr)
        text.text = "☐"
    elif f.kind == "choice":
        dd = _el("w:dropDownList")
        for v, t in f.options:
            dd.append(_el("w:listItem", w__displayText=t, w__value=v))
        pr.append(dd)
        text.text = " "
    elif f.kind == "date":
        d = _el("w:date")
        d.append(_el("w:dateFormat", w__val="dd/MM/yyyy"))
        d.append(_el("w:lid", w__val="en-GB"))
        pr.append(d)
        text.text = " "
    else:
        pr.append(_el("w:text", w__multiLine="1") if f.kind in ("area", "lines") else _el("w:text"))
        text.text = " "
    text.set(qn("xml:space"), "preserve")
    run.append(text)
    content.append(run)
    sdt.append(content)
    return sdt


def _page_field(paragraph, instr: str) -> None:
    """A real field (PAGE, NUMPAGES) in a paragraph."""
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, f" {instr} "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            run._r.append(_el("w:fldChar", w__fldCharType=kind))
        elif text.strip() == instr:
            it = _el("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._r.append(it)
        else:
            run.text = text


def to_docx(form: Form, body_name: str, edition: str = "") -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    from specc_plugins import fonts

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    if form.landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    sec.left_margin = sec.right_margin = Mm(14)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(18)
    sec.header_distance = sec.footer_distance = Mm(8)
    usable = sec.page_width - sec.left_margin - sec.right_margin

    # document defaults: 3 pt after a paragraph as the PDF's (the template's 10 pt
    # spread a list of rules over the page; table cells keep the table style's 0),
    # British English for the spelling checker
    defaults = d.styles.element.find(qn("w:docDefaults"))
    defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}").set(qn("w:after"), "60")
    defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}").set(qn("w:val"), "en-GB")
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title"):
        st = d.styles[name]
        st.font.name = fonts.FAMILY
        st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), fonts.FAMILY)
        st.font.color.rgb = RGBColor(0, 0, 0)
        if name == "Normal":
            st.font.size = Pt(10)
        elif name.startswith("Heading"):
            level = int(name[-1])
            st.font.size = Pt(HEADING_PT[level])
            st.font.bold = True
            st.font.italic = False
            st.paragraph_format.keep_with_next = True
            st.paragraph_format.space_before = Pt(10 if level > 1 else 2)
            st.paragraph_format.space_after = Pt(3)
            # the theme's heading font and colour would win otherwise
            rfonts = st.element.get_or_add_rPr().get_or_add_rFonts()
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                if rfonts.get(qn(attr)) is not None:
                    del rfonts.attrib[qn(attr)]

    for name in ("Header", "Footer"):
        # the template's centre and right tabs (at 6.5 in) would catch the
        # tab before the registration number and the page number
        d.styles[name].paragraph_format.tab_stops.clear_all()
    person = next((label.removesuffix(" name") for b in form.body if isinstance(b, FieldGrid) and b.identity for label, f in b.items if f.name == "candidate.name"), "Candidate")
    hp = sec.header.paragraphs[0]
    hp.paragraph_format.tab_stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    run = hp.add_run(f"{person} name ______________________________\tRegistration number ____________________")
    run.font.size = Pt(9)
    fp = sec.footer.paragraphs[0]
    fp.paragraph_format.tab_stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    fp.add_run(" · ".join(x for x in (body_name, form.reference, edition) if x) + "\tPage ")
    _page_field(fp, "PAGE")
    fp.add_run(" of ")
    _page_field(fp, "NUMPAGES")
    for r in fp.runs:
        r.font.size = Pt(8.5)

    cp = d.core_properties
    cp.title = form.title + (f" — {form.subtitle}" if form.subtitle else "")
    cp.author = body_name
    cp.language = "en-GB"
    cp.created = cp.modified = datetime.datetime(2000, 1, 1)
    cp.last_modified_by = "specc"
    cp.revision = 1

    p = d.add_paragraph()
    r = p.add_run(body_name.upper())
    r.bold, r.font.size = True, Pt(9)
    d.add_heading(form.title, level=1)
    if form.subtitle:
        d.add_paragraph(form.subtitle).runs[0].font.size = Pt(11)

    def gap() -> None:
        """A 6 pt paragraph after a table: the space the PDF leaves below a
        table, and two tables in a row stay two (a word processor joins
        tables with nothing between them)."""
        pf = d.add_paragraph().paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing, pf.line_spacing_rule = Pt(6), WD_LINE_SPACING.EXACTLY

    def table(widths: list[float], rows: int, header: tuple[str, ...] | None = None):
        total = sum(widths)
        cols = [int(usable * w / total) for w in widths]
        t = d.add_table(rows=0, cols=len(widths))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.LEFT
        t.autofit = False
        # cell padding as the PDF's (2.5 pt above and below, 3 pt at the sides)
        mar = _el("w:tblCellMar")
        for side, tw in (("top", 50), ("left", CELL_SIDE_TWIPS), ("bottom", 50), ("right", CELL_SIDE_TWIPS)):
            mar.append(_el(f"w:{side}", w__w=tw, w__type="dxa"))
        t._tbl.tblPr.insert_element_before(mar, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
        # the document is in Word 2010 compatibility (python-docx's template), where a
        # table's edge sits a cell margin left of the text: indent it by that margin, so
        # the table lies between the page margins as in the PDF
        ind = _el("w:tblInd", w__w=CELL_SIDE_TWIPS, w__type="dxa")
        t._tbl.tblPr.insert_element_before(ind, "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
        for gc, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), cols, strict=True):
            gc.set(qn("w:w"), str(int(w / 635)))  # EMU -> twips
        if header:
            row = add_row(t, cols, None)
            _repeat(row)
            for cell, title in zip(row.cells, header, strict=True):
                cell.text = title
                cell.paragraphs[0].runs[0].bold = True
                cell.paragraphs[0].runs[0].font.size = Pt(9)
                _shade(cell, "E6E6E6")
        return t, cols

    def add_row(t, cols, height_mm):
        row = t.add_row()
        for cell, w in zip(row.cells, cols, strict=True):
            cell.width = w
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(_el("w:cantSplit", w__val="true"))
        if height_mm:
            row.height = Mm(height_mm)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        return row

    def put(cell, c: Cell) -> None:
        par = cell.paragraphs[0]
        if c.text:
            run = par.add_run(c.text)
            run.bold = c.strong
        if c.muted:
            run = cell.add_paragraph().add_run(c.muted)
            run.font.size = Pt(8.5)
        if c.field is not None:
            target = par if not c.text and not c.muted else cell.add_paragraph()
            target._p.append(_field_sdt(c.field))
            if c.field.kind == "check":
                target.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def label_cell(cell, text: str) -> None:
        cell.text = text
        cell.paragraphs[0].runs[0].font.size = Pt(9)
        _shade(cell, "F2F2F2")

    def body_elements() -> list:
        return [e for e in d.element.body if e.tag != qn("w:sectPr")]

    for sec in sections(form.body):
        start = len(body_elements())
        lead_rows: list = []  # the rows of a long table that stay with its heading
        for i, b in enumerate(sec.blocks):
            keep = i + 1 < len(sec.blocks)
            if isinstance(b, Heading):
                d.add_heading(b.text, level=min(b.level, 4))
            elif isinstance(b, Para):
                p = d.add_paragraph(b.text)
                p.paragraph_format.keep_with_next = keep
                size = {"note": 9, "lead": 10.5}.get(b.style)
                if size:
                    for r in p.runs:
                        r.font.size = Pt(size)
            elif isinstance(b, Bullets):
                for item in b.items:
                    d.add_paragraph(item, style="List Bullet").paragraph_format.keep_with_next = keep
            elif isinstance(b, PageBreak):
                d.add_page_break()
            elif isinstance(b, Signatures):
                t, cols = table([24, 46, 8, 22], 0)
                for role, sig, date in b.items:
                    row = add_row(t, cols, ROW_MM["signature"])
                    label_cell(row.cells[0], f"{role} signature")
                    row.cells[1].paragraphs[0]._p.append(_field_sdt(sig))
                    label_cell(row.cells[2], "Date")
                    row.cells[3].paragraphs[0]._p.append(_field_sdt(date))
            elif isinstance(b, FieldGrid):
                t, cols = table([19, 31, 19, 31], 0)
                items = list(b.items)
                for j in range(0, len(items), 2):
                    pair = items[j : j + 2]
                    row = add_row(t, cols, max(ROW_MM[f.kind] for _, f in pair))
                    for k, (label, f) in enumerate(pair):
                        label_cell(row.cells[2 * k], label)
                        row.cells[2 * k + 1].paragraphs[0]._p.append(_field_sdt(f))
            elif isinstance(b, Table):
                if b.caption:
                    cap = d.add_paragraph(b.caption)
                    cap.runs[0].bold = True
                    cap.paragraph_format.keep_with_next = True
                t, cols = table([c.width for c in b.columns], 0, tuple(c.title for c in b.columns))
                for row_cells in b.rows:
                    kinds = [c.field.kind for c in row_cells if c.field is not None]
                    row = add_row(t, cols, max((ROW_MM[k] for k in kinds), default=None))
                    for cell, c in zip(row.cells, row_cells, strict=True):
                        put(cell, c)
                # the header row and the first two rows stay with what leads in (as the PDF's lead-row)
                lead_rows = t._tbl.tr_lst[: min(3, len(t._tbl.tr_lst) - 1)]
            if isinstance(b, (Signatures, FieldGrid, Table)):
                gap()
        # a kept section (a signature block, a short table with its heading)
        # never splits: every paragraph but those of its last row keeps with
        # the next; a long table keeps its first rows with its heading
        added = body_elements()[start:]
        if sec.keep and added:
            tables = [e for e in added if e.tag == qn("w:tbl")]
            # all but the last table's last row (and the gap after it) keep with the next
            last = tables[-1].tr_lst[-1] if tables else added[-1]
            _keep_with_next(added[: added.index(tables[-1]) + 1] if tables else added, but=last)
        else:
            _keep_with_next(lead_rows)
    buf = io.BytesIO()
    d.save(buf)
    return normalise_zip(buf.getvalue())


def _keep_with_next(elements, but=None) -> None:
    """keep-with-next on every paragraph in ``elements`` (paragraphs, tables,
    rows), except in ``but``: the word processor's way of keeping a table
    (whose rows cannot split) together and with what comes before it."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    skip = set(but.iter(qn("w:p"))) if but is not None else set()
    for el in elements:
        for p in [el] if el.tag == qn("w:p") else el.iter(qn("w:p")):
            if p not in skip:
                Paragraph(p, None).paragraph_format.keep_with_next = True


def _repeat(row) -> None:
    row._tr.get_or_add_trPr().append(_el("w:tblHeader", w__val="true"))


def _shade(cell, fill: str) -> None:
    cell._tc.get_or_add_tcPr().append(_el("w:shd", w__val="clear", w__color="auto", w__fill=fill))
