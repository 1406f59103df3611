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
  cmark-gfm       # markdown's HTML is compared with cmark-gfm's
  imagemagick     # image-processor's reference, and benchmark
  libvips-tools   # image-processor's benchmark (vips)
  zbar-tools      # text2qr's PNGs are decoded by zbarimg
  pandoc          # markdown's benchmark
  cowsay          # ferris-says' benchmark
  docker-registry # the OCI registry publish/pull tests push to
  skopeo          # an independent OCI client reads what we push
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

# The S3-compatible server and the templates' toolchains have scripts of their own.
for part in scripts/setup-s3.sh scripts/setup-templates.sh; do
  if [[ -x $part ]]; then "$part"; fi
done
echo "setup: done"
