#!/usr/bin/python3
"""sampler_ab: the cost of `chunkscope run`'s resource sampler (issue 20 item 2: under 1% of a run).

    /usr/bin/python3 bench/sampler_ab.py [--chunkscope build/bin/chunkscope] [--workloads w2,w3,w6]
        [--pairs 7] [--ms 10] [--threads N]

Each workload of bench/workloads/ runs through the CLI in pairs, once with `--sample-resources-ms 0`
(no sampler) and once with `--sample-resources-ms MS`, the order alternating, so that both runs of a
pair share the machine's state of the moment. The time compared is the trace's meta.wall_ns (the
executor's run: the sampler runs from the first task to the last; starting the process and writing
the trace are left out). The cost is the median over the pairs of (with / without - 1); the best
times of each side and the samples per run are shown too, and the same for the CPU time of the
whole `chunkscope run` process (getrusage of the child: less moved by other processes than the wall
time, but it includes parsing and writing the trace). Then the sampler's own CPU cost, measured
without noise: exec's sampler (through the Python binding, PYTHONPATH=build/python) runs for 3 s in
a process that does nothing else, and the process's CPU time over that time is the sampler's.
Prints Markdown tables and JSON.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAMES = {p.stem.split("_")[0]: p for p in sorted((HERE / "workloads").glob("w*.json"))}


def run_once(exe, pipeline, ms, threads, tmp):
    trace = os.path.join(tmp, "t.cstrace.json")
    cmd = [exe, "run", str(pipeline), "--quiet", "--trace", trace, "--sample-resources-ms", str(ms)]
    if threads:
        cmd += ["--threads", str(threads)]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, cwd=tmp)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    with open(trace) as f:
        d = json.load(f)
    samples = sum(len(p["t_ns"]) for p in d.get("resources", {}).get("processes", []))
    return d["meta"]["wall_ns"] / 1e9, samples, cpu


def idle_cost(ms, seconds=3.0):
    """CPU time of exec's sampler alone: (CPU µs per sample, share of one core)."""
    import time
    from chunkscope import _chunkscope as native
    s = native.ResourceSampler(ms * 1_000_000)
    c0 = time.process_time()
    s.start()
    time.sleep(seconds)
    s.stop()
    used = time.process_time() - c0
    n = len(s.samples()[0])
    return used / max(n, 1) * 1e6, used / seconds, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chunkscope", default=str(HERE.parent / "build" / "bin" / "chunkscope"))
    ap.add_argument("--workloads", default="w2,w3,w6")
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--ms", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for w in a.workloads.split(","):
            pipeline = NAMES[w]
            run_once(a.chunkscope, pipeline, 0, a.threads, tmp)  # warm-up: page cache, first allocations
            on, off, samples, cpu_on, cpu_off = [], [], [], [], []
            for i in range(a.pairs):
                for ms in ((0, a.ms) if i % 2 == 0 else (a.ms, 0)):
                    wall, n, cpu = run_once(a.chunkscope, pipeline, ms, a.threads, tmp)
                    (on if ms else off).append(wall)
                    (cpu_on if ms else cpu_off).append(cpu)
                    if ms:
                        samples.append(n)
            ratios = [x / y - 1 for x, y in zip(on, off)]
            rows.append({"workload": pipeline.stem, "pairs": a.pairs, "interval_ms": a.ms,
                         "off_best_s": min(off), "on_best_s": min(on), "off_median_s": statistics.median(off),
                         "on_median_s": statistics.median(on), "cost_median_pairs": statistics.median(ratios),
                         "cost_best": min(on) / min(off) - 1, "samples_median": statistics.median(samples),
                         "cpu_off_median_s": statistics.median(cpu_off), "cpu_on_median_s": statistics.median(cpu_on),
                         "cpu_cost_median_pairs": statistics.median([x / y - 1 for x, y in zip(cpu_on, cpu_off)])})
    print("| workload | without sampler (best / median) | with, every %d ms (best / median) | samples per run | wall: median of pairs | best vs best | process CPU: median of pairs |" % a.ms)
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['workload']} | {r['off_best_s']:.3f} s / {r['off_median_s']:.3f} s | {r['on_best_s']:.3f} s / "
              f"{r['on_median_s']:.3f} s | {r['samples_median']:.0f} | {100 * r['cost_median_pairs']:+.2f}% | "
              f"{100 * r['cost_best']:+.2f}% | {100 * r['cpu_cost_median_pairs']:+.2f}% |")
    try:
        per_sample_us, share, n = idle_cost(a.ms)
        print(f"\nexec's sampler alone, every {a.ms} ms for 3 s: {n} samples, {per_sample_us:.1f} µs CPU per sample, "
              f"{100 * share:.3f}% of one core")
        rows.append({"sampler_alone": {"samples": n, "cpu_us_per_sample": per_sample_us, "core_share": share}})
    except ImportError:
        print("\n(the sampler alone: needs PYTHONPATH=build/python)")
    json.dump(rows, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
