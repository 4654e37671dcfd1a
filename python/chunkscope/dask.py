"""Profiling real Dask runs into chunkscope traces (docs/python.md).

    import chunkscope.dask
    with chunkscope.dask.profile() as prof:          # local schedulers (threads, sync, processes)
        x.mean().compute()
    prof.trace                                       # a chunkscope.Trace

    with chunkscope.dask.profile(client) as prof:    # distributed (or no argument with a default Client)
        x.mean().compute()

Two things are recorded:
- the graph, at optimisation time (a wrapper around Dask's array optimisation, through the
  `array_optimize` config key): the user's high-level layers with their shapes, chunks and dtypes
  (from each layer's `collection_annotations`), their dependencies, and which layers Dask's
  optimisation fused into which;
- the run: local schedulers through `dask.callbacks.Callback` (a timestamp before and after each
  task, the thread, the result's bytes, shape and dtype); distributed through a scheduler plugin
  (each task's compute and transfer start/stops per worker, bytes, dependencies, releases, and
  the workers' managed memory).
Both become one trace document (docs/trace-format.md), validated by chunkscope's C++ reader.
"""
from __future__ import annotations

import ast
import operator
import os
import sys
import threading
import time
from typing import Any

import dask
from dask.callbacks import Callback
from dask.utils import key_split

from . import Trace

__all__ = ["profile", "Profile", "trace_from_records"]

_FORMAT = "chunkscope-trace"


# ------------------------------------------------------------------------------------------------
# The graph: the user's layers, recorded when Dask optimises the graph.
# ------------------------------------------------------------------------------------------------
class _GraphRecorder:
    """Wraps the array optimisation: notes each high-level graph (layers, dependencies, annotations)
    before Dask optimises it, then lets Dask optimise as usual."""

    def __init__(self):
        self.layers: dict[str, dict] = {}     # dask layer name -> info, topological order
        self.key_names: dict[str, str] = {}   # key name (e.g. rechunk-split-…) -> layer name
        self.outputs: set = set()
        self._previous = None

    def install(self):
        self._previous = dask.config.get("array_optimize", None)
        from dask.array.optimization import optimize as dask_optimize
        inner = self._previous if callable(self._previous) else dask_optimize

        def optimize(dsk, keys, **kwargs):
            try:
                self.note(dsk, keys)
            except Exception:  # never break the user's computation over bookkeeping
                pass
            return inner(dsk, keys, **kwargs)

        self._config = dask.config.set(array_optimize=optimize)
        self._config.__enter__()

    def uninstall(self):
        self._config.__exit__(None, None, None)

    def note(self, hlg, keys):
        from dask.highlevelgraph import HighLevelGraph
        from dask.blockwise import Blockwise
        from dask.core import flatten
        for k in flatten(keys):
            self.outputs.add(k)
        if not isinstance(hlg, HighLevelGraph):
            return
        try:
            order = hlg._toposort_layers()
        except Exception:
            order = list(hlg.layers)
        for name in order:
            if name in self.layers:
                continue
            layer = hlg.layers[name]
            ann = layer.collection_annotations or {}
            info = {"name": name, "deps": sorted(hlg.dependencies.get(name, ())), "shape": None, "chunks": None,
                    "dtype": None, "type": type(layer).__name__}
            chunks = ann.get("chunks")
            if chunks is not None and all(all(isinstance(c, int) for c in axis) for axis in chunks):
                info["chunks"] = [list(axis) for axis in chunks]
                info["shape"] = [sum(axis) for axis in chunks]
            if ann.get("dtype") is not None:
                info["dtype"] = _dtype_name(ann["dtype"])
            self.layers[name] = info
            self.key_names[name] = name
            if not isinstance(layer, Blockwise):
                try:
                    mapping = getattr(layer, "mapping", None)
                    for k in (mapping if isinstance(mapping, dict) else layer.keys()):
                        kn = k[0] if isinstance(k, tuple) and k and isinstance(k[0], str) else k
                        if isinstance(kn, str):
                            self.key_names.setdefault(kn, name)
                except Exception:
                    pass


