#!/usr/bin/env python3
"""M HLS viewers of one live stream, each a thread with its own HTTP connection and its own requests.

    hls_viewers.py -n 50 -o events.jsonl http://127.0.0.1:38080/live/s1.m3u8

A viewer behaves like a live player: it asks the stream's playlist (the server answers a master playlist
naming the viewer's session), then reloads the media playlist, after a target duration when it changed and
half of that when it did not, and fetches every segment it has not fetched yet, once, in order. It starts
at the third segment from the end, as players do. Viewer i connects from 127.0.<1 + i // 250>.<2 + i % 250>,
so a balancer that hashes the client address spreads the viewers over its nodes.

Written to the events file, one JSON object a line (times in Unix seconds):

    {"t":..., "v":3, "e":"error", "kind":"segment", "path":"/live/s1-41.ts", "status":503, "up":"127.0.0.1:38081"}
    {"t":..., "v":3, "e":"missed", "seqs":[41, 42], "why":"window"|"failed"}   sequence numbers it never got
    {"t":..., "v":3, "e":"rewind", "from":57, "to":12}                     the playlist went back in sequence
    {"t":..., "v":3, "e":"stale", "secs":7.9, "seq":44}                    a new segment after a long wait
    {"t":..., "v":3, "e":"discontinuity", "seq":50}                        a playlist marks one before seq 50
    {"t":..., "e":"final", "viewers":[{"v":0,"requests":..,"errors":..,"segments":..,"bytes":..,
                                       "first":..,"last":..,"discontinuities":[..],"missed":[..]}, ...]}

"error" is any answer but 200 (and any failed request: refused, reset, timeout, a segment that is not
MPEG-TS). "up" is the X-Upstream header the bench's balancer adds (the node that answered, if any).
A failed segment is tried again twice (0.3 s apart) before it counts as missed. SIGTERM/SIGINT end the run.
Standard library only.
"""
import argparse
import http.client
import json
import random
import signal
import sys
import threading
import time
from urllib.parse import urlsplit


class Viewer(threading.Thread):
    def __init__(self, run, index):
        super().__init__(daemon=True)
        self.ctx, self.v = run, index
        self.source = f"127.0.{1 + index // 250}.{2 + index % 250}"
        self.conn = None
        self.requests = self.errors = self.segments = self.bytes = 0
        self.discontinuities = set()
        self.fetched = set()
        self.missed = []
        self.first = self.last = None
        self.next_seq = None
        self.last_new = None
        self.target = 2.0

    def emit(self, obj):
        obj.setdefault("t", time.time())
        obj["v"] = self.v
        self.ctx.emit(obj)

    def get(self, path, kind):
        """(status, body, upstream); status is a string for a failed request."""
        self.requests += 1
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.ctx.host, self.ctx.port, timeout=self.ctx.timeout,
                                                       source_address=(self.source, 0))
            try:
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                body = resp.read()
                upstream = resp.getheader("X-Upstream", "")
                if resp.will_close:
                    self.conn.close()
                    self.conn = None
                if resp.status != 200:
                    self.error(kind, path, resp.status, upstream, body[:120].decode("utf-8", "replace"))
                return resp.status, body, upstream
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                # A kept-alive connection the balancer closed between requests: once more on a new one.
                self.conn.close()
                self.conn = None
                if attempt == 1 and isinstance(e, (http.client.RemoteDisconnected, BrokenPipeError)):
                    continue
                status = type(e).__name__
            except (OSError, http.client.HTTPException) as e:
                if self.conn:
                    self.conn.close()
                self.conn = None
                status = type(e).__name__
            self.error(kind, path, status, "", "")
            return status, b"", ""

    def error(self, kind, path, status, upstream, body):
        self.errors += 1
        self.emit({"e": "error", "kind": kind, "path": path.split("?")[0], "status": status, "up": upstream,
                   "body": body.strip()})

    def run(self):
        run = self.ctx
        time.sleep(random.uniform(0, run.ramp))
        variant = None
        while variant is None and not run.stop.is_set():
            status, body, _ = self.get(run.path, "master")
            if status == 200:
                for line in body.decode("utf-8", "replace").splitlines():
                    if line and not line.startswith("#"):
                        variant = run.base + line.strip()
                        break
            if variant is None:
                run.stop.wait(1)
        target = 2.0
        while not run.stop.is_set():
            started = time.monotonic()
            status, body, _ = self.get(variant, "playlist")
            if status != 200:
                run.stop.wait(0.5)
                continue
            seq0, target_now, segs, disc = parse_playlist(body.decode("utf-8", "replace"))
            target = target_now or target
            self.target = target
            for index in disc:
                if seq0 + index not in self.discontinuities:
                    self.discontinuities.add(seq0 + index)
                    self.emit({"e": "discontinuity", "seq": seq0 + index})
            changed = self.take(seq0, segs)
            wait = target if changed else target / 2
            run.stop.wait(max(0.05, wait - (time.monotonic() - started)))
        self.close()

    def take(self, seq0, segs):
        """Fetches the segments of this playlist not fetched yet; True if there was something new."""
        if not segs:
            return False
        first, last = seq0, seq0 + len(segs) - 1
        if self.next_seq is None:
            self.next_seq = max(first, last - 2)
        elif last < self.next_seq - 1:
            self.emit({"e": "rewind", "from": self.next_seq - 1, "to": last})
            self.next_seq = max(first, last - 2)
        elif first > self.next_seq:
            gap = list(range(self.next_seq, first))
            self.missed += gap
            self.emit({"e": "missed", "seqs": gap, "why": "window"})
            self.next_seq = first
        new = False
        for seq in range(self.next_seq, last + 1):
            if self.ctx.stop.is_set():
                return new
            uri = segs[seq - first]
            path = uri if uri.startswith("/") else self.ctx.base + uri
            got = False
            for attempt in range(3):
                status, body, _ = self.get(path, "segment")
                if status == 200 and body[:1] == b"\x47" and len(body) % 188 == 0:
                    got = True
                    break
                if status == 200:
                    self.error("segment", path, "not-mpegts", "", f"{len(body)} bytes")
                if self.ctx.stop.wait(0.3):
                    return new
            now = time.time()
            if got:
                self.segments += 1
                self.bytes += len(body)
                self.fetched.add(seq)
                if self.first is None:
                    self.first = seq
                self.last = seq
                if self.last_new is not None and now - self.last_new > 3 * self.target + 1:
                    self.emit({"e": "stale", "secs": round(now - self.last_new, 2), "seq": seq})
                self.last_new = now
                new = True
            else:
                self.missed.append(seq)
                self.emit({"e": "missed", "seqs": [seq], "why": "failed"})
            self.next_seq = seq + 1
        return new

    def close(self):
        if self.conn:
            self.conn.close()


