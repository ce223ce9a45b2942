#!/usr/bin/env bash
# Review images of the recording forms: page 1 of one form of each kind per
# awarding body (and the page a rule of the form is most likely to break on,
# for the unit packs), rendered with pdftoppm into outputs/review/.
# The forms are built into a scratch folder, so outputs/ snapshots are not
# touched. Re-run any time:
#   scripts/form_images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pdftoppm >/dev/null; then
  echo "installing poppler-utils for pdftoppm" >&2
  (apt-get update -qq && apt-get install -y -qq poppler-utils) >/dev/null
fi
SPECC=.venv/bin/specc
[ -x "$SPECC" ] || ./dev setup >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$SPECC" build specs --emit forms -o "$tmp" -q
mkdir -p outputs/review
rm -f outputs/review/forms-*.png
shot() {  # shot PDF PAGE NAME
  pdftoppm -f "$2" -l "$2" -r 50 -png -singlefile "$1" "outputs/review/$3"
  echo "outputs/review/$3.png"
}
cg="$tmp/cg4411/forms"
shot "$cg/general/candidate-and-centre-details.pdf" 1 forms-cityandguilds-candidate-and-centre-details
shot "$cg/general/expert-witness-status-list.pdf" 1 forms-cityandguilds-expert-witness-status-list
shot "$cg/general/assessment-plan-review-and-feedback.pdf" 1 forms-cityandguilds-assessment-plan
shot "$cg/qualifications/achievement-summary-4411-30.pdf" 1 forms-cityandguilds-achievement-summary
shot "$cg/units/unit-101.pdf" 1 forms-cityandguilds-unit-101
shot "$cg/units/unit-101.pdf" 2 forms-cityandguilds-unit-101-page-2
for kind in observation-record witness-testimony candidate-statement professional-discussion-record questioning-record; do
  shot "$cg/evidence-records/unit-101-$kind.pdf" 1 "forms-cityandguilds-$kind"
done
nc=$(ls -d "$tmp"/ncfe*/forms | head -1)
shot "$(ls "$nc"/qualifications/assessment-tracking-sheet-*.pdf | head -1)" 1 forms-ncfe-assessment-tracking-sheet
shot "$nc/units/unit-09-letl.pdf" 1 forms-ncfe-unit-09
shot "$nc/units/unit-09-letl.pdf" 3 forms-ncfe-unit-09-page-3
for kind in observation-record witness-testimony learner-report professional-discussion-record questioning-record; do
  shot "$nc/evidence-records/unit-09-$kind.pdf" 1 "forms-ncfe-$kind"
done
cf=$(ls -d "$tmp"/cfa*/forms | head -1)
shot "$cf/requirements/range-checklist-recognise_diversity_when_delivering_customer_service.pdf" 1 forms-cfa-recognise-diversity
