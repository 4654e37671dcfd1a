"""Runs, schedulers and failures: one trace per computation with the scheduler that ran it, a failing
block located, delayed/bag work, plugin registration on old and new `distributed`, and the warning
when Dask's query planning hides the graph."""
import os
import sys
import warnings

import dask
import dask.array as da
import dask.bag as db
import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402

import chunkscope.dask as csd  # noqa: E402
from chunkscope.dask.plugin import register  # noqa: E402


def bad_tile(block, block_info=None):
    if block_info[None]["chunk-location"] == (1, 2):
        raise ValueError("bad tile")
    return block * 2


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_failing_block_is_located(scheduler):
    x = da.ones((400, 400), chunks=100)
    y = x.map_blocks(bad_tile, dtype=x.dtype)
    with pytest.raises(ValueError, match="^bad tile$") as raised:
        with csd.profile(local=True) as prof:
            y.sum().compute(scheduler=scheduler, num_workers=2)
    assert type(raised.value) is ValueError  # the user's exception passes through unchanged
    t = prof.trace
    assert t.meta["status"] == "failed" and t.meta["executor"] == "dask-" + {"threads": "threaded"}.get(scheduler, scheduler)
    failed = t.meta["extra"]["failed"]
    # bad_tile's work ran fused into the sum's chunk step: the trace names both, and the chunk
    assert failed["layer"] == "bad_tile" and failed["chunk"] == [1, 2], failed
    ran = failed.get("fused_into", "bad_tile")
    assert t.meta["error"] == f"layer bad_tile{' (fused into %s)' % ran if ran != 'bad_tile' else ''} chunk (1, 2): ValueError: bad tile"
    d = t.to_dict()
    bad = [i for i, s in enumerate(d["tasks"]["status"]) if s == 2]
    assert len(bad) == 1 and d["layers"][d["tasks"]["layer"][bad[0]]]["id"] == ran


def test_persist_and_several_computes_are_several_runs():
    x = da.random.RandomState(0).random_sample((400, 400), chunks=100)
    with workloads.TaskCount() as c, csd.profile(local=True) as prof:
        xp = (x + 1).persist(scheduler="threads")
        a = xp.sum().compute(scheduler="sync")
        b = xp.mean(axis=0).compute(scheduler="threads", num_workers=3)
    assert [t.meta["executor"] for t in prof.traces] == ["dask-threaded", "dask-sync", "dask-threaded"]
    assert [t.meta["threads"] for t in prof.traces][1:] == [1, 3]
    assert [t.meta["extra"]["run"] for t in prof.traces] == [0, 1, 2]
    assert sum(t.task_count for t in prof.traces) == c.n
    assert np.isclose(a, float((x + 1).sum().compute())) and b.shape == (400,)
    persisted = {l.params["dask_name"]: l for l in prof.traces[1].layers}[xp.name]
    assert persisted.kind == "source" and persisted.tasks == 0 and persisted.shape == (400, 400)
    assert persisted.params["source_type"].startswith("in-memory")
    assert prof.trace is prof.traces[-1]


def test_scheduler_set_inside_the_profile():
    x = da.ones((200, 200), chunks=50)
    with csd.profile(local=True) as prof:
        with dask.config.set(scheduler="sync"):
            (x + 1).sum().compute()
        with dask.config.set(scheduler="threads", num_workers=3):
            (x + 2).sum().compute()
    assert [(t.meta["executor"], t.meta["threads"]) for t in prof.traces] == [("dask-sync", 1), ("dask-threaded", 3)]


def test_processes_tasks_are_timed_in_the_workers():
    x = da.random.RandomState(1).random_sample((800, 200), chunks=(100, 200))
    with csd.profile(local=True) as prof:
        x.std(axis=0).compute(scheduler="processes", num_workers=2)
    t = prof.trace
    d = t.to_dict()
    assert t.meta["executor"] == "dask-processes" and t.meta["threads"] == 2
    busy = sum(e - s for s, e in zip(d["tasks"]["start_ns"], d["tasks"]["end_ns"]))
    assert busy <= t.meta["threads"] * t.meta["wall_ns"]
    for f in t.findings:
        for e in f.evidence:
            if e.name == "parallel_efficiency":
                assert e.value <= 1.0


def test_delayed_and_bag():
    @dask.delayed
    def load(i):
        return np.full(1000, i, dtype="f8")

    @dask.delayed
    def clean(p):
        return p * 2

    @dask.delayed(pure=True)
    def total(parts):
        return sum(float(p.sum()) for p in parts)

    parts = [clean(load(i)) for i in range(16)]
    out = total(parts)
    b = db.from_sequence(range(200), npartitions=8).map(lambda v: v * v).sum()
    expected = (out.compute(scheduler="sync"), b.compute(scheduler="sync"))
    with workloads.TaskCount() as c, csd.profile(local=True) as prof, warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = dask.compute(out, b, scheduler="threads")
    assert got == expected
    t = prof.trace
    assert t.task_count == c.n
    # Calls of one function are one layer, one task per call, connected by their dependencies.
    by_id = {l.id: l for l in t.layers}
    assert by_id["load"].tasks == 16 and by_id["load"].inputs == () and by_id["load"].kind == "task"
    assert by_id["clean"].tasks == 16 and by_id["clean"].inputs == ("load",)
    assert by_id["total"].tasks == 1 and by_id["total"].inputs == ("clean",)
    assert by_id["load"].params["dask_calls"] == 16
    assert sum(l.tasks for l in t.layers) == t.task_count
    bag = [l for l in t.layers if l.id not in ("load", "clean", "total")]
    assert bag and all(l.kind == "task" for l in bag) and any(l.inputs for l in bag)
    for l in t.layers:  # not arrays: no shape, chunks or dtype made up
        assert l.shape == () and l.chunks == () and l.dtype == "unknown", l
    # No absurd figures: no input bytes to compare memory with, shares within [0, 1], no chunk advice.
    for f in t.findings:
        assert "of input" not in f.message, f.message
        assert not f.edits, (f.rule, f.edits)
        for e in f.evidence:
            if e.unit == "share":
                assert 0 <= e.value <= 1, (f.rule, e.name, e.value)
    assert not any("query planning" in str(m.message) for m in w)


class _NewClient:
    """A stand-in for a current distributed.Client: register_plugin only."""

    def __init__(self):
        self.calls = []

    def register_plugin(self, plugin, name=None):
        self.calls.append(("register_plugin", name))


class _OldClient:
    def __init__(self):
        self.calls = []

    def register_scheduler_plugin(self, plugin, name=None):
        self.calls.append(("register_scheduler_plugin", name))


def test_plugin_registration_old_and_new_clients():
    new, old = _NewClient(), _OldClient()
    register(new, object(), "p")
    register(old, object(), "p")
    assert new.calls == [("register_plugin", "p")] and old.calls == [("register_scheduler_plugin", "p")]


def test_query_planning_is_said():
    x = da.ones((100, 100), chunks=50)
    with dask.config.set({"array.query-planning": True}):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with csd.profile(local=True) as prof:
                (x + 1).sum().compute(scheduler="sync")
    assert any("query planning" in str(m.message) for m in w)
    assert any("query planning" in s for s in prof.trace.meta["extra"]["warnings"])