def _dtype_name(dt) -> str:
    try:
        import numpy as np
        return np.dtype(dt).name
    except Exception:
        return str(dt)


# ------------------------------------------------------------------------------------------------
# Local schedulers: dask.callbacks.Callback
# ------------------------------------------------------------------------------------------------
class _LocalRecorder(Callback):
    """Timestamps around every task of the local schedulers. The hooks only append to lists; the
    trace is built once at the end."""

    def __init__(self):
        super().__init__()
        self.t_begin = None
        self.t_end = 0
        self.starts: dict = {}
        self.records: list = []  # (key, start_ns, end_ns, worker_id, nbytes, shape, dtype)
        self.dependencies: dict = {}
        self.errors: list = []

    def _start(self, dsk):
        if self.t_begin is None:
            self.t_begin = time.perf_counter_ns()

    def _start_state(self, dsk, state):
        deps = state.get("dependencies")
        if deps:
            self.dependencies.update(deps)

    def _pretask(self, key, dsk, state):
        self.starts[key] = time.perf_counter_ns()

    def _posttask(self, key, result, dsk, state, worker_id):
        end = time.perf_counter_ns()
        nbytes = getattr(result, "nbytes", None)
        shape = getattr(result, "shape", None)
        dtype = getattr(result, "dtype", None)
        if not isinstance(nbytes, int):
            try:
                from dask.sizeof import sizeof
                nbytes = int(sizeof(result))
            except Exception:
                nbytes = 0
        self.records.append((key, self.starts.pop(key, end), end, worker_id, nbytes, shape, dtype))

    def _finish(self, dsk, state, errored):
        self.t_end = time.perf_counter_ns()
        if errored:
            self.errors.append("a task raised an exception")


# ------------------------------------------------------------------------------------------------
# distributed: a scheduler plugin
# ------------------------------------------------------------------------------------------------
try:
    from distributed.diagnostics.plugin import SchedulerPlugin as _SchedulerPluginBase
except Exception:  # distributed is optional
    _SchedulerPluginBase = object


class SchedulerRecorder(_SchedulerPluginBase):
    """Runs inside the scheduler: for every task that reaches memory, its worker, thread, compute and
    transfer start/stops, bytes and dependencies; when results are released; the workers' managed
    memory after each change. `collect` (run on the scheduler) hands the records back."""

    name = "chunkscope-recorder"

    def __init__(self, name: str = "chunkscope-recorder"):
        self.name = name
        self.done: list = []      # (key, worker, thread, startstops, nbytes, typename, deps)
        self.released: list = []  # (key, time)
        self.erred: list = []     # (key, worker, time)
        self.memory: list = []    # (time, worker, managed bytes)
        self.scheduler = None

    async def start(self, scheduler):
        self.scheduler = scheduler

    def transition(self, key, start, finish, *args, **kwargs):
        if start == "processing" and finish == "memory":
            worker = kwargs.get("worker")
            ts = self.scheduler.tasks.get(key) if self.scheduler is not None else None
            deps = [d.key for d in ts.dependencies] if ts is not None else []
            stops = [dict(s) for s in (kwargs.get("startstops") or ())]
            self.done.append((key, worker, kwargs.get("thread"), stops, int(kwargs.get("nbytes") or 0),
                              kwargs.get("typename"), deps))
            ws = self.scheduler.workers.get(worker) if self.scheduler is not None else None
            if ws is not None:
                self.memory.append((time.time(), worker, int(ws.nbytes)))
        elif start == "memory" and finish in ("released", "forgotten"):
            self.released.append((key, time.time()))
        elif finish == "erred":
            self.erred.append((key, kwargs.get("worker"), time.time()))


def _collect(dask_scheduler=None, name="chunkscope-recorder"):
    plugin = dask_scheduler.plugins.get(name)
    if plugin is None:
        return None
    out = {"done": plugin.done, "released": plugin.released, "erred": plugin.erred, "memory": plugin.memory,
           "workers": {a: int(ws.nthreads) for a, ws in dask_scheduler.workers.items()}}
    try:
        dask_scheduler.remove_plugin(name=name)
    except Exception:
        pass
    return out


