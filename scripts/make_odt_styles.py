"""Make plugins/handbook/templates/styles.odt, the stylesheet the handbook's
ODT is written with (docutils' odf_odt ``stylesheet`` setting).

It is docutils' own default stylesheet with the page set to A4 (20 mm
margins, so the text is 170 mm wide) and every face replaced by the house
font, Liberation Sans (``specc_plugins.fonts``).  Without a stylesheet that
sets the page, docutils asks the machine's ``paperconf`` (US Letter where
there is none), so the same spec would give a different ODT on another
machine.  The zip is written with fixed timestamps (byte-identical).

    .venv/bin/python scripts/make_odt_styles.py
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docutils.writers.odf_odt as odf
from lxml import etree

from specc.sink import normalise_zip
from specc_plugins import fonts

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "plugins" / "handbook" / "templates" / "styles.odt"
NS = {
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
PAGE = {"page-width": "210mm", "page-height": "297mm", "margin-top": "20mm", "margin-bottom": "20mm", "margin-left": "20mm", "margin-right": "20mm"}
REPLACED = {"Nimbus Roman No9 L", "Nimbus Sans L", "DejaVu Sans"}


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def patch(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for props in root.iter(_q("style", "page-layout-properties")):
        for k, v in PAGE.items():
            props.set(_q("fo", k), v)
    for decls in root.iter(_q("office", "font-face-decls")):
        for face in list(decls):
            if face.get(_q("style", "name")) in REPLACED:
                decls.remove(face)
        face = etree.SubElement(decls, _q("style", "font-face"))
        face.set(_q("style", "name"), fonts.FAMILY)
        face.set(_q("svg", "font-family"), f"'{fonts.FAMILY}'")
        face.set(_q("style", "font-family-generic"), "swiss")
        face.set(_q("style", "font-pitch"), "variable")
    for el in root.iter():
        for attr in ("font-name", "font-name-asian", "font-name-complex"):
            if el.get(_q("style", attr)) in REPLACED:
                el.set(_q("style", attr), fonts.FAMILY)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def main() -> None:
    src = Path(odf.__file__).parent / "styles.odt"
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in ("styles.xml", "content.xml"):
                data = patch(data)
            zout.writestr(info.filename, data, compress_type=zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED)
    OUT.write_bytes(normalise_zip(buf.getvalue(), {}))
    print(OUT)


if __name__ == "__main__":
    main()
