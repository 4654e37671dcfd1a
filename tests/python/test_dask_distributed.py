"""The distributed scheduler plugin on a 2-worker LocalCluster bound to 127.0.0.1."""
import dask.array as da
import pytest

distributed = pytest.importorskip("distributed")

import chunkscope
import chunkscope.dask as csd


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_plugin_records_the_run(client, tmp_path):
    x = da.random.random((800, 800), chunks=(100, 100))
    y = (x + x.T).rechunk((400, 50))
    z = y.mean(axis=0)
    with csd.profile(client) as prof:
        z.compute()
    t = prof.trace
    assert t.meta["executor"] == "dask-distributed" and t.meta["status"] == "ok"
    assert t.meta["threads"] == 2
    extra = t.meta["extra"]
    assert len(extra["workers_detail"]) == 2 and all(w["address"].startswith("tcp://127.0.0.1") for w in extra["workers_detail"])
    d = t.to_dict()
    assert len(set(d["tasks"]["worker"])) == 2  # both workers ran tasks
    layers = {l.params["dask_name"]: l for l in t.layers}
    for a in (x, z):
        assert layers[a.name].shape == a.shape and layers[a.name].chunks == a.chunks
    assert t.task_count == sum(l.tasks for l in t.layers) > 64
    assert d["memory"]["peak_bytes"] > 0
    assert extra["worker_transfers"], "an all-to-all rechunk on two workers moves data between them"
    assert all(tr["from_worker"] != tr["to_worker"] for tr in extra["worker_transfers"])
    assert any(v["bytes"] for v in extra["worker_memory"].values())
    # every front-end opens it: the trace round-trips through the C++ reader and renders
    p = tmp_path / "dist.cstrace.json"
    t.save(p)
    assert chunkscope.load(p).task_count == t.task_count
    assert "cs-static" in t._repr_html_()
    t.findings


def test_default_client_is_used(client):
    x = da.ones((200, 200), chunks=50)
    with csd.profile() as prof:
        (x + 1).sum().compute()
    assert prof.trace.meta["executor"] == "dask-distributed" and prof.trace.task_count > 16
