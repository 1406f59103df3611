#!/usr/bin/env bash
# Installs jaq, the jq clone json-query's engine comes from, as a native
# program: the text_modules benchmark compares json-query in wasm with it.
#
# Idempotent: does nothing when a jaq binary is found (in $JAQ, in the
# install root, or on PATH). A cold install builds it from crates.io.
#
# Environment:
#   JAQ_ROOT  install root (default: cargo's, i.e. ${CARGO_HOME:-~/.cargo});
#             the binary lands in $JAQ_ROOT/bin/jaq
#   JAQ       path of an existing binary to use instead
set -euo pipefail

# The jaq whose crates (jaq-core 3.1.2, jaq-std 3.0.4) the module builds on.
version=3.1.2
root="${JAQ_ROOT:-${CARGO_HOME:-$HOME/.cargo}}"

for candidate in "${JAQ:-}" "$root/bin/jaq" "$(command -v jaq || true)"; do
  if [[ -n "$candidate" && -x "$candidate" ]]; then
    echo "jaq: already installed at $candidate"
    exit 0
  fi
done

echo "jaq: installing $version into $root (cold build from crates.io)"
start=$(date +%s)
cargo install jaq --version "$version" --locked --root "$root"
end=$(date +%s)
echo "jaq: installed $root/bin/jaq in $((end - start)) s"
