#!/usr/bin/python3
"""report: the table of bench/run (chunkscope vs Dask) and docs/performance.md, from the JSON results.

    /usr/bin/python3 bench/report.py --results build-release/bench [--doc docs/performance.md] ...

Reads cs_<name>.json (bench/cs_bench.cpp) and dask_<name>.json (bench/dask_bench.py). Every number
printed or written comes from those files or from the machine (lscpu, /proc/meminfo); a result that
is missing (the process failed or was not run) shows as "-" and its target as "n/a".
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
from pathlib import Path

MIB = 1024 * 1024
MALLOC_TUNED = "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
N5 = 4096  # W5: n x n @ n x n


def load(results, name):
    p = results / f"{name}.json"
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError):
        return None


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine():
    model = ""
    for line in sh(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    osname = ""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    gxx = sh(["g++", "--version"]).splitlines()
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(), "memory": mem, "os": osname,
            "kernel": platform.release(), "compiler": gxx[0] if gxx else ""}


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if abs(v) >= 100:
        s = f"{v:,.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    elif abs(v) >= 1:
        s = f"{v:.2f}"
    else:
        s = f"{v:.3f}"
    return s + unit


def fmt_bytes(b):
    if b is None:
        return "-"
    for unit, k in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= k:
            return fmt(b / k, " " + unit)
    return f"{b:.0f} B"


def spread_pct(series):
    """How far the median run is above the best one, in %: a measure of the run-to-run noise."""
    if not series or not series.get("best_s"):
        return None
    return 100.0 * (series["median_s"] - series["best_s"]) / series["best_s"]


def ratio_str(r):
    return "-" if r is None else (f"{r:,.0f}×" if r >= 100 else f"{r:.1f}×" if r >= 10 else f"{r:.2f}×")


def div(a, b):
    return None if a is None or b is None or b == 0 else a / b


def get(d, key):
    return None if d is None else d.get(key)


def per_task_us(d):
    return None if d is None or not d.get("tasks") else d["best_s"] / d["tasks"] * 1e6


def median(xs):
    return statistics.median(xs) if xs else None


def build_rows(R):
    """The main table: (workload, chunkscope, dask, ratio, target, met)."""
    rows = []

    def row(name, cs, dk, ratio, target, ok):
        met = "n/a" if ok is None else ("yes" if ok else "no")
        rows.append({"workload": name, "cs": cs, "dask": dk, "ratio": ratio, "target": target, "met": met})

    for key, label in (("w1_independent", "W1 100,000 independent tasks: µs/task"),
                       ("w1_chain", "W1 100,000-task chain: µs/task")):
        c, d = per_task_us(R.get("cs_" + key)), per_task_us(R.get("dask_" + key))
        r = div(d, c)
        row(label, fmt(c, " µs"), fmt(d, " µs"), r, "≤ 2 µs and ≥ 30× less than Dask",
            None if c is None or r is None else (c <= 2 and r >= 30))
    labels = {"w2": "W2 ((x + x.T) * 2).mean(0), 8192², 512: wall",
              "w3": "W3 gaussian_filter > 0.5 sum, 4096², 512: wall",
              "w4": "W4 rechunk (8192, 64) -> (64, 8192), sum: wall"}
    for key in ("w2", "w3", "w4"):
        c, d = get(R.get("cs_" + key), "best_s"), get(R.get("dask_" + key), "best_s")
        r = div(d, c)
        row(labels[key], fmt(c, " s"), fmt(d, " s"), r, "≤ ½ of Dask's time", None if r is None else r >= 2)
    c, d = get(R.get("cs_w4"), "peak_rss_bytes"), get(R.get("dask_w4"), "peak_rss_bytes")
    r = div(d, c)
    row("W4 peak RSS", fmt_bytes(c), fmt_bytes(d), r, "≤ ¼ of Dask's", None if r is None else r >= 4)
    flops = 2.0 * N5 ** 3
    c = div(flops, get(R.get("cs_w5"), "best_s"))
    d = div(flops, get(R.get("dask_w5"), "best_s"))
    c, d = (c and c / 1e9), (d and d / 1e9)
    r = div(c, d)
    row("W5 matmul 4096² @ 4096², 1024: GFLOP/s", fmt(c), fmt(d), r, "≥ 4× Dask's GFLOP/s", None if r is None else r >= 4)
    c, d = get(R.get("cs_w6"), "best_s"), get(R.get("dask_w6"), "best_s")
    r = div(d, c)
    row("W6 (x + 1).sum(), 4096², (32, 32): wall", fmt(c, " s"), fmt(d, " s"), r, "≤ ½ of Dask's time",
        None if r is None else r >= 2)
    ab = R.get("cs_w2_record_ab")
    pct = get(ab, "record_overhead_best_pct")
    row("Recorder overhead on W2 (best vs best)", fmt(pct, " %"), "-", None, "≤ 3 %", None if pct is None else pct <= 3)
    if ab and pct is not None:
        noise = max(spread_pct(ab["record"]) or 0, spread_pct(ab["no_record"]) or 0)
        if noise > 3:  # the runs differ among themselves by more than the target: no verdict
            rows[-1]["met"] = f"unclear (runs spread {noise:.0f} %)"
    return rows


def table_text(rows):
    head = ["workload", "chunkscope", "Dask", "ratio", "target", "met?"]
    body = [[r["workload"], r["cs"], r["dask"], ratio_str(r["ratio"]), r["target"], r["met"]] for r in rows]
    w = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    line = lambda xs: "  ".join(x.ljust(w[i]) if i in (0, 4, 5) else x.rjust(w[i]) for i, x in enumerate(xs))
    return "\n".join([line(head), line(["-" * n for n in w])] + [line(b) for b in body])


def table_md(rows):
    out = ["| workload | chunkscope | Dask | ratio | target | met? |", "|---|--:|--:|--:|---|---|"]
    for r in rows:
        out.append(f"| {r['workload']} | {r['cs']} | {r['dask']} | {ratio_str(r['ratio'])} | {r['target']} | {r['met']} |")
    return "\n".join(out)


DETAIL = [("W1 independent", "w1_independent", "w1_independent"), ("W1 chain", "w1_chain", "w1_chain"), ("W2", "w2", "w2"),
          ("W2, no recorder", "w2_record_ab", None), ("W2, malloc tuned (diagnostic)", "w2_malloc_tuned", "w2_malloc_tuned"),
          ("W3", "w3", "w3"), ("W4", "w4", "w4"), ("W4, push-down off", "w4_no_push_down", None), ("W5", "w5", "w5"),
          ("W5 ceiling: NumPy a @ b, whole arrays", None, "w5_numpy"), ("W6", "w6", "w6")]


def details_md(R):
    out = ["| workload | tool | tasks | best s | median s | CPU s (median run) | page faults (median run) | peak RSS | accounted peak (chunkscope) |",
           "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
    for label, cs_key, dk_key in DETAIL:
        c = R.get("cs_" + cs_key) if cs_key else None
        if c is not None:
            src = c.get("no_record", c) if cs_key == "w2_record_ab" else c
            out.append(f"| {label} | chunkscope | {c.get('tasks', '-'):,} | {fmt(src.get('best_s'))} | {fmt(src.get('median_s'))} | "
                       f"{fmt(median(src.get('cpu_s', [])))} | {fmt(median(src.get('page_faults', [])))} | "
                       f"{fmt_bytes(c['peak_rss_bytes'])} | {fmt_bytes(c['peak_bytes'])} |")
        d = R.get("dask_" + dk_key) if dk_key else None
        if d is not None:
            tool = "NumPy" if dk_key == "w5_numpy" else "Dask"
            out.append(f"| {label} | {tool} | {d.get('tasks', '-'):,} | {fmt(d['best_s'])} | {fmt(d['median_s'])} | "
                       f"{fmt(median(d.get('cpu_s', [])))} | {fmt(median(d.get('page_faults', [])))} | "
                       f"{fmt_bytes(d['peak_rss_bytes'])} | |")
    return "\n".join(out)


def top_layers_md(R):
    out = []
    for label, cs_key, _ in DETAIL:
        c = R.get("cs_" + cs_key) if cs_key and "record_ab" not in cs_key else None
        if not c or not c.get("top_layers"):
            continue
        parts = [f"`{t['id']}` ({t['op']}) {100 * t['share']:.0f} %" for t in c["top_layers"]]
        peak = f"; accounted peak during `{c['peak_layer']}`" if c.get("peak_layer") else ""
        out.append(f"- {label}: " + ", ".join(parts) + peak)
    return "\n".join(out)


def observations(R, rows, load_start, cores):
    """Short data-driven remarks (only facts read from the results)."""
    obs = []
    try:
        l1 = float(load_start.split()[0])
    except (ValueError, IndexError):
        l1 = 0.0
    if cores and l1 > 0.5 * cores:
        obs.append(f"The machine was busy when the run started (1-minute load average {l1:.2f} on {cores} cores): wall "
                   "times include waiting for a CPU and are noisy; the CPU-seconds and page-fault columns below are less "
                   "sensitive to that. Re-run `bench/run` on a quiet machine for numbers to quote.")
    for label, key in (("W2", "w2"), ("W3", "w3"), ("W4", "w4"), ("W6", "w6")):
        c, d = R.get("cs_" + key), R.get("dask_" + key)
        if not c or not d:
            continue
        fc, fd = median(c.get("page_faults", [])), median(d.get("page_faults", []))
        cc, cd = median(c.get("cpu_s", [])), median(d.get("cpu_s", []))
        if fc and fd and fc > 2 * fd:
            obs.append(f"{label}: chunkscope took {fc:,.0f} minor page faults per run against Dask's {fd:,.0f} "
                       f"(CPU {fmt(cc)} s against {fmt(cd)} s): chunk buffers are given back to the kernel when freed "
                       "and faulted in again when the next chunk is allocated.")
    c, d = R.get("cs_w2_malloc_tuned"), R.get("dask_w2_malloc_tuned")
    if c and d and R.get("cs_w2") and R.get("dask_w2"):
        obs.append(f"W2 with glibc's malloc told to keep freed memory (`{MALLOC_TUNED}`; a diagnostic, not a "
                   f"configuration users have): chunkscope best {fmt(c['best_s'])} s (default {fmt(R['cs_w2']['best_s'])} s), "
                   f"Dask {fmt(d['best_s'])} s (default {fmt(R['dask_w2']['best_s'])} s); ratio "
                   f"{ratio_str(div(d['best_s'], c['best_s']))} instead of {ratio_str(div(R['dask_w2']['best_s'], R['cs_w2']['best_s']))}."
                   + (" Reusing chunk buffers inside chunkscope (a free list per size, or mallopt) would have the same "
                      "effect without the environment variable."
                      if (median(R['cs_w2'].get('page_faults', [])) or 0) > 10 * max(1, median(c.get('page_faults', [])) or 0)
                      else ""))
    c, d = R.get("cs_w4"), R.get("cs_w4_no_push_down")
    if c and d:
        obs.append(f"W4 with the push-down switched off (the rechunk runs as its own layer): best {fmt(d['best_s'])} s, "
                   f"accounted peak {fmt_bytes(d['peak_bytes'])}, peak RSS {fmt_bytes(d['peak_rss_bytes'])} "
                   f"(with push-down: {fmt(c['best_s'])} s, {fmt_bytes(c['peak_bytes'])}, {fmt_bytes(c['peak_rss_bytes'])}).")
    c, d, n = R.get("cs_w5"), R.get("dask_w5"), R.get("dask_w5_numpy")
    if n and n.get("best_s"):
        ceil = 2.0 * N5 ** 3 / n["best_s"] / 1e9
        parts = [f"W5's ceiling on this machine: NumPy's own `a @ b` on the whole arrays (no chunks, generation "
                 f"excluded) ran at {fmt(ceil)} GFLOP/s"]
        if d:
            parts.append(f"Dask reached {100 * 2.0 * N5 ** 3 / d['best_s'] / 1e9 / ceil:.0f} % of it")
        if c:
            parts.append(f"chunkscope {100 * 2.0 * N5 ** 3 / c['best_s'] / 1e9 / ceil:.0f} %")
        obs.append(", ".join(parts) + " (both with random generation included). A ratio of 4 over Dask needs Dask "
                   "below a quarter of the ceiling.")
    ab = R.get("cs_w2_record_ab")
    if ab:
        obs.append(f"Recorder on W2, runs alternated with and without it: best {fmt(ab['record']['best_s'])} s against "
                   f"{fmt(ab['no_record']['best_s'])} s ({fmt(ab['record_overhead_best_pct'])} %), medians "
                   f"{fmt(ab['record']['median_s'])} s against {fmt(ab['no_record']['median_s'])} s "
                   f"({fmt(ab['record_overhead_median_pct'])} %); median above best by "
                   f"{fmt(spread_pct(ab['record']))} % and {fmt(spread_pct(ab['no_record']))} %.")
    w1 = R.get("cs_w1_record_ab")
    if w1 and w1.get("tasks"):
        per_task_ns = (w1["record"]["best_s"] - w1["no_record"]["best_s"]) / w1["tasks"] * 1e9
        line = (f"Recorder cost per task, from W1 (100,000 tasks) alternated with and without it: {per_task_ns:.0f} ns "
                f"(best {fmt(w1['record']['best_s'])} s against {fmt(w1['no_record']['best_s'])} s)")
        if ab and ab.get("tasks") and ab["no_record"].get("best_s"):
            est = 100.0 * per_task_ns * 1e-9 * ab["tasks"] / ab["no_record"]["best_s"]
            line += f"; on W2's {ab['tasks']:,} tasks that is {est:.3f} % of W2's wall"
        obs.append(line + ".")
    c = R.get("cs_w1_chain")
    if c:
        obs.append(f"W1 chain: loading the 100,000-layer pipeline took {fmt(c['load_s'])} s and left the process at "
                   f"{fmt_bytes(c['rss_after_load_bytes'])} RSS (peak {fmt_bytes(c['peak_rss_bytes'])} with the traces); "
                   "neither is part of the per-task time.")
    for key in ("w1_independent", "w1_chain"):
        c = R.get("cs_" + key)
        if c and c.get("trace_build_s") is not None:
            obs.append(f"{key}: merging the recorder's buffers into a Trace after the run took {fmt(c['trace_build_s'])} s "
                       "(not part of the wall time above).")
    return obs


def blas_line(R):
    cs_core = next((R[k].get("openblas_core") for k in sorted(R) if k.startswith("cs_") and R[k].get("openblas_core")), None)
    dk = next((R[k] for k in sorted(R) if k.startswith("dask_")), None)
    np_blas = None
    if dk:
        b = dk.get("blas")
        if isinstance(b, list) and b:
            np_blas = ", ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
                                f"({i.get('num_threads')} threads)" for i in b)
        elif isinstance(b, str):
            np_blas = b
    return cs_core, np_blas, (dk or {}).get("versions", {})


NOTES = """\
## How it was measured

