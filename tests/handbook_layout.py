"""Reading a printed handbook back (pdfplumber) and checking it against the
print rules, for the PDF WeasyPrint makes and for the PDF a browser prints
from the same HTML.

A page is read as lines of text with their position, size and colour: the
running header is what lies in the top margin, the footer what lies in the
bottom margin, the rest is the body.  Headings are known by their colour
(the stylesheet's accent) and chapter or unit headings by their size, so the
checks need no knowledge of which engine laid the pages out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
from attrs import frozen

MM = 72 / 25.4
ACCENT = (0.0, 0.333, 0.549)  # --accent: #00558c
TOP_MARGIN = 24 * MM
BOTTOM_MARGIN = 20 * MM
CHAPTER_SIZE = 14.0  # h2 prints at 1.45rem of 10pt


@frozen
class Line:
    text: str
    top: float
    bottom: float
    size: float
    heading: bool  # printed in the heading colour


@frozen
class Page:
    number: int  # 1-based
    width: float
    height: float
    header: tuple[Line, ...]
    body: tuple[Line, ...]
    footer: tuple[Line, ...]

    @property
    def fill(self) -> float:
        """How much of the body area the body's text reaches down to (0-1)."""
        if not self.body:
            return 0.0
        area = self.height - TOP_MARGIN - BOTTOM_MARGIN
        return (self.body[-1].bottom - TOP_MARGIN) / area

    @property
    def starts_chapter(self) -> bool:
        return bool(self.body) and self.body[0].heading and self.body[0].size >= CHAPTER_SIZE

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.body)


def _is_accent(color) -> bool:
    if not color or len(color) != 3:
        return False
    return all(abs(a - b) < 0.02 for a, b in zip(color, ACCENT, strict=True))


def read(path: Path | str) -> list[Page]:
    pages = []
    with pdfplumber.open(str(path)) as pdf:
        for i, p in enumerate(pdf.pages, 1):
            header, body, footer = [], [], []
            for raw in p.extract_text_lines(keep_blank_chars=False):
                chars = [c for c in raw["chars"] if c["text"].strip()]
                if not chars:
                    continue
                line = Line(
                    text=" ".join(raw["text"].split()),
                    top=raw["top"],
                    bottom=raw["bottom"],
                    size=max(c["size"] for c in chars),
                    heading=sum(_is_accent(c.get("non_stroking_color")) for c in chars) > len(chars) / 2,
                )
                if line.bottom <= TOP_MARGIN:
                    header.append(line)
                elif line.top >= p.height - BOTTOM_MARGIN:
                    footer.append(line)
                else:
                    body.append(line)
            pages.append(Page(i, p.width, p.height, tuple(header), tuple(body), tuple(footer)))
    return pages


def problems(pages: list[Page], title: str, min_fill: float = 0.2) -> list[str]:
    """What breaks the print rules: a page (not the cover) without the
    running header (the document's title) or "Page x of y"; a heading, or a
    line introducing what follows ("The learner can:"), as the last thing on
    a page; a page that holds a single line carried over (a last list
    item, a paragraph's last line); a page less than ``min_fill`` full that is not the
    last page of a chapter or unit (the next page starts one) or of the
    document."""
    out = []
    n = len(pages)
    head = " ".join(title.split())[:30]
    for i, page in enumerate(pages):
        if i == 0:
            continue  # the cover
        header = " ".join(line.text for line in page.header)
        if head not in header:
            out.append(f"page {page.number}: no running header ({header!r})")
        footer = " ".join(line.text for line in page.footer)
        if f"Page {page.number} of {n}" not in footer:
            out.append(f"page {page.number}: no 'Page {page.number} of {n}' ({footer!r})")
        if not page.body:
            out.append(f"page {page.number}: empty")
            continue
        if page.body[-1].heading:
            out.append(f"page {page.number}: ends with a heading ({page.body[-1].text!r})")
        elif page.body[-1].text.endswith(":") and i < n - 1:
            out.append(f"page {page.number}: ends with an introduction to what follows ({page.body[-1].text!r})")
        last_of_chapter = i == n - 1 or pages[i + 1].starts_chapter
        if page.fill < min_fill and not last_of_chapter:
            out.append(f"page {page.number}: {page.fill:.0%} full ({page.body[-1].text!r})")
        elif len(page.body) < 2 and not page.starts_chapter:
            out.append(f"page {page.number}: holds a single line carried over ({page.body[-1].text!r})")
    return out


def words(s: str) -> str:
    """Text for comparing: whitespace collapsed, hyphenation and layout
    spacing ignored."""
    return re.sub(r"\s+", " ", s).strip()


CHROMIUM = "/usr/bin/chromium"


def browser_print(html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (Debian's package), as
    a reader's browser would, without the browser's own header and footer."""
    import shutil
    import subprocess
    import tempfile

    exe = shutil.which("chromium") or CHROMIUM
    with tempfile.TemporaryDirectory(prefix="specc-chromium-") as profile:
        subprocess.run(
            [
                exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri(),
            ],
            check=True, capture_output=True, timeout=120,
        )
    return pdf
