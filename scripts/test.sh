#!/usr/bin/env bash
# Every check and test: the repository is self-contained, formatting, lints
# (host and wasm targets), docs, unit and doc tests, the macro's
# compile-error cases, every module built for wasm and run in wasmtime as the
# Argo WASM plugin would run it, the templates built with their toolchains,
# publishing to a local registry, and the plugin host (`serve`).
#
# It first installs what the tests use (scripts/setup.sh, in the background
# while cargo builds). The first run on two idle cores takes about 40
# minutes: checks, lints and building the tests (about 21, most of it
# wasmtime), the tests themselves (about 16), packaging the crates (3); later
# runs skip the installs and builds (about 18 minutes). README.md gives the
# measurements.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-self-contained.sh

# The rust pieces every step below needs come first; the rest installs while cargo builds.
rustup target add wasm32-wasip1 wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip1 wasm32-wasip2
rustup component add rustfmt clippy >/dev/null 2>&1 || rustup component add rustfmt clippy

mkdir -p "${CARGO_TARGET_DIR:-target}"
# A cold build and the tests write about 9 GB there (more when other
# branches or profiles share it); a full disk shows up later as failures
# that do not say so.
free_kb=$(df -Pk "${CARGO_TARGET_DIR:-target}" | awk 'NR == 2 { print $4 }')
if [[ "${free_kb:-0}" -lt $((12 * 1024 * 1024)) ]]; then
  echo "warning: only $((free_kb / 1024 / 1024)) GB free for ${CARGO_TARGET_DIR:-target}; a cold build needs about 9 GB and a full disk fails tests in ways that do not say so" >&2
fi
setup_log="${CARGO_TARGET_DIR:-target}/setup.log"
scripts/setup.sh >"$setup_log" 2>&1 &
setup=$!

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
wasm_packages=(-p wasm-workflows-sdk -p sdk-probe -p ferris-says -p http-request -p text2qr -p markdown -p json-query
  -p image-processor -p sql -p example-typed-step -p example-artifacts -p example-streaming-http -p example-json-api
  -p example-plugin-options -p example-tested-step -p template)
# modules/sql compiles C for wasm: wait until setup.sh has installed clang and wasi-libc (its first step).
until { command -v clang && [[ -e /usr/include/wasm32-wasi/stdio.h ]]; } >/dev/null || ! kill -0 "$setup" 2>/dev/null; do sleep 2; done
for target in wasm32-wasip1 wasm32-wasip2; do
  cargo clippy --target "$target" "${wasm_packages[@]}" -- -D warnings
done
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p wasm-workflows-sdk -p wasm-workflows-macros -p wasm-workflows-cli
cargo test --workspace --no-run

if ! wait "$setup"; then
  cat "$setup_log" >&2
  echo "error: scripts/setup.sh failed (its log is above)" >&2
  exit 1
fi
# --no-fail-fast: one failing test binary must not hide the others.
cargo test --workspace --no-fail-fast
# The release: workflows, Dockerfile, and every crate packaged and verified
# by building it from its .crate (scripts/check-release.sh says the cost).
scripts/check-release.sh
