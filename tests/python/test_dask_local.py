"""Capture of Dask runs on the local schedulers: layers, shapes, chunks, task counts, memory."""
import dask
import dask.array as da
import numpy as np
import pytest
from dask.callbacks import Callback

import chunkscope
import chunkscope.dask as csd


class Count(Callback):
    def __init__(self):
        super().__init__()
        self.n = 0

    def _posttask(self, *a):
        self.n += 1


def pipelines():
    x = da.random.random((600, 400), chunks=(100, 100))
    y = (x + 1) * 2
    yield "elementwise+reduce", [x, y], y.sum(axis=0)
    r = y.rechunk((300, 50))
    yield "rechunk", [x, y, r], r.mean()
    t = x.T[:, 100:300]
    yield "transpose+slice", [x], (t ** 2).std(axis=1)
    o = x.map_overlap(lambda b: b * 1.0, depth=1, boundary="none")
    yield "overlap", [x, o], o.max(axis=1)
    m = x @ x.T
    yield "matmul", [x, m], m.sum(axis=1)


def by_name(trace):
    return {l.params["dask_name"]: l for l in trace.layers}


@pytest.mark.parametrize("scheduler", ["threads", "sync"])
def test_pipelines(scheduler):
    for label, arrays, result in pipelines():
        with dask.config.set(scheduler=scheduler, num_workers=2):
            with Count() as c, csd.profile(name=label) as prof:
                value = result.compute()
        t = prof.trace
        assert t.meta["executor"] == ("dask-threaded" if scheduler == "threads" else "dask-sync")
        assert t.task_count == c.n, label
        assert sum(l.tasks for l in t.layers) == c.n
        layers = by_name(t)
        for a in arrays + [result]:
            assert a.name in layers, (label, a.name)
            l = layers[a.name]
            assert l.shape == a.shape and l.chunks == a.chunks and l.dtype == a.dtype.name, (label, a.name)
        out = layers[result.name]
        assert out.tasks >= 1 and np.asarray(value).shape == result.shape
        d = t.to_dict()
        assert d["memory"]["peak_bytes"] > 0 and d["memory"]["live_bytes"][0] == 0
        if scheduler == "sync":
            assert set(d["tasks"]["worker"]) == {0}


def test_fused_layers_are_visible():
    x = da.ones((400, 400), chunks=100)
    y = ((x + 1) * 3).sum()
    with csd.profile(local=True) as prof:
        y.compute(scheduler="threads")
    t = prof.trace
    fused = t.meta["extra"]["fused_layers"]
    assert fused, "blockwise fusion leaves layers without tasks"
    zero = [l for l in t.layers if l.tasks == 0]
    assert zero and all("dask_fused_into" in l.params for l in zero)
    for into, parts in fused.items():
        assert t.layer(into).tasks > 0 and all(t.layer(p).tasks == 0 for p in parts)


def test_failed_run_still_gives_a_trace():
    x = da.ones((100,), chunks=10)

    def boom(b):
        raise RuntimeError("boom")

    y = x.map_blocks(boom, dtype=x.dtype)
    with pytest.raises(RuntimeError):
        with csd.profile() as prof:
            y.compute(scheduler="sync")
    assert prof.trace.meta["status"] == "failed" and "boom" in prof.trace.meta["error"]


def test_findings_on_tiny_chunks_use_dask_overhead():
    x = da.random.random((1000, 1000), chunks=(25, 25))
    with csd.profile() as prof:
        (x * 2).sum().compute(scheduler="threads", num_workers=2)
    t = prof.trace
    ovh = t.measured_task_overhead_ns()
    assert 1e3 <= ovh <= 5e6, ovh  # Dask pays microseconds to a millisecond per task, not nanoseconds
    tiny = [f for f in t.findings if f.rule == "tiny-chunks"]
    assert tiny and tiny[0].edits and tiny[0].severity in ("warning", "critical")


