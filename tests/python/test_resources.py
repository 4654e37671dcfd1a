"""Process resources (issue 20 item 2): exec's /proc sampler through the binding, and a Dask capture
on the threaded scheduler whose block function keeps big non-chunk memory: the trace's resources
show it and the unmanaged-memory rule fires on the layer."""
import os
import time

import dask
import dask.array as da
import numpy as np
import pytest

import chunkscope
import chunkscope.dask as csd
from chunkscope import _chunkscope as native

pytestmark = pytest.mark.skipif(not native.ResourceSampler.available(), reason="no /proc on this system")

MiB = 1 << 20
_KEPT = []  # what the planted block function keeps: memory Dask does not manage


def keep_a_copy(block):
    # A 16 MiB buffer per block, touched so that it is resident, kept after the task returns.
    _KEPT.append(np.ones(2 * MiB, dtype=np.float64))
    time.sleep(0.01)
    return block + 1


def test_binding_samples_this_process_on_perf_counter_time():
    s = native.ResourceSampler(2_000_000)
    before = time.perf_counter_ns()
    assert s.start()
    buf = np.ones(64 * MiB // 8)  # 64 MiB, resident
    end = time.perf_counter() + 0.1
    x = 0
    while time.perf_counter() < end:  # a busy thread (holding the GIL; the sampler does not need it)
        x += 1
    s.stop()
    after = time.perf_counter_ns()
    t_ns, rss, cpu, cores = s.samples()
    assert len(t_ns) >= 5 and len(t_ns) == len(rss) == len(cpu)
    assert before <= t_ns[0] and t_ns[-1] <= after  # the same clock as time.perf_counter_ns()
    assert max(rss) >= 64 * MiB
    assert max(cpu) > 30 and cores >= 1
    assert buf[-1] == 1


def test_dask_capture_with_planted_unmanaged_memory():
    _KEPT.clear()
    x = da.ones((4096, 1024), chunks=(256, 1024))  # 16 blocks of 2 MiB
    y = x.map_blocks(keep_a_copy, dtype=x.dtype)
    _KEPT.clear()  # map_blocks called it once on an empty block to learn its output's meta
    with dask.config.set(scheduler="threads", num_workers=2):
        with csd.profile(name="unmanaged") as p:
            y.sum().compute()
    kept = sum(a.nbytes for a in _KEPT)
    assert kept == 16 * 16 * MiB
    doc = p.trace.to_dict()
    # The typed field, with this process's series on the trace's time base.
    res = doc["resources"]
    assert res["interval_ns"] == 20_000_000
    local = [s for s in res["processes"] if s["process"] == "local"]
    assert len(local) == 1
    s = local[0]
    assert s["t_ns"] and all(0 <= t <= doc["meta"]["wall_ns"] for t in s["t_ns"])
    assert max(s["rss_bytes"]) - s["rss_bytes"][0] >= kept // 2
    f = [f for f in p.trace.findings if f.rule == "unmanaged-memory"]
    assert f, [x.rule for x in p.trace.findings]
    ev = f[0].evidence_dict()
    assert ev["unmanaged_bytes"] > 0.5 * ev["rss_bytes"]
    assert ev["managed_bytes"] < 64 * MiB
    # Named: the layer whose tasks ran the block function (Dask fuses it into the sum's first step).
    assert f[0].layers and f[0].layers[0] in ("keep_a_copy", "sum"), f[0].layers
    assert "unmanaged memory" in f[0].message and "(RSS)" in f[0].message
    assert "MALLOC_TRIM_THRESHOLD_" in f[0].advice
    _KEPT.clear()


def test_dask_capture_without_the_problem_is_quiet():
    x = da.ones((4096, 1024), chunks=(256, 1024))
    with dask.config.set(scheduler="threads", num_workers=2):
        with csd.profile(name="managed") as p:
            (x + 1).sum().compute()
    assert not [f for f in p.trace.findings if f.rule == "unmanaged-memory"]
