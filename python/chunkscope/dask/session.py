"""The entry point: `with profile() as prof:` records the Dask computations run inside.

Each computation (`compute`, `persist`, `da.store`, …) is one run: Dask asks `dask.base.get_scheduler`
for the scheduler of every computation, and the profile wraps what it returns, so a run knows the
scheduler that really ran it (threads, sync, processes, distributed with its address) and its worker
count, and the layers noted since the previous run. Tasks run outside such a call (a scheduler's
`get` called directly) form one more run, named after the configured scheduler.
"""
from __future__ import annotations

import gc
import os
import sys
import time
import warnings

import dask

from .. import Trace
from .. import _chunkscope as _native
from . import local as _local
from .document import build_document
from .resources import ResourceSampler
from .graph import GraphRecorder
from .local import LocalRecorder
from .plugin import (SchedulerRecorder, WorkerChunkNotes, collect, register, register_worker, split_distributed,
                     unregister_worker, worker_notes, _parse_key)

__all__ = ["Profile", "profile"]


class Run:
    """One computation: its scheduler, workers, the layers noted for it and where its records lie."""

    def __init__(self, executor: str, workers: int, address: str | None, layers: list):
        self.executor = executor
        self.workers = workers
        self.address = address
        self.layer_names = layers
        self.t_wall = time.time()
        self.t0 = time.perf_counter_ns()
        self.t1 = None
        self.record_range = (0, 0)
        self.error = None          # (exception type name, message)
        self.failed_key = None
        self.failed_start = None
        self.failed_frames = []    # function names of the failure's traceback, innermost last
        self.key_names = None      # distributed: the key names of the graph it computed
        self.extra_records = None  # explicit record indices (records made outside any wrapped call)
        self.aliases = ()          # keys of alias tasks: their value is another key (no work of their own)

    def record_indices(self):
        return self.extra_records if self.extra_records is not None else range(*self.record_range)


def _scheduler_of(schedule, kwargs) -> tuple[str, int, str | None]:
    """(executor name, workers, address) of a scheduler function that dask.base chose."""
    owner = getattr(schedule, "__self__", None)
    if owner is not None and type(owner).__name__ == "Client":
        try:
            info = owner.scheduler_info()
            workers = sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())
            return "dask-distributed", workers, info.get("address")
        except Exception:
            return "dask-distributed", 0, None
    mod = getattr(schedule, "__module__", "") or ""
    num = kwargs.get("num_workers") or dask.config.get("num_workers", None)
    if mod == "dask.local":
        return "dask-sync", 1, None
    from dask.system import CPU_COUNT
    if mod == "dask.multiprocessing":
        pool = kwargs.get("pool") or dask.config.get("pool", None)
        n = getattr(pool, "_max_workers", None) or getattr(pool, "_processes", None)
        return "dask-processes", int(n or num or CPU_COUNT), None
    if mod == "dask.threaded":
        pool = kwargs.get("pool") or dask.config.get("pool", None)
        n = getattr(pool, "_max_workers", None) or getattr(pool, "_processes", None)
        return "dask-threaded", int(n or num or CPU_COUNT), None
    return f"dask-{getattr(schedule, '__name__', 'scheduler')}", int(num or 1), None


