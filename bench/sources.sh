#!/usr/bin/env bash
# Pulled sources: N on-demand pulls of a second server (the upstream) by the node, the node's CPU and memory
# per pull beside the upstream's cost to serve them, and beside what users do today (one ffmpeg -c copy
# relay per stream, pushing into the node).
#   bench/sources.sh            (N=50)
# The upstream is nginx-rtmp, the bench kit's peer (its config with HLS off, on ports of its own, in a
# folder of its own); N streams s0..s{N-1} of the shared input are published into it by one process (the
# project's load tool, tests/Platform.Load, as bench/hls.sh does), outside every measured process.
# The node (Release build of src/Api, HLS off) has one on-demand pattern source:
#   Sources:0:Stream=live/cam-{id}  Sources:0:Url=rtmp://127.0.0.1:UP/live/s{id}  Sources:0:OnDemand=true
# Phases, each measured over MEASURE s from /proc (CPU in % of one core, RSS the peak in the window):
#   idle   the node with no stream; the upstream with its N publishers and no reader (its ingest cost)
#   pull   N players (rtmpload, one per stream) play live/cam-0..N-1 on the node, which pulls each from
#          the upstream; measured WARM s after the first player
#   close  after the players leave: every pull must stop CloseAfter (CLOSE_AFTER s) later: the API's
#          sources, the node's connections to the upstream and the upstream's readers, once a second
#   relay  a fresh node; N ffmpeg relays (ffmpeg -i rtmp://upstream/live/sI -c copy -f flv
#          rtmp://node/live/rI) and N players of live/r0..N-1 on the node; the relays' summed CPU and RSS
#          beside the node's; after the players leave, whether the relays (and their upstream reads) are
#          still there
# RSS of the relays is also given as PSS (their shared libraries counted once, not N times).
# Results go to $BENCH_DIR/results/sources.txt (logs in $BENCH_DIR/sources). Env: N (50), WARM (30: a fresh
# node's JIT settles in about 20 s),
# MEASURE (30), CLOSE_AFTER (10, the rule's CloseAfter in s), KIT (the bench kit).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
KIT=${KIT:-$(cd ../shared/bench && pwd)}
source "$KIT/env.sh"
N=${N:-50}; WARM=${WARM:-30}; MEASURE=${MEASURE:-30}; CLOSE_AFTER=${CLOSE_AFTER:-10}
RUN=$BENCH_DIR/sources
RESULT=$BENCH_DIR/results/sources.txt
rm -rf "$RUN"; mkdir -p "$RUN"/{players,relays}
RTMP=39751; HTTP=38481; API=40251; MGMT=38951; REMOTING=34851; MEDIA=34951   # the node
UP_RTMP=39761; UP_HTTP=38491                                                 # the upstream (nginx-rtmp)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
command -v ffmpeg >/dev/null || { echo "ffmpeg is missing: apt-get install -y ffmpeg" >&2; exit 1; }
[[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]] || { echo "nginx-rtmp is missing: apt-get install -y nginx libnginx-mod-rtmp" >&2; exit 1; }

"$KIT/make-input.sh" >/dev/null
# The kit is read-only: rtmpload is built here, with the kit's Makefile flags.
cc -O2 -Wall -pthread -o "$RUN/rtmpload" "$KIT/rtmpload/rtmpload.c" -lm -pthread
LOAD=$RUN/rtmpload
dotnet build "$REPO/tests/Platform.Load" -c Release -o "$RUN/load" -nologo -v q >/dev/null
dotnet build "$REPO/src/Api" -c Release -nologo -v q >/dev/null
DLL=$REPO/src/Api/bin/Release/net10.0/Platform.Api.dll
HZ=$(getconf CLK_TCK)

PIDS=()
UP_DIR=$RUN/nginx
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -s $UP_DIR/run/nginx.pid ]]; then kill -QUIT "$(cat "$UP_DIR/run/nginx.pid")" 2>/dev/null || true; fi
}
trap cleanup EXIT

