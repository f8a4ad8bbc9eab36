#!/usr/bin/env bash
# A local cluster of N nodes on this machine, to try the cluster in one command.
#
#   scripts/cluster.sh up [N]    build src/Api (Release), start N nodes (3 by default), wait until ready
#   scripts/cluster.sh status    which nodes run, and the cluster's members as node 1 (or the first running) sees them
#   scripts/cluster.sh restart I drain node I (SIGTERM), start it again, wait until ready (a rolling upgrade's step)
#   scripts/cluster.sh down      stop the nodes (SIGTERM: they drain; a second SIGTERM after 15 s, SIGKILL 10 s later)
#
# Node i (1-based) listens on RTMP 19350+i, HTTP-FLV/HLS 18080+i, API 19850+i, management 18550+i,
# Akka remoting 14050+i and media links 14150+i, all on 127.0.0.1 (RTMP and HTTP on every address).
# The nodes find each other by Cluster Bootstrap over their management ports (no seeds). Persistence: PLATFORM_POSTGRES (a connection string), shared by every node, when
# set; otherwise each node its own SQLite under its folder.
# State (secret, pids, logs node<i>.log, data node<i>/, the built app): ${PLATFORM_CLUSTER_DIR:-./.cluster}
# at the repository root. CLUSTER_SH_LEGACY=1 uses node 1 as seed and leaves out Cluster:Secret,
# Cluster:MediaPort and bootstrap, for a build that does not know them.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=$(realpath -m "${PLATFORM_CLUSTER_DIR:-$ROOT/.cluster}")
READY_TIMEOUT=60
STOP_TIMEOUT=15

rtmp_port() { echo $((19350 + $1)); }
http_port() { echo $((18080 + $1)); }
api_port() { echo $((19850 + $1)); }
mgmt_port() { echo $((18550 + $1)); }
akka_port() { echo $((14050 + $1)); }
media_port() { echo $((14150 + $1)); }

usage() {
  echo "usage: $0 up [N] | status | restart I | down" >&2
  exit 2
}

# The pid of node i when that node runs: the pid file's process is still our node (not a reused pid).
node_pid() {
  local file="$STATE/node$1.pid" pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--Storage:Root=$STATE/node$1 " || return 1
  echo "$pid"
}