def test_task_columns_native_pass():
    """The native per-task pass of the document (python/src/dask_columns.hpp) on hand-made tasks:
    stage-0 tasks per chunk, stage-1 numbering, lanes, edges, clamping, aliases, failures, bad input."""
    from chunkscope import _chunkscope as native
    a, b = ("a-1", 0, 0), ("a-1", 0, 1)
    tasks = [
        (a, "a-1", (0, 0), 10, 20, 7, 80, True, 1),
        (b, "a-1", (0, 1), 12.9, 11.0, "w-b", None, True, 1),  # floats truncated, end clamped to start
        (("a-1", 0, 0, "x"), "a-1", (0, 0), -5, 3, None, -4, True, 1),  # same chunk again: stage 1
        (("s-2", 0), "s-2", (5,), 30, 40, None, 8, True, 2),  # outside the grid: stage 1; None -> lane 0
        ("sum-3", "sum-3", (), 41, 50, 7, 8, False, 1),  # not an output key: stage 1
        ("scalar-4", "scalar-4", (), 51, 52, 7, 8, True, 1),  # a 0-d layer: its chunk 0
    ]
    geometry = {"a-1": (0, (1, 2), False), "s-2": (1, (3,), False), "sum-3": (2, (1,), False),
                "scalar-4": (3, (), True)}
    deps = {b: {a}, ("s-2", 0): [a, b, "not-a-task"], "sum-3": frozenset({("s-2", 0)})}
    out = native.dask_task_columns(tasks, geometry, 4, {b}, deps)
    assert out["layer"] == [0, 0, 0, 1, 2, 3]
    assert list(zip(out["stage"], out["chunk"])) == [(0, 0), (0, 1), (1, 0), (1, 0), (1, 0), (0, 0)]
    assert out["workers"] == [7, "w-b"] and out["worker"] == [0, 1, 0, 0, 0, 0]
    assert out["start_ns"] == [10, 12, 0, 30, 41, 51] and out["end_ns"] == [20, 12, 3, 40, 50, 52]
    assert out["bytes"] == [80, 0, 0, 8, 8, 8] and out["fused"] == [0] * 6
    assert out["dep_offsets"] == [0, 0, 1, 1, 3, 4, 4]
    assert out["dep_index"][:1] == [0] and sorted(out["dep_index"][1:3]) == [0, 1] and out["dep_index"][3] == 3
    assert out["edge_end"] == [12, 40, 40, 50]
    assert out["alias_tasks"] == {0: [[0, 1]]}
    assert out["layer_tasks"] == [3, 1, 1, 1] and out["first_failed"] == 3
    with pytest.raises(ValueError, match="layer b-9 is not in the geometry"):
        native.dask_task_columns([(a, "b-9", (0, 0), 1, 2, 0, 0, True, 1)], geometry, 4, None, None)
    with pytest.raises(TypeError, match="tasks are"):
        native.dask_task_columns([(a, "a-1")], geometry, 4, None, None)
    with pytest.raises(ValueError, match="start_ns"):
        native.dask_task_columns([(a, "a-1", (0, 0), float("nan"), 2, 0, 0, True, 1)], geometry, 4, None, None)


def test_reduction_intermediates_count_their_arrays():
    """A mean's per-chunk results are dicts of arrays ({"n", "total"}): their bytes are the arrays'
    nbytes and the dict's own few hundred (the hook's fast path, not dask.sizeof's dispatch)."""
    from dask.array.reductions import mean_chunk
    x = da.ones((400, 300), chunks=(100, 100))
    with csd.profile(name="mean") as p:
        m = x.mean(axis=0).compute(scheduler="threads")
    assert np.allclose(m, 1.0)
    doc = p.trace.to_dict()
    chunk_layer = next(i for i, l in enumerate(doc["layers"]) if "mean_chunk" in l["id"])
    tasks = doc["tasks"]
    sizes = [b for li, b in zip(tasks["layer"], tasks["bytes"]) if li == chunk_layer]
    assert len(sizes) == 12
    parts = mean_chunk(np.ones((100, 100)), axis=(0,), keepdims=True)
    assert parts["n"].strides == (0, 0)  # the counts are a broadcast view of one number: 8 bytes
    arrays = parts["total"].nbytes + 8
    for b in sizes:
        assert arrays < b < arrays + 1024, (b, arrays)


def test_broadcast_chunks_hold_their_base_only():
    """da.ones' chunks are broadcast views of one element: each holds 8 bytes, not its nbytes (what
    dask.sizeof says too), so the memory timeline does not count 80 KB per chunk that never existed."""
    x = da.ones((400, 300), chunks=(100, 100))
    with csd.profile(name="ones") as p:
        kept = x.persist(scheduler="threads")
    block = kept.blocks[0, 0].compute(scheduler="sync")
    assert block.strides == (0, 0)
    doc = p.trace.to_dict()
    assert doc["tasks"]["bytes"] and len(doc["tasks"]["bytes"]) == 12
    assert all(b <= 64 for b in doc["tasks"]["bytes"]), doc["tasks"]["bytes"]
    assert doc["memory"]["peak_bytes"] <= 12 * 64


def test_a_closed_profile_keeps_only_its_traces():
    """A profile kept after its run (`prof` in a notebook) holds its traces and documents, not Dask's
    per-task dependency sets or keys: those would stay alive as long as `prof` and crowd Python's
    oldest generation. A scheduler call after the profile closed runs unrecorded."""
    import gc
    x = da.ones((400, 300), chunks=(50, 50))
    with csd.profile(name="kept") as p:
        (x + 1).sum().compute(scheduler="threads")
    assert p.trace.task_count > 40
    seen, stack, key_sets = set(), [vars(p)], 0
    while stack:
        o = stack.pop()
        if id(o) in seen or isinstance(o, (str, bytes, int, float)):
            continue
        seen.add(id(o))
        if isinstance(o, (set, frozenset)) and any(type(k) is tuple and k and isinstance(k[0], str) for k in o):
            key_sets += 1
        if isinstance(o, (dict, list, tuple, set, frozenset)):
            stack.extend(gc.get_referents(o))
        elif type(o).__module__.startswith("chunkscope") and hasattr(o, "__dict__"):  # its recorders, runs
            stack.append(vars(o))
    assert key_sets == 0
    assert float((x + 2).sum().compute(scheduler="threads")) == 3 * 400 * 300
    assert p.trace.task_count > 40


