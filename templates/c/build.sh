#!/usr/bin/env bash
# Builds the step into module.wasm: a wasm32-wasi (preview 1) core module.
# Needs clang, lld and wasi-libc (any clang with a WASI sysroot will do: set
# CC and, for wasi-sdk, WASI_SYSROOT).
set -euo pipefail
cd "$(dirname "$0")"

CC=${CC:-clang}
CFLAGS=(--target=wasm32-wasi -Oz -flto -Wall -Wextra)
if [[ -n "${WASI_SYSROOT:-}" ]]; then CFLAGS+=(--sysroot="$WASI_SYSROOT"); fi
install="on Debian or Ubuntu: sudo apt-get install clang lld wasi-libc libclang-rt-dev-wasm32; elsewhere: wasi-sdk (https://github.com/WebAssembly/wasi-sdk), with CC=<wasi-sdk>/bin/clang"
missing() {
  echo "build.sh: $1 is missing. Install it, $install" >&2
  exit 1
}
command -v "$CC" >/dev/null || missing "the C compiler $CC"
[[ "$CC" != clang ]] || command -v wasm-ld >/dev/null || missing "the WebAssembly linker wasm-ld (lld)"
echo '#include <stdio.h>' | "$CC" "${CFLAGS[@]}" -E -x c - >/dev/null 2>&1 || missing "the WASI C library (wasi-libc)"
[[ -f "$("$CC" "${CFLAGS[@]}" -print-libgcc-file-name)" ]] || missing "the wasm32 compiler runtime (libclang_rt.builtins-wasm32.a)"

"$CC" "${CFLAGS[@]}" -Wl,--strip-all -o module.wasm main.c cjson/cJSON.c
echo "built $(pwd)/module.wasm ($(wc -c < module.wasm) bytes)"
