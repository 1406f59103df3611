#!/usr/bin/env bash
# The benchmarks recorded in docs/benchmarks.md: module sizes and time per
# invocation; the text modules (json-query on 50 MB, markdown on 5 MB,
# json-query on 10 MB of YAML) against jq 1.6 and 1.8, jaq, cmark-gfm,
# pandoc and yq; whole workflows run locally (chains and fan-outs); image-processor against
# ImageMagick and libvips; and `wasm-workflows serve` under load. Builds the
# host optimised (`--profile host`); the tools compared with (binaryen's
# wasm-opt, cowsay, jq, cmark-gfm, pandoc, imagemagick, libvips-tools, GNU
# time, Python's jq) are installed by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 wasm32-wasip2 2>/dev/null
scripts/setup-jaq.sh # jaq, the native jq clone json-query is measured beside
cargo build --quiet --profile host -p wasm-workflows-cli -p wasm-workflows-benchmarks --bins
bin="${CARGO_TARGET_DIR:-target}/host"
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/benchmark"
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/text_modules"
"$bin/workflow_benchmark" # whole workflows through the library (issue 24)
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/template_benchmark" # jinja2 (scripts/setup.sh)
# image-processor against ImageMagick and libvips (imagemagick, libvips-tools, time)
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/image_processor_benchmark"
# sql against sqlite3 and DuckDB (PyPI duckdb) on a 100 MB CSV
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore duckdb
"$bin/sql_benchmark"
# `wasm-workflows serve` under load (docker-registry)
WASM_WORKFLOWS_BIN="$bin/wasm-workflows" "$bin/serve_benchmark"
