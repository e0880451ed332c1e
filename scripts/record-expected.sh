#!/usr/bin/env bash
# Re-records the expected output of every differential fixture
# (testdata/plugins/*/expected.jsonl) from the plain Node.js harness
# (nodeharness/harness.js), never from hogpipe. Review the diff before
# committing: a change means Node.js answers differently than before.
#
#   scripts/record-expected.sh                 # every fixture
#   scripts/record-expected.sh url-search-params   # one fixture
#
# The Go test TestNodeHarnessExpectedUpToDate drives the harness, so the
# fetch fixtures get the same local echo server as in the differential test.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }

npm_ci() {
  local dir=$1
  if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return
  fi
  log "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

npm_ci nodeharness
while IFS= read -r lock; do
  npm_ci "$(dirname "$lock")"
done < <(find testdata/plugins -name package-lock.json -not -path '*/node_modules/*' | sort)

run='^TestNodeHarnessExpectedUpToDate$'
if [ $# -gt 0 ]; then
  run="$run/^($(IFS='|'; echo "$*"))\$"
fi
HOGPIPE_RECORD_EXPECTED=1 go test ./pluginhost -run "$run" -count=1 -v
git status --short -- 'testdata/plugins/*/expected.jsonl' 2>/dev/null || true
