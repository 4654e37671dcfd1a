"""The live-memory timeline of a Dask run, from its tasks' result bytes and dependencies."""
from __future__ import annotations

import operator

__all__ = ["memory_series"]

_time_kind = operator.itemgetter(0, 1)


def memory_series(col, dep_offsets, dep_index, per_task, outputs, released) -> dict:
    """Live result bytes: a result counts from its task's start until its last reader finished (or
    the scheduler released it); outputs until the end."""
    n = len(col["layer"])
    end_ns, start_ns, nbytes = col["end_ns"], col["start_ns"], col["bytes"]
    free_at = [-1] * n
    for i in range(n):
        t = end_ns[i]
        for e in range(dep_offsets[i], dep_offsets[i + 1]):
            d = dep_index[e]
            if t > free_at[d]:
                free_at[d] = t
    # (time, kind, delta, task): at equal times releases (kind 0) sort before allocations (kind 1).
    events = []
    append = events.append
    for i in range(n):
        key = per_task[i][0]
        if released is not None and key in released:
            f = max(released[key], end_ns[i])
        elif free_at[i] < 0 or key in outputs:
            f = None
        else:
            f = free_at[i]
        b = nbytes[i]
        append((start_ns[i], 1, b, i))
        if f is not None:
            append((f, 0, -b, i))
    events.sort(key=_time_kind)
    t_ns, live_bytes = [0], [0]
    live = peak = peak_t = 0
    peak_task = -1
    for (t, _kind, delta, i) in events:
        live += delta
        if live > peak:
            peak, peak_t, peak_task = live, t, i
        if t == t_ns[-1]:
            live_bytes[-1] = live
        else:
            t_ns.append(int(t))
            live_bytes.append(int(live))
    return {"device": "host", "t_ns": t_ns, "live_bytes": live_bytes, "peak_bytes": int(peak), "peak_t_ns": int(peak_t),
            "limit_bytes": 0, "_peak_task_layer": col["layer"][peak_task] if peak_task >= 0 else -1}
