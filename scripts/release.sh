#!/usr/bin/env bash
# Builds every module of modules/ as it ships, into dist/: NAME.wasm (a core
# module, wasm32-wasip1: what the original Argo WASM plugin runs) and
# NAME-wasip2.wasm (a component: for `wasm-workflows serve` and other
# wasi:http hosts), with dist/index.json (name, target, layout, bytes,
# sha256, OCI reference). Given a registry prefix, pushes them all: the p1
# build under the plain tag (wasm-to-oci, what the original plugin pulls)
# and under TAG-wasm-artifact (the CNCF layout, what containerd's runwasi
# shims run), the component under TAG-wasip2 (CNCF layout).
#
#   scripts/release.sh                                  # build dist/ only
#   scripts/release.sh ghcr.io/wasm-workflows [TAG]     # and push (TAG: the workspace version)
#
# Pushing uses `wasm-workflows push` (credentials from `docker login`);
# SOURCE_DATE_EPOCH, if set, fixes the images' time (default: the last
# commit's). DIST_DIR writes somewhere else than dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-}
command -v jq >/dev/null || { echo "release.sh: jq is missing (apt-get install jq)" >&2; exit 1; }
rustup target add wasm32-wasip1 wasm32-wasip2 >/dev/null 2>&1 || true

metadata=$(cargo metadata --format-version 1 --no-deps)
version=$(jq -r '.packages[] | select(.name == "wasm-workflows-cli") | .version' <<<"$metadata")
tag=${2:-$version}
repository=$(jq -r '.packages[] | select(.name == "wasm-workflows-cli") | .repository' <<<"$metadata")
target_dir=$(jq -r '.target_directory' <<<"$metadata")
mapfile -t modules < <(jq -r '.packages[] | select(.manifest_path | contains("/modules/")) | .name' <<<"$metadata" | sort)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

packages=()
for module in "${modules[@]}"; do packages+=(-p "$module"); done
echo "release: building ${modules[*]} for wasm32-wasip1 and wasm32-wasip2" >&2
cargo build --quiet --release --target wasm32-wasip1 "${packages[@]}"
cargo build --quiet --release --target wasm32-wasip2 "${packages[@]}"
if [[ -n $prefix ]]; then
  cargo build --quiet -p wasm-workflows-cli --bin wasm-workflows
fi

dist=${DIST_DIR:-dist}
rm -rf "$dist"
mkdir -p "$dist"
entries=()
for module in "${modules[@]}"; do
  description=$(jq -r --arg name "$module" '.packages[] | select(.name == $name) | .description // ""' <<<"$metadata")
  # target, layout, tag suffix: the core module twice (one per layout).
  for build in "wasm32-wasip1 wasm-to-oci " "wasm32-wasip1 wasm-artifact -wasm-artifact" \
    "wasm32-wasip2 wasm-artifact -wasip2"; do
    read -r target layout suffix <<<"$build"
    case $target in
      wasm32-wasip1) file="$module.wasm" ;;
      wasm32-wasip2) file="$module-wasip2.wasm" ;;
    esac
    image_tag="$tag${suffix:-}"
    cp "$target_dir/$target/release/$module.wasm" "$dist/$file"
    reference=""
    if [[ -n $prefix ]]; then
      image="$prefix/$module:$image_tag"
      digest=$("$target_dir/debug/wasm-workflows" push "$dist/$file" "$image" --format "$layout" \
        --description "$description" --source "$repository" --module-version "$version")
      reference="$prefix/$module@$digest"
      echo "release: pushed $image ($digest)" >&2
    fi
    entries+=("$(jq -n --arg name "$module" --arg target "$target" --arg layout "$layout" --arg file "$file" \
      --argjson bytes "$(wc -c <"$dist/$file")" --arg sha256 "$(sha256sum "$dist/$file" | cut -d' ' -f1)" \
      --arg reference "$reference" --arg tag "${prefix:+$prefix/$module:$image_tag}" \
      '{name: $name, target: $target, layout: $layout, file: $file, bytes: $bytes, sha256: $sha256,
        reference: (if $reference == "" then null else $reference end),
        tag: (if $tag == "" then null else $tag end)}')")
  done
done
printf '%s\n' "${entries[@]}" | jq -s --arg version "$version" '{version: $version, modules: .}' >"$dist/index.json"
echo "release: $dist/index.json lists ${#entries[@]} builds" >&2
