"""The local schedulers' recorder (threads, sync, processes): dask.callbacks.Callback hooks.

The hooks only append to lists; the trace is built once at the end. On the threads and sync
schedulers a task is timed in the scheduler's pre/post-task callbacks. The processes scheduler runs
tasks in other processes and hands results back in batches, so the callbacks would time batches:
there `worker_codec()` supplies the scheduler's `func_loads`/`func_dumps` pair, which notes, inside
the worker process, when the task's input was unpacked (start) and its result packed (end), and
sends both back with the worker's id; the posttask hook takes them from there.
"""
from __future__ import annotations

import multiprocessing
import time

from dask.callbacks import Callback

__all__ = ["LocalRecorder", "worker_loads", "worker_dumps", "failed_key"]

_now = time.perf_counter_ns  # CLOCK_MONOTONIC on Linux: one clock for all processes of the machine


class LocalRecorder(Callback):
    """Timestamps around every task of the local schedulers."""

    def __init__(self):
        super().__init__()
        self.t_begin = None
        self.t_end = 0
        self.starts: dict = {}
        self.records: list = []  # (key, start_ns, end_ns, worker_id, nbytes, shape, dtype, type, nnz)
        self.dependencies: dict = {}
        self.errored = False

    def _start(self, dsk):
        if self.t_begin is None:
            self.t_begin = _now()

    def _start_state(self, dsk, state):
        deps = state.get("dependencies")
        if deps:
            self.dependencies.update(deps)

    def _pretask(self, key, dsk, state):
        self.starts[key] = _now()

    def _posttask(self, key, result, dsk, state, worker_id):
        end = _now()
        start = self.starts.pop(key, end)
        if type(worker_id) is tuple and len(worker_id) == 3:  # timed in the worker process (worker_dumps)
            pid, s, e = worker_id
            if start - 50_000_000 <= s <= e <= end:  # the same clock: inside the submit..return window
                start, end = s, e
            worker_id = pid
        t = type(result)
        nbytes = getattr(result, "nbytes", None)
        if type(nbytes) is not int:
            try:
                from dask.sizeof import sizeof
                nbytes = int(sizeof(result))
            except Exception:
                nbytes = 0
        nnz = None if t.__module__ == "numpy" else getattr(result, "nnz", None)
        self.records.append((key, start, end, worker_id, nbytes, getattr(result, "shape", None),
                             getattr(result, "dtype", None), t, nnz))

    def _finish(self, dsk, state, errored):
        self.t_end = _now()
        if errored:
            self.errored = True


# ------------------------------------------------------------------------------------------------
# processes scheduler: timing inside the worker processes
# ------------------------------------------------------------------------------------------------
_task_start = 0


def _in_worker() -> bool:
    return multiprocessing.parent_process() is not None


def worker_loads(data):
    """func_loads: in a worker process it unpacks a task's input and notes the start."""
    global _task_start
    import cloudpickle
    obj = cloudpickle.loads(data)
    if _in_worker():
        _task_start = _now()
    return obj


def worker_dumps(obj):
    """func_dumps: in a worker process it packs (result, worker id) with the task's start and end."""
    import sys
    import cloudpickle
    if type(obj) is tuple and len(obj) == 2 and _in_worker() and sys._getframe(1).f_code.co_name == "execute_task":
        result, wid = obj
        obj = (result, (wid, _task_start, _now()))
    return cloudpickle.dumps(obj)


def failed_key(exc: BaseException, in_flight):
    """The key of the task whose exception `exc` is: from the traceback (dask.local's execute_task
    on threads and sync; its get_async loop, which holds the key the worker reported, on processes),
    else the only task that had started and not finished; None when it cannot be told."""
    tb = exc.__traceback__
    loop_key = None
    while tb is not None:
        f = tb.tb_frame
        name = f.f_code.co_name
        if name == "execute_task" and "key" in f.f_locals:
            return f.f_locals["key"]
        if name == "get_async" and f.f_locals.get("failed") and "key" in f.f_locals:
            loop_key = f.f_locals["key"]
        tb = tb.tb_next
    if loop_key is not None:
        return loop_key
    in_flight = list(in_flight)
    return in_flight[0] if len(in_flight) == 1 else None
