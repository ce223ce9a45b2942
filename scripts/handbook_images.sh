#!/usr/bin/env bash
# Review images of the printed handbooks: builds every spec's handbook PDF
# (into a scratch folder, outputs/ is left alone) and renders a few pages per
# body with pdftoppm into outputs/review/ as small PNGs: the cover, the
# contents, the first page of the first unit and, where there is one, the
# landscape structure page. Re-run any time:
#   scripts/handbook_images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pdftoppm >/dev/null; then
  echo "installing poppler-utils for pdftoppm" >&2
  (apt-get update -qq && apt-get install -y -qq poppler-utils) >/dev/null
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
./dev build specs --emit handbook --option handbook_formats=pdf -o "$scratch" -q >/dev/null 2>&1
mkdir -p outputs/review
rm -f outputs/review/handbook-*.png
for pdf in "$scratch"/*/handbook/*.pdf; do
  # body name and the pages to show, read from the PDF's bookmarks
  read -r body pages < <(.venv/bin/python - "$pdf" <<'EOF'
import re
import sys

import pypdf

r = pypdf.PdfReader(sys.argv[1])
body = {"cg": "cityandguilds", "ncfe": "ncfe", "cfa": "cfa"}[next(k for k in ("cg", "ncfe", "cfa") if sys.argv[1].rsplit("/", 1)[1].startswith(k))]
marks = [(m.title, r.get_destination_page_number(m) + 1) for m in r.outline if not isinstance(m, list)]
pages = [("cover", 1), ("contents", 2)]
units = [p for t, p in marks if re.match(r"Unit \S*\d", t)]
if units:
    pages.append(("unit", units[0]))
structure = [p for t, p in marks if t == "Structure"]
if structure:  # the landscape page with the unit table
    table = [i for i in range(structure[0], len(r.pages) + 1) if "Unit title" in r.pages[i - 1].extract_text()]
    pages.append(("structure", table[0] if table else structure[0]))
print(body, " ".join(f"{n}:{p}" for n, p in pages))
EOF
)
  for np in $pages; do
    name="${np%%:*}"; page="${np##*:}"
    pdftoppm -f "$page" -l "$page" -r 50 -png -singlefile "$pdf" "outputs/review/handbook-$body-$name"
    echo "outputs/review/handbook-$body-$name.png (page $page)"
  done
done
