"""The live-memory timeline of a Dask run, from its tasks' result bytes and dependencies."""
from __future__ import annotations

import operator

__all__ = ["memory_series"]

_time_kind = operator.itemgetter(0, 1)


def memory_series(col, dep_offsets, dep_index, keys, outputs, released, edge_end=None, nbytes=None) -> dict:
    """Live result bytes: a result counts from its task's start until its last reader finished (or
    the scheduler released it); outputs until the end. `keys`: the tasks' Dask keys; `edge_end`: per
    entry of dep_index, when its reader ended (computed from the columns when not given); `nbytes`:
    the bytes per task to count (default: the bytes column; the host's or one GPU's share of it).
    Linear in tasks and edges plus one sort of the events."""
    n = len(col["layer"])
    end_ns, start_ns = col["end_ns"], col["start_ns"]
    if nbytes is None:
        nbytes = col["bytes"]
    if edge_end is None:
        edge_end = [end_ns[i] for i in range(n) for _ in range(dep_offsets[i + 1] - dep_offsets[i])]
    free_at = [-1] * n
    for d, t in zip(dep_index, edge_end):
        if t > free_at[d]:
            free_at[d] = t
    if released is not None:
        frees = [max(released[k], e) if k in released else (None if f < 0 or k in outputs else f)
                 for k, f, e in zip(keys, free_at, end_ns)]
    else:
        frees = [None if f < 0 or k in outputs else f for k, f in zip(keys, free_at)]
    # (time, kind, delta, task): at equal times releases (kind 0) sort before allocations (kind 1).
    events = list(zip(start_ns, [1] * n, nbytes, range(n)))
    events += [(f, 0, -b, i) for i, (f, b) in enumerate(zip(frees, nbytes)) if f is not None]
    events.sort(key=_time_kind)
    t_ns = [0] * (len(events) + 1)
    live_bytes = [0] * (len(events) + 1)
    live = peak = peak_t = 0
    peak_task = -1
    last = k = 0
    for (t, _kind, delta, i) in events:
        live += delta
        if live > peak:
            peak, peak_t, peak_task = live, t, i
        if t != last:
            k += 1
            t_ns[k] = last = t
        live_bytes[k] = live
    del t_ns[k + 1:], live_bytes[k + 1:]
    if released is not None:  # the scheduler's release times may be floats
        t_ns = [int(t) for t in t_ns]
    return {"device": "host", "t_ns": t_ns, "live_bytes": live_bytes, "peak_bytes": int(peak), "peak_t_ns": int(peak_t),
            "limit_bytes": 0, "_peak_task_layer": col["layer"][peak_task] if peak_task >= 0 else -1}
