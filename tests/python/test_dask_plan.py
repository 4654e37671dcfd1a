"""Issue 17: Dask's layers grouped into the operations the user wrote, where they were written, and a
plan before compute (chunkscope.dask.plan) equal to what the run records."""
import inspect
import math
import os
import subprocess
import sys
import tempfile

import dask
import dask.array as da
import dask.array.core
import dask.base
import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "dask_corpus"))
import workloads  # noqa: E402

import chunkscope  # noqa: E402
import chunkscope.dask as csd  # noqa: E402


def _gaussian(block):
    from scipy.ndimage import gaussian_filter
    return gaussian_filter(block, sigma=1.5)


def four_lines():
    """The issue's four lines; returns (result, {name: line of the statement})."""
    x = da.random.RandomState(0).random_sample((512, 512), chunks=(128, 128))
    line = inspect.currentframe().f_lineno
    sm = x.map_overlap(_gaussian, depth=4, boundary="reflect")
    mask = sm > 0.5
    r = mask.rechunk((512, 64))
    out = r.mean(axis=0)
    return out, {"map_overlap": line + 1, "gt": line + 2, "rechunk": line + 3, "mean": line + 4}


def top_level_nodes(layers):
    """What the graph shows with every group collapsed (viz::ViewState's default): one node per
    top-level group, one per layer in no group."""
    return len({l.group.split("/")[0] for l in layers if l.group}) + sum(1 for l in layers if not l.group)


def test_four_lines_collapse_and_expand_to_dask_layers():
    out, _ = four_lines()
    with csd.profile(local=True) as prof:
        out.compute()
    layers = prof.trace.layers
    assert top_level_nodes(layers) <= 6, [(l.id, l.group) for l in layers]
    groups = {l.group for l in layers if l.group}
    assert "map_overlap(_gaussian)" in groups and "mean(axis=0)" in groups, groups
    overlap = {l.op for l in layers if l.group == "map_overlap(_gaussian)"}
    assert {"overlap", "getitem", "concatenate", "_trim", "block-info-_trim", "_gaussian"} <= overlap, overlap
    # Expanded, the groups hold exactly Dask's layers.
    assert {l.params["dask_name"] for l in layers} == set(out.dask.layers)
    # The plan groups the same way.
    plan = csd.plan(out)
    assert [(l.id, l.group) for l in plan.layers] == [(l.id, l.group) for l in layers]


def test_source_locations_point_to_this_file():
    out, lines = four_lines()
    plan = csd.plan(out)
    with csd.profile(local=True) as prof:
        out.compute()
    here = os.path.abspath(__file__)
    for t in (prof.trace, plan.trace):
        by_call = {}
        for l in t.layers:
            p = l.params
            if p.get("created_file") == here:
                by_call.setdefault(p["dask_call"], set()).add(p["created_line"])
                assert p["created_at"] == f"test_dask_plan.py:{p['created_line']}"
        assert by_call["map_overlap(_gaussian)"] == {lines["map_overlap"]}, by_call
        assert by_call["> 0.5"] == {lines["gt"]}, by_call
        assert by_call["rechunk"] == {lines["rechunk"]}, by_call
        assert by_call["mean(axis=0)"] == {lines["mean"]}, by_call
        groups = t.meta["extra"]["groups"]
        assert groups["map_overlap(_gaussian)"]["created_at"] == f"test_dask_plan.py:{lines['map_overlap']}"
    assert f"test_dask_plan.py:{lines['mean']}" in str(plan)


