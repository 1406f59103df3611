#!/usr/bin/env bash
# The benchmarks recorded in docs/benchmarks.md: module sizes and time per
# invocation, then the text modules (json-query on 50 MB, markdown on 5 MB)
# against jq 1.6 and 1.8, cmark-gfm and pandoc. Builds the host optimised
# (`--profile host`); uses binaryen's wasm-opt and Debian's cowsay when they
# are installed; the text modules' benchmark needs jq, cmark-gfm, pandoc,
# GNU time and Python's jq package (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 wasm32-wasip2 2>/dev/null
cargo build --quiet --profile host -p wasm-workflows-cli -p wasm-workflows-benchmarks --bins
bin="${CARGO_TARGET_DIR:-target}/host"
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/benchmark"
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/text_modules"
