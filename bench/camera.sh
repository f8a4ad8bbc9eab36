#!/usr/bin/env bash
# An IP camera into the node as a long run: does the stream run the whole time without a cut, and at what
# frame rate do players see it?
#   bench/camera.sh
# An RTSP camera (tests/fixtures/rtsp-camera.py: H.264 SIZE at FPS, a keyframe every 2 s, AAC) runs on
# loopback; for each ingest the node (Release build of src/Api) starts fresh; the camera gets into the node
# by the ingest for DURATION seconds while a player (ffmpeg, -c copy to null) reads the stream from the node.
# Ingest "push", the README's own camera command: ffmpeg -rtsp_transport tcp -i rtsp://… -c copy -f flv
# rtmp://127.0.0.1:PORT/live/s1 (ffmpeg's -progress and log options added, nothing else).
# Ingest "pull": the node pulls the camera itself, an always-on source (Sources:0:Stream=live/s1,
# Sources:0:Url=rtsp://…; RTSP over TCP, the default), which the node runs through its own supervised ffmpeg.
# Report per ingest: whether it ran the whole time without a cut, checked once a second (both: the stream has
# its publisher in /api/v1/streams; push: its process alive, and when it died if not; pull: the source's
# state in /api/v1/sources running, no restart, the same ffmpeg process from start to end), the frames the ingest sent (push: ffmpeg's count) and the frames
# the node received (audio and video), the player's frames, the player's frame rate per 10 s window with its
# min and avg (the first window holds the cached GOP a player starts with), and the CPU (% of one core, from
# 10 s after the player's start to the end) and peak RSS of the node and of the ingest's ffmpeg.
# Results go to $BENCH_DIR/results/camera.txt. Env: INGEST (both: push then pull; or push, pull),
# DURATION (300), PLAY (flv: HTTP-FLV, or rtmp), SIZE (640x360), FPS (25), KIT (the bench kit, for $BENCH_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
KIT=${KIT:-$(cd ../shared/bench 2>/dev/null && pwd || echo "")}
if [[ -n $KIT && -f $KIT/env.sh ]]; then source "$KIT/env.sh"; else BENCH_DIR=${BENCH_DIR:-/tmp/platform-bench}; mkdir -p "$BENCH_DIR/results"; fi
DURATION=${DURATION:-300}; PLAY=${PLAY:-flv}; SIZE=${SIZE:-640x360}; FPS=${FPS:-25}; INGEST=${INGEST:-both}
case $INGEST in
  both) MODES=(push pull) ;;
  push | pull) MODES=("$INGEST") ;;
  *) echo "INGEST must be push, pull or both" >&2; exit 2 ;;
esac
RUN=$BENCH_DIR/camera
RESULT=$BENCH_DIR/results/camera.txt
rm -rf "$RUN"; mkdir -p "$RUN"
RTMP=39651; HTTP=38381; API=40151; MGMT=38851; REMOTING=34651; MEDIA=34751
STREAM=live/s1
HZ=$(getconf CLK_TCK)

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

# A process's CPU ticks (utime + stime) and RSS in KiB, from /proc without starting a process; 0 if gone.
ticks() { local s f; { [[ -n $1 ]] && s=$(<"/proc/$1/stat"); } 2>/dev/null || { echo 0; return; }; read -ra f <<<"${s##*) }"; echo $((f[11] + f[12])); }
rss_kib() {
  local line v
  [[ -n $1 ]] && { while read -r line; do [[ $line == VmRSS:* ]] && { read -r _ v _ <<<"$line"; echo "$v"; return; }; done <"/proc/$1/status"; } 2>/dev/null
  echo 0
}

start_camera() {
  /usr/bin/python3 tests/fixtures/rtsp-camera.py 0 cam --size "$SIZE" --fps "$FPS" >"$RUN/camera.out" 2>"$RUN/camera.log" &
  CAMERA=$!; PIDS+=("$CAMERA")
  for _ in $(seq 100); do grep -q '^READY ' "$RUN/camera.out" && break; sleep 0.1; done
  CAMERA_URL=$(awk '/^READY /{print $2; exit}' "$RUN/camera.out")
  [[ -n $CAMERA_URL ]] || { echo "the camera did not start:" >&2; cat "$RUN/camera.log" >&2; exit 1; }
}

start_node() { # mode, extra settings...
  local mode=$1; shift
  dotnet "$REPO/src/Api/bin/Release/net10.0/Platform.Api.dll" --Storage:Root="$RUN/data-$mode" --Rtmp:Port=$RTMP --Http:Port=$HTTP \
    --Api:Port=$API --Management:Port=$MGMT --Cluster:Port=$REMOTING --Cluster:MediaPort=$MEDIA "$@" >"$RUN/node-$mode.log" 2>&1 &
  NODE=$!; PIDS+=("$NODE")
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$MGMT/ready" >/dev/null && return; sleep 0.2; done
  echo "the node did not get ready:" >&2; tail -20 "$RUN/node-$mode.log" >&2; exit 1
}