# The upstream: the kit's nginx-rtmp config, HLS off (it serves RTMP readers here, nothing else), its own
# ports, pid file and logs under $RUN/nginx; started the way the kit's start.sh does.
start_upstream() {
  mkdir -p "$UP_DIR"/{run,logs,tmp,nginx-hls}
  sed -e "s#@DIR@#$UP_DIR#g" -e "s#@RTMP_PORT@#$UP_RTMP#g" -e "s#@HTTP_PORT@#$UP_HTTP#g" -e 's#hls on;#hls off;#' \
    "$KIT/peers/nginx-rtmp/nginx.conf.in" >"$UP_DIR/run/nginx.conf"
  nginx -p "$UP_DIR/" -c "$UP_DIR/run/nginx.conf" -e "$UP_DIR/logs/nginx-error.log"
  local _
  for _ in $(seq 50); do [[ -s $UP_DIR/run/nginx.pid ]] && break; sleep 0.1; done
  UP=""
  for _ in $(seq 50); do UP=$(pgrep -P "$(cat "$UP_DIR/run/nginx.pid")" | head -1 || true); [[ -n $UP ]] && break; sleep 0.1; done
  [[ -n $UP ]] || { echo "nginx-rtmp did not start" >&2; cat "$UP_DIR/logs/nginx-error.log" >&2; exit 1; }
}

# The upstream's readers (clients that are not publishing), from its rtmp_stat page.
upstream_readers() { curl -sf "http://127.0.0.1:$UP_HTTP/stat" | grep '^<client>' | grep -vc '<publishing/>' || true; }

start_node() { # tag
  rm -rf "$RUN/data-$1"
  dotnet "$DLL" --Storage:Root="$RUN/data-$1" --Rtmp:Port=$RTMP --Http:Port=$HTTP --Api:Port=$API --Management:Port=$MGMT \
    --Cluster:Port=$REMOTING --Cluster:MediaPort=$MEDIA --Apps:0:App=live --Apps:0:Hls:Enabled=false \
    --Sources:0:Stream='live/cam-{id}' --Sources:0:Url="rtmp://127.0.0.1:$UP_RTMP/live/s{id}" --Sources:0:OnDemand=true \
    --Sources:0:CloseAfter="$(printf '00:00:%02d' "$CLOSE_AFTER")" >"$RUN/node-$1.log" 2>&1 &
  NODE=$!; PIDS+=("$NODE")
  local _
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$MGMT/ready" >/dev/null && return; sleep 0.2; done
  echo "the node did not get ready:" >&2; tail -20 "$RUN/node-$1.log" >&2; exit 1
}

stop_node() { kill -TERM "$NODE" 2>/dev/null || true; wait "$NODE" 2>/dev/null || true; }

# The API's sources: "<listed> <running>".
api_sources() {
  curl -sf "http://127.0.0.1:$API/api/v1/sources" | python3 -c '
import json, sys
s = json.load(sys.stdin)["sources"]
print(len(s), sum(1 for e in s if e["source"]["state"] == "running"))' 2>/dev/null || echo "? ?"
}

# Streams on the node with a publisher (a pull or a relay).
api_publishing() {
  curl -sf "http://127.0.0.1:$API/api/v1/streams?count=1000" | python3 -c '
import json, sys
print(sum(1 for s in json.load(sys.stdin)["streams"] if s["publish"]["active"]))' 2>/dev/null || echo "?"
}

# The node's TCP connections to the upstream.
node_upstream_conns() { ss -tnpH state established "( dport = :$UP_RTMP )" 2>/dev/null | grep -c "pid=$NODE," || true; }

# N players (rtmpload, one process per stream, -w 25 as elsewhere in the benches), 10 a second.
start_players() { # tag stream-prefix seconds
  local i
  PLAYERS=()
  for ((i = 0; i < N; i++)); do
    "$LOAD" -q -n 1 -d "$3" -t 15 -w 25 "rtmp://127.0.0.1:$RTMP/live/$2$i" >"$RUN/players/$1-$i.txt" 2>&1 &
    PLAYERS+=($!); PIDS+=($!)
    sleep 0.1
  done
}

wait_players() { local pid; for pid in "${PLAYERS[@]}"; do wait "$pid" 2>/dev/null || true; done; }

