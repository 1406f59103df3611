#!/usr/bin/env bash
# Installs the toolchain of every template in templates/ (what their build.sh
# needs, and so cli/tests/templates.rs), skipping what is already there:
#   C               clang, lld, wasi-libc, compiler-rt for wasm32 (apt)
#   Go              golang-1.23-go (apt, bookworm-backports)
#   Zig             ziglang 0.17 (pip)
#   Python          componentize-py (pip)
#   AssemblyScript  assemblyscript, wasi-shim, json-as (npm cache, from the template's lock file)
#   JavaScript      componentize-js (npm cache, from the template's lock file)
# For Debian bookworm, run as root (CI) or with sudo. apt, pip and npm run in
# parallel, quietly; a failure prints that installer's log. Node.js 20 and
# Python 3 with pip must already be there.
set -euo pipefail
cd "$(dirname "$0")/.."

ZIGLANG=0.17.0
COMPONENTIZE_PY=0.25.1
GO_PACKAGE=golang-1.23-go

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
sudo=()
if ((EUID != 0)); then sudo=(sudo); fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

have_go() {
  local go version
  for go in go /usr/lib/go-1.*/bin/go; do
    version=$("$go" env GOVERSION 2>/dev/null) || continue
    [[ "$version" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] >= 21)) && return 0
  done
  return 1
}

install_apt() {
  local packages=() package
  for package in clang lld wasi-libc libclang-rt-dev-wasm32; do
    installed "$package" || packages+=("$package")
  done
  if ! have_go; then
    packages+=("$GO_PACKAGE")
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
        'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
        "${sudo[@]}" tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
    fi
  fi
  ((${#packages[@]})) || return 0
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq)
  "${apt[@]}" update
  "${apt[@]}" install -y --no-install-recommends "${packages[@]}"
}

install_pip() {
  local packages=()
  [[ "$(python3 -c 'import ziglang, importlib.metadata as m; print(m.version("ziglang"))' 2>/dev/null)" == "$ZIGLANG" ]] ||
    packages+=("ziglang==$ZIGLANG")
  [[ "$(componentize-py --version 2>/dev/null)" == "componentize-py $COMPONENTIZE_PY" ]] ||
    packages+=("componentize-py==$COMPONENTIZE_PY")
  ((${#packages[@]})) || return 0
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${packages[@]}"
}

# Fills npm's cache with every package of each template's lock file, so that
# a copy's build.sh (`npm install --prefer-offline`) needs no network. A stamp
# in the cache, named after the lock file's hash, says it was done.
install_npm() {
  local cache template
  cache=$(npm config get cache 2>/dev/null)/_wasm-workflows-templates
  for template in assemblyscript javascript; do
    warm_npm_cache "$cache" "templates/$template" &
  done
  wait -n && wait -n
}

warm_npm_cache() {
  local stamp work
  stamp=$1/$(cat "$2/package.json" "$2/package-lock.json" | sha256sum | cut -c1-16)
  [[ -f "$stamp" ]] && return 0
  work=$(mktemp -d)
  cp "$2/package.json" "$2/package-lock.json" "$work/"
  (cd "$work" && npm install --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error)
  rm -rf "$work"
  mkdir -p "$1" && touch "$stamp"
}

# Runs installer $1 in the background, its output in a log, its time noted.
start() {
  (
    local begun=$SECONDS
    "install_$1" >"$logs/$1" 2>&1
    echo "$1 $((SECONDS - begun)) s" >"$logs/$1.time"
  ) &
  jobs_started+=("$1:$!")
}

started=$SECONDS
jobs_started=()
start apt
start pip
start npm

failed=0
for job in "${jobs_started[@]}"; do
  if ! wait "${job#*:}"; then
    echo "setup-templates.sh: the ${job%%:*} installs failed:" >&2
    cat "$logs/${job%%:*}" >&2
    failed=1
  fi
done
((failed == 0)) || exit 1
echo "template toolchains ready in $((SECONDS - started)) s ($(cat "$logs"/*.time | paste -sd, - | sed 's/,/, /g'))"