def parse_playlist(text):
    """(media sequence, target duration, segment URIs, indexes of the segments after a discontinuity tag)."""
    seq0, target, segs, disc = 0, None, [], []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            seq0 = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-TARGETDURATION:"):
            target = float(line.split(":", 1)[1])
        elif line == "#EXT-X-DISCONTINUITY":
            disc.append(len(segs))
        elif line and not line.startswith("#"):
            segs.append(line)
    return seq0, target, segs, disc


class Run:
    def __init__(self, args):
        url = urlsplit(args.url)
        self.host, self.port = url.hostname, url.port or 80
        self.path = url.path + (f"?{url.query}" if url.query else "")
        self.base = url.path.rsplit("/", 1)[0] + "/"
        self.timeout = args.timeout
        self.ramp = args.ramp
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.out = open(args.output, "a", buffering=1)

    def emit(self, obj):
        line = json.dumps(obj, separators=(",", ":")) + "\n"
        with self.lock:
            self.out.write(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--timeout", type=float, default=5.0, help="per request (s)")
    ap.add_argument("--ramp", type=float, default=3.0, help="viewers start at random within this (s)")
    ap.add_argument("url")
    args = ap.parse_args()
    run = Run(args)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: run.stop.set())
    viewers = [Viewer(run, i) for i in range(args.n)]
    for v in viewers:
        v.start()
    last, last_bytes = time.time(), 0
    while not run.stop.wait(5):
        segs = sum(v.segments for v in viewers)
        total = sum(v.bytes for v in viewers)
        now = time.time()
        print(f"hls_viewers: segments={segs} errors={sum(v.errors for v in viewers)} "
              f"missed={sum(len(v.missed) for v in viewers)} mbps={(total - last_bytes) * 8 / 1e6 / (now - last):.1f}",
              file=sys.stderr, flush=True)
        last, last_bytes = now, total
    for v in viewers:
        v.join(timeout=args.timeout + 2)
    run.emit({"t": time.time(), "e": "final", "viewers": [
        {"v": v.v, "requests": v.requests, "errors": v.errors, "segments": v.segments, "bytes": v.bytes,
         "first": v.first, "last": v.last, "discontinuities": sorted(v.discontinuities),
         "missed": sorted(set(range(v.first, v.last + 1)) - v.fetched) if v.first is not None else []}
        for v in viewers]})


if __name__ == "__main__":
    main()
