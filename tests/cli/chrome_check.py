#!/usr/bin/env python3
"""Validates a Chrome trace-event file against the format's rules that Perfetto relies on.

    chrome_check.py FILE [--min-x N] [--min-pids N] [--min-flows N]

Checks: a JSON object with traceEvents (gzip allowed) and no displayTimeUnit; every event has ph
and pid, timed events a numeric ts; complete events (X) have dur >= 0 and nest per thread (no
partial overlap, times compared in integer ns); every
flow start (s) and end (f, bp "e") lies inside a complete event of its own thread (strictly
inside when that slice is 5 ns or longer) and every s has its f; metadata names every process
used and every thread that has slices or flows. Prints one line per violation (at most 20) and
exits 1 when there is one."""
import bisect
import gzip
import json
import math
import sys
from collections import defaultdict


def ns(us, truncate):
    v = us * 1000.0
    return math.floor(v) if truncate else round(v)


def main():
    path = sys.argv[1]
    opts = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    doc = json.loads(raw)
    errors = []
    err = errors.append
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        print(f"{path}: not an object with traceEvents")
        return 1
    if "displayTimeUnit" in doc:
        err("displayTimeUnit is set")
    slices = defaultdict(list)  # (pid, tid) -> [(start, end)] in ns (both rounding modes checked below)
    flows = []  # (ph, pid, tid, ts, id)
    named_p, named_t, used_p, used_t = set(), set(), set(), set()
    counts = defaultdict(int)
    for e in doc["traceEvents"]:
        ph = e.get("ph")
        counts[ph] += 1
        if ph is None or "pid" not in e:
            err(f"event without ph or pid: {e}")
            continue
        pid, tid = e["pid"], e.get("tid")
        if ph == "M":
            if e.get("name") == "process_name" and e.get("args", {}).get("name"):
                named_p.add(pid)
            if e.get("name") == "thread_name" and e.get("args", {}).get("name"):
                named_t.add((pid, tid))
            continue
        if not isinstance(e.get("ts"), (int, float)):
            err(f"{ph} event without a numeric ts: {e}")
            continue
        used_p.add(pid)
        if ph == "X":
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0:
                err(f"X event with a bad dur: {e}")
                continue
            used_t.add((pid, tid))
            slices[(pid, tid)].append((e["ts"], e["ts"] + e["dur"], e["ts"], e["dur"]))
        elif ph in ("s", "f"):
            used_t.add((pid, tid))
            flows.append((ph, pid, tid, e["ts"], e.get("id"), e.get("bp")))
        elif ph == "C":
            if not isinstance(e.get("args"), dict) or not all(isinstance(v, (int, float)) for v in e["args"].values()):
                err(f"counter without numeric args: {e}")
    for key, lst in slices.items():
        ivs = sorted(((ns(ts, False), ns(ts, False) + ns(dur, False)) for (_a, _b, ts, dur) in lst), key=lambda x: (x[0], -x[1]))
        stack = []
        for (s, t) in ivs:
            while stack and stack[-1] <= s:
                stack.pop()
            if stack and t > stack[-1]:
                err(f"slices overlap without nesting on pid {key[0]} tid {key[1]} at {s} ns")
                break
            stack.append(t)
    by_start = {key: sorted((round(a * 1000), round(b * 1000)) for (a, b, _ts, _d) in lst) for key, lst in slices.items()}
    firsts = {key: [x[0] for x in lst] for key, lst in by_start.items()}
    starts = {}
    ends = set()
    for (ph, pid, tid, ts, fid, bp) in flows:
        if ph == "f" and bp != "e":
            err(f"flow end {fid} without bp \"e\"")
        t = round(ts * 1000)
        ok = False
        lst = by_start.get((pid, tid), [])
        k = bisect.bisect_right(firsts.get((pid, tid), []), t)
        for (sa, sb) in reversed(lst[max(0, k - 64):k]):  # the enclosing slice starts at or before t (nesting is shallow)
            if (sa < t < sb) if sb - sa >= 5 else (sa <= t <= sb):
                ok = True
                break
        if not ok:
            err(f"flow {ph} {fid} at {ts} µs is not inside a slice of pid {pid} tid {tid}")
        (starts.__setitem__(fid, 1) if ph == "s" else ends.add(fid))
    for fid in starts:
        if fid not in ends:
            err(f"flow {fid} starts but never ends")
    for p in used_p - named_p:
        err(f"process {p} has no process_name")
    for pt in used_t - named_t:
        err(f"thread {pt} has no thread_name")
    if counts["X"] < int(opts.get("--min-x", 1)):
        err(f"{counts['X']} complete events, expected at least {opts.get('--min-x', 1)}")
    if len(named_p) < int(opts.get("--min-pids", 1)):
        err(f"{len(named_p)} processes, expected at least {opts.get('--min-pids')}")
    if counts["s"] < int(opts.get("--min-flows", 0)):
        err(f"{counts['s']} flows, expected at least {opts.get('--min-flows')}")
    for line in errors[:20]:
        print(f"{path}: {line}")
    if errors:
        print(f"{path}: {len(errors)} violation(s)")
        return 1
    print(f"{path}: ok: {counts['X']} slices, {counts['s']} flows, {counts['C']} counter points, {len(named_p)} processes, "
          f"{len(named_t)} threads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
