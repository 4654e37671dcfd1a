"""The live-memory timeline of a Dask run, from its tasks' result bytes and dependencies."""
from __future__ import annotations

__all__ = ["memory_series"]

try:
    import numpy as _np
except ImportError:  # dask without NumPy (bags, delayed): the loop below
    _np = None
_NUMPY_FROM = 512  # tasks from which the sort and the running sum are NumPy's (the same series)


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
    # (2 * time + kind, task, delta): at equal times releases (kind 0) sort before allocations (kind 1),
    # each kind in task order. The sort compares ints, with no key function (the scheduler's release
    # times may be floats: made ints first).
    if released is not None:
        start_ns = [int(t) for t in start_ns]
        frees = [None if f is None else int(f) for f in frees]
    if n >= _NUMPY_FROM and _np is not None:
        return _series_numpy(col, start_ns, frees, nbytes)
    events = list(zip([t + t + 1 for t in start_ns], range(n), nbytes))
    events += [(f + f, i, -b) for i, (f, b) in enumerate(zip(frees, nbytes)) if f is not None]
    events.sort()
    t_ns = [0] * (len(events) + 1)
    live_bytes = [0] * (len(events) + 1)
    live = peak = peak_t = 0
    peak_task = -1
    last = k = 0
    for (t2, i, delta) in events:
        t = t2 >> 1
        live += delta
        if live > peak:
            peak, peak_t, peak_task = live, t, i
        if t != last:
            k += 1
            t_ns[k] = last = t
        live_bytes[k] = live
    del t_ns[k + 1:], live_bytes[k + 1:]
    return {"device": "host", "t_ns": t_ns, "live_bytes": live_bytes, "peak_bytes": int(peak), "peak_t_ns": int(peak_t),
            "limit_bytes": 0, "_peak_task_layer": col["layer"][peak_task] if peak_task >= 0 else -1}


def _series_numpy(col, start_ns, frees, nbytes) -> dict:
    """memory_series' events, sort and running sum in NumPy: the same series as the loop (events in
    (2 * time + kind, task) order, equal times merged, the peak where the running sum first reaches
    its maximum)."""
    np = _np
    n = len(start_ns)
    start = np.asarray(start_ns, dtype=np.int64)
    b = np.asarray(nbytes, dtype=np.int64)
    fr = np.asarray([-1 if f is None else f for f in frees], dtype=np.int64)
    freed = np.flatnonzero(fr >= 0)
    key = np.concatenate((start * 2 + 1, fr[freed] * 2))
    task = np.concatenate((np.arange(n, dtype=np.int64), freed))
    delta = np.concatenate((b, -b[freed]))
    order = np.lexsort((task, key))
    live = np.cumsum(delta[order])
    t = key[order] >> 1
    peak = peak_t = 0
    peak_task = -1
    if len(live):
        at = int(np.argmax(live))
        if live[at] > 0:
            peak, peak_t, peak_task = int(live[at]), int(t[at]), int(task[order[at]])
        last = np.flatnonzero(t[1:] != t[:-1])  # the last event of each run of equal times
        last = np.append(last, len(t) - 1)
        t_ns, live_bytes = t[last].tolist(), live[last].tolist()
        if t_ns[0] != 0:
            t_ns.insert(0, 0)
            live_bytes.insert(0, 0)
    else:
        t_ns, live_bytes = [0], [0]
    return {"device": "host", "t_ns": t_ns, "live_bytes": live_bytes, "peak_bytes": peak, "peak_t_ns": peak_t,
            "limit_bytes": 0, "_peak_task_layer": col["layer"][peak_task] if peak_task >= 0 else -1}
