#!/usr/bin/env bash
# The benchmarks recorded in docs/benchmarks.md: module sizes and time per
# invocation, then the text modules (json-query on 50 MB, markdown on 5 MB)
# against jq 1.6 and 1.8, cmark-gfm and pandoc. Builds the host optimised
# (`--profile host`); uses binaryen's wasm-opt and Debian's cowsay when they
# are installed (apt-get install binaryen cowsay); the text modules'
# benchmark needs apt-get install jq cmark-gfm pandoc and pip install jq.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 2>/dev/null
cargo build --quiet --profile host -p wasm-workflows-cli --bins --examples
WASM_WORKFLOWS_BIN="${CARGO_TARGET_DIR:-target}/host/wasm-workflows" \
  "${CARGO_TARGET_DIR:-target}/host/examples/benchmark"
WASM_WORKFLOWS_BIN="${CARGO_TARGET_DIR:-target}/host/wasm-workflows" \
  "${CARGO_TARGET_DIR:-target}/host/examples/text_modules"
