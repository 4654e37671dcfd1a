#!/usr/bin/python3
"""payoff: run a planted problem, apply chunkscope's advice, re-run, and report the change.

    /usr/bin/python3 bench/payoff.py --chunkscope build-release/bin/chunkscope --out build-release/payoff
        [--repeat R] [--threads N] [--doc docs/performance.md]

For each case: R runs of the pipeline as written (best wall time; peak live chunk bytes from the
trace; peak RSS of the process), `chunkscope apply-advice` on the first run's trace, R runs of the
advised pipeline. Prints a table and, with --doc, replaces the payoff section of the doc.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    ("tiny chunks (the inefficient sample)", "samples/pipelines/tiny_chunks.json", True),
    ("all-to-all rechunk", "samples/pipelines/transpose_rechunk.json", False),
    ("bad split_every", "bench/planted/bad_split_every.json", False),
]
BEGIN, END = "<!-- payoff:begin -->", "<!-- payoff:end -->"


def fail(msg):
    print(f"bench/payoff: {msg}", file=sys.stderr)
    sys.exit(1)


def run_once(cs, pipeline, trace, threads, cwd):
    """One `chunkscope run`; returns (wall_s from the trace, peak chunk bytes, peak RSS bytes, tasks)."""
    cmd = [str(cs), "run", str(pipeline), "--trace", str(trace), "-q", "--threads", str(threads)]
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, _, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode(errors="replace")
    p.wait()
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} failed (exit {p.returncode}): {err.strip()}")
    rep = subprocess.run([str(cs), "report", str(trace), "--json"], capture_output=True, text=True)
    if rep.returncode != 0:
        fail(f"chunkscope report {trace} failed: {rep.stderr.strip()}")
    d = json.loads(rep.stdout)
    tasks = sum(l.get("tasks", 0) for l in d["layers"])
    return d["wall_ns"] / 1e9, d["peak_bytes"], ru.ru_maxrss * 1024, tasks, d


def best_of(cs, pipeline, trace, threads, cwd, repeat):
    runs = [run_once(cs, pipeline, trace, threads, cwd) for _ in range(repeat)]
    best = min(runs, key=lambda r: r[0])
    # The trace left on disk is the last run's; keep the best run's numbers, and the findings of the
    # last run (they are what apply-advice reads).
    return {"wall_s": best[0], "peak_bytes": max(r[1] for r in runs), "rss_bytes": max(r[2] for r in runs),
            "tasks": best[3], "all_wall_s": [r[0] for r in runs], "findings": runs[-1][4].get("findings", [])}


def human_bytes(b):
    for unit, k in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= k:
            return f"{b / k:.1f} {unit}"
    return f"{b} B"


def human_s(s):
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunkscope", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--doc")
    a = ap.parse_args()
    cs = Path(a.chunkscope).resolve()
    if not cs.exists():
        fail(f"{cs} is missing (bench/payoff builds it)")
    out = Path(a.out).resolve()
    load_start = open("/proc/loadavg").read().split()[:3]
    t0 = time.time()
    rows = []
    for label, rel, is_target in CASES:
        name = Path(rel).stem
        work = out / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        src = work / f"{name}.json"
        shutil.copy(ROOT / rel, src)  # outputs (to_npy) then land in work/, not in the repo
        print(f"bench/payoff: {label}: running {rel} as written ({a.repeat}x)", flush=True)
        before = best_of(cs, src, work / "before.cstrace.json", a.threads, work, a.repeat)
        adv = subprocess.run([str(cs), "apply-advice", str(src), str(work / "before.cstrace.json"), "-o", str(work / "advised.json")],
                             capture_output=True, text=True)
        if adv.returncode != 0:
            fail(f"apply-advice on {rel} failed: {adv.stderr.strip()}")
        edits = [ln.strip() for ln in adv.stdout.splitlines() if ln.strip().startswith("layer ")]
        if not edits:
            fail(f"{rel}: the findings carried no pipeline edit, so there is nothing to compare")
        print(f"bench/payoff: {label}: {'; '.join(edits)}; running the advised pipeline ({a.repeat}x)", flush=True)
        after = best_of(cs, work / "advised.json", work / "after.cstrace.json", a.threads, work, a.repeat)
        rules = sorted({f"{f['rule']} ({', '.join(f['layers'][:2])})" for f in before["findings"]
                        if f.get("severity") in ("warning", "critical")})
        speed = before["wall_s"] / after["wall_s"] if after["wall_s"] > 0 else float("inf")
        mem = before["peak_bytes"] / after["peak_bytes"] if after["peak_bytes"] > 0 else float("inf")
        rss = before["rss_bytes"] / after["rss_bytes"] if after["rss_bytes"] > 0 else float("inf")
        rows.append({"case": label, "pipeline": rel, "target": is_target, "findings": rules, "edits": edits,
                     "before": before, "after": after, "speedup": speed, "mem_ratio": mem, "rss_ratio": rss,
                     "met": (speed >= 3 or mem >= 3) if is_target else None})
    elapsed = time.time() - t0
    load_end = open("/proc/loadavg").read().split()[:3]

    header = "| case | found (warning or worse) | edit applied | tasks | wall time | speed-up | peak chunk memory | peak RSS |"
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        b, f = r["before"], r["after"]
        lines.append(
            f"| {r['case']} | {'; '.join(r['findings']) or '-'} | {'; '.join(e.replace('|', '/') for e in r['edits'])} | "
            f"{b['tasks']:,} → {f['tasks']:,} | {human_s(b['wall_s'])} → {human_s(f['wall_s'])} | **{r['speedup']:.1f}×** | "
            f"{human_bytes(b['peak_bytes'])} → {human_bytes(f['peak_bytes'])} ({r['mem_ratio']:.2f}×) | "
            f"{human_bytes(b['rss_bytes'])} → {human_bytes(f['rss_bytes'])} ({r['rss_ratio']:.2f}×) |")
    table = "\n".join(lines)
    print(table)
    tgt = [r for r in rows if r["target"]]
    verdict = "; ".join(f"{r['case']}: {r['speedup']:.1f}× faster (peak chunk memory {human_bytes(r['before']['peak_bytes'])} → "
                        f"{human_bytes(r['after']['peak_bytes'])}) — target {'met' if r['met'] else 'NOT met'}" for r in tgt)
    print(f"target (>= 3x faster or >= 3x less peak memory on the inefficient sample): {verdict}")
    json.dump(rows, open(out / "payoff.json", "w"), indent=1, default=str)
    if not a.doc:
        return
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    section = [
        BEGIN,
        "## The payoff of the advice (bench/payoff)",
        "",
        f"Written by `bench/payoff` on {date} ({platform.machine()}, {os.cpu_count()} cores, load average at "
        f"start {' '.join(load_start)}, at end {' '.join(load_end)}; {a.threads} threads; best of {a.repeat} runs "
        f"each; {elapsed:.0f} s in all). Each case: run the pipeline as written, `chunkscope report` finds the "
        "problem, `chunkscope apply-advice` writes the advised pipeline, run that. Wall time is the run's (from "
        "its trace, best of the runs); peak chunk memory is the executor's exact live-bytes peak; peak RSS is the "
        "process's (the most over the runs).",
        "",
        table,
        "",
        f"Target (issue 4: at least 3× faster or 3× less peak memory on the inefficient sample): {verdict}.",
        "",
        "Notes: tiny chunks cost chunkscope ~1 µs per task (Dask ~100 µs, see W1 above), so the same sample "
        "gains far more under Dask; the advised chunks are bigger, so the peak chunk memory of the tiny-chunks "
        "case goes *up* (from a few KiB to a few MiB) while the time goes down. The all-to-all rechunk and the "
        "split_every cases gain mostly in memory. Traces and advised pipelines: `build-release/payoff/`.",
        END,
    ]
    doc = Path(a.doc)
    text = doc.read_text() if doc.exists() else "# Performance\n"
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1]
        text = pre + "\n".join(section) + post
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    doc.write_text(text)
    print(f"wrote the payoff section of {doc}")


if __name__ == "__main__":
    main()
