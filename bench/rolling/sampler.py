#!/usr/bin/env python3
"""Once a second: the cluster's clients as the API of a node that is up sees them, and its members.

    sampler.py -o samples.jsonl --nodes 1:39851:38551,2:39852:38552,3:39853:38553 --remoting 34051,34052,34053

Tries the nodes in turn (each request at most 1.5 s) and takes the first whose API answers; a node that
answers /ready with anything but 200 (draining, starting) is tried last. One JSON line per second:

    {"t":..., "node":2, "pub":1, "rtmp":50, "hls":50, "hls_ids":50, "flv":0, "links":2, "other":0, "partial":false,
     "members":"U U U", "ms":41}

"hls" counts the hls-play entries, "hls_ids" their distinct ids (a viewer whose session moved to another
node can be listed on both for a while). "members" is the status of members 1, 2, 3 in that node's
/cluster/members (U up, J joining, L leaving, E exiting, D down, R removed, W weakly up, . not a member;
lower case when also unreachable). A second
with no node answering is {"t":..., "node":null}. SIGTERM/SIGINT end it. Standard library only.
"""
import argparse
import json
import signal
import threading
import time
import urllib.request

LETTER = {"Up": "U", "Joining": "J", "Leaving": "L", "Exiting": "E", "Down": "D", "Removed": "R", "WeaklyUp": "W"}


def get_json(url, timeout=1.5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.load(r)


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=0.5) as r:
            return r.status == 200
    except Exception:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--nodes", required=True, help="index:api_port:management_port,...")
    ap.add_argument("--remoting", required=True, help="remoting ports of nodes 1..3, comma-separated")
    args = ap.parse_args()
    nodes = [tuple(int(x) for x in n.split(":")) for n in args.nodes.split(",")]
    remoting = [int(p) for p in args.remoting.split(",")]
    out = open(args.output, "a", buffering=1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    next_t = time.time()
    while not stop.is_set():
        started = time.time()
        order = sorted(nodes, key=lambda n: not ready(n[2]))
        sample = {"t": started, "node": None}
        for index, api, mgmt in order:
            try:
                data = get_json(f"http://127.0.0.1:{api}/api/v1/clients?count=10000")
            except Exception:
                continue
            kinds = {}
            hls_ids = set()
            for c in data.get("clients", []):
                kinds[c.get("type")] = kinds.get(c.get("type"), 0) + 1
                if c.get("type") == "hls-play":
                    hls_ids.add(c.get("id"))
            sample = {"t": started, "node": index, "pub": kinds.pop("fmle-publish", 0), "rtmp": kinds.pop("rtmp-play", 0),
                      "hls": kinds.pop("hls-play", 0), "hls_ids": len(hls_ids), "flv": kinds.pop("flv-play", 0),
                      "links": kinds.pop("cluster-link-out", 0) + kinds.pop("cluster-link-in", 0),
                      "other": sum(kinds.values()), "partial": bool(data.get("partial")),
                      "missing": data.get("missing") or []}
            try:
                members = get_json(f"http://127.0.0.1:{mgmt}/cluster/members", timeout=1)
                unreachable = {m["node"] for m in members.get("unreachable", [])}
                status = {m["node"].rsplit(":", 1)[-1]: (m["status"], m["node"] in unreachable) for m in members.get("members", [])}
                letters = []
                for port in remoting:
                    st, unr = status.get(str(port), (None, False))
                    ch = LETTER.get(st, "?") if st else "."
                    letters.append(ch.lower() if unr else ch)
                sample["members"] = " ".join(letters)
            except Exception:
                sample["members"] = "?"
            break
        sample["ms"] = round((time.time() - started) * 1000)
        out.write(json.dumps(sample, separators=(",", ":")) + "\n")
        next_t += 1
        stop.wait(max(0.0, next_t - time.time()))
        if time.time() - next_t > 1:
            next_t = time.time()
    out.close()


if __name__ == "__main__":
    main()
