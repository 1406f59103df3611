#!/usr/bin/env bash
# Installs s3s-fs, the S3-compatible server (a directory served over the S3
# API) that the artifact-repository tests start on a loopback port.
#
# Idempotent: does nothing when an s3s-fs binary is already found (in
# $S3S_FS, in the install root, or on PATH). A cold install builds it from
# crates.io with cargo and reports how long that took.
#
# Environment:
#   S3S_FS_ROOT   install root (default: cargo's, i.e. ${CARGO_HOME:-~/.cargo});
#                 the binary lands in $S3S_FS_ROOT/bin/s3s-fs
#   S3S_FS        path of an existing binary to use instead
#
# The tests find the binary through $S3S_FS or PATH; when S3S_FS_ROOT is not
# on PATH, export S3S_FS="$S3S_FS_ROOT/bin/s3s-fs".
set -euo pipefail

# 0.14.1 is the newest s3s-fs whose dependencies build with Rust 1.95.
version=0.14.1
exec "$(dirname "$0")/install-cargo-tool.sh" s3s-fs "$version" "${S3S_FS_ROOT:-${CARGO_HOME:-$HOME/.cargo}}" "${S3S_FS:-}" \
  --features binary