class Profile:
    """Records the Dask computations run inside `with`. On exit: `traces` (one chunkscope.Trace per
    computation, in order) and `trace` (the last one). `client`: a distributed.Client; None = the
    default client when one exists, else the local schedulers (`local=True` forces those)."""

    def __init__(self, client=None, *, local: bool = False, name: str | None = None):
        self.client = client
        self.local = local
        self.name = name or "dask"
        self._named = bool(name)  # else each run is titled by what it computed (_run_title)
        self.trace: Trace | None = None
        self.traces: list = []
        self.documents: list = []
        self.document: dict | None = None
        self.warnings: list = []
        self.capture_ns = 0  # time spent building the traces after the run

    # ---- recording ----
    def __enter__(self):
        if self.client is None and not self.local and "distributed" in sys.modules:
            try:
                from distributed import default_client
                self.client = default_client()
            except (ValueError, ImportError):
                self.client = None
        self._graph = GraphRecorder()
        self._graph.install()
        self._start_time = time.time()
        self._start_wall = time.perf_counter_ns()
        self._runs: list = []
        self._plugin_clients: list = []
        self._local = LocalRecorder()
        self._local.register()
        if self.client is not None:
            self._register_plugin(self.client)
        self._resources = ResourceSampler(self.client)  # RSS and CPU% (chunkscope/dask/resources.py)
        self._resources.start()
        self._query_planning = bool(dask.config.get("array.query-planning", False))
        import dask.base as base
        self._base = base
        self._get_scheduler = base.get_scheduler
        original = self._get_scheduler

        def get_scheduler(*args, **kwargs):
            schedule = original(*args, **kwargs)
            if not callable(schedule) or getattr(schedule, "_chunkscope_run", False):
                return schedule  # not a function, or already wrapped (get_scheduler calls itself for config values)
            return self._wrap(schedule)

        self._wrapper = get_scheduler
        base.get_scheduler = get_scheduler
        return self

    def _register_plugin(self, client):
        if any(c is client for c, _ in self._plugin_clients):
            return
        name = "chunkscope-recorder-%d-%d" % (id(self), len(self._plugin_clients))
        register(client, SchedulerRecorder(name), name)
        self._plugin_clients.append((client, name))
        try:  # the device or nnz of results that are not NumPy arrays, seen where they live
            register_worker(client, WorkerChunkNotes(name + "-chunks"), name + "-chunks")
        except Exception as e:
            self.warnings.append(f"the worker plugin could not be registered (no GPU/sparse chunk facts): {e}")

    def _wrap(self, schedule):
        def run(dsk, keys, **kwargs):
            if self._local is None:  # called after the profile closed (a scheduler kept by another thread)
                return schedule(dsk, keys, **kwargs)
            executor, workers, address = _scheduler_of(schedule, kwargs)
            r = Run(executor, workers, address, self._graph.take())
            r.title = _run_title(keys)
            if executor == "dask-distributed":
                self._register_plugin(schedule.__self__)
                r.key_names = _key_names_of(dsk)
            elif executor == "dask-processes" and "func_loads" not in kwargs and "func_dumps" not in kwargs:
                kwargs = dict(kwargs, func_loads=_local.worker_loads, func_dumps=_local.worker_dumps)
            rec = self._local
            first = len(rec.records)
            rec.starts.clear()
            self._runs.append(r)
            try:
                return schedule(dsk, keys, **kwargs)
            except BaseException as exc:
                r.error = (type(exc).__name__, str(exc))
                if executor != "dask-distributed":
                    k, r.failed_frames = _local.failed_key(exc, rec.starts)
                    if k is not None:
                        r.failed_key = k
                        r.failed_start = rec.starts.get(k)
                raise
            finally:
                r.t1 = time.perf_counter_ns()
                r.record_range = (first, len(rec.records))
                r.aliases = _alias_keys(dsk)
        run.__wrapped__ = schedule
        run._chunkscope_run = True
        return run

    def __exit__(self, exc_type, exc, tb):
        end_wall = time.perf_counter_ns()
        self._resources.stop()
        self._graph.uninstall()
        if self._base.get_scheduler is self._wrapper:
            self._base.get_scheduler = self._get_scheduler
        self._local.unregister()
        t0 = time.perf_counter_ns()
        rec = self._local
        runs = self._runs
        # Local records made outside any wrapped call: one more run, named after the configuration.
        covered = sum(r.record_range[1] - r.record_range[0] for r in runs if r.executor != "dask-distributed")
        if covered < len(rec.records) or (not runs and not self._plugin_clients):
            r = Run(_configured_executor(), _configured_workers(), None, self._graph.take())
            r.t0, r.t1 = rec.t_begin or self._start_wall, end_wall
            r.record_range = (0, len(rec.records)) if not runs else (0, 0)
            if runs:  # the uncovered records, in order
                inside = set()
                for q in runs:
                    inside.update(range(*q.record_range))
                r.extra_records = [i for i in range(len(rec.records)) if i not in inside]
            if exc is not None and not any(q.error for q in runs):
                r.error = (type(exc).__name__, str(exc))
                k, r.failed_frames = _local.failed_key(exc, rec.starts)
                if k is not None:
                    r.failed_key, r.failed_start = k, rec.starts.get(k)
            runs = runs + [r]
        elif exc is not None and runs and runs[-1].error is None:
            runs[-1].error = (type(exc).__name__, str(exc))
        # distributed: the plugins' records, split over the runs by time.
        dist_data = {}
        for client, pname in self._plugin_clients:
            try:
                dist_data[pname] = client.run_on_scheduler(collect, name=pname) or {}
            except Exception as e:  # a closed client: the run is still reported, without its tasks
                self.warnings.append(f"the distributed scheduler's records could not be fetched: {e}")
                continue
            try:
                notes = {}
                for per_worker in (client.run(worker_notes, name=pname + "-chunks") or {}).values():
                    notes.update({(_parse_key(k) if isinstance(k, str) else k): v for k, v in per_worker.items()})
                dist_data[pname]["notes"] = notes
            except Exception as e:
                self.warnings.append(f"the workers' chunk facts could not be fetched: {e}")
            unregister_worker(client, pname + "-chunks")
        dist_runs = [r for r in runs if r.executor == "dask-distributed"]
        if dist_data and not dist_runs:  # client.compute / futures: one run over the whole profile
            r = Run("dask-distributed", 0, None, self._graph.take())
            r.t_wall, r.t1 = self._start_time, end_wall
            runs = runs + [r]
            dist_runs = [r]
        parts = split_distributed(dist_runs, list(dist_data.values()), self._graph)
        # Without query planning configured, an array computation whose graph never reached the
        # optimisation hook shows as tasks of 2-d or bigger chunk grids; delayed calls and bags have
        # no such keys and are no reason to warn.
        if self._query_planning or (self._graph.calls == 0 and any(r.record_range != (0, 0) or r in parts for r in runs)
                                    and _grid_keys(rec.records, parts.values())):
            self.warnings.append("Dask's array query planning (dask-expr) hid the high-level graph from chunkscope: "
                                 "layers are inferred from task keys only; set dask.config 'array.query-planning' to False "
                                 "for the user's layers, shapes and chunks")
        for w in self.warnings:
            warnings.warn("chunkscope.dask: " + w, RuntimeWarning, stacklevel=2)
        self.documents = []
        # Building allocates a tuple per task and nothing cyclic: the cyclic collector would only
        # walk those tuples again and again (a third of the build time on 38,000 tasks).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for i, r in enumerate(runs):
                doc = build_document(self._graph, r, rec, parts.get(r), name=self._title(r), run_index=i,
                                     run_count=len(runs), warnings=self.warnings)
                self._resources.attach(doc, r)
                self.documents.append(doc)
            # Core reads the documents' objects directly (no JSON text in between) and validates them.
            self.traces = [Trace(_native.NativeTrace.from_document(d, d["meta"]["pipeline"] + ".cstrace.json"),
                                 d["meta"]["pipeline"] + ".cstrace.json") for d in self.documents]
        finally:
            if gc_was_enabled:
                gc.enable()
        if not self.traces:
            self.trace = self.document = None
        else:
            self.trace, self.document = self.traces[-1], self.documents[-1]
        # The records are in the traces now. Let go of them here, not when the Profile object goes:
        # the recorder's dependencies hold Dask's set of each task's inputs, and a profile kept across
        # later computations (as `prof` in a notebook) had every one of those survive into Python's
        # oldest generation: full collections (65 ms each with dask, NumPy and SciPy loaded) three to
        # four times as often (bench/dask_capture.py w3: 4 in 24 profiled runs against 1 in 24).
        self._local = self._graph = self._resources = None
        self._runs = []
        self.capture_ns = time.perf_counter_ns() - t0
        return False


    def _title(self, run) -> str:
        return self.name if self._named else (getattr(run, "title", "") or self.name)


