#!/usr/bin/python3
"""dask_capture: the cost of recording a Dask run with chunkscope.dask.profile().

    PYTHONPATH=build/python /usr/bin/python3 bench/dask_capture.py [--workloads w2,w3,w4,w6] [--repeat 3]
        [--workers 2] [--doc docs/performance.md] [--json out.json]

Each workload of bench/dask_bench.py (the same builders) is computed on the threaded scheduler
alternately without and with the profiler; the best and median wall times of each are compared.
"with" includes everything the profiler adds: the hooks around every task during the run and the
building and validation of the trace afterwards (reported separately as "trace build").
With --doc, the table is written between <!-- capture:begin --> and <!-- capture:end --> (appended
when the markers are absent; the rest of the file is kept).
"""
import argparse
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


def measure(name, repeat):
    run, tasks = dask_bench.build(name)
    run()  # warm-up: imports, thread pool, BLAS
    base, prof, build, ntasks = [], [], [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        base.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with csd.profile(name=name) as p:
            run()
        prof.append(time.perf_counter() - t0)
        build.append(p.capture_ns / 1e9)
        ntasks = p.trace.task_count
    return {"workload": name, "graph_tasks": tasks, "recorded_tasks": ntasks, "base_best_s": min(base),
            "base_median_s": statistics.median(base), "profiled_best_s": min(prof), "profiled_median_s": statistics.median(prof),
            "trace_build_median_s": statistics.median(build),
            "overhead_best": min(prof) / min(base) - 1, "overhead_median": statistics.median(prof) / statistics.median(base) - 1}


def table(rows, workers):
    out = ["| workload | tasks run | without | with profile | overhead (best / median) | trace build | per task |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        per_task = (r["profiled_best_s"] - r["base_best_s"]) / max(1, r["recorded_tasks"]) * 1e6
        out.append(f"| {r['workload']} | {r['recorded_tasks']} | {r['base_best_s']:.3f} s | {r['profiled_best_s']:.3f} s | "
                   f"{100 * r['overhead_best']:+.1f}% / {100 * r['overhead_median']:+.1f}% | {1e3 * r['trace_build_median_s']:.0f} ms | "
                   f"{per_task:+.1f} µs |")
    return out


def write_doc(path, rows, args):
    begin, end = "<!-- capture:begin -->", "<!-- capture:end -->"
    body = [begin, "## Dask capture overhead (`bench/dask_capture.py`)", "",
            f"`chunkscope.dask.profile()` around the bench/ workloads in Dask (bench/dask_bench.py's builders), threaded "
            f"scheduler with {args.workers} workers, best of {args.repeat} alternating runs each way on "
            f"{os.cpu_count()} shared cores ({time.strftime('%Y-%m-%d')}). \"with profile\" includes building and validating "
            "the trace after the run (\"trace build\"); \"per task\" is the added time divided by the tasks Dask ran.", ""]
    body += table(rows, args.workers)
    body += ["", "Command: `PYTHONPATH=build/python /usr/bin/python3 bench/dask_capture.py --doc docs/performance.md`. "
             "The target is under 10%; differences of a few percent are within the run-to-run noise of a shared machine.",
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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--doc")
    ap.add_argument("--json")
    args = ap.parse_args()
    dask_bench.WORKERS = args.workers
    rows = []
    for name in args.workloads.split(","):
        r = measure(name, args.repeat)
        print(json.dumps(r), flush=True)
        rows.append(r)
    print("\n".join(table(rows, args.workers)))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    if args.doc:
        write_doc(args.doc, rows, args)


if __name__ == "__main__":
    main()
