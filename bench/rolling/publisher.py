#!/usr/bin/env python3
"""An encoder that comes back: ffmpeg publishes a file in real time, and is started again whenever it exits.

    publisher.py -i input.flv -o events.jsonl --log ffmpeg.log --api 39851,39852,39853 \
                 rtmp://127.0.0.1:39350/live/s1

Timestamps follow the wall clock from the start of this script (ffmpeg's -output_ts_offset is the time
elapsed), so each new publish continues the timeline where the last one stopped, as an encoder that keeps
its clock across reconnects does; deterministic HLS numbers segments from these timestamps.

A publish counts as accepted when ffmpeg describes its output: it opens an rtmp:// output only after the
server answered NetStream.Publish.Start. After each start, the cluster API (every node of --api at once)
is polled every 100 ms until it shows the stream published by a new client ("live"). Events (JSON lines,
Unix seconds):

    {"t":..., "e":"start", "n":2, "offset":71.3}
    {"t":..., "e":"accepted", "n":2, "after_start":0.31}
    {"t":..., "e":"live", "n":2, "cid":"...", "node":"akka.tcp://...", "after_start":0.42}
    {"t":..., "e":"exit", "n":2, "rc":1, "up":35.1, "why":"<last ffmpeg line>"}

SIGTERM/SIGINT stop ffmpeg and the script. Standard library only.
"""
import argparse
import json
import signal
import subprocess
import threading
import time
import urllib.request
from urllib.parse import urlsplit


def published_by(api_ports, stream, seen):
    """(client id, node) of a publisher of the stream not in seen, as the API of any node shows it, or None.
    Every node is asked at once: a node that is shutting down may answer late, or without the new publisher."""
    found = []

    def ask(port):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/streams?count=100", timeout=1) as r:
                data = json.load(r)
        except Exception:
            return
        for s in data.get("streams", []):
            if s.get("name") == stream and s.get("publish", {}).get("active") and s["publish"].get("cid") not in seen:
                found.append((s["publish"]["cid"], s.get("node")))

    threads = [threading.Thread(target=ask, args=(port,), daemon=True) for port in api_ports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return found[0] if found else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-i", "--input", required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--api", required=True, help="API ports, comma-separated")
    ap.add_argument("url")
    args = ap.parse_args()
    api = [int(p) for p in args.api.split(",")]
    stream = urlsplit(args.url).path.rsplit("/", 1)[-1]
    out = open(args.output, "a", buffering=1)
    log = open(args.log, "ab", buffering=0)
    stop = threading.Event()
    current = {"proc": None}

    def on_signal(*_):
        stop.set()
        proc = current["proc"]
        if proc and proc.poll() is None:
            proc.terminate()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    lock = threading.Lock()

    def emit(obj):
        obj.setdefault("t", time.time())
        with lock:
            out.write(json.dumps(obj, separators=(",", ":")) + "\n")

    epoch = time.time()
    seen = set()
    n = 0
    while not stop.is_set():
        n += 1
        offset = time.time() - epoch
        started = time.time()
        emit({"e": "start", "n": n, "offset": round(offset, 3)})
        log.write(f"--- start {n} at {started:.3f}, offset {offset:.3f}\n".encode())
        proc = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-re", "-stream_loop", "-1",
             "-i", args.input, "-c", "copy", "-output_ts_offset", f"{offset:.3f}", "-f", "flv", args.url],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        current["proc"] = proc
        last_line = []

        def drain_stderr(p=proc, keep=last_line, k=n, t_start=started):
            accepted = False
            for line in p.stderr:
                log.write(line)
                # ffmpeg opens an rtmp:// output only once the server answered NetStream.Publish.Start, and
                # describes the output right after: the first moment the publish is known to be accepted.
                if not accepted and line.startswith(b"Output #0"):
                    accepted = True
                    emit({"e": "accepted", "n": k, "after_start": round(time.time() - t_start, 3)})
                if line.strip() and not line.startswith((b"Conversion failed", b"[", b"---")):
                    keep[:] = [line.decode("utf-8", "replace").strip()]

        reader = threading.Thread(target=drain_stderr, daemon=True)
        reader.start()
        # Live once the API shows a publisher we have not seen before.
        while proc.poll() is None and not stop.is_set():
            who = published_by(api, stream, seen)
            if who:
                seen.add(who[0])
                emit({"e": "live", "n": n, "cid": who[0], "node": who[1], "after_start": round(time.time() - started, 3)})
                break
            time.sleep(0.1)
        rc = proc.wait()
        reader.join(timeout=2)
        ended = time.time()
        if stop.is_set():
            break
        emit({"e": "exit", "n": n, "rc": rc, "up": round(ended - started, 3), "why": last_line[0] if last_line else ""})
        # An encoder reconnects at once; a quick pause only when it could not even start.
        if ended - started < 1:
            stop.wait(0.5)
    out.close()


if __name__ == "__main__":
    main()
