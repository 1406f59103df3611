#!/usr/bin/env bash
# The benchmarks recorded in docs/benchmarks.md: module sizes, time per
# invocation, and image-processor's speed and memory. Builds the host
# optimised (`--profile host`); uses binaryen's wasm-opt and Debian's cowsay when they are installed
# (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 wasm32-wasip2 2>/dev/null
cargo build --quiet --profile host -p wasm-workflows-cli -p wasm-workflows-benchmarks --bins
bin="${CARGO_TARGET_DIR:-target}/host"
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/benchmark"
# image-processor against ImageMagick and libvips (imagemagick, libvips-tools, time)
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/image_processor_benchmark"
