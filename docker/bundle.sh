#!/usr/bin/env bash
# Bundles one entry point into a single ES module for an image: our TypeScript (every workspace
# it imports) goes in, transpiled; third-party packages stay external and load from node_modules.
#
#   bash docker/bundle.sh <entry.ts> <out.mjs> <workspace>...
#
# The workspaces listed are those whose dependencies must stay external (the entry's own and the
# ones it imports). With none listed, third-party packages are bundled too, tree-shaken, and the
# image needs no node_modules: the ingest image does this, because loading hundreds of small
# package files cost each pod about 12 MB of memory. A source map lands next to the bundle.
# koffi is always external: its native binary comes from an optional dependency
# (@koromix/koffi-<platform>) found at run time, so the image ships both packages in node_modules.
# The pod loads it only when it opens its first SRT socket.
set -euo pipefail
cd "$(dirname "$0")/.."

entry=$1 out=$2
shift 2

# --external:<name> for every third-party dependency; subpaths (typebox/value) follow their package.
mapfile -t externals < <(node -e '
  const names = new Set();
  for (const ws of process.argv.slice(1)) {
    const deps = require(`./${ws}/package.json`).dependencies ?? {};
    for (const name of Object.keys(deps)) if (!name.startsWith("@tributary/")) names.add(name);
  }
  for (const name of [...names].sort()) console.log(`--external:${name}`);
' "$@")

# Bundled CommonJS packages require() Node's built-in modules, which an ES module has to provide.
inline=()
if [ "$#" -eq 0 ]; then
  inline=("--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);")
fi

# Code splitting: what an entry loads with import() (the push-listener in the ingest image) lands
# in its own chunk next to the bundle, so processes that never run it never parse it.
node_modules/.bin/esbuild "$entry" --bundle --platform=node --format=esm --target=node24 \
  --sourcemap --log-level=warning --splitting --outdir="$(dirname "$out")" \
  --entry-names="$(basename "$out" .mjs)" --chunk-names='chunks/[name]-[hash]' --out-extension:.js=.mjs \
  --external:koffi "${externals[@]}" "${inline[@]}"

# V8 holds each module's source in memory, at one byte a character only while every character is
# Latin-1: one em dash in a library's comment doubles the chunk. \uXXXX means the same character in
# strings, regular expressions, templates and identifiers, and nothing in a comment.
node -e '
  const fs = require("node:fs");
  const path = require("node:path");
  const wide = /[\u0100-\uffff]/;
  const escape = (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  for (const file of fs.readdirSync(process.argv[1], { recursive: true })) {
    if (!file.endsWith(".mjs")) continue;
    const full = path.join(process.argv[1], file);
    const text = fs.readFileSync(full, "utf8");
    if (wide.test(text)) fs.writeFileSync(full, text.replace(new RegExp(wide, "g"), escape));
  }
' "$(dirname "$out")"

