#!/usr/bin/env bash
# Rolling restart of a three-node cluster behind an nginx balancer while an encoder publishes and viewers
# watch: each node in turn gets SIGTERM (it drains: /ready 503, listeners refuse new clients, connected
# ones get Cluster:DrainTimeout to leave, then it hands its streams over and exits), is started again and
# must be ready and Up before the next one goes.
#   bench/rolling-upgrade.sh
# Reports HLS request errors and HLS segments missed (both should be 0), the RTMP players' time to resume
# after a cut (p50/p99), the publisher's time to resume, and a compact timeline of the client counts the
# cluster API gave every second. Everything is logged under $BENCH_DIR/rolling (node logs, nginx access
# logs, every client's events as JSON lines); the summary is also written there as summary.txt.
#
# Env: N RTMP players (50), M HLS viewers (50), DRAIN the nodes' Cluster:DrainTimeout in s (8), SETTLE s a
# node runs after it is back before the next restart (10), WARM s before the first restart (30), TAIL s
# after the last (30), FRAGMENT HLS fragment in s (2), KIT bench kit path (../shared/bench).
#
# Nodes: node i (1..3) RTMP 39350+i, HTTP 38080+i, API 39850+i, management 38550+i, remoting 34050+i,
# media links 34150+i; the cluster forms by config discovery (no seeds), persistence SQLite per node under
# its own Storage:Root (kept across its restart). Balancer (nginx, config from bench/rolling/nginx.conf.in):
# RTMP 39350 (least_conn), HTTP 38080 (HLS hashed by client address, HTTP-FLV least_conn).
# Clients (bench/rolling/*.py, Python standard library): one publisher (ffmpeg -re -c copy of the kit's
# input.flv, restarted whenever it exits, timestamps continuing the wall clock), N RTMP players and M HLS
# viewers, all through the balancer, and a sampler of /api/v1/clients and /cluster/members.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
KIT=${KIT:-$(cd ../shared/bench && pwd)}
source "$KIT/env.sh"
N=${N:-50}; M=${M:-50}; DRAIN=${DRAIN:-8}; SETTLE=${SETTLE:-10}; WARM=${WARM:-30}; TAIL=${TAIL:-30}; FRAGMENT=${FRAGMENT:-2}
RUN=$BENCH_DIR/rolling
OUT=$BENCH_DIR/platform-rolling
HERE=$REPO/bench/rolling
STREAM=s1
SECRET=rolling-bench-secret-0123456789
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

say() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
# sleep that a trapped signal interrupts at once (bash runs traps only between foreground commands)
SLEEP_PID=
pause() { sleep "$1" & SLEEP_PID=$!; wait "$SLEEP_PID" || true; SLEEP_PID=; }
hms() { printf '%02d:%02d:%02d' $(($1 / 3600)) $(($1 % 3600 / 60)) $(($1 % 60)); }

# --- what the bench needs ------------------------------------------------------------------------------------
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# The load_module line for nginx's stream module (empty when it is built in); fails when it is missing.
stream_module() {
  local v f
  v=$("$NGINX" -V 2>&1) || return 1
  if grep -q -- '--with-stream=dynamic' <<<"$v"; then
    for f in /usr/lib/nginx/modules/ngx_stream_module.so /usr/share/nginx/modules/ngx_stream_module.so; do
      [[ -f $f ]] && { echo "load_module $f;"; return 0; }
    done
    return 1
  fi
  grep -qE -- '--with-stream( |$)' <<<"$v"
}
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
[[ -x $NGINX ]] || missing+=(nginx-core)
stream_module >/dev/null 2>&1 || missing+=(libnginx-mod-stream)
command -v python3 >/dev/null || missing+=(python3)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
LOAD_STREAM=$(stream_module) || { echo "nginx has no stream module (Debian: libnginx-mod-stream)" >&2; exit 1; }
"$KIT/make-input.sh" >/dev/null

for port in 39350 38080 $(for i in 1 2 3; do echo $((39350 + i)) $((38080 + i)) $((39850 + i)) $((38550 + i)) $((34050 + i)) $((34150 + i)); done); do
  if ss -Hltn "sport = :$port" | grep -q .; then echo "port $port is in use: is another run still going?" >&2; exit 1; fi
done