def _worker_threads(dask_scheduler=None):
    return {a: int(ws.nthreads) for a, ws in dask_scheduler.workers.items()}


# ------------------------------------------------------------------------------------------------
# The entry point
# ------------------------------------------------------------------------------------------------
class Profile:
    """Records the Dask computations run inside `with` into `trace` (a chunkscope.Trace), set on exit.
    `client`: a distributed.Client; None = the default client when one exists, else the local
    schedulers (`local=True` forces those)."""

    def __init__(self, client=None, *, local: bool = False, name: str = "dask"):
        self.client = client
        self.local = local
        self.name = name
        self.trace: Trace | None = None
        self.document: dict | None = None
        self.capture_ns = 0  # time spent building the trace after the run

    def __enter__(self):
        if self.client is None and not self.local and "distributed" in sys.modules:
            try:
                from distributed import default_client
                self.client = default_client()
            except (ValueError, ImportError):
                self.client = None
        self._graph = _GraphRecorder()
        self._graph.install()
        self._start_time = time.time()
        self._start_wall = time.perf_counter_ns()
        if self.client is not None:
            self._plugin_name = "chunkscope-recorder-%d" % id(self)
            self.client.register_scheduler_plugin(SchedulerRecorder(self._plugin_name), name=self._plugin_name)
            self._local = None
        else:
            self._local = _LocalRecorder()
            self._local.register()
        return self

    def __exit__(self, exc_type, exc, tb):
        end_wall = time.perf_counter_ns()
        self._graph.uninstall()
        t0 = time.perf_counter_ns()
        if self._local is not None:
            self._local.unregister()
            rec = self._local
            if rec.t_begin is None:
                rec.t_begin, rec.t_end = self._start_wall, end_wall
            records = [(k, s - rec.t_begin, e - rec.t_begin, w, b, sh, dt) for (k, s, e, w, b, sh, dt) in rec.records]
            deps = rec.dependencies
            errors = list(rec.errors)
            if exc is not None:
                errors.append(f"{type(exc).__name__}: {exc}")
            doc = trace_from_records(self._graph, records, deps, executor=_local_executor_name(),
                                     threads=_local_threads(), wall_ns=max(rec.t_end, end_wall) - rec.t_begin,
                                     start_time=self._start_time, name=self.name, errors=errors)
        else:
            data = self.client.run_on_scheduler(_collect, name=self._plugin_name)
            doc = _distributed_document(self._graph, data or {}, self.name, self._start_time, exc)
        self.document = doc
        self.trace = Trace.from_dict(doc, self.name + ".cstrace.json")
        self.capture_ns = time.perf_counter_ns() - t0
        return False


def profile(client=None, *, local: bool = False, name: str = "dask") -> Profile:
    """`with chunkscope.dask.profile() as prof: x.compute()` then `prof.trace`."""
    return Profile(client, local=local, name=name)


def _local_executor_name() -> str:
    s = dask.config.get("scheduler", None)
    if s in ("sync", "synchronous", "single-threaded"):
        return "dask-sync"
    if s in ("processes", "multiprocessing"):
        return "dask-processes"
    return "dask-threaded"


def _local_threads() -> int:
    if _local_executor_name() == "dask-sync":
        return 1
    n = dask.config.get("num_workers", None)
    return int(n) if n else (os.cpu_count() or 1)


# ------------------------------------------------------------------------------------------------
# Building the trace document
# ------------------------------------------------------------------------------------------------
def _split_key(key):
    if isinstance(key, tuple) and key and isinstance(key[0], str):
        return key[0], key[1:]
    return (key if isinstance(key, str) else str(key)), ()


