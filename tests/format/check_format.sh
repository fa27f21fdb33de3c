#!/usr/bin/env bash
# Checks every tracked C++ file against .clang-format; prints the files that
# differ (with `clang-format --dry-run` output) and exits 1 if any does.
#
#   tests/format/check_format.sh [SOURCE_DIR]
#   clang-format -i $(git ls-files '*.cc' '*.h')    # to reformat
set -uo pipefail
cd "${1:-$(dirname "$0")/../..}"
if ! command -v clang-format >/dev/null 2>&1; then
  echo "format: clang-format is not installed (scripts/bootstrap installs it)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [[ ${#files[@]} -eq 0 ]]; then
  echo "format: no C++ files found (not a git checkout?)" >&2
  exit 1
fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format: $f differs from .clang-format"
    bad=$((bad + 1))
  fi
done
if [[ $bad -gt 0 ]]; then
  echo "format: $bad of ${#files[@]} files differ; run: clang-format -i \$(git ls-files '*.cc' '*.h')"
  exit 1
fi
echo "format: ${#files[@]} files match .clang-format"
