"""A plan of a Dask collection before it runs: `chunkscope.dask.plan(x)` (docs/python.md, "Plans").

Nothing is computed. Dask's own optimisation runs on the collection's graph (as `compute` would: the
same culling and fusion), with the graph recorder of a profile installed, and the tasks that the
local schedulers would run become a run of the same trace builder as a profile's (document.py), with
estimated bytes and times instead of measured ones. So the plan has exactly the layers, shapes,
chunks, groups and task counts of the trace a `compute()` of it records (only chunk sizes Dask leaves
unknown stay unknown, `?`).

From that run:
- the plan document (`Plan.document`, `Plan.save`): a trace with no tasks (docs/trace-format.md,
  "Plan documents"): each layer's `tasks` is 0 and `params.planned_tasks` its task count; meta.status
  "plan", meta.executor "dask-plan", meta.extra.plan the estimate and its assumptions;
- an estimate of the peak memory on the threaded scheduler (`Plan.peak_bytes`, `Plan.assumptions`):
  every task as long as any other, `threads` of them at once in dask.order's priority, a chunk's bytes
  its shape times its itemsize;
- the findings that need no timings (`Plan.findings`): core's rules on the simulated run where their
  measure is structural (rechunk-fan, reduction-split's fan-in, irregular-chunks) and the plan's own
  checks on sizes (tiny-chunks, huge-chunks, chunk-blowup, halo-larger-than-chunks,
  reduction-fan-in), each with its edit as a line of Python.
"""
from __future__ import annotations

import heapq
import html
import math
import os
import time

import dask

from .. import Finding, Trace, _write_via_rename
from .document import build_document
from .graph import GraphRecorder
from .names import split_name

__all__ = ["Plan", "plan"]

_MiB = 1 << 20
#: thresholds of the plan's own checks (docs/python.md, "Plans"); the names of core's (docs/rules.md)
TINY_CHUNK_BYTES = 1 * _MiB         # core's min_chunk_bytes
TINY_MIN_CHUNKS = 64                # core's tiny_min_tasks
TARGET_CHUNK_BYTES = 128 * _MiB     # core's target_chunk_bytes
HUGE_CHUNK_BYTES = 512 * _MiB       # core's huge_chunk_bytes
BLOWUP_RATIO = 10                   # a layer with 10x the chunks of its input ...
BLOWUP_MIN_CHUNKS = 1000            # ... and at least this many
REDUCTION_MAX_FAN_IN = 16           # core's reduction_max_fan_in
RECHUNK_FAN = 8                     # core's rechunk_fan
_STRUCTURAL_RULES = ("rechunk-fan", "irregular-chunks")

_ITEMSIZE_CACHE: dict = {}


def _itemsize(dtype: str) -> int:
    n = _ITEMSIZE_CACHE.get(dtype)
    if n is None:
        try:
            import numpy as np
            n = int(np.dtype(dtype).itemsize)
        except Exception:
            n = 0
        _ITEMSIZE_CACHE[dtype] = n
    return n


def _fmt_bytes(n) -> str:
    if n is None:
        return "?"
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _tuple(xs) -> str:
    xs = list(xs)
    return "(" + ", ".join(str(x) for x in xs) + ("," if len(xs) == 1 else "") + ")"


class _Records:
    """What build_document reads of a local recorder: the records and the dependencies."""

    def __init__(self, records, dependencies):
        self.records = records
        self.dependencies = dependencies


class _PlanRun:
    """What build_document reads of a run."""

    def __init__(self, layers, workers):
        self.executor = "dask-plan"
        self.workers = workers
        self.address = None
        self.layer_names = layers
        self.t_wall = time.time()
        self.t0 = 0
        self.t1 = 0
        self.error = None
        self.failed_key = None
        self.failed_frames = []
        self.aliases = ()
        self.n = 0

    def record_indices(self):
        return range(self.n)


def _threads(threads) -> int:
    if threads:
        return int(threads)
    n = dask.config.get("num_workers", None)
    if n:
        return int(n)
    from dask.system import CPU_COUNT
    return int(CPU_COUNT)


