"""Building the trace document (docs/trace-format.md) of one Dask run from the recorded graph and tasks.

The document goes to core's reader (`NativeTrace.from_document`: the Python objects read with no JSON
text in between), which validates it: only core defines the format. Inputs: the GraphRecorder
(layers, key names), the Run (scheduler, workers, its layers, its failure, its alias keys), and its
task records: (key, start_ns, end_ns, worker, nbytes, shape, dtype, type, extra), in an order where
every task comes after its dependencies.
"""
from __future__ import annotations

import math
import operator
import time

import dask

from .arrays import dtype_name
from .groups import assign_groups
from .memory import memory_series
from .names import call_group, group_of, op_kind, split_name
from .. import _chunkscope as _native

__all__ = ["build_document"]

_FORMAT = "chunkscope-trace"
_second = operator.itemgetter(1)


def _version() -> str:
    from .. import __version__
    return __version__


def _split_key(key):
    if isinstance(key, tuple) and key and isinstance(key[0], str):
        return key[0], key[1:]
    return (key if isinstance(key, str) else str(key)), ()


def _is_output_key(key_name: str, layer_name: str) -> bool:
    """A key holding one of the layer's output chunks: its own name, or a fused key's "a-b-<name>"."""
    return key_name == layer_name or key_name.endswith("-" + layer_name)


class _LayerTable:
    """Maps key names to the run's layers: noted layers (holders to the source that reads them, joins
    to what they join), then fused key names (ending with the name of the layer they produce), then a
    layer per unknown key name."""

    def __init__(self, graph, names: list):
        self.graph = graph
        self.order: list[str] = []
        self.info: dict[str, dict] = {}
        self.cache: dict[str, str] = {}
        for n in names:
            self._add(n)

    def _add(self, n):
        if n in self.info:
            return
        info = self.graph.layers.get(n)
        if info is None:
            info = {"name": n, "deps": [], "shape": None, "chunks": None, "dtype": None, "type": "unknown"}
        if info.get("container") or info.get("holder_of") or info.get("join_of"):
            return
        self.info[n] = dict(info)
        self.order.append(n)

    def _resolve(self, n, depth=0):
        info = self.graph.layers.get(n)
        if info is None or depth > 4:
            return n
        if info.get("holder_of"):
            return self._resolve(info["holder_of"], depth + 1)
        if info.get("join_of"):
            return self._resolve(self.graph.key_names.get(info["join_of"], info["join_of"]), depth + 1)
        return n

    def layer_of(self, key_name: str, call: bool = False) -> str:
        """The layer of a key name. `call`: the key has no chunk index (a `dask.delayed` call): calls
        of one function that no noted layer knows are one layer named after the function."""
        hit = self.cache.get(key_name)
        if hit is not None:
            return hit
        names = self.graph.key_names
        layer = names.get(key_name)
        if layer is None and call and key_name not in self.graph.layers:
            group = call_group(key_name)
            if group not in self.info:
                self.info[group] = {"name": group, "deps": [], "shape": None, "chunks": None, "dtype": None,
                                    "type": "calls", "calls": True}
                self.order.append(group)
            self.cache[key_name] = group
            return group
        if layer is None:  # low-level fusion renames keys to "a-b-<name of the last layer>"
            parts = key_name.split("-")
            for i in range(1, len(parts)):
                cand = "-".join(parts[i:])
                if cand in names:
                    layer = names[cand]
                    break
        if layer is None:
            layer = key_name
        layer = self._resolve(layer)
        if layer not in self.info:
            self._add(layer)
            if layer not in self.info:  # a container: a layer of its own for the key name
                self.info[key_name] = {"name": key_name, "deps": [], "shape": None, "chunks": None, "dtype": None,
                                       "type": "unknown"}
                self.order.append(key_name)
                layer = key_name
        self.cache[key_name] = layer
        return layer


def _layer_deps(table: _LayerTable, n: str) -> list:
    """A layer's inputs in the trace: holders dropped (they became the source), containers looked
    through, a sink connected to the layer whose chunks it writes."""
    info = table.info[n]
    out = []
    if info.get("sink_source_key"):
        out.append(table.layer_of(info["sink_source_key"]))
    for d in info["deps"]:
        g = table.graph.layers.get(d, {})
        if g.get("holder") is not None or g.get("container"):
            continue
        r = table._resolve(d)
        if r != n and r not in out:
            out.append(r)
    return out


