#!/usr/bin/env bash
# The whole suite: format + lint, type check, then every test file under Node 24's test runner.
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

echo "== lint and format (biome)"
biome ci --colors=off .
echo "== type check (tsc)"
tsc -p .
echo "== Kubernetes binaries (built once into the cache, then reused)"
bash scripts/kube-binaries.sh >/dev/null
echo "== tests ($(node --version))"
node --import tsx --test --test-reporter=spec --test-timeout=600000 \
  'crds/test/**/*.test.ts' 'ingest-pod/test/**/*.test.ts' 'operator/test/**/*.test.ts' 'runtime/test/**/*.test.ts' 'test/**/*.test.ts' 'tools/**/*.test.ts'
