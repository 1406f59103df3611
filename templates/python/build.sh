#!/usr/bin/env bash
# Builds the step into module.wasm: a WASI preview 2 component
# (wasi:cli/command), with componentize-py, which embeds the Python
# interpreter and the standard library modules the step imports.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v componentize-py >/dev/null; then
  echo "build.sh: componentize-py is missing. Install it: pip install componentize-py==0.25.1" >&2
  exit 1
fi

componentize-py --wit-path wit --world step componentize app --output module.wasm >/dev/null
echo "built $(pwd)/module.wasm ($(wc -c < module.wasm) bytes)"