def _op_kind(op: str, has_inputs: bool) -> str:
    o = op.lower()
    if not has_inputs:
        return "source"
    if "rechunk" in o:
        return "rechunk"
    if "transpose" in o:
        return "transpose"
    if o.startswith("getitem") or "slice" in o:
        return "slice"
    if "overlap" in o or "trim" in o or "ghost" in o:
        return "stencil"
    if o in ("matmul", "dot", "tensordot") or "tensordot" in o or "matmul" in o:
        return "matmul"
    if "concatenate" in o or o.startswith("stack"):
        return "concatenate"
    if "store" in o:
        return "sink"
    for r in ("sum", "mean", "max", "min", "prod", "var", "std", "any", "all", "argmax", "argmin", "nanmean", "nansum",
              "partial", "combine", "aggregate", "reduce", "_agg", "_chunk", "moment"):
        if r in o:
            return "reduce"
    return "elementwise"


def _group(op: str) -> str:
    for suffix in ("_chunk", "_combine", "_agg", "-partial", "_partial", "-merge", "-split", "_aggregate"):
        if op.endswith(suffix):
            return op[: -len(suffix)]
    return ""


class _LayerTable:
    """Maps keys to trace layers: the recorded high-level layers first, then fused key names (which end
    with the name of the layer they produce), then a layer per unknown key name."""

    def __init__(self, graph: _GraphRecorder):
        self.graph = graph
        self.order: list[str] = list(graph.layers)
        self.info: dict[str, dict] = {n: dict(i) for n, i in graph.layers.items()}
        self.cache: dict[str, str] = {}

    def layer_of(self, key_name: str) -> str:
        hit = self.cache.get(key_name)
        if hit is not None:
            return hit
        names = self.graph.key_names
        layer = names.get(key_name)
        if layer is None:  # low-level fusion renames keys to "a-b-<name of the last layer>"
            parts = key_name.split("-")
            for i in range(1, len(parts)):
                cand = "-".join(parts[i:])
                if cand in names:
                    layer = names[cand]
                    break
        if layer is None:
            layer = key_name
            self.order.append(layer)
            self.info[layer] = {"name": layer, "deps": [], "shape": None, "chunks": None, "dtype": None, "type": "unknown"}
        self.cache[key_name] = layer
        return layer


def _is_output_key(key_name: str, layer_name: str) -> bool:
    """A key holding one of the layer's output chunks: its own name, or a fused key's "a-b-<name>"."""
    return key_name == layer_name or key_name.endswith("-" + layer_name)


