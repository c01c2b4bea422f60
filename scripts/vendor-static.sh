#!/bin/sh
# Copy the front-end libraries pinned in package.json / package-lock.json into core/static/vendor,
# with their licences. The copies are committed, so a clone runs without npm; run this (or
# `make vendor`) only after changing a version in package.json.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts
mkdir -p core/static/vendor
# Chart.js's UMD build (it bundles @kurkle/color, MIT as well); the source-map comment is
# dropped because the map is not shipped.
sed '/^\/\/# sourceMappingURL=/d' node_modules/chart.js/dist/chart.umd.min.js > core/static/vendor/chart.umd.min.js
cp node_modules/chart.js/LICENSE.md core/static/vendor/chart.js-LICENSE.md
cp node_modules/@kurkle/color/LICENSE.md core/static/vendor/kurkle-color-LICENSE.md
echo "core/static/vendor: chart.js $(node -p 'require("./node_modules/chart.js/package.json").version')"
