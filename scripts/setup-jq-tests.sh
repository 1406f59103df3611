#!/usr/bin/env bash
# Fetches jq's own test file, tests/jq.test of jq 1.8.2, which json-query's
# test modules/json-query/tests/jq_test_suite.rs runs through the module.
# It comes from PyPI: the source distribution of the Python package `jq`
# 1.13.0 bundles jq 1.8.2's source (deps/jq-1.8.2.tar.gz). The file is kept
# outside the repository, in $JQ_TEST_SUITE_DIR (default:
# ${CARGO_TARGET_DIR:-target}/jq-test-suite); nothing is done when it is
# there. Its SHA-256 is checked, so the test always runs the same blocks.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.13.0
sha256=329689763b651096989bd8260b643731083fc5fd17f6bd7834d158713f738cbd
dest="${JQ_TEST_SUITE_DIR:-${CARGO_TARGET_DIR:-target}/jq-test-suite}"

if [[ -f "$dest/jq.test" ]] && echo "$sha256  $dest/jq.test" | sha256sum --check --status; then
  echo "jq.test: already in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: "jq==$version" -d "$work"
tar -xzf "$work/jq-$version.tar.gz" -C "$work" "jq-$version/deps/jq-1.8.2.tar.gz"
tar -xzf "$work/jq-$version/deps/jq-1.8.2.tar.gz" -C "$work" jq-1.8.2/tests/jq.test
echo "$sha256  $work/jq-1.8.2/tests/jq.test" | sha256sum --check --status ||
  { echo "setup-jq-tests.sh: jq.test of PyPI's jq $version is not the expected file" >&2; exit 1; }
mkdir -p "$dest"
mv "$work/jq-1.8.2/tests/jq.test" "$dest/jq.test"
echo "jq.test: jq 1.8.2's, from PyPI's jq $version, in $dest"
