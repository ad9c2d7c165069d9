#!/usr/bin/env bash
# Build the GOV.UK Frontend assets served by the portal.
#
#   frontend/build.sh
#
# Installs the pinned npm packages (npm ci), compiles main.scss and copies the
# JavaScript and assets into portal/static/govuk/. The output is committed, so
# running and testing the portal need no Node. Writes only:
#   portal/static/govuk/govuk-frontend.min.css   (compressed, no source map)
#   portal/static/govuk/govuk-frontend.min.js    (ES module, call initAll())
#   portal/static/govuk/assets/{images/,manifest.json}
# (portal/static/govuk/init.js is hand-written source and is left alone.)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(cd "$here/.." && pwd)/portal/static/govuk"
pkg="$here/node_modules/govuk-frontend/dist/govuk"

cd "$here"
# --ignore-scripts: sass is pure JavaScript; its optional @parcel/watcher (only
# for --watch) need not build anything.
npm ci --no-audit --no-fund --ignore-scripts

mkdir -p "$out"
rm -f "$out/govuk-frontend.min.css" "$out/govuk-frontend.min.js"
rm -rf "$out/assets"

npx --no-install sass --pkg-importer=node --style=compressed --no-source-map \
  main.scss "$out/govuk-frontend.min.css"

# The ES module, without the pointer to a source map we do not ship
sed -e 's|//# sourceMappingURL=[^ ]*$||' "$pkg/govuk-frontend.min.js" > "$out/govuk-frontend.min.js"

# Images (the footer CSS references govuk-crest.svg) and the manifest; fonts are
# not needed because the service uses Arial.
mkdir -p "$out/assets"
cp -R "$pkg/assets/images" "$out/assets/images"
cp "$pkg/assets/manifest.json" "$out/assets/manifest.json"

echo "Built GOV.UK Frontend $(node -p "require('govuk-frontend/package.json').version") into $out:"
du -ab "$out" | sort -k2
