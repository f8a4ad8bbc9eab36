#!/usr/bin/env bash
# Cluster fan-out: one 2 Mbit/s publisher on node A, 0 / N RTMP players on node B (fed by one media link
# from A), and the same players on a single node S beside them, in the same run.
#   bench/cluster.sh [N ...]          (default: 300 600)
# Reports A's CPU (it should stay that of one reader however many players B has), the link's bytes per
# second against the stream's bit rate (the media crosses the wire once per node), and B's CPU per player
# against the single node's. Needs ../shared/bench (rtmpload, input), ffmpeg.
# Env: DUR seconds per step (default 30), COAL client read coalescing in ms (default 25), KIT bench kit path.
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=${KIT:-$(cd ../shared/bench && pwd)}
source "$KIT/env.sh"
DUR=${DUR:-30}; COAL=${COAL:-25}
[[ $# -gt 0 ]] || set -- 300 600
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$KIT/make-input.sh" >/dev/null

OUT=$BENCH_DIR/platform-server
dotnet publish src/Api -c Release -o "$OUT" --nologo -v q >/dev/null
DATA=$BENCH_DIR/cluster-data; rm -rf "$DATA"; mkdir -p "$DATA" "$BENCH_DIR/logs" "$BENCH_DIR/results"
SECRET=bench-cluster-secret-0123456789
# node i: RTMP 2935i, HTTP 2808i, API 2985i, management 2855i, remoting 2405i, media 2415i
node() {
  local i=$1; shift
  dotnet "$OUT/Platform.Api.dll" --Storage:Root="$DATA/node$i" --Rtmp:Port=$((29350 + i)) --Http:Port=$((28080 + i)) \
    --Api:Port=$((29850 + i)) --Management:Port=$((28550 + i)) --Cluster:Port=$((24050 + i)) --Cluster:MediaPort=$((24150 + i)) \
    --Logging:LogLevel:Default=Warning "$@" > "$BENCH_DIR/logs/cluster-node$i.log" 2>&1 &
  echo $!
}
A=$(node 1 --Cluster:Seeds:0=akka.tcp://platform@127.0.0.1:24051 --Cluster:Secret=$SECRET)
B=$(node 2 --Cluster:Seeds:0=akka.tcp://platform@127.0.0.1:24051 --Cluster:Secret=$SECRET)
S=$(node 9)
trap 'kill $A $B $S 2>/dev/null; wait 2>/dev/null; "$KIT/publish.sh" stop cluster-a >/dev/null; "$KIT/publish.sh" stop single >/dev/null' EXIT
for port in 28551 28552 28559; do
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
done
"$KIT/publish.sh" rtmp://127.0.0.1:29351/live/s1 cluster-a >/dev/null
"$KIT/publish.sh" rtmp://127.0.0.1:29359/live/s1 single >/dev/null
sleep 8

HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# Bytes sent so far by A's link(s) to B, and received by A from the publisher.
link_out() { curl -s "http://127.0.0.1:29851/api/v1/clients?count=10000" | python3 -c '
import json,sys; c=json.load(sys.stdin)["clients"]
print(sum(x["send_bytes"] for x in c if x["type"]=="cluster-link-out" and x["node"].endswith(":24051")),
      sum(x["recv_bytes"] for x in c if x["type"]=="fmle-publish" and x["node"].endswith(":24051")))'; }

# Which node hosts the stream's entity, and so its HLS worker (B reads the stream for it when it is B).
curl -s "http://127.0.0.1:29851/api/v1/streams" | python3 -c '
import json,sys
for s in json.load(sys.stdin)["streams"]: print("CLUSTER entity_node=" + s["entity_node"] + " (A is :24051, B is :24052)")'

# No player on B: A serves only its publisher (and HLS, as every stream gets by default).
t0=$EPOCHREALTIME; a0=$(ticks "$A"); sleep "$DUR"; a1=$(ticks "$A"); t1=$EPOCHREALTIME
echo "CLUSTER n=0 a_cpu=$(python3 -c "print(round(($a1-$a0)/$HZ/($t1-$t0)*100,1))")"

for N in "$@"; do
  read -r l0 p0 < <(link_out); t0=$EPOCHREALTIME; a0=$(ticks "$A")
  B_LINE=$("$KIT/fanout.sh" -d "$DUR" -w "$COAL" -p "$B" -u rtmp://127.0.0.1:29352/live/s1 -t cluster-b "$N" | grep FANOUT)
  a1=$(ticks "$A"); t1=$EPOCHREALTIME; read -r l1 p1 < <(link_out)
  S_LINE=$("$KIT/fanout.sh" -d "$DUR" -w "$COAL" -p "$S" -u rtmp://127.0.0.1:29359/live/s1 -t single "$N" | grep FANOUT)
  python3 - "$N" "$a0" "$a1" "$t0" "$t1" "$l0" "$l1" "$p0" "$p1" "$HZ" "$B_LINE" "$S_LINE" <<'PY'
import re, sys
n, a0, a1, t0, t1, l0, l1, p0, p1, hz = (float(x) for x in sys.argv[1:11])
b = dict(re.findall(r'(\w+)=([^ ]+)', sys.argv[11])); s = dict(re.findall(r'(\w+)=([^ ]+)', sys.argv[12]))
dt = t1 - t0
link, stream = (l1 - l0) * 8 / dt / 1000, (p1 - p0) * 8 / dt / 1000
print(f"CLUSTER n={int(n)} a_cpu={(a1 - a0) / hz / dt * 100:.1f} b_cpu={b['cpu']} single_cpu={s['cpu']} "
      f"b_per_player_vs_single={float(b['cpu']) / max(float(s['cpu']), 0.01):.2f} link_kbps={link:.0f} stream_kbps={stream:.0f} "
      f"link_vs_stream={link / max(stream, 1):.2f} b_got_video={b['got_video']} single_got_video={s['got_video']} "
      f"b_ttff_p50={b['ttff_p50']} single_ttff_p50={s['ttff_p50']} b_rss_mb={b['rss_mb']} single_rss_mb={s['rss_mb']}")
PY
done
