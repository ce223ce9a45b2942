#!/usr/bin/env bash
# Page images of one recording form per awarding body, for review.
# Rebuilds the forms, then renders page 1 (or the page given) of each chosen
# form with pdftoppm into outputs/review/. Re-run any time:
#   scripts/form_images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pdftoppm >/dev/null; then
  echo "installing poppler-utils for pdftoppm" >&2
  (apt-get update -qq && apt-get install -y -qq poppler-utils) >/dev/null
fi
./dev build --emit forms -q
mkdir -p outputs/review
shot() {  # shot PDF PAGE NAME
  pdftoppm -f "$2" -l "$2" -r 60 -png -singlefile "$1" "outputs/review/$3"
  echo "outputs/review/$3.png"
}
shot outputs/cg4411/forms/units/unit-101.pdf 2 forms-cityandguilds-unit-101
shot "$(ls outputs/ncfe*/forms/units/unit-09-letl.pdf | head -1)" 1 forms-ncfe-unit-09
shot "$(ls outputs/cfa*/forms/requirements/range-checklist-recognise_diversity_when_delivering_customer_service.pdf | head -1)" 1 forms-cfa-recognise-diversity
