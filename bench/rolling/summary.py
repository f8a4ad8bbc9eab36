#!/usr/bin/env python3
"""Summary of one bench/rolling-upgrade.sh run: reads the JSON-lines files of its run directory.

    summary.py RUN_DIR

Lines start with ROLLING (one measurement each, key=value) and are followed by the timeline of the API's
client counts, one line per stretch of identical seconds, with the restart and publisher events between.
Times are seconds from the start of the clients (+s). Phases: "warm-up" before the first SIGTERM, "node K"
from node K's SIGTERM to the next one, "tail" after the last node has settled.
"""
import json
import math
import os
import re
import sys
from collections import Counter, defaultdict


def load(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return out


def pct(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]


def fmt_s(x):
    return "-" if x is None else f"{x:.2f}s"


def main():
    run = sys.argv[1]
    events = load(f"{run}/events.jsonl")
    pub = load(f"{run}/publisher.jsonl")
    players = load(f"{run}/players.jsonl")
    viewers = load(f"{run}/viewers.jsonl")
    samples = load(f"{run}/samples.jsonl")

    params = next((e for e in events if e["e"] == "params"), {})
    n, m = params.get("n", 0), params.get("m", 0)
    t0 = next((e["t"] for e in events if e["e"] == "begin"), events[0]["t"] if events else 0)
    t_end = next((e["t"] for e in events if e["e"] == "end"), None)
    rel = lambda t: t - t0

    phases = [("warm-up", t0)]
    for e in events:
        if e["e"] == "sigterm":
            phases.append((f"node {e['node']}", e["t"]))
        elif e["e"] == "tail":
            phases.append(("tail", e["t"]))
    names = [p[0] for p in phases]

    def phase_of(t):
        name = phases[0][0]
        for p, start in phases:
            if t >= start:
                name = p
        return name

    print(f"ROLLING run n={n} m={m} drain={params.get('drain')}s settle={params.get('settle')}s "
          f"fragment={params.get('fragment')}s duration={rel(t_end):.0f}s" if t_end else "ROLLING run (no end marker)")

    # --- restarts ---------------------------------------------------------------------------------------------------
    by_node = defaultdict(dict)
    for e in events:
        if "node" in e:
            by_node[e["node"]][e["e"]] = e
    for k in sorted(by_node):
        r = by_node[k]
        sig, ex, st, up = r.get("sigterm"), r.get("exit"), r.get("start"), r.get("up")
        drain = read_drain(f"{run}/node{k}.log")
        line = (f"ROLLING restart node={k} sigterm=+{rel(sig['t']):.1f}s exit_rc={ex['rc'] if ex else '-'} "
                f"sigterm_to_exit={fmt_s(ex['t'] - sig['t']) if ex else '-'} "
                f"start_to_ready_up={fmt_s(up['t'] - st['t']) if up and st else 'NOT-UP'} "
                f"down_for={fmt_s(up['t'] - sig['t']) if up else '-'}")
        if drain:
            line += f" {drain}"
        if "hurry" in r or "killed" in r:
            line += " hurried" + (" killed" if "killed" in r else "")
        print(line)

    # --- HLS ----------------------------------------------------------------------------------------------------------
    vfinal = next((e for e in viewers if e.get("e") == "final"), None)
    verr = [e for e in viewers if e.get("e") == "error"]
    vmissed_ev = [e for e in viewers if e.get("e") == "missed"]
    rewinds = [e for e in viewers if e.get("e") == "rewind"]
    stale = [e for e in viewers if e.get("e") == "stale"]
    if vfinal:
        vs = vfinal["viewers"]
        missed_total = sum(len(v["missed"]) for v in vs)
        got = [v for v in vs if v["segments"]]
        print(f"ROLLING hls viewers={len(vs)} watching={len(got)} requests={sum(v['requests'] for v in vs)} "
              f"errors={sum(v['errors'] for v in vs)} segments={sum(v['segments'] for v in vs)} "
              f"missed={missed_total} viewers_missing={sum(1 for v in vs if v['missed'])} "
              f"rewinds={len(rewinds)} stale_waits={len(stale)} {discontinuities(vs)} "
              f"seq={min((v['first'] for v in got), default='-')}..{max((v['last'] for v in got), default='-')}")
    else:
        print("ROLLING hls no final line from the viewers")
    groups = defaultdict(list)
    for e in verr:
        groups[(phase_of(e["t"]), e["kind"], str(e["status"]), e.get("up", ""), e.get("body", "")[:60])].append(e)
    for (ph, kind, status, up, body), es in sorted(groups.items(), key=lambda kv: kv[1][0]["t"]):
        paths = Counter(re.sub(r"-\d+\.ts$", "-N.ts", x["path"]) for x in es)
        print(f"ROLLING hls_errors phase=\"{ph}\" kind={kind} status={status} count={len(es)} "
              f"viewers={len({x['v'] for x in es})} at=+{rel(es[0]['t']):.1f}..+{rel(es[-1]['t']):.1f}s "
              f"upstream=\"{up}\" paths={dict(paths)}" + (f" body=\"{body}\"" if body else ""))
    mgroups = defaultdict(lambda: defaultdict(set))
    for e in vmissed_ev:
        for s in e["seqs"]:
            mgroups[(phase_of(e["t"]), e["why"])][s].add(e["v"])
    for (ph, why), seqs in mgroups.items():
        items = sorted(seqs.items())
        shown = ", ".join(f"{s}x{len(vw)}" for s, vw in items[:12]) + (" ..." if len(items) > 12 else "")
        print(f"ROLLING hls_missed phase=\"{ph}\" why={why} seqs(viewers)=[{shown}]")
    for e in rewinds[:5]:
        print(f"ROLLING hls_rewind phase=\"{phase_of(e['t'])}\" at=+{rel(e['t']):.1f}s viewer={e['v']} from={e['from']} to={e['to']}")
    dgroups = defaultdict(set)
    for e in viewers:
        if e.get("e") == "discontinuity":
            dgroups[(phase_of(e["t"]), e["seq"])].add(e["v"])
    for (ph, seq), vw in sorted(dgroups.items(), key=lambda kv: kv[0][1]):
        print(f"ROLLING hls_discontinuity phase=\"{ph}\" before_seq={seq} viewers={len(vw)}")
    if stale:
        sp = defaultdict(list)
        for e in stale:
            sp[phase_of(e["t"])].append(e["secs"])
        for ph, xs in sp.items():
            print(f"ROLLING hls_stale phase=\"{ph}\" viewers={len(xs)} longest_wait_for_a_new_segment={max(xs):.1f}s")

    # --- RTMP players ------------------------------------------------------------------------------------------------
    pfinal = next((e for e in players if e.get("e") == "final"), None)
    cuts = [e for e in players if e.get("e") == "cut"]
    resumes = [e for e in players if e.get("e") == "resume"]
    gaps = [e for e in players if e.get("e") == "gap"]
    firsts = [e for e in players if e.get("e") == "first"]
    secs = [e["secs"] for e in resumes]
    pending = sum(1 for p in pfinal["players"] if p.get("pending")) if pfinal else "-"
    print(f"ROLLING rtmp players={n} started={len(firsts)} cuts={len(cuts)} resumed={len(resumes)} never_resumed={pending} "
          f"resume_p50={fmt_s(pct(secs, .5))} resume_p99={fmt_s(pct(secs, .99))} resume_max={fmt_s(max(secs) if secs else None)} "
          f"why={dict(Counter(e['why'] for e in cuts))} ttff_p50={fmt_s(pct([e['ttff'] for e in firsts], .5))}")
    per = defaultdict(list)
    for e in resumes:
        per[phase_of(e["cut"])].append(e["secs"])
    cut_per = Counter(phase_of(e["t"]) for e in cuts)
    gap_per = defaultdict(list)
    for e in gaps:
        gap_per[phase_of(e["from"])].append(e)
    for ph in names:
        if not cut_per[ph] and not gap_per[ph]:
            continue
        xs = per[ph]
        g = gap_per[ph]
        gs = [e["secs"] for e in g]
        retried = sum(1 for e in resumes if phase_of(e["cut"]) == ph and e.get("tries", 1) > 1)
        print(f"ROLLING rtmp_phase phase=\"{ph}\" cuts={cut_per[ph]} resumed={len(xs)} needed_2+_tries={retried} resume_p50={fmt_s(pct(xs, .5))} "
              f"resume_p99={fmt_s(pct(xs, .99))} resume_max={fmt_s(max(xs) if xs else None)} "
              f"gaps_while_connected={len(g)} players_with_gap={len({e['p'] for e in g})} gap_p50={fmt_s(pct(gs, .5))} "
              f"gap_max={fmt_s(max(gs) if gs else None)}")

    # --- publisher ------------------------------------------------------------------------------------------------------
    exits = [e for e in pub if e["e"] == "exit"]
    lives = [e for e in pub if e["e"] == "live"]
    accepts = [e for e in pub if e["e"] == "accepted"]
    acc_after, live_after = [], []
    for e in exits:
        nxt = next((l for l in lives if l["n"] > e["n"]), None)
        acc = next((a for a in accepts if a["n"] > e["n"]), None)
        prev = next((l for l in lives if l["n"] == e["n"]), None)
        a_after = acc["t"] - e["t"] if acc else None
        l_after = nxt["t"] - e["t"] if nxt else None
        if a_after is not None:
            acc_after.append(a_after)
        if l_after is not None:
            live_after.append(l_after)
        print(f"ROLLING publisher_exit phase=\"{phase_of(e['t'])}\" at=+{rel(e['t']):.1f}s rc={e['rc']} "
              f"was_on={node_name(prev['node']) if prev else '-'} publish_accepted_after={fmt_s(a_after)} "
              f"in_api_after={fmt_s(l_after)} now_on={node_name(nxt['node']) if nxt else '-'} tries={nxt['n'] - e['n'] if nxt else '-'} "
              f"why=\"{e['why'][:80]}\"")
    print(f"ROLLING publisher publishes={len(lives)} exits={len(exits)} resume_accepted_max={fmt_s(max(acc_after) if acc_after else None)} "
          f"resume_in_api_max={fmt_s(max(live_after) if live_after else None)}")

    # --- API samples -----------------------------------------------------------------------------------------------------
    answered = [s for s in samples if s.get("node") is not None]
    # Counted from the first second the API showed every client (the players' and viewers' ramp before).
    full = next((i for i, s in enumerate(answered) if s["pub"] == 1 and s["rtmp"] == n and s.get("hls_ids", s["hls"]) == m), None)
    window = answered[full:] if full is not None else []
    unanswered = sum(1 for s in samples if s.get("node") is None and window and s["t"] >= window[0]["t"])
    wrong_pub = [s for s in window if s["pub"] != 1]
    wrong_rtmp = [s for s in window if s["rtmp"] != n]
    wrong_ids = [s for s in window if s.get("hls_ids", s["hls"]) != m]
    dup_hls = [s for s in window if s["hls"] != s.get("hls_ids", s["hls"])]
    partial = [s for s in window if s.get("partial")]
    rng = lambda key: f"{min((s.get(key, 0) for s in window), default='-')}..{max((s.get(key, 0) for s in window), default='-')}"
    print(f"ROLLING api seconds={len(window)} (from +{rel(window[0]['t']):.1f}s, when it first showed every client) "
          f"no_answer={unanswered} pub_not_1={len(wrong_pub)} rtmp_not_{n}={len(wrong_rtmp)} hls_viewers_not_{m}={len(wrong_ids)} "
          f"hls_viewer_listed_twice={len(dup_hls)} partial={len(partial)} pub={rng('pub')} rtmp={rng('rtmp')} "
          f"hls_viewers={rng('hls_ids')} hls_entries={rng('hls')}" if window else
          f"ROLLING api the API never showed every client at once (samples={len(samples)} answered={len(answered)})")

    # --- timeline ------------------------------------------------------------------------------------------------------
    print("timeline (cluster API once a second: status of members 1 2 3, publishers, RTMP players, HLS viewers "
          "(distinct session ids; '+k twice': at most k of them listed on two nodes); [nodes whose API answered]):")
    marks = []
    for e in events:
        if e["e"] in ("sigterm", "exit", "start", "up", "notup", "hurry", "killed"):
            what = {"sigterm": "SIGTERM", "exit": f"exited rc={e.get('rc')}", "start": "started",
                    "up": "ready and Up", "notup": "NOT up", "hurry": "second SIGTERM", "killed": "SIGKILL"}[e["e"]]
            marks.append((e["t"], f"node {e['node']} {what}"))
        elif e["e"] == "tail":
            marks.append((e["t"], "all restarted; tail"))
    for e in pub:
        if e["e"] == "exit":
            marks.append((e["t"], f"publisher exited rc={e['rc']}"))
        elif e["e"] == "accepted" and e["n"] > 1:
            marks.append((e["t"], "publisher's publish accepted again"))
        elif e["e"] == "live" and e["n"] > 1:
            marks.append((e["t"], f"publisher in the API again, on {node_name(e['node'])}"))
    marks.sort()
    # Consecutive identical seconds make one line; a restart or publisher event in between starts a new one.
    items = [(m[0], 0, m[1]) for m in marks] + [(x["t"], 1, x) for x in samples]
    items.sort(key=lambda it: (it[0], it[1]))
    run_key, run_start, run_end, run_extra = None, None, None, {}

    def flush():
        if run_key is None:
            return
        span = f"+{rel(run_start):.1f}s" if run_end == run_start else f"+{rel(run_start):.1f}..{rel(run_end):.1f}s"
        if run_key[0] == "no answer":
            print(f"  {span:>17}  no node answered")
        else:
            members, p, r, ids, part, _ = run_key
            dup = run_extra["entries"] - ids
            hls = f"{ids}" + (f" (+{dup} twice)" if dup > 0 else "")
            nodes = ",".join(str(x) for x in sorted(run_extra["nodes"]))
            print(f"  {span:>17}  [{members}]  pub {p}  rtmp {r:3d}  hls {hls:<14} [node {nodes}]{' partial' if part else ''}")

    for t, kind, x in items:
        if kind == 0:
            flush()
            run_key = None
            print(f"  {'+%.1fs' % rel(t):>17}  -- {x}")
            continue
        if x.get("node") is None:
            key = ("no answer",)
        else:
            key = (x.get("members", "?"), x["pub"], x["rtmp"], x.get("hls_ids", x["hls"]), bool(x.get("partial")),
                   x["hls"] > x.get("hls_ids", x["hls"]))
        if key == run_key:
            run_end = t
            run_extra["nodes"].add(x.get("node"))
            run_extra["entries"] = max(run_extra["entries"], x.get("hls", 0))
        else:
            flush()
            run_key, run_start, run_end = key, t, t
            run_extra = {"nodes": {x.get("node")}, "entries": x.get("hls", 0)}
    flush()


def discontinuities(vs):
    d = [v["discontinuities"] for v in vs]
    if all(isinstance(x, list) for x in d):
        return f"discontinuities={len({s for x in d for s in x})}"
    # Viewers of an earlier version counted the tags in every playlist they loaded.
    return f"discontinuity_tags_in_playlist_loads={sum(d)}"


def node_name(address):
    if not address:
        return "-"
    port = address.rsplit(":", 1)[-1]
    return f"node{int(port) - 34050}" if port.isdigit() and 34050 < int(port) < 34054 else address


def read_drain(path):
    """What the node's log says about its drain: clients at SIGTERM, and how it ended."""
    try:
        text = open(path, errors="replace").read()
    except OSError:
        return ""
    # The node's first life only: the log goes on with its restart (and the drain at the end of the bench).
    runs = text.split("=== start")
    text = runs[1] if len(runs) > 1 else text
    out = []
    m = re.search(r"draining \([^)]*\): not ready, no new connections; (\d+) player\(s\) and publisher\(s\) connected", text)
    if m:
        out.append(f"clients_at_sigterm={m.group(1)}")
    m = re.search(r"drain: closing (\d+) client\(s\) still connected after ([\d.]+) s", text)
    if m:
        out.append(f"closed_by_drain={m.group(1)}@{m.group(2)}s")
    m = re.search(r"drain: every player and publisher left after ([\d.]+) s", text)
    if m:
        out.append(f"all_left_after={m.group(1)}s")
    return " ".join(out)


if __name__ == "__main__":
    main()