def _task_columns_reference(per_task, geom, nlayers, aliases, dependencies):
    """The per-task pass as Python wrote it before it moved to C++ (python/src/dask_columns.cpp)."""
    seen = {n: set() for n in geom}
    stage_counter, worker_ids, task_id = {}, {}, {}
    rows, dep_offsets, dep_index, edge_end, alias_tasks = [], [0], [], [], {}
    first_failed = -1
    for t, (key, layer, idx, s, e, w, b, is_out, status) in enumerate(per_task):
        li, nchunks, scalar = geom[layer]
        stage = 1
        if is_out:
            flat = 0
            if len(idx) != len(nchunks):
                flat = -1
            for i, n in zip(idx, nchunks):
                if flat < 0 or type(i) is not int or i < 0 or i >= n:
                    flat = -1
                    break
                flat = flat * n + i
            if flat >= 0 and flat not in seen[layer]:
                seen[layer].add(flat)
                stage, chunk = 0, flat
        if stage and scalar and 0 not in seen[layer]:
            seen[layer].add(0)
            stage, chunk = 0, 0
        if stage:
            chunk = stage_counter.get(li, 0)
            stage_counter[li] = chunk + 1
        if aliases and key in aliases:
            alias_tasks.setdefault(li, []).append([stage, chunk])
        if w in worker_ids:
            wid = worker_ids[w]
        elif w is None and worker_ids:
            wid = 0
        else:
            wid = worker_ids[w] = len(worker_ids)
        s, e, b = max(0, int(s)), int(e), max(0, int(b or 0))
        e = max(e, s)
        task_id[key] = t
        for d in (dependencies.get(key) or ()):
            if d in task_id:
                dep_index.append(task_id[d])
                edge_end.append(e)
        dep_offsets.append(len(dep_index))
        rows.append((li, stage, chunk, wid, s, e, b, status))
        if status == 2 and first_failed < 0:
            first_failed = t
    names = ("layer", "stage", "chunk", "worker", "start_ns", "end_ns", "bytes", "status")
    out = {f: list(c) for f, c in zip(names, zip(*rows))}
    counts = [0] * nlayers
    for li in out["layer"]:
        counts[li] += 1
    return dict(out, fused=[0] * len(rows), dep_offsets=dep_offsets, dep_index=dep_index, edge_end=edge_end,
                workers=list(worker_ids), alias_tasks=alias_tasks, layer_tasks=counts, first_failed=first_failed)


@pytest.mark.parametrize("seed", range(6))
def test_task_columns_native_pass_equals_the_python_one(seed):
    """Random tasks (in-grid and out-of-grid indices, repeats, floats, None workers and bytes, aliases,
    dependencies as sets, lists and frozensets, failures): the C++ pass gives what the Python did."""
    from chunkscope import _chunkscope as native
    rng = np.random.default_rng(seed)
    geom = {"a-1": (0, (3, 4), False), "b-2": (1, (5,), False), "s-3": (2, (), True), "c-4": (3, (2, 2, 2), False)}
    names = list(geom)
    tasks, keys = [], []
    for t in range(400):
        layer = names[rng.integers(len(names))]
        nd = len(geom[layer][1])
        idx = tuple(int(rng.integers(-1, 6)) for _ in range(nd if rng.random() < 0.9 else nd + 1))
        key = (layer, *idx, t) if rng.random() < 0.2 else (layer, *idx)
        s = int(rng.integers(-10, 10_000))
        e = s + int(rng.integers(-5, 500))
        w = [0, 1, 2, "tcp://w:1", None][rng.integers(5)]
        b = [None, int(rng.integers(-3, 10**6)), float(rng.integers(0, 1000)) + 0.7][rng.integers(3)]
        tasks.append((key, layer, idx, s if rng.random() < 0.8 else s + 0.5, e, w, b, bool(rng.random() < 0.8),
                      2 if rng.random() < 0.02 else 1))
        keys.append(key)
    kinds = (set, list, frozenset)
    deps = {k: kinds[rng.integers(3)](keys[j] for j in rng.integers(0, len(keys), rng.integers(0, 4)))
            for k in keys if rng.random() < 0.7}
    aliases = {k for k in keys if rng.random() < 0.1}
    got = native.dask_task_columns(tasks, geom, 4, aliases, deps)
    want = _task_columns_reference(tasks, geom, 4, aliases, deps)
    assert got.keys() == want.keys()
    for field in want:
        if field == "dep_index":  # a set's order is its own: compare each task's edges as a multiset
            for t in range(len(tasks)):
                a, b = want["dep_offsets"][t], want["dep_offsets"][t + 1]
                assert sorted(got[field][a:b]) == sorted(want[field][a:b]), (field, t)
        else:
            assert got[field] == want[field], field
