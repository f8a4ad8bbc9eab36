#!/usr/bin/env bash
# HLS packaging (and DVR recording) of N concurrent 2 Mbit/s streams, side by side with nginx-rtmp, whose
# reference config packages HLS (2 s fragments, 10 s playlist). Server CPU (share of one core) over a
# steady window, per configuration:
#   nginx        nginx-rtmp, live + hls
#   nginx+rec    nginx-rtmp, live + hls + record all (FLV, one file per publish)
#   ingest       the platform with HLS off (what ingest alone costs)
#   hls          the platform with HLS on, 2 s fragments, 10 s window (same work as nginx)
#   hls+dvr      the platform with HLS and DVR (session plan) on
#   bench/hls.sh [N]   (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=${KIT:-$(cd ../shared/bench && pwd)}
source "$KIT/env.sh"
N=${1:-50}; DUR=${DUR:-60}; WARM=${WARM:-25}   # measured from WARM s to DUR-5 s: steady state, JIT settled
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$KIT/make-input.sh" >/dev/null
LOAD=$BENCH_DIR/platform-load
dotnet build tests/Platform.Load -c Release -o "$LOAD" --nologo -v q >/dev/null
OUT=$BENCH_DIR/platform-server
dotnet publish src/Api -c Release -o "$OUT" --nologo -v q >/dev/null
HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
measure() { # tag pid url-prefix
  dotnet "$LOAD/Platform.Load.dll" publish -q -n "$N" -d "$DUR" -f "$BENCH_DIR/input.flv" "$3" > "$BENCH_DIR/results/hls_$1.txt" 2>&1 &
  local c=$!
  sleep "$WARM"; local t0; t0=$(ticks "$2"); local s0=$EPOCHREALTIME
  sleep $((DUR - WARM - 5)); local t1; t1=$(ticks "$2"); local s1=$EPOCHREALTIME
  wait $c || true
  echo "HLS tag=$1 streams=$N cpu=$(python3 -c "print(round(($t1-$t0)/$HZ/($s1-$s0)*100,1))") $(grep '^RESULT' "$BENCH_DIR/results/hls_$1.txt" | cut -d' ' -f2-)"
}
platform() { # tag extra-args...
  local tag=$1; shift
  local root=$BENCH_DIR/platform-data; rm -rf "$root"
  dotnet "$OUT/Platform.Api.dll" --Storage:Root="$root" --Logging:LogLevel:Default=Warning "$@" > "$BENCH_DIR/logs/platform-$tag.log" 2>&1 &
  local sp=$!
  for i in $(seq 1 100); do curl -sf http://127.0.0.1:8558/ready >/dev/null && break; sleep 0.2; done
  measure "$tag" "$sp" rtmp://127.0.0.1:1935/live/h
  kill "$sp"; wait "$sp" 2>/dev/null || true
}
W=$("$KIT/peers/nginx-rtmp/start.sh")
trap '"$KIT/peers/nginx-rtmp/stop.sh" >/dev/null 2>&1 || true' EXIT
measure nginx "$W" rtmp://127.0.0.1:1936/live/h
"$KIT/peers/nginx-rtmp/stop.sh" >/dev/null 2>&1 || true
# The same peer with recording on: the reference config with record all, started the way start.sh does.
mkdir -p "$BENCH_DIR/nginx-rec"; rm -f "$BENCH_DIR"/nginx-rec/*
sed -e "s#@DIR@#$BENCH_DIR#g" -e "s#@RTMP_PORT@#1936#g" -e "s#@HTTP_PORT@#8081#g" \
    -e "s#record off;#record all; record_path $BENCH_DIR/nginx-rec; record_unique on;#" \
    "$KIT/peers/nginx-rtmp/nginx.conf.in" > "$BENCH_DIR/run/nginx-rec.conf"
nginx -p "$BENCH_DIR/" -c "$BENCH_DIR/run/nginx-rec.conf" -e "$BENCH_DIR/logs/nginx-error.log"
for i in $(seq 1 50); do [[ -s $BENCH_DIR/run/nginx.pid ]] && break; sleep 0.1; done
for i in $(seq 1 50); do W=$(pgrep -P "$(cat "$BENCH_DIR/run/nginx.pid")" | head -1 || true); [[ -n $W ]] && break; sleep 0.1; done
measure nginx+rec "$W" rtmp://127.0.0.1:1936/live/h
echo "nginx recorded $(ls "$BENCH_DIR/nginx-rec" | wc -l) files, $(du -sm "$BENCH_DIR/nginx-rec" | cut -f1) MiB"
"$KIT/peers/nginx-rtmp/stop.sh" >/dev/null 2>&1 || true
platform ingest --Apps:0:Hls:Enabled=false
platform hls --Apps:0:Hls:Fragment=00:00:02 --Apps:0:Hls:Window=00:00:10
platform hls+dvr --Apps:0:Hls:Fragment=00:00:02 --Apps:0:Hls:Window=00:00:10 --Apps:0:Dvr:Enabled=true
