#!/usr/bin/env bash
# Builds the step into module.wasm: a WASI preview 2 component
# (wasi:cli/command), with ComponentizeJS (an npm devDependency), which
# embeds the SpiderMonkey JavaScript engine.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null || (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
  echo "build.sh: Node.js 20 or newer with npm is missing. Install it: https://nodejs.org/en/download (on Debian or Ubuntu: sudo apt-get install nodejs npm)" >&2
  exit 1
fi
# The compiler and libraries are the devDependencies of package.json, at the
# versions package-lock.json records.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm install --prefer-offline --no-audit --no-fund --loglevel=error
fi

npx --no-install componentize-js app.js --wit wit --world-name step --out module.wasm
echo "built $(pwd)/module.wasm ($(wc -c < module.wasm) bytes)"
