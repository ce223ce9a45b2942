#!/usr/bin/env bash
# Headless-browser screenshots of one unit page of each body's handbook, for
# review. Rebuilds the handbooks, then shoots the standalone unit sections
# (handbook/sections/*.html) with Debian's Chromium into outputs/review/.
# Re-run any time:
#   scripts/handbook_images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium for the screenshots" >&2
  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
fi
./dev build --emit handbook -q >/dev/null
mkdir -p outputs/review
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
shot() {  # shot HTML NAME
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --force-device-scale-factor=1 \
    --window-size=860,1200 --screenshot="outputs/review/$2.png" "file://$PWD/$1" >/dev/null 2>&1
  echo "outputs/review/$2.png"
}
shot outputs/cg4411/handbook/sections/unit-101.html handbook-cityandguilds-unit-101
shot "$(ls outputs/ncfe*/handbook/sections/unit-09.html | head -1)" handbook-ncfe-unit-09
shot "$(ls outputs/cfa*/handbook/sections/requirements-recognise_diversity_when_delivering_customer_service.html | head -1)" handbook-cfa-recognise-diversity
