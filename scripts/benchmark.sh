#!/usr/bin/env bash
# The benchmark recorded in docs/benchmarks.md: module sizes and time per
# invocation. Builds the host optimised (`--profile host`); uses binaryen's
# wasm-opt and Debian's cowsay when they are installed
# (apt-get install binaryen cowsay).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 2>/dev/null
cargo build --quiet --profile host -p wasm-workflows-cli --bins --examples
WASM_WORKFLOWS_BIN="${CARGO_TARGET_DIR:-target}/host/wasm-workflows" \
  "${CARGO_TARGET_DIR:-target}/host/examples/benchmark"
