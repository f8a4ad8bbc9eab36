#!/usr/bin/env bash
# Streams come and go: publish and stop N distinct streams (twice), then check that the node lists no
# stream and that its memory did not grow with the number of streams ever seen.
#   bench/churn.sh [N]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=${KIT:-$(cd ../shared/bench && pwd)}
source "$KIT/env.sh"
N=${1:-1000}
"$KIT/make-input.sh" >/dev/null
LOAD=$BENCH_DIR/platform-load
dotnet build tests/Platform.Load -c Release -o "$LOAD" --nologo -v q >/dev/null
OUT=$BENCH_DIR/platform-server
dotnet publish src/Api -c Release -o "$OUT" --nologo -v q >/dev/null
ROOT=$BENCH_DIR/platform-data; rm -rf "$ROOT"
dotnet "$OUT/Platform.Api.dll" --Storage:Root="$ROOT" --Streams:IdleTimeout=00:00:02 --Logging:LogLevel:Default=Warning > "$BENCH_DIR/logs/platform.log" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null && wait $SP 2>/dev/null || true' EXIT
for i in $(seq 1 100); do curl -sf http://127.0.0.1:8558/ready >/dev/null && break; sleep 0.2; done
rss() { awk '/^VmRSS/{print $2}' /proc/$SP/status; }
streams() { curl -s "http://127.0.0.1:1985/api/v1/streams?count=10000" | python3 -c 'import sys,json; print(len(json.load(sys.stdin)["streams"]))'; }
echo "CHURN start rss_kb=$(rss) streams=$(streams)"
for round in 1 2 3; do
  dotnet "$LOAD/Platform.Load.dll" churn -q -n "$N" -c 20 -s 1 -f "$BENCH_DIR/input.flv" "rtmp://127.0.0.1:1935/churn/r${round}_" | grep RESULT || true
  for i in $(seq 1 60); do [[ $(streams) == 0 ]] && break; sleep 1; done
  sleep 3
  echo "CHURN round=$round streams_seen=$((round * N)) streams_listed=$(streams) rss_kb=$(rss)"
done