def _tuple_text(items) -> str:
    """Python's tuple notation, with `?` for unknown sizes: (?, 32, 2), (12,)."""
    items = [str(i) for i in items]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _sink_array(table, n, info):
    """A sink writes the chunks of the array it stores: its shape and chunks; the target's dtype."""
    src = table.info.get(table.layer_of(info["sink_source_key"]))
    if src is None:
        return
    for f in ("shape", "chunks", "nchunks", "known_chunks"):
        if src.get(f) is not None:
            info[f] = src[f]
    info["dtype"] = info["sink"].get("dtype") or src.get("dtype")


def _culprit(layers, li, ids, frames):
    """The layer, among those fused into task layer `li`, whose function raised: the innermost frame of
    the traceback named like one of them. None when the task's own layer (or none) matches."""
    if not frames:
        return None
    fused = layers[li]["params"].get("dask_fused") or []
    by_op = {}
    for n in fused:
        lid = ids.get(n)
        if lid is not None:
            by_op.setdefault(split_name(n)[0], lid)
    own = layers[li]["op"]
    for name in reversed(frames):
        if name == own:
            return None
        if name in by_op:
            return by_op[name]
    return None


def _dask_inserted(op: str, n: str, dependents: dict) -> bool:
    """Layers Dask made that the user did not write (no advice names them): an intermediate stage of
    a multi-stage rechunk or the rechunk a reshape makes (every reader is a rechunk or a reshape),
    and block-info sources of map_blocks."""
    if op.startswith("block-info") or op.startswith("block_info"):
        return True
    if "rechunk" not in op:
        return False
    readers = dependents.get(n, ())
    return bool(readers) and all(("rechunk" in split_name(m)[0] or split_name(m)[0] == "reshape") for m in readers)


