"""Profiling real Dask runs into chunkscope traces (docs/python.md).

    import chunkscope.dask
    with chunkscope.dask.profile() as prof:          # local schedulers (threads, sync, processes)
        x.mean().compute()
    prof.trace                                       # a chunkscope.Trace

    with chunkscope.dask.profile(client) as prof:    # distributed (or no argument with a default Client)
        x.mean().compute()

Two things are recorded:
- the graph, at optimisation time (a wrapper around Dask's array optimisation, through the
  `array_optimize` config key): the user's high-level layers with their shapes, chunks and dtypes
  (from each layer's `collection_annotations`), their dependencies, and which layers Dask's
  optimisation fused into which;
- the run: local schedulers through `dask.callbacks.Callback` (a timestamp before and after each
  task, the thread, the result's bytes, shape and dtype); distributed through a scheduler plugin
  (each task's compute and transfer start/stops per worker, bytes, dependencies, releases, and
  the workers' managed memory).
Both become one trace document (docs/trace-format.md), validated by chunkscope's C++ reader.

The package: graph.py (graph capture), local.py (local schedulers' recorder), plugin.py
(distributed scheduler plugin), document.py (the trace document), session.py (the entry point: profile()),
origins.py (where in the user's code each layer is made), groups.py (layers grouped into the user's
operations), plan.py (`plan(x)`: the same document before computing, with no tasks), resources.py (RSS and CPU%
of this process and of distributed workers while it runs).
"""
from __future__ import annotations

from . import origins as _origins
from .plan import Plan, plan
from .plugin import SchedulerRecorder
from .session import Profile, profile

_origins.install()  # where in the user's code each layer is made (origins.py)

__all__ = ["profile", "Profile", "plan", "Plan", "SchedulerRecorder"]