def _schedule(dsk, keys_out, threads):
    """The tasks the local schedulers run (keys whose value has tasks), their dependencies, and a
    simulated threaded run: unit-time steps, up to `threads` ready tasks at once, lowest dask.order
    priority first. Returns (records [(key, start, end, worker)], dependencies)."""
    from dask.core import get_dependencies, has_tasks
    from dask.order import order
    tasks = [k for k, v in dsk.items() if has_tasks(dsk, v)]
    task_set = set(tasks)
    deps = {k: get_dependencies(dsk, k) for k in tasks}
    try:
        prio = order(dsk)
    except Exception:  # an unusual graph: insertion order
        prio = {k: i for i, k in enumerate(dsk)}
    waiting = {k: sum(1 for d in deps[k] if d in task_set) for k in tasks}
    readers: dict = {}
    for k in tasks:
        for d in deps[k]:
            if d in task_set:
                readers.setdefault(d, []).append(k)
    ready = [(prio.get(k, 0), i, k) for i, k in enumerate(tasks) if waiting[k] == 0]
    heapq.heapify(ready)
    records = []
    step = 0
    seq = len(tasks)
    while ready:
        batch = [heapq.heappop(ready) for _ in range(min(threads, len(ready)))]
        for w, (_p, _i, k) in enumerate(batch):
            records.append((k, step * 1000, step * 1000 + 1000, w))
        for _p, _i, k in batch:
            for r in readers.get(k, ()):
                waiting[r] -= 1
                if waiting[r] == 0:
                    seq += 1
                    heapq.heappush(ready, (prio.get(r, 0), seq, r))
        step += 1
    return records, deps


def _chunk_bytes(layer) -> int | None:
    """Bytes of the layer's first (largest) chunk; None when unknown."""
    if not layer["chunks"] or layer["params"].get("unknown_chunks"):
        return None
    n = 1
    for axis in layer["chunks"]:
        n *= max(axis) if axis else 0
    size = _itemsize(layer["dtype"])
    return n * size if size else None


def _task_bytes(doc) -> list:
    """Estimated result bytes per task: an output chunk's shape times the itemsize; an intermediate
    stage of a rechunk its layer's largest chunk, of anything else nothing (partial results)."""
    layers = doc["layers"]
    col = doc["tasks"]
    cache = {}
    out = []
    for li, stage, chunk in zip(col["layer"], col["stage"], col["chunk"]):
        l = layers[li]
        if stage:
            out.append((_chunk_bytes(l) or 0) if l["kind"] == "rechunk" else 0)
            continue
        key = (li, chunk)
        if not l["chunks"] or l["params"].get("unknown_chunks"):
            out.append(0)
            continue
        grid = [len(a) for a in l["chunks"]]
        idx, rem = [], chunk
        for g in reversed(grid):
            idx.append(rem % g)
            rem //= g
        idx.reverse()
        n = _itemsize(l["dtype"])
        for a, i in enumerate(idx):
            n *= l["chunks"][a][i]
        cache[key] = n
        out.append(n)
    return out


def _title_of(collection) -> str:
    name = getattr(collection, "name", None)
    if isinstance(name, str) and name:
        op = split_name(name)[0]
        from .origins import origin_of
        o = origin_of(name)
        if o is not None and o.label:
            return o.label
        return op
    return type(collection).__name__


