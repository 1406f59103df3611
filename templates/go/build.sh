#!/usr/bin/env bash
# Builds the step into module.wasm: a wasip1 core module, with Go 1.21 or newer.
set -euo pipefail
cd "$(dirname "$0")"

# Go 1.21 or newer: `go` on the PATH, or Debian's versioned packages.
supports_wasip1() {
  local version
  version=$("$1" env GOVERSION 2>/dev/null) || return 1 # go1.23.5
  [[ "$version" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] >= 21))
}
go=""
for candidate in go /usr/lib/go-1.*/bin/go; do
  if [[ -z "$go" ]] && command -v "$candidate" >/dev/null && supports_wasip1 "$candidate"; then go=$candidate; fi
done
if [[ -z "$go" ]]; then
  echo "build.sh: Go 1.21 or newer (for GOOS=wasip1) is missing. Install it from https://go.dev/dl/," \
    "or on Debian bookworm from bookworm-backports: sudo apt-get install -t bookworm-backports golang-1.23-go" >&2
  exit 1
fi

GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local "$go" build -trimpath -ldflags=-s -o module.wasm .
echo "built $(pwd)/module.wasm ($(wc -c < module.wasm) bytes)"
