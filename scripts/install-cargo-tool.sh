#!/usr/bin/env bash
# Installs a program from crates.io with `cargo install`, unless a binary
# of it is already found: EXISTING (if set), ROOT/bin/NAME, or NAME on
# PATH. A cold install builds it and reports how long that took. Used by
# setup-s3.sh and setup-jaq.sh.
#
# Usage: install-cargo-tool.sh NAME VERSION ROOT EXISTING [CARGO_INSTALL_FLAG...]
#   NAME      the crate, and its binary
#   VERSION   the version to install
#   ROOT      the install root: the binary lands in ROOT/bin/NAME
#   EXISTING  the path of a binary to use instead (may be empty)
set -euo pipefail
name=$1 version=$2 root=$3 existing=$4
shift 4

for candidate in "$existing" "$root/bin/$name" "$(command -v "$name" || true)"; do
  if [[ -n "$candidate" && -x "$candidate" ]]; then
    echo "$name: already installed at $candidate"
    exit 0
  fi
done

echo "$name: installing $version into $root (cold build from crates.io)"
start=$(date +%s)
cargo install "$name" --version "$version" --locked --root "$root" "$@"
end=$(date +%s)
echo "$name: installed $root/bin/$name in $((end - start)) s"