# Node numbers that have a pid file, in order.
known_nodes() {
  local file n
  for file in "$STATE"/node*.pid; do
    [ -e "$file" ] || continue
    n=${file##*/node}
    echo "${n%.pid}"
  done | sort -n
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

log_tail() {
  echo "--- last lines of $STATE/node$1.log" >&2
  tail -n 30 "$STATE/node$1.log" >&2 || true
}

wait_ready() {
  local i=$1 pid=$2 deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "node $i exited before it was ready" >&2
      log_tail "$i"
      return 1
    fi
    if curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$(mgmt_port "$i")/ready"; then
      return 0
    fi
    sleep 0.5
  done
  echo "node $i not ready within ${READY_TIMEOUT} s (http://127.0.0.1:$(mgmt_port "$i")/ready)" >&2
  log_tail "$i"
  return 1
}

up_count() {
  curl -sf --max-time 2 "http://127.0.0.1:$(mgmt_port "$1")/cluster/members" 2>/dev/null |
    grep -o '"status":"Up"' | wc -l || true
}

start_node() {
  local i=$1 dll=$2 secret=$3
  local args=(
    "--Rtmp:Port=$(rtmp_port "$i")"
    "--Http:Port=$(http_port "$i")"
    "--Api:Port=$(api_port "$i")"
    "--Management:Port=$(mgmt_port "$i")"
    "--Cluster:Port=$(akka_port "$i")"
    "--Storage:Root=$STATE/node$i"
  )
  if [ "${CLUSTER_SH_LEGACY:-0}" != 1 ]; then
    # No seeds: the nodes find each other through their management ports (Cluster Bootstrap, config discovery).
    local j n
    n=$(cat "$STATE/nodes")
    args+=("--Cluster:MediaPort=$(media_port "$i")" "--Cluster:Secret=$secret" "--Cluster:Bootstrap:Discovery=config")
    for j in $(seq 1 "$n"); do
      args+=("--Cluster:Bootstrap:Endpoints:$((j - 1))=127.0.0.1:$(mgmt_port "$j")")
    done
  else
    args+=("--Cluster:Seeds:0=akka.tcp://platform@127.0.0.1:$(akka_port 1)")
  fi
  if [ -n "${PLATFORM_POSTGRES:-}" ]; then
    args+=("--Storage:Provider=postgresql" "--Storage:ConnectionString=$PLATFORM_POSTGRES")
  fi
  mkdir -p "$STATE/node$i"
  # Its own session, so a Ctrl-C in the terminal that ran `up` does not reach it; `down` stops it.
  (cd "$STATE/node$i" && exec setsid dotnet "$dll" "${args[@]}" </dev/null >"$STATE/node$i.log" 2>&1) &
  echo $! >"$STATE/node$i.pid"
}

print_table() {
  local n=$1 i pid
  printf '%-5s %-8s %-30s %-28s %-24s %-24s %-16s %s\n' \
    node pid rtmp http-flv/hls api management remoting media
  for i in $(seq 1 "$n"); do
    pid=$(node_pid "$i" || echo -)
    printf '%-5s %-8s %-30s %-28s %-24s %-24s %-16s %s\n' "$i" "$pid" \
      "rtmp://127.0.0.1:$(rtmp_port "$i")/" "http://127.0.0.1:$(http_port "$i")/" \
      "http://127.0.0.1:$(api_port "$i")/" "http://127.0.0.1:$(mgmt_port "$i")/" \
      "127.0.0.1:$(akka_port "$i")" "127.0.0.1:$(media_port "$i")"
  done
}

cmd_up() {
  local n=${1:-3} i pid port dll out secret running=()
  if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 50 ]; then
    echo "N must be a number from 1 to 50" >&2
    exit 2
  fi
  mkdir -p "$STATE"
  for i in $(known_nodes); do
    node_pid "$i" >/dev/null && running+=("$i")
  done
  if [ ${#running[@]} -gt 0 ]; then
    echo "nodes ${running[*]} of a cluster in $STATE are running: run '$0 down' first" >&2
    exit 1
  fi
  rm -f "$STATE"/node*.pid
  for i in $(seq 1 "$n"); do
    for port in $(rtmp_port "$i") $(http_port "$i") $(api_port "$i") $(mgmt_port "$i") $(akka_port "$i") $(media_port "$i"); do
      if port_in_use "$port"; then
        echo "port $port (node $i) is already in use on 127.0.0.1" >&2
        exit 1
      fi
    done
  done

  echo "building src/Api (Release)"
  dotnet build "$ROOT/src/Api" -c Release -nologo -v q >"$STATE/build.log" 2>&1 || {
    tail -n 30 "$STATE/build.log" >&2
    exit 1
  }
  dll=$(dotnet msbuild "$ROOT/src/Api" -nologo -getProperty:TargetPath -p:Configuration=Release)
  [ -f "$dll" ] || {
    echo "build output not found: $dll" >&2
    exit 1
  }
  # The nodes run a copy, so a rebuild while they run does not change their files.
  out=$(dirname "$dll")
  rm -rf "$STATE/app"
  mkdir -p "$STATE/app"
  cp -a "$out/." "$STATE/app/"
  dll="$STATE/app/$(basename "$dll")"

  secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  (umask 077 && echo "$secret" >"$STATE/secret")
  echo "$n" >"$STATE/nodes"

  if [ -z "${PLATFORM_POSTGRES:-}" ]; then
    echo "note: PLATFORM_POSTGRES is not set, so each node keeps its own SQLite; a real cluster shares one"
    echo "      PostgreSQL (e.g. PLATFORM_POSTGRES='Host=127.0.0.1;Port=5432;Database=platform_test;Username=platform;Password=platform')"
  fi
  [ "${CLUSTER_SH_LEGACY:-0}" != 1 ] || echo "note: CLUSTER_SH_LEGACY=1: no Cluster:Secret and Cluster:MediaPort"

  if [ "${CLUSTER_SH_LEGACY:-0}" = 1 ]; then
    # The seed first, then the others together.
    echo "starting node 1"
    start_node 1 "$dll" "$secret"
    wait_ready 1 "$(cat "$STATE/node1.pid")" || {
      cmd_down >/dev/null
      exit 1
    }
  fi
  local first=$((${CLUSTER_SH_LEGACY:-0} == 1 ? 2 : 1))
  if [ "$n" -ge "$first" ]; then
    # All at once: bootstrap forms the cluster once every node's management port answers.
    echo "starting nodes $first-$n"
    for i in $(seq "$first" "$n"); do
      start_node "$i" "$dll" "$secret"
    done
    for i in $(seq "$first" "$n"); do
      wait_ready "$i" "$(cat "$STATE/node$i.pid")" || {
        cmd_down >/dev/null
        exit 1
      }
    done
  fi
  local deadline=$((SECONDS + READY_TIMEOUT))
  while [ "$(up_count 1)" -lt "$n" ] && [ $SECONDS -lt $deadline ]; do
    sleep 0.5
  done
  echo "cluster up: $(up_count 1) of $n members Up (state: $STATE)"
  echo
  print_table "$n"
  local pub=1 play=$((n >= 2 ? 2 : 1)) api=$((n >= 3 ? 3 : n))
  cat <<EOF

publish to node $pub:
  ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 \\
    -c:v libx264 -preset veryfast -tune zerolatency -g 60 -c:a aac -f flv rtmp://127.0.0.1:$(rtmp_port $pub)/live/stream
play from node $play:
  ffplay rtmp://127.0.0.1:$(rtmp_port $play)/live/stream
  ffplay http://127.0.0.1:$(http_port $play)/live/stream.flv
  ffplay http://127.0.0.1:$(http_port $play)/live/stream.m3u8
API of node $api:
  curl http://127.0.0.1:$(api_port $api)/api/v1/streams
  curl http://127.0.0.1:$(mgmt_port $api)/cluster/members
logs: $STATE/node<i>.log    stop: $0 down
EOF
}

# Drains node i (SIGTERM: it closes its listener, gives its clients Cluster:DrainTimeout, leaves, exits),
# starts it again with the same build and waits until it is ready: one step of a rolling upgrade.
cmd_restart() {
  local i=${1:-} pid
  [[ $i =~ ^[0-9]+$ ]] && [ -f "$STATE/node$i.pid" ] || {
    echo "usage: $0 restart I (a node of the cluster in $STATE)" >&2
    exit 2
  }
  if pid=$(node_pid "$i"); then
    echo "draining node $i (pid $pid)"
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    echo "node $i exited"
  fi
  start_node "$i" "$STATE/app/Platform.Api.dll" "$(cat "$STATE/secret")"
  wait_ready "$i" "$(cat "$STATE/node$i.pid")" || exit 1
  echo "node $i ready again"
}

cmd_down() {
  local i pid pids=() nodes=() deadline
  for i in $(known_nodes); do
    if pid=$(node_pid "$i"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      nodes+=("$i")
    fi
  done
  if [ ${#pids[@]} -eq 0 ]; then
    echo "no node running"
    rm -f "$STATE"/node*.pid
    return 0
  fi
  deadline=$((SECONDS + STOP_TIMEOUT))
  for i in "${!pids[@]}"; do
    while kill -0 "${pids[$i]}" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
      sleep 0.2
    done
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      # Still draining (clients connected): a second SIGTERM closes them now.
      kill -TERM "${pids[$i]}" 2>/dev/null || true
      local hurry=$((SECONDS + 10))
      while kill -0 "${pids[$i]}" 2>/dev/null && [ $SECONDS -lt $hurry ]; do
        sleep 0.2
      done
    fi
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "node ${nodes[$i]} did not stop: SIGKILL"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    else
      echo "node ${nodes[$i]} stopped"
    fi
  done
  rm -f "$STATE"/node*.pid
}

cmd_status() {
  local i pid first="" any=0
  for i in $(known_nodes); do
    any=1
    if pid=$(node_pid "$i"); then
      echo "node $i: running (pid $pid)  rtmp://127.0.0.1:$(rtmp_port "$i")  http://127.0.0.1:$(http_port "$i")  api http://127.0.0.1:$(api_port "$i")  management http://127.0.0.1:$(mgmt_port "$i")"
      [ -n "$first" ] || first=$i
    else
      echo "node $i: not running (log: $STATE/node$i.log)"
    fi
  done
  if [ $any -eq 0 ]; then
    echo "no cluster in $STATE (start one with '$0 up N')"
    return 0
  fi
  [ -n "$first" ] || return 0
  echo
  echo "members, as node $first sees them (http://127.0.0.1:$(mgmt_port "$first")/cluster/members):"
  local json
  json=$(curl -sf --max-time 5 "http://127.0.0.1:$(mgmt_port "$first")/cluster/members") || {
    echo "  (no answer)"
    return 0
  }
  if command -v jq >/dev/null 2>&1; then
    jq . <<<"$json"
  else
    echo "$json"
  fi
}

case "${1:-}" in
up)
  [ $# -le 2 ] || usage
  cmd_up "${2:-3}"
  ;;
down)
  [ $# -eq 1 ] || usage
  cmd_down
  ;;
restart)
  [ $# -eq 2 ] || usage
  cmd_restart "$2"
  ;;
status)
  [ $# -eq 1 ] || usage
  cmd_status
  ;;
*) usage ;;
esac