def build_document(graph, run, rec, part, *, name: str, run_index: int, run_count: int, warnings=()) -> dict:
    """The trace document of one run. `rec`: the LocalRecorder (local runs); `part`: the distributed
    records of this run (plugin.split_distributed), or None."""
    names = run.layer_names or (list(graph.layers) if run_count == 1 else [])
    table = _LayerTable(graph, names)
    if part is not None:
        records, dependencies, released = part["records"], part["deps"], part["released"]
        off = 0
        threads, wall_ns = part["threads"], max((r[2] for r in part["records"]), default=0)
        worker_names = part["worker_names"]
    else:
        t0 = run.t0
        src = rec.records
        records = [src[i] for i in run.record_indices()]
        if records:
            t0 = min(t0, min(map(_second, records)))
        off = t0  # times are taken relative to the run's start when the columns are written
        dependencies, released, worker_names = rec.dependencies, None, None
        threads = run.workers
        wall_ns = (run.t1 or time.perf_counter_ns()) - t0
    failed = []  # (key, start, end, worker)
    if part is not None:
        failed = [(k, s, e, None) for (k, _w, s, e) in part["failed"]]
    elif run.failed_key is not None:
        s = (run.failed_start or run.t1) - t0
        failed = [(run.failed_key, max(0, s), max(0, (run.t1 or 0) - t0), None)]  # the thread is not known

    # Tasks -> layers; array facts from results where the graph had none. Key names are resolved
    # once each (by_name); per task there is one tuple and a few dict look-ups, no call per field
    # (this is the profiler's own cost after a run: linear, about a microsecond per task).
    per_task = []
    seen_shapes: dict[str, dict] = {}
    types: dict[str, dict] = {}
    by_name: dict = {}  # key name -> (layer, is an output key of it)
    shapes_of: dict = {}  # layer -> [(chunk index, result shape)] of its output tasks
    add_task = per_task.append
    on_device: dict = {}  # task -> "cuda:N" for results held in GPU memory
    devices: dict = {}  # layer -> [device, bytes of its tasks' results there]
    for (key, s, e, w, b, shape, dtype, typ, nnz) in records:
        if type(key) is tuple and key and type(key[0]) is str:
            kname, idx = key[0], key[1:]
        else:
            kname, idx = _split_key(key)
        try:
            hit = by_name[kname]
        except KeyError:
            layer = table.layer_of(kname, not idx)
            hit = by_name[kname] = (layer, _is_output_key(kname, table.info[layer]["name"]))
            if hit[1]:
                shapes_of.setdefault(layer, [])
                types.setdefault(layer, {"type": typ, "nnz": 0, "size": 0, "bytes": 0, "sparse": False})
        layer, is_out = hit
        add_task((key, layer, idx, s - off, e - off, w, b, is_out, 1))
        if type(nnz) is str:  # a chunk in GPU memory (local.device_of): device bytes, not host bytes
            on_device[len(per_task) - 1] = nnz
            dv = devices.setdefault(layer, [nnz, 0])
            dv[1] += int(b or 0)
        if is_out:
            if shape is not None:
                sl = shapes_of[layer]
                if not sl and layer not in seen_shapes:
                    seen_shapes[layer] = {"dtype": dtype}
                sl.append((idx, shape))
            if nnz is not None and shape is not None and type(nnz) is not str:
                t = types[layer]
                try:
                    size = 1
                    for n in shape:
                        size *= int(n)
                    t["nnz"] += int(nnz)
                    t["size"] += size
                    t["bytes"] += int(b or 0)
                    t["sparse"] = True
                except (TypeError, ValueError):
                    pass
    # Chunk sizes per axis from the results' shapes (one pass per layer and axis).
    for layer, d in seen_shapes.items():
        pairs = shapes_of.get(layer) or []
        ndim = len(pairs[0][1]) if pairs else -1
        try:
            ok = {(len(ix), len(sh)) for ix, sh in pairs} == {(ndim, ndim)}
        except TypeError:
            ok = False
        try:
            sizes = [{ix[a]: sh[a] for ix, sh in pairs} for a in range(ndim)] if ok else [{}]
            if any(set(map(type, axis.values())) - {int} for axis in sizes):  # e.g. NumPy ints in a shape
                sizes = [{i: int(n) for i, n in axis.items()} for axis in sizes]
            d["sizes"] = sizes
        except (TypeError, ValueError):
            d["sizes"] = [{}]
    for (key, s, e, w) in failed:
        kname, idx = _split_key(key)
        layer = table.layer_of(kname, not idx)
        is_out = _is_output_key(kname, table.info[layer]["name"])
        by_name.setdefault(kname, (layer, is_out))  # the failed task's layer ran (its fused layers with it)
        per_task.append((key, layer, idx, s, e, w, 0, is_out, 2))

    # Layers that no noted high-level graph describes (delayed calls, bags, a graph Dask did not
    # optimise): their inputs are the layers of their tasks' dependencies, earlier layers only (calls
    # of f and g that alternate would otherwise make a cycle; the tasks keep every dependency).
    derived = {n for n in table.order if n not in graph.layers}
    if derived:
        pos = {n: i for i, n in enumerate(table.order)}
        for (key, layer, *_rest) in per_task:
            if layer not in derived:
                continue
            deps = table.info[layer]["deps"]
            for d in dependencies.get(key, ()):
                dn = d[0] if type(d) is tuple and d and type(d[0]) is str else _split_key(d)[0]
                hit = by_name.get(dn)
                if hit is not None and hit[0] != layer and pos[hit[0]] < pos[layer] and hit[0] not in deps:
                    deps.append(hit[0])

    # The results' shapes win over the annotations where they cover the whole chunk grid: Dask sets
    # some arrays' chunks after the layer was annotated, and boolean indexing leaves them unknown.
    for layer, d in seen_shapes.items():
        info = table.info[layer]
        chunks = []
        for sizes in d["sizes"]:
            if not sizes or sorted(sizes) != list(range(len(sizes))):
                chunks = None
                break
            chunks.append([sizes[i] for i in range(len(sizes))])
        grid = info.get("nchunks") or ([len(c) for c in info["chunks"]] if info["chunks"] is not None else None)
        if chunks is not None and grid is not None and [len(c) for c in chunks] != list(grid):
            chunks = None  # a partial grid (e.g. a culled graph): keep the annotation
        if chunks is not None:
            info["chunks"] = chunks
            info["shape"] = [sum(c) for c in chunks]
            info.pop("nchunks", None)
        if info["dtype"] is None and d["dtype"] is not None:
            info["dtype"] = dtype_name(d["dtype"])

    for n in table.order:
        info = table.info[n]
        if info.get("sink_source_key") and info["chunks"] is None:
            _sink_array(table, n, info)

    # Which layers ran; the fused-away ones point at the layer that ran their work.
    ran_layers = {hit[0] for hit in by_name.values()}
    deps_of = {n: _layer_deps(table, n) for n in list(table.order)}
    dependents: dict[str, list] = {}
    for n in table.order:
        for dep in deps_of.get(n, ()):
            dependents.setdefault(dep, []).append(n)
    fused_into: dict[str, str] = {}
    for n in table.order:
        if n in ran_layers or table.info[n].get("data") or not deps_of.get(n) and n not in dependents:
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

    # Layer objects: names without tokens, distinct and stable (numbered in topological order).
    index: dict[str, int] = {}
    ids: dict[str, str] = {}
    used: dict[str, int] = {}
    layers = []
    unknown_dtype = []
    for n in table.order:
        info = table.info[n]
        op, token, suffix = split_name(n)
        inserted = _dask_inserted(op, n, dependents)
        display = f"{op}({suffix})" if suffix else op
        if op == "rechunk-merge" and not inserted:
            display = "rechunk"  # the array the user's .rechunk(...) returned
        k = used.get(display, 0) + 1
        used[display] = k
        lid = display if k == 1 else f"{display}#{k}"
        while lid in ids.values():
            k += 1
            lid = f"{display}#{k}"
        ids[n] = lid
        index[n] = len(layers)
        inputs = [ids[d] for d in deps_of.get(n, ()) if d in ids]
        params = {"dask_name": n, "dask_layer_type": info.get("type", "")}
        if token:
            params["dask_token"] = token
        if n in fused_into:
            params["dask_fused_into"] = fused_into[n]
        if n in fused:
            params["dask_fused"] = sorted(fused[n])
        kind = op_kind(op, bool(inputs))
        non_array = n in derived and (info.get("calls") or info["chunks"] is None and info.get("nchunks") is None)
        if non_array:  # Python calls (delayed) or bag partitions: tasks, not an array's chunks
            kind = "task"
            info["dtype"] = info["shape"] = info["chunks"] = None
            params["dask_collection"] = "delayed" if info.get("calls") else "other"
        if info.get("dropped_axes") and kind == "elementwise":
            params["dropped_axes"] = list(info["dropped_axes"])
        for field in ("source", "data", "sink"):
            facts = info.get(field)
            if facts:
                prefix = "target_" if field == "sink" else "source_"
                for f, v in facts.items():
                    if f == "path":
                        params["path"] = v
                    elif f == "source_type":
                        params[prefix + "type"] = v
                    elif f == "storage_chunks":
                        params[("target_" if field == "sink" else "") + "storage_chunks"] = v
                    else:
                        params[prefix + f] = v
                kind = "sink" if field == "sink" else "source"
        if info.get("data"):
            params["source_type"] = "in-memory " + params.get("source_type", "array")
        t = types.get(n)
        chunk_type = info.get("chunk_type")
        if t is not None and t["type"] is not None:
            chunk_type = t["type"] if isinstance(t["type"], str) else f"{t['type'].__module__}.{t['type'].__qualname__}"
        if chunk_type:
            params["chunk_type"] = str(chunk_type)
        if n in devices:  # GPU chunks (CuPy): the device and the bytes the layer's tasks left there
            params["device"], params["device_bytes"] = devices[n]
        elif "source_device" in params:  # a GPU array read in fused tasks: the array's bytes there
            params["device"] = params["source_device"]
            params["device_bytes"] = params.get("source_bytes", 0)
        if t is not None and t["sparse"] and t["size"]:
            params["density"] = t["nnz"] / t["size"]
            params["sparse_bytes"] = t["bytes"]
        elif "source_density" in params and "source_sparse_bytes" in params:  # a sparse source read in fused tasks
            params["density"] = params["source_density"]
            params["sparse_bytes"] = params["source_sparse_bytes"]
        dtype = info["dtype"]
        if dtype is None:
            dtype = "unknown"
            unknown_dtype.append(lid)
        shape, chunks = info["shape"], info["chunks"]
        if chunks is None and info.get("nchunks") is not None:
            known = info.get("known_chunks") or [None] * len(info["nchunks"])
            params["unknown_chunks"] = True
            params["shape"] = _tuple_text(sum(c) if c is not None else "?" for c in known)
            params["chunks"] = _tuple_text(_tuple_text(c if c is not None else ["?"] * k) for c, k in zip(known, info["nchunks"]))
            # The same as sizes with null for unknown, for the readers that format them (TraceLayer::shape_text).
            params["known_shape"] = [sum(c) if c is not None else None for c in known]
            params["known_chunk_shape"] = [max(c) if c else None for c in known]
            params["chunk_count"] = math.prod(info["nchunks"])
            shape, chunks = [], []
        layers.append({"id": lid, "name": lid, "op": op, "kind": kind, "group": group_of(op),
                       "inputs": inputs, "shape": shape if shape is not None else [], "chunks": chunks if chunks is not None else [],
                       "dtype": dtype, "tasks": 0, "params": params, "inserted": inserted})

    groups = assign_groups(layers)  # the operations the user wrote, and where (groups.py)

    # Tasks, in the recorded (causal) order: the per-task pass is C++ in the binding
    # (python/src/dask_columns.hpp): chunk index -> (stage, chunk), worker lanes, dependency edges.
    ntasks = len(per_task)
    geom = {n: (index[n], tuple(len(a) for a in layers[index[n]]["chunks"]),
                layers[index[n]]["shape"] == [] and layers[index[n]]["chunks"] == []
                and not layers[index[n]]["params"].get("unknown_chunks")) for n in index}
    aliases = getattr(run, "aliases", None) or None  # keys of alias tasks (session._alias_keys)
    cols = _native.dask_task_columns(per_task, geom, len(layers), aliases, dependencies)
    dep_offsets, dep_index, edge_end = cols.pop("dep_offsets"), cols.pop("dep_index"), cols.pop("edge_end")
    worker_ids = cols.pop("workers")
    for li, pairs in cols.pop("alias_tasks").items():  # the rules leave these tasks out of their comparisons
        layers[li]["params"]["dask_alias_tasks"] = pairs
    for li, n in enumerate(cols.pop("layer_tasks")):
        if n:
            layers[li]["tasks"] += n
            if layers[li]["kind"] == "task" and layers[li]["params"].get("dask_collection") == "delayed":
                layers[li]["params"]["dask_calls"] = n
    error_text = ""
    first_failed = cols.pop("first_failed")
    if first_failed >= 0:
        key, layer, idx = per_task[first_failed][:3]
        li = index[layer]
        where = "chunk " + (str(tuple(idx)) if idx else "0")
        lid = layers[li]["id"]
        culprit = _culprit(layers, li, ids, getattr(run, "failed_frames", ()))
        failed_at = {"layer": culprit or lid, "chunk": list(idx) if all(type(i) is int for i in idx) else str(idx),
                     "task": first_failed, "dask_key": str(key)}
        if culprit:
            failed_at["fused_into"] = lid
            error_text = f"layer {culprit} (fused into {lid}) {where}: "
        else:
            error_text = f"layer {lid} {where}: "
    col = cols

    keys = [r[0] for r in per_task]
    host_bytes = None
    device_memory = []
    if on_device:  # GPU results count in their device's timeline, not in host memory
        host_bytes = list(col["bytes"])
        for dev in sorted(set(on_device.values())):
            dev_bytes = [0] * ntasks
            for i, d in on_device.items():
                if d == dev:
                    dev_bytes[i], host_bytes[i] = host_bytes[i], 0
            m = memory_series(col, dep_offsets, dep_index, keys, graph.outputs, released, edge_end, dev_bytes)
            m["device"] = dev
            device_memory.append(m)
    memory = memory_series(col, dep_offsets, dep_index, keys, graph.outputs, released, edge_end, host_bytes)
    for m in [memory] + device_memory:
        peak_layer = m.pop("_peak_task_layer")
        if peak_layer >= 0:
            m["peak_layer"] = layers[peak_layer]["id"]
    ex = {"dask_version": dask.__version__, "fused_layers": {ids[b]: sorted(ids[a] for a in v) for b, v in fused.items()},
          "workers": [str(w) for w in worker_ids] if worker_names is None else worker_names,
          "run": run_index, "runs": run_count, "scheduler": run.executor[len("dask-"):]}
    if run.address:
        ex["scheduler_address"] = run.address
    if unknown_dtype:
        ex["unknown_dtype_layers"] = unknown_dtype
    if groups:
        ex["groups"] = groups
    if warnings:
        ex["warnings"] = list(warnings)
    if part is not None:
        ex.update(part["extra"])
    errors = []
    if run.error is not None:
        errors.append(error_text + f"{run.error[0]}: {run.error[1]}")
        if error_text:
            ex["failed"] = failed_at
    status = "failed" if errors else "ok"
    threads = threads if part is None else part["threads"]
    return {
        "format": _FORMAT, "version": 1,
        "meta": {"tool_version": _version(), "executor": run.executor, "device": "cpu", "threads": int(max(1, threads)),
                 "memory_limit": 0, "start_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(run.t_wall)),
                 "wall_ns": int(max(wall_ns, max(col["end_ns"], default=0))), "pipeline": name, "status": status,
                 "error": "; ".join(errors)[:500], "extra": ex},
        "layers": layers,
        "tasks": dict(col, dep_offsets=dep_offsets, dep_index=dep_index),
        "memory": memory,
        "device_memory": device_memory,
        "transfers": {"task": [], "start_ns": [], "end_ns": [], "bytes": [], "to_device": [], "device": []},
    }
