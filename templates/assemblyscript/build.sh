#!/usr/bin/env bash
# Builds the step into module.wasm: a wasm32-wasi (preview 1) core module,
# with the AssemblyScript compiler and its WASI shim (npm devDependencies).
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

# json-as's default (SWAR) string writer garbles some characters beyond the
# Basic Multilingual Plane, such as emoji; its plain ("naive") one does not.
JSON_MODE=naive npx --no-install asc assembly/main.ts --target release
echo "built $(pwd)/module.wasm ($(wc -c < module.wasm) bytes)"