# Players' results: "<got video> <errors> <Mbit/s summed> <first frame p50 of the players' own p50s>".
players_summary() { # tag
  cat "$RUN"/players/"$1"-*.txt | awk '/^RESULT/ {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      got += v["got_video"]; err += v["errors"]; mbps += v["mbps"]; t[++n] = v["ttff_p50"] + 0 }
    END { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
      printf "%d %d %.0f %d\n", got, err, mbps, n ? t[int((n + 1) / 2)] : -1 }'
}

# CPU (% of one core over the window), peak RSS and peak PSS (MiB, sampled once a second) of groups of
# processes:   measure SECONDS name=pid,pid,... ...   prints "name cpu rss pss" per group.
measure() {
  python3 - "$HZ" "$@" <<'PY'
import sys, time
hz, seconds, groups = float(sys.argv[1]), float(sys.argv[2]), [a.split("=", 1) for a in sys.argv[3:]]
groups = [(name, [p for p in pids.split(",") if p]) for name, pids in groups]
def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])
    except OSError:
        return None
def kib(pid, path, key):
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
first = {p: ticks(p) for _, pids in groups for p in pids}
t0 = time.monotonic(); peak = {name: 0 for name, _ in groups}; peak_pss = dict(peak)
while True:
    for name, pids in groups:
        peak[name] = max(peak[name], sum(kib(p, "status", "VmRSS:") for p in pids))
        peak_pss[name] = max(peak_pss[name], sum(kib(p, "smaps_rollup", "Pss:") for p in pids))
    if time.monotonic() - t0 >= seconds:
        break
    time.sleep(1)
last = {p: ticks(p) for _, pids in groups for p in pids}
dt = time.monotonic() - t0
for name, pids in groups:
    used = sum(last[p] - first[p] for p in pids if first[p] is not None and last[p] is not None)
    print(name, f"{used / hz / dt * 100:.1f}", f"{peak[name] / 1024:.1f}", f"{peak_pss[name] / 1024:.1f}")
PY
}

value() { awk -v n="$2" '$1 == n { print $'"$3"' }' <<<"$1"; }   # value MEASURED name column(2 cpu, 3 rss, 4 pss)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "upstream: nginx-rtmp, $N streams of $BENCH_DIR/input.flv; node: $DLL" >&2

# --- idle: the node without streams, the upstream with its publishers and no reader ---
start_upstream
dotnet "$RUN/load/Platform.Load.dll" publish -q -n "$N" -d 3600 -f "$BENCH_DIR/input.flv" "rtmp://127.0.0.1:$UP_RTMP/live/s" >"$RUN/publishers.log" 2>&1 &
PUB=$!; PIDS+=("$PUB")
start_node pull
sleep 10
echo "idle: measuring $MEASURE s" >&2
IDLE=$(measure "$MEASURE" node="$NODE" upstream="$UP")

# --- pull: N players on live/cam-I, the node pulls live/sI from the upstream ---
echo "pull: $N players of live/cam-0..$((N - 1))" >&2
start_players pull cam- $((N / 10 + WARM + MEASURE + 5))
sleep "$WARM"
PULL_API=$(api_sources); PULL_UP_READERS=$(upstream_readers); PULL_CONNS=$(node_upstream_conns)
echo "pull: measuring $MEASURE s (API sources listed/running: $PULL_API, upstream readers: $PULL_UP_READERS)" >&2
PULL=$(measure "$MEASURE" node="$NODE" upstream="$UP")
wait_players
LEFT=$EPOCHREALTIME
read -r PULL_GOT PULL_ERR PULL_MBPS PULL_TTFF <<<"$(players_summary pull)"

# --- close: every pull must stop CloseAfter after its last player left ---
echo "close: watching the pulls stop (CloseAfter $CLOSE_AFTER s)" >&2
: >"$RUN/close.txt"
STOPPED_AT=""
for ((t = 1; t <= CLOSE_AFTER + 30; t++)); do
  sleep 1
  read -r listed running <<<"$(api_sources)"
  conns=$(node_upstream_conns); readers=$(upstream_readers)
  since=$(python3 -c "print(f'{$EPOCHREALTIME - $LEFT:.1f}')")
  echo "+${since}s sources_listed=$listed running=$running node_conns_to_upstream=$conns upstream_readers=$readers" >>"$RUN/close.txt"
  if [[ $listed == 0 && $conns == 0 && $readers == 0 ]]; then STOPPED_AT=$since; break; fi
