#!/usr/bin/env bash
# Packages every publishable crate of the workspace (those without
# `publish = false`) as crates.io would get them, and verifies each by
# building it from its .crate (cargo packages a workspace's crates together,
# so a crate's path dependencies resolve to the others' packages). Then the
# packaged CLI must write the same projects with `new` as the repository's.
#
#   scripts/package.sh            # package and verify (scripts/test.sh runs this)
#   scripts/package.sh publish    # the same, then `cargo publish` of those crates (the release workflow)
#
# The CLI carries the files `new` writes (cli/carried-files.txt lists them):
# they are copied into cli/carried/ first, since a package holds only its
# own folder, and removed again at the end.
#
# Cost: the verification builds each crate once more in the shared target
# dir, with the workspace's dev profile (passed as --config, since a package
# has no workspace profiles), so it reuses every dependency already built for
# `cargo build -p wasm-workflows-cli` (scripts/release.sh builds the same).
# Measured on two busy cores with those built: 3 minutes (2 to package and
# verify the three crates, 1 to build the repository's CLI and compare the
# projects); with nothing built, add a wasmtime build (10-20 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-package}
case $mode in
  package | publish) ;;
  *) echo "usage: scripts/package.sh [publish]" >&2; exit 2 ;;
esac

staged=cli/carried
work=$(mktemp -d)
cleanup() { rm -rf "$staged" "$work"; }
trap cleanup EXIT

# The carried files, each Cargo.toml as Cargo.toml.carried: cargo leaves a
# folder that has a Cargo.toml out of a package (cli/build.rs reads them back).
rm -rf "$staged"
count=0
while read -r file_mode path; do
  [[ -z $file_mode || $file_mode == \#* ]] && continue
  target=$staged/$path
  [[ $(basename "$path") == Cargo.toml ]] && target=$target.carried
  install -D -m "$file_mode" "$path" "$target"
  count=$((count + 1))
done <cli/carried-files.txt
echo "package: $count carried files staged in $staged/" >&2

# The workspace's dev profile, as --config flags for the verification builds.
profile_flags='
import json, tomllib
def flags(prefix, table):
    for key, value in table.items():
        name = f"{prefix}.{key}" if key.replace("-", "").isalnum() else f"{prefix}.\"{key}\""
        if isinstance(value, dict):
            yield from flags(name, value)
        else:
            yield f"--config={name}={json.dumps(value)}"
dev = tomllib.load(open("Cargo.toml", "rb")).get("profile", {}).get("dev", {})
print("\n".join(flags("profile.dev", dev)))
'
mapfile -t profile < <(python3 -c "$profile_flags")

# The publishable crates: every workspace member without `publish = false`.
metadata=$(cargo metadata --format-version 1 --no-deps)
target_dir=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])' <<<"$metadata")
mapfile -t crates < <(python3 -c '
import json, sys
metadata = json.load(sys.stdin)
for package in metadata["packages"]:
    if package["id"] in metadata["workspace_members"] and package["publish"] != []:
        print(package["name"], package["version"])' <<<"$metadata")
selected=()
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for entry in "${crates[@]}"; do
  crate=${entry% *} version=${entry#* }
  selected+=(-p "$crate")
  # The verification takes the other crates from a local registry, and cargo
  # holds a registry crate of a given version to be immutable: what an
  # earlier run unpacked (CARGO_HOME) and built (the target dir) from these
  # same versions would be used again, however the crates changed since.
  rm -rf "$cargo_home"/registry/src/*/"$crate-$version"
  for depinfo in "$target_dir"/debug/deps/"${crate//-/_}"-*.d; do
    if [[ ! -f $depinfo ]] || ! head -n 1 "$depinfo" | grep -q '/registry/src/'; then continue; fi
    unit=${depinfo##*/}
    unit=${unit%.d}
    rm -rf "$target_dir/debug/.fingerprint/$crate-${unit##*-}" "$target_dir/debug/deps/"*"$unit"*
  done
done

# The staged files are not in git, so cargo would call the tree dirty:
# --allow-dirty, and for publishing the same check made here instead.
if [[ $mode == publish && -n $(git status --porcelain --untracked-files=normal) ]]; then
  echo "package: commit your changes before publishing:" >&2
  git status --short >&2
  exit 1
fi
started=$SECONDS
touch "$work/started"
cargo package "${selected[@]}" --locked --allow-dirty "${profile[@]}"
echo "package: ${#crates[@]} crates packaged and verified in $((SECONDS - started)) s" >&2

# cargo's verification built the packaged CLI in the shared target dir (an
# ephemeral workspace of the unpacked .crate): that is now debug/wasm-workflows.
packaged=$work/packaged-wasm-workflows
if [[ ! $target_dir/debug/wasm-workflows -nt $work/started ]]; then
  echo "package: the verification left no new $target_dir/debug/wasm-workflows" >&2
  exit 1
fi
cp "$target_dir/debug/wasm-workflows" "$packaged"
cargo build --quiet --locked -p wasm-workflows-cli --bin wasm-workflows
repository=$target_dir/debug/wasm-workflows
if cmp -s "$packaged" "$repository"; then
  echo "package: $repository is the packaged build again, not the repository's" >&2
  exit 1
fi
mapfile -t languages < <("$repository" new --list | cut -d' ' -f1)
for language in "${languages[@]}"; do
  for cli in packaged repository; do
    binary=$packaged
    [[ $cli == repository ]] && binary=$repository
    "$binary" new --template "$language" "$work/$cli/$language/my-step" >/dev/null
  done
  if ! diff -r "$work/packaged/$language" "$work/repository/$language" >&2; then
    echo "package: the packaged CLI writes a different $language project than the repository's" >&2
    exit 1
  fi
done
echo "package: the packaged CLI writes the same ${#languages[@]} projects as the repository's" >&2

if [[ $mode == publish ]]; then
  cargo publish "${selected[@]}" --locked --allow-dirty --no-verify
fi
