#!/usr/bin/env bash
# Fails when code, a script or a manifest of the repository reads a path
# outside the clone: a user who clones this repository alone has nothing
# beside it. Part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.rs' '*.sh' '*.toml' '*.yaml' '*.yml' '*.json' '*.py' '*.js' '*.mjs' '*.ts' \
  '*.go' '*.mod' '*.zig' '*.c' '*.h' '*.wit' '*Dockerfile' '.ci/*' ':!cli/argo/schema.json')
status=0

# A folder beside the clone, by name or by absolute path.
if git grep --untracked -nE '\.\./shared|/work/(shared|main)\b|\bshared/(argo|protocol|seeds|hooks)' -- "${files[@]}"; then
  echo "error: the lines above read files outside the repository" >&2
  status=1
fi

# Relative paths that climb out of the clone: from the file's own folder, and
# for scripts (which run from the repository's root) from the root as well.
while IFS=: read -r file line path; do
  bases=("$(dirname "$file")")
  case $file in scripts/* | .ci/*) bases+=(.) ;; esac
  for base in "${bases[@]}"; do
    target=$(realpath -m "$base/$path")
    case $target in
      "$root" | "$root"/*) ;;
      *) echo "$file:$line: \"$path\" leads out of the repository" >&2; status=1 ;;
    esac
  done
done < <(git grep --untracked -noE '(\.\./)+[A-Za-z0-9_.-]*' -- "${files[@]}" || true)

exit $status
