#!/usr/bin/env bash
# Every check and test: formatting, lints (host and wasm targets), docs, unit
# and doc tests, the macro's compile-error cases, and every module built for wasm
# and run in wasmtime as the Argo WASM plugin would run it.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 wasm32-wasip2 2>/dev/null
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
for target in wasm32-wasip1 wasm32-wasip2; do
  cargo clippy --target "$target" -p wasm-workflows-sdk -p ferris-says -p http-request -p sdk-probe -- -D warnings
done
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p wasm-workflows-sdk -p wasm-workflows-macros -p wasm-workflows-cli
cargo test --workspace