def trace_from_records(graph: _GraphRecorder, records, dependencies, *, executor: str, threads: int, wall_ns: int,
                       start_time: float, name: str, errors=(), released=None, extra=None, worker_names=None) -> dict:
    """The trace document of a run. `records`: (key, start_ns, end_ns, worker, nbytes, shape, dtype) in an
    order where every task comes after its dependencies; `dependencies`: key -> keys it read;
    `released`: key -> time its result was released (else: when its last reader finished)."""
    table = _LayerTable(graph)
    # Tasks -> layers; array facts from results where the graph had none. This loop and the one
    # that builds the columns run once per task: key names are resolved once each (by_name), and
    # the work per task is kept to tuple and dict operations (38,229 tasks: 494 -> ~200 ms).
    per_task = []
    seen_shapes: dict[str, dict] = {}
    by_name: dict = {}  # key name -> (layer, is an output key of it)
    for (key, s, e, w, b, shape, dtype) in records:
        if type(key) is tuple and key and type(key[0]) is str:
            kname, idx = key[0], key[1:]
        else:
            kname, idx = _split_key(key)
        hit = by_name.get(kname)
        if hit is None:
            layer = table.layer_of(kname)
            hit = by_name[kname] = (layer, _is_output_key(kname, table.info[layer]["name"]))
        layer, is_out = hit
        per_task.append((key, layer, idx, s, e, w, b, is_out))
        if shape is not None and is_out:
            try:
                d = seen_shapes.get(layer)
                if d is None:
                    d = seen_shapes[layer] = {"ndim": len(shape), "sizes": [dict() for _ in shape], "dtype": dtype}
                if len(shape) == d["ndim"] == len(idx):
                    for a, (i, n) in enumerate(zip(idx, shape)):
                        d["sizes"][a][i] = int(n)
            except TypeError:
                pass
    # The results' shapes win over the annotations where they cover the whole chunk grid: Dask
    # sets some arrays' chunks after the layer was annotated (e.g. the chunk step of reductions).
    for layer, d in seen_shapes.items():
        info = table.info[layer]
        chunks = []
        for sizes in d["sizes"]:
            if not sizes or sorted(sizes) != list(range(len(sizes))):
                chunks = None
                break
            chunks.append([sizes[i] for i in range(len(sizes))])
        if chunks is not None and info["chunks"] is not None and [len(c) for c in chunks] != [len(c) for c in info["chunks"]]:
            chunks = None  # a partial grid (e.g. a culled graph): keep the annotation
        if chunks is not None:
            info["chunks"] = chunks
            info["shape"] = [sum(c) for c in chunks]
        if info["dtype"] is None and d["dtype"] is not None:
            info["dtype"] = _dtype_name(d["dtype"])

    # Which layers ran; the fused-away ones point at the layer that ran their work.
    ran_layers = {hit[0] for hit in by_name.values()}
    dependents: dict[str, list] = {}
    for n in table.order:
        for dep in table.info[n]["deps"]:
            dependents.setdefault(dep, []).append(n)
    fused_into: dict[str, str] = {}
    for n in table.order:
        if n in ran_layers or not table.info[n]["deps"] and n not in dependents:
            continue
        stack, seen = list(dependents.get(n, ())), set()
        while stack:
            m = stack.pop(0)
            if m in seen:
                continue
            seen.add(m)
            if m in ran_layers:
                fused_into[n] = m
                break
            stack.extend(dependents.get(m, ()))
    fused: dict[str, list] = {}
    for a, b in fused_into.items():
        fused.setdefault(b, []).append(a)

    # Layer objects, ids short and unique.
    index: dict[str, int] = {}
    ids: dict[str, str] = {}
    used = set()
    layers = []
    for n in table.order:
        info = table.info[n]
        op = key_split(n)
        token = n[len(op) + 1:] if n.startswith(op + "-") else ""
        lid = op + ("-" + token[:6] if token else "")
        if lid in used:
            lid = n
        k = 2
        while lid in used:
            lid, k = f"{n}#{k}", k + 1
        used.add(lid)
        ids[n] = lid
        index[n] = len(layers)
        inputs = [ids[d] for d in info["deps"] if d in ids]
        params = {"dask_name": n, "dask_layer_type": info.get("type", "")}
        if n in fused_into:
            params["dask_fused_into"] = fused_into[n]
        if n in fused:
            params["dask_fused"] = sorted(fused[n])
        chunks = info["chunks"] if info["chunks"] is not None else []
        layers.append({"id": lid, "name": op, "op": op, "kind": _op_kind(op, bool(inputs)), "group": _group(op),
                       "inputs": inputs, "shape": info["shape"] if info["shape"] is not None else [], "chunks": chunks,
                       "dtype": info["dtype"] or "float64", "tasks": 0, "params": params, "inserted": False})

    # Tasks, in the recorded (causal) order.
    task_id: dict = {}
    worker_ids: dict = {}
    c_layer, c_stage, c_chunk, c_worker, c_start, c_end, c_bytes = [], [], [], [], [], [], []
    dep_offsets, dep_index = [0], []
    stage_counter: dict = {}
    stage0_seen = set()
    layer_tasks: dict = {}
    # Per layer: its index, the number of chunks along each axis, and whether it is a scalar layer.
    geom = {n: (index[n], tuple(len(a) for a in layers[index[n]]["chunks"]),
                layers[index[n]]["shape"] == [] and layers[index[n]]["chunks"] == []) for n in index}
    no_deps = ()
    get_deps = dependencies.get
    get_id = task_id.get
    for (key, layer, idx, s, e, w, b, is_out) in per_task:
        li, nchunks, scalar = geom[layer]
        flat = -1
        if is_out and len(idx) == len(nchunks):
            flat = 0
            for i, n in zip(idx, nchunks):
                if type(i) is not int or i < 0 or i >= n:
                    flat = -1
                    break
                flat = flat * n + i
        if flat >= 0 and (li, flat) not in stage0_seen:
            stage, chunk = 0, flat
            stage0_seen.add((li, flat))
        elif scalar and (li, 0) not in stage0_seen:
            stage, chunk = 0, 0
            stage0_seen.add((li, 0))
        else:
            stage = 1
            chunk = stage_counter.get(li, 0)
            stage_counter[li] = chunk + 1
        wid = worker_ids.get(w)
        if wid is None:
            wid = worker_ids[w] = len(worker_ids)
        s = int(s)
        if s < 0:
            s = 0
        e = int(e)
        if e < s:
            e = s
        task_id[key] = len(c_layer)
        c_layer.append(li)
        c_stage.append(stage)
        c_chunk.append(chunk)
        c_worker.append(wid)
        c_start.append(s)
        c_end.append(e)
        b = int(b or 0)
        c_bytes.append(b if b > 0 else 0)
        for d in get_deps(key, no_deps):
            j = get_id(d)
            if j is not None:
                dep_index.append(j)
        dep_offsets.append(len(dep_index))
        layer_tasks[li] = layer_tasks.get(li, 0) + 1
    for li, n in layer_tasks.items():
        layers[li]["tasks"] += n
    ntasks = len(c_layer)
    col = {"layer": c_layer, "stage": c_stage, "chunk": c_chunk, "worker": c_worker, "start_ns": c_start, "end_ns": c_end,
           "bytes": c_bytes, "status": [1] * ntasks, "fused": [0] * ntasks}

    memory = _memory_series(col, dep_offsets, dep_index, per_task, graph.outputs, released)
    peak_layer = memory.pop("_peak_task_layer")
    if peak_layer >= 0:
        memory["peak_layer"] = layers[peak_layer]["id"]
    ex = {"dask_version": dask.__version__, "fused_layers": {ids[b]: sorted(ids[a] for a in v) for b, v in fused.items()},
          "workers": [str(w) for w in worker_ids] if worker_names is None else worker_names}
    if extra:
        ex.update(extra)
    status = "failed" if errors else "ok"
    return {
        "format": _FORMAT, "version": 1,
        "meta": {"tool_version": _version(), "executor": executor, "device": "cpu", "threads": int(max(1, threads)),
                 "memory_limit": 0, "start_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start_time)),
                 "wall_ns": int(max(wall_ns, max(col["end_ns"], default=0))), "pipeline": name, "status": status,
                 "error": "; ".join(errors)[:500], "extra": ex},
        "layers": layers,
        "tasks": dict(col, dep_offsets=dep_offsets, dep_index=dep_index),
        "memory": memory,
        "device_memory": [],
        "transfers": {"task": [], "start_ns": [], "end_ns": [], "bytes": [], "to_device": [], "device": []},
    }