done
CLOSE_LAST=$(tail -1 "$RUN/close.txt")
STOPPED_LOGGED=$(grep -c 'source rtmp://.* stopped' "$RUN/node-pull.log" || true)
NODE_RSS_AFTER=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$NODE/status")
stop_node

# --- relay: what users do today, one ffmpeg -c copy relay per stream into a fresh node ---
start_node relay
echo "relay: $N ffmpeg relays upstream live/sI -> node live/rI" >&2
RELAYS=()
for ((i = 0; i < N; i++)); do
  ffmpeg -hide_banner -nostdin -loglevel warning -i "rtmp://127.0.0.1:$UP_RTMP/live/s$i" -c copy -f flv "rtmp://127.0.0.1:$RTMP/live/r$i" \
    >"$RUN/relays/$i.log" 2>&1 &
  RELAYS+=($!); PIDS+=($!)
  sleep 0.1
done
for _ in $(seq 60); do [[ $(api_publishing) == "$N" ]] && break; sleep 1; done
RELAY_PUBLISHING=$(api_publishing)
start_players relay r $((N / 10 + WARM + MEASURE + 5))
sleep "$WARM"
RELAY_UP_READERS=$(upstream_readers)
echo "relay: measuring $MEASURE s (relays publishing: $RELAY_PUBLISHING, upstream readers: $RELAY_UP_READERS)" >&2
RELAY_LIST=$(IFS=,; echo "${RELAYS[*]}")
RELAY=$(measure "$MEASURE" node="$NODE" upstream="$UP" relays="$RELAY_LIST")
wait_players
read -r RELAY_GOT RELAY_ERR RELAY_MBPS RELAY_TTFF <<<"$(players_summary relay)"
sleep $((CLOSE_AFTER + 5))
RELAYS_ALIVE=0
for pid in "${RELAYS[@]}"; do kill -0 "$pid" 2>/dev/null && RELAYS_ALIVE=$((RELAYS_ALIVE + 1)); done
RELAY_UP_READERS_AFTER=$(upstream_readers)
RELAY_AFTER=$(measure 10 relays="$RELAY_LIST" upstream="$UP")
for pid in "${RELAYS[@]}"; do kill "$pid" 2>/dev/null || true; done
stop_node
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ---
i_node_cpu=$(value "$IDLE" node 2); i_node_rss=$(value "$IDLE" node 3); i_up_cpu=$(value "$IDLE" upstream 2); i_up_rss=$(value "$IDLE" upstream 3)
p_node_cpu=$(value "$PULL" node 2); p_node_rss=$(value "$PULL" node 3); p_up_cpu=$(value "$PULL" upstream 2); p_up_rss=$(value "$PULL" upstream 3)
r_node_cpu=$(value "$RELAY" node 2); r_node_rss=$(value "$RELAY" node 3); r_up_cpu=$(value "$RELAY" upstream 2); r_up_rss=$(value "$RELAY" upstream 3)
r_rel_cpu=$(value "$RELAY" relays 2); r_rel_rss=$(value "$RELAY" relays 3); r_rel_pss=$(value "$RELAY" relays 4)
i_node_pss=$(value "$IDLE" node 4); p_node_pss=$(value "$PULL" node 4); r_node_pss=$(value "$RELAY" node 4)
ra_rel_cpu=$(value "$RELAY_AFTER" relays 2); ra_up_cpu=$(value "$RELAY_AFTER" upstream 2)
calc() { python3 -c "print($1)"; }
{
  echo "bench/sources.sh: $N on-demand pulls of nginx-rtmp by the node, beside $N ffmpeg -c copy relays ($(date -u +%FT%TZ))"
  echo "input: $N x $BENCH_DIR/input.flv (2 Mbit/s) published into nginx-rtmp by one load process; players: rtmpload -n 1 -w 25 per stream"
  echo "window: $MEASURE s, $WARM s after the first player; CPU in % of one core; RSS the peak in the window; load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
  echo
  printf '%-34s %9s %9s %10s %11s %12s %13s %13s %10s %9s\n' case node_cpu% node_MiB upstream% upstream_MiB relays_cpu% relays_rss/pss players_video errors Mbit/s
  printf '%-34s %9s %9s %10s %11s %12s %13s %13s %10s %9s\n' "idle (node: no stream)" "$i_node_cpu" "$i_node_rss" "$i_up_cpu" "$i_up_rss" - - - - -
  printf '%-34s %9s %9s %10s %11s %12s %13s %13s %10s %9s\n' "pull ($N on-demand pulls)" "$p_node_cpu" "$p_node_rss" "$p_up_cpu" "$p_up_rss" - - "$PULL_GOT/$N" "$PULL_ERR" "$PULL_MBPS"
  printf '%-34s %9s %9s %10s %11s %12s %13s %13s %10s %9s\n' "relay ($N ffmpeg -c copy relays)" "$r_node_cpu" "$r_node_rss" "$r_up_cpu" "$r_up_rss" "$r_rel_cpu" "$r_rel_rss/$r_rel_pss" "$RELAY_GOT/$N" "$RELAY_ERR" "$RELAY_MBPS"
  echo
  echo "pull: API sources listed/running $PULL_API; upstream readers $PULL_UP_READERS; node connections to the upstream $PULL_CONNS; players' first frame p50 $PULL_TTFF ms"
  echo "relay: node streams published by relays $RELAY_PUBLISHING; upstream readers $RELAY_UP_READERS; players' first frame p50 $RELAY_TTFF ms"
  echo "node added by the pulls: $(calc "round($p_node_cpu - $i_node_cpu, 1)") points of CPU, $(calc "round(($p_node_rss - $i_node_rss) * 1024 / $N)") KiB RSS per pull (idle $i_node_rss MiB -> $p_node_rss MiB, each pull with its one player; PSS $i_node_pss -> $p_node_pss MiB)"
  echo "upstream added to serve the pulls: $(calc "round($p_up_cpu - $i_up_cpu, 1)") points of CPU, $(calc "round(($p_up_rss - $i_up_rss) * 1024 / $N)") KiB RSS per reader"
  echo "node / upstream, each taking in $N streams and sending $N: CPU $(calc "round($p_node_cpu / $p_up_cpu, 2)")x, RSS $(calc "round($p_node_rss / $p_up_rss, 1)")x"
  echo "node's added CPU / upstream's added CPU to serve them: $(calc "round(($p_node_cpu - $i_node_cpu) / max($p_up_cpu - $i_up_cpu, 0.1), 2)")x"
  echo "relays: node + relays CPU $(calc "round($r_node_cpu + $r_rel_cpu, 1)") % vs the node's own pull $p_node_cpu % ($(calc "round(($r_node_cpu + $r_rel_cpu) / $p_node_cpu, 2)")x); memory (PSS) $(calc "round($r_node_pss + $r_rel_pss)") MiB vs $p_node_pss MiB ($(calc "round(($r_node_pss + $r_rel_pss) / $p_node_pss, 1)")x); per relay $(calc "round($r_rel_pss * 1024 / $N)") KiB PSS, $(calc "round($r_rel_rss * 1024 / $N)") KiB RSS"
  if [[ -n $STOPPED_AT ]]; then
    echo "after the players left (pull): all $N pulls stopped ${STOPPED_AT} s after the last player (CloseAfter $CLOSE_AFTER s): $CLOSE_LAST; node log: $STOPPED_LOGGED 'source ... stopped' lines; node RSS then $NODE_RSS_AFTER MiB"
  else
    echo "after the players left (pull): NOT ALL STOPPED within $((CLOSE_AFTER + 30)) s: $CLOSE_LAST; node log: $STOPPED_LOGGED 'source ... stopped' lines"
  fi
  echo "after the players left (relay): $RELAYS_ALIVE of $N relays still running $((CLOSE_AFTER + 5)) s later, upstream readers $RELAY_UP_READERS_AFTER, relays' CPU $ra_rel_cpu %, upstream's $ra_up_cpu %"
} | tee "$RESULT"
echo "results: $RESULT, logs: $RUN" >&2
