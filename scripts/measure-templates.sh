#!/usr/bin/env bash
# Measures every template as a user meets it: a copy of templates/<lang>
# (without build outputs) built by its build.sh, the size of its module.wasm,
# and runs through `wasm-workflows run`: one with --no-cache (wasmtime
# compiles the module, then runs it) and one from the cache.
# Prints a Markdown table; templates/README.md holds its last result.
#
#   scripts/measure-templates.sh [path/to/wasm-workflows]   (default: target/release/wasm-workflows)
#   LANGUAGES="c go" scripts/measure-templates.sh          (some templates only)
#
# Needs the template toolchains (scripts/setup-templates.sh) and a release
# build of the CLI (cargo build --release -p wasm-workflows-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cli=$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/wasm-workflows}")
[[ -x "$cli" ]] || { echo "measure-templates.sh: no $cli; build it: cargo build --release -p wasm-workflows-cli" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}/templates

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seconds (3 decimals) that the command takes; its output goes to $work/log.
# Exit status 1 is a Failed node, still a run; more is an error.
seconds() {
  local begun=$EPOCHREALTIME status=0
  "$@" >"$work/log" 2>&1 || status=$?
  if ((status > 1)) || { ((status == 1)) && [[ $1 != "$cli" ]]; }; then
    cat "$work/log" >&2
    return 1
  fi
  awk -v end="$EPOCHREALTIME" -v begun="$begun" 'BEGIN { printf "%.3f", end - begun }'
}

echo "| language | module | size (bytes) | build.sh (s) | first run, compile + run (s) | cached run (s) |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for language in ${LANGUAGES:-c zig go assemblyscript rust python javascript}; do
  copy=$work/$language
  mkdir "$copy"
  tar -C "templates/$language" --exclude=module.wasm --exclude=node_modules --exclude=target \
    --exclude=.zig-cache --exclude=zig-out --exclude=__pycache__ -cf - . | tar -C "$copy" -xf -
  if [[ $language == rust ]]; then
    sed -i "s|path = \"[./]*sdk\"|path = \"$root/sdk\"|" "$copy/Cargo.toml"
  fi
  if [[ $language == python || $language == javascript ]]; then
    mkdir "$copy/wit" && cp -r wit/world.wit wit/deps "$copy/wit/" # the world `new` writes
  fi
  build=$(seconds "$copy/build.sh")
  case $(head -c 8 "$copy/module.wasm" | od -An -tx1 | tr -d ' ') in
    0061736d0d000100) kind=component ;;
    *) kind="core module" ;;
  esac
  first=$(seconds "$cli" run --no-cache "$copy/module.wasm" --param name=Argo --param times=3)
  seconds "$cli" run "$copy/module.wasm" >/dev/null # fills the cache
  cached=$(seconds "$cli" run "$copy/module.wasm" --param name=Argo --param times=3)
  echo "| $language | $kind | $(wc -c <"$copy/module.wasm") | $build | $first | $cached |"
done