def _version() -> str:
    from . import __version__
    return __version__


_time_kind = operator.itemgetter(0, 1)


def _memory_series(col, dep_offsets, dep_index, per_task, outputs, released) -> dict:
    """Live result bytes: a result counts from its task's start until its last reader finished (or
    the scheduler released it); outputs until the end."""
    n = len(col["layer"])
    end_ns, start_ns, nbytes = col["end_ns"], col["start_ns"], col["bytes"]
    free_at = [-1] * n
    for i in range(n):
        t = end_ns[i]
        for e in range(dep_offsets[i], dep_offsets[i + 1]):
            d = dep_index[e]
            if t > free_at[d]:
                free_at[d] = t
    # (time, kind, delta, task): at equal times releases (kind 0) sort before allocations (kind 1).
    events = []
    append = events.append
    for i in range(n):
        key = per_task[i][0]
        if released is not None and key in released:
            f = max(released[key], end_ns[i])
        elif free_at[i] < 0 or key in outputs:
            f = None
        else:
            f = free_at[i]
        b = nbytes[i]
        append((start_ns[i], 1, b, i))
        if f is not None:
            append((f, 0, -b, i))
    events.sort(key=_time_kind)
    t_ns, live_bytes = [0], [0]
    live = peak = peak_t = 0
    peak_task = -1
    for (t, _kind, delta, i) in events:
        live += delta
        if live > peak:
            peak, peak_t, peak_task = live, t, i
        if t == t_ns[-1]:
            live_bytes[-1] = live
        else:
            t_ns.append(int(t))
            live_bytes.append(int(live))
    return {"device": "host", "t_ns": t_ns, "live_bytes": live_bytes, "peak_bytes": int(peak), "peak_t_ns": int(peak_t),
            "limit_bytes": 0, "_peak_task_layer": col["layer"][peak_task] if peak_task >= 0 else -1}


