#!/usr/bin/env bash
# An IP camera into the node as a long run: does the stream run the whole time without a cut, and at what
# frame rate do players see it?
#   bench/camera.sh
# An RTSP camera (tests/fixtures/rtsp-camera.py: H.264 SIZE at FPS, a keyframe every 2 s, AAC) runs on
# loopback; the node (Release build of src/Api) starts fresh; the camera gets into the node by the ingest
# below for DURATION seconds while a player (ffmpeg, -c copy to null) reads the stream from the node.
# Ingest "push", the README's own camera command: ffmpeg -rtsp_transport tcp -i rtsp://… -c copy -f flv
# rtmp://127.0.0.1:PORT/live/s1 (ffmpeg's -progress and log options added, nothing else).
# Report: whether the ingest ran the whole time without a cut (its process alive at the end, and when it
# died if not), the frames the ingest sent, the player's frames, and the player's frame rate per 10 s
# window with its min and avg (the first window holds the cached GOP a player starts with).
# Results go to $BENCH_DIR/results/camera.txt. Env: DURATION (300), PLAY (flv: HTTP-FLV, or rtmp),
# SIZE (640x360), FPS (25), KIT (the bench kit, for $BENCH_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
KIT=${KIT:-$(cd ../shared/bench 2>/dev/null && pwd || echo "")}
if [[ -n $KIT && -f $KIT/env.sh ]]; then source "$KIT/env.sh"; else BENCH_DIR=${BENCH_DIR:-/tmp/platform-bench}; mkdir -p "$BENCH_DIR/results"; fi
DURATION=${DURATION:-300}; PLAY=${PLAY:-flv}; SIZE=${SIZE:-640x360}; FPS=${FPS:-25}
RUN=$BENCH_DIR/camera
RESULT=$BENCH_DIR/results/camera.txt
rm -rf "$RUN"; mkdir -p "$RUN"
RTMP=39651; HTTP=38381; API=40151; MGMT=38851; REMOTING=34651; MEDIA=34751
STREAM=live/s1

# What the camera and the player need (Debian's packages, as scripts/test.sh installs them).
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
/usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer' 2>/dev/null ||
  need+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav)