def test_plan_displays_and_saves(tmp_path):
    out, _ = four_lines()
    plan = csd.plan(out, threads=4)
    assert plan.trace.task_count == 0 and plan.trace.meta["status"] == "plan"
    assert plan.tasks == sum(l.params["planned_tasks"] for l in plan.layers) > 0
    assert plan.peak_bytes > 0 and plan.assumptions
    text = str(plan)
    assert "mean(axis=0)" in text and "512×64" in text and "4 threads" in text
    page = plan.html_table()
    assert "map_overlap(_gaussian)" in page and "<svg" in page and "⇄" in page  # a chunk change on an edge
    path = tmp_path / "pipeline.plan.json"
    plan.save(path)
    back = chunkscope.load(path)
    assert [l.id for l in back.layers] == [l.id for l in plan.layers] and back.task_count == 0
    cli = os.path.join(os.path.dirname(os.path.dirname(os.environ["CHUNKSCOPE_WEB_DIR"].rstrip("/"))), "..", "bin", "chunkscope")
    if os.path.exists(cli):
        r = subprocess.run([cli, "describe", str(path)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "map_overlap(_gaussian)" in r.stdout and "512×64" in r.stdout, r.stdout


def test_plan_of_unknown_chunks_renders():
    x = da.from_array(np.arange(1000.0), chunks=100)
    y = x[x > 500.5]
    z = (y * 2).sum()
    plan = csd.plan(z)
    kept = next(l for l in plan.layers if l.params.get("dask_name") == y.name)
    assert kept.params["unknown_chunks"] and "?" in kept.params["shape"]
    assert "?" in str(plan) and "?" in plan.html_table()
    plan._repr_html_()


def test_plan_findings_with_python_edits():
    x = da.ones((4096, 4096), chunks=(32, 32), dtype="f4")
    plan = csd.plan(x.sum(axis=0), threads=4)
    tiny = [f for f in plan.findings if f.rule == "tiny-chunks"]
    assert tiny and tiny[0].edits[0]["python"].startswith("da.ones(..., chunks=(")
    fan = [f for f in plan.findings if f.rule == "reduction-fan-in"]
    assert not fan or fan[0].edits[0]["python"].startswith(".sum(..., split_every=")
    y = da.ones((400, 400), chunks=(8, 400)).map_overlap(lambda b: b, depth=(12, 0), boundary="none")
    halo = [f for f in csd.plan(y).findings if f.rule == "halo-larger-than-chunks"]
    assert halo, [f.rule for f in csd.plan(y).findings]


_STRUCTURAL = {"tiny-chunks", "huge-chunks", "sparse-chunks"}
_PLANTED = {"tiny_chunks_zarr", "tuned_chunks_zarr", "drop_axis_one_chunk", "sparse_densified"}


@pytest.mark.parametrize("build", workloads.ALL, ids=lambda b: b.__name__)
def test_plan_equals_the_run(build, tmp_path, monkeypatch):
    w = build(str(tmp_path))
    if w.scheduler == "processes":
        pytest.skip("the plan does not depend on the scheduler; the processes run is covered by the corpus")
    computed = []  # (collections, a store): what each run computes
    c2d = dask.base.collections_to_dsk
    store = dask.array.core.store

    def collections_to_dsk(collections, *a, **k):
        computed.append((list(collections), False))
        return c2d(collections, *a, **k)

    def store_(sources, *a, **k):  # a store is planned as the arrays it writes
        computed.append((list(sources) if isinstance(sources, (list, tuple)) else [sources], True))
        return store(sources, *a, **k)

    monkeypatch.setattr(dask.base, "collections_to_dsk", collections_to_dsk)
    monkeypatch.setattr(dask.array.core, "store", store_)
    with csd.profile(local=True) as prof:
        w.compute()
    monkeypatch.undo()
    runs = [t for t in prof.traces if t.task_count]
    assert len(runs) == len(computed), (w.name, len(runs), len(computed))
    for trace, (cols, stored) in zip(runs, computed):
        plan = csd.plan(*cols, threads=trace.meta["threads"])
        layers = [l for l in trace.layers if not (stored and l.kind == "sink")]
        assert [l.id for l in plan.layers] == [l.id for l in layers], w.name
        for p, t in zip(plan.layers, layers):
            if not (stored and t.tasks == 0 and t.params.get("dask_fused_into", "").startswith("store-")):  # fused into the store
                assert p.params["planned_tasks"] == t.tasks, (w.name, p.id, p.params["planned_tasks"], t.tasks)
            assert p.group == t.group and p.inputs == t.inputs and p.kind == t.kind, (w.name, p.id)
            if p.params.get("unknown_chunks"):  # the run learns the sizes from the results
                assert "?" in p.params["shape"] and (t.params.get("unknown_chunks") or t.chunks), (w.name, p.id)
                continue
            if p.op.startswith("topk") and t.tasks:  # Dask declares one value per partial topk chunk, the run has k
                continue
            assert p.shape == t.shape and p.chunks == t.chunks, (w.name, p.id, p.shape, t.shape)
            assert p.dtype == t.dtype or p.dtype == "unknown", (w.name, p.id, p.dtype, t.dtype)
        if w.name in _PLANTED:  # planted problems: the plan says what the run says
            def said(findings):
                return {(f.rule, f.layers[0]) for f in findings if f.severity != "info" and f.rule in _STRUCTURAL}
            assert said(plan.findings) == said(trace.findings), (w.name, said(plan.findings), said(trace.findings))


def test_xarray_call_is_one_group(tmp_path):
    """xarray's groupby(...).mean(...) makes a getitem and a mean per group and a stack: one group
    named after the call, next to the Zarr source; the trace is titled by the user's name for it."""
    w = workloads.xarray_climatology(str(tmp_path))
    with csd.profile(local=True) as prof:
        w.compute()
    t = prof.trace
    assert {l.group for l in t.layers} == {"open_zarr(clim.zarr)", "groupby.mean('time')"}, {l.group for l in t.layers}
    assert top_level_nodes(t.layers) == 2 and t.meta["pipeline"] == "clim"


def test_plan_magic_and_titles(tmp_path):
    """`%chunkscope plan EXPR` is the plan titled EXPR; `%%chunkscope` titles each trace by the names
    the cell gives to what it computes (not "dask")."""
    pytest.importorskip("IPython")
    from IPython.testing.globalipapp import get_ipython
    ip = get_ipython()
    ip.run_line_magic("load_ext", "chunkscope")
    ip.run_cell("import dask.array as da\nx = da.ones((1000, 1000), chunks=(10, 1000))\nmeans = x.mean(axis=0)")
    save = tmp_path / "means.plan.json"
    plan = ip.run_line_magic("chunkscope", f"plan --threads 4 --save {save} means")
    assert isinstance(plan, csd.Plan) and plan.title == "means" and plan.threads == 4
    assert chunkscope.load(save).meta["status"] == "plan"
    r = ip.run_cell("%%chunkscope --no-display\nm = means.compute()\ntotal = x.sum()\nt = total.compute()")
    assert r.success, r.error_in_exec
    assert [t.meta["pipeline"] for t in ip.user_ns["_chunkscope"].traces] == ["means", "total"]


def test_plan_and_run_advise_the_same_edit(tmp_path):
    """One chunk advisor (issue 19 item 10): the plan's tiny-chunks edit of a collection is the one
    the run's tiny-chunks finding proposes, for a Zarr source and for da.ones."""
    w = workloads.tiny_chunks_zarr(str(tmp_path))
    x = da.ones((4096, 4096), chunks=(32, 32), dtype="f4")
    for cols, compute in ((list(w.kept.values()), w.compute), ([x.sum(axis=0)], x.sum(axis=0).compute)):
        with csd.profile(local=True) as prof:
            compute()
        run = [t for t in prof.traces if t.task_count][-1]
        plan = csd.plan(*cols, threads=run.meta["threads"])

        def edits(findings):
            return {(f.layers[0], e["python"]) for f in findings if f.rule == "tiny-chunks" and f.severity != "info"
                    for e in f.edits}
        assert edits(run.findings) and edits(plan.findings) == edits(run.findings), (edits(plan.findings), edits(run.findings))
