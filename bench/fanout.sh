#!/usr/bin/env bash
# Side-by-side fan-out benchmark: the platform and nginx-rtmp, same input, same load generator, same run.
#   bench/fanout.sh [N ...]            (default: 100 500 1000)
# Needs ../shared/bench (load generator, nginx-rtmp peer), ffmpeg, nginx + libnginx-mod-rtmp.
# Env: PROTO=rtmp|flv (default rtmp), DUR seconds per step (default 30), KIT path of the bench kit,
#      COAL client read coalescing in ms (rtmpload -w, default 25), PLATFORM_ARGS extra server settings
#      (e.g. "--Streams:WriteCoalesce=00:00:00"), SKIP_NGINX=1 to measure the platform alone.
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=${KIT:-$(cd ../shared/bench && pwd)}
source "$KIT/env.sh"
PROTO=${PROTO:-rtmp}; DUR=${DUR:-30}; COAL=${COAL:-25}
[[ $# -gt 0 ]] || set -- 100 500 1000
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

command -v nginx >/dev/null && [[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]] || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-rtmp >/dev/null; }
"$KIT/make-input.sh" >/dev/null

OUT=$BENCH_DIR/platform-server
dotnet publish src/Api -c Release -o "$OUT" --nologo -v q >/dev/null
ROOT=$BENCH_DIR/platform-data; rm -rf "$ROOT"
dotnet "$OUT/Platform.Api.dll" --Storage:Root="$ROOT" --Rtmp:Port=1935 --Http:Port=8080 \
  --Logging:LogLevel:Default=Warning ${PLATFORM_ARGS:-} > "$BENCH_DIR/logs/platform.log" 2>&1 &
PPID_=$!
trap 'kill $PPID_ 2>/dev/null && wait $PPID_ 2>/dev/null || true; "$KIT/publish.sh" stop platform >/dev/null; "$KIT/publish.sh" stop nginx >/dev/null; "$KIT/peers/nginx-rtmp/stop.sh" >/dev/null 2>&1 || true' EXIT
for i in $(seq 1 100); do curl -sf http://127.0.0.1:8558/ready >/dev/null && break; sleep 0.2; done

W=$("$KIT/peers/nginx-rtmp/start.sh")
"$KIT/publish.sh" rtmp://127.0.0.1:1936/live/s1 nginx >/dev/null
"$KIT/publish.sh" rtmp://127.0.0.1:1935/live/s1 platform >/dev/null
sleep 5

if [[ $PROTO == flv ]]; then
  PURL=http://127.0.0.1:8080/live/s1.flv; NURL=""
else
  PURL=rtmp://127.0.0.1:1935/live/s1; NURL=rtmp://127.0.0.1:1936/live/s1
fi
for N in "$@"; do
  if [[ -n $NURL && -z ${SKIP_NGINX:-} ]]; then
    "$KIT/fanout.sh" -d "$DUR" -w "$COAL" -p "$W" -u "$NURL" -t nginx "$N" | grep FANOUT
  fi
  "$KIT/fanout.sh" -d "$DUR" -w "$COAL" -p "$PPID_" -u "$PURL" -t "platform-$PROTO" "$N" | grep FANOUT
done