rm -rf "$RUN"; mkdir -p "$RUN/nginx-tmp"
say "building into $OUT"
for attempt in 1 2 3 4 5; do
  if dotnet publish src/Api -c Release -o "$OUT" --nologo -v q > "$RUN/build.log" 2>&1; then break; fi
  if ((attempt == 5)); then tail -20 "$RUN/build.log" >&2; exit 1; fi
  say "build failed (the tree may be mid-edit); trying again in 60 s"
  sleep 60
done

# --- processes and their end -----------------------------------------------------------------------------------
declare -A NODE_PID=()
CLIENT_PIDS=()
NGINX_PID=
EVENTS=$RUN/events.jsonl
ev() { printf '{"t":%s,"e":"%s"%s}\n' "$EPOCHREALTIME" "$1" "${2:+,$2}" >> "$EVENTS"; }

cleanup() {
  set +e
  local p i
  [[ -n $SLEEP_PID ]] && kill "$SLEEP_PID" 2>/dev/null
  for p in "${CLIENT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for i in "${!NODE_PID[@]}"; do kill -TERM "${NODE_PID[$i]}" 2>/dev/null; done
  sleep 0.5
  # A second SIGTERM ends a node's drain at once.
  for i in "${!NODE_PID[@]}"; do kill -TERM "${NODE_PID[$i]}" 2>/dev/null; done
  [[ -n $NGINX_PID ]] && kill -TERM "$NGINX_PID" 2>/dev/null
  for _ in $(seq 1 100); do
    local alive=0
    for p in "${CLIENT_PIDS[@]}" "${NODE_PID[@]}" $NGINX_PID; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for p in "${CLIENT_PIDS[@]}" "${NODE_PID[@]}" $NGINX_PID; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_node() {
  local i=$1
  echo "=== start $(date +%T.%3N)" >> "$RUN/node$i.log"
  dotnet "$OUT/Platform.Api.dll" --Storage:Root="$RUN/node$i" \
    --Rtmp:Port=$((39350 + i)) --Http:Port=$((38080 + i)) --Http:BindAddress=127.0.0.1 \
    --Api:Port=$((39850 + i)) --Api:BindAddress=127.0.0.1 --Management:Port=$((38550 + i)) \
    --Cluster:Port=$((34050 + i)) --Cluster:MediaPort=$((34150 + i)) --Cluster:Secret=$SECRET \
    --Cluster:Bootstrap:Discovery=config --Cluster:Bootstrap:Endpoints:0=127.0.0.1:38551 \
    --Cluster:Bootstrap:Endpoints:1=127.0.0.1:38552 --Cluster:Bootstrap:Endpoints:2=127.0.0.1:38553 \
    --Cluster:DrainTimeout="$(hms "$DRAIN")" --Streams:TimeJitter=Off \
    --Apps:0:Hls:Deterministic=true --Apps:0:Hls:Fragment="$(hms "$FRAGMENT")" \
    >> "$RUN/node$i.log" 2>&1 &
  NODE_PID[$i]=$!
}

# Status of node i's member in node j's /cluster/members ("Up", "Leaving", ... or "-").
member_status() {
  curl -s -m 1 "http://127.0.0.1:$((38550 + $2))/cluster/members" 2>/dev/null | python3 -c '
import json, sys
try:
    members = json.load(sys.stdin)["members"]
except Exception:
    print("-"); sys.exit()
print(next((m["status"] for m in members if m["node"].endswith(":" + sys.argv[1])), "-"))' $((34050 + $1))
}

# Node i ready (/ready 200) and Up in its own and another node's /cluster/members.
wait_up() {
  local i=$1 limit=$2 other=$(($1 % 3 + 1)) deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    kill -0 "${NODE_PID[$i]}" 2>/dev/null || return 2
    if curl -sf -m 1 "http://127.0.0.1:$((38550 + i))/ready" >/dev/null \
      && [[ $(member_status "$i" "$i") == Up && $(member_status "$i" "$other") == Up ]]; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# --- cluster, balancer, clients ----------------------------------------------------------------------------------
ev params "\"n\":$N,\"m\":$M,\"drain\":$DRAIN,\"settle\":$SETTLE,\"warm\":$WARM,\"tail\":$TAIL,\"fragment\":$FRAGMENT"
say "starting 3 nodes (drain timeout ${DRAIN} s, HLS deterministic ${FRAGMENT} s fragments)"
for i in 1 2 3; do start_node "$i"; done
for i in 1 2 3; do
  wait_up "$i" 120 || { echo "node $i did not come up; see $RUN/node$i.log" >&2; tail -5 "$RUN/node$i.log" >&2; exit 1; }
done

USER_LINE=; [[ $(id -u) -eq 0 ]] && USER_LINE="user $(id -un);"
sed -e "s|@RUN@|$RUN|g" -e "s|@USER@|$USER_LINE|" -e "s|@LOAD_STREAM@|$LOAD_STREAM|" \
  -e "s|@RTMP0@|39350|; s|@RTMP1@|39351|; s|@RTMP2@|39352|; s|@RTMP3@|39353|" \
  -e "s|@HTTP0@|38080|; s|@HTTP1@|38081|g; s|@HTTP2@|38082|g; s|@HTTP3@|38083|g" \
  "$HERE/nginx.conf.in" > "$RUN/nginx.conf"
"$NGINX" -t -q -p "$RUN" -e "$RUN/nginx-error.log" -c "$RUN/nginx.conf"
"$NGINX" -p "$RUN" -e "$RUN/nginx-error.log" -c "$RUN/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!

ev begin
python3 "$HERE/sampler.py" -o "$RUN/samples.jsonl" --nodes 1:39851:38551,2:39852:38552,3:39853:38553 \
  --remoting 34051,34052,34053 2> "$RUN/sampler.log" &
CLIENT_PIDS+=($!)
python3 "$HERE/publisher.py" -i "$BENCH_DIR/input.flv" -o "$RUN/publisher.jsonl" --log "$RUN/publisher-ffmpeg.log" \
  --api 39851,39852,39853 "rtmp://127.0.0.1:39350/live/$STREAM" 2> "$RUN/publisher.log" &
CLIENT_PIDS+=($!)
for _ in $(seq 1 150); do grep -q '"e":"live"' "$RUN/publisher.jsonl" 2>/dev/null && break; sleep 0.2; done
grep -q '"e":"live"' "$RUN/publisher.jsonl" || { echo "the publisher never went live; see $RUN/publisher-ffmpeg.log" >&2; exit 1; }
# Viewers start once the stream's playlist exists (looked for on disk: a request would start a viewer session).
for _ in $(seq 1 100); do
  compgen -G "$RUN/node[123]/hls/live/$STREAM.m3u8" >/dev/null && break
  sleep 0.5
done
say "stream live; starting $N RTMP players and $M HLS viewers"
python3 "$HERE/rtmp_players.py" -n "$N" -o "$RUN/players.jsonl" "rtmp://127.0.0.1:39350/live/$STREAM" 2> "$RUN/players.log" &
CLIENT_PIDS+=($!)
python3 "$HERE/hls_viewers.py" -n "$M" -o "$RUN/viewers.jsonl" "http://127.0.0.1:38080/live/$STREAM.m3u8" 2> "$RUN/viewers.log" &
CLIENT_PIDS+=($!)
ev clients
pause "$WARM"

# --- the rolling restart ------------------------------------------------------------------------------------------
for i in 1 2 3; do
  say "node $i: SIGTERM"
  ev sigterm "\"node\":$i"
  t0=$SECONDS
  pid=${NODE_PID[$i]}
  kill -TERM "$pid"
  hurried=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((hurried == 0 && SECONDS - t0 > DRAIN + 45)); then
      say "node $i: still running $((SECONDS - t0)) s after SIGTERM; a second SIGTERM"; ev hurry "\"node\":$i"
      kill -TERM "$pid"; hurried=1
    elif ((SECONDS - t0 > DRAIN + 75)); then
      say "node $i: still running; SIGKILL"; ev killed "\"node\":$i"; kill -KILL "$pid"
    fi
    sleep 0.1
  done
  rc=0; wait "$pid" || rc=$?
  ev exit "\"node\":$i,\"rc\":$rc"
  say "node $i: exited with $rc after $((SECONDS - t0)) s; starting it again"
  start_node "$i"
  ev start "\"node\":$i"
  if wait_up "$i" 120; then
    ev up "\"node\":$i"
    say "node $i: ready and Up"
  else
    ev notup "\"node\":$i"
    say "node $i: NOT ready/Up after 120 s (see $RUN/node$i.log); going on"
  fi
  pause "$SETTLE"
done
ev tail
say "all three restarted; running $TAIL s more"
pause "$TAIL"

# --- end and summary ---------------------------------------------------------------------------------------------------
ev end
for p in "${CLIENT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${CLIENT_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
CLIENT_PIDS=()
python3 "$HERE/summary.py" "$RUN" | tee "$RUN/summary.txt"
