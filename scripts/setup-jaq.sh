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
exec "$(dirname "$0")/install-cargo-tool.sh" jaq "$version" "${JAQ_ROOT:-${CARGO_HOME:-$HOME/.cargo}}" "${JAQ:-}"
