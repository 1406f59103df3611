#!/usr/bin/env bash
# Fetches jq's own test files, every file of tests/ of jq 1.8.2 (jq.test,
# man.test, manonig.test, onig.test, base64.test, uri.test, optional.test),
# which json-query's tests (modules/json-query/tests/jq_test_suite.rs and
# program_fuzz.rs) run through the module. They come from PyPI: the source
# distribution of the Python package `jq` 1.13.0 bundles jq 1.8.2's source
# (deps/jq-1.8.2.tar.gz). They are kept outside the repository, in
# $JQ_TEST_SUITE_DIR (default: ${CARGO_TARGET_DIR:-target}/jq-test-suite);
# nothing is done when they are there. Their SHA-256 sums are checked, so
# the tests always run the same blocks.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.13.0
sums="aec7a4812b4bdf937e77ba1261c5d51ece66308258d60ca2227b209a4398a64d  base64.test
329689763b651096989bd8260b643731083fc5fd17f6bd7834d158713f738cbd  jq.test
3c25698e94d5199c75b784cc361cda9c6775389eb61f8f4fb05fde1a757ae3f9  man.test
62738dd27ce0dbc4f21296e48270f20024274631cae4b9ffe85a0eecaa53af7f  manonig.test
e82dab356709d4a5e4dfd8c71aced12ed1f42eb23208bac0eaf5e3f05bedef05  onig.test
06d7249e3d9e09d572995e66276cd65f2da6f907a15e2f9cb012e672598ac5b9  optional.test
530958297b8eac04093e742756ab0ecd57de4364a38ac69fa7fed693c381ec39  uri.test"
dest="${JQ_TEST_SUITE_DIR:-${CARGO_TARGET_DIR:-target}/jq-test-suite}"

if [[ -d "$dest" ]] && (cd "$dest" && echo "$sums" | sha256sum --check --status 2>/dev/null); then
  echo "jq's test files: already in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: "jq==$version" -d "$work"
tar -xzf "$work/jq-$version.tar.gz" -C "$work" "jq-$version/deps/jq-1.8.2.tar.gz"
tar -xzf "$work/jq-$version/deps/jq-1.8.2.tar.gz" -C "$work" jq-1.8.2/tests
(cd "$work/jq-1.8.2/tests" && echo "$sums" | sha256sum --check --status) ||
  { echo "setup-jq-tests.sh: the test files of PyPI's jq $version are not the expected ones" >&2; exit 1; }
mkdir -p "$dest"
for file in $(echo "$sums" | awk '{print $2}'); do
  mv "$work/jq-1.8.2/tests/$file" "$dest/$file"
done
echo "jq's test files: jq 1.8.2's, from PyPI's jq $version, in $dest"
