#!/usr/bin/env bash
# Builds the step into module.wasm (wasm32-wasip1, what the Argo WASM plugin runs).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --target wasm32-wasip1
cp "${CARGO_TARGET_DIR:-target}/wasm32-wasip1/release/workflow-step.wasm" module.wasm
echo "built $(pwd)/module.wasm ($(wc -c < module.wasm) bytes)"