def _parse_key(k):
    if isinstance(k, str) and k.startswith("("):
        try:
            return ast.literal_eval(k)
        except (ValueError, SyntaxError):
            return k
    return k


def _distributed_document(graph: _GraphRecorder, data: dict, name: str, start_time: float, exc) -> dict:
    done = data.get("done", [])
    workers = sorted(data.get("workers", {}))
    nthreads = data.get("workers", {})
    t0 = None
    for (_k, _w, _th, stops, *_r) in done:
        for s in stops:
            if s.get("action") == "compute" or s.get("action") == "transfer":
                t0 = s["start"] if t0 is None else min(t0, s["start"])
    t0 = t0 if t0 is not None else time.time()
    ns = lambda t: int(round((t - t0) * 1e9))
    lanes: dict = {}
    records, deps, transfers = [], {}, []
    key_of = {}
    for (k, w, th, stops, nbytes, typename, dks) in done:
        key = _parse_key(k)
        key_of[k] = key
        comp = [s for s in stops if s.get("action") == "compute"]
        s0 = ns(comp[0]["start"]) if comp else 0
        s1 = ns(comp[-1]["stop"]) if comp else s0
        lane = lanes.setdefault((w, th), (w, th))
        records.append((key, s0, s1, lane, nbytes, None, None))
        deps[key] = [_parse_key(d) for d in dks]
        for s in stops:
            if s.get("action") == "transfer":
                transfers.append({"task": str(k), "to_worker": w, "from_worker": s.get("source"),
                                  "start_ns": ns(s["start"]), "end_ns": ns(s["stop"])})
    # Lanes: one per (worker, thread), numbered worker by worker.
    order = sorted(lanes, key=lambda x: (workers.index(x[0]) if x[0] in workers else len(workers), str(x[1])))
    lane_id = {l: i for i, l in enumerate(order)}
    records = [(k, s, e, lane_id[w], b, sh, dt) for (k, s, e, w, b, sh, dt) in records]
    released = {}
    for (k, t) in data.get("released", []):
        if k in key_of:
            released.setdefault(key_of[k], ns(t))
    mem_by_worker: dict = {}
    for (t, w, b) in data.get("memory", []):
        m = mem_by_worker.setdefault(w, {"t_ns": [], "bytes": []})
        m["t_ns"].append(ns(t))
        m["bytes"].append(b)
    # Transfer columns, with the task ids resolved after the trace's task order is known.
    errors = [f"task {k} failed on {w}" for (k, w, _t) in data.get("erred", [])]
    if exc is not None:
        errors.append(f"{type(exc).__name__}: {exc}")
    wall = max((e for (_k, _s, e, *_r) in records), default=0)
    extra = {"workers_detail": [{"address": w, "threads": nthreads.get(w, 1)} for w in workers],
             "lanes": [{"worker": w, "thread": th} for (w, th) in order],
             "worker_memory": mem_by_worker,
             "worker_transfers": transfers}
    return trace_from_records(graph, records, deps, executor="dask-distributed",
                              threads=sum(nthreads.values()) or len(order) or 1, wall_ns=wall,
                              start_time=start_time, name=name, errors=errors, released=released, extra=extra,
                              worker_names=[f"{w} thread {th}" for (w, th) in order])
