#!/usr/bin/env bash
# Transcode engines on one node: the node's own CPU and memory with 0, 1, 4 and 8 engines running beside
# the engines' ffmpeg processes (supervision and routing must cost next to nothing beside ffmpeg), and the
# latency an engine adds from the source to its rendition.
#   bench/transcode.sh
# For each engine count the node starts fresh, an ffmpeg publishes lavfi test video (SIZE, 25 fps,
# H.264 ultrafast, AAC) for WARM + SECONDS s, and over the last SECONDS s bench/transcode/measure.py samples
# /proc: the node's CPU (utime+stime) and RSS, and the summed CPU and RSS of the engines' ffmpeg processes
# (their command lines carry the node's RTMP port and a platform ticket). The latency is read by two ffprobe
# players, one on the source and one on the first rendition: engines keep the source's timestamps, so the
# same keyframe time arrives on both, and the difference of arrival is the engine's delay.
# Results go to $BENCH_DIR/results/transcode.txt. Env: SECONDS_ (30), WARM (10), SIZE (640x360), COUNTS ("0 1 4 8"),
# PRESET (veryfast, the engines' default). The latency players run after the CPU window, not during it.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
KIT=${KIT:-$(cd ../shared/bench && pwd)}
source "$KIT/env.sh"
MEASURE=${SECONDS_:-30}; WARM=${WARM:-10}; SIZE=${SIZE:-640x360}; COUNTS=${COUNTS:-"0 1 4 8"}; PRESET=${PRESET:-veryfast}
RUN=$BENCH_DIR/transcode
RESULT=$BENCH_DIR/results/transcode.txt
mkdir -p "$RUN"
command -v ffmpeg >/dev/null || { echo "ffmpeg is missing: sudo apt-get install -y ffmpeg" >&2; exit 1; }

dotnet build "$REPO/src/Api" -c Release -nologo -v q >/dev/null
DLL=$REPO/src/Api/bin/Release/net10.0/Platform.Api.dll
RTMP=39451; HTTP=38181; API=39951; MGMT=38651; REMOTING=34251; MEDIA=34351

# Engines: eight renditions of decreasing size, libx264 ($PRESET), 2 s forced keyframes.
SIZES=(480x270 426x240 384x216 352x198 320x180 256x144 224x126 192x108)
engines_args() {
  local n=$1 i w h
  for ((i = 0; i < n; i++)); do
    w=${SIZES[$i]%x*}; h=${SIZES[$i]#*x}
    printf -- '--Apps:0:Engines:%d:Name=e%d --Apps:0:Engines:%d:Video:Width=%d --Apps:0:Engines:%d:Video:Height=%d --Apps:0:Engines:%d:Video:Preset=%s --Apps:0:Engines:%d:Video:Bitrate=400 --Apps:0:Engines:%d:Audio:Bitrate=48 ' \
      "$i" "$i" "$i" "$w" "$i" "$h" "$i" "$PRESET" "$i" "$i"
  done
}

: >"$RESULT"
printf '%-8s %10s %10s %12s %12s %14s %12s\n' engines node_cpu% node_rss_MiB ffmpeg_cpu% ffmpeg_rss_MiB node/ffmpeg_cpu latency_ms | tee -a "$RESULT"
for n in $COUNTS; do
  rm -rf "$RUN/data"
  # shellcheck disable=SC2046
  dotnet "$DLL" --Storage:Root="$RUN/data" --Rtmp:Port=$RTMP --Http:Port=$HTTP --Api:Port=$API --Management:Port=$MGMT \
    --Cluster:Port=$REMOTING --Cluster:MediaPort=$MEDIA --Apps:0:App=live --Apps:0:Hls:Enabled=false \
    --Apps:1:App=live --Apps:1:Engine='*' --Apps:1:Hls:Enabled=false \
    $(engines_args "$n") >"$RUN/node-$n.log" 2>&1 &
  NODE=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$API/api/v1/versions" >/dev/null && break; sleep 0.2; done
  ffmpeg -hide_banner -loglevel error -re -f lavfi -i "testsrc2=size=$SIZE:rate=25" -f lavfi -i sine=frequency=440:sample_rate=44100 \
    -c:v libx264 -preset ultrafast -tune zerolatency -g 50 -pix_fmt yuv420p -c:a aac -b:a 64k \
    -t $((WARM + MEASURE + 25)) -f flv "rtmp://127.0.0.1:$RTMP/live/src" >"$RUN/publisher-$n.log" 2>&1 &
  PUB=$!
  sleep "$WARM"
  python3 "$REPO/bench/transcode/measure.py" --node "$NODE" --rtmp-port $RTMP --seconds "$MEASURE" --engines "$n" | tee -a "$RESULT"
  kill "$PUB" 2>/dev/null || true; wait "$PUB" 2>/dev/null || true
  kill -TERM "$NODE"; wait "$NODE" 2>/dev/null || true
done
echo "results: $RESULT" >&2
