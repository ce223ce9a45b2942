"""The house font every built-in output embeds: Liberation Sans 2.1.5
(SIL Open Font License 1.1, see LICENSE-OFL.txt; metrically compatible with
Arial, which the bodies' own handbooks use).

It ships inside the package so that a build is byte-identical on every
machine with the same pinned libraries, whatever fonts the machine has.
Outputs name the family ``FAMILY``; HTML and PDF load the files through
``font_face_css()``, the ODT and DOCX writers name the family.
"""

from __future__ import annotations

from pathlib import Path

FAMILY = "Liberation Sans"
FOLDER = Path(__file__).resolve().parent
FILES = {
    ("normal", "normal"): "LiberationSans-Regular.ttf",
    ("bold", "normal"): "LiberationSans-Bold.ttf",
    ("normal", "italic"): "LiberationSans-Italic.ttf",
    ("bold", "italic"): "LiberationSans-BoldItalic.ttf",
}


def path(weight: str = "normal", style: str = "normal") -> Path:
    return FOLDER / FILES[(weight, style)]


def font_face_css(url_base: str | None = None) -> str:
    """``@font-face`` rules for the four faces.  ``url_base`` prefixes the file
    names (default: absolute ``file://`` URLs into this package, which is what
    WeasyPrint needs; pass a relative base for HTML published beside copies of
    the files)."""
    rules = []
    for (weight, style), name in FILES.items():
        url = f"{url_base.rstrip('/')}/{name}" if url_base is not None else (FOLDER / name).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: {style}; src: url("{url}") format("truetype"); }}'
        )
    return "\n".join(rules) + "\n"