def _edit_chunks(layer, target_bytes) -> tuple:
    """A chunk shape for `layer` near target_bytes: axes grown from the last (whole axes first)."""
    shape = list(layer["shape"])
    chunks = [max(a) if a else 1 for a in layer["chunks"]]
    size = _itemsize(layer["dtype"]) or 1
    for a in reversed(range(len(shape))):
        per_other = size
        for b, c in enumerate(chunks):
            if b != a:
                per_other *= c
        want = max(1, int(target_bytes // max(1, per_other)))
        chunks[a] = min(shape[a], max(chunks[a], want))
        total = size
        for c in chunks:
            total *= c
        if total >= target_bytes:
            break
    return tuple(chunks)


_RANDOM_OPS = ("random_sample", "random", "normal", "uniform", "standard_normal", "randint", "integers", "choice",
               "permutation", "poisson", "binomial", "exponential", "gamma", "beta", "lognormal", "standard_exponential",
               "standard_gamma")


def _python_for(layer, chunks) -> str:
    """The line of Python that sets these chunks where the user made the layer, in the words of core's
    advice on Dask traces (core/src/analysis/dask_terms.cpp, dask_chunks_line)."""
    p = layer["params"]
    ch = _tuple(chunks)
    op = layer["op"]
    if layer["kind"] == "rechunk":
        return f".rechunk({ch})"
    t = str(p.get("source_type", ""))
    if t.startswith("in-memory"):
        return f".rechunk({ch}).persist()"
    if p.get("source_wrapped_by") or op.startswith("open_dataset"):
        return f'ds["{p.get("source_variable") or "var"}"].chunk({ch})'
    if op in ("from-zarr", "from_zarr"):
        return f"da.from_zarr(..., chunks={ch})"
    if op in ("array", "from-array", "from_array") or t:
        return f"da.from_array(..., chunks={ch})"
    if op in _RANDOM_OPS:
        return f"da.random.{op}(..., chunks={ch})"
    if layer["kind"] != "source":
        return f".rechunk({ch})"
    return f"da.{op[:-5] if op.endswith('_like') else op}(..., chunks={ch})"


def _family_tasks(layers, by_id, start) -> int:
    """Planned tasks of a source or rechunk and of the layers that read its chunks without another
    rechunk in between (its chunk family)."""
    readers: dict = {}
    for l in layers:
        for i in l["inputs"]:
            readers.setdefault(i, []).append(l["id"])
    total, stack, seen = 0, [start], set()
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        total += by_id[i]["tasks"]
        stack.extend(r for r in readers.get(i, ()) if by_id[r]["kind"] not in ("rechunk", "source"))
    return total


def _finding(rule, severity, layers, message, advice, evidence=(), edits=()) -> Finding:
    from .. import Evidence
    ev = tuple(Evidence(n, float(v), u, t) for (n, v, u, t) in evidence)
    return Finding(rule, severity, tuple(layers), message, ev, advice, tuple(edits))


def _core_edit(sim_trace, layer_id):
    """The edit of core's one chunk advisor for this layer's chunks (what the run's tiny-chunks and
    huge-chunks findings propose; issue 19 item 10), or None."""
    if sim_trace is None:
        return None
    try:
        import json
        e = json.loads(sim_trace._native.layer_chunk_edit(layer_id))
    except Exception:  # an older module, or a layer core cannot advise on: the plan's own shape
        return None
    return e if isinstance(e, dict) and e.get("python") and e.get("layer") == layer_id else None


def _own_findings(doc, threads, sim_trace=None) -> list:
    """Size and structure checks of the plan (thresholds above, docs/python.md). The edits are core's
    chunk advisor's (the run's findings give the same) where core can advise on the layer."""
    layers = doc["layers"]
    by_id = {l["id"]: l for l in layers}
    col = doc["tasks"]
    out = []
    nchunks = {l["id"]: (math.prod(len(a) for a in l["chunks"]) if l["chunks"] else l["params"].get("chunk_count") or 0)
               for l in layers}
    for l in layers:
        cb = _chunk_bytes(l)
        where = l["params"].get("created_at")
        at = f" (created at {where})" if where else ""
        call = l["params"].get("dask_call")
        user_layer = not l.get("inserted") and not split_name(l["params"].get("dask_name", ""))[0].startswith(("getitem", "block-info")) \
            and not (l["kind"] == "rechunk" and call and not call.startswith("rechunk"))  # a rechunk map_overlap made
        if cb is not None and user_layer and l["kind"] in ("source", "rechunk"):
            n = nchunks[l["id"]]
            array_bytes = math.prod(l["shape"]) * (_itemsize(l["dtype"]) or 0) if l["shape"] else 0
            if cb < TINY_CHUNK_BYTES and n > 1 and _family_tasks(layers, by_id, l["id"]) >= TINY_MIN_CHUNKS:
                core = _core_edit(sim_trace, l["id"])
                if core:
                    line, ch = core["python"], core["chunks"]
                else:
                    ch = _edit_chunks(l, min(TARGET_CHUNK_BYTES, max(TINY_CHUNK_BYTES * 16, array_bytes // max(2 * threads, 1))))
                    line = _python_for(l, ch)
                out.append(_finding("tiny-chunks", "warning", [l["id"]],
                                    f"{l['id']}{at}: {n} chunks of {_fmt_bytes(cb)}: a task per chunk costs more than its work",
                                    f"larger chunks: {line}", [("chunk_bytes", cb, "B", ""), ("chunks", n, "count", "")],
                                    [{"layer": l["id"], "chunks": list(ch), "python": line}]))
            if cb >= HUGE_CHUNK_BYTES:
                core = _core_edit(sim_trace, l["id"])
                if core:
                    line, ch = core["python"], core["chunks"]
                else:
                    ch = _edit_chunks({**l, "chunks": [[1]] * len(l["shape"])}, TARGET_CHUNK_BYTES)
                    line = _python_for(l, ch)
                out.append(_finding("huge-chunks", "warning", [l["id"]],
                                    f"{l['id']}{at}: chunks of {_fmt_bytes(cb)}: {threads} of them at once need "
                                    f"{_fmt_bytes(cb * threads)}", f"smaller chunks: {line}",
                                    [("chunk_bytes", cb, "B", ""), ("workers", threads, "count", "")],
                                    [{"layer": l["id"], "chunks": list(ch), "python": line}]))
            elif n < threads and array_bytes >= 2 * TINY_CHUNK_BYTES and l["kind"] == "source":
                dropped = set()
                for m in layers:  # axes a block function drops stay whole
                    if l["id"] in m["inputs"]:
                        dropped.update(m["params"].get("dropped_axes") or [])
                ch = [max(a) for a in l["chunks"]]
                for a in range(len(ch)):  # the first axis that splits into two chunks per thread
                    if a not in dropped and l["shape"][a] >= 2 * threads:
                        ch[a] = math.ceil(l["shape"][a] / (2 * threads))
                        break
                line = _python_for(l, ch)
                out.append(_finding("huge-chunks", "warning", [l["id"]],
                                    f"{l['id']}{at}: {n} chunk{'s' if n != 1 else ''} for {threads} threads: the others wait",
                                    f"more chunks: {line}", [("chunks", n, "count", ""), ("workers", threads, "count", "")],
                                    [{"layer": l["id"], "chunks": ch, "python": line}]))
        for i in l["inputs"]:  # sparse chunks made dense (core's sparse-chunks, densify_ratio 4x)
            src = by_id.get(i)
            sp = src and (src["params"].get("source_sparse_bytes") or src["params"].get("sparse_bytes"))
            if not sp or "numpy" not in str(l["params"].get("chunk_type", "")) or not l["shape"]:
                continue
            dense = math.prod(l["shape"]) * (_itemsize(l["dtype"]) or 0)
            if dense >= 4 * sp:
                out.append(_finding("sparse-chunks", "warning", [l["id"], i],
                                    f"{l['id']}{at} makes the sparse chunks of {i} dense: {_fmt_bytes(sp)} become "
                                    f"{_fmt_bytes(dense)}", "keep the chunks sparse (a function that returns sparse "
                                    "arrays), or reduce before densifying",
                                    [("sparse_bytes", sp, "B", ""), ("dense_bytes", dense, "B", "")]))
        for i in l["inputs"]:  # chunk-count blow-up
            src = by_id.get(i)
            if src is None or not nchunks[i]:
                continue
            if nchunks[l["id"]] >= BLOWUP_MIN_CHUNKS and nchunks[l["id"]] >= BLOWUP_RATIO * nchunks[i]:
                out.append(_finding("chunk-blowup", "warning", [l["id"], i],
                                    f"{l['id']}{at} has {nchunks[l['id']]} chunks from {nchunks[i]} of {i}",
                                    "fewer, larger chunks after this step: .rechunk(...) to about "
                                    f"{_fmt_bytes(TARGET_CHUNK_BYTES)} per chunk",
                                    [("chunks", nchunks[l["id"]], "count", ""), ("input_chunks", nchunks[i], "count", "")]))
                break
        if split_name(l["params"].get("dask_name", ""))[0].startswith("overlap") and l["inputs"]:  # halo vs chunks
            src = by_id.get(l["inputs"][0])
            if src and src["chunks"] and l["chunks"] and len(src["chunks"]) == len(l["chunks"]):
                for a, (ci, co) in enumerate(zip(src["chunks"], l["chunks"])):
                    if len(ci) < 3 or len(co) != len(ci):
                        continue
                    depth = (co[1] - ci[1]) // 2  # an interior chunk gets the halo on both sides
                    if depth <= 0 or 2 * depth < min(ci[1:-1]):
                        continue
                    grp = l.get("group") or l["id"]
                    user = src  # the array the user handed to map_overlap (before a rechunk Dask added)
                    while user["kind"] == "rechunk" and user["params"].get("dask_call", "rechunk") != "rechunk" and user["inputs"]:
                        user = by_id[user["inputs"][0]]
                    ch = [max(c) for c in user["chunks"]] if user["chunks"] else [max(c) for c in ci]
                    ch[a] = min(user["shape"][a] if user["shape"] else ch[a], max(ch[a], 4 * depth))
                    line = _python_for(user, ch)
                    added = " (Dask rechunked it first)" if user is not src else ""
                    out.append(_finding("halo-larger-than-chunks", "warning", [l["id"]],
                                        f"{grp}{at}: a halo of {depth} on each side of axis {a} against chunks of {min(ci[1:-1])}"
                                        f"{added}: each task reads {(co[1]) / ci[1]:.1f}x its own data",
                                        f"chunks of at least {4 * depth} on axis {a} before map_overlap: {line}",
                                        [("depth", depth, "count", ""), ("chunk", min(ci[1:-1]), "count", "")],
                                        [{"layer": user["id"], "chunks": ch, "python": line}]))
                    break
    # Wide reduction fan-ins and all-to-all rechunks, from the planned tasks' dependencies.
    offs, idx = col["dep_offsets"], col["dep_index"]
    fan: dict = {}
    for t, li in enumerate(col["layer"]):
        n = offs[t + 1] - offs[t]
        if n > fan.get(li, 0):
            fan[li] = n
    for li, n in fan.items():
        l = layers[li]
        if l["kind"] == "reduce" and n > REDUCTION_MAX_FAN_IN:
            split = max(4, min(64, int(round(math.sqrt(n)))))
            line = f".{l['params'].get('dask_call', 'sum').split('(')[0]}(..., split_every={split})"
            out.append(_finding("reduction-fan-in", "warning", [l["id"]],
                                f"{l.get('group') or l['id']}: a combine task reads {n} partial results",
                                f"a tree of smaller combines: {line}", [("final_fan_in", n, "count", "")],
                                [{"layer": l["id"], "split_every": split, "python": line}]))
    del idx
    return out


class Plan:
    """What a Dask collection will do when computed, without computing it (see the module's text).
    `document` (the plan document), `trace` (a chunkscope.Trace of it: every front-end opens it),
    `layers`, `findings`, `peak_bytes`, `assumptions`, `threads`, `tasks`; `save(path)`; displayed in
    notebooks (`_repr_html_`) and as text (`str(plan)`)."""

    def __init__(self, document: dict, sim: dict, findings: list, title: str):
        self.document = document
        self.trace = Trace.from_dict(document, title + ".plan.json")
        self.findings = findings
        self.title = title
        extra = document["meta"]["extra"]["plan"]
        self.peak_bytes = extra["peak_bytes_estimate"]
        self.assumptions = extra["assumptions"]
        self.threads = document["meta"]["threads"]
        self.tasks = extra["tasks"]
        self._sim = sim

    @property
    def layers(self) -> list:
        return self.trace.layers

    def save(self, path) -> None:
        """Writes the plan document (JSON; CBOR for .cbor) through a temporary renamed into place."""
        path = os.fspath(path)
        if path.lower().endswith((".html", ".htm")):
            self.trace.to_html(path)
        else:
            self.trace.save(path)

    # ---- display ----
    def _rows(self):
        """(kind, group name, layer dict or None, created_at) per row: groups then their layers."""
        rows = []
        seen = set()
        layers = self.document["layers"]
        for l in layers:
            g = l["group"]
            if g and g not in seen:
                seen.add(g)
                members = [m for m in layers if m["group"] == g]
                rows.append(("group", g, members, members[0]["params"].get("created_at", "")))
                rows.extend(("member", g, m, "") for m in members)
            elif not g:
                rows.append(("layer", "", l, l["params"].get("created_at", "")))
        return rows

    def _layer_cells(self, l):
        p = l["params"]
        if p.get("unknown_chunks"):
            shape, chunk = p.get("shape", "?"), "?"
        elif l["shape"] or l["chunks"]:
            shape = "×".join(str(s) for s in l["shape"]) or "()"
            chunk = "×".join(str(max(a)) for a in l["chunks"]) or "()"
        else:
            shape = chunk = ""
        n = (math.prod(len(a) for a in l["chunks"]) if l["chunks"] else p.get("chunk_count", "")) if (l["chunks"] or p.get("chunk_count")) else ""
        cb = _chunk_bytes(l)
        return shape, l["dtype"] if l["dtype"] != "unknown" else "?", chunk, n, p.get("planned_tasks", 0), \
            _fmt_bytes(cb) if l["chunks"] or p.get("unknown_chunks") else ""

    def __str__(self) -> str:
        head = (f"plan of {self.title}: {self.tasks} tasks on {self.threads} threads, peak memory about "
                f"{_fmt_bytes(self.peak_bytes)} (threaded scheduler; assumptions: plan.assumptions)")
        cols = ("layer", "shape", "dtype", "chunk", "chunks", "tasks", "bytes/chunk", "inputs", "created at")
        table = []
        for kind, g, l, where in self._rows():
            if kind == "group":
                tasks = sum(m["params"].get("planned_tasks", 0) for m in l)
                table.append((f"[{g}]", "", "", "", "", str(tasks), "", "", where))
                continue
            shape, dtype, chunk, n, tasks, cb = self._layer_cells(l)
            name = ("  " if kind == "member" else "") + l["id"]
            table.append((name, shape, dtype, chunk, str(n), str(tasks), cb, ", ".join(l["inputs"]), where))
        widths = [max(len(c), *(len(r[i]) for r in table)) if table else len(c) for i, c in enumerate(cols)]
        lines = [head, "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
        if self.findings:
            lines.append("findings:")
            for f in self.findings:
                lines.append(f"  {f.severity}: {f.rule}: {f.message}")
                if f.advice:
                    lines.append(f"    -> {f.advice}")
        else:
            lines.append("no findings")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<chunkscope.dask.Plan {self.title!r}: {len(self.document['layers'])} layers, {self.tasks} tasks, " \
               f"peak about {_fmt_bytes(self.peak_bytes)}, {len(self.findings)} findings>"

    def html_table(self) -> str:
        """The plan as one compact HTML block (no scripts): a row per group and per layer with shape,
        dtype, chunk, chunks, tasks, bytes per chunk, inputs (chunk changes marked), where it was made,
        and a picture of the chunk grid to scale; the findings with their Python lines."""
        e = html.escape
        by_id = {l["id"]: l for l in self.document["layers"]}
        out = [f'<div class="cs-plan" style="font:12px/1.35 system-ui,sans-serif;max-width:1100px;white-space:nowrap">'
               f'<div style="font-weight:600;font-size:14px">plan of {e(self.title)}</div>'
               f'<div style="color:#555">{self.tasks} tasks on {self.threads} threads · peak memory about '
               f'{e(_fmt_bytes(self.peak_bytes))} on the threaded scheduler '
               f'<span title="{e("; ".join(self.assumptions))}" style="border-bottom:1px dotted #888">(assumptions)</span></div>',
               '<table style="border-collapse:collapse;margin-top:4px;font:inherit;white-space:nowrap">',
               '<tr style="text-align:left;border-bottom:1px solid #ccc">' + "".join(
                   f'<th style="padding:1px 6px">{h}</th>' for h in
                   ("", "layer", "shape", "dtype", "chunk", "chunks", "tasks", "bytes/chunk", "depends on", "created at")) + "</tr>"]
        for kind, g, l, where in self._rows():
            if kind == "group":
                tasks = sum(m["params"].get("planned_tasks", 0) for m in l)
                last = l[-1]
                shape, dtype, chunk, n, _t, cb = self._layer_cells(last)
                out.append(f'<tr style="background:#eef3fb;font-weight:600"><td>{_picture(last)}</td>'
                           f'<td style="padding:1px 6px">▸ {e(g)} <span style="font-weight:400;color:#666">({len(l)} layers)</span></td>'
                           f'<td style="padding:1px 6px">{e(shape)}</td><td style="padding:1px 6px">{e(dtype)}</td>'
                           f'<td style="padding:1px 6px">{e(chunk)}</td><td style="padding:1px 6px;text-align:right">{n}</td>'
                           f'<td style="padding:1px 6px;text-align:right">{tasks}</td><td style="padding:1px 6px">{e(cb)}</td>'
                           f'<td></td><td style="padding:1px 6px;font-weight:400">{e(where)}</td></tr>')
                continue
            shape, dtype, chunk, n, tasks, cb = self._layer_cells(l)
            deps = []
            for i in l["inputs"]:
                src = by_id.get(i)
                changed = src is not None and src["chunks"] and l["chunks"] and \
                    [max(a) for a in src["chunks"]] != [max(a) for a in l["chunks"]]
                deps.append(e(i) + (' <span title="chunks change on this edge" style="color:#b35">⇄</span>' if changed else ""))
            pad = "18px" if kind == "member" else "6px"
            color = "#555" if kind == "member" else "#000"
            p = l["params"]
            chunk_type = str(p.get("chunk_type", "") or "")
            tip = f'{p.get("dask_name", l["id"])} · {p.get("dask_layer_type", "")} · chunks of {chunk_type or "?"}'
            if chunk_type and not chunk_type.startswith("numpy."):
                dtype = f"{dtype} ({chunk_type.rsplit('.', 1)[-1]})"
            out.append(f'<tr style="color:{color}" title="{e(tip)}"><td>{_picture(l)}</td>'
                       f'<td style="padding:1px 6px 1px {pad}">{e(l["id"])}</td>'
                       f'<td style="padding:1px 6px">{e(shape)}</td><td style="padding:1px 6px">{e(dtype)}</td>'
                       f'<td style="padding:1px 6px">{e(chunk)}</td><td style="padding:1px 6px;text-align:right">{n}</td>'
                       f'<td style="padding:1px 6px;text-align:right">{tasks}</td><td style="padding:1px 6px">{e(cb)}</td>'
                       f'<td style="padding:1px 6px">{", ".join(deps)}</td><td style="padding:1px 6px">{e(where)}</td></tr>')
        out.append("</table>")
        if self.findings:
            out.append('<div style="margin-top:6px;font-weight:600">findings</div><ul style="margin:2px 0;padding-left:18px">')
            for f in self.findings:
                lines = " ".join(f'<code style="background:#f4f4f4">{e(x.get("python", ""))}</code>' for x in f.edits if x.get("python"))
                out.append(f'<li><b>{e(f.severity)}</b> {e(f.rule)}: {e(f.message)}<br>{e(f.advice)} {lines}</li>')
            out.append("</ul>")
        else:
            out.append('<div style="margin-top:6px;color:#555">no findings</div>')
        out.append("</div>")
        return "".join(out)

    def _repr_html_(self) -> str:
        """The compact table, then the dashboard of the plan document (Trace._repr_html_)."""
        return self.html_table() + self.trace._repr_html_()


def _picture(l) -> str:
    """A small SVG of the chunk grid (the last two axes) to scale, like Dask's array picture; empty
    for unknown sizes or scalars."""
    if not l["chunks"] or l["params"].get("unknown_chunks") or not all(l["chunks"]):
        return ""
    axes = l["chunks"][-2:] if len(l["chunks"]) >= 2 else [[1], l["chunks"][0]]
    h_total, w_total = sum(axes[0]), sum(axes[1])
    if h_total <= 0 or w_total <= 0:
        return ""
    size = 28.0
    scale = size / max(h_total, w_total)
    w, h = max(2.0, w_total * scale), max(2.0, h_total * scale)
    lines = []
    if len(axes[1]) <= 40:
        x = 0
        for c in axes[1][:-1]:
            x += c * scale
            lines.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{h:.1f}"/>')
    if len(axes[0]) <= 40:
        y = 0
        for c in axes[0][:-1]:
            y += c * scale
            lines.append(f'<line x1="0" y1="{y:.1f}" x2="{w:.1f}" y2="{y:.1f}"/>')
    fill = "#8fb3e0" if len(axes[0]) <= 40 and len(axes[1]) <= 40 else "#5b86c0"
    return (f'<svg width="{w + 2:.0f}" height="{h + 2:.0f}" style="vertical-align:middle">'
            f'<g transform="translate(1,1)" stroke="#345" stroke-width="0.6"><rect width="{w:.1f}" height="{h:.1f}" '
            f'fill="{fill}" fill-opacity="0.45"/>' + "".join(lines) + "</g></svg>")


def plan(*collections, name: str | None = None, threads: int | None = None) -> Plan:
    """The plan of Dask collections (arrays, xarray objects backed by Dask, delayed values such as
    `x.to_zarr(path, compute=False)`; several as `dask.compute(a, b)` would run them) without
    computing them. `threads`: the threaded scheduler's workers assumed (default: Dask's num_workers,
    else the CPU count). Never raises for unknown chunk sizes (shown `?`)."""
    from dask.base import collections_to_dsk
    from dask.core import flatten
    from dask.highlevelgraph import HighLevelGraph
    if not collections:
        raise TypeError("chunkscope.dask.plan: give the Dask collection to plan")
    threads = _threads(threads)
    from .origins import user_names
    names = user_names(lambda v: any(v is c for c in collections), limit=4)  # what the user calls them
    if len(names) < len(collections):
        names = [_title_of(c) for c in collections]
    title = name or ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    graph = GraphRecorder()
    outputs = set()
    for c in collections:
        outputs.update(flatten(c.__dask_keys__()))
    graph.install()
    try:
        dsk = collections_to_dsk(list(collections), optimize_graph=True)
    finally:
        graph.uninstall()
    if graph.calls == 0:  # not through the array optimisation (a delayed value): the graphs as they are
        for c in collections:
            hlg = c.__dask_graph__()
            if isinstance(hlg, HighLevelGraph):
                graph.note(hlg, c.__dask_keys__())
    dsk = dict(dsk)
    graph.outputs |= outputs
    sched, deps = _schedule(dsk, outputs, threads)
    records = [(k, s, e, w, 0, None, None, None, None) for (k, s, e, w) in sched]
    run = _PlanRun(graph.take(), threads)
    try:  # alias tasks, as a profile marks them (session.py), when this version marks them
        from .session import _alias_keys
        run.aliases = _alias_keys(dsk)
    except ImportError:
        pass
    run.n = len(records)
    run.t1 = (records[-1][2] if records else 0)
    doc = build_document(graph, run, _Records(records, deps), None, name=title, run_index=0, run_count=1)
    # Estimated bytes, then the simulated run's memory (document.py's memory series over the steps).
    from .memory import memory_series
    col = doc["tasks"]
    col["bytes"] = _task_bytes(doc)
    keys = [r[0] for r in records]
    mem = memory_series(col, col["dep_offsets"], col["dep_index"], keys, graph.outputs, None)
    peak = int(mem["peak_bytes"])
    sim = dict(doc)
    sim["memory"] = {k: v for k, v in mem.items() if not k.startswith("_")}
    sim["meta"] = dict(doc["meta"], status="ok")
    core_findings = []
    try:
        sim_trace = Trace.from_dict(sim, title + ".plan-run.json")
        core_findings = [f for f in sim_trace.findings if f.rule in _STRUCTURAL_RULES]
    except Exception:  # the simulated run is only an aid: the plan is shown without core's findings
        sim_trace = None
    findings = core_findings + _own_findings(doc, threads, sim_trace)
    assumptions = [
        f"{threads} threads (Dask's threaded scheduler: num_workers, else the CPU count) start ready tasks "
        "in dask.order's priority; every task takes as long as any other",
        "a chunk's bytes are its shape times its dtype's itemsize (dense); an intermediate stage of a rechunk "
        "holds a chunk's bytes, of a reduction nothing; unknown sizes count nothing",
        "a result lives from its task's start until its last reader ends; the outputs until the end",
        "memory inside a task (the function's temporaries, concatenated inputs) is not counted",
    ]
    # The plan document: the same layers, no tasks.
    pdoc = dict(doc)
    layers = []
    for l in doc["layers"]:
        l = dict(l, params=dict(l["params"], planned_tasks=l["tasks"]), tasks=0)
        layers.append(l)
    pdoc["layers"] = layers
    pdoc["tasks"] = {f: [] for f in ("layer", "stage", "chunk", "worker", "start_ns", "end_ns", "bytes", "status", "fused")}
    pdoc["tasks"].update(dep_offsets=[0], dep_index=[])
    pdoc["memory"] = {"device": "host", "t_ns": [], "live_bytes": [], "peak_bytes": 0, "peak_t_ns": 0, "limit_bytes": 0}
    extra = dict(doc["meta"]["extra"])
    extra.pop("run", None)
    extra.pop("runs", None)
    extra.pop("workers", None)
    extra["scheduler"] = "threaded (assumed)"
    extra["plan"] = {"tasks": len(records), "peak_bytes_estimate": peak, "threads": threads, "assumptions": assumptions,
                     "findings": [_finding_json(f) for f in findings]}
    pdoc["meta"] = dict(doc["meta"], executor="dask-plan", status="plan", wall_ns=0, threads=threads, extra=extra)
    return Plan(pdoc, {"trace": sim_trace, "memory": mem}, findings, title)


def _finding_json(f: Finding) -> dict:
    return {"rule": f.rule, "severity": f.severity, "layers": list(f.layers), "message": f.message, "advice": f.advice,
            "edits": list(f.edits)}
