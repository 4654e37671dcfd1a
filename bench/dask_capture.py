#!/usr/bin/python3
"""dask_capture: the cost of recording a Dask run with chunkscope.dask.profile().

    PYTHONPATH=build/python /usr/bin/python3 bench/dask_capture.py [--workloads w2,w3,w4,w6] [--repeat 9]
        [--min-seconds 40] [--workers 2] [--doc docs/performance.md] [--json out.json]

Each workload of bench/dask_bench.py (the same builders) is computed on the threaded scheduler
in pairs, one run without and one with the profiler (the order alternating); the overhead is the
median over the pairs of (with / without - 1), and the best and median wall times are shown too.
"with" includes everything the profiler adds: the hooks around every task during the run and the
building and validation of the trace afterwards (reported separately as "trace build").
With --doc, the table is written between <!-- capture:begin --> and <!-- capture:end --> (appended
when the markers are absent; the rest of the file is kept).
"""
import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import dask_bench  # noqa: E402  (the workload builders)

import chunkscope  # noqa: E402
import chunkscope.dask as csd  # noqa: E402


def measure(name, repeat, min_seconds=0.0):
    run, tasks = dask_bench.build(name)
    run()  # warm-up: imports, thread pool, BLAS
    t0 = time.perf_counter()
    run()
    once = time.perf_counter() - t0
    # Short workloads get more pairs (about min_seconds of runs in all, at most 61 pairs): a single
    # run of w2-w4 moves by ±20% on a shared machine, and a median of 7 pairs still does by ±10%.
    repeat = max(repeat, min(61, int(min_seconds / (2 * max(once, 1e-3)))))
    base, prof, build, ntasks = [], [], [], 0

    # Each timed run starts from a full collection. Without it Python's full collections (about one
    # in 8 runs of w3, 65 ms each with dask, NumPy and SciPy loaded) came at a fixed phase of the
    # alternation and so always in the same member of a pair: every 4th pair of w3 read +20%. The
    # profiled and plain runs need as many of them (0.12 and 0.10 a run, counted apart).
    def plain():
        gc.collect()
        t0 = time.perf_counter()
        run()
        base.append(time.perf_counter() - t0)

    def profiled():
        nonlocal ntasks
        gc.collect()
        t0 = time.perf_counter()
        with csd.profile(name=name) as p:
            run()
        prof.append(time.perf_counter() - t0)
        build.append(p.capture_ns / 1e9)
        ntasks = p.trace.task_count

    # Pairs of runs, the order alternating, so that each pair shares the machine's state of the
    # moment; the median of the pairs' ratios is the overhead least moved by a noisy neighbour.
    for i in range(repeat):
        for f in ((plain, profiled) if i % 2 == 0 else (profiled, plain)):
            f()
    pairs = [p / b - 1 for p, b in zip(prof, base)]
    share = accounted_share(name, run)
    return {"workload": name, "graph_tasks": tasks, "pair_count": repeat, "recorded_tasks": ntasks, "base_best_s": min(base),
            "base_median_s": statistics.median(base), "profiled_best_s": min(prof), "profiled_median_s": statistics.median(prof),
            "trace_build_median_s": statistics.median(build),
            "overhead_best": min(prof) / min(base) - 1, "overhead_median": statistics.median(prof) / statistics.median(base) - 1,
            "overhead_paired_median": statistics.median(pairs), "pairs": pairs, "accounted_share": share}


def accounted_share(name, run):
    """The profiler's own work as a share of a run, without wall-clock noise: one profiled run on the
    synchronous scheduler under cProfile; the time inside chunkscope's Python code (the hooks around
    every task, building the trace) plus the native validation of the trace, over the whole run."""
    import cProfile
    import dask
    import pstats
    pr = cProfile.Profile()
    with dask.config.set(scheduler="sync"):
        pr.enable()
        with csd.profile(name=name):
            run()
        pr.disable()
    st = pstats.Stats(pr).stats
    total = sum(v[2] for v in st.values())
    ours = sum(v[2] for k, v in st.items() if "chunkscope" in k[0] or "_chunkscope" in k[2] or "json/encoder" in k[0])
    return ours / total if total else 0.0


