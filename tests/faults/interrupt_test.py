#!/usr/bin/env python3
"""Ctrl-C during `chunkscope run` (issue 14, item 7): SIGINT about a second into a pipeline whose
filter task alone runs for many seconds.

    interrupt_test.py CHUNKSCOPE WORKDIR [BOUND_S]

  once:  one SIGINT. The run must end within BOUND_S seconds (default 3; the goal is 1 s, the
         margin is for a loaded machine) with exit code 130, the trace written with status
         "cancelled" and the interrupted filter task marked cancelled (status 3), no output and no
         temporary ("<path>.tmp-<pid>...") left for the .npy and Zarr outputs.
  twice: two SIGINTs 2 ms apart. Exit code 130 within the bound, no temporaries (the second
         Ctrl-C removes them itself and exits at once; if the first had already ended the run,
         the normal cancelled path removed them).

Prints the measured time from the (first) SIGINT to the exit for each case. Exit 1 on the first
violated guarantee.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

OUT = "out"


def pipeline():
    # One float64 chunk of 4 million elements through a gaussian filter of sigma 8000 (64001 taps): a single
    # filter task of about 18 s uninterrupted on the 2-core dev machine.
    return {"name": "interruptme",
            "layers": [{"id": "x", "op": "random", "shape": [4000000], "chunks": [4000000], "seed": 3},
                       {"id": "g", "op": "gaussian_filter", "input": "x", "sigma": 8000}],
            "outputs": [{"id": "g", "to_npy": OUT + "/g.npy"}, {"id": "g", "to_zarr": OUT + "/g.zarr"}]}


def temporaries(folder):
    return sorted(e for e in os.listdir(folder) if ".tmp-" in e or ".old-" in e)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run_case(exe, work, name, signals, bound):
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, OUT))
    with open(os.path.join(d, "p.json"), "w") as f:
        json.dump(pipeline(), f)
    p = subprocess.Popen([exe, "run", "p.json", "--threads", "2", "--trace", "t.cstrace.json"], cwd=d,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait until the sinks have made their temporaries (the run has started), then about a second.
    t0 = time.monotonic()
    while not temporaries(os.path.join(d, OUT)) and time.monotonic() - t0 < 10 and p.poll() is None:
        time.sleep(0.01)
    time.sleep(1.0)
    if p.poll() is not None:
        fail(f"{name}: the run ended before Ctrl-C (exit {p.returncode}); make the pipeline longer")
    sent = time.monotonic()
    for k in range(signals):
        if k:
            time.sleep(0.002)
        p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=bound + 30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        fail(f"{name}: still running {bound + 30:.0f} s after Ctrl-C")
    took = time.monotonic() - sent
    second = "chunkscope: interrupted" in err
    print(f"{name}: exit {p.returncode} {took:.3f} s after the first SIGINT"
          f"{' (the second Ctrl-C ended it)' if second else ''}")
    if took > bound:
        fail(f"{name}: took {took:.2f} s after Ctrl-C (bound {bound} s); stderr: {err.strip()}")
    if p.returncode != 130:
        fail(f"{name}: exit code {p.returncode}, expected 130; stderr: {err.strip()}")
    left = temporaries(os.path.join(d, OUT))
    if left:
        fail(f"{name}: temporaries left: {left}")
    for o in ("g.npy", "g.zarr"):
        if os.path.exists(os.path.join(d, OUT, o)):
            fail(f"{name}: {o} was written by a cancelled run")
    return d, err, second


def main():
    exe, work = sys.argv[1], sys.argv[2]
    bound = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    os.makedirs(work, exist_ok=True)

    d, err, _ = run_case(exe, work, "once", 1, bound)
    if "run cancelled" not in err:
        fail(f"once: no 'run cancelled' line; stderr: {err.strip()}")
    with open(os.path.join(d, "t.cstrace.json")) as f:
        trace = json.load(f)
    if trace["meta"]["status"] != "cancelled":
        fail(f"once: trace status {trace['meta']['status']!r}, expected 'cancelled'")
    tasks = trace["tasks"]
    g = next(i for i, l in enumerate(trace["layers"]) if l["id"] == "g")
    filt = [i for i in range(len(tasks["layer"])) if tasks["layer"][i] == g and tasks["stage"][i] == 0]
    if not filt or any(tasks["status"][i] != 3 for i in filt):
        fail(f"once: the filter task is not marked cancelled: {[tasks['status'][i] for i in filt]}")
    interrupted = [i for i in filt if tasks["worker"][i] >= 0]
    if not interrupted:
        fail("once: the filter task never started (Ctrl-C came too early to test a long task)")
    ran = (tasks["end_ns"][interrupted[0]] - tasks["start_ns"][interrupted[0]]) / 1e9
    print(f"once: the filter task ran {ran:.2f} s and is marked cancelled; trace status cancelled")

    run_case(exe, work, "twice", 2, bound)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