def _run_title(keys) -> str:
    """What a computation computed, for the notebook's title: the user's names of the collections
    whose keys it computes ("af, called"), else the call that made the first output ("mean(axis=0)").
    Empty when neither is known."""
    try:
        from dask.core import flatten
        from .origins import origin_of, user_names
        from itertools import islice
        out = []
        for k in islice(flatten(keys), 10_000):  # the first keys name the outputs; never a pass over millions
            n = k[0] if type(k) is tuple and k else k
            if isinstance(n, str) and n not in out:
                out.append(n)
            if len(out) >= 64:
                break
        wanted = set(out)
        names = user_names(lambda v: getattr(v, "name", None) in wanted  # an array, or xarray's wrapper of one
                           or getattr(getattr(v, "data", None), "name", None) in wanted)
        if names:
            return ", ".join(names)
        o = origin_of(out[0]) if out else None
        return o.label if o is not None else ""
    except Exception:
        return ""


def _grid_keys(records, parts) -> bool:
    """Whether any recorded task key has two or more chunk indices (only arrays have such keys)."""
    if any(type(r[0]) is tuple and len(r[0]) >= 3 for r in records):
        return True
    return any(type(r[0]) is tuple and len(r[0]) >= 3 for p in parts for r in p["records"])


def _alias_keys(dsk) -> set:
    """Keys whose task is another key: Dask's aliases (a rechunk's output chunk that is an input chunk
    whole, a concatenate's chunks, a getitem of a whole chunk once Dask removed the full slice). They
    take no time of their own, so the rules must not weigh them against tasks that compute. Only for
    a graph given as a dict (a HighLevelGraph would be materialised): one pass, no call per task."""
    if type(dsk) is not dict:
        return set()
    out = set()
    for k, v in dsk.items():
        t = type(v)
        if t is tuple:
            if v and type(v[0]) is str:
                try:
                    if v in dsk:
                        out.add(k)
                except TypeError:  # a literal tuple holding a list
                    pass
        elif t is str and v in dsk:
            out.add(k)
    return out


