#!/usr/bin/python3
"""dask_bench: the bench/ workloads on Dask's threaded scheduler, one workload per process.

    /usr/bin/python3 bench/dask_bench.py WORKLOAD [--repeat R] [--workers N]

WORKLOAD is one of w1_independent, w1_chain, w2, w3, w4, w5, w6 (see docs/performance.md), or
w5_numpy: NumPy's own `a @ b` on the whole 4096² arrays (no Dask; the BLAS ceiling of W5).
Prints one JSON object: best and median wall seconds of R runs, tasks, the process's peak RSS
(resource.getrusage ru_maxrss) and the BLAS that NumPy runs (threadpoolctl, when installed).
The collections / graphs are built before timing; the timed part is `compute()` (which includes
Dask's graph optimisation and ordering) or `dask.threaded.get` for the raw W1 graphs.
Exit 3 when Dask, NumPy or SciPy is missing.
"""
import argparse
import json
import resource
import statistics
import sys
import time

try:
    import numpy as np
    import dask
    import dask.array as da
    import dask.threaded
    import scipy
    import scipy.ndimage as ndi
except ImportError as e:  # pragma: no cover - reported by bench/run
    print(f"dask_bench: missing dependency: {e.name} ({e}); on Debian: apt-get install python3-dask python3-numpy "
          "python3-scipy", file=sys.stderr)
    sys.exit(3)

N_W1 = 100_000


def inc(x):
    return x + 1


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def task_count(collection):
    return len(dict(collection.__dask_graph__()))


def build(name):
    """Returns (run, tasks): run() computes the workload once and returns a small result."""
    if name == "w1_independent":
        dsk = {("x", i): (inc, i) for i in range(N_W1)}
        keys = list(dsk)
        return (lambda: len(dask.threaded.get(dsk, keys, num_workers=WORKERS))), len(dsk)
    if name == "w1_chain":
        dsk = {("x", 0): (inc, 0)}
        for i in range(1, N_W1):
            dsk[("x", i)] = (inc, ("x", i - 1))
        last = ("x", N_W1 - 1)
        return (lambda: dask.threaded.get(dsk, last, num_workers=WORKERS)), len(dsk)
    if name == "w5_numpy":
        # Not Dask: NumPy's a @ b on whole arrays, generation excluded (the BLAS ceiling of W5).
        rng = np.random.default_rng(0)
        a, b = rng.random((4096, 4096)), rng.random((4096, 4096))
        return (lambda: float((a @ b)[0, 0])), 1
    if name == "w2":
        x = da.random.random((8192, 8192), chunks=512)
        y = ((x + x.T) * 2).mean(axis=0)
    elif name == "w3":
        x = da.random.random((4096, 4096), chunks=512)
        # depth = int(truncate * sigma + 0.5) = int(4 * 2 + 0.5) = 8: the kernel's reach, so the
        # trimmed result equals gaussian_filter on the whole array. Dask's "reflect" boundary
        # (d c b a | a b c d) is SciPy's default mode "reflect".
        blur = x.map_overlap(ndi.gaussian_filter, depth=8, boundary="reflect", sigma=2, dtype=x.dtype)
        y = (blur > 0.5).sum()
    elif name == "w4":
        x = da.random.random((8192, 8192), chunks=(8192, 64))
        y = x.rechunk((64, 8192)).sum()
    elif name == "w5":
        a = da.random.random((4096, 4096), chunks=1024)
        b = da.random.random((4096, 4096), chunks=1024)
        y = a @ b
    elif name == "w6":
        x = da.random.random((4096, 4096), chunks=(32, 32))
        y = (x + 1).sum()
    else:
        raise SystemExit(f"dask_bench: unknown workload {name!r}")

    def run():
        r = y.compute(scheduler="threads", num_workers=WORKERS)
        return float(np.sum(r))

    return run, task_count(y)


def blas_info():
    try:
        import threadpoolctl
    except ImportError:
        return "threadpoolctl not installed (apt-get install python3-threadpoolctl)"
    infos = threadpoolctl.threadpool_info()
    return [{k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")} for i in infos
            if i.get("user_api") == "blas"]


def main():
    global WORKERS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    WORKERS = a.workers
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * N_W1))
    run, tasks = build(a.workload)
    rss_before = peak_rss_bytes()
    walls, cpus, faults, result = [], [], [], None
    for _ in range(max(1, a.repeat)):
        f0 = minor_faults()
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        result = run()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)
        faults.append(minor_faults() - f0)
    out = {
        "tool": "dask",
        "workload": a.workload,
        "workers": WORKERS,
        "repeat": len(walls),
        "tasks": tasks,
        "runs_s": walls,
        "cpu_s": cpus,
        "page_faults": faults,
        "best_s": min(walls),
        "median_s": statistics.median(walls),
        "rss_after_build_bytes": rss_before,
        "peak_rss_bytes": peak_rss_bytes(),
        "result": result,
        "versions": {"python": sys.version.split()[0], "dask": dask.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__},
        "blas": blas_info(),
    }
    print(json.dumps(out))


WORKERS = 2

if __name__ == "__main__":
    main()
