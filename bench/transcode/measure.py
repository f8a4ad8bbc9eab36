#!/usr/bin/env python3
"""Samples a node's and its engines' CPU and memory from /proc, and the source-to-rendition latency."""
import argparse
import os
import subprocess
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def rss_bytes(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (FileNotFoundError, ProcessLookupError):
        return 0


def engine_pids(port):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                line = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if line.startswith("ffmpeg ") and "platform_token=" in line and f"127.0.0.1:{port}/" in line:
            pids.append(int(entry))
    return pids


def keyframe_arrivals(url, seconds, out):
    """Arrival time (monotonic) of each video keyframe's pts, read by a line-buffered ffprobe."""
    cmd = ["stdbuf", "-oL", "ffprobe", "-v", "error", "-rw_timeout", "10000000", "-select_streams", "v",
           "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    deadline = time.monotonic() + seconds
    try:
        for line in proc.stdout:
            now = time.monotonic()
            parts = line.strip().split(",")
            if len(parts) >= 2 and "K" in parts[1]:
                out[round(float(parts[0]), 2)] = now
            if now > deadline:
                break
    finally:
        proc.kill()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--node", type=int, required=True)
    p.add_argument("--rtmp-port", type=int, required=True)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--engines", type=int, default=0)
    p.add_argument("--latency-seconds", type=int, default=14)
    a = p.parse_args()

    engines = engine_pids(a.rtmp_port)
    node0 = cpu_ticks(a.node)
    eng0 = {pid: cpu_ticks(pid) for pid in engines}
    rss_node, rss_eng, samples = 0, 0, 0
    start = time.monotonic()
    while time.monotonic() - start < a.seconds:
        time.sleep(1)
        rss_node = max(rss_node, rss_bytes(a.node))
        rss_eng = max(rss_eng, sum(rss_bytes(pid) for pid in engines))
        samples += 1
    elapsed = time.monotonic() - start
    node_cpu = (cpu_ticks(a.node) - node0) / TICKS / elapsed * 100
    eng_cpu = 0.0
    for pid, t0 in eng0.items():
        t1 = cpu_ticks(pid)
        if t0 is not None and t1 is not None:
            eng_cpu += (t1 - t0) / TICKS / elapsed * 100
    # Then the latency, with two players of its own (after the CPU figures, which they would add to).
    source, rendition = {}, {}
    threads = []
    if a.engines > 0:
        for url, out in ((f"rtmp://127.0.0.1:{a.rtmp_port}/live/src", source),
                         (f"rtmp://127.0.0.1:{a.rtmp_port}/live/src_e0", rendition)):
            t = threading.Thread(target=keyframe_arrivals, args=(url, a.latency_seconds, out), daemon=True)
            t.start()
            threads.append(t)
    for t in threads:
        t.join(timeout=a.latency_seconds + 10)
    # A rendition keyframe matches the source's nearest one: keyframes are 2 s apart, and the rendition's
    # timestamps may sit a frame or a few (its frame-rate grid, B-frame delay) off the source's.
    delays = []
    for pts, arrived in rendition.items():
        near = min(source, key=lambda k: abs(k - pts), default=None)
        if near is not None and abs(near - pts) < 0.5:
            delays.append((arrived - source[near]) * 1000)
    delays.sort()
    latency = f"{delays[len(delays) // 2]:.0f} (n={len(delays)})" if delays else "-"
    ratio = f"{node_cpu / eng_cpu:.3f}" if eng_cpu > 0 else "-"
    if len(engines) != a.engines:
        latency += f" [{len(engines)} engine processes seen]"
    print(f"{a.engines:<8d} {node_cpu:10.1f} {rss_node / 2**20:10.0f} {eng_cpu:12.1f} {rss_eng / 2**20:12.0f} {ratio:>14} {latency:>12}")


if __name__ == "__main__":
    main()
