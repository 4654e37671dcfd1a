"""Process resources during a Dask capture (issue 20 item 2): RSS and CPU% of this process and of
every distributed worker, sampled every ~20 ms, stored in each run's trace as the document's
`resources` (docs/trace-format.md, "resources").

    sampler = ResourceSampler(client)   # client: a distributed.Client or None
    sampler.start()
    ...                                 # the computation
    sampler.stop()
    sampler.attach(doc, run)            # the samples within the run, on the run's time base

This process is sampled by exec's /proc sampler through the binding (`_chunkscope.ResourceSampler`:
a C++ thread that never takes the GIL, so a GIL-bound computation does not pay for it); where /proc
is missing, by a psutil thread. Distributed workers are sampled by a psutil thread in each worker
process (installed with Client.run); a worker that cannot be reached is left out with a warning in
`meta.extra.warnings`. Without psutil (python3-psutil) workers are not sampled.
"""
from __future__ import annotations

import os
import threading
import time

# 20 ms: 50 points a second. Every 10 ms (the CLI's interval) cost a run of 0.3-0.5 s 1.5-3% of its
# wall time on 2 busy cores (the wake-ups preempt the workers; bench/dask_capture.py, issue 15 item 13).
INTERVAL_S = 0.020
_WORKER_STATE = "_chunkscope_resource_sampler"


class _Sampler:
    """A daemon thread sampling one process through psutil: (wall time s, perf ns, RSS bytes, CPU % of
    one core over the interval before the sample)."""

    def __init__(self, interval: float = INTERVAL_S):
        import psutil
        self.proc = psutil.Process()
        self.interval = interval
        self.interval_ns = int(interval * 1e9)
        self.samples: list = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="chunkscope-resources", daemon=True)

    def start(self):
        self.proc.cpu_percent(None)  # the first call starts the CPU clock
        self._thread.start()

    def _loop(self):
        proc, samples, interval = self.proc, self.samples, self.interval
        while not self._stop.wait(interval):
            try:
                samples.append((time.time(), time.perf_counter_ns(), proc.memory_info().rss, proc.cpu_percent(None)))
            except Exception:  # the process is going away
                return

    def stop(self) -> list:
        self._stop.set()
        self._thread.join(timeout=1.0)
        return self.samples


class _ProcSampler:
    """This process through exec's /proc sampler (no GIL): the same (wall s, perf ns, RSS, CPU %)
    tuples as _Sampler once stopped. Its times are time.perf_counter_ns() values (both are
    CLOCK_MONOTONIC on Linux)."""

    def __init__(self, interval: float = INTERVAL_S):
        from .. import _chunkscope as native
        if not native.ResourceSampler.available():
            raise OSError("/proc/self/statm is not readable")
        self._s = native.ResourceSampler(int(interval * 1e9))
        self.interval_ns = int(interval * 1e9)
        self.samples: list = []

    def start(self):
        if not self._s.start():
            raise OSError("the /proc sampler did not start")
        # One pairing of the two clocks, to place worker samples (wall clock) on this process's.
        self._wall_ref, self._perf_ref = time.time(), time.perf_counter_ns()

    def stop(self) -> list:
        self._s.stop()
        t_ns, rss, cpu, _cores = self._s.samples()
        w, p = self._wall_ref, self._perf_ref
        self.samples = [(w + (t - p) / 1e9, t, r, c) for t, r, c in zip(t_ns, rss, cpu)]
        return self.samples


def _local_sampler():
    """The /proc sampler where it works, else psutil's; raises ImportError when neither can run."""
    try:
        return _ProcSampler()
    except (ImportError, AttributeError, OSError):
        return _Sampler()


def _worker_start(dask_worker=None):
    import distributed
    w = dask_worker or distributed.get_worker()
    old = getattr(w, _WORKER_STATE, None)
    if old is not None:
        old.stop()
    s = _Sampler()
    setattr(w, _WORKER_STATE, s)
    s.start()
    return True


def _worker_stop(dask_worker=None):
    import distributed
    w = dask_worker or distributed.get_worker()
    s = getattr(w, _WORKER_STATE, None)
    if s is None:
        return []
    setattr(w, _WORKER_STATE, None)
    return [(a, c, d) for (a, _b, c, d) in s.stop()]


class ResourceSampler:
    """This process and (with a client) every worker of its cluster."""

    def __init__(self, client=None):
        self.client = client
        self.local = None
        self.workers: dict = {}
        self.warnings: list = []
        self._in_process = False

    def start(self):
        try:
            self.local = _local_sampler()
        except ImportError:
            self.warnings.append("psutil is not installed (python3-psutil) and /proc is missing: "
                                 "no process resources recorded")
            return
        self.local.start()
        if self.client is not None:
            try:
                info = self.client.scheduler_info().get("workers", {})
                # Workers inside this process (LocalCluster(processes=False)) share its RSS and CPU:
                # the local series stands for them.
                self._in_process = all(str(a).startswith("inproc://") for a in info) and bool(info)
                if not self._in_process:
                    self.client.run(_worker_start)
            except Exception as e:
                self.warnings.append(f"worker resource sampling could not start: {e}")

    def stop(self):
        if self.local is None:
            return
        self.local.stop()
        if self.client is not None and not self._in_process:
            try:
                self.workers = self.client.run(_worker_stop)
            except Exception as e:
                self.warnings.append(f"worker resource sampling could not be fetched: {e}")

    def attach(self, doc: dict, run) -> None:
        """Sets the document's `resources`: the samples between the run's start and end, times in ns
        on the trace's time base (the run's start)."""
        if self.warnings:
            doc["meta"].setdefault("extra", {}).setdefault("warnings", []).extend(self.warnings)
        if self.local is None or not self.local.samples:
            return
        t0 = getattr(run, "t0", None)
        wall_ns = doc["meta"].get("wall_ns", 0)
        if t0 is None:
            return
        # perf ns <-> wall s, from the local samples (same clock pair for every sample)
        wall0 = self.local.samples[0][0] - (self.local.samples[0][1] - t0) / 1e9
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        processes = []
        local = [(p - t0, rss, cpu) for (_w, p, rss, cpu) in self.local.samples if 0 <= p - t0 <= wall_ns]
        if local:
            processes.append({"process": "local", "t_ns": [s[0] for s in local], "rss_bytes": [s[1] for s in local],
                              "cpu_percent": [round(s[2], 1) for s in local], "cores": cores})
        for address, samples in sorted((self.workers or {}).items()):
            pts = [(int(round((w - wall0) * 1e9)), rss, cpu) for (w, rss, cpu) in samples]
            pts = [p for p in pts if 0 <= p[0] <= wall_ns]
            if pts:
                processes.append({"process": str(address), "t_ns": [p[0] for p in pts],
                                  "rss_bytes": [p[1] for p in pts], "cpu_percent": [round(p[2], 1) for p in pts],
                                  "cores": cores})
        if processes:
            interval_ns = int(getattr(self.local, "interval_ns", INTERVAL_S * 1e9))
            doc["resources"] = {"interval_ns": interval_ns, "workers_in_process": self._in_process,
                                "processes": processes}
