"""distributed: the scheduler plugin that records a run, its registration, and its records split
into the profile's runs (one per computation) as the document builder's task records."""
from __future__ import annotations

import ast
import time

__all__ = ["SchedulerRecorder", "WorkerChunkNotes", "collect", "worker_notes", "register", "register_worker",
           "split_distributed"]


try:
    from distributed.diagnostics.plugin import SchedulerPlugin as _SchedulerPluginBase
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPluginBase
except Exception:  # distributed is optional
    _SchedulerPluginBase = _WorkerPluginBase = object


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
        elif finish == "erred" and start == "processing":
            stops = [dict(s) for s in (kwargs.get("startstops") or ())]
            self.erred.append((key, kwargs.get("worker"), time.time(), stops))


class WorkerChunkNotes(_WorkerPluginBase):
    """Runs inside every worker: for each result that is not a NumPy array, what the scheduler's
    type name cannot say — the GPU it lives on (a CuPy array: "cuda:0", local.device_of) or its nnz
    (a sparse array), with its shape and dtype. `worker_notes` (run on the workers) hands them back."""

    def __init__(self, name: str = "chunkscope-chunks"):
        self.name = name
        self.notes: dict = {}  # key -> (device or nnz, shape, dtype)
        self.worker = None

    def setup(self, worker):
        self.worker = worker

    def transition(self, key, start, finish, **kwargs):
        if finish != "memory" or self.worker is None:
            return
        data = self.worker.data
        try:
            v = getattr(data, "fast", data).get(key)  # never unspills: only the in-memory part
        except Exception:
            return
        if v is None or type(v).__name__ == "ndarray" and type(v).__module__ == "numpy":
            return
        from .local import device_of
        note = device_of(v)
        if note is None:
            nnz = getattr(v, "nnz", None)
            note = int(nnz) if isinstance(nnz, int) else None
        if note is not None:
            shape = getattr(v, "shape", None)
            self.notes[key] = (note, tuple(int(x) for x in shape) if shape is not None else None,
                               str(getattr(v, "dtype", "")) or None)


def worker_notes(dask_worker=None, name="chunkscope-chunks"):
    plugin = getattr(dask_worker, "plugins", {}).get(name)
    return dict(plugin.notes) if plugin is not None else {}


def register_worker(client, plugin, name: str):
    """Registers a worker plugin: `Client.register_plugin` where it exists, else the older
    `register_worker_plugin`."""
    reg = getattr(client, "register_plugin", None)
    if callable(reg):
        try:
            return reg(plugin, name=name)
        except TypeError:
            pass
    return client.register_worker_plugin(plugin, name=name)


def unregister_worker(client, name: str):
    try:
        client.unregister_worker_plugin(name)
    except Exception:  # gone with its workers, or an API without it: nothing is left behind
        pass


def collect(dask_scheduler=None, name="chunkscope-recorder"):
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


def register(client, plugin, name: str):
    """Registers a scheduler plugin: `Client.register_plugin` where it exists (current distributed
    removed `register_scheduler_plugin`), else the older `register_scheduler_plugin`."""
    reg = getattr(client, "register_plugin", None)
    if callable(reg):
        try:
            return reg(plugin, name=name)
        except TypeError:  # an older register_plugin that only takes worker plugins
            pass
    return client.register_scheduler_plugin(plugin, name=name)


def _parse_key(k):
    if isinstance(k, str) and k.startswith("("):
        try:
            return ast.literal_eval(k)
        except (ValueError, SyntaxError):
            return k
    return k


def _compute_span(stops):
    comp = [s for s in stops if s.get("action") == "compute"]
    if not comp:
        return None
    return comp[0]["start"], comp[-1]["stop"]


