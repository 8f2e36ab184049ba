#!/bin/sh
# Lints the OpenAPI document the gateway generates from its route table with
# Redocly CLI's recommended rules. Needs Go, and Node.js 20 or later with npm
# (npx fetches the pinned CLI the first time). Exits non-zero on any error;
# warnings are printed and counted, not fatal.
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The test that validates the served document writes it where asked.
QC_OPENAPI_OUT="$dir/openapi.json" go test -count=1 -run '^TestOpenAPIDocumentValidates$' ./gateway/httpapi >/dev/null
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  npx --yes @redocly/cli@2.77.0 lint "$dir/openapi.json" --format summary