- One process per workload and tool, so the peak RSS (`getrusage` `ru_maxrss`) is the workload's own
  (it includes each process's baseline: for Dask the Python interpreter with NumPy, SciPy and Dask
  imported). The two tools alternate workload by workload.
- chunkscope: `build-release/bin/cs_bench` (bench/cs_bench.cpp) loads the pipeline once
  (`load_pipeline`: parsing and task expansion are not timed), then times `CpuExecutor::run` R times
  with a `Recorder` attached, as `chunkscope run` records (W1's per-task overhead is thus with
  recording on). The accounted peak is the executor's exact live-chunk peak.
- Dask: `bench/dask_bench.py` on Debian's `/usr/bin/python3`, threaded scheduler with `num_workers`
  = the thread count; the collection (or the raw W1 graph) is built before timing, the timed part is
  `compute()` (Dask's graph optimisation, ordering and execution) or `dask.threaded.get`.
- Times are the best of R runs (R = 3 unless `BENCH_REPEAT` says otherwise); W5's GFLOP/s is
  2·4096³ / best wall (random generation of both operands included, for both tools).
- The recorder's overhead comes from W2 run with and without the recorder alternately in one process
  (`cs_bench --record-ab`), best against best; when the runs of one kind differ among themselves by
  more than the 3 % target, the verdict is "unclear". W1 run the same way gives the recorder's cost
  per task.
- Diagnostics that are not targets: W2 once more with glibc's malloc told to keep freed memory
  (`GLIBC_TUNABLES`, both tools), W4 with the push-down switched off (`cs_bench --no-push-down`), and
  NumPy's own `a @ b` on the whole W5 arrays (the machine's BLAS ceiling for W5).
