#!/usr/bin/env bash
# Builds the step into module.wasm: a wasm32-wasi (preview 1) core module,
# with Zig 0.17 (its `zig` command, or the `ziglang` Python package).
set -euo pipefail
cd "$(dirname "$0")"

if command -v zig >/dev/null; then
  zig=(zig)
elif python3 -c 'import ziglang' 2>/dev/null; then
  zig=(python3 -m ziglang)
else
  echo "build.sh: Zig is missing. Install Zig 0.17: pip install ziglang==0.17.0 (or from https://ziglang.org/download/)" >&2
  exit 1
fi
version=$("${zig[@]}" version)
if [[ "$version" != 0.17.* ]]; then
  echo "build.sh: this step is written for Zig 0.17, but ${zig[*]} is $version. Install it: pip install ziglang==0.17.0" >&2
  exit 1
fi

# Linking wasi-libc gives its start code, which returns from _start when main
# succeeds: the Argo WASM plugin fails a module that calls proc_exit.
"${zig[@]}" build-exe src/main.zig -target wasm32-wasi -O ReleaseSmall -lc -fstrip --name module
rm -f module.wasm.o
echo "built $(pwd)/module.wasm ($(wc -c < module.wasm) bytes)"