if [[ ${#need[@]} -gt 0 ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# ffmpeg's -progress lines, each "frame=N" stamped with the wall clock: "<epoch seconds> <frames>".
stamp_frames() { while IFS= read -r line; do [[ $line == frame=* ]] && echo "$EPOCHREALTIME ${line#frame=}"; done; }

start_camera() {
  /usr/bin/python3 tests/fixtures/rtsp-camera.py 0 cam --size "$SIZE" --fps "$FPS" >"$RUN/camera.out" 2>"$RUN/camera.log" &
  CAMERA=$!; PIDS+=("$CAMERA")
  for _ in $(seq 100); do grep -q '^READY ' "$RUN/camera.out" && break; sleep 0.1; done
  CAMERA_URL=$(awk '/^READY /{print $2; exit}' "$RUN/camera.out")
  [[ -n $CAMERA_URL ]] || { echo "the camera did not start:" >&2; cat "$RUN/camera.log" >&2; exit 1; }
}

start_node() {
  dotnet build "$REPO/src/Api" -c Release -nologo -v q >/dev/null
  dotnet "$REPO/src/Api/bin/Release/net10.0/Platform.Api.dll" --Storage:Root="$RUN/data" --Rtmp:Port=$RTMP --Http:Port=$HTTP \
    --Api:Port=$API --Management:Port=$MGMT --Cluster:Port=$REMOTING --Cluster:MediaPort=$MEDIA >"$RUN/node.log" 2>&1 &
  NODE=$!; PIDS+=("$NODE")
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$MGMT/ready" >/dev/null && return; sleep 0.2; done
  echo "the node did not get ready:" >&2; tail -20 "$RUN/node.log" >&2; exit 1
}

# An ingest starts the process that brings the camera into the node as $STREAM and sets INGEST (its pid);
# its frames go to $RUN/ingest.frames, its errors to $RUN/ingest.log.
ingest_push() {
  INGEST_NAME="push (ffmpeg -rtsp_transport tcp -i $CAMERA_URL -c copy -f flv rtmp://127.0.0.1:$RTMP/$STREAM)"
  ffmpeg -hide_banner -nostdin -nostats -loglevel warning -stats_period 1 -progress pipe:1 \
    -rtsp_transport tcp -i "$CAMERA_URL" -c copy -f flv "rtmp://127.0.0.1:$RTMP/$STREAM" \
    > >(stamp_frames >"$RUN/ingest.frames") 2>"$RUN/ingest.log" &
  INGEST=$!; PIDS+=("$INGEST"); INGEST_START=$EPOCHREALTIME
}

start_player() {
  local url=http://127.0.0.1:$HTTP/$STREAM.flv
  [[ $PLAY == rtmp ]] && url=rtmp://127.0.0.1:$RTMP/$STREAM
  PLAYER_URL=$url
  ffmpeg -hide_banner -nostdin -nostats -loglevel warning -stats_period 1 -progress pipe:1 -i "$url" -map 0:v -c copy -f null - \
    > >(stamp_frames >"$RUN/player.frames") 2>"$RUN/player.log" &
  PLAYER=$!; PIDS+=("$PLAYER")
}

last_frames() { tail -1 "$1" 2>/dev/null | awk '{print $2+0}'; }

start_camera
start_node
ingest_push
for _ in $(seq 200); do [[ $(last_frames "$RUN/ingest.frames") -gt 0 ]] 2>/dev/null && break; kill -0 "$INGEST" 2>/dev/null || break; sleep 0.1; done
start_player
START=$EPOCHREALTIME

cut_at=""; player_cut_at=""
for ((t = 1; t <= DURATION; t++)); do
  sleep 1
  [[ -z $cut_at ]] && ! kill -0 "$INGEST" 2>/dev/null && cut_at=$t
  [[ -z $player_cut_at ]] && ! kill -0 "$PLAYER" 2>/dev/null && player_cut_at=$t
done
END=$EPOCHREALTIME
kill -INT "$PLAYER" 2>/dev/null || true; wait "$PLAYER" 2>/dev/null || true
kill -INT "$INGEST" 2>/dev/null || true; wait "$INGEST" 2>/dev/null || true
sleep 0.5 # the last progress lines

{
  echo "camera: $CAMERA_URL (H.264 $SIZE at $FPS fps, AAC), $DURATION s"
  echo "ingest: $INGEST_NAME"
  if [[ -z $cut_at ]]; then
    echo "ingest: ran the whole time without a cut"
  else
    echo "ingest: CUT after ${cut_at} s; its last errors:"; tail -5 "$RUN/ingest.log" | sed 's/^/  /'
  fi
  awk -v t0="$INGEST_START" '{ t = $1; f = $2 } END { if (NR) printf "ingest frames: %d sent in %.1f s from its start (%.1f fps)\n", f, t - t0, f / (t - t0) }' "$RUN/ingest.frames"
  if [[ -z $player_cut_at ]]; then
    echo "player: $PLAYER_URL, ran the whole time"
  else
    echo "player: $PLAYER_URL, ENDED after ${player_cut_at} s; its last errors:"; tail -5 "$RUN/player.log" | sed 's/^/  /'
  fi
  echo "player frames: $(last_frames "$RUN/player.frames")"
  # Frames per 10 s window of the player's run, from the stamped frame counts.
  awk -v start="$START" -v end="$END" -v fps="$FPS" '
    BEGIN { max = -1 }
    { t = $1 - start; if (t < 0 || $1 > end) next; w = int(t / 10); lt[w] = t; lf[w] = $2; if (w > max) max = w }
    END {
      if (max < 0) { print "player fps: no frames"; exit }
      pt = 0; pf = 0; n = 0; sum = 0; min = -1; line = ""
      for (w = 0; w <= max; w++) {
        if (!(w in lt)) { lt[w] = (w + 1) * 10; lf[w] = pf }   # no progress at all in this window
        if (lt[w] - pt < 5) break                             # a last window too short to count
        rate = (lf[w] - pf) / (lt[w] - pt); pt = lt[w]; pf = lf[w]
        line = line sprintf(" %.1f", rate)
        n++; sum += rate; if (min < 0 || rate < min) min = rate
      }
      printf "player fps per 10 s window:%s\n", line
      printf "player fps: min %.1f, avg %.1f (camera %d)\n", min, sum / n, fps
    }' "$RUN/player.frames"
} | tee "$RESULT"
echo "results: $RESULT, logs: $RUN" >&2