- `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` (set on some machines of this workplace) are unset for
  the benchmark processes only, so NumPy and chunkscope run the same, auto-detected OpenBLAS kernel
  (reported above); nothing else in the environment is changed. NumPy's OpenBLAS keeps its own
  thread pool (Dask does not limit it); chunkscope runs one BLAS thread per task.
- The random sources differ (Dask: NumPy's `RandomState`; chunkscope: Philox4x32-10), so the
  values differ but the shapes, chunks, dtypes and amounts of work are the same.
- Dask's W3 is `map_overlap(scipy.ndimage.gaussian_filter, depth=8, boundary="reflect", sigma=2)`:
  depth = int(4·2 + 0.5) is the kernel's reach and Dask's "reflect" boundary is SciPy's default
  `reflect` mode, so the result equals the filter on the whole array, as chunkscope's does.

## Why chunkscope differs from Dask (design, not measured here)

- Per-task overhead (W1, W6): a task is an index into a CSR task graph with a precomputed
  priority; workers take tasks from per-worker deques and run a task made ready by the one that just
  finished on the same worker, with no Python, no per-task dictionaries, no GIL. The recorder
  appends fixed-size events to per-worker buffers.
- Fused element-wise chains (W2, W6): a chain of element-wise layers runs chunk by chunk on one
  worker (continuation), so each chunk stays in cache from one layer to the next and is freed as
  soon as its last consumer ran; the trace still attributes time to each original layer.
- Push-down (W4): a rechunk directly after a source is pushed into the source, so the (64, 8192)
  chunks are generated directly instead of being cut out of (8192, 64) ones; no intermediate
  chunking and no all-to-all exchange. The "push-down off" row shows the rechunk plan on its own.
- Matmul (W5): one OpenBLAS thread per task, so the executor's pool owns the cores; Dask runs
  NumPy's multi-threaded OpenBLAS inside each of its worker threads.
- Allocation: the executor raises glibc's mmap and trim thresholds (`mallopt`, exec/src/cpu_executor.cpp),
  so a freed chunk buffer is reused from the heap instead of going back to the kernel and being
  faulted in again page by page; the price is freed memory kept by the process, which shows in the
  peak RSS. The "malloc tuned" W2 rows apply a similar setting to both tools from outside.
- Memory: every chunk buffer is accounted exactly and freed when its last dependent finishes; the
  accounted peak is the sum of live chunks, the peak RSS adds the allocator's and the process's
  own memory.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", required=True)
    ap.add_argument("--doc")
    ap.add_argument("--date", default="")
    ap.add_argument("--load-start", default="")
    ap.add_argument("--load-end", default="")
    ap.add_argument("--repeat", default="3")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--elapsed", default="")
    a = ap.parse_args()
    results = Path(a.results)
    R = {p.stem: load(results, p.stem) for p in sorted(results.glob("*.json")) if p.stem.startswith(("cs_", "dask_"))}
    R = {k: v for k, v in R.items() if v is not None}
    rows = build_rows(R)
    m = machine()
    print()
    print(f"chunkscope vs Dask ({a.date}; {m['cpu']}, {m['cores']} cores; load average at start {a.load_start}, "
          f"at end {a.load_end}; best of {a.repeat}; {a.threads} threads/workers)")
    print("ratio: how many times better chunkscope is (Dask ÷ chunkscope for times and memory, chunkscope ÷ Dask for GFLOP/s)")
    print(table_text(rows))
    met = [r for r in rows if r["met"] == "yes"]
    print(f"targets met: {len(met)} of {len(rows)}")
    if not a.doc:
        return
    cs_core, np_blas, versions = blas_line(R)
    cmds = (results / "commands.txt").read_text().strip() if (results / "commands.txt").exists() else ""
    obs = observations(R, rows, a.load_start, m["cores"])
    doc = [
        "# Performance: chunkscope against Dask",
        "",
        "Written by `bench/run` (do not edit by hand: re-run it). Every number below was measured by that",
        "run on the machine it names; ratios are taken within the one run.",
        "",
        "## Machine and run",
        "",
        f"- date: {a.date}",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}",
        f"- OS: {m['os']}, kernel {m['kernel']}; compiler: {m['compiler']}",
        f"- load average (1, 5, 15 min) at start: {a.load_start}; at end: {a.load_end}",
        f"- chunkscope: Release build, {a.threads} threads; OpenBLAS kernel: {cs_core or '-'}",
        f"- Dask {versions.get('dask', '-')}, NumPy {versions.get('numpy', '-')}, SciPy {versions.get('scipy', '-')}, "
        f"Python {versions.get('python', '-')}; threaded scheduler, {a.threads} workers; NumPy's BLAS: {np_blas or '-'}",
        f"- best of {a.repeat} runs per workload; the whole `bench/run` took {a.elapsed} s",
        "",
        "## Results",
        "",
        "ratio: how many times better chunkscope is (Dask ÷ chunkscope for times and memory, chunkscope ÷ Dask",
        "for GFLOP/s); a target of \"≤ ½ of Dask's time\" is met by a ratio of at least 2.",
        "",
        table_md(rows),
        "",
        f"Targets met: {len(met)} of {len(rows)}" + (": " + "; ".join(r["workload"] for r in met) if met else "") + ".",
        f"Not met: " + ("; ".join(r["workload"] for r in rows if r["met"] == "no") or "none") + ".",
        "",
    ]
    if obs:
        doc += ["### Observations from this run", ""] + [f"- {o}" for o in obs] + [""]
    doc += ["### Details", "", "CPU s: user + system CPU seconds of the process during the run; page faults: minor",
            "faults during the run (`ru_minflt`).", "", details_md(R), "",
            "Where chunkscope's task time went (its trace, share of the summed task durations):", "", top_layers_md(R), "",
            "The traces are in `build-release/bench/traces/`; `build-release/bin/chunkscope report TRACE` prints the",
            "per-layer table.", "",
            "## Commands", "", "```", "bench/run", "", "# which ran, one process each:", cmds, "```", "", NOTES]
    # bench/payoff and bench/dashboard write their own sections between markers; keep them.
    prev = Path(a.doc).read_text() if Path(a.doc).exists() else ""
    for part in ("payoff", "dashboard", "viewer", "capture"):
        begin, end = f"<!-- {part}:begin -->", f"<!-- {part}:end -->"
        if begin in prev and end in prev:
            doc += ["", begin + prev.split(begin, 1)[1].split(end, 1)[0] + end]
    Path(a.doc).write_text("\n".join(doc) + "\n")
    print(f"wrote {a.doc}")


if __name__ == "__main__":
    main()
