#!/usr/bin/env bash
# Every figure of docs/benchmarks.md, in one run (about 15 minutes on 2 cores). Output: one FANOUT line
# per measurement, tagged; see docs/benchmarks.md for how to read them.
set -uo pipefail
cd "$(dirname "$0")"
echo "== RTMP fan-out, default settings (merged writes 100 ms), client -w 25"
DUR=30 ./fanout.sh 500 1000 2000
echo "== RTMP fan-out, merged writes off (--Streams:WriteCoalesce=00:00:00), client -w 25"
DUR=30 PLATFORM_ARGS="--Streams:WriteCoalesce=00:00:00" ./fanout.sh 500 1000
echo "== time to first frame, client reading at once (-w 0)"
DUR=20 COAL=0 ./fanout.sh 500
echo "== HTTP-FLV fan-out (nginx-rtmp has no HTTP-FLV)"
DUR=30 PROTO=flv ./fanout.sh 500 1000
