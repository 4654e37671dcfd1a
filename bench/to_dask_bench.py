#!/usr/bin/python3
"""to_dask_bench: the sample pipelines on chunkscope's CPU executor, on Dask's threaded scheduler
and on a 2-worker LocalCluster, in one run (issue 21).

    PYTHONPATH=build/python /usr/bin/python3 bench/to_dask_bench.py [--cli build/bin/chunkscope]
        [--repeat 3] [--threads 2] [--only cells,matmul] [--doc docs/performance.md] [--json out.json]

Each sample is copied with its outputs kept in memory (no files written by any of the three) and
timed end to end as a user waits for it: the CPU executor as `chunkscope run --no-trace -q`
(process start and pipeline parsing included), Dask as `dask.compute` of the outputs of
`chunkscope.to_dask(pipeline)` (graph building included; no profiler), on the threaded scheduler
with --threads threads and on a LocalCluster(processes=True) of 2 workers × 1 thread on 127.0.0.1
started once beforehand (its start is not counted). The best of --repeat runs is reported, and
the ratios to the CPU executor. With --doc, the table is written between
<!-- to_dask:begin --> and <!-- to_dask:end --> (appended when the markers are absent).
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def in_memory_copy(path, tmp):
    doc = json.load(open(path))
    ids = []
    for o in doc.get("outputs") or [{"id": doc["layers"][-1]["id"]}]:
        if o["id"] not in ids:
            ids.append(o["id"])
    doc["outputs"] = [{"id": i} for i in ids]
    p = os.path.join(tmp, os.path.basename(path))
    json.dump(doc, open(p, "w"))
    return p, ids, doc


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=str(ROOT / "build" / "bin" / "chunkscope"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--doc")
    ap.add_argument("--json")
    a = ap.parse_args()
    import dask
    from distributed import Client, LocalCluster

    import chunkscope
    samples = sorted(glob.glob(str(ROOT / "samples" / "pipelines" / "*.json")))
    if a.only:
        samples = [s for s in samples if Path(s).stem in a.only.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="cs-to-dask-") as tmp, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        for s in samples:
            p, ids, doc = in_memory_copy(s, tmp)
            rep = 1 if Path(s).stem == "tiny_chunks" else a.repeat
            tasks = json.loads(chunkscope._chunkscope.describe_pipeline(p, "", "", ""))["tasks"]

            def cpu():
                subprocess.run([a.cli, "run", p, "--no-trace", "-q", "--threads", str(a.threads)], check=True)

            def threaded():
                arrays = chunkscope.to_dask(p)
                with dask.config.set({"optimization.fuse.active": False}):
                    dask.compute(*[arrays[i] for i in ids], scheduler="threads", num_workers=a.threads)

            def cluster_run():
                arrays = chunkscope.to_dask(p)
                with dask.config.set({"optimization.fuse.active": False}):
                    client.compute([arrays[i] for i in ids], sync=True)

            t_cpu, t_thr, t_cl = best(cpu, rep), best(threaded, rep), best(cluster_run, rep)
            rows.append({"pipeline": Path(s).stem, "tasks": tasks, "cpu_s": t_cpu, "threaded_s": t_thr, "cluster_s": t_cl})
            print(f"{Path(s).stem:18s} {tasks:7d} tasks  cpu {t_cpu:7.2f} s  dask threaded {t_thr:7.2f} s ({t_thr / t_cpu:5.1f}x)  "
                  f"LocalCluster 2 {t_cl:7.2f} s ({t_cl / t_cpu:5.1f}x)", flush=True)
    load = os.getloadavg()[0]
    lines = ["| pipeline | tasks (chunkscope) | chunkscope CPU | Dask threaded | ratio | LocalCluster 2×1 | ratio |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['pipeline']} | {r['tasks']} | {r['cpu_s']:.2f} s | {r['threaded_s']:.2f} s | {r['threaded_s'] / r['cpu_s']:.1f}× "
                     f"| {r['cluster_s']:.2f} s | {r['cluster_s'] / r['cpu_s']:.1f}× |")
    note = (f"Best of {a.repeat} (tiny_chunks: 1) on {os.cpu_count()} cores, load average {load:.1f} at the end; "
            f"{a.threads} threads for chunkscope and the threaded scheduler. Made by bench/to_dask_bench.py.")
    table = "\n".join(lines) + "\n\n" + note + "\n"
    print(table)
    if a.json:
        json.dump({"rows": rows, "load": load}, open(a.json, "w"), indent=1)
    if a.doc:
        text = Path(a.doc).read_text()
        block = "<!-- to_dask:begin -->\n" + table + "<!-- to_dask:end -->"
        if "<!-- to_dask:begin -->" in text:
            pre, rest = text.split("<!-- to_dask:begin -->", 1)
            text = pre + block + rest.split("<!-- to_dask:end -->", 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        Path(a.doc).write_text(text)


if __name__ == "__main__":
    sys.exit(main())
