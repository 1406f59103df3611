#!/usr/bin/env bash
# Fetches the spec files the markdown module's tests run through the module:
# - spec.txt of CommonMark 0.31.2 (modules/markdown/tests/commonmark_spec.rs),
#   from npm: the package `commonmark-spec` 0.31.2 ships it;
# - test/extensions.txt of cmark-gfm 0.29.0.gfm.6, GitHub's extensions'
#   examples (modules/markdown/tests/gfm_extensions.rs), from Debian: the
#   source package `cmark-gfm` (the version of the binary the tests also
#   compare with), fetched with apt-get through a private apt configuration
#   (a deb-src list in a temporary folder; the system's is not touched).
# The files are kept outside the repository, in $MARKDOWN_SPECS_DIR
# (default: ${CARGO_TARGET_DIR:-target}/markdown-specs); nothing is fetched
# when they are there. Their SHA-256 is checked, so the tests always run the
# same examples.
set -euo pipefail
cd "$(dirname "$0")/.."

spec_sha256=257c41ad946f7a1414a499aca402a1aa8fdac3678532266611348c1cf54f4b80
extensions_sha256=0e41410c503d0a2461c5c67cf285324b249c59bebc076d0b9d02d2dda14e1b63
dest="${MARKDOWN_SPECS_DIR:-${CARGO_TARGET_DIR:-target}/markdown-specs}"

have() { [[ -f "$dest/$1" ]] && echo "$2  $dest/$1" | sha256sum --check --status; }
if have spec.txt "$spec_sha256" && have extensions.txt "$extensions_sha256"; then
  echo "markdown specs: already in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"

if ! have spec.txt "$spec_sha256"; then
  (cd "$work" && npm pack --silent commonmark-spec@0.31.2 >/dev/null)
  tar -xzf "$work/commonmark-spec-0.31.2.tgz" -C "$work" package/spec.txt
  echo "$spec_sha256  $work/package/spec.txt" | sha256sum --check --status ||
    { echo "setup-markdown-tests.sh: spec.txt of npm's commonmark-spec 0.31.2 is not the expected file" >&2; exit 1; }
  mv "$work/package/spec.txt" "$dest/spec.txt"
fi

if ! have extensions.txt "$extensions_sha256"; then
  apt="$work/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$work/source"
  echo "deb-src http://deb.debian.org/debian bookworm main" >"$apt/sources.list"
  apt_options=(-q -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root")
  apt-get "${apt_options[@]}" update >/dev/null
  (cd "$work/source" && apt-get "${apt_options[@]}" source --download-only cmark-gfm=0.29.0.gfm.6-6 >/dev/null)
  tar -xzf "$work/source/cmark-gfm_0.29.0.gfm.6.orig.tar.gz" -C "$work" cmark-gfm-0.29.0.gfm.6/test/extensions.txt
  echo "$extensions_sha256  $work/cmark-gfm-0.29.0.gfm.6/test/extensions.txt" | sha256sum --check --status ||
    { echo "setup-markdown-tests.sh: extensions.txt of Debian's cmark-gfm source is not the expected file" >&2; exit 1; }
  mv "$work/cmark-gfm-0.29.0.gfm.6/test/extensions.txt" "$dest/extensions.txt"
fi
echo "markdown specs: CommonMark 0.31.2's spec.txt (npm) and cmark-gfm 0.29.0.gfm.6's extensions.txt (Debian source) in $dest"
