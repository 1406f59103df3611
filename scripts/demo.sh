#!/usr/bin/env bash
# Builds ferris-says as it ships (wasm32-wasip1, release) and runs it locally
# exactly as the Argo WASM plugin would. Ferris appears in the module's log
# (stderr); the node's JSON is printed on stdout.
#   scripts/demo.sh ["text for Ferris"] [more `wasm-workflows run` flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 2>/dev/null
text=${1:-Hello World from WebAssembly}
shift || true
bin="${CARGO_TARGET_DIR:-target}/debug/wasm-workflows"
progress=--quiet
if [[ ! -x $bin ]]; then
  echo "demo: the first run builds wasm-workflows, and with it wasmtime: about ten minutes on two cores." >&2
  progress=
fi
cargo build $progress --release --target wasm32-wasip1 -p ferris-says
cargo build $progress -p wasm-workflows-cli --bin wasm-workflows
"$bin" run "${CARGO_TARGET_DIR:-target}/wasm32-wasip1/release/ferris-says.wasm" --param text="$text" "$@"
