#!/usr/bin/env bash
# The project's own load tool (tests/Platform.Load) side by side with the reference generator: N players
# against nginx-rtmp and the platform, server CPU (share of one core) over the steady window.
#   bench/loadtool.sh [N]   (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=${KIT:-$(cd ../shared/bench && pwd)}
source "$KIT/env.sh"
N=${1:-500}; DUR=${DUR:-30}; RAMP=$((N / 5))
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$KIT/make-input.sh" >/dev/null
LOAD=$BENCH_DIR/platform-load
dotnet build tests/Platform.Load -c Release -o "$LOAD" --nologo -v q >/dev/null
OUT=$BENCH_DIR/platform-server
dotnet publish src/Api -c Release -o "$OUT" --nologo -v q >/dev/null
ROOT=$BENCH_DIR/platform-data; rm -rf "$ROOT"
dotnet "$OUT/Platform.Api.dll" --Storage:Root="$ROOT" --Logging:LogLevel:Default=Warning > "$BENCH_DIR/logs/platform.log" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null && wait $SP 2>/dev/null || true; "$KIT/publish.sh" stop platform >/dev/null; "$KIT/publish.sh" stop nginx >/dev/null; "$KIT/peers/nginx-rtmp/stop.sh" >/dev/null 2>&1 || true' EXIT
for i in $(seq 1 100); do curl -sf http://127.0.0.1:8558/ready >/dev/null && break; sleep 0.2; done
W=$("$KIT/peers/nginx-rtmp/start.sh")
"$KIT/publish.sh" rtmp://127.0.0.1:1936/live/s1 nginx >/dev/null
"$KIT/publish.sh" rtmp://127.0.0.1:1935/live/s1 platform >/dev/null
sleep 5
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
HZ=$(getconf CLK_TCK)
run() { # tag pid url [read pacing ms]
  dotnet "$LOAD/Platform.Load.dll" play -q -n "$N" -d "$DUR" -r "$RAMP" -w "${4:-25}" "$3" > "$BENCH_DIR/results/load_$1.txt" 2>&1 &
  local c=$!
  sleep $((N / RAMP + 3)); local t0; t0=$(ticks "$2"); local s0=$EPOCHREALTIME
  sleep $((DUR - N / RAMP - 5)); local t1; t1=$(ticks "$2"); local s1=$EPOCHREALTIME
  wait $c || true
  local cpu; cpu=$(python3 -c "print(round(($t1-$t0)/$HZ/($s1-$s0)*100,1))")
  echo "LOADTOOL tag=$1 n=$N cpu=$cpu $(grep '^RESULT' "$BENCH_DIR/results/load_$1.txt" | cut -d' ' -f2-)"
}
run nginx "$W" rtmp://127.0.0.1:1936/live/s1
run platform "$SP" rtmp://127.0.0.1:1935/live/s1
# HttpClient hands out at most 4 KiB per read, so a paced HTTP-FLV reader (4 KiB per 25 ms) cannot keep
# up with 2 Mbit/s: read HTTP-FLV unpaced.
run platform-flv "$SP" http://127.0.0.1:8080/live/s1.flv 0
