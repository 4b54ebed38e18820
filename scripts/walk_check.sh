#!/usr/bin/env bash
# Checks that `make fmt-check` and `go ./...` never walk build/ or out/:
# the private ClickHouse merges parts under build/ while it runs,
# and a walk that meets a part being renamed fails (issue 16, item 1).
# A badly formatted, non-compiling package is planted in each; both must
# stay unseen.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=(build/walkcheck out/walkcheck)
cleanup() { for d in "${dirs[@]}"; do rm -rf "$d"; rmdir "${d%/*}" 2>/dev/null || true; done; }
trap cleanup EXIT
for d in "${dirs[@]}"; do
  mkdir -p "$d"
  printf 'package walkcheck\nfunc  broken( {\n' > "$d/bad.go"
done
if go list ./... | grep -q walkcheck; then
  echo "walk-check: go ./... walks build/ or out/ (go.mod's ignore directive)" >&2
  exit 1
fi
if ! out=$(make --no-print-directory fmt-check 2>&1); then
  echo "walk-check: make fmt-check walks build/ or out/:" >&2
  echo "$out" >&2
  exit 1
fi
echo "walk-check: ok (build/ and out/ are not walked)"
