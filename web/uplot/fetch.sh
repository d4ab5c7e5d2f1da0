#!/usr/bin/env bash
# Fetches uPlot's browser build from the npm registry into this folder, for go:embed (see
# ../embed.go): the dashboard and the HTML report inline it, so nothing is fetched at run time.
#   web/uplot/fetch.sh            # the version in VERSION
#   web/uplot/fetch.sh 1.6.33     # another version (then commit the four files)
# Also: make web-assets.
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-$(cat VERSION)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$version" >/dev/null)
tar -xzf "$tmp"/uplot-"$version".tgz -C "$tmp"
cp "$tmp/package/dist/uPlot.iife.min.js" uPlot.iife.min.js
cp "$tmp/package/dist/uPlot.min.css" uPlot.min.css
cp "$tmp/package/LICENSE" LICENSE
echo "$version" > VERSION
echo "uPlot $version: $(wc -c < uPlot.iife.min.js) bytes of JS, $(wc -c < uPlot.min.css) of CSS"