# The stream's entry in the node's API: "<publishing true|false> <frames in>".
stream_state() {
  curl -sf "http://127.0.0.1:$API/api/v1/streams?count=100" | python3 -c '
import json, sys
for s in json.load(sys.stdin)["streams"]:
    if s["app"] + "/" + s["name"] == sys.argv[1]:
        print("true" if s["publish"]["active"] else "false", s["frames"]); break
else:
    print("false 0")' "$STREAM" 2>/dev/null || echo "false 0"
}

# The source's state and restarts in /api/v1/sources: "<state> <restarts>" (grep, to stay cheap once a second).
source_state() {
  local json state restarts
  json=$(curl -sf "http://127.0.0.1:$API/api/v1/sources") || { echo "no-answer -"; return; }
  state=$(grep -o '"state":"[a-z]*"' <<<"$json" | head -1 | cut -d'"' -f4)
  restarts=$(grep -o '"restarts":[0-9]*' <<<"$json" | head -1 | cut -d: -f2)
  echo "${state:-none} ${restarts:--}"
}

# An ingest gets the camera into the node as $STREAM. It sets INGEST_NAME and, for push, INGEST (the pid
# of the process whose life is the ingest's) and writes its frames to $RUN/ingest-push.frames.
ingest_push() {
  INGEST_NAME="push (ffmpeg -rtsp_transport tcp -i $CAMERA_URL -c copy -f flv rtmp://127.0.0.1:$RTMP/$STREAM)"
  start_node push
  ffmpeg -hide_banner -nostdin -nostats -loglevel warning -stats_period 1 -progress pipe:1 \
    -rtsp_transport tcp -i "$CAMERA_URL" -c copy -f flv "rtmp://127.0.0.1:$RTMP/$STREAM" \
    > >(stamp_frames >"$RUN/ingest-push.frames") 2>"$RUN/ingest-push.log" &
  INGEST=$!; PIDS+=("$INGEST"); INGEST_START=$EPOCHREALTIME
}

# The node pulls the camera: an always-on source, run by the node's own ffmpeg (its child process).
ingest_pull() {
  INGEST_NAME="pull (Sources:0:Stream=$STREAM, Sources:0:Url=$CAMERA_URL, always-on, RTSP over TCP)"
  start_node pull --Sources:0:Stream="$STREAM" --Sources:0:Url="$CAMERA_URL"
  INGEST_START=$EPOCHREALTIME
  INGEST=""
  for _ in $(seq 200); do INGEST=$(pgrep -P "$NODE" -x ffmpeg | head -1 || true); [[ -n $INGEST ]] && break; sleep 0.1; done
}

start_player() {
  local url=http://127.0.0.1:$HTTP/$STREAM.flv
  [[ $PLAY == rtmp ]] && url=rtmp://127.0.0.1:$RTMP/$STREAM
  PLAYER_URL=$url
  ffmpeg -hide_banner -nostdin -nostats -loglevel warning -stats_period 1 -progress pipe:1 -i "$url" -map 0:v -c copy -f null - \
    > >(stamp_frames >"$RUN/player-$MODE.frames") 2>"$RUN/player-$MODE.log" &
  PLAYER=$!; PIDS+=("$PLAYER")
}

last_frames() { tail -1 "$1" 2>/dev/null | awk '{print $2+0}'; }

