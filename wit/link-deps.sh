#!/usr/bin/env bash
# Links the standard WASI packages that world.wit includes into wit/deps/,
# from the `wasip2` crate that generates the SDK's wasip2 bindings (so the
# WIT and the bindings are always the same version). Needs `cargo fetch`.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=$(cargo metadata --format-version 1 | python3 -c '
import json, sys
packages = json.load(sys.stdin)["packages"]
print(next(p["manifest_path"] for p in packages if p["name"] == "wasip2"))')
mkdir -p wit/deps
for wit in "$(dirname "$manifest")"/wit/deps/*.wit; do
  ln -sf "$wit" "wit/deps/$(basename "$wit")"
done
echo "linked $(ls wit/deps | wc -l) WASI packages into wit/deps/ from $(dirname "$manifest")"