def split_distributed(runs: list, datas: list, graph=None) -> dict:
    """{run: part}: each recorded task goes to a run that computed its key: in the order the tasks
    started, to the first such run that has not had that key yet (a key computed again by a later
    run goes to that run). Without key facts, to the run that began last before the task started.
    A part holds the task records (key, start_ns, end_ns, lane, nbytes, shape, dtype, type name, nnz)
    relative to the part's first start, dependencies, releases, failures and the workers' facts."""
    if not runs:
        return {}
    starts = [r.t_wall for r in runs]

    def run_by_time(t):
        i = 0
        for j, s in enumerate(starts):
            if t >= s - 0.01:
                i = j
        return runs[i]

    names_cache: dict = {}

    def candidates(key):
        name = key[0] if type(key) is tuple and key else key
        hit = names_cache.get(name)
        if hit is None:
            hit = [r for r in runs if r.key_names is not None and _has_name(r.key_names, name)]
            names_cache[name] = hit
        return hit

    taken: dict = {}

    def run_of(key, t):
        cands = candidates(_parse_key(key))
        if not cands:
            return run_by_time(t)
        seen = taken.setdefault(key if not isinstance(key, list) else str(key), set())
        for r in cands:
            if id(r) not in seen:
                seen.add(id(r))
                return r
        return cands[-1]

    by_run: dict = {r: {"done": [], "erred": [], "released": [], "memory": [], "workers": {}, "notes": {}} for r in runs}
    where: dict = {}
    for data in datas:
        workers = data.get("workers", {})
        for r in runs:
            by_run[r]["workers"].update(workers)
            by_run[r]["notes"].update(data.get("notes") or {})
        entries = []
        for d in data.get("done", []):
            span = _compute_span(d[3])
            entries.append((span[0] if span else time.time(), "done", d))
        for e in data.get("erred", []):
            span = _compute_span(e[3]) if len(e) > 3 else None
            entries.append((span[0] if span else e[2], "erred", e))
        entries.sort(key=lambda x: x[0])
        for (t, kind, d) in entries:
            r = run_of(d[0], t)
            where[d[0]] = r
            by_run[r][kind].append(d)
        for rel in data.get("released", []):
            by_run[where.get(rel[0]) or run_by_time(rel[1])]["released"].append(rel)
        for m in data.get("memory", []):
            by_run[run_by_time(m[0])]["memory"].append(m)
    return {r: _part(by_run[r]) for r in runs}


def _has_name(names: set, name) -> bool:
    """A key name computed by a graph: one of its names, or a fused name ending with one."""
    if name in names:
        return True
    if isinstance(name, str):
        parts = name.split("-")
        for i in range(1, len(parts)):
            if "-".join(parts[i:]) in names:
                return True
    return False


def _part(data: dict) -> dict:
    done = data["done"]
    workers = sorted(data["workers"])
    nthreads = data["workers"]
    t0 = None
    for (_k, _w, _th, stops, *_r) in done + data["erred"]:
        for s in stops:
            if s.get("action") in ("compute", "transfer"):
                t0 = s["start"] if t0 is None else min(t0, s["start"])
    t0 = t0 if t0 is not None else time.time()
    ns = lambda t: int(round((t - t0) * 1e9))
    lanes: dict = {}
    records, deps, transfers = [], {}, []
    key_of = {}
    notes = data.get("notes") or {}  # WorkerChunkNotes: key -> (device or nnz, shape, dtype)
    for (k, w, th, stops, nbytes, typename, dks) in done:
        key = _parse_key(k)
        key_of[k] = key
        span = _compute_span(stops)
        s0, s1 = (ns(span[0]), ns(span[1])) if span else (0, 0)
        lanes.setdefault((w, th), None)
        note, shape, dtype = notes.get(key) or (None, None, None)
        records.append((key, s0, s1, (w, th), nbytes, shape, dtype, typename, note))
        deps[key] = [_parse_key(d) for d in dks]
        for s in stops:
            if s.get("action") == "transfer":
                transfers.append({"task": str(k), "to_worker": w, "from_worker": s.get("source"),
                                  "start_ns": ns(s["start"]), "end_ns": ns(s["stop"])})
    order = sorted(lanes, key=lambda x: (workers.index(x[0]) if x[0] in workers else len(workers), str(x[1])))
    lane_id = {l: i for i, l in enumerate(order)}
    records = [(k, s, e, lane_id[w], b, sh, dt, ty, nz) for (k, s, e, w, b, sh, dt, ty, nz) in records]
    released = {}
    for (k, t) in data["released"]:
        if k in key_of:
            released.setdefault(key_of[k], ns(t))
    mem_by_worker: dict = {}
    for (t, w, b) in data["memory"]:
        m = mem_by_worker.setdefault(w, {"t_ns": [], "bytes": []})
        m["t_ns"].append(ns(t))
        m["bytes"].append(b)
    failed = []
    for e in data["erred"]:
        span = _compute_span(e[3]) if len(e) > 3 else None
        failed.append((_parse_key(e[0]), e[1], ns(span[0]) if span else ns(e[2]), ns(span[1]) if span else ns(e[2])))
    extra = {"workers_detail": [{"address": w, "threads": nthreads.get(w, 1)} for w in workers],
             "lanes": [{"worker": w, "thread": th} for (w, th) in order],
             "worker_memory": mem_by_worker,
             "worker_transfers": transfers}
    return {"records": records, "deps": deps, "released": released, "extra": extra, "failed": failed,
            "threads": sum(nthreads.values()) or len(order) or 1, "workers": workers,
            "worker_names": [f"{w} thread {th}" for (w, th) in order]}
