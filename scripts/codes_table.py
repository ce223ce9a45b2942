"""Regenerate the README's table of diagnostic codes from the registry
(specc.checks.CODES): ``python scripts/codes_table.py`` rewrites it in place;
``--check`` exits 1 if README.md is not current (tests/test_diagnostics.py
checks the same)."""

from __future__ import annotations

import sys
from pathlib import Path

from specc.checks import readme_table

README = Path(__file__).resolve().parent.parent / "README.md"
HEADER = "| code | severity | meaning |\n"


def replaced(text: str) -> str:
    """``text`` with the table (from its header to the first line that is not
    a table row) replaced by the registry's."""
    start = text.index(HEADER)
    end = start
    for line in text[start:].splitlines(keepends=True):
        if not line.startswith("|"):
            break
        end += len(line)
    return text[:start] + readme_table() + text[end:]


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = replaced(text)
    if "--check" in argv:
        if new != text:
            print("README.md: the table of codes is not current; run python scripts/codes_table.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
