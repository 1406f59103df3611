#!/usr/bin/env bash
# Builds the serve image as the release does and checks it from its own
# files: the static (musl) binary the Dockerfile's build stage makes, put
# into argo-plugin/Dockerfile with BINARY=prebuilt (the release workflow's
# path) by buildah (`--isolation chroot`, vfs storage: no daemon, no
# registry, no network), exported as an OCI image layout, unpacked, and then
# `serve --help` and a real `serve` on loopback run from the unpacked root
# file system alone.
#
#   scripts/build-image.sh [OUT.tar]    # OUT.tar: also keep the image (oci-archive)
#
# Not part of scripts/test.sh: the static binary is a release build for
# another target, a whole wasmtime compile (about 20 minutes on two cores,
# about 1.3 GB of target dir). It installs buildah and musl-tools (Debian)
# and the musl target (rustup) if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
out_archive=${1:-}
arch=$(uname -m)
case $arch in
  x86_64) platform=amd64 ;;
  aarch64) platform=arm64 ;;
  *) echo "build-image.sh: no image for $arch" >&2; exit 1 ;;
esac
target=$arch-unknown-linux-musl
sudo=()
((EUID == 0)) || sudo=(sudo)

missing=()
for package in buildah musl-tools; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq install -y \
    --no-install-recommends "${missing[@]}" >/dev/null
fi
rustup target add "$target" >/dev/null 2>&1 || rustup target add "$target"

# The binary, as the Dockerfile's build stage builds it.
started=$SECONDS
env "CC_${target//-/_}=musl-gcc" cargo build --locked --profile host --target "$target" \
  -p wasm-workflows-cli --bin wasm-workflows
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
binary=$target_dir/$target/host/wasm-workflows
echo "build-image: $binary built in $((SECONDS - started)) s ($(wc -c <"$binary") bytes)" >&2
if readelf --program-headers --dynamic "$binary" | grep -qE 'INTERP|\(NEEDED\)'; then
  echo "build-image: $binary is not statically linked" >&2
  exit 1
fi

work=$(mktemp -d)
storage=$work/storage
cleanup() {
  buildah --root "$storage" --runroot "$work/run" --storage-driver vfs rm --all >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
buildah=(buildah --root "$storage" --runroot "$work/run" --storage-driver vfs)

# The context BINARY=prebuilt takes.
context=$work/context
install -D "$binary" "$context/prebuilt/$platform/wasm-workflows"
install -D -m 644 /etc/ssl/certs/ca-certificates.crt "$context/prebuilt/rootfs/etc/ssl/certs/ca-certificates.crt"
install -d -m 1777 "$context/prebuilt/rootfs/tmp"
image=localhost/wasm-workflows:check
"${buildah[@]}" build --quiet --isolation chroot --build-arg BINARY=prebuilt --platform "linux/$platform" \
  -f argo-plugin/Dockerfile -t "$image" "$context" >/dev/null
layout=$work/layout
"${buildah[@]}" push --quiet "$image" "oci:$layout:check"
[[ -z $out_archive ]] || "${buildah[@]}" push --quiet "$image" "oci-archive:$out_archive:latest"

# The image as a registry would serve it: its config, and its layers unpacked.
blob() { echo "$layout/blobs/${1/://}"; }
manifest=$(blob "$(jq -r '.manifests[0].digest' "$layout/index.json")")
config=$(blob "$(jq -r '.config.digest' "$manifest")")
check() {
  local what=$1 expected=$2 actual
  actual=$(jq -c "$what" "$config")
  [[ $actual == "$expected" ]] || { echo "build-image: $what is $actual, not $expected" >&2; exit 1; }
}
check .architecture "\"$platform\""
check .os '"linux"'
user=$(sed -n 's/^USER //p' argo-plugin/Dockerfile)
check .config.User "\"$user\""
check .config.Entrypoint '["/usr/local/bin/wasm-workflows"]'
check .config.Cmd '["serve","--bind","0.0.0.0","--port","9276"]'
check '.config.ExposedPorts | keys' '["9276/tcp"]'
rootfs=$work/rootfs
mkdir "$rootfs"
for layer in $(jq -r '.layers[].digest' "$manifest"); do
  tar --extract --preserve-permissions --file "$(blob "$layer")" --directory "$rootfs"
done
files=$(cd "$rootfs" && find . -mindepth 1 \( -type f -o -type l \) -printf '%P\n' | sort | paste -sd' ')
expected_files="etc/ssl/certs/ca-certificates.crt usr/local/bin/wasm-workflows"
[[ $files == "$expected_files" ]] || { echo "build-image: the image holds $files, not $expected_files" >&2; exit 1; }
[[ $(stat -c %a "$rootfs/tmp") == 1777 ]] || { echo "build-image: /tmp is not mode 1777" >&2; exit 1; }

# Run it from those files alone: chrooted when root can, else directly (it is static).
in_image=()
((EUID == 0)) && in_image=(chroot --userspec="$user" "$rootfs")
binary_in_image=/usr/local/bin/wasm-workflows
((EUID == 0)) || binary_in_image=$rootfs/usr/local/bin/wasm-workflows
help=$("${in_image[@]}" "$binary_in_image" serve --help)
grep -q -- "--port" <<<"$help" || { printf "build-image: serve --help says:\n%s\n" "$help" >&2; exit 1; }
token_dir=/tmp
((EUID == 0)) || token_dir=$rootfs/tmp
echo check-token >"$rootfs/tmp/token"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${in_image[@]}" "$binary_in_image" serve --bind 127.0.0.1 --port "$port" --token-file "$token_dir/token" \
  --cache-dir "$token_dir/cache" >"$work/serve.log" 2>&1 &
serve=$!
healthy=
for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 0.1
done
kill "$serve" 2>/dev/null || true
wait "$serve" 2>/dev/null || true
[[ -n $healthy ]] || { echo "build-image: serve from the image did not answer /healthz:" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "build-image: $image (linux/$platform, $(du -sb "$rootfs" | cut -f1) bytes unpacked) runs serve from its own files" >&2
