#!/usr/bin/env bash
# Fetches jq's own test files, every file of tests/ of jq 1.8.2 (jq.test,
# man.test, manonig.test, onig.test, base64.test, uri.test, optional.test),
# which json-query's tests (modules/json-query/tests/jq_test_suite.rs and
# program_fuzz.rs) run through the module. They come from PyPI: the source
# distribution of the Python package `jq` 1.13.0 bundles jq 1.8.2's source
# (deps/jq-1.8.2.tar.gz). With them comes tests/modules, the module files
# jq's runner gives jq.test with `-L` (json-query's runner gives them as
# input artifacts below parameter `library`). They are kept outside the repository, in
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
530958297b8eac04093e742756ab0ecd57de4364a38ac69fa7fed693c381ec39  uri.test
7b7313916208fa1da942666fed434b86764e793e2f0bdc958af434bb25c2d9c7  modules/a.jq
ab098816baea1d1c80a461f0e1531badefde8ec3c61b9df9186a4860efee2fcd  modules/b/b.jq
cd046303810732db16a92a41f34d00ff1db7df62a2015fdd4651731e7cb5ba8e  modules/c/c.jq
f1f1e4e99cb7e90e3ede5c213fdc10240ca382c02fc146fc0298b4b4cb91e54c  modules/c/d.jq
163235bbfa8db8e6189207d338976e9c938f0ca463350e03685183a85386d28b  modules/cycle_a.jq
d250d077621822e8816230b8a8a4e4b0c574cbb8c8619ce22fd4bcde38df3e3b  modules/cycle_b.jq
b1f15cc427e16e90538ed34705e4389ca66cb57fb7f34203a17eff8f7b025577  modules/cycle_self.jq
2792ffbd2efa54ed2c0d1fc2d49a15c2c78d66fc327de2c62e5d67517600b512  modules/data.json
9af4419dd48334fece4fffd6e609fa959050dbcb4d0579e6df9d4b433d2dd435  modules/home1/.jq
290ac9ccd65fbc3207f858afcb698b4c03214b6fa53584613f731257aeaed3cd  modules/home2/.jq/g.jq
5a8139806897104ba640598676d1ceca16751c20cb2b470806f6ab58a588724a  modules/lib/jq/e/e.jq
5b17ccce65d6949daca26d51b078106954549830ee346a7d4473ea369218f0e6  modules/lib/jq/f.jq
f81cd9dadecb4261b551897b5fe1928fb8801bd2e9edac87253bc3f96a8cfc1f  modules/shadow1.jq
9ca1a1064b6f2905b8e19982ce5c7d9b8faf550421bc404567fb1ea97021e06e  modules/shadow2.jq
97a34c7388efcdc06458d4170e68f0d5466c5427be5f193f3dbf78ee8a30fc88  modules/syntaxerror/syntaxerror.jq
27e7416b8f1f50b56b40e062c3dadd143dda941ee3c5da87b2225a9c5bf6f0d1  modules/test_bind_order.jq
48bbb068b4be846c573367ff0e6eb877d14bff744888942dd0466ce193b9c495  modules/test_bind_order0.jq
9080d347b1e59e17080169d424468c4e86311b3218c9fbad9a16b848797f8aa5  modules/test_bind_order1.jq
6ba3c7b667796643474ac6f4ec2cb2cd4af6221c3152ea03df9497319cc4153f  modules/test_bind_order2.jq"
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
  mkdir -p "$(dirname "$dest/$file")"
  mv "$work/jq-1.8.2/tests/$file" "$dest/$file"
done
echo "jq's test files: jq 1.8.2's, from PyPI's jq $version, in $dest"
