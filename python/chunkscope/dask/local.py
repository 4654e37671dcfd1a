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
from sys import getsizeof as _getsizeof

from dask.callbacks import Callback
from dask.sizeof import sizeof as _sizeof

try:
    from numpy import ndarray as _ndarray
except ImportError:  # dask without NumPy (bags, delayed)
    _ndarray = None

__all__ = ["LocalRecorder", "worker_loads", "worker_dumps", "failed_key", "device_of"]

_now = time.perf_counter_ns  # CLOCK_MONOTONIC on Linux: one clock for all processes of the machine


def device_of(obj):
    """"cuda:N" for a chunk held in GPU memory, else None. Duck-typed, so that CuPy need not be
    imported: a CuPy array (module `cupy…`), or any array with `__cuda_array_interface__` or a
    `.device` that is not the CPU; the device from `.device` (CuPy's `Device` has `.id`; a string
    such as "cuda:1" or an int are taken as they are), "cuda:0" when the array does not say."""
    mod = type(obj).__module__ or ""
    gpu = hasattr(obj, "__cuda_array_interface__") or mod.startswith("cupy")
    dev = getattr(obj, "device", None)
    if dev is None:
        return "cuda:0" if gpu else None
    idx = getattr(dev, "id", dev)
    if type(idx) is int:
        return f"cuda:{idx}"
    text = str(dev)
    if text.lower().startswith("cpu"):
        return None
    if gpu or text.startswith(("cuda", "gpu")):
        return text if text.startswith("cuda:") else "cuda:0"
    return None


class LocalRecorder(Callback):
    """Timestamps around every task of the local schedulers."""

    def __init__(self):
        super().__init__()
        self.t_begin = None
        self.t_end = 0
        self.starts: dict = {}
        # (key, start_ns, end_ns, worker_id, nbytes, shape, dtype, type, extra); extra: a sparse
        # result's nnz (int), a GPU result's device ("cuda:0"), else None.
        self.records: list = []
        self._add = self.records.append  # bound once: the hooks run once per task
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
        # The common case first, with no call but the clock: a NumPy chunk timed in this process.
        # `starts` keeps the tasks in flight only (a failure is looked for among them).
        end = _now()
        start = self.starts.pop(key, end)
        t = type(result)
        # A broadcast view (a zero stride: da.ones/zeros/full chunks, a mean's counts) holds only its
        # base's bytes: dask.sizeof's count for those, nbytes for the others.
        if t is _ndarray and type(worker_id) is int:
            nb = result.nbytes if 0 not in result.strides else _sizeof(result)
            self._add((key, start, end, worker_id, nb, result.shape, result.dtype, t, None))
            return
        if t is dict and type(worker_id) is int and len(result) <= 16:
            # Dask's reduction intermediates ({"n": ..., "total": ...} of mean, var, moment): the arrays'
            # bytes and the dict's, without dask.sizeof's dispatch (5 µs a task, held under the GIL in
            # the scheduler's thread; a fifth of a 0.4 s mean's wall time went to waits for it).
            nb = _getsizeof(result)
            for k, v in result.items():
                if type(v) is not _ndarray:
                    break
                nb += (v.nbytes if 0 not in v.strides else _sizeof(v)) + _getsizeof(k)
            else:
                self._add((key, start, end, worker_id, nb, None, None, t, None))
                return
        if type(worker_id) is tuple and len(worker_id) == 3:  # timed in the worker process (worker_dumps)
            pid, s, e = worker_id
            if start - 50_000_000 <= s <= e <= end:  # the same clock: inside the submit..return window
                start, end = s, e
            worker_id = pid
        nbytes = getattr(result, "nbytes", None)
        if type(nbytes) is not int:
            try:
                nbytes = int(_sizeof(result))
            except Exception:
                nbytes = 0
        extra = None
        if t.__module__ != "numpy" or hasattr(result, "__cuda_array_interface__"):
            extra = device_of(result) or getattr(result, "nnz", None)
        self._add((key, start, end, worker_id, nbytes, getattr(result, "shape", None),
                   getattr(result, "dtype", None), t, extra))

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


_failure_frames: list = []  # parent: the function names of the last exception a worker reported


def worker_loads(data):
    """func_loads: in a worker process it unpacks a task's input and notes the start; in the parent it
    unpacks results, and takes the frame names off a worker's exception report."""
    global _task_start, _failure_frames
    import cloudpickle
    obj = cloudpickle.loads(data)
    if _in_worker():
        _task_start = _now()
    elif type(obj) is tuple and len(obj) == 3 and obj[0] == "chunkscope-failed":
        _failure_frames = list(obj[2])
        obj = obj[1]
    return obj


def worker_dumps(obj):
    """func_dumps: in a worker process it packs (result, worker id) with the task's start and end."""
    import sys
    import cloudpickle
    if type(obj) is tuple and len(obj) == 2 and _in_worker():
        caller = sys._getframe(1).f_code.co_name
        if caller == "execute_task":
            result, wid = obj
            obj = (result, (wid, _task_start, _now()))
        elif caller == "pack_exception":  # the names of the frames below execute_task, innermost last
            frames, below = [], False
            tb = sys.exc_info()[2]
            while tb is not None:
                name = tb.tb_frame.f_code.co_name
                if below:
                    frames.append(name)
                below = below or name == "execute_task"
                tb = tb.tb_next
            obj = ("chunkscope-failed", obj, frames)
    return cloudpickle.dumps(obj)


def failed_key(exc: BaseException, in_flight):
    """(key, function names) of the task whose exception `exc` is. The key from the traceback (dask.local's
    execute_task on threads and sync; its get_async loop, which holds the key the worker reported, on
    processes), else the only task that had started and not finished, else None. The names are those of
    the traceback's frames below execute_task, innermost last (the user's block function among them)."""
    tb = exc.__traceback__
    loop_key = key = None
    frames = []
    below = False
    while tb is not None:
        f = tb.tb_frame
        name = f.f_code.co_name
        if below:
            frames.append(name)
        elif name == "execute_task":  # (a worker's frames come back through tblib, without locals)
            below = True
            key = (getattr(f, "f_locals", None) or {}).get("key")
        elif name == "get_async" and (getattr(f, "f_locals", None) or {}).get("failed") and "key" in f.f_locals:
            loop_key = f.f_locals["key"]
        tb = tb.tb_next
    global _failure_frames
    if not frames and _failure_frames:
        frames = _failure_frames
    _failure_frames = []
    if key is None:
        key = loop_key
    if key is None:
        in_flight = list(in_flight)
        key = in_flight[0] if len(in_flight) == 1 else None
    return key, frames