run() { # push | pull
  MODE=$1
  "ingest_$MODE"
  # Wait for the stream to be published (at most 20 s) before the player starts.
  for _ in $(seq 40); do [[ $(stream_state) == true* ]] && break; [[ -n $INGEST ]] && ! kill -0 "$INGEST" 2>/dev/null && break; sleep 0.5; done
  start_player
  START=$EPOCHREALTIME; CPU_START=""
  echo "$MODE: ingest started, player on $PLAYER_URL, $DURATION s" >&2

  local t cut_at="" player_cut_at="" cut_why="" state restarts pid node_t0=0 ingest_t0=0 node_rss=0 ingest_rss=0 v published
  : >"$RUN/source-$MODE.txt"
  # Once a second until DURATION s after the player's start (t: whole seconds since then).
  while :; do
    sleep 1
    t=$(((${EPOCHREALTIME/./} - ${START/./}) / 1000000))
    # Both ingests: the stream has its publisher in the node's API (the same request a second for both).
    published=$(curl -sf "http://127.0.0.1:$API/api/v1/streams?count=100" | grep -c '"publish":{"active":true' || true)
    if [[ -z $cut_at && $published != 1 ]]; then cut_at=$t; cut_why="no publisher in /api/v1/streams"; fi
    if [[ $MODE == push ]]; then
      [[ -z $cut_at ]] && ! kill -0 "$INGEST" 2>/dev/null && cut_at=$t && cut_why="ffmpeg exited"
      echo "+${t}s published=$published ffmpeg=$(kill -0 "$INGEST" 2>/dev/null && echo "$INGEST" || echo none)" >>"$RUN/source-$MODE.txt"
    else
      read -r state restarts <<<"$(source_state)"
      pid=$(pgrep -P "$NODE" -x ffmpeg | head -1 || true)
      echo "+${t}s published=$published state=$state restarts=$restarts ffmpeg=${pid:-none}" >>"$RUN/source-$MODE.txt"
      if [[ -z $cut_at && ($state != running || $restarts != 0 || $pid != "$INGEST") ]]; then
        cut_at=$t; cut_why="state $state, restarts $restarts, ffmpeg pid ${pid:-none} (was $INGEST)"
      fi
    fi
    [[ -z $player_cut_at ]] && ! kill -0 "$PLAYER" 2>/dev/null && player_cut_at=$t
    if [[ -z ${CPU_START:-} ]] && ((t >= 10)); then node_t0=$(ticks "$NODE"); ingest_t0=$(ticks "$INGEST"); CPU_START=$EPOCHREALTIME; fi
    if ((t >= 10)); then
      v=$(rss_kib "$NODE"); ((v > node_rss)) && node_rss=$v
      v=$(rss_kib "$INGEST"); ((v > ingest_rss)) && ingest_rss=$v
    fi
    if ((t >= DURATION)); then break; fi
  done
  local node_t1 ingest_t1 frames_in
  node_t1=$(ticks "$NODE"); ingest_t1=$(ticks "$INGEST"); CPU_END=$EPOCHREALTIME
  read -r _ frames_in <<<"$(stream_state)"
  END=$EPOCHREALTIME
  kill -INT "$PLAYER" 2>/dev/null || true; wait "$PLAYER" 2>/dev/null || true
  if [[ $MODE == push ]]; then kill -INT "$INGEST" 2>/dev/null || true; wait "$INGEST" 2>/dev/null || true; fi
  kill -TERM "$NODE" 2>/dev/null || true; wait "$NODE" 2>/dev/null || true
  sleep 0.5 # the last progress lines
  local left
  left=$(pgrep -fc "^ffmpeg .*-i $CAMERA_URL " || true)

  {
    echo "== ingest $MODE: camera $CAMERA_URL (H.264 $SIZE at $FPS fps, AAC), $DURATION s"
    echo "ingest: $INGEST_NAME"
    if [[ -z $cut_at ]]; then
      echo "ingest: ran the whole time without a cut"
    else
      echo "ingest: CUT after ${cut_at} s ($cut_why)"
      if [[ $MODE == push ]]; then
        echo "  its last errors:"; tail -5 "$RUN/ingest-push.log" | sed 's/^/  /'
      else
        echo "  the node's log about the source:"; grep -i 'source\|ffmpeg' "$RUN/node-pull.log" | tail -8 | sed 's/^/  /'
      fi
    fi
    if [[ $MODE == push ]]; then
      awk -v t0="$INGEST_START" '{ t = $1; f = $2 } END { if (NR) printf "ingest frames: %d video frames sent in %.1f s from its start (%.1f fps)\n", f, t - t0, f / (t - t0) }' "$RUN/ingest-push.frames"
    fi
    echo "node frames in (audio and video): $frames_in"
    if [[ -z $player_cut_at ]]; then
      echo "player: $PLAYER_URL, ran the whole time"
    else
      echo "player: $PLAYER_URL, ENDED after ${player_cut_at} s; its last errors:"; tail -5 "$RUN/player-$MODE.log" | sed 's/^/  /'
    fi
    echo "player frames: $(last_frames "$RUN/player-$MODE.frames")"
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
      }' "$RUN/player-$MODE.frames"
    python3 -c "
dt = $CPU_END - ${CPU_START:-$CPU_END}
cpu = lambda a, b: (b - a) / $HZ / dt * 100 if dt > 0 and b >= a else float('nan')
print(f'node: CPU {cpu($node_t0, $node_t1):.1f} % of one core, RSS peak {$node_rss / 1024:.0f} MiB; '
      f'ingest ffmpeg: CPU {cpu($ingest_t0, $ingest_t1):.1f} %, RSS peak {$ingest_rss / 1024:.0f} MiB (from 10 s to the end)')"
    echo "ffmpeg reading the camera left after the node stopped: $left"
  } | tee -a "$RESULT"
}

: >"$RESULT"
dotnet build "$REPO/src/Api" -c Release -nologo -v q >/dev/null
start_camera
for mode in "${MODES[@]}"; do run "$mode"; done
echo "results: $RESULT, logs: $RUN" >&2
