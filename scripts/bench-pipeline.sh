#!/usr/bin/env bash
# Times a whole hogpipe pipeline: COUNT events (default 100000) generated in
# batches of 100, through the Hello World plugin, dropped at the end.
#   scripts/bench-pipeline.sh             # in-process state
#   COUNT=500000 THREADS=2 scripts/bench-pipeline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-100000}
go build -o /tmp/hogpipe-bench ./cmd/hogpipe
start=$(date +%s.%N)
COUNT=$count /tmp/hogpipe-bench -c configs/bench.yaml
end=$(date +%s.%N)
awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "%d events in %.2fs: %.0f events/s (including start-up)\n", n, t, n / t }'