def _key_names_of(dsk) -> set:
    """The key names a graph computes: its layers' names (a high-level graph) or its keys' names."""
    layers = getattr(dsk, "layers", None)
    if isinstance(layers, dict):
        names = set(layers)
        for layer in layers.values():
            mapping = getattr(layer, "mapping", None)
            if isinstance(mapping, dict) and len(mapping) < 100_000:
                names.update(k[0] if type(k) is tuple and k else k for k in mapping)
        return names
    try:
        return {k[0] if type(k) is tuple and k else k for k in dsk}
    except TypeError:
        return set()


def profile(client=None, *, local: bool = False, name: str | None = None) -> Profile:
    """`with chunkscope.dask.profile() as prof: x.compute()` then `prof.trace` (`prof.traces`: one
    trace per computation). `name`: the traces' name; by default each trace is named after what it
    computed (the user's names of the arrays, else the call that made them; "dask" when unknown)."""
    return Profile(client, local=local, name=name)


def _configured_executor() -> str:
    s = dask.config.get("scheduler", None)
    if s in ("sync", "synchronous", "single-threaded"):
        return "dask-sync"
    if s in ("processes", "multiprocessing"):
        return "dask-processes"
    return "dask-threaded"


def _configured_workers() -> int:
    if _configured_executor() == "dask-sync":
        return 1
    n = dask.config.get("num_workers", None)
    return int(n) if n else (os.cpu_count() or 1)
