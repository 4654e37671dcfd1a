"""Corpus workloads on distributed LocalClusters: in-process (processes=False) and worker processes
(processes=True, bound to 127.0.0.1). Each computation is one run with the scheduler's address; a
failing block is marked failed on its layer; results equal the unprofiled ones."""
import os
import sys

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402

import chunkscope.dask as csd  # noqa: E402


@pytest.fixture(scope="module", params=["inprocess", "processes"])
def client(request):
    if request.param == "inprocess":
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    else:
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_zarr_genotypes_and_runs(client, tmp_path):
    w = workloads.genotype_callset(str(tmp_path))
    expected = w.compute()
    g = w.kept["gt"]
    with csd.profile(client) as prof:
        got = w.compute()
        total = g.sum().compute()
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(got, expected))
    assert int(total) == int(np.asarray(g).astype("i8").sum())
    assert len(prof.traces) == 2
    for t in prof.traces:
        assert t.meta["executor"] == "dask-distributed" and t.meta["threads"] == 2
        assert t.meta["extra"]["scheduler_address"] == client.scheduler.address
        assert t.task_count > 0 and t.task_count == sum(l.tasks for l in t.layers)
    layers = {l.params["dask_name"]: l for l in prof.traces[0].layers}
    src = layers[g.name]
    assert src.kind == "source" and src.inputs == () and src.shape == g.shape and src.chunks == g.chunks and src.dtype == "int8"
    assert src.params["path"].endswith("callset.zarr/calldata/GT")
    for label, a in w.kept.items():
        assert layers[a.name].shape == a.shape and layers[a.name].chunks == a.chunks, label


def _boom(block, block_info=None):
    if block_info[None]["chunk-location"] == (2,):
        raise ValueError("bad tile")
    return block


def test_failing_block(client):
    import dask.array as da
    y = da.ones((400,), chunks=100).map_blocks(_boom, dtype="f8")
    with pytest.raises(ValueError, match="bad tile"):
        with csd.profile(client) as prof:
            y.compute()
    t = prof.trace
    assert t.meta["status"] == "failed" and "bad tile" in t.meta["error"]
    d = t.to_dict()
    bad = [i for i, s in enumerate(d["tasks"]["status"]) if s == 2]
    assert len(bad) == 1
    layer = d["layers"][d["tasks"]["layer"][bad[0]]]
    assert layer["op"] == "_boom" and d["tasks"]["chunk"][bad[0]] == 2
    assert t.meta["error"].startswith("layer _boom chunk (2,): ")


def _in_process(client) -> bool:
    return not any(type(w).__name__ == "Nanny" for w in client.cluster.workers.values())


def test_chunk_facts_from_the_workers(client, tmp_path):
    """On distributed, what the scheduler cannot see is read where the results live (a worker plugin):
    sparse chunks' density on both kinds of cluster; GPU chunks' device and device bytes (the stub
    device array is importable only in this process, so that part runs in-process)."""
    w = workloads.sparse_chunks(str(tmp_path))
    with csd.profile(client) as prof:
        w.compute()
    x = {l.params["dask_name"]: l for l in prof.trace.layers}[w.kept["x"].name]
    assert x.params["chunk_type"].startswith("sparse") and 0.015 < x.params["density"] < 0.025, x.params
    if not _in_process(client):
        return
    w = workloads.gpu_chunks(str(tmp_path))
    with csd.profile(client) as prof:
        w.compute()
    x = {l.params["dask_name"]: l for l in prof.trace.layers}[w.kept["x"].name]
    assert x.params["device"] == "cuda:0" and x.params["device_bytes"] == 800 * 300 * 8, x.params
    doc = prof.trace.to_dict()
    assert [m["device"] for m in doc["device_memory"]] == ["cuda:0"]
