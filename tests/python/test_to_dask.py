"""chunkscope.to_dask and `chunkscope run --executor dask` (issue 21).

Every sample and tests/e2e pipeline runs on chunkscope's CPU executor (the CLI) and, translated by
to_dask, on a 2-worker LocalCluster(processes=True) on 127.0.0.1, captured by the distributed
plugin. The outputs must be equal: bit for bit where the CPU executor's output is bit-equal to the
NumPy/SciPy reference (tests/reference/numpy_ref.py), within the documented tolerance otherwise
(tests/reference/compare.py); the trace has the pipeline's layers. tiny_chunks runs at 512×512 (its
32×32 chunks kept: 256 chunks per layer instead of 16,384, which Dask would spend a minute on).
The CLI path (`--executor dask --local-cluster 2`) writes the outputs, the trace and the HTML.
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
from compare import compare  # noqa: E402
from numpy_ref import Evaluator  # noqa: E402

import chunkscope  # noqa: E402

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402

CLI = os.environ.get("CHUNKSCOPE_CLI") or os.path.join(ROOT, "build", "bin", "chunkscope")
PIPELINES = sorted(glob.glob(os.path.join(ROOT, "samples", "pipelines", "*.json")) +
                   glob.glob(os.path.join(ROOT, "tests", "e2e", "pipelines", "*.json")))


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        with Client(cluster) as c:
            yield c


def _prepared(path, tmp):
    """A copy of the pipeline in tmp with every output written to tmp/cpu/<id>.npy (tiny_chunks smaller)."""
    doc = json.load(open(path))
    if doc.get("name") == "tiny_chunks":
        doc["layers"][0]["shape"] = [512, 512]
    outs = doc.get("outputs") or [{"id": doc["layers"][-1]["id"]}]
    ids = []
    for o in outs:
        if o["id"] not in ids:
            ids.append(o["id"])
    doc["outputs"] = [{"id": i, "to_npy": f"cpu/{i}.npy"} for i in ids]
    p = os.path.join(tmp, os.path.basename(path))
    json.dump(doc, open(p, "w"))
    return p, doc, ids


@pytest.mark.parametrize("path", PIPELINES, ids=[os.path.basename(p)[:-5] for p in PIPELINES])
def test_outputs_and_layers_equal_the_cpu_executor(path, tmp_path, client):
    p, doc, ids = _prepared(path, str(tmp_path))
    trace = str(tmp_path / "cpu.cstrace.json")
    r = subprocess.run([CLI, "run", p, "--trace", trace, "-q"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cpu_layers = [l["id"] for l in json.load(open(trace))["layers"]]
    rounded = _after_float_sums(p)
    arrays = chunkscope.to_dask(p)
    # The reference decides only where the CPU executor's floats might be bit-equal to NumPy's.
    floats = [i for i in ids if arrays[i].dtype.kind == "f" and i not in rounded]
    ref = Evaluator(doc, str(tmp_path)).run() if floats else {}

    with chunkscope.dask.profile(client, name=doc.get("name", "p")) as prof, dask.config.set({"optimization.fuse.active": False}):
        got = dask.compute(*[arrays[i] for i in ids])
    exact = 0
    for i, g in zip(ids, got):
        cpu = np.load(tmp_path / "cpu" / f"{i}.npy")
        g = np.asarray(g)
        assert g.dtype == cpu.dtype and g.shape == cpu.shape, i
        if cpu.dtype.kind != "f" or i in floats and np.array_equal(cpu, ref[i], equal_nan=True) and cpu.dtype == ref[i].dtype:
            assert np.array_equal(g, cpu, equal_nan=g.dtype.kind == "f"), f"{i}: the CPU executor equals NumPy bit for bit, Dask does not"
            exact += 1
        else:
            why = compare(cpu, g)
            assert why is None, f"{i}: {why}"
    assert exact > 0 or all(np.asarray(g).dtype.kind == "f" for g in got)
    # The captured trace has the pipeline's layers (sinks aside: none was computed here).
    t = prof.trace
    assert t.meta["executor"] == "dask-distributed"
    assert {l.id for l in t.layers} == {l for l in cpu_layers if ":to_" not in l}


def _after_float_sums(p):
    """Layers computed from a float reduction or matmul: their sums are added in another order by
    Dask's tree than by NumPy or our executor, so they are equal within the tolerance, not bit for bit."""
    from chunkscope.to_dask import describe
    out = set()
    for l in describe(p)["layers"]:
        own = l["op"] in ("sum", "mean", "std", "var", "matmul") and l["dtype"].startswith("float")
        if own or any(i in out for i in l["inputs"]):
            out.add(l["id"])
    return out


