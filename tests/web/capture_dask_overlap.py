# Captures tests/web/dask_overlap.cstrace: a microscopy-like Dask pipeline of 100+ layers (map_overlap
# filters, mean/std normalisation, rechunks and reductions), for the dashboard tests (issue 16).
#   PYTHONPATH=build/python python3 tests/web/capture_dask_overlap.py OUT.cstrace.json [ROUNDS=5]
#   build/bin/chunkscope export OUT.cstrace.json --format compact -o tests/web/dask_overlap.cstrace
import sys
import numpy as np
import dask
import dask.array as da
import chunkscope.dask

dask.config.set(scheduler="threads", num_workers=4)
img = da.random.RandomState(0).random((1024, 1024), chunks=(256, 256)).astype(np.float32)
outs = []
x = img
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 5):
    x = x.map_overlap(lambda b: b * 0.5 + 0.1, depth=2, boundary="reflect")
    x = (x - x.mean()) / (x.std() + 1)
    if i % 3 == 0:
        x = x.rechunk((128, 512))
    outs.append(x.sum(axis=0))
total = da.stack(outs).max(axis=0)
with chunkscope.dask.profile(local=True, name="microscopy_overlap") as prof:
    total.compute()
t = prof.trace
print(len(t.layers_frame()), "layers")
t.save(sys.argv[1])
