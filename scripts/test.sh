#!/usr/bin/env bash
# Runs all of hogpipe's tests on a fresh machine: installs what they need when
# it is missing (Debian's redis-server, chromium, postgresql and gcc, the npm
# test clients), then checks formatting, the embedded JavaScript (node --check)
# and vet, runs the Go tests with the race detector and
# each fuzz target briefly.
#
#   scripts/test.sh               # everything
#   FUZZTIME=0 scripts/test.sh     # skip the fuzzing step
#   FUZZTIME=60s scripts/test.sh   # fuzz longer (default: 50000 inputs per target)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }

install_debian_packages() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # cgo: the race detector, and librdkafka's mock Kafka cluster (bundled with
  # confluent-kafka-go) that the kafka tests run against.
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]} (Debian packages)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# install_npm_clients installs the pinned packages of every package-lock.json
# under testdata/ and nodeharness/ (test clients, fixture dependencies, the
# Node harness), skipping folders whose node_modules matches the lockfile.
install_npm_clients() {
  local lock dir
  while IFS= read -r lock; do
    dir=$(dirname "$lock")
    if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$lock" ]; then
      continue
    fi
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  done < <(find testdata nodeharness -name package-lock.json -not -path '*/node_modules/*' | sort)
}

install_debian_packages
install_npm_clients

# The kafka tests must fail, not skip, without cgo: say why up front.
if [ "$(go env CGO_ENABLED)" != "1" ]; then
  echo "cgo is off (CGO_ENABLED=$(go env CGO_ENABLED)): the race detector and the kafka tests (librdkafka's mock cluster) need it; set CGO_ENABLED=1 with gcc installed" >&2
  exit 1
fi

log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

# check_embedded_js runs node --check on every JavaScript file a Go file
# embeds (//go:embed name.js): host modules and globals keep their source
# there, where the Go compiler does not read it.
check_embedded_js() {
  command -v node >/dev/null 2>&1 || { echo "node is required to check the embedded JavaScript"; exit 1; }
  local file directive name count=0
  while IFS=: read -r file _ directive; do
    for name in ${directive#//go:embed }; do
      case $name in
      *.js)
        node --check "$(dirname "$file")/$name"
        count=$((count + 1))
        ;;
      esac
    done
  done < <(grep -rn --include='*.go' '^//go:embed ' . | grep -v '/node_modules/')
  echo "$count embedded JavaScript files parse"
}

log "node --check on embedded JavaScript"
check_embedded_js

log "go vet"
go vet ./...

log "go test -race"
go test -race -shuffle=on -timeout 15m ./...

fuzztime=${FUZZTIME:-50000x}
if [ "$fuzztime" != "0" ]; then
  while IFS= read -r line; do
    pkg=${line%%:*}; target=${line##*:}
    log "fuzz $target in $pkg for $fuzztime"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done < <(grep -rEo --include='*_test.go' '^func (Fuzz[A-Za-z0-9_]+)' . | sed -E 's#^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)#./\1:\2#' | sort -u)
fi

log "all tests passed"
