"""The handbook as a PDF: the handbook's own HTML laid out by WeasyPrint.

What a printed awarding-body handbook has comes from the one print
stylesheet (``templates/handbook.css``), which a browser printing the HTML
reads too: the cover (title, qualification numbers, version, date), the
contents on a page of their own with page numbers (``target-counter``), PDF
bookmarks by chapter, unit and outcome (``bookmark-level``), a running
header with the document's title and the current chapter or unit
(``string-set``) and "Page x of y" in the footer.  Headings stay with what
follows them, table header rows repeat, chapters and units start a page and
the structure table has a landscape page of its own.

The PDF is tagged (``pdf_tags``) and embeds the house font
(:mod:`specc_plugins.fonts`) through ``@font-face`` rules given to WeasyPrint
beside the page, so the HTML itself names the family without pointing into
the installed package.  Font subsetting stamps the time unless
``SOURCE_DATE_EPOCH`` is set; it is pinned, so the same input gives the same
bytes.
"""

from __future__ import annotations


def css_string(value: str) -> str:
    """``value`` as a double-quoted CSS string: quotes, backslashes and line
    breaks escaped, and ``<`` too, so it can never close a ``<style>``."""
    out = []
    for ch in " ".join(str(value).split()):
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "<" or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def header_style(title: str) -> str:
    """A ``<style>`` for the page's head: the running header names the
    document (every engine) and, where the engine keeps running strings,
    the chapter or unit the page is in."""
    t = css_string(title)
    return (
        "<style>\n"
        f'@page {{ @top-left {{ content: {t}; content: {t} "\\A" string(section); }} }}\n'
        "</style>\n"
    )


def to_pdf(html: bytes | str) -> bytes:
    """A4 tagged PDF of handbook HTML, the house font embedded."""
    import logging
    import os

    import weasyprint

    from specc_plugins import fonts

    os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    faces = weasyprint.CSS(string=fonts.font_face_css())
    return weasyprint.HTML(string=html, base_url=str(fonts.FOLDER)).write_pdf(stylesheets=[faces], pdf_tags=True, presentational_hints=True)

