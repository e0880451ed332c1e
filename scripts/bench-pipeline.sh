#!/usr/bin/env bash
# Measures the plugin stage against Node.js on the same events, in one run so
# that the ratio holds even on a loaded machine. For each event in
# testdata/events (small.json, pageview.json):
# - the hogpipe binary runs configs/bench.yaml twice: generate → Hello World
#   plugin → drop, and generate → drop; the plugin stage's rate is
#   COUNT / (difference of the two wall times), start-up cancelling out;
# - nodeharness runs the same plugin on the same event in a tight loop on one
#   thread (JSON.parse, processEvent, JSON.stringify).
#   scripts/bench-pipeline.sh
#   COUNT=500000 THREADS=2 scripts/bench-pipeline.sh
#   EVENTS="pageview" scripts/bench-pipeline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-100000}
threads=${THREADS:-2}
events=${EVENTS:-small pageview}
bin=$(mktemp -d)/hogpipe-bench
trap 'rm -rf "$(dirname "$bin")"' EXIT

if [ ! -f nodeharness/node_modules/.package-lock.json ]; then
  (cd nodeharness && npm ci --no-audit --no-fund --loglevel=error)
fi
go build -o "$bin" ./cmd/hogpipe

# seconds runs the pipeline once and prints its wall time.
seconds() {
  local stage=$1 event=$2 start end
  start=$(date +%s.%N)
  BENCH_STAGE=$stage BENCH_EVENT=$event COUNT=$count THREADS=$threads "$bin" -c configs/bench.yaml
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

printf '%s, %d cores, load %s; %d events per run, batches of 100, %d pipeline threads\n' \
  "$(date -u +%FT%TZ)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$count" "$threads"
printf '%-10s %6s %9s %9s %15s %16s %6s\n' event bytes 'plugin s' 'no-op s' 'plugin stage/s' 'node 1 thread/s' ratio
for name in $events; do
  event=testdata/events/$name.json
  with=$(seconds plugin "$event")
  without=$(seconds none "$event")
  node=$(LC_ALL=en_US.UTF-8 node nodeharness/harness.js --bench "$event" --count "$count" testdata/events |
    sed -n 's/.*"events_per_second":\([0-9]*\).*/\1/p')
  awk -v name="$name" -v size="$(wc -c <"$event")" -v n="$count" -v w="$with" -v wo="$without" -v node="$node" 'BEGIN {
    stage = n / (w - wo)
    printf "%-10s %6d %9.2f %9.2f %15.0f %16.0f %6.2f\n", name, size, w, wo, stage, node, stage / node
  }'
done