def test_random_block_is_exec_kernel():
    """The binding fills any strided block with the values of the source's global indices."""
    from chunkscope import _chunkscope
    full = _chunkscope.random_block(7, "float64", 0, [6, 10], [10, 1])
    part = _chunkscope.random_block(7, "float64", 5 * 10 + 8, [3, 5], [-20, -2])  # x[5::-2, 8::-2]
    assert np.array_equal(part, full[5::-2, 8::-2])
    assert _chunkscope.random_block(7, "float32", 0, [4], [1]).dtype == np.float32
    sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
    from philox import random_array
    assert np.array_equal(full, random_array((6, 10), 7, np.dtype("float64")))


def test_layers_are_named_by_the_pipeline():
    arrays = chunkscope.to_dask(os.path.join(ROOT, "samples", "pipelines", "cells.json"))
    assert list(arrays) == ["img", "blur", "mask", "area", "signal", "intensity"]
    for lid, a in arrays.items():
        assert a.name == lid and lid in a.dask.layers
        assert {k[0] for k in a.__dask_keys__() for k in _flat(k)} == {lid}


def _flat(k):
    if isinstance(k, list):
        for x in k:
            yield from _flat(x)
    else:
        yield k


def test_bad_pipeline_is_input_error(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('{"layers": [{"id": "a", "op": "tanh"}]}')
    with pytest.raises(ValueError, match='unknown op "tanh"'):
        chunkscope.to_dask(str(p))


def test_cli_local_cluster(tmp_path):
    src = os.path.join(ROOT, "samples", "pipelines", "cells.json")
    doc = json.load(open(src))
    doc["outputs"] = [{"id": "area", "to_npy": "out/area.npy"}, {"id": "intensity", "to_zarr": "out/intensity.zarr"},
                      {"id": "intensity"}]
    p = tmp_path / "cells.json"
    p.write_text(json.dumps(doc))
    r = subprocess.run([CLI, "run", str(p), "--trace", str(tmp_path / "cpu.cstrace.json"), "-q"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    area_cpu = np.load(tmp_path / "out" / "area.npy")
    import zarr
    intensity_cpu = zarr.open_array(str(tmp_path / "out" / "intensity.zarr"), mode="r")[...]
    os.unlink(tmp_path / "out" / "area.npy")
    r = subprocess.run([CLI, "run", str(p), "--executor", "dask", "--local-cluster", "2", "--trace", str(tmp_path / "d.cstrace.json"),
                        "--html", str(tmp_path / "d.html")], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "ran cells on a local cluster of 2 workers: ok" in r.stdout
    assert np.array_equal(np.load(tmp_path / "out" / "area.npy"), area_cpu)
    assert compare(intensity_cpu, zarr.open_array(str(tmp_path / "out" / "intensity.zarr"), mode="r")[...]) is None
    assert not [f for f in os.listdir(tmp_path / "out") if ".tmp-" in f]
    cpu = json.load(open(tmp_path / "cpu.cstrace.json"))
    t = chunkscope.load(str(tmp_path / "d.cstrace.json"))
    assert t.meta["executor"] == "dask-distributed" and t.meta["pipeline"] == "cells"
    assert sorted(l.id for l in t.layers) == sorted(l["id"] for l in cpu["layers"])
    by_id = {l["id"]: l for l in cpu["layers"]}
    for l in t.layers:  # the pipeline's facts, as the CPU executor's trace has them
        assert (l.op, l.group, list(l.shape), l.dtype) == (by_id[l.id]["op"], by_id[l.id]["group"], by_id[l.id]["shape"], by_id[l.id]["dtype"])
    assert os.path.getsize(tmp_path / "d.html") > 10000
    # The advice of the Dask trace edits the pipeline file (its layers are the pipeline's).
    r = subprocess.run([CLI, "apply-advice", str(p), str(tmp_path / "d.cstrace.json"), "-o", str(tmp_path / "adv.json")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and 'layer "img": chunks' in r.stdout, r.stdout + r.stderr
    # Refused before anything runs, with one line: a memory limit on a cluster not started here, a bad address pairing.
    r = subprocess.run([CLI, "run", str(p), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--memory-limit", "1GiB"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2 and "--memory-limit" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = subprocess.run([CLI, "run", str(p), "--local-cluster", "2"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2 and "go with --executor dask" in r.stderr
