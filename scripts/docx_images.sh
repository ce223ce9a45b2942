#!/usr/bin/env bash
# Review images of the DOCX recording forms as a word processor prints them:
# the DOCX forms are built into a scratch folder (outputs/ snapshots are not
# touched), converted to PDF by LibreOffice Writer (headless, a private
# profile) and one page each is rendered with pdftoppm into
# outputs/review/docx-*.png: a City & Guilds unit pack (the performance
# evidence record page), an evidence record (tick boxes, the 60 mm summary
# box) and the NCFE tracking sheet (A4 landscape). Re-run any time:
#   scripts/docx_images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
need() {  # need COMMAND DEBIAN-PACKAGE
  if ! command -v "$1" >/dev/null; then
    echo "installing $2 for $1" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2") >/dev/null
  fi
}
need pdftoppm poppler-utils
need soffice libreoffice-writer-nogui
SPECC=.venv/bin/specc
[ -x "$SPECC" ] || ./dev setup >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$SPECC" build specs --emit forms --option formats=docx -o "$tmp/out" -q
cg="$tmp/out/cg4411/forms"
nc=$(ls -d "$tmp"/out/ncfe*/forms | head -1)
docs=("$cg/units/unit-101.docx" "$cg/evidence-records/unit-101-professional-discussion-record.docx" "$(ls "$nc"/qualifications/assessment-tracking-sheet-*.docx | head -1)")
# the shipped house font, whatever this machine has installed
printf '<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>%s</dir><cachedir>%s</cachedir></fontconfig>\n' \
  "$PWD/plugins/fonts" "$tmp/fontcache" >"$tmp/fonts.conf"
FONTCONFIG_FILE="$tmp/fonts.conf" timeout 300 soffice "-env:UserInstallation=file://$tmp/profile" --headless --norestore --convert-to pdf --outdir "$tmp/pdf" "${docs[@]}" >/dev/null 2>&1
mkdir -p outputs/review
rm -f outputs/review/docx-*.png
shot() {  # shot PDF PAGE NAME
  pdftoppm -f "$2" -l "$2" -r 60 -png -singlefile "$1" "outputs/review/$3"
  echo "outputs/review/$3.png"
}
shot "$tmp/pdf/unit-101.pdf" 2 docx-cityandguilds-unit-101-page-2
shot "$tmp/pdf/unit-101-professional-discussion-record.pdf" 1 docx-cityandguilds-professional-discussion-record
shot "$tmp/pdf/$(basename "${docs[2]}" .docx).pdf" 1 docx-ncfe-assessment-tracking-sheet
