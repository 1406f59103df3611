#!/usr/bin/env bash
# What a release is made of, checked without the network: the GitHub
# workflows (actionlint, with shellcheck on their scripts, and zizmor's
# offline audits), the serve image's Dockerfile (hadolint), and every
# publishable crate packaged and verified (scripts/package.sh, the part that
# takes time: see its header). scripts/setup.sh installs the linters.
# The image itself is built by scripts/build-image.sh (a release build for
# musl: not run here).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
actionlint
zizmor --quiet --offline --persona=pedantic .github/workflows
hadolint argo-plugin/Dockerfile
echo "check-release: workflows and Dockerfile checked in $((SECONDS - started)) s" >&2
scripts/package.sh