def table(rows, workers):
    out = ["| workload | tasks run | pairs | without (best / median) | with profile (best / median) | overhead: paired median | best / median | profiler's own work | trace build | per task (paired) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        per_task = r["overhead_paired_median"] * r["base_median_s"] / max(1, r["recorded_tasks"]) * 1e6
        out.append(f"| {r['workload']} | {r['recorded_tasks']} | {r['pair_count']} | {r['base_best_s']:.3f} / {r['base_median_s']:.3f} s | "
                   f"{r['profiled_best_s']:.3f} / {r['profiled_median_s']:.3f} s | **{100 * r['overhead_paired_median']:+.1f}%** | "
                   f"{100 * r['overhead_best']:+.1f}% / {100 * r['overhead_median']:+.1f}% | {100 * r['accounted_share']:.1f}% | "
                   f"{1e3 * r['trace_build_median_s']:.0f} ms | "
                   f"{per_task:+.1f} µs |")
    return out


def write_doc(path, rows, args):
    begin, end = "<!-- capture:begin -->", "<!-- capture:end -->"
    body = [begin, "## Dask capture overhead (`bench/dask_capture.py`)", "",
            f"`chunkscope.dask.profile()` around the bench/ workloads in Dask (bench/dask_bench.py's builders), threaded "
            f"scheduler with {args.workers} workers, at least {args.repeat} pairs of runs (one without, one with the profiler, the "
            f"order alternating; short workloads more, about {args.min_seconds:.0f} s of runs each) on {os.cpu_count()} shared cores ({time.strftime('%Y-%m-%d %H:%M')} UTC; load average "
            f"{args.load_before[0]:.2f} before, {args.load_after[0]:.2f} after: other work shared the cores when above "
            f"{os.cpu_count()}). \"with profile\" includes "
            "building and validating the trace after the run (\"trace build\"). The overhead is the median over the pairs of "
            "(with / without − 1): the two runs of a pair share the machine's state, so a slow or fast moment moves both "
            "(best-of and median-of ratios are shown too; on this shared machine single runs of w6 vary by ±20%); each run "
            "starts from a full garbage collection (gc.collect()), so that Python's periodic full collections do not land "
            "in the same member of every 4th pair. "
            "\"per task\" is that overhead in time divided by the tasks Dask ran. \"profiler's own work\" has no wall-clock "
            "noise: one profiled run on the synchronous scheduler under cProfile, the time spent in chunkscope's code (hooks "
            "around every task, building and validating the trace) over the whole run's.", ""]
    body += table(rows, args.workers)
    body += ["", "Command: `PYTHONPATH=build/python /usr/bin/python3 bench/dask_capture.py --doc docs/performance.md`. "
             "Targets (issue 15): the profiler's own work at most 3% of a run, the paired wall overhead at most 5%; "
             "differences of a few percent are within the run-to-run noise of a shared machine.",
             end]
    p = Path(path)
    text = p.read_text() if p.exists() else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + "\n".join(body) + tail
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(body) + "\n"
    p.write_text(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default="w2,w3,w4,w6")
    ap.add_argument("--repeat", type=int, default=9, help="pairs of runs per workload, at least")
    ap.add_argument("--min-seconds", type=float, default=40.0,
                    help="short workloads get more pairs: about this many seconds of runs each (at most 61 pairs)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--doc")
    ap.add_argument("--json")
    args = ap.parse_args()
    dask_bench.WORKERS = args.workers
    args.load_before = os.getloadavg()
    rows = []
    for name in args.workloads.split(","):
        r = measure(name, args.repeat, args.min_seconds)
        print(json.dumps(r), flush=True)
        rows.append(r)
    args.load_after = os.getloadavg()
    print("\n".join(table(rows, args.workers)))
    print("load average (1, 5, 15 min) before %.2f %.2f %.2f, after %.2f %.2f %.2f" % (args.load_before + args.load_after))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    if args.doc:
        write_doc(args.doc, rows, args)


if __name__ == "__main__":
    main()
